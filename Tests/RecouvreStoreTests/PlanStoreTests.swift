import Foundation
import RecouvreCore
import Testing
@testable import RecouvreStore

@Suite struct PlanStoreTests {
    let rates = InterestRates.shipped
    let noon = Instant(millisecondsSinceEpoch: Int64(today.daysSinceEpoch) * 86_400_000 + 11 * 3_600_000)
    func at(_ d: Day) -> Instant { Instant(millisecondsSinceEpoch: Int64(d.daysSinceEpoch) * 86_400_000 + 11 * 3_600_000) }

    /// Garage Martin owes A1, 2,500.00 € due 03/03/2026, in the amicable phase.
    func garage(_ db: Database) async throws -> Int64 {
        _ = try await addCreditor(db)
        #expect(try await importText(db, header + "A1;Garage Martin;443061841;3 rue Pasteur;69003;Lyon;;01/02/2026;03/03/2026;2500;;EUR\n").rowsRejected == 0)
        return try await db.withConnection { db in
            try await db.raw("UPDATE cases SET status = 'amicable'").run()
            return try await db.raw("SELECT id FROM cases").all()[0].decode(column: "id", as: Int64.self)
        }
    }

    func status(_ db: Database, _ id: Int64) async throws -> String {
        try await db.withConnection { try await $0.raw("SELECT status FROM cases WHERE id = \(bind: id)").all()[0].decode(column: "status", as: String.self) }
    }

    @Test(arguments: Backend.available)
    func aPlanWithinTheMandateStartsAtOnceAndStopsInterestWhileKept(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            let id = try await garage(db)
            let owedToday = try await account(db, id, asOf: today, rates: rates).ledger.get().owedCents
            let plan = try await PlanStore(db).propose(caseID: id, count: 3, frequency: .monthly, firstOn: today.adding(days: 7), actor: .user("agent"), at: noon, rates: rates)
            #expect(plan.status == .active && plan.balanceCents == owedToday && plan.interestFrozenFrom == today)
            #expect(plan.instalments.reduce(0) { $0 + $1.instalment.cents } == owedToday)
            #expect(try await status(db, id) == "payment_plan")
            // Interest stopped the day the plan began: what is owed two months on is what was owed that day.
            let later = try await account(db, id, asOf: today.adding(days: 60), rates: rates).ledger.get().owedCents
            #expect(later == owedToday)
            await #expect(throws: StoreError.self) {
                try await PlanStore(db).propose(caseID: id, count: 2, frequency: .monthly, firstOn: today, actor: .user("agent"), at: noon, rates: rates)
            }

            // The first instalment paid on its day; the second missed: 10 days' grace, then broken.
            let first = plan.instalments[0].instalment
            _ = try await PaymentStore(db).book(caseID: id, NewPayment(receivedOn: first.dueOn, cents: first.cents, method: .transfer),
                                                actor: .system, at: at(first.dueOn), rates: rates)
            let second = plan.instalments[1].instalment
            var review = try await PlanStore(db).review(on: second.dueOn.adding(days: 10), at: at(second.dueOn.adding(days: 10)))
            #expect(review.broken == 0)
            let states = try #require(try await account(db, id, asOf: second.dueOn.adding(days: 10)).plan).instalments.map(\.status)
            #expect(states == [.paid, .late, .pending])
            review = try await PlanStore(db).review(on: second.dueOn.adding(days: 11), at: at(second.dueOn.adding(days: 11)))
            #expect(review.broken == 1)
            #expect(try await status(db, id) == "amicable")
            let broken = try #require(try await account(db, id, asOf: second.dueOn.adding(days: 11)).plan)
            #expect(broken.status == .broken)
            // The creditor reads why; the agent finds a task; interest runs again (the waiver fell).
            let detail = try #require(try await CaseStore(db).detail(id: id, scope: .creditor(1)))
            #expect(detail.events.contains { $0.text.contains("Échéancier rompu : l'échéance n° 2") })
            #expect(try await count(db, "collection_tasks") >= 1)
            let after = try await account(db, id, asOf: today.adding(days: 60), rates: rates).ledger.get().owedCents
            #expect(after > later - first.cents)
        }
    }

    @Test(arguments: Backend.available)
    func aPlanBeyondTheMandateWaitsForTheCreditorAndAPlanPaidCompletes(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            let id = try await garage(db)
            let store = PlanStore(db)
            // 14 monthly instalments end beyond the mandate's 12 months.
            let long = try await store.propose(caseID: id, count: 14, frequency: .monthly, firstOn: today.adding(days: 7), actor: .user("agent"), at: noon, rates: rates)
            #expect(long.status == .awaitingApproval && long.approvalReasons.count == 1 && long.approvalReasons[0].contains("12 mois"))
            #expect(try await status(db, id) == "amicable")
            await #expect(throws: StoreError.self) { try await store.decide(planID: long.id, approve: true, note: "", actor: .user("x"), scope: .creditor(999)) }
            try await store.decide(planID: long.id, approve: false, note: "Trop long", actor: .user("client"), at: noon, scope: .creditor(1))
            #expect(try await account(db, long.caseID, asOf: today).plan?.status == .refused)
            await #expect(throws: StoreError.conflict("this plan has already been answered")) {
                try await store.decide(planID: long.id, approve: true, note: "", actor: .user("client"), at: noon, scope: .creditor(1))
            }

            let short = try await store.propose(caseID: id, count: 14, frequency: .weekly, firstOn: today, actor: .user("agent"), at: noon, rates: rates)
            #expect(short.status == .active)
            // Paid in one go: the case is paid, the next review completes the plan.
            let owed = short.balanceCents
            let booked = try await PaymentStore(db).book(caseID: id, NewPayment(receivedOn: today, cents: owed, method: .transfer), actor: .system, at: noon, rates: rates)
            #expect(booked.settled && booked.owedCents == 0)
            #expect(try await store.review(on: today, at: noon).completed == 1)
            #expect(try await account(db, id, asOf: today).plan?.status == .completed)
        }
    }
}
