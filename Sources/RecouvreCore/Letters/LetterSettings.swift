/// Who the agency is, as its letters must say (R124-4) and as its payment code pays.
public struct AgencyIdentity: Codable, Hashable, Sendable {
    public var name: String
    public var address: PostalAddress
    public var siren: SIREN?
    public var phone: String
    public var email: String
    /// The account that holds only client funds (R124-2): debtors pay into it.
    public var clientFundsIBAN: IBAN
    public var bic: BIC?
    /// The agency's SEPA creditor identifier (ICS), which its direct debits carry; none: it does
    /// not collect by direct debit.
    public var sepaCreditorID: SEPACreditorIdentifier?

    public init(name: String, address: PostalAddress, siren: SIREN? = nil, phone: String = "", email: String = "",
                clientFundsIBAN: IBAN, bic: BIC? = nil, sepaCreditorID: SEPACreditorIdentifier? = nil) {
        self.name = name
        self.address = address
        self.siren = siren
        self.phone = phone
        self.email = email
        self.clientFundsIBAN = clientFundsIBAN
        self.bic = bic
        self.sepaCreditorID = sepaCreditorID
    }

    enum CodingKeys: String, CodingKey {
        case name, address, siren, phone, email, clientFundsIBAN = "client_funds_iban", bic, sepaCreditorID = "sepa_creditor_id"
    }
}

/// What sending one paper letter costs, by kind and weight: the agency keeps it up to date from
/// La Poste's price list.
public struct PostageRate: Codable, Hashable, Sendable {
    public var channel: StepChannel
    /// Up to and including this weight.
    public var maxGrams: Int
    public var cents: Int64

    public init(channel: StepChannel, maxGrams: Int, cents: Int64) {
        self.channel = channel
        self.maxGrams = maxGrams
        self.cents = cents
    }

    enum CodingKeys: String, CodingKey { case channel, maxGrams = "max_grams", cents }
}

/// The weight of a letter and what it costs to post.
public struct Postage: Hashable, Sendable {
    public let grams: Int
    /// The tariff band's upper bound, as the manifest names it ("20 g").
    public let weightClass: Int
    public let cents: Int64

    public init(grams: Int, weightClass: Int, cents: Int64) {
        self.grams = grams
        self.weightClass = weightClass
        self.cents = cents
    }

    /// What an email or a text message costs in postage.
    public static let none = Postage(grams: 0, weightClass: 0, cents: 0)
}

public struct PostageTariff: Codable, Hashable, Sendable {
    public var rates: [PostageRate]
    /// Where the figures come from, shown next to them.
    public var source: String

    public init(rates: [PostageRate], source: String) {
        self.rates = rates
        self.source = source
    }

    /// A4 80 g/m² weighs 4.99 g a sheet; a DL window envelope about 5 g. Pages are printed one
    /// side, so a page is a sheet.
    public static func grams(pages: Int) -> Int { 5 + (pages * 499 + 99) / 100 }

    /// The postage of a letter of `pages` pages sent by `channel`, or nil when no band holds it.
    public func postage(channel: StepChannel, pages: Int) -> Postage? {
        let g = Self.grams(pages: pages)
        return rates.filter { $0.channel == channel && g <= $0.maxGrams }.min { $0.maxGrams < $1.maxGrams }
            .map { Postage(grams: g, weightClass: $0.maxGrams, cents: $0.cents) }
    }
}

/// The agency's letter settings: its identity, its templates, its postage tariff. Loaded from JSON
/// and validated (every template checked for the mandatory mentions) before use.
public struct LetterSettings: Codable, Hashable, Sendable {
    public var agency: AgencyIdentity
    public var templates: [LetterTemplate]
    public var postage: PostageTariff
    /// Days the debtor is given to pay, counted from the letter's date.
    public var paymentDeadlineDays: Int
    /// Longest text message, in characters (one SMS is 160 GSM characters).
    public var smsMaxLength: Int

    public init(agency: AgencyIdentity, templates: [LetterTemplate], postage: PostageTariff, paymentDeadlineDays: Int = 8, smsMaxLength: Int = 160) {
        self.agency = agency
        self.templates = templates
        self.postage = postage
        self.paymentDeadlineDays = paymentDeadlineDays
        self.smsMaxLength = smsMaxLength
    }

    enum CodingKeys: String, CodingKey {
        case agency, templates, postage, paymentDeadlineDays = "payment_deadline_days", smsMaxLength = "sms_max_length"
    }

    /// The template for a contact: the step's own when it names one that fits, otherwise the first
    /// for the channel, use and language; a registered letter without its own falls back on the
    /// letter's, another language on French. A named template that does not exist, or is for
    /// another channel, gives nil (the letter is not written and says why); a case's first letter
    /// takes a first-letter template even when the step names a later one.
    public func template(code: String? = nil, channel: StepChannel, use: LetterTemplate.Use, language: Language) -> LetterTemplate? {
        if let code, let named = templates.first(where: { $0.code == code }) {
            // A step's own template, when it fits the channel and the use (a later letter's template
            // cannot stand in for the first letter).
            let fits = named.channel == channel || (channel == .registeredLetter && named.channel == .letter)
            if fits, named.use == use { return named }
            if use == .later || !fits { return nil }
        } else if code != nil {
            return nil
        }
        let channels: [StepChannel] = channel == .registeredLetter ? [.registeredLetter, .letter] : [channel]
        for lang in [language, .fr] {
            for ch in channels {
                if let t = templates.first(where: { $0.channel == ch && $0.use == use && $0.language == lang }) { return t }
            }
        }
        return nil
    }

    /// Everything wrong with these settings, each with its JSON path (empty: they can be used).
    public func problems() -> [SettingsProblem] {
        var out: [SettingsProblem] = []
        if agency.name.trimmingSpaces().isEmpty { out.append(SettingsProblem(path: "agency.name", message: "the agency's name is printed on every letter (R124-4)")) }
        if agency.address.isEmpty { out.append(SettingsProblem(path: "agency.address", message: "the agency's address is printed on every letter (R124-4)")) }
        if !(1...60).contains(paymentDeadlineDays) { out.append(SettingsProblem(path: "payment_deadline_days", message: "must be between 1 and 60")) }
        if !(70...918).contains(smsMaxLength) { out.append(SettingsProblem(path: "sms_max_length", message: "must be between 70 and 918 (six concatenated SMS)")) }
        var keys: Set<String> = []
        for (i, t) in templates.enumerated() {
            if !keys.insert(t.code).inserted { out.append(SettingsProblem(path: "templates[\(i)].code", message: "\"\(t.code)\" is used by another template")) }
            out += t.problems().map { SettingsProblem(path: "templates[\(i)]" + ($0.path.isEmpty ? "" : "." + $0.path), message: $0.message) }
        }
        for channel in [StepChannel.letter, .email, .sms] {
            for use in LetterTemplate.Use.allCases where !(channel == .sms && use == .first) {
                if template(channel: channel, use: use, language: .fr) == nil {
                    out.append(SettingsProblem(path: "templates", message: "a French \(use.rawValue) template for \(channel.rawValue) is needed"))
                }
            }
        }
        for (i, r) in postage.rates.enumerated() where !r.channel.isLetter || r.maxGrams <= 0 || r.cents < 0 {
            out.append(SettingsProblem(path: "postage.rates[\(i)]", message: "a rate is for a letter or registered letter, with a positive weight and a price not below zero"))
        }
        return out
    }
}
