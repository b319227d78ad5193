/// How the agency reaches a debtor at one step of a strategy. `review` is internal: a supervisor
/// looks at the case.
public enum StepChannel: String, Codable, Sendable, CaseIterable {
    case letter, registeredLetter = "registered_letter", call, visit, email, sms, review

    /// Letters, emails and texts go to the outbox (the documents issue renders and sends them);
    /// calls, visits and reviews go to a person's work queue.
    public var goesToOutbox: Bool { self == .letter || self == .registeredLetter || self == .email || self == .sms }
    public var isLetter: Bool { self == .letter || self == .registeredLetter }

    /// The kind of contact point this channel needs.
    public var needs: ContactPoint.Kind? {
        switch self {
        case .letter, .registeredLetter, .visit: .address
        case .call, .sms: .phone
        case .email: .email
        case .review: nil
        }
    }

    /// The recorded action's channel once done.
    public var actionChannel: CaseAction.Channel {
        switch self {
        case .letter: .letter
        case .registeredLetter: .registeredLetter
        case .call: .call
        case .visit: .visit
        case .email: .email
        case .sms: .sms
        case .review: .note
        }
    }

    public init(_ channel: CaseAction.Channel) {
        self = switch channel {
        case .letter: .letter
        case .registeredLetter: .registeredLetter
        case .call: .call
        case .visit: .visit
        case .email: .email
        case .sms: .sms
        case .note: .review
        }
    }

    /// As the reasons and pages say it, within a sentence.
    public var french: String {
        switch self {
        case .letter: "courrier"
        case .registeredLetter: "lettre recommandée"
        case .call: "appel"
        case .visit: "visite"
        case .email: "courriel"
        case .sms: "SMS"
        case .review: "revue par le superviseur"
        }
    }
}

/// One step of a strategy: a channel, when it falls, and the conditions that must hold.
public struct StrategyStep: Codable, Hashable, Sendable {
    public enum Anchor: String, Codable, Sendable { case previousStep = "previous_step", dueDate = "due_date" }

    public var channel: StepChannel
    /// Days after the anchor (the previous step, or the claim's oldest due date).
    public var delayDays: Int
    public var after: Anchor
    /// Moved to the next business day when it falls on a weekend or public holiday.
    public var businessDaysOnly: Bool
    /// Skipped once the debtor has been reached.
    public var onlyIfNoContact: Bool
    /// Skipped below this balance (e.g. a visit only above €5,000).
    public var minBalanceCents: Int64?
    /// The letter template this step writes with (its code in the letter settings); nil: the
    /// channel's own. A case whose first letter is not out yet gets a first-letter template whatever
    /// this says (R124-4).
    public var template: String?

    public init(channel: StepChannel, delayDays: Int, after: Anchor = .previousStep, businessDaysOnly: Bool = true,
                onlyIfNoContact: Bool = false, minBalanceCents: Int64? = nil, template: String? = nil) {
        self.channel = channel
        self.delayDays = delayDays
        self.after = after
        self.businessDaysOnly = businessDaysOnly
        self.onlyIfNoContact = onlyIfNoContact
        self.minBalanceCents = minBalanceCents
        self.template = template
    }

    enum CodingKeys: String, CodingKey {
        case channel, delayDays = "delay_days", after, businessDaysOnly = "business_days_only",
             onlyIfNoContact = "only_if_no_contact", minBalanceCents = "min_balance_cents", template
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        channel = try c.decode(StepChannel.self, forKey: .channel)
        delayDays = try c.decode(Int.self, forKey: .delayDays)
        after = try c.decodeIfPresent(Anchor.self, forKey: .after) ?? .previousStep
        businessDaysOnly = try c.decodeIfPresent(Bool.self, forKey: .businessDaysOnly) ?? true
        onlyIfNoContact = try c.decodeIfPresent(Bool.self, forKey: .onlyIfNoContact) ?? false
        minBalanceCents = try c.decodeIfPresent(Int64.self, forKey: .minBalanceCents)
        template = try c.decodeIfPresent(String.self, forKey: .template)
    }
}

