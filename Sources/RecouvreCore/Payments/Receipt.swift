/// What a receipt (quittance, R124-6) says: who paid what, when and how, for which creditor and
/// case, how it was put on the claims and what is still owed.
public struct ReceiptContext: Sendable, Hashable {
    public var number: String
    public var issuedOn: Day
    public var caseReference: CaseReference
    public var language: Language
    public var debtorName: String
    public var debtorAddress: PostalAddress
    public var creditorName: String
    public var receivedOn: Day
    public var amount: Money
    public var method: PaymentMethod
    public var receivedBy: PaymentReceiver
    public var payerReference: String
    /// Invoice, part, amount: as the ledger allocated the payment.
    public var allocation: [(invoice: String, part: AllocationLine.Part, cents: Int64)]
    public var unallocatedCents: Int64
    public var owedAfterCents: Int64

    public init(number: String, issuedOn: Day, caseReference: CaseReference, language: Language, debtorName: String, debtorAddress: PostalAddress,
                creditorName: String, receivedOn: Day, amount: Money, method: PaymentMethod, receivedBy: PaymentReceiver, payerReference: String,
                allocation: [(invoice: String, part: AllocationLine.Part, cents: Int64)], unallocatedCents: Int64, owedAfterCents: Int64) {
        self.number = number
        self.issuedOn = issuedOn
        self.caseReference = caseReference
        self.language = language
        self.debtorName = debtorName
        self.debtorAddress = debtorAddress
        self.creditorName = creditorName
        self.receivedOn = receivedOn
        self.amount = amount
        self.method = method
        self.receivedBy = receivedBy
        self.payerReference = payerReference
        self.allocation = allocation
        self.unallocatedCents = unallocatedCents
        self.owedAfterCents = owedAfterCents
    }

    public static func == (a: ReceiptContext, b: ReceiptContext) -> Bool { a.number == b.number && a.issuedOn == b.issuedOn }
    public func hash(into h: inout Hasher) { h.combine(number) }
}

/// Writes a receipt as a letter the documents module renders like any other (pure).
public enum ReceiptComposer {
    public static func compose(_ r: ReceiptContext, agency: AgencyIdentity) -> ComposedLetter {
        let fr = r.language == .fr
        func money(_ cents: Int64) -> String { Money(minorUnits: cents, currency: r.amount.currency).formatted(locale: r.language) }
        func day(_ d: Day) -> String { fr ? d.french : d.iso }
        func part(_ p: AllocationLine.Part) -> String {
            switch (p, fr) {
            case (.interest, true): "Intérêts de retard"
            case (.interest, false): "Late-payment interest"
            case (.accessories, true): "Indemnité forfaitaire (D441-5)"
            case (.accessories, false): "Fixed indemnity (D441-5)"
            case (.principal, true): "Principal"
            case (.principal, false): "Principal"
            }
        }
        let receivedBy = fr ? r.receivedBy.french : (r.receivedBy == .agency ? "received by the agency" : "received directly by the creditor")
        let how = fr ? r.method.french : String(r.method.rawValue.map { $0 == "_" ? " " : $0 })
        var blocks: [LetterBlock] = [
            .paragraph(fr
                ? "\(agency.name) reconnaît avoir reçu de \(r.debtorName) la somme de \(money(r.amount.minorUnits)) le \(day(r.receivedOn)), par \(how) (\(receivedBy)), pour le compte de \(r.creditorName), au titre du dossier \(r.caseReference)."
                : "\(agency.name) acknowledges receipt from \(r.debtorName) of \(money(r.amount.minorUnits)) on \(day(r.receivedOn)), by \(how) (\(receivedBy)), on behalf of \(r.creditorName), for case \(r.caseReference)."),
        ]
        if !r.payerReference.isEmpty { blocks.append(.paragraph((fr ? "Référence du paiement : " : "Payment reference: ") + r.payerReference)) }
        blocks.append(.table(LetterTable(
            header: fr ? ["Facture", "Imputation", "Montant"] : ["Invoice", "Applied to", "Amount"],
            rows: r.allocation.map { [$0.invoice, part($0.part), money($0.cents)] },
            totals: [[fr ? "Total reçu" : "Total received", money(r.amount.minorUnits)]]
                + (r.unallocatedCents > 0 ? [[fr ? "Trop-perçu, qui vous sera remboursé" : "Overpaid, to be refunded to you", money(r.unallocatedCents)]] : [])
                + [[fr ? "Reste dû après ce paiement" : "Still owed after this payment", money(r.owedAfterCents)]])))
        blocks.append(.paragraph(fr
            ? "Le paiement est imputé d'abord sur les intérêts et accessoires, puis sur le principal (article 1343-1 du code civil), sur les factures que vous avez désignées, à défaut sur les plus anciennes échues (article 1342-10)."
            : "The payment is applied to interest and accessories first, then to principal (Code civil, article 1343-1), to the invoices you named, otherwise to the oldest due (article 1342-10)."))
        blocks.append(.paragraph(fr
            ? "Quittance délivrée en application de l'article R124-6 du code des procédures civiles d'exécution."
            : "Receipt issued under article R124-6 of the code des procédures civiles d'exécution."))
        return toDebtor(agency: agency, language: r.language, templateCode: "receipt", reference: r.number, date: r.issuedOn, caseReference: r.caseReference,
                        debtorName: r.debtorName, debtorAddress: r.debtorAddress, subject: (fr ? "Quittance n° " : "Receipt no. ") + r.number, blocks: blocks,
                        amountDue: Money(minorUnits: r.owedAfterCents, currency: r.amount.currency))
    }

    /// A document the agency sends a debtor outside the strategy's letters (a receipt, a plan's
    /// schedule): the agency's letterhead and footer, the debtor's window address, the day.
    static func toDebtor(agency: AgencyIdentity, language: Language, templateCode: String, reference: String, date: Day, caseReference: CaseReference,
                         debtorName: String, debtorAddress: PostalAddress, subject: String, blocks: [LetterBlock], amountDue: Money) -> ComposedLetter {
        let fr = language == .fr
        return ComposedLetter(
            channel: .letter, language: language, templateCode: templateCode, reference: reference, date: date, caseReference: caseReference.description,
            sender: [agency.name] + agency.address.lines + [agency.phone, agency.email].filter { !$0.isEmpty },
            recipient: [debtorName] + debtorAddress.lines,
            placeAndDate: (agency.address.city.isEmpty ? "" : agency.address.city + ", ") + (fr ? "le " : "") + LetterComposer.longDate(date, language),
            subject: subject, blocks: blocks,
            footer: [agency.name, agency.siren.map { "SIREN \($0.value)" }, fr ? "Dossier \(caseReference)" : "Case \(caseReference)"]
                .compactMap { $0 }.joined(separator: " · "),
            amountDue: amountDue)
    }
}
