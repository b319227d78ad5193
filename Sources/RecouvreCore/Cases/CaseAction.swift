/// Something the agency did on a case, with what came of it and the report for those involved
/// (the creditor reads it on its case page).
public struct CaseAction: Hashable, Sendable, Codable {
    public enum Channel: String, CaseIterable, Sendable, Codable {
        case call, letter, registeredLetter = "registered_letter", email, sms, visit, note
    }

    public enum Outcome: String, CaseIterable, Sendable, Codable {
        /// The debtor was reached and spoke.
        case reached
        case noAnswer = "no_answer"
        case leftMessage = "left_message"
        /// The number or address does not belong to the debtor.
        case wrongNumber = "wrong_number"
        /// The debtor promised to pay (amount and date in the report until promises have their own form).
        case promise
        case refusal
        /// The debtor contests the claim.
        case dispute
        /// A letter, email or text went out.
        case sent
        /// It came back undelivered.
        case returned
        /// An internal note has no outcome.
        case none
    }

    public let channel: Channel
    public let outcome: Outcome
    public let report: String

    public static let maximumReportLength = 4000

    /// The history's line for this action, in French like the rest of the case history (it is
    /// what the creditor reads): "Appel · joint — report".
    public var historyText: String { "\(channel.french) · \(outcome.french) — \(report)" }

    /// The outcomes that make sense for a channel: a call is answered or not, a letter is sent or
    /// comes back, a note has none.
    public static func outcomes(for channel: Channel) -> [Outcome] {
        switch channel {
        case .call: [.reached, .noAnswer, .leftMessage, .wrongNumber, .promise, .refusal, .dispute]
        case .visit: [.reached, .noAnswer, .promise, .refusal, .dispute]
        case .letter, .registeredLetter, .email, .sms: [.sent, .returned]
        case .note: [.none]
        }
    }

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case outcomeDoesNotFit(Channel, Outcome)
        case emptyReport
        case reportTooLong(Int)

        public var description: String {
            switch self {
            case let .outcomeDoesNotFit(c, o): "the outcome \(o.rawValue) does not apply to \(c.rawValue)"
            case .emptyReport: "the report is empty: say what happened, for the creditor and the next agent"
            case let .reportTooLong(n): "the report is \(n) characters long; at most \(CaseAction.maximumReportLength)"
            }
        }
    }

    public init(channel: Channel, outcome: Outcome, report: String) throws {
        let text = report.trimmingSpaces()
        guard Self.outcomes(for: channel).contains(outcome) else { throw Problem.outcomeDoesNotFit(channel, outcome) }
        guard !text.isEmpty else { throw Problem.emptyReport }
        guard text.count <= Self.maximumReportLength else { throw Problem.reportTooLong(text.count) }
        self.channel = channel
        self.outcome = outcome
        self.report = text
    }
}

extension CaseAction.Channel {
    public var french: String {
        switch self {
        case .call: "Appel"
        case .letter: "Courrier"
        case .registeredLetter: "Lettre recommandée"
        case .email: "Courriel"
        case .sms: "SMS"
        case .visit: "Visite"
        case .note: "Note"
        }
    }
}

extension CaseAction.Outcome {
    public var french: String {
        switch self {
        case .reached: "joint"
        case .noAnswer: "pas de réponse"
        case .leftMessage: "message laissé"
        case .wrongNumber: "mauvais numéro"
        case .promise: "promesse de paiement"
        case .refusal: "refus"
        case .dispute: "contestation"
        case .sent: "envoyé"
        case .returned: "revenu"
        case .none: "—"
        }
    }
}
