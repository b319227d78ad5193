/// The amicable phase's configuration the agency edits: its strategies in order, its contact
/// rules and how work queues are ordered. Loaded from JSON and validated before it is used.
public struct CollectionSettings: Codable, Hashable, Sendable {
    public var strategies: [Strategy]
    public var contactRules: ContactRules
    public var queuePriority: QueuePriority
    /// Which team takes an amicable case nobody has yet; the first rule that matches wins.
    public var assignmentRules: [AssignmentRule]

    public init(strategies: [Strategy], contactRules: ContactRules = .prudentDefault, queuePriority: QueuePriority = QueuePriority(),
                assignmentRules: [AssignmentRule] = []) {
        self.strategies = strategies
        self.contactRules = contactRules
        self.queuePriority = queuePriority
        self.assignmentRules = assignmentRules
    }

    enum CodingKeys: String, CodingKey {
        case strategies, contactRules = "contact_rules", queuePriority = "queue_priority", assignmentRules = "assignment_rules"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        strategies = try c.decode([Strategy].self, forKey: .strategies)
        contactRules = try c.decodeIfPresent(ContactRules.self, forKey: .contactRules) ?? .prudentDefault
        queuePriority = try c.decodeIfPresent(QueuePriority.self, forKey: .queuePriority) ?? QueuePriority()
        assignmentRules = try c.decodeIfPresent([AssignmentRule].self, forKey: .assignmentRules) ?? []
    }

    /// The team that takes `s` by the assignment rules (nil: none matches).
    public func team(for s: CaseSnapshot, on date: Day) -> String? {
        assignmentRules.first { $0.tier.matches(s, on: date) }?.team
    }

    public var engine: AmicableEngine { AmicableEngine(strategies: strategies, rules: contactRules) }

    /// Everything wrong with these settings, each with where it is (empty: they can be used).
    public func problems() -> [SettingsProblem] {
        var out: [SettingsProblem] = []
        func add(_ path: String, _ message: String) { out.append(SettingsProblem(path: path, message: message)) }
        if strategies.isEmpty { add("strategies", "at least one strategy is needed") }
        var codes: Set<String> = []
        for (i, s) in strategies.enumerated() {
            let at = "strategies[\(i)]"
            if s.code.isEmpty || !s.code.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }) {
                add("\(at).code", "\"\(s.code)\" must be lower-case letters, digits, - or _")
            }
            if !codes.insert(s.code).inserted { add("\(at).code", "\"\(s.code)\" is used by another strategy") }
            if s.name.trimmingSpaces().isEmpty { add("\(at).name", "a strategy needs a name") }
            let t = s.tier
            if let a = t.minBalanceCents, let b = t.maxBalanceCents, a >= b { add("\(at).tier", "min_balance_cents (\(a)) must be below max_balance_cents (\(b))") }
            if let a = t.minClaimAgeDays, let b = t.maxClaimAgeDays, a >= b { add("\(at).tier", "min_claim_age_days must be below max_claim_age_days") }
            if let a = t.minRiskScore, let b = t.maxRiskScore, a >= b { add("\(at).tier", "min_risk_score must be below max_risk_score") }
            if t.minBalanceCents.map({ $0 < 0 }) == true { add("\(at).tier.min_balance_cents", "must not be negative") }
            if t.debtorKinds?.isEmpty == true { add("\(at).tier.debtor_kinds", "an empty list matches nothing; leave it out to take every kind") }
            if t.creditors?.isEmpty == true { add("\(at).tier.creditors", "an empty list matches nothing; leave it out to take every creditor") }
            checkSteps(s.steps, at: "\(at).steps", add)
            if !(0...366).contains(s.escalationAfterDays) { add("\(at).escalation_after_days", "must be between 0 and 366 (it is \(s.escalationAfterDays))") }
            if let c = s.challenger {
                if !(1...99).contains(c.sharePercent) { add("\(at).challenger.share_percent", "must be between 1 and 99 (it is \(c.sharePercent))") }
                checkSteps(c.steps, at: "\(at).challenger.steps", add)
            }
        }
        for (i, rule) in assignmentRules.enumerated() where rule.team.trimmingSpaces().isEmpty {
            add("assignment_rules[\(i)].team", "a rule names the team that takes the cases")
        }
        let r = contactRules
        if r.callDays.isEmpty || !r.callDays.allSatisfy({ (1...7).contains($0) }) { add("contact_rules.call_days", "weekdays are 1 (Monday) to 7 (Sunday), at least one") }
        if !(0...23).contains(r.callFromHour) || !(1...24).contains(r.callUntilHour) || r.callFromHour >= r.callUntilHour {
            add("contact_rules", "call hours must satisfy 0 ≤ call_from_hour < call_until_hour ≤ 24")
        }
        if r.maxCallAttemptsPer7Days < 1 { add("contact_rules.max_call_attempts_per_7_days", "must be at least 1") }
        if r.minDaysBetweenLetters < 0 { add("contact_rules.min_days_between_letters", "must not be negative") }
        let q = queuePriority
        if [q.amountWeight, q.ageWeight, q.brokenPromiseWeight].contains(where: { $0 < 0 }) { add("queue_priority", "weights must not be negative") }
        return out
    }

    private func checkSteps(_ steps: [StrategyStep], at path: String, _ add: (String, String) -> Void) {
        if steps.isEmpty { add(path, "a strategy needs at least one step"); return }
        // R124-4: the first letter to the debtor carries the mandatory mentions; nothing else
        // may come before it.
        if !steps[0].channel.isLetter { add("\(path)[0].channel", "the first step must be a letter or a registered letter (R124-4 first letter), not \(steps[0].channel.rawValue)") }
        for (j, step) in steps.enumerated() {
            if step.delayDays < 0 || step.delayDays > 366 { add("\(path)[\(j)].delay_days", "must be between 0 and 366 (it is \(step.delayDays))") }
            if step.channel == .review { add("\(path)[\(j)].channel", "a review is the escalation at the end, not a step") }
            if step.minBalanceCents.map({ $0 < 0 }) == true { add("\(path)[\(j)].min_balance_cents", "must not be negative") }
        }
    }
}

