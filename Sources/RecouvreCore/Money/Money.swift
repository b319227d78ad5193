/// An ISO 4217 currency with the number of digits of its minor unit.
public struct Currency: Hashable, Sendable, Codable, CustomStringConvertible {
    public let code: String
    public let minorDigits: Int

    /// The currencies the agency handles. Unknown codes are refused, not guessed.
    public static let known: [String: Currency] = [
        "EUR": Currency(uncheckedCode: "EUR", minorDigits: 2),
        "CHF": Currency(uncheckedCode: "CHF", minorDigits: 2),
        "GBP": Currency(uncheckedCode: "GBP", minorDigits: 2),
        "USD": Currency(uncheckedCode: "USD", minorDigits: 2),
        "XPF": Currency(uncheckedCode: "XPF", minorDigits: 0),
        "JPY": Currency(uncheckedCode: "JPY", minorDigits: 0),
    ]

    public static let eur = known["EUR"]!

    private init(uncheckedCode: String, minorDigits: Int) {
        self.code = uncheckedCode
        self.minorDigits = minorDigits
    }

    /// The currency for an ISO 4217 code (case-insensitive), or nil when it is not handled.
    public init?(code: String) {
        guard let c = Currency.known[code.uppercased()] else { return nil }
        self = c
    }

    public var description: String { code }

    public init(from decoder: any Decoder) throws {
        let code = try decoder.singleValueContainer().decode(String.self)
        guard let c = Currency(code: code) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown currency \(code)"))
        }
        self = c
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(code)
    }

    var minorPerMajor: Int64 {
        var p: Int64 = 1
        for _ in 0..<minorDigits { p *= 10 }
        return p
    }
}

public enum MoneyError: Error, Equatable, Sendable, CustomStringConvertible {
    case mixedCurrencies(Currency, Currency)
    case overflow

    public var description: String {
        switch self {
        case let .mixedCurrencies(a, b): "cannot combine amounts in \(a) and \(b)"
        case .overflow: "amount out of range"
        }
    }
}

/// An exact amount: integer minor units (cents for EUR) and its currency. Never a floating point.
public struct Money: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let minorUnits: Int64
    public let currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public static func eur(cents: Int64) -> Money { Money(minorUnits: cents, currency: .eur) }
    public static func zero(_ currency: Currency) -> Money { Money(minorUnits: 0, currency: currency) }

    public var isZero: Bool { minorUnits == 0 }
    public var isPositive: Bool { minorUnits > 0 }

    public func adding(_ other: Money) throws(MoneyError) -> Money {
        guard currency == other.currency else { throw .mixedCurrencies(currency, other.currency) }
        let (sum, overflow) = minorUnits.addingReportingOverflow(other.minorUnits)
        guard !overflow else { throw .overflow }
        return Money(minorUnits: sum, currency: currency)
    }

    public func subtracting(_ other: Money) throws(MoneyError) -> Money {
        guard currency == other.currency else { throw .mixedCurrencies(currency, other.currency) }
        let (diff, overflow) = minorUnits.subtractingReportingOverflow(other.minorUnits)
        guard !overflow else { throw .overflow }
        return Money(minorUnits: diff, currency: currency)
    }

    public static func < (lhs: Money, rhs: Money) -> Bool {
        precondition(lhs.currency == rhs.currency, "comparing \(lhs.currency) with \(rhs.currency)")
        return lhs.minorUnits < rhs.minorUnits
    }

    /// Plain decimal form, e.g. `1234.56` (used in files and the API).
    public var decimalString: String {
        let digits = currency.minorDigits
        let negative = minorUnits < 0
        let magnitude = minorUnits.magnitude
        let per = UInt64(currency.minorPerMajor)
        let major = magnitude / per
        var s = negative ? "-" : ""
        s += String(major)
        if digits > 0 {
            let minor = String(magnitude % per)
            s += "." + String(repeating: "0", count: digits - minor.count) + minor
        }
        return s
    }

    /// French display, e.g. `1 234,56 €` (narrow no-break space between thousands).
    public func formatted(locale: Language = .fr) -> String {
        // Written byte by byte into one string: a case list formats fifty of these a page.
        let digits = currency.minorDigits
        let per = UInt64(currency.minorPerMajor)
        let magnitude = minorUnits.magnitude
        let major = magnitude / per, minor = magnitude % per
        let symbol = currency == .eur ? "€" : currency.code
        var majorDigits = 1
        var rest = major / 10
        while rest > 0 { majorDigits += 1; rest /= 10 }
        let groups = (majorDigits - 1) / 3
        // Sign, digits, group separators (U+202F, three bytes in French; ",") and the decimal part,
        // then U+00A0 and the symbol in French, or the symbol (and a space but for €) first in English.
        let capacity = 1 + majorDigits + groups * 3 + 1 + digits + 1 + symbol.utf8.count + 2
        return String(unsafeUninitializedCapacity: capacity) { b in
            var i = 0
            func put(_ byte: UInt8) { b[i] = byte; i += 1 }
            func put(_ text: String) { for byte in text.utf8 { put(byte) } }
            if minorUnits < 0 { put(UInt8(ascii: "-")) }
            if locale != .fr { put(symbol); if currency != .eur { put(UInt8(ascii: " ")) } }
            var divisor: UInt64 = 1
            for _ in 1..<majorDigits { divisor *= 10 }
            for position in stride(from: majorDigits, to: 0, by: -1) {
                put(UInt8(ascii: "0") + UInt8(major / divisor % 10))
                divisor /= 10
                if position > 1, (position - 1) % 3 == 0 {
                    if locale == .fr { put(0xE2); put(0x80); put(0xAF) } else { put(UInt8(ascii: ",")) }
                }
            }
            if digits > 0 {
                put(locale == .fr ? UInt8(ascii: ",") : UInt8(ascii: "."))
                var scale: UInt64 = 1
                for _ in 1..<digits { scale *= 10 }
                for _ in 0..<digits {
                    put(UInt8(ascii: "0") + UInt8(minor / scale % 10))
                    scale /= 10
                }
            }
            if locale == .fr { put(0xC2); put(0xA0); put(symbol) }
            return i
        }
    }

    public var description: String { "\(decimalString) \(currency.code)" }
}

extension Money {
    /// Sums amounts of one currency; an empty list is zero in `currency`.
    public static func sum(_ amounts: some Sequence<Money>, currency: Currency) throws(MoneyError) -> Money {
        var total = Money.zero(currency)
        for a in amounts { total = try total.adding(a) }
        return total
    }
}

/// The languages the product speaks: French by default, English on request.
public enum Language: String, Sendable, CaseIterable, Codable {
    case fr, en
}