/// What happens once every step has been done without the case being settled.
public enum Escalation: String, Codable, Sendable, CaseIterable {
    /// A review task in the supervisor's queue.
    case supervisorReview = "supervisor_review"
    /// The case moves to the decision phase.
    case decision
}

/// Which cases a strategy takes: the tier (palier) of amount owed, and optionally the debtor's
/// kind, the creditor, the age of the oldest claim and the risk score. Bounds are inclusive below
/// and exclusive above; a missing bound does not restrict.
public struct Tier: Codable, Hashable, Sendable {
    public var minBalanceCents: Int64?
    public var maxBalanceCents: Int64?
    public var debtorKinds: [Debtor.Kind]?
    public var creditors: [String]?
    public var minClaimAgeDays: Int?
    public var maxClaimAgeDays: Int?
    /// Only scored cases match a strategy with a score bound.
    public var minRiskScore: Int?
    public var maxRiskScore: Int?
    /// The debtor's language (an assignment rule sending English-speaking debtors to agents who speak it).
    public var languages: [Language]?

    public init(minBalanceCents: Int64? = nil, maxBalanceCents: Int64? = nil, debtorKinds: [Debtor.Kind]? = nil, creditors: [String]? = nil,
                minClaimAgeDays: Int? = nil, maxClaimAgeDays: Int? = nil, minRiskScore: Int? = nil, maxRiskScore: Int? = nil, languages: [Language]? = nil) {
        self.minBalanceCents = minBalanceCents
        self.maxBalanceCents = maxBalanceCents
        self.debtorKinds = debtorKinds
        self.creditors = creditors
        self.minClaimAgeDays = minClaimAgeDays
        self.maxClaimAgeDays = maxClaimAgeDays
        self.minRiskScore = minRiskScore
        self.maxRiskScore = maxRiskScore
        self.languages = languages
    }

    enum CodingKeys: String, CodingKey {
        case minBalanceCents = "min_balance_cents", maxBalanceCents = "max_balance_cents", debtorKinds = "debtor_kinds", creditors,
             minClaimAgeDays = "min_claim_age_days", maxClaimAgeDays = "max_claim_age_days",
             minRiskScore = "min_risk_score", maxRiskScore = "max_risk_score", languages
    }

    public func matches(_ s: CaseSnapshot, on date: Day) -> Bool {
        /// `value` within [min, max); a missing bound does not restrict, a missing value fails a bound.
        func within<T: Comparable>(_ value: T?, _ min: T?, _ max: T?) -> Bool {
            guard min != nil || max != nil else { return true }
            guard let v = value else { return false }
            return (min.map { v >= $0 } ?? true) && (max.map { v < $0 } ?? true)
        }
        return within(s.balanceCents, minBalanceCents, maxBalanceCents)
            && (debtorKinds?.contains(s.debtorKind) ?? true)
            && (creditors?.contains(s.creditorCode) ?? true)
            && within(s.oldestDueOn.map { $0.days(until: date) }, minClaimAgeDays, maxClaimAgeDays)
            && within(s.riskScore, minRiskScore, maxRiskScore)
            && (languages?.contains(s.language) ?? true)
    }
}

/// The steps a case follows, and what comes after them.
public struct StepSequence: Hashable, Sendable {
    public var steps: [StrategyStep]
    public var escalation: Escalation
    /// Days the last step is given to work before the escalation.
    public var escalationAfterDays: Int
}

/// When a strategy escalates if nothing says otherwise: ten days leave the last letter or call
/// time to bear fruit.
public let defaultEscalationAfterDays = 10

/// The variant a case follows: the champion (the strategy's own steps) or its challenger.
public enum Variant: String, Codable, Sendable { case champion, challenger }

