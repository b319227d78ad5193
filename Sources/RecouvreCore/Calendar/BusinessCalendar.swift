/// French public holidays (jours fériés, Code du travail L3133-1) and business-day arithmetic.
/// The one place where "is this a working day" is decided.
public struct BusinessCalendar: Sendable {
    /// Alsace-Moselle adds Good Friday and 26 December (Code du travail L3134-13).
    public var alsaceMoselle: Bool
    /// Extra closed days the agency configures (office closures, local holidays).
    public var extraClosedDays: Set<Day>

    public init(alsaceMoselle: Bool = false, extraClosedDays: Set<Day> = []) {
        self.alsaceMoselle = alsaceMoselle
        self.extraClosedDays = extraClosedDays
    }

    public static let france = BusinessCalendar()

    /// Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher).
    public static func easterSunday(year: Int) -> Day {
        let a = year % 19, b = year / 100, c = year % 100
        let d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return Day(year: year, month: month, day: day)!
    }

    public enum Holiday: String, Sendable, CaseIterable {
        case newYear, easterMonday, labourDay, victoryInEurope, ascension, whitMonday, bastilleDay,
             assumption, allSaints, armistice, christmas, goodFriday, saintStephen
    }

    /// The public holidays of `year`, each with its name.
    public func holidays(in year: Int) -> [(Day, Holiday)] {
        let easter = BusinessCalendar.easterSunday(year: year)
        var list: [(Day, Holiday)] = [
            (Day(year: year, month: 1, day: 1)!, .newYear),
            (easter.adding(days: 1), .easterMonday),
            (Day(year: year, month: 5, day: 1)!, .labourDay),
            (Day(year: year, month: 5, day: 8)!, .victoryInEurope),
            (easter.adding(days: 39), .ascension),
            (easter.adding(days: 50), .whitMonday),
            (Day(year: year, month: 7, day: 14)!, .bastilleDay),
            (Day(year: year, month: 8, day: 15)!, .assumption),
            (Day(year: year, month: 11, day: 1)!, .allSaints),
            (Day(year: year, month: 11, day: 11)!, .armistice),
            (Day(year: year, month: 12, day: 25)!, .christmas),
        ]
        if alsaceMoselle {
            list.append((easter.adding(days: -2), .goodFriday))
            list.append((Day(year: year, month: 12, day: 26)!, .saintStephen))
        }
        return list.sorted { $0.0 < $1.0 }
    }

    /// The same days as `holidays(in:)`, decided without building the year's list: the daily run
    /// asks this several times per case.
    public func isPublicHoliday(_ day: Day) -> Bool {
        switch (day.month, day.day) {
        case (1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25): return true
        case (12, 26): return alsaceMoselle
        default: break
        }
        // Easter Monday (+1), Ascension (+39), Whit Monday (+50), Good Friday (−2) fall in March to June.
        guard (3...6).contains(day.month) else { return false }
        let fromEaster = BusinessCalendar.easterSunday(year: day.year).days(until: day)
        return fromEaster == 1 || fromEaster == 39 || fromEaster == 50 || (alsaceMoselle && fromEaster == -2)
    }

    /// Monday to Friday, not a public holiday, not a configured closure.
    public func isBusinessDay(_ day: Day) -> Bool {
        day.weekday.rawValue <= 5 && !isPublicHoliday(day) && !extraClosedDays.contains(day)
    }

    /// `day` itself when it is a business day, else the next one.
    public func nextBusinessDay(onOrAfter day: Day) -> Day {
        var d = day
        while !isBusinessDay(d) { d = d.adding(days: 1) }
        return d
    }

    /// Moves `n` business days forward (n > 0) or backward (n < 0) from `day`.
    public func adding(businessDays n: Int, to day: Day) -> Day {
        var d = day
        var left = abs(n)
        let step = n >= 0 ? 1 : -1
        while left > 0 {
            d = d.adding(days: step)
            if isBusinessDay(d) { left -= 1 }
        }
        return d
    }

    /// Business days strictly after `from` up to and including `to`.
    public func businessDays(from: Day, to: Day) -> Int {
        guard from < to else { return 0 }
        var count = 0
        var d = from.adding(days: 1)
        while d <= to { if isBusinessDay(d) { count += 1 }; d = d.adding(days: 1) }
        return count
    }
}
