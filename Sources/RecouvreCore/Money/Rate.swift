/// An annual percentage rate held exactly, in millionths of a percent (12.15 % = 12_150_000).
/// Rates come from published tables and contracts with at most a few decimals; a Double would
/// make interest drift by a cent here and there.
public struct Rate: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public static let scale: Int64 = 1_000_000
    public let microPercent: Int64

    public init(microPercent: Int64) { self.microPercent = microPercent }

    /// `Rate(percent: "12.15")`; nil when the text is not a plain decimal with at most 6 decimals.
    public init?(percent text: String) {
        var t = Substring(text.trimmingSpaces())
        if t.hasSuffix("%") { t = t.dropLast() }
        t = Substring(String(t).trimmingSpaces().replacingCommaWithDot())
        guard !t.isEmpty else { return nil }
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0].isEmpty ? "0" : parts[0]), whole >= 0 else { return nil }
        var frac = parts.count == 2 ? String(parts[1]) : ""
        guard frac.count <= 6, frac.allSatisfy(\.isASCIIDigit) else { return nil }
        frac += String(repeating: "0", count: 6 - frac.count)
        microPercent = whole * Rate.scale + (Int64(frac) ?? 0)
    }

    public static func percent(_ whole: Int64, hundredths: Int64 = 0) -> Rate {
        Rate(microPercent: whole * scale + hundredths * 10_000)
    }

    public static func + (a: Rate, b: Rate) -> Rate { Rate(microPercent: a.microPercent + b.microPercent) }
    public static func * (a: Rate, k: Int64) -> Rate { Rate(microPercent: a.microPercent * k) }
    public static func < (a: Rate, b: Rate) -> Bool { a.microPercent < b.microPercent }

    /// "12.15" — as few decimals as needed, at least two.
    public var description: String { written(point: ".") }

    /// The rate with `point` before its decimals, reckoned on the integer (the case page writes
    /// a rate for each line of interest; trimming a String's zeros one Character at a time cost
    /// 1 % of it). A negative rate (the ECB's deposit rate was -0.50) keeps its sign.
    func written(point: String) -> String {
        let magnitude = microPercent.magnitude, scale = UInt64(Rate.scale)
        var fraction = magnitude % scale, decimals = 6
        while decimals > 2, fraction % 10 == 0 { fraction /= 10; decimals -= 1 }
        let digits = String(fraction)
        return (microPercent < 0 ? "-" : "") + String(magnitude / scale) + point + String(repeating: "0", count: decimals - digits.count) + digits
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let r = Rate(percent: s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a rate: \(s)"))
        }
        self = r
    }
}

/// Rounds `numerator / denominator` to the nearest integer, halves away from zero: the one
/// rounding of DESIGN.md, applied once at the end of a computation.
public func divideRoundingHalfAwayFromZero(_ numerator: Int128, _ denominator: Int128) -> Int128 {
    precondition(denominator > 0)
    let q = numerator / denominator
    let r = numerator % denominator
    if (r < 0 ? -r : r) * 2 >= denominator { return numerator < 0 ? q - 1 : q + 1 }
    return q
}

/// Simple interest on `principal` for `days` days at annual `rate`, 365-day basis:
/// amount × days × rate / (365 × 100), rounded once to the minor unit (DOMAIN.md, "Interest").
public func simpleInterest(on principal: Money, rate: Rate, days: Int) -> Money {
    let n = Int128(principal.minorUnits) * Int128(days) * Int128(rate.microPercent)
    let d = Int128(365) * 100 * Int128(Rate.scale)
    return Money(minorUnits: Int64(divideRoundingHalfAwayFromZero(n, d)), currency: principal.currency)
}
