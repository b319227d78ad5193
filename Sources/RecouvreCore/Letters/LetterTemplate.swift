/// A letter, email or text message the agency writes, with `{{variables}}` for the case. A
/// paragraph (text between blank lines) that is only `{{claims_table}}`, `{{payment_means}}` or
/// `{{legal.l111_8}}` becomes that block.
public struct LetterTemplate: Codable, Hashable, Sendable {
    /// The case's first letter carries R124-4's mentions; every later contact repeats its
    /// reference and date.
    public enum Use: String, Codable, Sendable, CaseIterable { case first, later }

    public var code: String
    public var channel: StepChannel
    public var language: Language
    public var use: Use
    public var subject: String
    public var body: String

    public init(code: String, channel: StepChannel, language: Language, use: Use, subject: String, body: String) {
        self.code = code
        self.channel = channel
        self.language = language
        self.use = use
        self.subject = subject
        self.body = body
    }

    /// The variables a template may use, and what each says (shown to those who edit templates).
    public static let variables: [(name: String, meaning: String)] = [
        ("agency.name", "nom de l'agence"), ("agency.address", "adresse de l'agence"), ("agency.phone", "téléphone de l'agence"),
        ("agency.email", "courriel de l'agence"), ("statement.amicable_collection", "mention : activité de recouvrement amiable (R124-4)"),
        ("creditor.name", "nom du créancier"), ("creditor.address", "adresse du créancier"),
        ("debtor.name", "nom du débiteur"), ("debtor.address", "adresse du débiteur"), ("case.reference", "référence du dossier"),
        ("letter.reference", "référence de ce courrier"), ("letter.date", "date de ce courrier"),
        ("first_letter.reference", "référence du premier courrier (R124-4)"), ("first_letter.date", "date du premier courrier (R124-4)"),
        ("amount.principal", "principal"), ("amount.interest", "intérêts"), ("amount.other", "autres accessoires"),
        ("amount.paid", "déjà réglé"), ("amount.due", "reste dû"), ("payment.deadline", "date limite de paiement"),
        ("payment.iban", "IBAN du compte de fonds de tiers"), ("payment.bic", "BIC"), ("payment.beneficiary", "bénéficiaire du virement"),
    ]
    public static let blocks: [(name: String, meaning: String)] = [
        ("claims_table", "tableau des créances : principal, intérêts, autres accessoires, réglé, reste dû (R124-4)"),
        ("payment_means", "moyens de paiement : IBAN, référence et QR code EPC (R124-4)"),
        ("legal.l111_8", "texte des alinéas 2 et 3 de l'article L111-8 (R124-4)"),
    ]
    static let known: Set<String> = Set(variables.map(\.name) + blocks.map(\.name))
    static let blockNames: Set<String> = Set(blocks.map(\.name))

    /// Every `{{name}}` in `text`, in order (a `{{` without its `}}` gives the rest of the text).
    static func placeholders(in text: String) -> [String] {
        var out: [String] = []
        var rest = Substring(text)
        while let open = rest.firstRange(of: "{{") {
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else { out.append(String(rest[open.upperBound...])); break }
            out.append(String(rest[open.upperBound..<close.lowerBound]).trimmingSpaces())
            rest = rest[close.upperBound...]
        }
        return out
    }

    /// The placeholders this template uses, subject and body.
    public var used: Set<String> { Set(Self.placeholders(in: subject) + Self.placeholders(in: body)) }

    /// The R124-4 mentions this template cannot produce. A paper letter's letterhead prints the
    /// agency's name and address whatever the template says; an email's body must.
    public var missingMentions: [MandatoryMention] {
        let used = used
        let required: [MandatoryMention] = use == .first ? MandatoryMention.firstLetter : [.firstLetterReference]
        return required.filter { m in
            if m == .agencyIdentity, channel.isLetter { return false }
            return !m.placeholders.allSatisfy(used.contains)
        }
    }

    /// Everything wrong with this template (paths relative to it).
    public func problems() -> [SettingsProblem] {
        var out: [SettingsProblem] = []
        if code.isEmpty || !code.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }) {
            out.append(SettingsProblem(path: "code", message: "\"\(code)\" must be lower-case letters, digits, - or _"))
        }
        if !channel.goesToOutbox { out.append(SettingsProblem(path: "channel", message: "templates are for letters, registered letters, emails and SMS, not \(channel.rawValue)")) }
        if channel == .sms, use == .first { out.append(SettingsProblem(path: "use", message: "a text message cannot be the first letter: R124-4's mentions do not fit in it")) }
        if body.trimmingSpaces().isEmpty { out.append(SettingsProblem(path: "body", message: "is empty")) }
        for name in Self.placeholders(in: subject) + Self.placeholders(in: body) where !Self.known.contains(name) {
            out.append(SettingsProblem(path: "body", message: "unknown variable {{\(name)}}"))
        }
        for name in Self.placeholders(in: subject) where Self.blockNames.contains(name) {
            out.append(SettingsProblem(path: "subject", message: "{{\(name)}} is a block: it goes alone in a paragraph of the body"))
        }
        for paragraph in LetterComposer.paragraphs(body) where LetterComposer.blockName(paragraph) == nil {
            for name in Self.placeholders(in: paragraph) where Self.blockNames.contains(name) {
                out.append(SettingsProblem(path: "body", message: "{{\(name)}} is a block: it must be alone in its paragraph"))
            }
        }
        for m in missingMentions { out.append(SettingsProblem(path: "body", message: "missing mandatory mention: \(m.french) — needs \(m.placeholders.map { "{{\($0)}}" }.joined(separator: " and "))")) }
        return out
    }
}

/// What R124-4 (CPCE) requires a collection agency's letters to state. Leaving one out is an
/// offence (R124-7), so a template that cannot produce one is refused when saved and when rendered.
public enum MandatoryMention: String, Sendable, CaseIterable {
    case agencyIdentity = "agency_identity"
    case amicableCollection = "amicable_collection"
    case creditorIdentity = "creditor_identity"
    case amountsOwed = "amounts_owed"
    case paymentDemand = "payment_demand"
    case l111_8 = "l111_8"
    case firstLetterReference = "first_letter_reference"

    /// The first letter's mentions (R124-4, 1° to 5°).
    public static let firstLetter: [MandatoryMention] = [.agencyIdentity, .amicableCollection, .creditorIdentity, .amountsOwed, .paymentDemand, .l111_8]

    public var placeholders: [String] {
        switch self {
        case .agencyIdentity: ["agency.name", "agency.address"]
        case .amicableCollection: ["statement.amicable_collection"]
        case .creditorIdentity: ["creditor.name", "creditor.address"]
        case .amountsOwed: ["claims_table"]
        case .paymentDemand: ["amount.due", "payment_means"]
        case .l111_8: ["legal.l111_8"]
        case .firstLetterReference: ["first_letter.reference", "first_letter.date"]
        }
    }

    public var french: String {
        switch self {
        case .agencyIdentity: "nom et adresse de l'agence"
        case .amicableCollection: "indication d'une activité de recouvrement amiable"
        case .creditorIdentity: "nom et adresse du créancier"
        case .amountsOwed: "fondement et montant de la somme due (principal, intérêts, autres accessoires)"
        case .paymentDemand: "demande de payer et modalités de paiement"
        case .l111_8: "texte des alinéas 2 et 3 de l'article L111-8"
        case .firstLetterReference: "référence et date du premier courrier"
        }
    }
}
