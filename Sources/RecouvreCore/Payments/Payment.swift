/// How a debtor paid.
public enum PaymentMethod: String, Sendable, Codable, CaseIterable {
    case transfer, card, cheque, cash
    case directDebit = "direct_debit"

    public var french: String {
        switch self {
        case .transfer: "virement"
        case .card: "carte bancaire"
        case .cheque: "chèque"
        case .cash: "espèces"
        case .directDebit: "prélèvement"
        }
    }
}

/// Who received the money: the agency's client-funds account (R124-2), or the creditor directly,
/// who reports it.
public enum PaymentReceiver: String, Sendable, Codable, CaseIterable {
    case agency, creditor

    public var french: String { self == .agency ? "reçu par le cabinet" : "reçu directement par le créancier" }
}

/// A payment to record on a case, as typed or read from a bank statement.
public struct NewPayment: Sendable, Hashable {
    public var receivedOn: Day
    public var cents: Int64
    public var method: PaymentMethod
    public var receivedBy: PaymentReceiver
    /// Who paid, as the bank or the agent says it.
    public var payer: String
    /// The remittance information, a cheque's number: what the payer wrote.
    public var reference: String
    /// The claims the debtor said the payment is for, in their order (Code civil 1342-10).
    public var debtorChoice: [Int64]
    /// A bank statement entry's reference: the same entry is never booked twice.
    public var bankEntryReference: String?

    public init(receivedOn: Day, cents: Int64, method: PaymentMethod, receivedBy: PaymentReceiver = .agency, payer: String = "",
                reference: String = "", debtorChoice: [Int64] = [], bankEntryReference: String? = nil) {
        self.receivedOn = receivedOn
        self.cents = cents
        self.method = method
        self.receivedBy = receivedBy
        self.payer = payer
        self.reference = reference
        self.debtorChoice = debtorChoice
        self.bankEntryReference = bankEntryReference
    }

    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case notPositive
        case inTheFuture(Day)
        case unknownClaim
        public var description: String {
            switch self {
            case .notPositive: "a payment is a positive amount"
            case let .inTheFuture(d): "a payment cannot be received after today (\(d.iso))"
            case .unknownClaim: "the debtor's choice names a claim that is not one of the case's claims still owed"
            }
        }
    }

    /// What is wrong with the payment on `today`, nil if nothing.
    public func problem(today: Day) -> Problem? {
        if cents <= 0 { return .notPositive }
        if receivedOn > today { return .inTheFuture(today) }
        return nil
    }
}

/// A receipt's number (R124-6: a receipt for every payment): the year it was issued and its rank in
/// that year, without gaps — `Q-2026-000042`.
public struct ReceiptNumber: Hashable, Sendable, CustomStringConvertible {
    public let year: Int
    public let rank: Int64
    public init(year: Int, rank: Int64) {
        self.year = year
        self.rank = rank
    }

    public var description: String {
        let n = String(rank)
        return "Q-\(year)-" + String(repeating: "0", count: max(0, 6 - n.count)) + n
    }
}
