/// What the investigation phase establishes about a case: why the debtor did not pay and whether
/// they can pay, with the sources of that judgement.
public struct Investigation: Hashable, Sendable, Codable {
    public var reason: NonPaymentReason?
    public var reasonNotes: String
    public var solvency: Solvency?
    public var solvencyNotes: String
    public var sources: [String]

    public init(reason: NonPaymentReason? = nil, reasonNotes: String = "", solvency: Solvency? = nil,
                solvencyNotes: String = "", sources: [String] = []) {
        self.reason = reason
        self.reasonNotes = reasonNotes
        self.solvency = solvency
        self.solvencyNotes = solvencyNotes
        self.sources = sources
    }
}

/// Why an invoice was not paid, as agents code it (free text goes in the notes).
public enum NonPaymentReason: String, Sendable, Codable, CaseIterable {
    case cashFlowDifficulty = "cash_flow_difficulty"
    case disputeOverGoodsOrService = "dispute_goods_service"
    case invoiceNotReceived = "invoice_not_received"
    case oversight
    case badFaith = "bad_faith"
    case insolvency
    case collectiveProceedings = "collective_proceedings"
    case unreachable
    case deceased
    case other
}

/// The agency's judgement of the debtor's ability to pay, from best to worst.
public enum Solvency: String, Sendable, Codable, CaseIterable, Comparable {
    case solvent, fragile, insolvent, unknown

    public static func < (a: Solvency, b: Solvency) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One of the debtor's cases at the agency, as the history across creditors shows it.
public struct HistoryEntry: Hashable, Sendable, Codable {
    public var caseID: Int64
    public var creditorName: String
    public var status: CaseStatus
    public var claimed: Money
    public var paid: Money
    public var openedOn: Day

    public init(caseID: Int64, creditorName: String, status: CaseStatus, claimed: Money, paid: Money, openedOn: Day) {
        self.caseID = caseID
        self.creditorName = creditorName
        self.status = status
        self.claimed = claimed
        self.paid = paid
        self.openedOn = openedOn
    }
}

/// What the agency already knows of a debtor from all its creditors' cases.
public struct DebtorHistory: Hashable, Sendable {
    public let entries: [HistoryEntry]
    public let creditorCount: Int
    public let openCases: Int
    public let casesEndedUnpaid: Int
    public let casesPaid: Int

    /// Summarises `entries` (all the debtor's cases, any creditor) for the case at hand.
    public init(entries: [HistoryEntry]) {
        self.entries = entries.sorted { ($0.openedOn, $0.caseID) > ($1.openedOn, $1.caseID) }
        creditorCount = Set(entries.map(\.creditorName)).count
        openCases = entries.filter { $0.status.phase != .ended && $0.status != .paid && $0.status != .irrecoverable }.count
        casesEndedUnpaid = entries.filter { $0.status == .irrecoverable || $0.status == .litigation }.count
        casesPaid = entries.filter { $0.status == .paid }.count
    }

    /// Whether the debtor is known for unpaid debts elsewhere: a signal for the investigation.
    public var isRepeatDefaulter: Bool { entries.count > 1 && (casesEndedUnpaid > 0 || openCases > 1) }
}
