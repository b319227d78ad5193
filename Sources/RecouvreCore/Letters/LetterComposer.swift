/// One claim as a letter states it: R124-4 wants principal, interest and other items apart.
public struct LetterClaim: Hashable, Sendable, Codable {
    public var invoiceReference: String
    public var issuedOn: Day
    public var dueOn: Day
    public var principal: Money
    public var interest: Money
    /// Accessories other than interest (the €40 B2B indemnity, D441-5). Never a collection fee
    /// (L111-8), and nothing at all against a consumer.
    public var otherItems: Money

    public init(invoiceReference: String, issuedOn: Day, dueOn: Day, principal: Money, interest: Money, otherItems: Money) {
        self.invoiceReference = invoiceReference
        self.issuedOn = issuedOn
        self.dueOn = dueOn
        self.principal = principal
        self.interest = interest
        self.otherItems = otherItems
    }

    public var total: Money { Money(minorUnits: principal.minorUnits + interest.minorUnits + otherItems.minorUnits, currency: principal.currency) }
}

/// Everything a letter says about its case, gathered by the store.
public struct LetterContext: Sendable {
    public var caseReference: CaseReference
    public var debtorName: String
    public var debtorKind: Debtor.Kind
    public var debtorAddress: PostalAddress
    public var creditorName: String
    public var creditorAddress: PostalAddress
    public var claims: [LetterClaim]
    public var paid: Money
    public var letterReference: String
    public var letterDate: Day
    /// The case's first letter, once one was sent: every later contact repeats it (R124-4).
    public var firstLetter: (reference: String, date: Day)?
    public var language: Language

    public init(caseReference: CaseReference, debtorName: String, debtorKind: Debtor.Kind, debtorAddress: PostalAddress, creditorName: String,
                creditorAddress: PostalAddress, claims: [LetterClaim], paid: Money, letterReference: String, letterDate: Day,
                firstLetter: (reference: String, date: Day)?, language: Language) {
        self.caseReference = caseReference
        self.debtorName = debtorName
        self.debtorKind = debtorKind
        self.debtorAddress = debtorAddress
        self.creditorName = creditorName
        self.creditorAddress = creditorAddress
        self.claims = claims
        self.paid = paid
        self.letterReference = letterReference
        self.letterDate = letterDate
        self.firstLetter = firstLetter
        self.language = language
    }

    public var use: LetterTemplate.Use { firstLetter == nil ? .first : .later }
    var currency: Currency { claims.first?.principal.currency ?? .eur }
    func sum(_ part: (LetterClaim) -> Money) -> Money { Money(minorUnits: claims.reduce(0) { $0 + part($1).minorUnits }, currency: currency) }
    public var amountDue: Money { Money(minorUnits: sum(\.total).minorUnits - paid.minorUnits, currency: currency) }
}

/// A letter ready to be laid out: every word decided, nothing left to look up. The renderer only
/// places it on pages.
public struct ComposedLetter: Hashable, Sendable, Codable {
    public var channel: StepChannel
    public var language: Language
    public var templateCode: String
    public var reference: String
    public var date: Day
    public var caseReference: String
    /// The letterhead: the agency's name first, then its address and contacts.
    public var sender: [String]
    /// The address block seen through the envelope's window: name, then address lines.
    public var recipient: [String]
    /// "Paris, le 24 novembre 2026".
    public var placeAndDate: String
    public var subject: String
    public var blocks: [LetterBlock]
    /// Printed at the foot of every page with the page number.
    public var footer: String
    public var amountDue: Money
}

public enum LetterBlock: Hashable, Sendable, Codable {
    case paragraph(String)
    case table(LetterTable)
    /// Payment means: lines of text and the EPC QR code's payload.
    case payment(lines: [String], qrPayload: String)
    case legal(title: String, paragraphs: [String])
}

