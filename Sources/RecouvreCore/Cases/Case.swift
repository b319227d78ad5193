/// One debtor × one creditor (dossier): the claims, the lifecycle, the agent, the balance.
public struct Case: Hashable, Sendable, Identifiable {
    public var id: Int64
    public var creditorID: Int64
    public var debtorID: Int64
    public var lifecycle: CaseLifecycle
    public var agentID: Int64?
    public var claims: [Claim]
    /// What has been paid against the claims so far (payments come in a later issue).
    public var paid: Money
    public var openedOn: Day

    public init(id: Int64, creditorID: Int64, debtorID: Int64, lifecycle: CaseLifecycle = CaseLifecycle(),
                agentID: Int64? = nil, claims: [Claim], paid: Money, openedOn: Day) {
        self.id = id
        self.creditorID = creditorID
        self.debtorID = debtorID
        self.lifecycle = lifecycle
        self.agentID = agentID
        self.claims = claims
        self.paid = paid
        self.openedOn = openedOn
    }

    public var reference: CaseReference { CaseReference(caseID: id) }
    public var phase: CasePhase { lifecycle.status.phase }
    public var currency: Currency { paid.currency }

    /// Total principal claimed (incl. VAT).
    public func claimed() throws(MoneyError) -> Money { try Money.sum(claims.map(\.principal), currency: currency) }

    /// Principal still owed: claimed less paid.
    public func balance() throws(MoneyError) -> Money { try claimed().subtracting(paid) }
}
