/// The payload of the EPC QR code ("GiroCode", EPC069-12 version 2.1): a banking app scans it and
/// prefills a SEPA credit transfer to the agency's client-funds account with the amount and the
/// case reference, so the payment comes back matched to its case.
public struct EPCPaymentCode: Hashable, Sendable {
    public let beneficiary: String
    public let iban: IBAN
    public let bic: BIC?
    public let amount: Money
    /// Unstructured remittance information (at most 140 characters): the case reference.
    public let remittance: String

    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case notEuro, amountOutOfRange, beneficiaryEmpty, remittanceTooLong
        public var description: String {
            switch self {
            case .notEuro: "the EPC code carries euros only"
            case .amountOutOfRange: "the EPC code's amount must be between 0.01 and 999,999,999.99 €"
            case .beneficiaryEmpty: "the beneficiary's name is empty"
            case .remittanceTooLong: "the remittance text is longer than 140 characters"
            }
        }
    }

    public init(beneficiary: String, iban: IBAN, bic: BIC?, amount: Money, remittance: String) throws(Problem) {
        guard amount.currency == .eur else { throw .notEuro }
        guard amount.minorUnits >= 1, amount.minorUnits <= 99_999_999_999 else { throw .amountOutOfRange }
        let name = Self.clean(beneficiary, max: 70)
        guard !name.isEmpty else { throw .beneficiaryEmpty }
        guard remittance.count <= 140 else { throw .remittanceTooLong }
        self.beneficiary = name
        self.iban = iban
        self.bic = bic
        self.amount = amount
        self.remittance = remittance
    }

    /// The text encoded in the QR code: service tag, version 002, UTF-8 (1), SCT, BIC (optional in
    /// version 002), name (≤ 70), IBAN, amount as "EUR" + decimal, purpose (empty), structured
    /// reference (empty: the unstructured text is used instead), unstructured text. Lines end with
    /// LF and the last has none; the whole is at most 331 bytes.
    public var payload: String {
        ["BCD", "002", "1", "SCT", bic?.value ?? "", beneficiary, iban.value, "EUR" + amount.decimalString, "", "", remittance]
            .joined(separator: "\n")
    }

    /// Line breaks would shift the payload's fields; the standard allows at most `max` characters.
    static func clean(_ text: String, max: Int) -> String {
        String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 }.prefix(max)).trimmingSpaces()
    }
}