/// A challenger tried on a stable share of the strategy's cases, to compare with the champion.
public struct Challenger: Codable, Hashable, Sendable {
    /// 1 to 99: the percentage of eligible cases that follow the challenger.
    public var sharePercent: Int
    public var steps: [StrategyStep]
    public var escalation: Escalation
    public var escalationAfterDays: Int

    public init(sharePercent: Int, steps: [StrategyStep], escalation: Escalation, escalationAfterDays: Int = defaultEscalationAfterDays) {
        self.sharePercent = sharePercent
        self.steps = steps
        self.escalation = escalation
        self.escalationAfterDays = escalationAfterDays
    }

    enum CodingKeys: String, CodingKey { case sharePercent = "share_percent", steps, escalation, escalationAfterDays = "escalation_after_days" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sharePercent = try c.decode(Int.self, forKey: .sharePercent)
        steps = try c.decode([StrategyStep].self, forKey: .steps)
        escalation = try c.decode(Escalation.self, forKey: .escalation)
        escalationAfterDays = try c.decodeIfPresent(Int.self, forKey: .escalationAfterDays) ?? defaultEscalationAfterDays
    }
}

/// A strategy of the amicable phase: which cases it takes and the steps they follow. Strategies
/// are data the agency edits; the first one whose tier matches a case takes it.
public struct Strategy: Codable, Hashable, Sendable {
    /// Stable key (stored on each case that follows it).
    public var code: String
    public var name: String
    public var tier: Tier
    public var steps: [StrategyStep]
    public var escalation: Escalation
    public var escalationAfterDays: Int
    public var challenger: Challenger?

    public init(code: String, name: String, tier: Tier, steps: [StrategyStep], escalation: Escalation,
                escalationAfterDays: Int = defaultEscalationAfterDays, challenger: Challenger? = nil) {
        self.code = code
        self.name = name
        self.tier = tier
        self.steps = steps
        self.escalation = escalation
        self.escalationAfterDays = escalationAfterDays
        self.challenger = challenger
    }

    enum CodingKeys: String, CodingKey { case code, name, tier, steps, escalation, escalationAfterDays = "escalation_after_days", challenger }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(String.self, forKey: .code)
        name = try c.decode(String.self, forKey: .name)
        tier = try c.decode(Tier.self, forKey: .tier)
        steps = try c.decode([StrategyStep].self, forKey: .steps)
        escalation = try c.decode(Escalation.self, forKey: .escalation)
        escalationAfterDays = try c.decodeIfPresent(Int.self, forKey: .escalationAfterDays) ?? defaultEscalationAfterDays
        challenger = try c.decodeIfPresent(Challenger.self, forKey: .challenger)
    }

    /// The template a step of `variant` names, if it names one.
    public func template(variant: Variant, step: Int) -> String? {
        let steps = sequence(variant).steps
        return steps.indices.contains(step) ? steps[step].template : nil
    }

    public func sequence(_ variant: Variant) -> StepSequence {
        if variant == .challenger, let c = challenger { return StepSequence(steps: c.steps, escalation: c.escalation, escalationAfterDays: c.escalationAfterDays) }
        return StepSequence(steps: steps, escalation: escalation, escalationAfterDays: escalationAfterDays)
    }

    /// The variant a case follows: a stable function of the case and the strategy, so a case never
    /// changes side and the share holds over any set of cases.
    public func variant(forCase caseID: Int64) -> Variant {
        guard let c = challenger else { return .champion }
        return Int(StableHash.of(caseID, code) % 100) < c.sharePercent ? .challenger : .champion
    }
}

/// FNV-1a over the case id and a text: the same on every machine and every run (Swift's `Hasher`
/// is seeded per process).
enum StableHash {
    static func of(_ id: Int64, _ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ b: UInt8) { h ^= UInt64(b); h = h &* 0x0000_0100_0000_01B3 }
        var v = UInt64(bitPattern: id)
        for _ in 0..<8 { mix(UInt8(v & 0xFF)); v >>= 8 }
        for b in text.utf8 { mix(b) }
        return h
    }
}
