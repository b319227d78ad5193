/// A civil day (year-month-day) with no time and no time zone: due dates, deadlines, periods.
public struct Day: Hashable, Sendable, Comparable, Codable, CustomStringConvertible, Strideable {
    public let year: Int
    public let month: Int
    public let day: Int
    /// Days since 1970-01-01, kept with the fields: comparisons and day arithmetic are what the
    /// daily run does most.
    public let daysSinceEpoch: Int

    /// nil when the three numbers do not make a real date (30 February, month 13, …).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), (1...9999).contains(year),
              day >= 1, day <= Day.daysIn(month: month, year: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
        daysSinceEpoch = Day.daysFromCivil(year: year, month: month, day: day)
    }

    /// The day `n` days after 1970-01-01 (negative before).
    public init(daysSinceEpoch n: Int) {
        // Howard Hinnant's civil_from_days.
        let z = n + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        month = m
        day = d
        daysSinceEpoch = n
    }

    /// Days since 1970-01-01 (Hinnant's days_from_civil).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public enum Weekday: Int, Sendable, CaseIterable { case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday }

    public var weekday: Weekday {
        // 1970-01-01 was a Thursday.
        let n = daysSinceEpoch
        let idx = ((n % 7) + 7 + 3) % 7 // 0 = Monday
        return Weekday(rawValue: idx + 1)!
    }

    public func adding(days n: Int) -> Day { Day(daysSinceEpoch: daysSinceEpoch + n) }

    /// Same day `n` months later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb).
    public func adding(months n: Int) -> Day {
        let total = year * 12 + (month - 1) + n
        let y = total / 12, m = total % 12 + 1
        return Day(year: y, month: m, day: min(day, Day.daysIn(month: m, year: y)))!
    }

    public func days(until other: Day) -> Int { other.daysSinceEpoch - daysSinceEpoch }

    public func distance(to other: Day) -> Int { days(until: other) }
    public func advanced(by n: Int) -> Day { adding(days: n) }

    public static func < (a: Day, b: Day) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }
    public static func == (a: Day, b: Day) -> Bool { a.daysSinceEpoch == b.daysSinceEpoch }
    public func hash(into hasher: inout Hasher) { hasher.combine(daysSinceEpoch) }

    /// ISO 8601 `YYYY-MM-DD`, which also sorts as text (the storage form).
    public var description: String { iso }

    public var iso: String {
        let (year, month, day) = (self.year, self.month, self.day)
        guard (0...9999).contains(year) else {
            func pad(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
            return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
        }
        // Ten bytes written in place (a small string, no allocation): pages and runs write thousands.
        return Self.tenBytes(year, 0, month, 5, day, 8, separator: UInt8(ascii: "-"), at: 4, 7)
    }

    /// French display `dd/mm/yyyy`.
    public var french: String {
        let (year, month, day) = (self.year, self.month, self.day)
        guard (1000...9999).contains(year) else {
            func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
            return "\(pad(day))/\(pad(month))/\(year)"
        }
        return Self.tenBytes(year, 6, month, 3, day, 0, separator: UInt8(ascii: "/"), at: 2, 5)
    }

    /// A four-digit year, a month and a day at the given offsets of ten bytes, two separators.
    private static func tenBytes(_ year: Int, _ y: Int, _ month: Int, _ m: Int, _ day: Int, _ d: Int, separator: UInt8, at s1: Int, _ s2: Int) -> String {
        String(unsafeUninitializedCapacity: 10) { b in
            let zero = UInt8(ascii: "0")
            b[y] = zero + UInt8(year / 1000); b[y + 1] = zero + UInt8(year / 100 % 10); b[y + 2] = zero + UInt8(year / 10 % 10); b[y + 3] = zero + UInt8(year % 10)
            b[m] = zero + UInt8(month / 10); b[m + 1] = zero + UInt8(month % 10)
            b[d] = zero + UInt8(day / 10); b[d + 1] = zero + UInt8(day % 10)
            b[s1] = separator; b[s2] = separator
            return 10
        }
    }

    /// Reads `YYYY-MM-DD`, `DD/MM/YYYY`, `DD-MM-YYYY` or `DD.MM.YYYY` (the forms French files use).
    /// Two-digit years are refused: a due date must not be guessed.
    public init?(parsing text: some StringProtocol) {
        self.init(reading: text)
    }

    /// The same for a `String`, the form rows and fields come in: this overload is what lets the
    /// compiler read it without the generic path (a tenth of reading a million balances).
    public init?(parsing text: String) {
        // The storage form straight from the bytes: a list page reads three days a row.
        var text = text
        if let day = text.withUTF8({ $0.count == 10 ? Day.iso($0) : nil }) { self = day; return }
        self.init(reading: text)
    }

    private init?<S: StringProtocol>(reading text: S) {
        // The storage form first, without allocating: the daily run reads several per case.
        if text.utf8.count == 10, let d = Day.iso(text.utf8) { self = d; return }
        // Byte-level: intake reads two dates per row of files with millions of rows.
        var numbers: [Int] = []
        var widths: [Int] = []
        var separator: UInt8 = 0
        var current = 0, width = 0
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                current = current * 10 + Int(b - UInt8(ascii: "0")); width += 1
                if width > 4 { return nil }
            case UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "."):
                guard width > 0, separator == 0 || separator == b, numbers.count < 2 else { return nil }
                separator = b
                numbers.append(current); widths.append(width); current = 0; width = 0
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                guard numbers.isEmpty && width == 0 || numbers.count == 2 && width > 0 else { return nil }
            default:
                return nil
            }
        }
        guard width > 0, numbers.count == 2 else { return nil }
        numbers.append(current); widths.append(width)
        if widths[0] == 4, widths[1] <= 2, widths[2] <= 2, separator == UInt8(ascii: "-") {
            self.init(year: numbers[0], month: numbers[1], day: numbers[2])
        } else if widths[2] == 4, widths[0] <= 2, widths[1] <= 2 {
            self.init(year: numbers[2], month: numbers[1], day: numbers[0])
        } else {
            return nil
        }
    }

    /// Exactly `YYYY-MM-DD`, or nil.
    private static func iso(_ utf8: some Collection<UInt8>) -> Day? {
        var year = 0, month = 0, day = 0, i = 0
        for b in utf8 {
            if i == 4 || i == 7 {
                guard b == UInt8(ascii: "-") else { return nil }
            } else {
                guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
                let digit = Int(b - UInt8(ascii: "0"))
                if i < 4 { year = year * 10 + digit } else if i < 7 { month = month * 10 + digit } else { day = day * 10 + digit }
            }
            i += 1
        }
        return i == 10 ? Day(year: year, month: month, day: day) : nil
    }

    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let d = Day(parsing: s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date: \(s)"))
        }
        self = d
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(iso)
    }
}
