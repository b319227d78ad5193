/// The company that hands its unpaid invoices to the agency (créancier, mandant).
public struct Creditor: Hashable, Sendable, Codable, Identifiable {
    public var id: Int64
    /// Short code used on the command line and in files, e.g. "ACME".
    public var code: String
    public var name: String
    public var siren: SIREN?
    public var address: PostalAddress
    /// Where remittances go (R124-3: how funds are remitted).
    public var iban: IBAN?
    public var mandate: Mandate

    public init(id: Int64, code: String, name: String, siren: SIREN? = nil, address: PostalAddress, iban: IBAN? = nil, mandate: Mandate) {
        self.id = id
        self.code = code
        self.name = name
        self.siren = siren
        self.address = address
        self.iban = iban
        self.mandate = mandate
    }
}

/// The written agreement between the agency and the creditor, with what R124-3 (CPCE) requires it
/// to state: the claims covered, the guarantee, how the agency's fee is computed, and how and when
/// funds are remitted.
public struct Mandate: Hashable, Sendable, Codable {
    public var reference: String
    public var signedOn: Day
    /// Which claims the mandate covers ("all unpaid invoices of the creditor's B2B customers", …).
    public var claimsCovered: String
    /// The creditor's guarantee that it holds the claims (R124-3 2°).
    public var guarantee: String
    public var commission: Commission
    public var remittance: RemittanceTerms
    /// The longest payment plan the agency may agree without asking the creditor.
    public var maxPlanMonths: Int
    /// R124-5: the creditor may waive being told of each payment in the mandate.
    public var notifyEveryPayment: Bool
    /// The smallest first instalment of a plan the agency may agree alone, as a % of the balance.
    public var planMinFirstPercent: Int = 0
    /// Whether late interest keeps running while a plan is kept (by default it stops).
    public var interestRunsDuringPlan = false
    /// Days after an instalment's due date before it is missed and the plan broken.
    public var planGraceDays = 10
    /// Where a broken plan sends the case: `amicable` (the strategy resumes) or `decisionPending`.
    public var brokenPlanGoesTo: CaseStatus = .amicable

    /// What the mandate says of payment plans.
    public var planTerms: PlanTerms {
        PlanTerms(maxMonths: maxPlanMonths, minFirstPercent: planMinFirstPercent, interestRuns: interestRunsDuringPlan, graceDays: planGraceDays,
                  onBreak: brokenPlanGoesTo)
    }

    public init(reference: String, signedOn: Day, claimsCovered: String, guarantee: String,
                commission: Commission, remittance: RemittanceTerms, maxPlanMonths: Int = 12,
                notifyEveryPayment: Bool = true) {
        self.reference = reference
        self.signedOn = signedOn
        self.claimsCovered = claimsCovered
        self.guarantee = guarantee
        self.commission = commission
        self.remittance = remittance
        self.maxPlanMonths = maxPlanMonths
        self.notifyEveryPayment = notifyEveryPayment
    }

    /// What a mandate must state and this one leaves empty (R124-3), empty when complete.
    public var missingMentions: [String] {
        var missing: [String] = []
        if reference.trimmingSpaces().isEmpty { missing.append("reference") }
        if claimsCovered.trimmingSpaces().isEmpty { missing.append("claims covered (R124-3 1°)") }
        if guarantee.trimmingSpaces().isEmpty { missing.append("guarantee (R124-3 2°)") }
        return missing
    }
}

/// How the agency's pay is computed: a percentage of what is collected, possibly with a fixed fee
/// per case and a minimum. Charged to the creditor, never to a consumer debtor (L111-8).
public struct Commission: Hashable, Sendable, Codable {
    public var rateOfCollected: Rate
    public var fixedPerCase: Money?
    public var minimumPerPayment: Money?

    public init(rateOfCollected: Rate, fixedPerCase: Money? = nil, minimumPerPayment: Money? = nil) {
        self.rateOfCollected = rateOfCollected
        self.fixedPerCase = fixedPerCase
        self.minimumPerPayment = minimumPerPayment
    }

    /// The commission on `collected`, rounded once to the cent.
    public func amount(on collected: Money) -> Money {
        let n = Int128(collected.minorUnits) * Int128(rateOfCollected.microPercent)
        let v = Money(minorUnits: Int64(divideRoundingHalfAwayFromZero(n, 100 * Int128(Rate.scale))), currency: collected.currency)
        if let min = minimumPerPayment, min.currency == v.currency, v.minorUnits < min.minorUnits, collected.minorUnits > 0 {
            return Money(minorUnits: Swift.min(min.minorUnits, collected.minorUnits), currency: v.currency)
        }
        return v
    }
}

/// How and when collected funds reach the creditor (R124-6: within one month of encashment
/// unless the mandate says otherwise).
public struct RemittanceTerms: Hashable, Sendable, Codable {
    public enum Method: String, Sendable, Codable, CaseIterable { case sepaTransfer, cheque }
    public var method: Method
    /// Days after encashment by which funds are remitted.
    public var withinDays: Int

    public init(method: Method = .sepaTransfer, withinDays: Int = 30) {
        self.method = method
        self.withinDays = withinDays
    }

    public static let statutoryMaximumDays = 30
}
