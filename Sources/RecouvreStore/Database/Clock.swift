import Foundation
import RecouvreCore
import Synchronization

/// The system clock, read only at the edges (commands, request handlers); rules take the day or
/// instant as an argument.
public enum SystemClock {
    public static func now() -> Instant {
        Instant(millisecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
    }

    /// Today in France (Europe/Paris), the day the agency's deadlines count in.
    public static func today() -> Day {
        let now = Date().timeIntervalSince1970
        if let day = parisDay.withLock({ $0.flatMap { now >= $0.start && now < $0.end ? $0.day : nil } }) { return day }
        let found = ParisDay(containing: Date(timeIntervalSince1970: now))
        parisDay.withLock { $0 = found }
        return found.day
    }

    /// The Paris day of the last call and the instants it runs between: a page asks for today on
    /// every request, and a calendar's reckoning with its time zone rules was 2 % of a list page's
    /// CPU (perf, a million cases).
    private static let parisDay = Mutex<ParisDay?>(nil)

    private struct ParisDay: Sendable {
        static let zone = TimeZone(identifier: "Europe/Paris") ?? .current
        let day: Day
        /// Seconds since 1970: the day's first instant and the next day's.
        let start, end: Double

        init(containing date: Date) {
            var cal = Calendar(identifier: .gregorian)
            cal.timeZone = Self.zone
            let c = cal.dateComponents([.year, .month, .day], from: date)
            day = Day(year: c.year!, month: c.month!, day: c.day!)!
            let first = cal.startOfDay(for: date)
            start = first.timeIntervalSince1970
            end = (cal.date(byAdding: .day, value: 1, to: first) ?? first.addingTimeInterval(86_400)).timeIntervalSince1970
        }
    }
}
