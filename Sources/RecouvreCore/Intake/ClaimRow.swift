/// The columns a claim file can carry, by their canonical names.
public enum ClaimField: String, Sendable, CaseIterable, Codable {
    case invoiceReference = "invoice_ref"
    case debtorName = "debtor_name"
    case debtorKind = "debtor_kind"
    case siren, siret
    case vatNumber = "vat_number"
    case addressLine1 = "address_line1"
    case addressLine2 = "address_line2"
    case postcode, city, country, email, phone
    case issuedOn = "issued_on"
    case dueOn = "due_on"
    case amount
    case vatAmount = "vat_amount"
    case currency
    case interestRate = "interest_rate"
    case language

    public static let required: [ClaimField] = [.invoiceReference, .debtorName, .issuedOn, .dueOn, .amount]

    /// Position in `allCases`.
    var ordinal: Int {
        switch self {
        case .invoiceReference: 0
        case .debtorName: 1
        case .debtorKind: 2
        case .siren: 3
        case .siret: 4
        case .vatNumber: 5
        case .addressLine1: 6
        case .addressLine2: 7
        case .postcode: 8
        case .city: 9
        case .country: 10
        case .email: 11
        case .phone: 12
        case .issuedOn: 13
        case .dueOn: 14
        case .amount: 15
        case .vatAmount: 16
        case .currency: 17
        case .interestRate: 18
        case .language: 19
        }
    }

    /// Header names recognised without a saved mapping (normalised: lower case, no accents, `_`).
    var aliases: [String] {
        switch self {
        case .invoiceReference: ["invoice_ref", "invoice", "invoice_reference", "invoice_number", "facture", "numero_facture", "n_facture", "no_facture", "ref_facture", "reference_facture", "num_facture"]
        case .debtorName: ["debtor_name", "debtor", "customer", "customer_name", "client", "nom_client", "raison_sociale", "debiteur", "nom_debiteur", "nom"]
        case .debtorKind: ["debtor_kind", "kind", "type_client", "type", "type_debiteur"]
        case .siren: ["siren", "n_siren"]
        case .siret: ["siret", "n_siret"]
        case .vatNumber: ["vat_number", "vat", "tva_intracommunautaire", "numero_tva", "n_tva", "tva_intra"]
        case .addressLine1: ["address_line1", "address", "adresse", "adresse1", "adresse_1", "address1"]
        case .addressLine2: ["address_line2", "address2", "adresse2", "adresse_2", "complement_adresse", "complement"]
        case .postcode: ["postcode", "postal_code", "zip", "code_postal", "cp"]
        case .city: ["city", "ville", "commune", "localite"]
        case .country: ["country", "pays"]
        case .email: ["email", "e_mail", "courriel", "mail"]
        case .phone: ["phone", "telephone", "tel", "portable", "mobile"]
        case .issuedOn: ["issued_on", "issue_date", "invoice_date", "date_facture", "date_emission", "date"]
        case .dueOn: ["due_on", "due_date", "date_echeance", "echeance"]
        case .amount: ["amount", "amount_incl_vat", "montant", "montant_ttc", "ttc", "total_ttc"]
        case .vatAmount: ["vat_amount", "tva", "montant_tva"]
        case .currency: ["currency", "devise", "monnaie"]
        case .interestRate: ["interest_rate", "taux_interet", "taux", "taux_penalites"]
        case .language: ["language", "langue", "lang", "langue_courrier"]
        }
    }
}

/// How a creditor's header names map to the claim fields. Saved per creditor and reused, so a
/// creditor's monthly export imports with no options once its first import is mapped.
public struct ColumnMapping: Hashable, Sendable, Codable {
    /// Field → the header name in the creditor's file.
    public var explicit: [ClaimField: String]

    public init(explicit: [ClaimField: String] = [:]) { self.explicit = explicit }

    /// Header text normalised for comparison: "N° Facture" → "n_facture".
    public static func normaliseHeader(_ text: String) -> String {
        DebtorMatchKey.normaliseKeepingAll(text, separator: "_")
    }

