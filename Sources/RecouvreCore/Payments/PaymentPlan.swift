/// How often a plan's instalments fall due.
public enum PlanFrequency: String, Sendable, Codable, CaseIterable {
    case weekly, monthly, quarterly

    /// The due day of instalment `index` (0 is the first): monthly ones keep the first's day of
    /// the month, or the month's last day when it has none (31 January, then 28 February).
    public func due(first: Day, index: Int) -> Day {
        switch self {
        case .weekly: first.adding(days: 7 * index)
        case .monthly: first.adding(months: index)
        case .quarterly: first.adding(months: 3 * index)
        }
    }

    public var french: String {
        switch self {
        case .weekly: "hebdomadaire"
        case .monthly: "mensuelle"
        case .quarterly: "trimestrielle"
        }
    }
}

/// What the creditor's mandate lets the agency agree on its own (beyond, the creditor approves),
/// and what happens to a plan the debtor stops paying.
public struct PlanTerms: Sendable, Hashable, Codable {
    /// The longest plan, in months from the day it is agreed to the last instalment.
    public var maxMonths: Int
    /// The smallest first instalment, as a percentage of the balance (0: any).
    public var minFirstPercent: Int
    /// Whether late interest keeps running while the plan is kept (else it stops the day the plan
    /// starts, and runs again if the plan breaks: the waiver is conditional).
    public var interestRuns: Bool
    /// Days after a due date before an unpaid instalment is missed and the plan broken.
    public var graceDays: Int
    /// Where a broken plan sends the case: back to the amicable strategy, or to the decision phase.
    public var onBreak: CaseStatus

    public init(maxMonths: Int = 12, minFirstPercent: Int = 0, interestRuns: Bool = false, graceDays: Int = 10, onBreak: CaseStatus = .amicable) {
        self.maxMonths = maxMonths
        self.minFirstPercent = minFirstPercent
        self.interestRuns = interestRuns
        self.graceDays = graceDays
        self.onBreak = onBreak
    }
}

/// A plan as proposed: the balance it spreads and how.
public struct PlanProposal: Sendable, Hashable {
    public var balanceCents: Int64
    public var count: Int
    public var frequency: PlanFrequency
    public var firstOn: Day
    /// A first instalment larger (or smaller) than the others; nil: all equal.
    public var firstCents: Int64?

    public init(balanceCents: Int64, count: Int, frequency: PlanFrequency, firstOn: Day, firstCents: Int64? = nil) {
        self.balanceCents = balanceCents
        self.count = count
        self.frequency = frequency
        self.firstOn = firstOn
        self.firstCents = firstCents
    }
}

public struct Instalment: Sendable, Hashable {
    public let number: Int
    public let dueOn: Day
    public let cents: Int64
    public init(number: Int, dueOn: Day, cents: Int64) {
        self.number = number
        self.dueOn = dueOn
        self.cents = cents
    }
}

/// Where an instalment stands on a day.
public enum InstalmentStatus: String, Sendable, Codable, CaseIterable {
    /// Not yet due, or due today.
    case pending
    /// Covered by the payments received (perhaps after its day: `paidOn` says).
    case paid
    /// Its day has passed, within the grace period.
    case late
    /// Unpaid past the grace period: the plan is broken.
    case missed
}

public struct InstalmentState: Sendable, Hashable {
    public let instalment: Instalment
    public let status: InstalmentStatus
    /// The day the payments received reached it.
    public let paidOn: Day?

    public init(instalment: Instalment, status: InstalmentStatus, paidOn: Day?) {
        self.instalment = instalment
        self.status = status
        self.paidOn = paidOn
    }
}

/// Payment plans (rééchelonnement): the schedule, what needs the creditor's approval, and where
/// the instalments stand.
public enum PaymentPlan {
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case nothingOwed
        case badCount
        case firstInThePast(Day)
        case badFirstAmount
        case tooSmall

        public var description: String {
            switch self {
            case .nothingOwed: "the case owes nothing: there is nothing to spread"
            case .badCount: "a plan has between 1 and 60 instalments"
            case let .firstInThePast(d): "the first instalment cannot fall before today (\(d.iso))"
            case .badFirstAmount: "the first instalment must be more than nothing and less than the balance"
            case .tooSmall: "each instalment must be at least 1 €"
            }
        }
    }

    /// The schedule of `p`, exact to the cent: equal instalments (after the first, when it is set),
    /// the last absorbing what dividing left, so they sum to the balance.
    public static func schedule(_ p: PlanProposal, today: Day) -> Result<[Instalment], Problem> {
        guard p.balanceCents > 0 else { return .failure(.nothingOwed) }
        guard (1...60).contains(p.count) else { return .failure(.badCount) }
        guard p.firstOn >= today else { return .failure(.firstInThePast(today)) }
        var amounts: [Int64]
        if let first = p.firstCents, p.count > 1 {
            guard first > 0, first < p.balanceCents else { return .failure(.badFirstAmount) }
            let rest = p.balanceCents - first
            let each = rest / Int64(p.count - 1)
            amounts = [first] + [Int64](repeating: each, count: p.count - 2) + [rest - each * Int64(p.count - 2)]
        } else {
            let each = p.balanceCents / Int64(p.count)
            amounts = [Int64](repeating: each, count: p.count - 1) + [p.balanceCents - each * Int64(p.count - 1)]
        }
        guard amounts.allSatisfy({ $0 >= 100 }) else { return .failure(.tooSmall) }
        return .success(amounts.enumerated().map { Instalment(number: $0.offset + 1, dueOn: p.frequency.due(first: p.firstOn, index: $0.offset), cents: $0.element) })
    }

    /// Why the creditor must approve the plan (the mandate's limits it goes beyond); empty: the
    /// agency may agree it alone.
    public static func approvalsNeeded(_ schedule: [Instalment], balanceCents: Int64, terms: PlanTerms, today: Day) -> [String] {
        guard let first = schedule.first, let last = schedule.last else { return [] }
        var reasons: [String] = []
        if last.dueOn > today.adding(months: terms.maxMonths) {
            reasons.append("dernière échéance le \(last.dueOn.french), au-delà des \(terms.maxMonths) mois permis par le mandat")
        }
        // The first instalment against the mandate's minimum, in whole cents rounded up.
        let minimum = (balanceCents * Int64(terms.minFirstPercent) + 99) / 100
        if first.cents < minimum {
            reasons.append("premier versement de \(Money.eur(cents: first.cents).formatted()) inférieur au minimum du mandat (\(terms.minFirstPercent) % : \(Money.eur(cents: minimum).formatted()))")
        }
        return reasons
    }

    /// Where each instalment stands on `day`, the payments received since the plan began applied
    /// to the instalments in order (a payment larger than one instalment covers the next ones).
    public static func progress(_ schedule: [Instalment], payments: [(on: Day, cents: Int64)], asOf day: Day, graceDays: Int) -> [InstalmentState] {
        let received = payments.filter { $0.on <= day }.sorted { $0.on < $1.on }
        var states: [InstalmentState] = []
        var due: Int64 = 0
        for inst in schedule {
            due += inst.cents
            // The day the cumulative payments reached the cumulative due through this instalment.
            var total: Int64 = 0
            var paidOn: Day?
            for p in received {
                total += p.cents
                if total >= due { paidOn = p.on; break }
            }
            let status: InstalmentStatus = paidOn != nil ? .paid
                : day > inst.dueOn.adding(days: graceDays) ? .missed
                : day > inst.dueOn ? .late : .pending
            states.append(InstalmentState(instalment: inst, status: status, paidOn: paidOn))
        }
        return states
    }
}
