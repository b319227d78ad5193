import Foundation
import RecouvreCore

/// The system clock, read only at the edges (commands, request handlers); rules take the day or
/// instant as an argument.
public enum SystemClock {
    public static func now() -> Instant {
        Instant(millisecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
    }

    /// Today in France (Europe/Paris), the day the agency's deadlines count in.
    public static func today(timeZone: TimeZone = TimeZone(identifier: "Europe/Paris") ?? .current) -> Day {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        let c = cal.dateComponents([.year, .month, .day], from: Date())
        return Day(year: c.year!, month: c.month!, day: c.day!)!
    }
}