    /// Column index of each field found in `header`. Missing required fields are an error that
    /// names them, the header seen and what was tried.
    public func resolve(header: [String]) -> Result<[ClaimField: Int], HeaderError> {
        let normalised = header.map(ColumnMapping.normaliseHeader)
        var columns: [ClaimField: Int] = [:]
        var unknownExplicit: [(ClaimField, String)] = []
        for field in ClaimField.allCases {
            if let name = explicit[field] {
                if let i = normalised.firstIndex(of: ColumnMapping.normaliseHeader(name)) { columns[field] = i } else { unknownExplicit.append((field, name)) }
                continue
            }
            if let i = normalised.firstIndex(where: { field.aliases.contains($0) }) { columns[field] = i }
        }
        let missing = ClaimField.required.filter { columns[$0] == nil }
        if !missing.isEmpty || !unknownExplicit.isEmpty {
            return .failure(HeaderError(missing: missing, mappedButAbsent: unknownExplicit.map { "\($0.0.rawValue) → '\($0.1)'" }, header: header))
        }
        return .success(columns)
    }

    /// Parses `field=Header name` pairs, as given on the command line.
    public static func parse(pairs: [String]) -> Result<ColumnMapping, MappingError> {
        var m: [ClaimField: String] = [:]
        for pair in pairs {
            guard let eq = pair.firstIndex(of: "=") else { return .failure(MappingError(text: pair, reason: "expected field=Header")) }
            let key = String(pair[..<eq]).trimmingSpaces()
            let value = String(pair[pair.index(after: eq)...]).trimmingSpaces()
            guard let field = ClaimField(rawValue: key) else {
                return .failure(MappingError(text: pair, reason: "unknown field '\(key)'; fields: \(ClaimField.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
            guard !value.isEmpty else { return .failure(MappingError(text: pair, reason: "empty header name")) }
            m[field] = value
        }
        return .success(ColumnMapping(explicit: m))
    }
}

public struct MappingError: Error, Sendable, CustomStringConvertible {
    public let text: String
    public let reason: String
    public var description: String { "mapping '\(text)': \(reason)" }
}

/// A header that cannot be read as a claim list: the whole file is refused and nothing lands.
public struct HeaderError: Error, Sendable, Equatable, CustomStringConvertible {
    public let missing: [ClaimField]
    public let mappedButAbsent: [String]
    public let header: [String]

    public var description: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("required column(s) not found: \(missing.map(\.rawValue).joined(separator: ", "))") }
        if !mappedButAbsent.isEmpty { parts.append("mapped column(s) absent from the header: \(mappedButAbsent.joined(separator: ", "))") }
        let shown = header.prefix(8).map { "'\($0)'" }.joined(separator: ", ")
        parts.append("header read as \(header.count) column(s): \(shown)\(header.count > 8 ? ", …" : "") (wrong separator or missing mapping?)")
        return parts.joined(separator: "; ")
    }
}

/// One rejected row: where and why, in words the creditor can fix.
public struct RowError: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    public let line: Int
    public let column: String
    public let reason: String

    public init(line: Int, column: String, reason: String) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String { "line \(line), \(column): \(reason)" }
}

/// Every reason one row was refused.
public struct RowErrors: Error, Hashable, Sendable {
    public let errors: [RowError]
}

/// A valid row of a claim file: the claim and the debtor it names.
public struct ClaimLine: Hashable, Sendable {
    public var line: Int
    public var invoiceReference: String
    public var debtor: DebtorLine
    public var issuedOn: Day
    public var dueOn: Day
    public var amount: Money
    public var vat: Money
    public var interestRate: Rate?
}

public struct DebtorLine: Hashable, Sendable {
    public var kind: Debtor.Kind
    public var name: String
    public var siren: SIREN?
    public var siret: SIRET?
    public var vatNumber: String?
    public var address: PostalAddress
    public var email: String?
    public var phone: String?
    /// See `DebtorMatchKey`.
    public var matchKey: String
    /// The language letters are written in; nil: French.
    public var language: Language? = nil
}

/// Reads one record of a claim file into a `ClaimLine`, or every reason it cannot.
public struct ClaimRowParser: Sendable {
    public let columns: [ClaimField: Int]
    /// Invoices dated after this day are refused (a claim cannot predate its invoice).
    public let today: Day

    /// Column of each field in `ClaimField.allCases` order, -1 when absent (no hashing per field and row).
    private let slots: [Int]
    private let width: Int

    public init(columns: [ClaimField: Int], today: Day) {
        self.columns = columns
        self.today = today
        slots = ClaimField.allCases.map { columns[$0] ?? -1 }
        width = columns.values.max().map { $0 + 1 } ?? 0
    }

