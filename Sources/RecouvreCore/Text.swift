// Small text helpers without Foundation, shared by the parsers of the core. Intake runs them on
// every field of files with millions of rows, so each has a byte-level path for ASCII text (the
// common case, measured in the intake benchmark) and the Character-level path for the rest.

extension Character {
    var isASCIIDigit: Bool { asciiValue.map { $0 >= 48 && $0 <= 57 } ?? false }
}

extension UInt8 {
    var isASCIIDigit: Bool { self >= 0x30 && self <= 0x39 }
    var isASCIILetter: Bool { (self | 0x20) >= 0x61 && (self | 0x20) <= 0x7A }
}

extension Array where Element == UInt8 {
    /// `value` in decimal digits (a minus first when negative), without a String between: the
    /// pages' tables and the ids written into statements append hundreds a request.
    public mutating func appendDecimal(_ value: Int64) {
        if value < 0 { append(UInt8(ascii: "-")) }
        let start = count
        var rest = value.magnitude
        repeat {
            append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        self[start...].reverse()
    }
}

extension Int64 {
    /// An integer written in decimal digits, a minus first when negative, as `appendDecimal`
    /// writes it and PostgreSQL prints one; nil for anything else or a value out of range. Read
    /// from the bytes, without a String between: a list page's packed rows hold hundreds.
    public init?(decimal bytes: UnsafeBufferPointer<UInt8>) {
        let negative = bytes.first == UInt8(ascii: "-")
        let digits = negative ? UnsafeBufferPointer(rebasing: bytes.dropFirst()) : bytes
        guard !digits.isEmpty else { return nil }
        var magnitude: UInt64 = 0
        for b in digits {
            guard b.isASCIIDigit else { return nil }
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(b - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            magnitude = sum
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            self = magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude)
        } else {
            guard magnitude <= UInt64(Int64.max) else { return nil }
            self = Int64(magnitude)
        }
    }
}

extension StringProtocol {
    /// Drops leading and trailing spaces, tabs, line breaks and no-break spaces.
    public func trimmingSpaces() -> String {
        let whole = String(self) // free for a String
        guard let first = whole.utf8.first, let last = whole.utf8.last else { return "" }
        // Neither end is a space nor a byte of U+00A0 (C2 A0) or U+202F (E2 80 AF): nothing to trim.
        func mayBeSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A || b >= 0x80 }
        if !mayBeSpace(first), !mayBeSpace(last) { return whole }
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\u{00A0}" || $0 == "\u{202F}" || $0 == "\r" || $0 == "\n" }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = lastIndex(where: { !isSpace($0) })!
        return String(self[start...end])
    }

    func replacingCommaWithDot() -> String {
        String(map { $0 == "," ? "." : $0 })
    }

    /// True when every character is an ASCII digit (and there is at least one).
    var isASCIIDigits: Bool { !utf8.isEmpty && utf8.allSatisfy(\.isASCIIDigit) }

    /// Removes spaces, dots and dashes that people put in identifiers, and upper-cases letters.
    var compactIdentifier: String {
        if utf8.allSatisfy({ $0 < 0x80 }) {
            var out: [UInt8] = []
            out.reserveCapacity(utf8.count)
            for b in utf8 where !(b == 0x20 || b == 0x2E || b == 0x2D || b == 0x09) {
                out.append(b >= 0x61 && b <= 0x7A ? b - 0x20 : b)
            }
            return String(decoding: out, as: UTF8.self)
        }
        return String(filter { !($0 == " " || $0 == "." || $0 == "-" || $0 == "\u{00A0}" || $0 == "\u{202F}" || $0 == "\t") }).uppercased()
    }

    /// Lower case, with an ASCII fast path.
    var lowercasedFast: String {
        guard utf8.allSatisfy({ $0 < 0x80 }) else { return lowercased() }
        guard utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return String(self) }
        return String(decoding: utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }
}