public struct LetterTable: Hashable, Sendable, Codable {
    public var header: [String]
    public var rows: [[String]]
    /// Totals under the table: a label and an amount.
    public var totals: [[String]]
}

/// Why a letter cannot be written as asked. Each names what is missing, so the agent can mend it.
public enum LetterProblem: Error, Hashable, Sendable, CustomStringConvertible {
    case noTemplate(channel: StepChannel, use: LetterTemplate.Use, language: Language)
    case missingMention(template: String, MandatoryMention)
    case missingValue(String)
    case consumerCharged(invoice: String)
    case nothingDue
    case smsTooLong(length: Int, limit: Int)
    case paymentCode(String)

    public var description: String {
        switch self {
        case let .noTemplate(c, u, l): "no \(l.rawValue) template for a \(u.rawValue) \(c.rawValue)"
        case let .missingMention(t, m): "template \(t) lacks a mandatory mention (R124-4): \(m.french)"
        case let .missingValue(what): "\(what) is missing"
        case let .consumerCharged(i): "invoice \(i): no accessory may be asked of a consumer (L111-8)"
        case .nothingDue: "nothing is due on this case"
        case let .smsTooLong(n, limit): "the text message has \(n) characters, the limit is \(limit)"
        case let .paymentCode(why): "payment code: \(why)"
        }
    }
}

/// Writes a case's letter from a template: a pure function of the settings and the case.
public enum LetterComposer {
    public static func compose(_ context: LetterContext, channel: StepChannel, templateCode: String? = nil,
                               settings: LetterSettings) -> Result<ComposedLetter, LetterProblem> {
        let lang = context.language
        guard let template = settings.template(code: templateCode, channel: channel, use: context.use, language: lang) else {
            return .failure(.noTemplate(channel: channel, use: context.use, language: lang))
        }
        // A later template has no R124-4 mentions: it may not stand in for the first letter.
        if context.use == .first, template.use != .first { return .failure(.missingMention(template: template.code, .amountsOwed)) }
        if let m = template.missingMentions.first { return .failure(.missingMention(template: template.code, m)) }
        let agency = settings.agency
        if agency.name.trimmingSpaces().isEmpty { return .failure(.missingValue("the agency's name")) }
        if agency.address.isEmpty { return .failure(.missingValue("the agency's address")) }
        if context.creditorName.trimmingSpaces().isEmpty { return .failure(.missingValue("the creditor's name")) }
        if context.creditorAddress.isEmpty, template.used.contains("creditor.address") { return .failure(.missingValue("the creditor's address")) }
        if channel.isLetter, context.debtorAddress.isEmpty { return .failure(.missingValue("the debtor's postal address")) }
        if context.debtorKind == .consumer, let c = context.claims.first(where: { !$0.otherItems.isZero }) {
            return .failure(.consumerCharged(invoice: c.invoiceReference))
        }
        guard context.amountDue.isPositive else { return .failure(.nothingDue) }

        let values = variables(context, settings: settings)
        func fill(_ text: String) -> String { substitute(text, values) }
        var blocks: [LetterBlock] = []
        for paragraph in paragraphs(template.body) {
            switch blockName(paragraph) {
            case "claims_table": blocks.append(.table(claimsTable(context)))
            case "payment_means":
                switch paymentBlock(context, settings: settings) {
                case let .success(b): blocks.append(b)
                case let .failure(p): return .failure(p)
                }
            case "legal.l111_8":
                blocks.append(.legal(title: lang == .fr ? "Article L111-8, alinéas 2 et 3, du code des procédures civiles d'exécution"
                                                    : "Article L111-8, paragraphs 2 and 3, of the code des procédures civiles d'exécution",
                                     paragraphs: LegalTexts.l111_8Paragraphs2And3 + (lang == .en ? LegalTexts.l111_8English : [])))
            default: blocks.append(.paragraph(fill(paragraph)))
            }
        }
        let letter = ComposedLetter(
            channel: channel, language: lang, templateCode: template.code, reference: context.letterReference, date: context.letterDate,
            caseReference: context.caseReference.description,
            sender: [agency.name] + agency.address.lines + [agency.phone, agency.email].filter { !$0.isEmpty },
            recipient: [context.debtorName] + context.debtorAddress.lines,
            placeAndDate: (agency.address.city.isEmpty ? "" : agency.address.city + ", ") + (lang == .fr ? "le " : "") + longDate(context.letterDate, lang),
            subject: fill(template.subject), blocks: blocks,
            footer: [agency.name, agency.siren.map { "SIREN \($0.value)" }, lang == .fr ? "Dossier \(context.caseReference)" : "Case \(context.caseReference)"]
                .compactMap { $0 }.joined(separator: " · "),
            amountDue: context.amountDue)
        if channel == .sms {
            let length = letter.plainText.count
            if length > settings.smsMaxLength { return .failure(.smsTooLong(length: length, limit: settings.smsMaxLength)) }
        }
        return .success(letter)
    }

