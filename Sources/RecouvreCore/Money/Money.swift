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
        let digits = currency.minorDigits
        let negative = minorUnits < 0
        let magnitude = minorUnits.magnitude
        let per = UInt64(currency.minorPerMajor)
        let majorDigits = Array(String(magnitude / per))
        let groupSeparator: String = locale == .fr ? "\u{202F}" : ","
        var grouped = ""
        for (i, ch) in majorDigits.enumerated() {
            if i > 0, (majorDigits.count - i) % 3 == 0 { grouped += groupSeparator }
            grouped.append(ch)
        }
        var number = grouped
        if digits > 0 {
            let minor = String(magnitude % per)
            number += (locale == .fr ? "," : ".") + String(repeating: "0", count: digits - minor.count) + minor
        }
        let symbol = currency == .eur ? "€" : currency.code
        let sign = negative ? "-" : ""
        return locale == .fr ? "\(sign)\(number)\u{00A0}\(symbol)" : "\(sign)\(symbol)\(currency == .eur ? "" : " ")\(number)"
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