    public func parse(fields: [String], line: Int) -> Result<ClaimLine, RowErrors> {
        var errors: [RowError] = []
        if fields.count < width {
            return .failure(RowErrors(errors: [RowError(line: line, column: "*", reason: "row has \(fields.count) field(s), the header has at least \(width)")]))
        }
        let values = slots.map { $0 < 0 ? "" : fields[$0].trimmingSpaces() }
        func value(_ f: ClaimField) -> String { values[f.ordinal] }
        func fail(_ f: ClaimField, _ reason: String) { errors.append(RowError(line: line, column: f.rawValue, reason: reason)) }

        let invoice = value(.invoiceReference)
        if invoice.isEmpty { fail(.invoiceReference, "missing invoice reference") }
        else if invoice.utf8.count > 64, invoice.count > 64 { fail(.invoiceReference, "longer than 64 characters") }

        let name = value(.debtorName)
        if name.isEmpty { fail(.debtorName, "missing debtor name") }

        var siren: SIREN?
        var siret: SIRET?
        let sirenText = value(.siren), siretText = value(.siret)
        if !sirenText.isEmpty { do { siren = try SIREN(sirenText) } catch { fail(.siren, error.reason) } }
        if !siretText.isEmpty {
            do {
                let s = try SIRET(siretText)
                siret = s
                if let siren, siren != s.siren { fail(.siret, "does not belong to SIREN \(siren.value)") }
                if siren == nil { siren = s.siren }
            } catch { fail(.siret, error.reason) }
        }

        var vatNumber: String?
        let vatText = value(.vatNumber).compactIdentifier
        if !vatText.isEmpty {
            if vatText.hasPrefix("FR") {
                do { vatNumber = try FrenchVATNumber(vatText).value } catch { fail(.vatNumber, error.reason) }
            } else if vatText.count >= 4, vatText.count <= 15, vatText.prefix(2).allSatisfy(\.isLetter), vatText.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
                vatNumber = vatText
            } else { fail(.vatNumber, "'\(vatText)' is not a VAT number") }
        }

        var kind: Debtor.Kind = (siren != nil) ? .company : .consumer
        let kindText = ColumnMapping.normaliseHeader(value(.debtorKind))
        if !kindText.isEmpty {
            switch kindText {
            case "company", "societe", "entreprise", "pro", "professionnel", "b2b", "personne_morale", "pm": kind = .company
            case "consumer", "particulier", "b2c", "personne_physique", "pp", "person", "individual": kind = .consumer
            default: fail(.debtorKind, "'\(value(.debtorKind))' is neither company nor consumer")
            }
        }

        let countryText = value(.country)
        let address = PostalAddress(line1: value(.addressLine1), line2: value(.addressLine2), postcode: value(.postcode),
                                    city: value(.city), country: countryText.isEmpty || countryText == "FR" ? "FR" : countryText.uppercased())
        if address.country.utf8.count != 2 || !address.country.utf8.allSatisfy(\.isASCIILetter) {
            fail(.country, "'\(countryText)' is not a two-letter country code")
        }
        if address.country == "FR", !address.postcode.isEmpty, !(address.postcode.utf8.count == 5 && address.postcode.isASCIIDigits) {
            fail(.postcode, "'\(address.postcode)' is not a French postcode (5 digits)")
        }
        if siren == nil, address.postcode.isEmpty || address.city.isEmpty {
            let f: ClaimField = address.postcode.isEmpty ? .postcode : .city
            fail(f, kind == .consumer
                 ? "a private debtor needs a postcode and city to be told apart from namesakes"
                 : "a company without SIREN/SIRET needs a postcode and city to be identified")
        }

        var email: String?
        let emailText = value(.email)
        if !emailText.isEmpty {
            if ClaimRowParser.looksLikeEmail(emailText) { email = emailText.lowercasedFast } else { fail(.email, "'\(emailText)' is not an email address") }
        }
        var phone: String?
        let phoneText = value(.phone)
        if !phoneText.isEmpty {
            if let p = ClaimRowParser.normalisePhone(phoneText) { phone = p } else { fail(.phone, "'\(phoneText)' is not a phone number") }
        }

        var language: Language?
        let languageText = value(.language)
        if !languageText.isEmpty {
            switch languageText.lowercased() {
            case "fr", "fra", "fre", "français", "francais", "french": language = .fr
            case "en", "eng", "anglais", "english": language = .en
            default: fail(.language, "'\(languageText)' is not a language letters are written in (fr, en)")
            }
        }

        var currency = Currency.eur
        let currencyText = value(.currency)
        if !currencyText.isEmpty {
            if currencyText == "EUR" { currency = .eur } else if let c = Currency(code: currencyText) { currency = c } else { fail(.currency, "unknown currency '\(currencyText)'") }
        }

