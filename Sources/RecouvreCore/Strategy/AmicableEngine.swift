/// Where a case stands in its strategy: stored on the case, advanced by the daily run.
public struct PlanState: Hashable, Sendable {
    public var strategyCode: String?
    public var variant: Variant
    /// Index of the next step to do; `steps.count` once all are done, `steps.count + 1` once escalated.
    public var nextStep: Int
    public var lastStepOn: Day?
    public var lastStepChannel: StepChannel?

    public init(strategyCode: String? = nil, variant: Variant = .champion, nextStep: Int = 0, lastStepOn: Day? = nil, lastStepChannel: StepChannel? = nil) {
        self.strategyCode = strategyCode
        self.variant = variant
        self.nextStep = nextStep
        self.lastStepOn = lastStepOn
        self.lastStepChannel = lastStepChannel
    }
}

/// Which kinds of contact point a debtor has that are usable (a bit set: the run builds one per
/// case).
public struct ContactKinds: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let address = ContactKinds(rawValue: 1)
    public static let phone = ContactKinds(rawValue: 2)
    public static let email = ContactKinds(rawValue: 4)

    public func contains(_ kind: ContactPoint.Kind) -> Bool {
        switch kind {
        case .address: contains(ContactKinds.address)
        case .phone: contains(ContactKinds.phone)
        case .email: contains(ContactKinds.email)
        }
    }
}

/// What the engine needs to know of a case to decide its next action.
public struct CaseSnapshot: Sendable {
    public var caseID: Int64
    public var creditorCode: String
    public var debtorKind: Debtor.Kind
    public var status: CaseStatus
    public var balanceCents: Int64
    public var paidCents: Int64
    public var oldestDueOn: Day?
    public var openedOn: Day
    public var riskScore: Int?
    public var plan: PlanState
    public var contact: ContactState
    /// Kinds of contact points the debtor has that are not known to be invalid.
    public var reachable: ContactKinds
    /// The language the debtor is written to in (assignment rules may send it to agents who speak it).
    public var language: Language = .fr

    public init(caseID: Int64, creditorCode: String, debtorKind: Debtor.Kind, status: CaseStatus = .amicable, balanceCents: Int64, paidCents: Int64 = 0,
                oldestDueOn: Day?, openedOn: Day, riskScore: Int? = nil, plan: PlanState = PlanState(), contact: ContactState = ContactState(),
                reachable: ContactKinds = [.address, .phone, .email]) {
        self.caseID = caseID
        self.creditorCode = creditorCode
        self.debtorKind = debtorKind
        self.status = status
        self.balanceCents = balanceCents
        self.paidCents = paidCents
        self.oldestDueOn = oldestDueOn
        self.openedOn = openedOn
        self.riskScore = riskScore
        self.plan = plan
        self.contact = contact
        self.reachable = reachable
    }
}

/// A step the engine decided for today, with why.
public struct PlannedStep: Hashable, Sendable {
    public var strategyCode: String
    public var variant: Variant
    public var stepIndex: Int
    public var channel: StepChannel
    public var dueOn: Day
    public var reason: String
}

/// The engine's answer for one case on one day. `plan` is the case's plan after the decision
/// (the run stores it when it differs from the snapshot's); `nextActionOn` is when the case next
/// needs the engine; `reason` says why in the words the case page shows.
public struct Decision: Hashable, Sendable {
    public enum Outcome: Hashable, Sendable {
        /// Do this step today: a letter to the outbox, a call or visit in the agent's queue.
        case act(PlannedStep)
        /// Every step was done: a supervisor reviews the case, or it moves to the decision phase.
        case escalate(Escalation, strategyCode: String)
        /// Nothing today.
        case wait
    }

    public var outcome: Outcome
    public var plan: PlanState
    public var nextActionOn: Day?
    /// Why, kept as parts: most decisions are waits nobody reads, and writing each one's sentence
    /// was a fifth of a run.
    public var why: Why
    /// A promise whose date has passed, judged from the payments: the run records it, and clears it.
    public var promiseResult: PaymentPromise.Result?

    init(outcome: Outcome, plan: PlanState, nextActionOn: Day?, reason: String, promiseResult: PaymentPromise.Result? = nil) {
        self.init(outcome: outcome, plan: plan, nextActionOn: nextActionOn, why: .text(reason), promiseResult: promiseResult)
    }

    init(outcome: Outcome, plan: PlanState, nextActionOn: Day?, why: Why, promiseResult: PaymentPromise.Result? = nil) {
        self.outcome = outcome
        self.plan = plan
        self.nextActionOn = nextActionOn
        self.why = why
        self.promiseResult = promiseResult
    }

    public var reason: String { why.description }

