/// When and how often the agency may contact a debtor. No French statute sets hours for amicable
/// collection; harassment is unlawful (Code de la consommation L121-7, Code pénal 222-16). The
/// defaults are DOMAIN.md's prudent ones: calls Monday to Saturday, 8:00 to 20:00, never on a
/// public holiday, a few attempts a week, and a gap between two letters.
public struct ContactRules: Codable, Hashable, Sendable {
    /// ISO weekdays (1 = Monday … 7 = Sunday) on which calls and visits are allowed.
    public var callDays: [Int]
    /// Local time (Europe/Paris), hours: calls from `callFromHour`:00 to `callUntilHour`:00.
    public var callFromHour: Int
    public var callUntilHour: Int
    public var noCallsOnHolidays: Bool
    /// Call attempts per debtor case over any 7 days.
    public var maxCallAttemptsPer7Days: Int
    /// Days between two letters to the same case.
    public var minDaysBetweenLetters: Int

    public init(callDays: [Int] = [1, 2, 3, 4, 5, 6], callFromHour: Int = 8, callUntilHour: Int = 20, noCallsOnHolidays: Bool = true,
                maxCallAttemptsPer7Days: Int = 3, minDaysBetweenLetters: Int = 7) {
        self.callDays = callDays
        self.callFromHour = callFromHour
        self.callUntilHour = callUntilHour
        self.noCallsOnHolidays = noCallsOnHolidays
        self.maxCallAttemptsPer7Days = maxCallAttemptsPer7Days
        self.minDaysBetweenLetters = minDaysBetweenLetters
    }

    public static let prudentDefault = ContactRules()

    enum CodingKeys: String, CodingKey {
        case callDays = "call_days", callFromHour = "call_from_hour", callUntilHour = "call_until_hour",
             noCallsOnHolidays = "no_calls_on_holidays", maxCallAttemptsPer7Days = "max_call_attempts_per_7_days",
             minDaysBetweenLetters = "min_days_between_letters"
    }

    /// A call or visit may take place on `day`.
    public func allowsCall(on day: Day, calendar: BusinessCalendar) -> Bool {
        callDays.contains(day.weekday.rawValue) && !(noCallsOnHolidays && calendar.isPublicHoliday(day))
    }

    /// The first day on or after `day` on which a call is allowed.
    public func nextCallDay(onOrAfter day: Day, calendar: BusinessCalendar) -> Day {
        var d = day
        for _ in 0..<14 where !allowsCall(on: d, calendar: calendar) { d = d.adding(days: 1) }
        return d
    }

    /// The first day on or after `day` on which one more call keeps within the weekly cap, given
    /// the days of earlier attempts.
    public func nextCallDay(onOrAfter day: Day, attempts: [Day]) -> Day {
        let recent = attempts.filter { day.adding(days: -6) <= $0 && $0 <= day }.sorted()
        guard recent.count >= maxCallAttemptsPer7Days, maxCallAttemptsPer7Days > 0 else { return day }
        // The window frees when the oldest attempts that fill it leave the 7 days.
        return recent[recent.count - maxCallAttemptsPer7Days].adding(days: 7)
    }

    /// Why recording `channel` at `instant` would break the rules (empty: it does not).
    public func violations(channel: CaseAction.Channel, at instant: Instant, state: ContactState, calendar: BusinessCalendar) -> [ContactRuleViolation] {
        var out: [ContactRuleViolation] = []
        let asked = StepChannel(channel)
        if state.refusedChannels.contains(asked) { out.append(.refusedChannel(asked)) }
        switch channel {
        // A text message rings a phone: the call days and hours hold for it too.
        case .call, .visit, .sms:
            let local = ParisTime(instant)
            if !allowsCall(on: local.day, calendar: calendar) { out.append(.dayNotAllowed(local.day)) }
            if local.hour < callFromHour || local.hour >= callUntilHour { out.append(.outsideHours(local.hour, local.minute)) }
            if channel == .call, nextCallDay(onOrAfter: local.day, attempts: state.callAttempts) > local.day {
                out.append(.tooManyCalls(maxCallAttemptsPer7Days))
            }
        case .letter, .registeredLetter:
            if let last = state.lastLetterOn, last.days(until: instant.day) < minDaysBetweenLetters {
                out.append(.lettersTooClose(last))
            }
        case .email, .note: break
        }
        return out
    }
}

public enum ContactRuleViolation: Hashable, Sendable, CustomStringConvertible {
    case refusedChannel(StepChannel)
    case dayNotAllowed(Day)
    case outsideHours(Int, Int)
    case tooManyCalls(Int)
    case lettersTooClose(Day)

    /// In French, like the rest of what agents read.
    public var description: String {
        switch self {
        case let .refusedChannel(c): "le débiteur a refusé ce canal (\(c.french))"
        case let .dayNotAllowed(d): "pas d'appel ni de visite ce jour-là (\(d.french))"
        case let .outsideHours(h, m): "hors des heures d'appel (il est \(h) h \(m < 10 ? "0" : "")\(m), heure de Paris)"
        case let .tooManyCalls(n): "déjà \(n) tentatives d'appel sur 7 jours"
        case let .lettersTooClose(d): "un courrier est déjà parti le \(d.french)"
        }
    }
}

/// What the agency knows of its contacts with a case's debtor, kept up to date as actions are
/// recorded; the engine and the contact rules read it.
public struct ContactState: Hashable, Sendable {
    public var lastContactOn: Day?
    public var lastLetterOn: Day?
    /// Days of call attempts over the last weeks (the rules need 7 days).
    public var callAttempts: [Day]
    public var refusedChannels: Set<StepChannel>
    public var promise: PaymentPromise?

