import Testing
@testable import RecouvreCore

@Suite struct AmicableEngineTests {
    let engine = CollectionSettings.defaults.engine
    let monday = Day(year: 2026, month: 11, day: 23)!

    func company(_ cents: Int64, id: Int64 = 1, plan: PlanState = PlanState(), contact: ContactState = ContactState()) -> CaseSnapshot {
        CaseSnapshot(caseID: id, creditorCode: "ACME", debtorKind: .company, balanceCents: cents,
                     oldestDueOn: Day(year: 2026, month: 9, day: 30)!, openedOn: Day(year: 2026, month: 11, day: 1)!, plan: plan, contact: contact)
    }

    /// Runs the engine day by day from `start` for `days`, feeding each decision's plan back as a
    /// run would; returns the steps done with their day.
    func simulate(_ snapshot: CaseSnapshot, from start: Day, days: Int) -> [(Day, PlannedStep)] {
        var s = snapshot
        var done: [(Day, PlannedStep)] = []
        for d in 0..<days {
            let day = start.adding(days: d)
            let decision = engine.decide(s, on: day)
            if case let .act(step) = decision.outcome { done.append((day, step)) }
            s.plan = decision.plan
        }
        return done
    }

    @Test func theTierChoosesTheStrategy() {
        #expect(engine.strategy(for: company(50_000), on: monday)?.code == "b2b-small")
        #expect(engine.strategy(for: company(100_000), on: monday)?.code == "b2b-medium")
        #expect(engine.strategy(for: company(499_999), on: monday)?.code == "b2b-medium")
        #expect(engine.strategy(for: company(500_000), on: monday)?.code == "b2b-large")
        var consumer = company(900_000)
        consumer.debtorKind = .consumer
        #expect(engine.strategy(for: consumer, on: monday)?.code == "b2c")
    }