    /// The values of the inline variables for this case.
    static func variables(_ c: LetterContext, settings: LetterSettings) -> [String: String] {
        let lang = c.language
        func money(_ m: Money) -> String { m.formatted(locale: lang) }
        let agency = settings.agency
        return [
            "agency.name": agency.name, "agency.address": agency.address.lines.joined(separator: ", "),
            "agency.phone": agency.phone, "agency.email": agency.email,
            "statement.amicable_collection": LegalTexts.amicableCollection(agency: agency.name, language: lang),
            "creditor.name": c.creditorName, "creditor.address": c.creditorAddress.lines.joined(separator: ", "),
            "debtor.name": c.debtorName, "debtor.address": c.debtorAddress.lines.joined(separator: ", "),
            "case.reference": c.caseReference.description,
            "letter.reference": c.letterReference, "letter.date": shortDate(c.letterDate, lang),
            "first_letter.reference": c.firstLetter?.reference ?? c.letterReference,
            "first_letter.date": shortDate(c.firstLetter?.date ?? c.letterDate, lang),
            "amount.principal": money(c.sum(\.principal)), "amount.interest": money(c.sum(\.interest)), "amount.other": money(c.sum(\.otherItems)),
            "amount.paid": money(c.paid), "amount.due": money(c.amountDue),
            "payment.deadline": shortDate(c.letterDate.adding(days: settings.paymentDeadlineDays), lang),
            "payment.iban": agency.clientFundsIBAN.printed, "payment.bic": agency.bic?.value ?? "",
            "payment.beneficiary": agency.name,
        ]
    }

    static func claimsTable(_ c: LetterContext) -> LetterTable {
        let fr = c.language == .fr
        func money(_ m: Money) -> String { m.formatted(locale: c.language) }
        return LetterTable(
            header: fr ? ["Facture", "Émise le", "Échue le", "Principal", "Intérêts", "Autres accessoires", "Total"]
                       : ["Invoice", "Issued", "Due", "Principal", "Interest", "Other items", "Total"],
            rows: c.claims.map { [$0.invoiceReference, shortDate($0.issuedOn, c.language), shortDate($0.dueOn, c.language),
                                  money($0.principal), money($0.interest), money($0.otherItems), money($0.total)] },
            totals: [[fr ? "Total des créances" : "Total claimed", money(c.sum(\.total))],
                     [fr ? "Déjà réglé" : "Already paid", money(c.paid)],
                     [fr ? "Reste dû" : "Balance due", money(c.amountDue)]])
    }

