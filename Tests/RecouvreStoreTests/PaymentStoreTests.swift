import Foundation
import RecouvreCore
import Testing
@testable import RecouvreStore

@Suite struct PaymentStoreTests {
    let rates = InterestRates.shipped
    let noon = Instant(millisecondsSinceEpoch: Int64(today.daysSinceEpoch) * 86_400_000 + 11 * 3_600_000)
    func day(_ y: Int, _ m: Int, _ d: Int) -> Day { Day(year: y, month: m, day: d)! }

    /// Garage Martin owes A1, 2,500.00 € due 03/03/2026; Autre SA owes A2, 600.00 €.
    func portfolio(_ db: Database) async throws -> (garage: Int64, autre: Int64) {
        _ = try await addCreditor(db)
        var file = header
        file += "A1;Garage Martin;443061841;3 rue Pasteur;69003;Lyon;;01/02/2026;03/03/2026;2500;;EUR\n"
        file += "A2;Autre SA;552032534;1 rue;75001;Paris;contact@autre.fr;01/02/2026;03/03/2026;600;;EUR\n"
        #expect(try await importText(db, file).rowsRejected == 0)
        try await db.withConnection { try await $0.raw("UPDATE cases SET status = 'amicable'").run() }
        func id(_ name: String) async throws -> Int64 {
            try await db.withConnection { try await $0.raw("SELECT c.id FROM cases c JOIN debtors d ON d.id = c.debtor_id WHERE d.name = \(bind: name)").all()[0].decode(column: "id", as: Int64.self) }
        }
        return (try await id("Garage Martin"), try await id("Autre SA"))
    }

    func caseRow(_ db: Database, _ id: Int64) async throws -> (status: String, paid: Int64, received: Int64, writtenOff: Int64) {
        try await db.withConnection { db in
            let r = try await db.raw("SELECT status, paid_minor, received_minor, written_off_minor FROM cases WHERE id = \(bind: id)").all()[0]
            return (try r.decode(column: "status", as: String.self), try r.decode(column: "paid_minor", as: Int64.self),
                    try r.decode(column: "received_minor", as: Int64.self), try r.decode(column: "written_off_minor", as: Int64.self))
        }
    }