        var issuedOn: Day?, dueOn: Day?
        let issuedText = value(.issuedOn), dueText = value(.dueOn)
        if issuedText.isEmpty { fail(.issuedOn, "missing invoice date") }
        else if let d = Day(parsing: issuedText) {
            if d > today { fail(.issuedOn, "invoice date \(d.french) is in the future") } else { issuedOn = d }
        } else { fail(.issuedOn, "'\(issuedText)' is not a date (dd/mm/yyyy or yyyy-mm-dd)") }
        if dueText.isEmpty { fail(.dueOn, "missing due date") }
        else if let d = Day(parsing: dueText) { dueOn = d }
        else { fail(.dueOn, "'\(dueText)' is not a date (dd/mm/yyyy or yyyy-mm-dd)") }
        if let i = issuedOn, let d = dueOn, d < i { fail(.dueOn, "due date \(d.french) is before the invoice date \(i.french)") }

        var amount: Int64?
        let amountText = value(.amount)
        switch AmountParser.minorUnits(Substring(amountText), currency: currency) {
        case let .success(v):
            if v <= 0 { fail(.amount, v == 0 ? "amount is zero" : "amount is negative (a credit note is not a claim)") } else { amount = v }
        case let .failure(e): fail(.amount, e.description)
        }
        var vat: Int64 = 0
        let vatAmountText = value(.vatAmount)
        if !vatAmountText.isEmpty {
            switch AmountParser.minorUnits(Substring(vatAmountText), currency: currency) {
            case let .success(v):
                if v < 0 { fail(.vatAmount, "VAT is negative") }
                else if let a = amount, v > a { fail(.vatAmount, "VAT is larger than the amount including VAT") }
                else { vat = v }
            case let .failure(e): fail(.vatAmount, e.description)
            }
        }
        var rate: Rate?
        let rateText = value(.interestRate)
        if !rateText.isEmpty {
            if let r = Rate(percent: rateText), r.microPercent < 100 * Rate.scale { rate = r } else { fail(.interestRate, "'\(rateText)' is not an annual rate in percent") }
        }

        guard errors.isEmpty, let issuedOn, let dueOn, let amount else { return .failure(RowErrors(errors: errors)) }
        let matchKey: String
        if let siren { matchKey = DebtorMatchKey.company(siren: siren) }
        else { matchKey = (kind == .company ? "org:" : "") + DebtorMatchKey.person(name: name, address: address) }
        let debtor = DebtorLine(kind: kind, name: name, siren: siren, siret: siret, vatNumber: vatNumber, address: address,
                                email: email, phone: phone, matchKey: matchKey, language: language)
        return .success(ClaimLine(line: line, invoiceReference: invoice, debtor: debtor, issuedOn: issuedOn, dueOn: dueOn,
                                  amount: Money(minorUnits: amount, currency: currency), vat: Money(minorUnits: vat, currency: currency),
                                  interestRate: rate))
    }

    static func looksLikeEmail(_ s: String) -> Bool {
        let u = s.utf8
        guard let at = u.firstIndex(of: 0x40), at != u.startIndex else { return false }
        let domain = u[u.index(after: at)...]
        guard !domain.contains(0x40), domain.contains(0x2E), domain.first != 0x2E, domain.last != 0x2E else { return false }
        return !u.contains { $0 == 0x20 || $0 == 0x2C || $0 == 0x3B }
    }

    /// French numbers to international form (`06 12 34 56 78` → `+33612345678`); other
    /// international numbers kept with their `+`. nil when it cannot be a phone number.
    public static func normalisePhone(_ s: String) -> String? {
        let t = s.trimmingSpaces().utf8
        var digits: [UInt8] = []
        digits.reserveCapacity(t.count)
        for b in t {
            if b.isASCIIDigit { digits.append(b) }
            else if !(b == 0x20 || b == 0x2E || b == 0x2D || b == 0x2B || b == 0x28 || b == 0x29 || b == 0x2F) { return nil } // " .-+()/"
        }
        let international = t.first == 0x2B || t.starts(with: [0x30, 0x30])
        if t.starts(with: [0x30, 0x30]) { digits.removeFirst(2) }
        if !international {
            guard digits.count == 10, digits[0] == 0x30, digits[1] != 0x30 else { return nil }
            return "+33" + String(decoding: digits.dropFirst(), as: UTF8.self)
        }
        if digits.starts(with: [0x33, 0x33]) {
            var national = digits.dropFirst(2)
            if national.first == 0x30 { national = national.dropFirst() } // +33 (0)6 …
            guard national.count == 9 else { return nil }
            return "+33" + String(decoding: national, as: UTF8.self)
        }
        guard (8...15).contains(digits.count) else { return nil }
        return "+" + String(decoding: digits, as: UTF8.self)
    }
}
