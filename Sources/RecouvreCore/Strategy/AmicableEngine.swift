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
    public var reachable: Set<ContactPoint.Kind>

    public init(caseID: Int64, creditorCode: String, debtorKind: Debtor.Kind, status: CaseStatus = .amicable, balanceCents: Int64, paidCents: Int64 = 0,
                oldestDueOn: Day?, openedOn: Day, riskScore: Int? = nil, plan: PlanState = PlanState(), contact: ContactState = ContactState(),
                reachable: Set<ContactPoint.Kind> = [.address, .phone, .email]) {
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
    public var reason: String
    /// A promise whose date has passed, judged from the payments: the run records it, and clears it.
    public var promiseResult: PaymentPromise.Result?
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
        let label = "« \(strategy.name) »" + (plan.variant == .challenger ? " (variante challenger)" : "")
        let brokenNote = promiseResult.map { $0 == .broken ? "promesse non tenue ; " : "promesse tenue en partie ; " } ?? ""

        var index = plan.nextStep
        var skipped: [String] = []
        // Anchor of the next step: the previous step done, or the start of the plan.
        var previousDay = plan.lastStepOn ?? date
        var previousChannel = plan.lastStepChannel
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
            let what = "étape \(index + 1) de \(label) : \(step.channel.french), \(timing(step, index))"
            let context = brokenNote + (skipped.isEmpty ? "" : skipped.joined(separator: ", ") + " ; ") + contactNote(s)
            if due > date {
                // Skips are stored only when a step is done, so a later contact can still change them.
                return Decision(outcome: .wait, plan: plan, nextActionOn: due, reason: "Prochaine action le \(due.french) — \(what)", promiseResult: promiseResult)
            }
            let planned = PlannedStep(strategyCode: strategy.code, variant: plan.variant, stepIndex: index, channel: step.channel, dueOn: date,
                                      reason: what.capitalisedFirst + (context.isEmpty ? "" : ", " + context))
            plan.nextStep = index + 1
            plan.lastStepOn = date
            plan.lastStepChannel = step.channel
            return Decision(outcome: .act(planned), plan: plan, nextActionOn: date, reason: planned.reason, promiseResult: promiseResult)
        }
        if plan.nextStep > sequence.steps.count {
            return Decision(outcome: .wait, plan: plan, nextActionOn: nil, reason: "Stratégie \(label) terminée et escaladée", promiseResult: promiseResult)
        }
        plan.nextStep = sequence.steps.count + 1
        plan.lastStepOn = date
        plan.lastStepChannel = nil
        let to = sequence.escalation == .decision ? "passage en phase de décision" : "revue par le superviseur"
        return Decision(outcome: .escalate(sequence.escalation, strategyCode: strategy.code), plan: plan, nextActionOn: nil,
                        reason: "Fin de la stratégie \(label) sans règlement : \(to)", promiseResult: promiseResult)
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

    func timing(_ step: StrategyStep, _ index: Int) -> String {
        switch step.after {
        case .dueDate: "\(step.delayDays) jours après l'échéance"
        case .previousStep where index == 0: step.delayDays == 0 ? "dès l'entrée en phase amiable" : "\(step.delayDays) jours après l'entrée en phase amiable"
        case .previousStep: "\(step.delayDays) jours après l'étape \(index)"
        }
    }

    func contactNote(_ s: CaseSnapshot) -> String {
        s.contact.lastContactOn.map { "dernier contact le \($0.french)" } ?? "aucun contact à ce jour"
    }
}

extension String {
    var capitalisedFirst: String { isEmpty ? self : first!.uppercased() + dropFirst() }
}