    public enum Why: Hashable, Sendable, CustomStringConvertible {
        case text(String)
        /// The next step falls on a later day.
        case nextStep(on: Day, StepWording)

        public var description: String {
            switch self {
            case let .text(t): t
            case let .nextStep(day, wording): "Prochaine action le \(day.french) — \(wording)"
            }
        }
    }
}

/// A step as the reasons name it: "étape 3 de « B2B … » : appel, 5 jours après l'étape 2".
public struct StepWording: Hashable, Sendable, CustomStringConvertible {
    let index: Int
    let strategyName: String
    let variant: Variant
    let channel: StepChannel
    let step: StrategyStep
    /// Number (1-based) of the last step done, 0 for none.
    let lastDone: Int

    public var description: String {
        let timing = switch step.after {
        case .dueDate: "\(step.delayDays) jours après l'échéance"
        case .previousStep where lastDone == 0: step.delayDays == 0 ? "dès l'entrée en phase amiable" : "\(step.delayDays) jours après l'entrée en phase amiable"
        case .previousStep: "\(step.delayDays) jours après l'étape \(lastDone)"
        }
        return "étape \(index + 1) de \(Self.label(strategyName, variant)) : \(channel.french), \(timing)"
    }

    static func label(_ name: String, _ variant: Variant) -> String {
        "« \(name) »" + (variant == .challenger ? " (variante challenger)" : "")
    }
}

/// The amicable phase's decisions, as a pure function of a case snapshot, the strategies, the
/// contact rules, the calendar and the date.
public struct AmicableEngine: Sendable {
    public var strategies: [Strategy]
    public var rules: ContactRules
    public var calendar: BusinessCalendar