    @Test(arguments: Backend.available)
    func thePortfoliosBalancesAreEachCasesLedgerWhateverTheBatchesAndParts(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            _ = try await DemoPortfolio.load(into: db, today: today)
            let ids = try await db.withConnection { db in
                try await db.raw("SELECT id FROM cases WHERE open_slot = 1").all().map { try $0.decode(column: "id", as: Int64.self) }
            }
            var expected = Balances.Total()
            for id in ids {
                switch try await account(db, id, asOf: today, rates: rates).ledger {
                case let .success(l): expected.owedCents += l.owedCents; expected.interestCents += l.interestCents
                case .failure: expected.problems += 1
                }
                expected.cases += 1
            }
            #expect(expected.cases > 20 && expected.interestCents > 0)
            for (batch, parts) in [(10_000, 1), (7, 3), (1, 2), (50, 64)] {
                #expect(try await Balances(db).asOf(today, rates: rates, batchSize: batch, parts: parts) == expected, "batches of \(batch), \(parts) parts")
            }
        }
    }

    @Test(arguments: Backend.available)
    func aPaymentIsAllocatedNumberedAndToldToTheCreditor(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            let (garage, _) = try await portfolio(db)
            let store = PaymentStore(db)
            // 1,000.00 € on 18/03/2026: interest 04/03–18/03, 15 days at 12.15 % on 2,500 €:
            // 2500 × 15 × 12.15 / 36500 = 12.482876… → 12.48 €; the 40 € indemnity; 947.52 € of principal.
            let first = try await store.book(caseID: garage, NewPayment(receivedOn: day(2026, 3, 18), cents: 100_000, method: .transfer, payer: "GARAGE MARTIN"),
                                             actor: .user("compta"), at: noon, rates: rates)
            #expect(first.receiptNumber.description == "Q-2026-000001")
            #expect(first.allocation.lines.map(\.cents) == [1_248, 4_000, 94_752])
            #expect(first.settled == false)
            var row = try await caseRow(db, garage)
            #expect(row.paid == 94_752 && row.received == 100_000 && row.status == "amicable")
            let detail = try #require(try await CaseStore(db).detail(id: garage, scope: .agency))
            let event = try #require(detail.events.first { $0.kind == .payment })
            #expect(event.text.contains("quittance Q-2026-000001") && event.text.contains("A1 intérêts 12,48"))

            // A cheque of 100.00 € received earlier (10/03) and recorded later: the ledger replays
            // both in the order received, so the first payment now finds less interest owed.
            // 10/03: interest 04/03–10/03, 7 days: 2500 × 7 × 12.15 / 36500 = 5.825342… → 5.83 €,
            // 40.00 indemnity, 54.17 € principal. Then 18/03: 11–18/03, 8 days on 2,445.83 €:
            // 2445.83 × 8 × 12.15 / 36500 = 6.513279… €; run in all 5.825342 + 6.513279 = 12.338621 →
            // 12.34 €, less 5.83 paid: 6.51 € of interest, then 993.49 € of principal.
            let second = try await store.book(caseID: garage, NewPayment(receivedOn: day(2026, 3, 10), cents: 10_000, method: .cheque, reference: "chèque 0042"),
                                              actor: .user("compta"), at: noon, rates: rates)
            #expect(second.receiptNumber.description == "Q-2026-000002")
            #expect(second.allocation.lines.map(\.cents) == [583, 4_000, 5_417])
            let payments = try await store.payments(caseID: garage, scope: .agency)
            #expect(payments.map(\.receiptNumber) == ["Q-2026-000002", "Q-2026-000001"])
            #expect(payments[1].allocation.map(\.cents) == [651, 99_349])
            row = try await caseRow(db, garage)
            #expect(row.paid == 5_417 + 99_349 && row.received == 110_000)
        }
    }

    @Test(arguments: Backend.available)
    func aBankEntryIsBookedOnceAndABadPaymentChangesNothing(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            let (garage, autre) = try await portfolio(db)
            let store = PaymentStore(db)
            let entry = NewPayment(receivedOn: day(2026, 4, 1), cents: 5_000, method: .transfer, bankEntryReference: "STMT-1/0001")
            _ = try await store.book(caseID: garage, entry, actor: .system, at: noon, rates: rates)
            await #expect(throws: StoreError.conflict("bank entry STMT-1/0001 is already booked")) {
                try await store.book(caseID: autre, entry, actor: .system, at: noon, rates: rates)
            }
            await #expect(throws: StoreError.self) {
                try await store.book(caseID: garage, NewPayment(receivedOn: today.adding(days: 1), cents: 5_000, method: .cash), actor: .system, at: noon, rates: rates)
            }
            await #expect(throws: StoreError.self) {
                try await store.book(caseID: garage, NewPayment(receivedOn: today, cents: 0, method: .cash), actor: .system, at: noon, rates: rates)
            }
            // Another creditor's user cannot reach the case.
            await #expect(throws: StoreError.notFound("case \(CaseReference(caseID: garage))")) {
                try await store.book(caseID: garage, NewPayment(receivedOn: today, cents: 100, method: .cash), actor: .system, at: noon, scope: .creditor(999), rates: rates)
            }
            #expect(try await count(db, "payments") == 1)
            // The next receipt follows the last without a gap: refused payments took no number.
            let next = try await store.book(caseID: autre, NewPayment(receivedOn: today, cents: 100, method: .cash), actor: .system, at: noon, rates: rates)
            #expect(next.receiptNumber.description == "Q-2026-000002")
        }
    }

    @Test(arguments: Backend.available)
    func aCasePaidInFullMovesToPaidAndItsRemindersStop(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            let (_, autre) = try await portfolio(db)
            _ = try await DailyRun(db).run(on: today, settings: StoredSettings(id: nil, settings: .defaults))
            let owed = try await db.withConnection { try await PaymentStore.owed(caseID: autre, asOf: today, rates: rates, db: $0) }
            // 600 € due 03/03/2026, paid 23/11/2026: interest 04/03–30/06 at 12.15 % (119 days) and
            // 01/07–23/11 at the last known rate, assumed (146 days): 600 × 265 × 12.15 / 36500
            // = 52.927… → 52.93 €, plus 40 €: 692.93 €.
            #expect(owed == 69_293)
            let booked = try await PaymentStore(db).book(caseID: autre, NewPayment(receivedOn: today, cents: owed, method: .card), actor: .user("agent"), at: noon, rates: rates)
            #expect(booked.settled && booked.owedCents == 0)
            #expect(try await caseRow(db, autre).status == "paid")
            let detail = try #require(try await CaseStore(db).detail(id: autre, scope: .agency))
            #expect(detail.tasks.allSatisfy { $0.status != .outbox && $0.status != .queued })
            #expect(detail.events.contains { $0.kind == .transition && $0.toStatus == .paid })
        }
    }

    @Test(arguments: Backend.available)
    func aPromiseIsKeptByAPaymentAndASettlementWritesOffTheRest(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            let (garage, _) = try await portfolio(db)
            try await CaseStore(db).recordAction(caseID: garage, try CaseAction(channel: .call, outcome: .promise, report: "Paiera 500 € sous 10 jours"),
                                                 details: ActionDetails(promiseCents: 50_000, promiseDueOn: today.adding(days: 10)), actor: .user("agent"), at: noon)
            let later = Instant(millisecondsSinceEpoch: noon.millisecondsSinceEpoch + 5 * 86_400_000)
            _ = try await PaymentStore(db).book(caseID: garage, NewPayment(receivedOn: today.adding(days: 5), cents: 50_000, method: .transfer),
                                                actor: .user("compta"), at: later, rates: rates)
            _ = try await DailyRun(db).run(on: today.adding(days: 11), settings: StoredSettings(id: nil, settings: .defaults))
            let detail = try #require(try await CaseStore(db).detail(id: garage, scope: .agency))
            #expect(detail.events.contains { $0.text.hasPrefix("Promesse de paiement") && $0.text.hasSuffix(": tenue") })

            await #expect(throws: StoreError.self) {
                try await PaymentStore(db).acceptSettlement(caseID: garage, reason: "  ", actor: .user("sup"), rates: rates)
            }
            try await PaymentStore(db).acceptSettlement(caseID: garage, reason: "Accord du créancier par courriel du 02/12", actor: .user("sup"),
                                                        at: Instant(millisecondsSinceEpoch: later.millisecondsSinceEpoch + 86_400_000), rates: rates)
            let row = try await caseRow(db, garage)
            #expect(row.status == "partially_paid" && row.writtenOff > 0)
        }
    }
}