/// Gives the cases of a tier (creditor, balance band, debtor kind, age, score) to a team, whose
/// agents then share them in turn (`AssignmentRule.agent`).
public struct AssignmentRule: Codable, Hashable, Sendable {
    public var team: String
    public var tier: Tier

    public init(team: String, tier: Tier = Tier()) {
        self.team = team
        self.tier = tier
    }

    /// Round robin by case number over the team's agents (sorted by id, so every run and every
    /// process agrees): consecutive cases go to consecutive agents.
    public static func agent(forCase caseID: Int64, among agentIDs: [Int64]) -> Int64? {
        guard !agentIDs.isEmpty else { return nil }
        let sorted = agentIDs.sorted()
        return sorted[Int(caseID % Int64(sorted.count))]
    }
}

/// One thing wrong with the settings: where (a JSON path) and what.
public struct SettingsProblem: Hashable, Sendable, CustomStringConvertible {
    public let path: String
    public let message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "\(path): \(message)" }
}

/// How a work queue is ordered: each task's priority is a weighted sum, computed when the task
/// is created. Points: per €1,000 of balance, per 30 days past the oldest due date, and a fixed
/// bonus for a broken promise.
public struct QueuePriority: Codable, Hashable, Sendable {
    public var amountWeight: Int
    public var ageWeight: Int
    public var brokenPromiseWeight: Int

    public init(amountWeight: Int = 10, ageWeight: Int = 5, brokenPromiseWeight: Int = 50) {
        self.amountWeight = amountWeight
        self.ageWeight = ageWeight
        self.brokenPromiseWeight = brokenPromiseWeight
    }

    enum CodingKeys: String, CodingKey { case amountWeight = "amount_weight", ageWeight = "age_weight", brokenPromiseWeight = "broken_promise_weight" }

    public func score(balanceCents: Int64, oldestDueOn: Day?, on date: Day, brokenPromise: Bool) -> Int64 {
        let amount = Int64(amountWeight) * max(0, balanceCents) / 100_000
        let age = Int64(ageWeight) * Int64(max(0, oldestDueOn.map { $0.days(until: date) } ?? 0)) / 30
        return amount + age + (brokenPromise ? Int64(brokenPromiseWeight) : 0)
    }
}

extension CollectionSettings {
    /// The strategies Recouvre ships: French B2B by tier, and consumers (never a collection fee,
    /// L111-8; no visit). Each starts with the R124-4 first letter.
    public static let defaults = CollectionSettings(strategies: [
        Strategy(code: "b2b-small", name: "B2B < 1 000 €",
                 tier: Tier(maxBalanceCents: 100_000, debtorKinds: [.company]),
                 steps: [
                     StrategyStep(channel: .letter, delayDays: 0),
                     StrategyStep(channel: .call, delayDays: 10, onlyIfNoContact: true),
                     StrategyStep(channel: .email, delayDays: 5),
                     StrategyStep(channel: .letter, delayDays: 10),
                     StrategyStep(channel: .call, delayDays: 10),
                 ], escalation: .supervisorReview),
        Strategy(code: "b2b-medium", name: "B2B 1 000 – 5 000 €",
                 tier: Tier(minBalanceCents: 100_000, maxBalanceCents: 500_000, debtorKinds: [.company]),
                 steps: [
                     StrategyStep(channel: .letter, delayDays: 0),
                     StrategyStep(channel: .call, delayDays: 7),
                     StrategyStep(channel: .call, delayDays: 5, onlyIfNoContact: true),
                     StrategyStep(channel: .registeredLetter, delayDays: 10),
                     StrategyStep(channel: .call, delayDays: 10),
                 ], escalation: .decision),
        Strategy(code: "b2b-large", name: "B2B ≥ 5 000 €",
                 tier: Tier(minBalanceCents: 500_000, debtorKinds: [.company]),
                 steps: [
                     StrategyStep(channel: .registeredLetter, delayDays: 0),
                     StrategyStep(channel: .call, delayDays: 5),
                     StrategyStep(channel: .visit, delayDays: 10, onlyIfNoContact: true),
                     StrategyStep(channel: .registeredLetter, delayDays: 10),
                 ], escalation: .decision,
                 challenger: Challenger(sharePercent: 20, steps: [
                     StrategyStep(channel: .registeredLetter, delayDays: 0),
                     StrategyStep(channel: .call, delayDays: 3),
                     StrategyStep(channel: .call, delayDays: 4),
                     StrategyStep(channel: .visit, delayDays: 7),
                     StrategyStep(channel: .registeredLetter, delayDays: 10),
                 ], escalation: .decision)),
        Strategy(code: "b2c", name: "Particuliers",
                 tier: Tier(debtorKinds: [.consumer]),
                 steps: [
                     StrategyStep(channel: .letter, delayDays: 0),
                     StrategyStep(channel: .sms, delayDays: 5),
                     StrategyStep(channel: .call, delayDays: 7, onlyIfNoContact: true),
                     StrategyStep(channel: .letter, delayDays: 10),
                     StrategyStep(channel: .registeredLetter, delayDays: 15, minBalanceCents: 100_000),
                     StrategyStep(channel: .call, delayDays: 10),
                 ], escalation: .supervisorReview),
    ])
}
