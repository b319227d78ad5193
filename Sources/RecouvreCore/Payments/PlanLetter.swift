/// What the letter sending a payment plan to the debtor says: the balance, the schedule, how to
/// pay, and what happens if an instalment is missed.
public struct PlanLetterContext: Sendable, Hashable {
    public var planID: Int64
    public var issuedOn: Day
    public var caseReference: CaseReference
    public var language: Language
    public var debtorName: String
    public var debtorAddress: PostalAddress
    public var creditorName: String
    public var balanceCents: Int64
    public var instalments: [Instalment]
    public var terms: PlanTerms

    public init(planID: Int64, issuedOn: Day, caseReference: CaseReference, language: Language, debtorName: String, debtorAddress: PostalAddress,
                creditorName: String, balanceCents: Int64, instalments: [Instalment], terms: PlanTerms) {
        self.planID = planID
        self.issuedOn = issuedOn
        self.caseReference = caseReference
        self.language = language
        self.debtorName = debtorName
        self.debtorAddress = debtorAddress
        self.creditorName = creditorName
        self.balanceCents = balanceCents
        self.instalments = instalments
        self.terms = terms
    }

    /// The letter's reference: the case's, then the plan's number.
    public var reference: String { "\(caseReference)/E\(planID)" }
}

/// Writes the schedule of a plan as a letter the documents module renders like any other (pure).
public enum PlanLetterComposer {
    public static func compose(_ c: PlanLetterContext, agency: AgencyIdentity) -> ComposedLetter {
        let fr = c.language == .fr
        func money(_ cents: Int64) -> String { Money.eur(cents: cents).formatted(locale: c.language) }
        func day(_ d: Day) -> String { fr ? d.french : d.iso }
        var blocks: [LetterBlock] = [
            .paragraph(fr
                ? "Comme convenu, le solde de votre dossier \(c.caseReference), soit \(money(c.balanceCents)), dû à \(c.creditorName), est réglé selon l'échéancier ci-dessous."
                : "As agreed, the balance of your case \(c.caseReference), \(money(c.balanceCents)) owed to \(c.creditorName), is paid according to the schedule below."),
            // Two columns: the letter's table gives the first the room, which a date needs.
            .table(LetterTable(header: fr ? ["Échéance", "Montant"] : ["Instalment", "Amount"],
                               rows: c.instalments.map { ["\(fr ? "n°" : "no.") \($0.number) — \(day($0.dueOn))", money($0.cents)] },
                               totals: [[fr ? "Total" : "Total", money(c.instalments.reduce(0) { $0 + $1.cents })]])),
            .paragraph(fr
                ? "Chaque échéance se règle par virement au compte de fonds de tiers de \(agency.name), IBAN \(agency.clientFundsIBAN.printed), en indiquant la référence \(c.caseReference), ou par chèque à l'ordre de \(agency.name)."
                : "Each instalment is paid by transfer to \(agency.name)'s client-funds account, IBAN \(agency.clientFundsIBAN.printed), quoting the reference \(c.caseReference), or by cheque to \(agency.name)."),
            .paragraph(c.terms.interestRuns
                ? (fr ? "Les intérêts de retard continuent de courir pendant l'échéancier ; leur montant vous sera indiqué avec la dernière échéance."
                      : "Late-payment interest keeps running during the plan; its amount will be stated with the last instalment.")
                : (fr ? "Tant que l'échéancier est respecté, les intérêts de retard cessent de courir."
                      : "While the plan is kept, late-payment interest stops running.")),
            .paragraph(fr
                ? "Si une échéance reste impayée \(c.terms.graceDays) jours après sa date, l'échéancier est rompu : le solde restant redevient exigible en totalité"
                    + (c.terms.interestRuns ? "." : ", avec les intérêts de retard comme s'ils n'avaient jamais cessé de courir.")
                : "If an instalment is still unpaid \(c.terms.graceDays) days after its date, the plan is broken: the remaining balance is due in full at once"
                    + (c.terms.interestRuns ? "." : ", with late-payment interest as if it had never stopped.")),
        ]
        if c.instalments.isEmpty { blocks.remove(at: 1) }
        return ReceiptComposer.toDebtor(agency: agency, language: c.language, templateCode: "payment_plan", reference: c.reference, date: c.issuedOn,
                                        caseReference: c.caseReference, debtorName: c.debtorName, debtorAddress: c.debtorAddress,
                                        subject: fr ? "Votre échéancier de paiement — dossier \(c.caseReference)" : "Your payment plan — case \(c.caseReference)",
                                        blocks: blocks, amountDue: Money.eur(cents: c.instalments.first?.cents ?? 0))
    }
}
