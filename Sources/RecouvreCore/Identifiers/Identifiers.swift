/// Why an identifier was refused, in words a user can act on.
public struct IdentifierError: Error, Equatable, Sendable, CustomStringConvertible {
    public let kind: String
    public let value: String
    public let reason: String
    public var description: String { "\(kind) '\(value)': \(reason)" }
}

enum Checksum {
    /// Luhn: doubling every second digit from the right, the sum must be a multiple of 10.
    static func luhnValid(_ digits: some StringProtocol) -> Bool {
        var sum = 0
        for (i, b) in digits.utf8.reversed().enumerated() {
            guard b.isASCIIDigit else { return false }
            let v = Int(b - 0x30)
            if i % 2 == 1 { let d = v * 2; sum += d > 9 ? d - 9 : d } else { sum += v }
        }
        return sum % 10 == 0
    }

    /// The remainder mod 97 of a string of digits and letters (A=10 … Z=35), read piecewise so
    /// that any length fits in an Int.
    static func mod97(_ text: some StringProtocol) -> Int? {
        var r = 0
        for ch in text {
            if let v = ch.wholeNumberValue, ch.isASCII {
                r = (r * 10 + v) % 97
            } else if let a = ch.asciiValue, (65...90).contains(a) {
                r = (r * 100 + Int(a) - 55) % 97
            } else {
                return nil
            }
        }
        return r
    }
}

/// SIREN: the 9-digit number of a French company (INSEE), Luhn-checked.
public struct SIREN: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String

    public init(_ text: String) throws(IdentifierError) {
        let v = text.compactIdentifier
        func fail(_ r: String) -> IdentifierError { IdentifierError(kind: "SIREN", value: text, reason: r) }
        if !(v.utf8.count == 9 && v.isASCIIDigits) {
            guard v.count == 9 else { throw fail("must have 9 digits, has \(v.count) characters") }
            throw fail("must contain digits only")
        }
        // La Poste's SIREN 356000000 passes Luhn; its establishments need the rule in SIRET.
        guard Checksum.luhnValid(v) else { throw fail("check digit is wrong (Luhn)") }
        value = v
    }

    public var description: String { value }
}

/// SIRET: SIREN + 5-digit establishment number. Luhn-checked, except La Poste (SIREN 356000000)
/// whose establishments' SIRETs are valid when their digits sum to a multiple of 5.
public struct SIRET: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String

    public init(_ text: String) throws(IdentifierError) {
        let v = text.compactIdentifier
        func fail(_ r: String) -> IdentifierError { IdentifierError(kind: "SIRET", value: text, reason: r) }
        if !(v.utf8.count == 14 && v.isASCIIDigits) {
            guard v.count == 14 else { throw fail("must have 14 digits, has \(v.count) characters") }
            throw fail("must contain digits only")
        }
        // La Poste's establishments do not use Luhn; its head office (…00048) does.
        if v.hasPrefix("356000000"), v != "35600000000048" {
            let sum = v.utf8.reduce(0) { $0 + Int($1 - 0x30) }
            guard sum % 5 == 0 else { throw fail("La Poste establishment number is wrong (digit sum not a multiple of 5)") }
        } else {
            guard Checksum.luhnValid(v) else { throw fail("check digit is wrong (Luhn)") }
        }
        value = v
    }

    public var siren: SIREN { try! SIREN(String(value.prefix(9))) }
    public var description: String { value }
}

/// French intra-community VAT number: `FR` + 2-digit key + SIREN, key = (12 + 3 × (SIREN mod 97)) mod 97.
public struct FrenchVATNumber: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String

    public init(_ text: String) throws(IdentifierError) {
        let v = text.compactIdentifier
        func fail(_ r: String) -> IdentifierError { IdentifierError(kind: "VAT number", value: text, reason: r) }
        guard v.hasPrefix("FR") else { throw fail("must start with FR") }
        guard v.count == 13 else { throw fail("must have 13 characters (FR + key + SIREN), has \(v.count)") }
        let key = v.dropFirst(2).prefix(2), sirenText = String(v.suffix(9))
        let siren: SIREN
        do { siren = try SIREN(sirenText) } catch { throw fail("contains an invalid SIREN: \(error.reason)") }
        guard let k = Int(key) else { throw fail("key '\(key)' is not numeric") }
        let expected = FrenchVATNumber.key(for: siren)
        guard k == expected else { throw fail("key \(key) does not match the SIREN (expected \(expected < 10 ? "0" : "")\(expected))") }
        value = v
    }

    public static func key(for siren: SIREN) -> Int { (12 + 3 * (Int(siren.value)! % 97)) % 97 }

    public init(siren: SIREN) {
        let k = FrenchVATNumber.key(for: siren)
        value = "FR\(k < 10 ? "0" : "")\(k)\(siren.value)"
    }

    public var siren: SIREN { try! SIREN(String(value.suffix(9))) }
    public var description: String { value }
}

