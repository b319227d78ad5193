/// One unpaid receivable (créance): an invoice the creditor could not collect.
public struct Claim: Hashable, Sendable, Codable, Identifiable {
    public var id: Int64
    public var caseID: Int64
    /// The creditor's invoice reference; with the creditor, the claim's natural key.
    public var invoiceReference: String
    public var issuedOn: Day
    public var dueOn: Day
    /// Principal including VAT: late-payment interest runs on it (L441-10).
    public var principal: Money
    /// The VAT part of `principal`, recoverable if the claim becomes irrecoverable (CGI 272).
    public var vat: Money
    public var interestTerms: InterestTerms
    /// Contested by the debtor on that day: not collected until the creditor answers.
    public var disputedOn: Day?
    /// Withdrawn by the creditor after a dispute: no longer owed.
    public var withdrawnOn: Day?

    public init(id: Int64, caseID: Int64, invoiceReference: String, issuedOn: Day, dueOn: Day,
                principal: Money, vat: Money, interestTerms: InterestTerms = .statutory, disputedOn: Day? = nil, withdrawnOn: Day? = nil) {
        self.id = id
        self.caseID = caseID
        self.invoiceReference = invoiceReference
        self.issuedOn = issuedOn
        self.dueOn = dueOn
        self.principal = principal
        self.vat = vat
        self.interestTerms = interestTerms
        self.disputedOn = disputedOn
        self.withdrawnOn = withdrawnOn
    }

    /// Neither contested nor withdrawn: still asked of the debtor (paid, disputed, owed).
    public var isCollected: Bool { disputedOn == nil && withdrawnOn == nil }
}

/// What interest a claim carries: the statutory default (B2B rate or legal rate, chosen by the
/// parties' kinds) or a contractual annual rate.
public enum InterestTerms: Hashable, Sendable, Codable {
    case statutory
    case contractual(annualRate: Rate)

    public var contractualRate: Rate? {
        if case let .contractual(r) = self { return r }
        return nil
    }
}

/// The printed reference of a case, e.g. `RC-0001234`: stable, derived from its number.
public struct CaseReference: Hashable, Sendable, CustomStringConvertible {
    public let caseID: Int64
    public init(caseID: Int64) { self.caseID = caseID }

    public var description: String {
        let n = String(caseID)
        return "RC-" + String(repeating: "0", count: max(0, 7 - n.count)) + n
    }

    /// Reads `RC-0001234`, `rc1234` or `1234`.
    public init?(parsing text: String) {
        var t = Substring(text.trimmingSpaces().uppercased())
        if t.hasPrefix("RC") { t = t.dropFirst(2) }
        if t.hasPrefix("-") { t = t.dropFirst() }
        guard let id = Int64(t), id > 0 else { return nil }
        caseID = id
    }
}
