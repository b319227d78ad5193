/// The four phases of a case (DOMAIN.md, "The agency's process") and the states around them.
public enum CasePhase: String, Sendable, Codable, CaseIterable {
    case intake, investigation, amicable, decision, suspended, ended
}

/// Where a case stands. `decisionPending` is the decision phase before its outcome is chosen;
/// the five outcomes are states of the decision phase.
public enum CaseStatus: String, Sendable, Codable, CaseIterable, Comparable {
    case intake
    case investigation
    case amicable
    case decisionPending = "decision_pending"
    case paid
    case partiallyPaid = "partially_paid"
    case paymentPlan = "payment_plan"
    case litigation
    case irrecoverable
    case suspended
    case closed
    case returnedToCreditor = "returned_to_creditor"

    public var phase: CasePhase {
        switch self {
        case .intake: .intake
        case .investigation: .investigation
        case .amicable: .amicable
        case .decisionPending, .paid, .partiallyPaid, .paymentPlan, .litigation, .irrecoverable: .decision
        case .suspended: .suspended
        case .closed, .returnedToCreditor: .ended
        }
    }

    /// Closed and returned cases accept no transition: a new claim opens a new case.
    public var isTerminal: Bool { self == .closed || self == .returnedToCreditor }

    /// Collection work may go on (reminders, calls, plans): not suspended, not ended, not settled.
    public var isOpen: Bool { !isTerminal }

    public static func < (a: CaseStatus, b: CaseStatus) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The decision outcomes of the lifecycle.
    public static let decisionOutcomes: [CaseStatus] = [.paid, .partiallyPaid, .paymentPlan, .litigation, .irrecoverable]
}

/// Why collection is stopped for a while.
public enum SuspensionReason: String, Sendable, Codable, CaseIterable {
    /// The debtor contests the claim: collection on it stops until the creditor answers.
    case dispute
    /// Sauvegarde, redressement or liquidation opened (BODACC): payment actions are forbidden.
    case collectiveProceedings = "collective_proceedings"
    /// The creditor asked the agency to hold.
    case creditorRequest = "creditor_request"
}
