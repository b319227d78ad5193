/// Someone who owes: a company or a private person (consumer). The kind matters in law:
/// no collection fees and no compounding against a consumer, 2-year limitation instead of 5.
public struct Debtor: Hashable, Sendable, Codable, Identifiable {
    public enum Kind: String, Sendable, Codable, CaseIterable { case company, consumer }

    public var id: Int64
    public var kind: Kind
    public var name: String
    public var siren: SIREN?
    public var siret: SIRET?
    public var vatNumber: FrenchVATNumber?
    public var address: PostalAddress
    /// `invalid` once a letter came back "unknown at this address": nothing is sent to it.
    public var addressStatus: ContactPoint.Status = .unverified
    public var contacts: [ContactPoint]

    public init(id: Int64, kind: Kind, name: String, siren: SIREN? = nil, siret: SIRET? = nil,
                vatNumber: FrenchVATNumber? = nil, address: PostalAddress, contacts: [ContactPoint] = []) {
        self.id = id
        self.kind = kind
        self.name = name
        self.siren = siren
        self.siret = siret
        self.vatNumber = vatNumber
        self.address = address
        self.contacts = contacts
    }
}

/// The key that says two rows of two files are the same debtor: the SIREN for a company, the
/// normalised name and postal address for a person (DOMAIN: "the same SIREN or the same person").
public enum DebtorMatchKey {
    public static func company(siren: SIREN) -> String { "siren:\(siren.value)" }

    public static func person(name: String, address: PostalAddress) -> String {
        var key = Array("person:".utf8)
        key.reserveCapacity(96)
        appendNormalised(name, to: &key)
        for part in [address.line1, address.postcode, address.city] {
            key.append(0x7C) // "|"
            appendNormalised(part, to: &key)
        }
        return String(decoding: key, as: UTF8.self)
    }

    /// Lower case, accents folded, punctuation dropped, words single-spaced, common street
    /// abbreviations expanded, so that "M. DUPONT Jean" and "m dupont  jean" meet.
    public static func normalise(_ text: String) -> String {
        var out: [UInt8] = []
        appendNormalised(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `normalise(text)` appended to `out` as UTF-8 (one buffer per key instead of a string per word).
    static func appendNormalised(_ text: String, to out: inout [UInt8]) {
        var wrote = false
        func emit(_ word: String) {
            if ignoredWords.contains(word) { return }
            if wrote { out.append(0x20) }
            out.append(contentsOf: (abbreviations[word] ?? word).utf8)
            wrote = true
        }
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else {
            for word in normalisedWords(text) { emit(word) }
            return
        }
        // ASCII: words cut by byte; only short words can be a title or an abbreviation.
        var word: [UInt8] = []
        word.reserveCapacity(32)
        func endWord() {
            guard !word.isEmpty else { return }
            if word.count <= 12 { emit(String(decoding: word, as: UTF8.self)) } else {
                if wrote { out.append(0x20) }
                out.append(contentsOf: word)
                wrote = true
            }
            word.removeAll(keepingCapacity: true)
        }
        for b in text.utf8 {
            if b.isASCIIDigit || (b >= 0x61 && b <= 0x7A) { word.append(b) }
            else if b >= 0x41 && b <= 0x5A { word.append(b + 0x20) }
            else { endWord() }
        }
        endWord()
    }

    /// Folded words joined by spaces, with no word dropped or expanded (for header names).
    static func normaliseKeepingAll(_ text: String, separator: String = " ") -> String { normalisedWords(text).joined(separator: separator) }

    private static func normalisedWords(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for scalar in text.unicodeScalars {
            if let folded = fold(scalar) {
                current += folded
            } else if !current.isEmpty {
                words.append(current); current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    private static let ignoredWords: Set<String> = ["m", "mr", "mme", "mlle", "monsieur", "madame", "mademoiselle"]
    private static let abbreviations: [String: String] = [
        "av": "avenue", "ave": "avenue", "bd": "boulevard", "bld": "boulevard", "blvd": "boulevard",
        "r": "rue", "pl": "place", "imp": "impasse", "che": "chemin", "ch": "chemin", "rte": "route",
        "all": "allee", "st": "saint", "ste": "sainte", "fbg": "faubourg", "sq": "square", "crs": "cours",
    ]

    /// Lower-cased ASCII for letters and digits (accents removed), nil for separators.
    private static func fold(_ s: Unicode.Scalar) -> String? {
        switch s {
        case "a"..."z", "0"..."9": return String(s)
        case "A"..."Z": return String(Character(s)).lowercased()
        default: break
        }
        switch s {
        case "à", "á", "â", "ä", "ã", "å", "À", "Á", "Â", "Ä", "Ã", "Å": return "a"
        case "ç", "Ç": return "c"
        case "è", "é", "ê", "ë", "È", "É", "Ê", "Ë": return "e"
        case "ì", "í", "î", "ï", "Ì", "Í", "Î", "Ï": return "i"
        case "ñ", "Ñ": return "n"
        case "ò", "ó", "ô", "ö", "õ", "Ò", "Ó", "Ô", "Ö", "Õ": return "o"
        case "ù", "ú", "û", "ü", "Ù", "Ú", "Û", "Ü": return "u"
        case "ý", "ÿ", "Ý", "Ÿ": return "y"
        case "œ", "Œ": return "oe"
        case "æ", "Æ": return "ae"
        case "ß": return "ss"
        default: return s.properties.isAlphabetic ? String(s).lowercased() : nil
        }
    }
}