    @Test func firstLetterAtOnceThenEachStepAfterItsDelayOnBusinessDays() {
        let steps = simulate(company(50_000), from: monday, days: 60)
        #expect(steps.map(\.1.channel) == [.letter, .call, .email, .letter, .call])
        #expect(steps[0].0 == monday)
        // Call 10 days after the letter: Thursday 3 December 2026.
        #expect(steps[1].0 == Day(year: 2026, month: 12, day: 3)!)
        for (day, _) in steps { #expect(BusinessCalendar.france.isBusinessDay(day)) }
        #expect(steps[1].1.reason.hasPrefix("Étape 2 de « B2B < 1 000 € » : appel, 10 jours après l'étape 1"))
    }

    @Test func escalatesOnceAfterTheLastStep() {
        var s = company(50_000)
        var escalations = 0
        for d in 0..<120 {
            let decision = engine.decide(s, on: monday.adding(days: d))
            if case let .escalate(to, code) = decision.outcome {
                escalations += 1
                #expect(to == .supervisorReview)
                #expect(code == "b2b-small")
            }
            s.plan = decision.plan
        }
        #expect(escalations == 1)
    }

    @Test func rerunningTheSameDayDoesNothingNew() {
        let first = engine.decide(company(50_000), on: monday)
        guard case .act = first.outcome else { Issue.record("expected an action"); return }
        var s = company(50_000)
        s.plan = first.plan
        let again = engine.decide(s, on: monday)
        #expect(again.outcome == .wait)
    }

    @Test func noReminderDuringAPromise() {
        let promise = PaymentPromise(amountCents: 20_000, dueOn: monday.adding(days: 20), paidBeforeCents: 0)
        let s = company(50_000, contact: ContactState(lastContactOn: monday, promise: promise))
        for d in 0...20 {
            let decision = engine.decide(s, on: monday.adding(days: d))
            #expect(decision.outcome == .wait)
            #expect(decision.reason.contains("Promesse"))
        }
    }

    @Test func aPromiseIsJudgedFromThePaymentsTheDayAfterItsDate() {
        let promise = PaymentPromise(amountCents: 20_000, dueOn: monday, paidBeforeCents: 5_000)
        var s = company(50_000, contact: ContactState(promise: promise))
        s.paidCents = 25_000
        #expect(engine.decide(s, on: monday.adding(days: 1)).promiseResult == .kept)
        s.paidCents = 10_000
        let partly = engine.decide(s, on: monday.adding(days: 1))
        #expect(partly.promiseResult == .partlyKept)
        s.paidCents = 5_000
        let broken = engine.decide(s, on: monday.adding(days: 1))
        #expect(broken.promiseResult == .broken)
        // A broken promise re-opens the strategy at once.
        guard case .act = broken.outcome else { Issue.record("the strategy should resume"); return }
        #expect(broken.reason.contains("promesse non tenue"))
    }

    @Test func aDisputedOrSuspendedCaseGetsNothing() {
        var s = company(50_000)
        s.status = .suspended
        let decision = engine.decide(s, on: monday)
        #expect(decision.outcome == .wait)
        #expect(decision.nextActionOn == nil)
    }

    @Test func callsNeverFallOnSundaysOrHolidays() {
        // Step 2 of b2b-medium is a call 7 days after the letter; from Friday 4 December the call
        // would fall on Friday 11th. From Thursday 17 December, 7 days is Thursday 24th; from
        // Friday 18 December, it is Friday 25th (Christmas), moved to Saturday 26th (calls allowed
        // on Saturdays, not on holidays).
        let start = Day(year: 2026, month: 12, day: 18)!
        let steps = simulate(company(200_000), from: start, days: 30)
        #expect(steps[1].1.channel == .call)
        #expect(steps[1].0 == Day(year: 2026, month: 12, day: 28)!, "the 25th is a holiday; business_days_only moves it to Monday 28th")
        for (day, step) in steps where step.channel == .call {
            #expect(engine.rules.allowsCall(on: day, calendar: .france))
        }
    }

    @Test func theCallCapPostponesACall() {
        let attempts = [monday.adding(days: -2), monday.adding(days: -1), monday]
        let rules = ContactRules.prudentDefault
        #expect(rules.nextCallDay(onOrAfter: monday, attempts: attempts) == monday.adding(days: 5))
        #expect(rules.nextCallDay(onOrAfter: monday.adding(days: 5), attempts: attempts) == monday.adding(days: 5))
    }

    @Test func skippedStepsSayWhy() {
        let plan = PlanState(strategyCode: "b2b-small", nextStep: 1, lastStepOn: monday, lastStepChannel: .letter)
        var s = company(50_000, plan: plan, contact: ContactState(lastContactOn: monday))
        s.reachable = [.address]
        // Step 2 (call, only if no contact) and step 3 (email, no address) are skipped: step 4 (letter).
        let decision = engine.decide(s, on: monday.adding(days: 10))
        guard case let .act(step) = decision.outcome else { Issue.record("expected an action: \(decision.reason)"); return }
        #expect(step.stepIndex == 3)
        #expect(step.reason.contains("étape 2 sautée (débiteur joint le 23/11/2026)"))
        #expect(step.reason.contains("étape 3 sautée (aucune adresse électronique valide)"))
    }

    @Test func lettersKeepTheirGap() {
        let plan = PlanState(strategyCode: "b2b-small", nextStep: 3, lastStepOn: monday, lastStepChannel: .email)
        let s = company(50_000, plan: plan, contact: ContactState(lastLetterOn: monday.adding(days: 8)))
        // Step 4 would be due at monday+10; a letter went out at monday+8: not before monday+15.
        let decision = engine.decide(s, on: monday.adding(days: 10))
        #expect(decision.outcome == .wait)
        #expect(decision.nextActionOn == BusinessCalendar.france.nextBusinessDay(onOrAfter: monday.adding(days: 15)))
    }

    @Test func theChallengerShareIsStableAndNearItsPercentage() {
        let strategy = engine.strategies.first { $0.code == "b2b-large" }!
        let variants = (1...10_000).map { strategy.variant(forCase: Int64($0)) }
        let share = variants.filter { $0 == .challenger }.count
        #expect((1_800...2_200).contains(share))
        #expect(variants == (1...10_000).map { strategy.variant(forCase: Int64($0)) })
    }

    @Test func recordingOutsideTheRulesIsFlagged() {
        let rules = ContactRules.prudentDefault
        // 2026-11-22 is a Sunday; 21:30 UTC on a Monday is 22:30 in Paris (winter time).
        let sunday = Instant(millisecondsSinceEpoch: Int64(Day(year: 2026, month: 11, day: 22)!.daysSinceEpoch) * 86_400_000 + 10 * 3_600_000)
        let late = Instant(millisecondsSinceEpoch: Int64(monday.daysSinceEpoch) * 86_400_000 + 21 * 3_600_000 + 30 * 60_000)
        #expect(rules.violations(channel: .call, at: sunday, state: ContactState(), calendar: .france).contains(.dayNotAllowed(Day(year: 2026, month: 11, day: 22)!)))
        #expect(rules.violations(channel: .call, at: late, state: ContactState(), calendar: .france) == [.outsideHours(22, 30)])
        let noon = Instant(millisecondsSinceEpoch: Int64(monday.daysSinceEpoch) * 86_400_000 + 11 * 3_600_000)
        #expect(rules.violations(channel: .call, at: noon, state: ContactState(), calendar: .france).isEmpty)
        let busy = ContactState(callAttempts: [monday.adding(days: -3), monday.adding(days: -1), monday], refusedChannels: [.call])
        #expect(Set(rules.violations(channel: .call, at: noon, state: busy, calendar: .france)) == [.tooManyCalls(3), .refusedChannel(.call)])
    }

    @Test func parisTimeFollowsSummerTime() {
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        let ms = { (d: Day, h: Int64) in Instant(millisecondsSinceEpoch: Int64(d.daysSinceEpoch) * 86_400_000 + h * 3_600_000) }
        #expect(ParisTime(ms(Day(year: 2026, month: 3, day: 29)!, 0)).hour == 1)
        #expect(ParisTime(ms(Day(year: 2026, month: 3, day: 29)!, 1)).hour == 3)
        #expect(ParisTime(ms(Day(year: 2026, month: 10, day: 25)!, 0)).hour == 2)
        #expect(ParisTime(ms(Day(year: 2026, month: 10, day: 25)!, 1)).hour == 2)
        #expect(ParisTime(ms(Day(year: 2026, month: 12, day: 31)!, 23)).day == Day(year: 2027, month: 1, day: 1)!)
    }

    @Test func theDefaultsAreValidAndBadSettingsSayWhere() {
        #expect(CollectionSettings.defaults.problems().isEmpty)
        var bad = CollectionSettings.defaults
        bad.strategies[1].code = bad.strategies[0].code
        bad.strategies[2].steps[0].channel = .call
        bad.strategies[2].challenger?.sharePercent = 0
        bad.strategies[3].tier.minBalanceCents = 10
        bad.strategies[3].tier.maxBalanceCents = 5
        bad.contactRules.callFromHour = 21
        let paths = bad.problems().map(\.path)
        #expect(paths == ["strategies[1].code", "strategies[2].steps[0].channel", "strategies[2].challenger.share_percent", "strategies[3].tier", "contact_rules"])
    }
}
