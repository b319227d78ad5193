/// One row of a published rate table: a period (a half-year) and its annual rate.
public struct RatePeriod: Hashable, Sendable {
    public let from: Day
    public let to: Day
    public let rate: Rate
    /// The ECB refinancing rate the row's rate is built on (L441-10 tables only).
    public let base: Rate?
}

/// A rate table read from its CSV (`period_start,period_end,<rate columns>`): rows in order,
/// without gap or overlap, each rate a plain percentage.
public struct RateTable: Hashable, Sendable {
    public let periods: [RatePeriod]

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case header(String), row(line: Int, String)
        public var description: String {
            switch self {
            case let .header(why): "rate table header: \(why)"
            case let .row(line, why): "rate table line \(line): \(why)"
            }
        }
    }

    /// The table of `column`, with `baseColumn`'s rate kept beside it when given.
    public static func parse(_ csv: String, column: String, baseColumn: String? = nil) throws(Problem) -> RateTable {
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: true).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        guard let head = lines.first else { throw .header("empty") }
        let names = head.split(separator: ",").map { String($0).trimmingSpaces() }
        guard let from = names.firstIndex(of: "period_start"), let to = names.firstIndex(of: "period_end") else { throw .header("needs period_start and period_end") }
        guard let rateAt = names.firstIndex(of: column) else { throw .header("no column \(column)") }
        let baseAt = baseColumn.flatMap { names.firstIndex(of: $0) }
        var periods: [RatePeriod] = []
        for (i, line) in lines.dropFirst().enumerated() {
            let n = i + 2
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces() }
            guard f.count == names.count else { throw .row(line: n, "\(f.count) fields, the header has \(names.count)") }
            guard let start = Day(parsing: f[from]), let end = Day(parsing: f[to]), start <= end else { throw .row(line: n, "period \(f[from]) – \(f[to]) is not a period") }
            guard let rate = Rate(percent: f[rateAt]) else { throw .row(line: n, "\(f[rateAt]) is not a rate") }
            if let last = periods.last, last.to.adding(days: 1) != start {
                throw .row(line: n, "starts \(start.iso), the row before ends \(last.to.iso): rows must follow each other without gap or overlap")
            }
            periods.append(RatePeriod(from: start, to: end, rate: rate, base: baseAt.flatMap { Rate(percent: f[$0]) }))
        }
        guard !periods.isEmpty else { throw .header("no rows") }
        return RateTable(periods: periods)
    }

    public var lastDay: Day { periods[periods.count - 1].to }

    /// The row in force on `day`, nil before the first or after the last.
    public func period(on day: Day) -> RatePeriod? {
        var lo = 0, hi = periods.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if day < periods[mid].from { hi = mid - 1 } else if day > periods[mid].to { lo = mid + 1 } else { return periods[mid] }
        }
        return nil
    }
}

/// The published rates interest is computed with.
public struct InterestRates: Sendable {
    /// Code de commerce L441-10: ECB refinancing rate + 10 points, per half-year.
    public let b2bLatePayment: RateTable
    /// The legal interest rate (Code monétaire et financier L313-2), two values per half-year.
    public let legalPrivateCreditor: RateTable
    public let legalOtherCases: RateTable

    public init(b2bLatePayment: RateTable, legalPrivateCreditor: RateTable, legalOtherCases: RateTable) {
        self.b2bLatePayment = b2bLatePayment
        self.legalPrivateCreditor = legalPrivateCreditor
        self.legalOtherCases = legalOtherCases
    }

    /// The tables Recouvre ships (`ShippedRates`).
    public static let shipped = try! InterestRates(
        b2bLatePayment: RateTable.parse(ShippedRates.b2bLatePaymentCSV, column: "b2b_default_penalty_pct", baseColumn: "ecb_refi_pct"),
        legalPrivateCreditor: RateTable.parse(ShippedRates.legalInterestCSV, column: "creditor_private_individual_pct"),
        legalOtherCases: RateTable.parse(ShippedRates.legalInterestCSV, column: "other_cases_pct"))
}

/// What interest a claim carries and why.
public enum InterestBasis: Hashable, Sendable {
    /// Between traders, from the day after the due date, no reminder needed (L441-10).
    case b2bLatePayment
    /// The contract's annual rate, between traders; never below three times the legal rate (L441-10).
    case contractual(Rate)
    /// The legal rate, from the formal demand (Code civil 1231-6); which of the two published rates
    /// depends on whether the creditor is a private individual.
    case legal(creditorIsPrivateIndividual: Bool)
}