    public init(strategies: [Strategy], rules: ContactRules = .prudentDefault, calendar: BusinessCalendar = .france) {
        self.strategies = strategies
        self.rules = rules
        self.calendar = calendar
        byCode = Dictionary(strategies.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
    }

    private let byCode: [String: Strategy]

    /// The strategy a case follows: the one it was given, or the first whose tier matches it now.
    public func strategy(for s: CaseSnapshot, on date: Day) -> Strategy? {
        if let code = s.plan.strategyCode, let kept = byCode[code] { return kept }
        return strategies.first { $0.tier.matches(s, on: date) }
    }

    public func decide(_ s: CaseSnapshot, on date: Day) -> Decision {
        var plan = s.plan
        guard s.status == .amicable else {
            return Decision(outcome: .wait, plan: plan, nextActionOn: nil, reason: "Hors de la phase amiable (\(s.status.rawValue)) : aucune relance")
        }
        guard s.balanceCents > 0 else {
            return Decision(outcome: .wait, plan: plan, nextActionOn: nil, reason: "Solde nul : aucune relance")
        }
        // A promise suspends the reminders until its date; the day after, the payments say whether it was kept.
        var promiseResult: PaymentPromise.Result?
        if let p = s.contact.promise {
            if date <= p.dueOn {
                return Decision(outcome: .wait, plan: plan, nextActionOn: p.dueOn.adding(days: 1),
                                reason: "Promesse de paiement de \(Money.eur(cents: p.amountCents).formatted()) au \(p.dueOn.french) : relances suspendues")
            }
            promiseResult = p.result(paidNowCents: s.paidCents)
            if promiseResult == .kept {
                return Decision(outcome: .wait, plan: plan, nextActionOn: date.adding(days: 1),
                                reason: "Promesse du \(p.dueOn.french) tenue", promiseResult: .kept)
            }
        }
        guard let strategy = strategy(for: s, on: date) else {
            return Decision(outcome: .wait, plan: plan, nextActionOn: nil, reason: "Aucune stratégie ne correspond à ce dossier", promiseResult: promiseResult)
        }
        if plan.strategyCode != strategy.code {
            plan = PlanState(strategyCode: strategy.code, variant: strategy.variant(forCase: s.caseID), nextStep: 0, lastStepOn: nil)
        }
        let sequence = strategy.sequence(plan.variant)

        var index = plan.nextStep
        var skipped: [String] = []
        // Anchor of the next step: the last step done, or the start of the plan. A skipped step
        // takes no time: the step after it counts from the last step done.
        let previousDay = plan.lastStepOn ?? date
        let previousChannel = plan.lastStepChannel
        while index < sequence.steps.count {
            let step = sequence.steps[index]
            if let why = skipReason(step, s) {
                skipped.append("étape \(index + 1) sautée (\(why))")
                index += 1
                continue
            }
            var due = step.after == .dueDate ? (s.oldestDueOn ?? s.openedOn).adding(days: step.delayDays) : previousDay.adding(days: step.delayDays)
            if step.businessDaysOnly { due = calendar.nextBusinessDay(onOrAfter: due) }
            // At most one step a day, so a rerun of the same day adds nothing.
            if let last = plan.lastStepOn, due <= last { due = last.adding(days: 1) }
            switch step.channel {
            case .call, .visit:
                due = rules.nextCallDay(onOrAfter: due, calendar: calendar)
                if step.channel == .call {
                    let capped = rules.nextCallDay(onOrAfter: due, attempts: s.contact.callAttempts)
                    if capped > due { due = rules.nextCallDay(onOrAfter: capped, calendar: calendar) }
                }
            case .letter, .registeredLetter:
                let lastLetter = [s.contact.lastLetterOn, previousChannel?.isLetter == true ? plan.lastStepOn : nil].compactMap { $0 }.max()
                if let l = lastLetter, l.days(until: due) < rules.minDaysBetweenLetters { due = l.adding(days: rules.minDaysBetweenLetters) }
                if step.businessDaysOnly { due = calendar.nextBusinessDay(onOrAfter: due) }
            case .email, .sms, .review: break
            }
            let what = StepWording(index: index, strategyName: strategy.name, variant: plan.variant, channel: step.channel, step: step, lastDone: plan.nextStep)
            if due > date {
                // Skips are stored only when a step is done, so a later contact can still change them.
                return Decision(outcome: .wait, plan: plan, nextActionOn: due, why: .nextStep(on: due, what), promiseResult: promiseResult)
            }
            let brokenNote = promiseResult.map { $0 == .broken ? "promesse non tenue ; " : "promesse tenue en partie ; " } ?? ""
            let context = brokenNote + (skipped.isEmpty ? "" : skipped.joined(separator: ", ") + " ; ") + contactNote(s)
            let planned = PlannedStep(strategyCode: strategy.code, variant: plan.variant, stepIndex: index, channel: step.channel, dueOn: date,
                                      reason: what.description.capitalisedFirst + (context.isEmpty ? "" : ", " + context))
            plan.nextStep = index + 1
            plan.lastStepOn = date
            plan.lastStepChannel = step.channel
            // The case next needs the engine on the day of the step after this one: asked now, so
            // that tomorrow's run finds the day already stored and writes nothing.
            var after = s
            after.plan = plan
            after.contact.promise = nil
            let following = decide(after, on: date).nextActionOn
            return Decision(outcome: .act(planned), plan: plan, nextActionOn: following, reason: planned.reason, promiseResult: promiseResult)
        }
        if plan.nextStep > sequence.steps.count {
            return Decision(outcome: .wait, plan: plan, nextActionOn: nil, reason: "Stratégie \(StepWording.label(strategy.name, plan.variant)) terminée et escaladée", promiseResult: promiseResult)
        }
        let escalationDay = (plan.lastStepOn ?? date).adding(days: max(1, sequence.escalationAfterDays))
        if plan.lastStepOn != nil, escalationDay > date {
            return Decision(outcome: .wait, plan: plan, nextActionOn: escalationDay,
                            reason: "Toutes les étapes de \(StepWording.label(strategy.name, plan.variant)) faites : escalade le \(escalationDay.french) sans règlement",
                            promiseResult: promiseResult)
        }
        plan.nextStep = sequence.steps.count + 1
        plan.lastStepOn = date
        plan.lastStepChannel = nil
        let to = sequence.escalation == .decision ? "passage en phase de décision" : "revue par le superviseur"
        return Decision(outcome: .escalate(sequence.escalation, strategyCode: strategy.code), plan: plan, nextActionOn: nil,
                        reason: "Fin de la stratégie \(StepWording.label(strategy.name, plan.variant)) sans règlement : \(to)", promiseResult: promiseResult)
    }

    /// Why a step does not apply to this case (nil: it applies).
    func skipReason(_ step: StrategyStep, _ s: CaseSnapshot) -> String? {
        if step.onlyIfNoContact, let d = s.contact.lastContactOn { return "débiteur joint le \(d.french)" }
        if let min = step.minBalanceCents, s.balanceCents < min { return "solde sous \(Money.eur(cents: min).formatted())" }
        if s.contact.refusedChannels.contains(step.channel) { return "canal refusé par le débiteur" }
        if let kind = step.channel.needs, !s.reachable.contains(kind) {
            return switch kind {
            case .phone: "aucun numéro valide"
            case .email: "aucune adresse électronique valide"
            case .address: "aucune adresse postale valide"
            }
        }
        return nil
    }

    func contactNote(_ s: CaseSnapshot) -> String {
        s.contact.lastContactOn.map { "dernier contact le \($0.french)" } ?? "aucun contact à ce jour"
    }
}

extension String {
    var capitalisedFirst: String { isEmpty ? self : first!.uppercased() + dropFirst() }
}
