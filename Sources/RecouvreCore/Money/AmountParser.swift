/// Reads amounts as creditors write them in their files: `1234.56`, `1 234,56`, `1.234,56`,
/// `1,234.56`, with or without a `€` sign. Exact: the digits become minor units, never a Double.
public enum AmountParser {
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case empty
        case notANumber(String)
        case tooManyDecimals(String, allowed: Int)
        case outOfRange(String)

        public var description: String {
            switch self {
            case .empty: "empty amount"
            case let .notANumber(s): "'\(s)' is not an amount"
            case let .tooManyDecimals(s, allowed): "'\(s)' has more than \(allowed) decimals"
            case let .outOfRange(s): "'\(s)' is too large"
            }
        }
    }

    /// Parses `text` into minor units of `currency`. Negative amounts are returned as such;
    /// whether they are acceptable is the caller's rule.
    public static func minorUnits(_ text: Substring, currency: Currency) -> Result<Int64, Failure> {
        var body = Substring(text.trimmingSpaces())
        // Only digits, marks and spaces are below "A": no currency sign to look for then.
        if body.utf8.contains(where: { $0 >= 0x41 }) { for token in ["€", "EUR", currency.code] {
            if body.hasSuffix(token) { body = body.dropLast(token.count) }
            if body.hasPrefix(token) { body = body.dropFirst(token.count) }
        } }
        var chars: [UInt8] = []
        chars.reserveCapacity(body.utf8.count)
        var negative = false
        for scalar in body.unicodeScalars {
            switch scalar {
            case "0"..."9", ".", ",":
                chars.append(UInt8(scalar.value))
            case "-" where chars.isEmpty && !negative:
                negative = true
            case "+" where chars.isEmpty:
                continue
            case " ", "\t", "'", "\u{00A0}", "\u{202F}":
                continue // thousands separators people type: spaces, NBSP, narrow NBSP, Swiss apostrophe
            default:
                return .failure(.notANumber(String(text)))
            }
        }
        if chars.isEmpty { return .failure(text.allSatisfy(\.isWhitespace) ? .empty : .notANumber(String(text))) }
        // The last '.' or ',' is the decimal mark when followed by 1...3 digits and the other mark
        // does not follow it; the rest are thousands separators.
        let lastDot = chars.lastIndex(of: UInt8(ascii: "."))
        let lastComma = chars.lastIndex(of: UInt8(ascii: ","))
        var decimalIndex: Int?
        switch (lastDot, lastComma) {
        case (nil, nil): decimalIndex = nil
        case let (d?, nil):
            // "1.234.567" with several dots: thousands separators only.
            decimalIndex = chars.firstIndex(of: UInt8(ascii: ".")) != d ? nil : d
        case let (nil, c?):
            decimalIndex = chars.firstIndex(of: UInt8(ascii: ",")) != c ? nil : c
        case let (d?, c?):
            // Both marks: the last is the decimal mark and may appear only once ("1.234,56").
            let mark = chars[max(d, c)]
            guard chars.firstIndex(of: mark) == max(d, c) else { return .failure(.notANumber(String(text))) }
            decimalIndex = max(d, c)
        }
        var integerDigits: [UInt8] = []
        var fractionDigits: [UInt8] = []
        for (i, b) in chars.enumerated() {
            if b == UInt8(ascii: ".") || b == UInt8(ascii: ",") { continue }
            if let di = decimalIndex, i > di { fractionDigits.append(b) } else { integerDigits.append(b) }
        }
        if integerDigits.isEmpty && fractionDigits.isEmpty { return .failure(.notANumber(String(text))) }
        if fractionDigits.count > currency.minorDigits {
            // Trailing zeros beyond the currency's precision are harmless ("12.500").
            while fractionDigits.count > currency.minorDigits, fractionDigits.last == UInt8(ascii: "0") {
                fractionDigits.removeLast()
            }
            if fractionDigits.count > currency.minorDigits {
                return .failure(.tooManyDecimals(String(text), allowed: currency.minorDigits))
            }
        }
        while fractionDigits.count < currency.minorDigits { fractionDigits.append(UInt8(ascii: "0")) }
        var value: Int64 = 0
        for b in [integerDigits, fractionDigits].joined() {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(b - UInt8(ascii: "0")))
            if o1 || o2 { return .failure(.outOfRange(String(text))) }
            value = a
        }
        return .success(negative ? -value : value)
    }
}
