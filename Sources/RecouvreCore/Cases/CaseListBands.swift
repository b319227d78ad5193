/// The case list's amount bands: the balance still owed, in minor units of the case's currency.
/// Bounds are inclusive below, exclusive above, so every balance falls in exactly one band.
public enum BalanceBand: String, CaseIterable, Sendable {
    case under500, from500to2000, from2000to10000, from10000to50000, over50000

    /// The band's balance range in minor units (`upper` nil: no limit).
    public var range: (lower: Int64, upper: Int64?) {
        switch self {
        case .under500: (Int64.min, 500_00)
        case .from500to2000: (500_00, 2_000_00)
        case .from2000to10000: (2_000_00, 10_000_00)
        case .from10000to50000: (10_000_00, 50_000_00)
        case .over50000: (50_000_00, nil)
        }
    }

    public static func of(balanceMinorUnits b: Int64) -> BalanceBand {
        allCases.first { b >= $0.range.lower && ($0.range.upper.map { upper in b < upper } ?? true) }!
    }
}

/// The case list's age bands: days since the oldest claim of the case fell due.
public enum AgeBand: String, CaseIterable, Sendable {
    case upTo30, from31to90, from91to180, from181to365, over365

    /// Days overdue, inclusive at both ends (`most` nil: no limit).
    public var days: (least: Int, most: Int?) {
        switch self {
        case .upTo30: (Int.min, 30)
        case .from31to90: (31, 90)
        case .from91to180: (91, 180)
        case .from181to365: (181, 365)
        case .over365: (366, nil)
        }
    }

    /// The oldest due days a case of this band has on `today`: `earliest` nil means no limit.
    public func dueDays(on today: Day) -> (earliest: Day?, latest: Day?) {
        let d = days
        return (d.most.map { today.adding(days: -$0) }, d.least == Int.min ? nil : today.adding(days: -d.least))
    }

    public static func of(oldestDue: Day, on today: Day) -> AgeBand {
        let overdue = oldestDue.days(until: today)
        return allCases.first { overdue >= $0.days.least && ($0.days.most.map { most in overdue <= most } ?? true) }!
    }
}