/// One period of an interest computation, as the case page and the API explain it.
public struct InterestLine: Hashable, Sendable {
    public let from: Day
    public let to: Day
    public let days: Int
    public let rate: Rate
    /// The principal interest ran on during the period (less after a payment reached it).
    public let principal: Money
    /// This period's interest rounded to the cent, for reading; the total is rounded once from the
    /// exact sum, so the lines may differ from it by a cent.
    public let amount: Money
    /// Where the rate comes from ("BCE 2,15 % + 10 points (L441-10)", "taux légal, autres cas", …).
    public let source: String
    /// True when the period lies past the table's last row and the last known rate was assumed.
    public let assumed: Bool
}

public struct InterestBreakdown: Hashable, Sendable {
    public let lines: [InterestLine]
    public let total: Money
    /// The first day computed with an assumed rate (past the table), if any: to be said wherever
    /// the amount is shown.
    public var assumedFrom: Day? { lines.first(where: \.assumed)?.from }
}

public enum InterestProblem: Error, Equatable, Sendable, CustomStringConvertible {
    /// The period runs past the rate table and no assumption was allowed.
    case rateUnknown(from: Day, lastKnown: Day)
    /// Before the table's first row.
    case rateMissing(Day)
    /// A contractual rate below three times the legal rate (L441-10): the contract's clause cannot be applied.
    case contractRateTooLow(Rate, floor: Rate, on: Day)

    public var description: String {
        switch self {
        case let .rateUnknown(from, last): "no published rate from \(from.iso) (the table ends \(last.iso)): add the new half-year's row"
        case let .rateMissing(day): "no rate in the table for \(day.iso)"
        case let .contractRateTooLow(r, floor, day): "the contractual rate \(r) % is below three times the legal rate (\(floor) % on \(day.iso), L441-10)"
        }
    }
}

/// Late-payment interest: simple interest on a 365-day basis, period by period at each period's
/// rate, rounded once at the end (DOMAIN.md "Interest and fees"). Pure.
public enum LateInterest {
    /// The denominator of every interest numerator: days × rate are per 365 days and per cent, the
    /// rate in millionths of a percent.
    public static let denominator = Int128(365) * 100 * Int128(Rate.scale)

    /// One stretch of days at one rate, as `walk` hands it out.
    public struct Slice {
        public let from: Day
        public let to: Day
        public let days: Int
        public let rate: Rate
        public let period: RatePeriod
        /// Past the table's last row: the last known rate is assumed.
        public let assumed: Bool
        /// principal × days × rate (micro-percent): divide by `denominator` for currency units' cents.
        public let numerator: Int128
    }

    /// The exact interest on `principalCents` for every day from `start` through `end` (both
    /// included), as a numerator over `denominator`, handing each rate period to `each`. The one
    /// place the rate of a day is chosen; `compute` explains it, `Ledger` sums it.
    public static func walk(principalCents: Int64, from start: Day, through end: Day, basis: InterestBasis, rates: InterestRates,
                            assumeLastKnownRate: Bool, _ each: (Slice) -> Void = { _ in }) -> Result<Int128, InterestProblem> {
        guard start <= end, principalCents > 0 else { return .success(0) }
        let table: RateTable
        switch basis {
        case .b2bLatePayment: table = rates.b2bLatePayment
        case .contractual: table = rates.legalOtherCases // the floor's table; the rate is the contract's
        case let .legal(priv): table = priv ? rates.legalPrivateCreditor : rates.legalOtherCases
        }
        var numerator: Int128 = 0
        var day = start
        while day <= end {
            var period = table.period(on: day)
            var assumed = false
            if period == nil {
                guard day > table.lastDay else { return .failure(.rateMissing(day)) }
                guard assumeLastKnownRate else { return .failure(.rateUnknown(from: day, lastKnown: table.lastDay)) }
                let last = table.periods[table.periods.count - 1]
                period = RatePeriod(from: day, to: end, rate: last.rate, base: last.base)
                assumed = true
            }
            let p = period!
            let until = min(p.to, end)
            let days = day.days(until: until) + 1
            let rate: Rate
            switch basis {
            case .b2bLatePayment, .legal: rate = p.rate
            case let .contractual(r):
                let floor = p.rate * 3
                if r < floor { return .failure(.contractRateTooLow(r, floor: floor, on: day)) }
                rate = r
            }
            let n = Int128(principalCents) * Int128(days) * Int128(rate.microPercent)
            numerator += n
            each(Slice(from: day, to: until, days: days, rate: rate, period: p, assumed: assumed, numerator: n))
            day = until.adding(days: 1)
        }
        return .success(numerator)
    }