    public init(lastContactOn: Day? = nil, lastLetterOn: Day? = nil, callAttempts: [Day] = [], refusedChannels: Set<StepChannel> = [], promise: PaymentPromise? = nil) {
        self.lastContactOn = lastContactOn
        self.lastLetterOn = lastLetterOn
        self.callAttempts = callAttempts
        self.refusedChannels = refusedChannels
        self.promise = promise
    }

    /// The state after `action` was recorded on `day` (with the promise it carries, if any).
    public func recording(_ action: CaseAction, on day: Day, promise newPromise: PaymentPromise? = nil) -> ContactState {
        var s = self
        switch action.outcome {
        case .reached, .promise, .refusal, .dispute: s.lastContactOn = day
        default: break
        }
        if action.channel == .call { s.callAttempts = (s.callAttempts.filter { day.adding(days: -13) <= $0 } + [day]).sorted() }
        if action.channel == .letter || action.channel == .registeredLetter, action.outcome == .sent { s.lastLetterOn = day }
        if action.outcome == .promise, let p = newPromise { s.promise = p }
        return s
    }
}

/// A debtor's promise to pay `amountCents` by `dueOn`; `paidBeforeCents` is what the case had
/// received when it was made, so what comes after can be counted against it.
public struct PaymentPromise: Hashable, Sendable {
    public var amountCents: Int64
    public var dueOn: Day
    public var paidBeforeCents: Int64
    public init(amountCents: Int64, dueOn: Day, paidBeforeCents: Int64) {
        self.amountCents = amountCents
        self.dueOn = dueOn
        self.paidBeforeCents = paidBeforeCents
    }

    public enum Result: String, Sendable, Codable { case kept, partlyKept = "partly_kept", broken }

    /// Kept, partly kept or broken, from what the case has received by now.
    public func result(paidNowCents: Int64) -> Result {
        let received = paidNowCents - paidBeforeCents
        if received >= amountCents { return .kept }
        return received > 0 ? .partlyKept : .broken
    }
}

/// A UTC instant read as a civil time in Paris: UTC+1, and UTC+2 from the last Sunday of March
/// 01:00 UTC to the last Sunday of October 01:00 UTC (EU directive 2000/84/EC).
public struct ParisTime: Sendable, Equatable {
    public let day: Day
    public let hour: Int
    public let minute: Int

    public init(_ instant: Instant) {
        let utcDay = instant.day
        let year = utcDay.year
        func lastSunday(month: Int) -> Day {
            var d = Day(year: year, month: month, day: 31)!
            while d.weekday != .sunday { d = d.adding(days: -1) }
            return d
        }
        let hourMs: Int64 = 3_600_000
        let start = Int64(lastSunday(month: 3).daysSinceEpoch) * 86_400_000 + hourMs
        let end = Int64(lastSunday(month: 10).daysSinceEpoch) * 86_400_000 + hourMs
        let ms = instant.millisecondsSinceEpoch
        let offset = (start <= ms && ms < end) ? 2 * hourMs : hourMs
        let local = Instant(millisecondsSinceEpoch: ms + offset)
        day = local.day
        let inDay = local.millisecondsSinceEpoch - Int64(day.daysSinceEpoch) * 86_400_000
        hour = Int(inDay / hourMs)
        minute = Int(inDay / 60_000 % 60)
    }
}

/// What an agent records with an action besides its report: the promise the debtor made, the
/// contact point used (marked invalid on a wrong number), and whether the debtor refuses this
/// channel from now on.
public struct ActionDetails: Hashable, Sendable {
    public var promiseCents: Int64?
    public var promiseDueOn: Day?
    public var contactValue: String?
    public var refusesChannel: Bool
    /// With a dispute: the claims contested. Empty: the debtor contests the whole case.
    public var disputedClaimIDs: Set<Int64>

    public init(promiseCents: Int64? = nil, promiseDueOn: Day? = nil, contactValue: String? = nil, refusesChannel: Bool = false,
                disputedClaimIDs: Set<Int64> = []) {
        self.promiseCents = promiseCents
        self.promiseDueOn = promiseDueOn
        self.contactValue = contactValue.map { $0.trimmingSpaces() }.flatMap { $0.isEmpty ? nil : $0 }
        self.refusesChannel = refusesChannel
        self.disputedClaimIDs = disputedClaimIDs
    }

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case promiseIncomplete, promiseNotPositive, promiseInThePast(Day), promiseWithoutThatOutcome
        public var description: String {
            switch self {
            case .promiseIncomplete: "a promise needs both an amount and a date"
            case .promiseNotPositive: "the promised amount must be above zero"
            case let .promiseInThePast(d): "the promised date must be today or later (today is \(d.iso))"
            case .promiseWithoutThatOutcome: "an amount and date of promise go with the outcome \"promise\""
            }
        }
    }

    /// The promise these details carry for `action` recorded on `today`, checked.
    public func promise(for action: CaseAction, today: Day, paidBeforeCents: Int64) throws(Problem) -> PaymentPromise? {
        guard promiseCents != nil || promiseDueOn != nil else { return nil }
        guard action.outcome == .promise else { throw .promiseWithoutThatOutcome }
        guard let amount = promiseCents, let due = promiseDueOn else { throw .promiseIncomplete }
        guard amount > 0 else { throw .promiseNotPositive }
        guard due >= today else { throw .promiseInThePast(today) }
        return PaymentPromise(amountCents: amount, dueOn: due, paidBeforeCents: paidBeforeCents)
    }
}
