/// The published rate tables as the agency keeps them: a row per half-year, a new row each
/// semester (`/settings/rates`, `recouvre settings import --rates`). Checked when read: rows in
/// order, without gap or overlap.
public struct RateSettings: Codable, Hashable, Sendable {
    public struct LatePaymentRow: Codable, Hashable, Sendable {
        public var from: Day
        public var to: Day
        /// The ECB main refinancing rate in force on 1 January or 1 July.
        public var ecbRefinancing: Rate
        /// The L441-10 default rate: the refinancing rate + 10 points.
        public var rate: Rate

        public init(from: Day, to: Day, ecbRefinancing: Rate, rate: Rate) {
            self.from = from
            self.to = to
            self.ecbRefinancing = ecbRefinancing
            self.rate = rate
        }

        enum CodingKeys: String, CodingKey { case from = "period_start", to = "period_end", ecbRefinancing = "ecb_refi_pct", rate = "b2b_default_penalty_pct" }
    }

    public struct LegalRow: Codable, Hashable, Sendable {
        public var from: Day
        public var to: Day
        public var creditorPrivateIndividual: Rate
        public var otherCases: Rate

        public init(from: Day, to: Day, creditorPrivateIndividual: Rate, otherCases: Rate) {
            self.from = from
            self.to = to
            self.creditorPrivateIndividual = creditorPrivateIndividual
            self.otherCases = otherCases
        }

        enum CodingKeys: String, CodingKey {
            case from = "period_start", to = "period_end", creditorPrivateIndividual = "creditor_private_individual_pct", otherCases = "other_cases_pct"
        }
    }

    public var latePayment: [LatePaymentRow]
    public var legal: [LegalRow]

    public init(latePayment: [LatePaymentRow], legal: [LegalRow]) {
        self.latePayment = latePayment
        self.legal = legal
    }

    enum CodingKeys: String, CodingKey { case latePayment = "b2b_late_payment", legal = "legal_interest" }

    /// The tables Recouvre ships (`ShippedRates`).
    public static let defaults: RateSettings = {
        let rates = InterestRates.shipped
        return RateSettings(
            latePayment: rates.b2bLatePayment.periods.map { LatePaymentRow(from: $0.from, to: $0.to, ecbRefinancing: $0.base ?? Rate(microPercent: 0), rate: $0.rate) },
            legal: zip(rates.legalPrivateCreditor.periods, rates.legalOtherCases.periods).map {
                LegalRow(from: $0.from, to: $0.to, creditorPrivateIndividual: $0.rate, otherCases: $1.rate)
            })
    }()

    /// The tables the interest computation reads.
    public var interestRates: InterestRates {
        InterestRates(b2bLatePayment: RateTable(unchecked: latePayment.map { RatePeriod(from: $0.from, to: $0.to, rate: $0.rate, base: $0.ecbRefinancing) }),
                      legalPrivateCreditor: RateTable(unchecked: legal.map { RatePeriod(from: $0.from, to: $0.to, rate: $0.creditorPrivateIndividual, base: nil) }),
                      legalOtherCases: RateTable(unchecked: legal.map { RatePeriod(from: $0.from, to: $0.to, rate: $0.otherCases, base: nil) }))
    }

    /// Everything wrong with the tables, each with its JSON path (empty: they can be used).
    public func problems() -> [SettingsProblem] {
        var out: [SettingsProblem] = []
        func check(_ name: String, _ periods: [(Day, Day)]) {
            if periods.isEmpty { out.append(SettingsProblem(path: name, message: "at least one row is needed")) }
            for (i, p) in periods.enumerated() {
                if p.0 > p.1 { out.append(SettingsProblem(path: "\(name)[\(i)]", message: "period_start \(p.0.iso) is after period_end \(p.1.iso)")) }
                if i > 0, periods[i - 1].1.adding(days: 1) != p.0 {
                    out.append(SettingsProblem(path: "\(name)[\(i)].period_start", message: "must be \(periods[i - 1].1.adding(days: 1).iso), the day after the row before: no gap, no overlap"))
                }
            }
        }
        check("b2b_late_payment", latePayment.map { ($0.from, $0.to) })
        check("legal_interest", legal.map { ($0.from, $0.to) })
        for (i, r) in latePayment.enumerated() where r.rate != r.ecbRefinancing + .percent(10) {
            out.append(SettingsProblem(path: "b2b_late_payment[\(i)].b2b_default_penalty_pct", message: "must be the refinancing rate + 10 points (\(r.ecbRefinancing + .percent(10)) %), L441-10"))
        }
        return out
    }
}

extension RateTable {
    /// Periods already checked (`RateSettings.problems`).
    init(unchecked periods: [RatePeriod]) { self.periods = periods }
}