    /// Interest on `principal` for every day from `start` through `end` (both included), line by
    /// line: for a late payment, `start` is the day after the due date. With `assumeLastKnownRate`,
    /// days past the table carry its last rate and are marked assumed; without, they are an error.
    public static func compute(principal: Money, from start: Day, through end: Day, basis: InterestBasis, rates: InterestRates,
                               assumeLastKnownRate: Bool = false) -> Result<InterestBreakdown, InterestProblem> {
        var lines: [InterestLine] = []
        let walked = walk(principalCents: principal.minorUnits, from: start, through: end, basis: basis, rates: rates,
                          assumeLastKnownRate: assumeLastKnownRate) { lines.append(line($0, principal: principal, basis: basis)) }
        return walked.map { InterestBreakdown(lines: lines, total: Money(minorUnits: cents($0), currency: principal.currency)) }
    }

    /// A slice as the case page and the API explain it.
    static func line(_ s: Slice, principal: Money, basis: InterestBasis) -> InterestLine {
        let source: String
        switch basis {
        case .b2bLatePayment: source = s.period.base.map { "BCE \($0.french) % + 10 points (L441-10)" } ?? "taux L441-10"
        case .contractual: source = "taux contractuel (au moins 3 × le taux légal, \((s.period.rate * 3).french) %)"
        case let .legal(priv): source = priv ? "taux légal, créancier particulier" : "taux légal, autres cas"
        }
        return InterestLine(from: s.from, to: s.to, days: s.days, rate: s.rate, principal: principal,
                            amount: Money(minorUnits: cents(s.numerator), currency: principal.currency),
                            source: source + (s.assumed ? " — taux du dernier semestre publié, supposé" : ""), assumed: s.assumed)
    }

    /// An exact numerator in cents, rounded half away from zero: the one rounding of a total.
    public static func cents(_ numerator: Int128) -> Int64 { Int64(divideRoundingHalfAwayFromZero(numerator, denominator)) }

    /// A claim's interest through `day` on its whole principal (no payment taken into account; the
    /// `Ledger` does that). nil: none runs.
    public static func forClaim(_ claim: Claim, debtorKind: Debtor.Kind, formalDemandOn: Day?, through day: Day, rates: InterestRates,
                                assumeLastKnownRate: Bool = true) -> Result<InterestBreakdown, InterestProblem>? {
        guard let run = InterestRun.of(claim, debtorKind: debtorKind, formalDemandOn: formalDemandOn) else { return nil }
        return compute(principal: claim.principal, from: run.from, through: day, basis: run.basis, rates: rates, assumeLastKnownRate: assumeLastKnownRate)
    }

    /// The fixed indemnity for collection costs a trader owes per invoice paid late (D441-5): 40 €.
    /// Never asked of a consumer (L111-8: collection costs stay with the creditor).
    public static func fixedIndemnity(debtorKind: Debtor.Kind, currency: Currency = .eur) -> Money {
        debtorKind == .company ? Money(minorUnits: 4_000, currency: currency) : .zero(currency)
    }
}

/// On what basis and from which day a claim's interest runs.
public struct InterestRun: Hashable, Sendable {
    public let basis: InterestBasis
    /// The first day that bears interest.
    public let from: Day
    /// The last day that bears interest, when it stops (a payment plan kept, whose mandate stops
    /// interest while it runs); nil: it runs until paid.
    public var until: Day?

    public init(basis: InterestBasis, from: Day, until: Day? = nil) {
        self.basis = basis
        self.from = from
        self.until = until
    }

    /// A trader owes L441-10 interest (or the contract's rate) from the day after the due date, with
    /// no reminder needed; a consumer owes legal-rate interest from the day after the formal demand
    /// (Code civil 1231-6), nothing before one. nil: none runs (a withdrawn claim, a consumer not
    /// yet formally asked).
    public static func of(_ claim: Claim, debtorKind: Debtor.Kind, formalDemandOn: Day?) -> InterestRun? {
        guard claim.withdrawnOn == nil else { return nil }
        switch debtorKind {
        case .company:
            return InterestRun(basis: claim.interestTerms.contractualRate.map { .contractual($0) } ?? .b2bLatePayment, from: claim.dueOn.adding(days: 1))
        case .consumer:
            guard let demand = formalDemandOn else { return nil }
            return InterestRun(basis: .legal(creditorIsPrivateIndividual: false), from: max(demand, claim.dueOn).adding(days: 1))
        }
    }
}

extension Rate {
    /// "12,15": the French way, in the explanations the case page and letters show.
    public var french: String { written(point: ",") }
}