    static func paymentBlock(_ c: LetterContext, settings: LetterSettings) -> Result<LetterBlock, LetterProblem> {
        let agency = settings.agency
        let code: EPCPaymentCode
        do {
            code = try EPCPaymentCode(beneficiary: agency.name, iban: agency.clientFundsIBAN, bic: agency.bic, amount: c.amountDue,
                                      remittance: c.caseReference.description)
        } catch { return .failure(.paymentCode(error.description)) }
        let fr = c.language == .fr
        let deadline = shortDate(c.letterDate.adding(days: settings.paymentDeadlineDays), c.language)
        let lines = fr ? [
            "Montant à régler : \(c.amountDue.formatted(locale: .fr)), au plus tard le \(deadline).",
            "Par virement au compte de fonds de tiers de \(agency.name) :",
            "IBAN \(agency.clientFundsIBAN.printed)" + (agency.bic.map { " · BIC \($0.value)" } ?? ""),
            "en indiquant la référence \(c.caseReference) ; ou depuis l'application de votre banque avec le code ci-contre.",
            "Par chèque à l'ordre de \(agency.name), en inscrivant la référence au dos.",
        ] : [
            "Amount to pay: \(c.amountDue.formatted(locale: .en)), by \(deadline) at the latest.",
            "By transfer to \(agency.name)'s client-funds account:",
            "IBAN \(agency.clientFundsIBAN.printed)" + (agency.bic.map { " · BIC \($0.value)" } ?? ""),
            "quoting the reference \(c.caseReference); or from your banking app with the code beside.",
            "By cheque payable to \(agency.name), with the reference written on the back.",
        ]
        return .success(.payment(lines: lines, qrPayload: code.payload))
    }

    /// The block a paragraph stands for: nil unless it is only `{{block}}`.
    static func blockName(_ paragraph: String) -> String? {
        let t = paragraph.trimmingSpaces()
        guard t.hasPrefix("{{"), t.hasSuffix("}}"), LetterTemplate.placeholders(in: t).count == 1 else { return nil }
        let name = String(t.dropFirst(2).dropLast(2)).trimmingSpaces()
        return LetterTemplate.blockNames.contains(name) ? name : nil
    }

    /// Paragraphs are separated by blank lines; line breaks inside one are kept.
    static func paragraphs(_ body: String) -> [String] {
        var out: [String] = [], current: [Substring] = []
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingSpaces().isEmpty {
                if !current.isEmpty { out.append(current.joined(separator: "\n")); current = [] }
            } else {
                current.append(line.hasSuffix("\r") ? line.dropLast() : line)
            }
        }
        if !current.isEmpty { out.append(current.joined(separator: "\n")) }
        return out
    }

    static func substitute(_ text: String, _ values: [String: String]) -> String {
        var out = "", rest = Substring(text)
        while let open = rest.firstRange(of: "{{"), let close = rest[open.upperBound...].firstRange(of: "}}") {
            out += rest[..<open.lowerBound]
            let name = String(rest[open.upperBound..<close.lowerBound]).trimmingSpaces()
            out += values[name] ?? ""
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    static let frenchMonths = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
    static let englishMonths = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    public static func longDate(_ d: Day, _ lang: Language) -> String {
        lang == .fr ? "\(d.day == 1 ? "1er" : String(d.day)) \(frenchMonths[d.month - 1]) \(d.year)" : "\(d.day) \(englishMonths[d.month - 1]) \(d.year)"
    }

    static func shortDate(_ d: Day, _ lang: Language) -> String { lang == .fr ? d.french : d.iso }
}

extension ComposedLetter {
    /// The letter as plain text: an email's body, a text message, a search index.
    public var plainText: String {
        var parts: [String] = []
        if channel != .sms, !subject.isEmpty { parts.append(subject) }
        for b in blocks {
            switch b {
            case let .paragraph(t): parts.append(t)
            case let .table(t):
                parts.append((t.rows.map { $0.joined(separator: " | ") } + t.totals.map { $0.joined(separator: " : ") }).joined(separator: "\n"))
            case let .payment(lines, _): parts.append(lines.joined(separator: "\n"))
            case let .legal(title, ps): parts.append(([title] + ps).joined(separator: "\n"))
            }
        }
        return parts.joined(separator: "\n\n")
    }
}
