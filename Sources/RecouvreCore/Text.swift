// Small text helpers without Foundation, shared by the parsers of the core.

extension Character {
    var isASCIIDigit: Bool { asciiValue.map { $0 >= 48 && $0 <= 57 } ?? false }
}

extension StringProtocol {
    /// Drops leading and trailing spaces, tabs and no-break spaces.
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\u{00A0}" || $0 == "\u{202F}" || $0 == "\r" || $0 == "\n" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = lastIndex(where: { !isSpace($0) })!
        return String(self[first...last])
    }

    func replacingCommaWithDot() -> String {
        String(map { $0 == "," ? "." : $0 })
    }

    /// Only the characters that are ASCII digits.
    var digitsOnly: String { String(filter(\.isASCIIDigit)) }

    /// Removes spaces, dots and dashes that people put in identifiers, and upper-cases letters.
    var compactIdentifier: String {
        String(filter { !($0 == " " || $0 == "." || $0 == "-" || $0 == "\u{00A0}" || $0 == "\u{202F}" || $0 == "\t") }).uppercased()
    }
}
