import Testing
@testable import RecouvreCore

@Suite struct PaymentPlanTests {
    func day(_ y: Int, _ m: Int, _ d: Int) -> Day { Day(year: y, month: m, day: d)! }
    let today = Day(year: 2026, month: 11, day: 23)!

    @Test func theScheduleIsExactToTheCentAndTheLastInstalmentAbsorbsTheRounding() throws {
        // 1,000.00 € in 3 monthly instalments from 31 January: 100000 / 3 = 33333 rest 1, so
        // 333.33 + 333.33 + 333.34; the days keep the 31st or the month's last day.
        let three = try PaymentPlan.schedule(PlanProposal(balanceCents: 100_000, count: 3, frequency: .monthly, firstOn: day(2027, 1, 31)), today: today).get()
        #expect(three.map(\.cents) == [33_333, 33_333, 33_334])
        #expect(three.map(\.dueOn) == [day(2027, 1, 31), day(2027, 2, 28), day(2027, 3, 31)])
        // 1,000.01 € with a first payment of 100.00 € then 3 more: 90001 / 3 = 30000 rest 1.
        let first = try PaymentPlan.schedule(PlanProposal(balanceCents: 100_001, count: 4, frequency: .weekly, firstOn: today, firstCents: 10_000), today: today).get()
        #expect(first.map(\.cents) == [10_000, 30_000, 30_000, 30_001])
        #expect(first.map(\.dueOn) == [today, day(2026, 11, 30), day(2026, 12, 7), day(2026, 12, 14)])
        #expect(first.reduce(0) { $0 + $1.cents } == 100_001)
        // Quarterly from 15 December: 15 March, 15 June.
        let quarterly = try PaymentPlan.schedule(PlanProposal(balanceCents: 90_000, count: 3, frequency: .quarterly, firstOn: day(2026, 12, 15)), today: today).get()
        #expect(quarterly.map(\.dueOn) == [day(2026, 12, 15), day(2027, 3, 15), day(2027, 6, 15)])

        #expect(PaymentPlan.schedule(PlanProposal(balanceCents: 0, count: 3, frequency: .monthly, firstOn: today), today: today) == .failure(.nothingOwed))
        #expect(PaymentPlan.schedule(PlanProposal(balanceCents: 10_000, count: 0, frequency: .monthly, firstOn: today), today: today) == .failure(.badCount))
        #expect(PaymentPlan.schedule(PlanProposal(balanceCents: 10_000, count: 2, frequency: .monthly, firstOn: day(2026, 11, 22)), today: today) == .failure(.firstInThePast(today)))
        #expect(PaymentPlan.schedule(PlanProposal(balanceCents: 10_000, count: 2, frequency: .monthly, firstOn: today, firstCents: 10_000), today: today) == .failure(.badFirstAmount))
        #expect(PaymentPlan.schedule(PlanProposal(balanceCents: 1_000, count: 20, frequency: .monthly, firstOn: today), today: today) == .failure(.tooSmall))
    }

    @Test(arguments: 1...200)
    func anyScheduleSumsToTheBalance(_ seed: Int) throws {
        let balance = Int64(seed) * 7_919 + 100 * Int64(seed % 60 + 1)
        let count = seed % 24 + 1
        let plan = PaymentPlan.schedule(PlanProposal(balanceCents: balance, count: count, frequency: .monthly, firstOn: today), today: today)
        guard case let .success(s) = plan else { return }
        #expect(s.count == count && s.reduce(0) { $0 + $1.cents } == balance)
        #expect(s.dropLast().allSatisfy { $0.cents == s[0].cents } && s.last!.cents >= s[0].cents && s.last!.cents - s[0].cents < Int64(count))
    }

    @Test func whatGoesBeyondTheMandateNeedsTheCreditor() throws {
        let terms = PlanTerms(maxMonths: 12, minFirstPercent: 10)
        // 1,000.01 €: the minimum first payment is 10 % = 100.001 €, rounded up to 100.01 €.
        let s = try PaymentPlan.schedule(PlanProposal(balanceCents: 100_001, count: 14, frequency: .monthly, firstOn: day(2026, 12, 1), firstCents: 10_000), today: today).get()
        #expect(s.last!.dueOn == day(2028, 1, 1))
        #expect(PaymentPlan.approvalsNeeded(s, balanceCents: 100_001, terms: terms, today: today) == [
            "dernière échéance le 01/01/2028, au-delà des 12 mois permis par le mandat",
            "premier versement de \(Money.eur(cents: 10_000).formatted()) inférieur au minimum du mandat (10 % : \(Money.eur(cents: 10_001).formatted()))",
        ])
        let within = try PaymentPlan.schedule(PlanProposal(balanceCents: 100_001, count: 12, frequency: .monthly, firstOn: day(2026, 11, 23), firstCents: 10_001), today: today).get()
        #expect(within.last!.dueOn == day(2027, 10, 23))
        #expect(PaymentPlan.approvalsNeeded(within, balanceCents: 100_001, terms: terms, today: today).isEmpty)
    }

    @Test func instalmentsArePaidLateOrMissedFromThePaymentsReceived() {
        // 3 × 100.00 € due 1/12, 1/1, 1/2; 10 days' grace.
        let s = [Instalment(number: 1, dueOn: day(2026, 12, 1), cents: 10_000), Instalment(number: 2, dueOn: day(2027, 1, 1), cents: 10_000),
                 Instalment(number: 3, dueOn: day(2027, 2, 1), cents: 10_000)]
        let paid: [(on: Day, cents: Int64)] = [(day(2026, 12, 5), 15_000), (day(2027, 1, 20), 15_000)]
        func statuses(_ d: Day) -> [InstalmentStatus] { PaymentPlan.progress(s, payments: paid, asOf: d, graceDays: 10).map(\.status) }
        #expect(statuses(day(2026, 12, 1)) == [.pending, .pending, .pending])
        #expect(statuses(day(2026, 12, 3)) == [.late, .pending, .pending])
        // 150 € on 5/12 covers the first (paid four days late) and half the second.
        #expect(PaymentPlan.progress(s, payments: paid, asOf: day(2026, 12, 6), graceDays: 10)[0].paidOn == day(2026, 12, 5))
        #expect(statuses(day(2027, 1, 11)) == [.paid, .late, .pending])
        #expect(statuses(day(2027, 1, 12)) == [.paid, .missed, .pending])
        // The second payment, 150 € on 20/1, covers the second and the third ahead of its day.
        let later = PaymentPlan.progress(s, payments: paid, asOf: day(2027, 1, 25), graceDays: 10)
        #expect(later.map(\.status) == [.paid, .paid, .paid] && later[2].paidOn == day(2027, 1, 20))
    }
}