/// IBAN: country code, check digits, national account number; length fixed per country; mod 97 = 1.
public struct IBAN: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String

    /// ISO 13616 lengths for the SEPA area and nearby countries.
    public static let lengths: [String: Int] = [
        "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
        "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21, "HU": 28,
        "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31,
        "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
        "VA": 22, "MA": 28, "TN": 24, "DZ": 26, "SN": 28, "CI": 28, "TR": 26, "AL": 28, "RS": 22,
    ]

    public init(_ text: String) throws(IdentifierError) {
        let v = text.compactIdentifier
        func fail(_ r: String) -> IdentifierError { IdentifierError(kind: "IBAN", value: text, reason: r) }
        guard v.count >= 5 else { throw fail("too short") }
        guard v.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { throw fail("may contain only letters and digits") }
        let country = String(v.prefix(2))
        guard country.allSatisfy(\.isLetter) else { throw fail("must start with a country code") }
        guard let length = IBAN.lengths[country] else { throw fail("country \(country) is not supported") }
        guard v.count == length else { throw fail("\(country) IBANs have \(length) characters, this one has \(v.count)") }
        guard v.dropFirst(2).prefix(2).allSatisfy(\.isASCIIDigit) else { throw fail("check digits must be digits") }
        let rearranged = v.dropFirst(4) + v.prefix(4)
        guard Checksum.mod97(rearranged) == 1 else { throw fail("check digits are wrong (mod 97)") }
        value = v
    }

    public var countryCode: String { String(value.prefix(2)) }

    /// Groups of four, as printed on letters: `FR76 3000 6000 …`.
    public var printed: String {
        var out = ""
        for (i, ch) in value.enumerated() { if i > 0, i % 4 == 0 { out += " " }; out.append(ch) }
        return out
    }

    public var description: String { value }
}

/// BIC (ISO 9362): 4-letter institution, 2-letter country, 2-character location, optional 3-character branch.
public struct BIC: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String

    public init(_ text: String) throws(IdentifierError) {
        let v = text.compactIdentifier
        func fail(_ r: String) -> IdentifierError { IdentifierError(kind: "BIC", value: text, reason: r) }
        guard v.count == 8 || v.count == 11 else { throw fail("must have 8 or 11 characters, has \(v.count)") }
        let chars = Array(v)
        guard chars[0..<4].allSatisfy({ $0.isASCII && $0.isLetter }) else { throw fail("institution code (first 4) must be letters") }
        guard chars[4..<6].allSatisfy({ $0.isASCII && $0.isLetter }) else { throw fail("country code (characters 5–6) must be letters") }
        guard chars[6...].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { throw fail("location and branch must be letters or digits") }
        value = v
    }

    public var description: String { value }
}

/// SEPA creditor identifier (ICS in France): country, 2 check digits, 3-character business code,
/// national identifier. Check digits by ISO 7064 mod 97-10 over the national identifier followed by
/// the country code and "00", the business code left out.
public struct SEPACreditorIdentifier: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String

    public init(_ text: String) throws(IdentifierError) {
        let v = text.compactIdentifier
        func fail(_ r: String) -> IdentifierError { IdentifierError(kind: "SEPA creditor identifier", value: text, reason: r) }
        guard v.count >= 8, v.count <= 35 else { throw fail("length \(v.count) is out of range") }
        guard v.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { throw fail("may contain only letters and digits") }
        let country = String(v.prefix(2))
        guard country.allSatisfy(\.isLetter) else { throw fail("must start with a country code") }
        if country == "FR", v.count != 13 { throw fail("French identifiers have 13 characters, this one has \(v.count)") }
        let check = v.dropFirst(2).prefix(2)
        guard let given = Int(check) else { throw fail("check digits must be digits") }
        let national = v.dropFirst(7)
        guard let expected = SEPACreditorIdentifier.checkDigits(country: country, nationalIdentifier: national) else {
            throw fail("national identifier has characters that cannot be checked")
        }
        guard given == expected else { throw fail("check digits are wrong (expected \(expected < 10 ? "0" : "")\(expected))") }
        value = v
    }

    static func checkDigits(country: String, nationalIdentifier: some StringProtocol) -> Int? {
        guard let r = Checksum.mod97(String(nationalIdentifier) + country + "00") else { return nil }
        return 98 - r
    }

    public var description: String { value }
}

/// An identifier written in JSON as its text and checked when read: a settings file with a wrong
/// IBAN is refused with the reason, not loaded.
public protocol TextIdentifier: Codable {
    init(_ text: String) throws(IdentifierError)
    var value: String { get }
}

extension TextIdentifier {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        do { try self.init(text) } catch {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
}

extension SIREN: TextIdentifier {}
extension SIRET: TextIdentifier {}
extension FrenchVATNumber: TextIdentifier {}
extension IBAN: TextIdentifier {}
extension BIC: TextIdentifier {}
