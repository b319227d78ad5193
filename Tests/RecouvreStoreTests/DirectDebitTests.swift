import Foundation
import RecouvreCore
import Testing
@testable import RecouvreStore

@Suite struct DirectDebitTests {
    let rates = InterestRates.shipped
    let noon = Instant(millisecondsSinceEpoch: Int64(today.daysSinceEpoch) * 86_400_000 + 11 * 3_600_000)
    let agency = DirectDebitCreditor(name: "Cabinet Recouvre Démo", iban: try! IBAN("FR7630006000011234567890189"), bic: try? BIC("AGRIFRPP"),
                                     identifier: try! SEPACreditorIdentifier("FR72ZZZ123456"))

    @Test func mandatesAreCheckedAndTheFileValidatesAgainstTheISOSchema() throws {
        let iban = try IBAN("FR7630004000031234567890143")
        #expect(throws: SEPAMandate.Problem.badReference("RUM#1")) { try SEPAMandate(reference: "RUM#1", signedOn: today, debtorName: "X", iban: iban, today: today) }
        #expect(throws: SEPAMandate.Problem.signedLater(today)) { try SEPAMandate(reference: "RUM-1", signedOn: today.adding(days: 1), debtorName: "X", iban: iban, today: today) }
        let m = try SEPAMandate(reference: "RCV-M-000042", signedOn: today.adding(days: -30), debtorName: "Garage Martin & Fils", iban: iban, today: today)
        let xml = Pain008.write(messageID: "RCV-DD-1", createdAt: noon, collectOn: today.adding(days: 2), creditor: agency, debits: [
            DirectDebit(endToEndID: "RCV-1-1-1", cents: 12_345, mandate: m, first: true, remittance: "RC-0000001 echeance 1"),
            DirectDebit(endToEndID: "RCV-2-3-1", cents: 100, mandate: m, first: false, remittance: "RC-0000002 echeance 3"),
        ])
        #expect(try schemaProblem(xml, schema: "pain.008.001.02.xsd") == nil)
        #expect(xml.contains("<CtrlSum>124.45</CtrlSum>") && xml.contains("<SeqTp>FRST</SeqTp>") && xml.contains("<SeqTp>RCUR</SeqTp>"))
        #expect(xml.contains("<Nm>Garage Martin &amp; Fils</Nm>") && xml.contains("<Id>FR72ZZZ123456</Id>"))
    }

    @Test(arguments: Backend.available)
    func anInstalmentIsPresentedCollectedFromTheStatementAndTakenBackWhenReturned(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            _ = try await addCreditor(db)
            #expect(try await importText(db, header + "A1;Garage Martin;443061841;3 rue Pasteur;69003;Lyon;;01/02/2026;03/03/2026;2500;;EUR\n").rowsRejected == 0)
            let id = try await db.withConnection { db in
                try await db.raw("UPDATE cases SET status = 'amicable'").run()
                return try await db.raw("SELECT id FROM cases").all()[0].decode(column: "id", as: Int64.self)
            }
            let plan = try await PlanStore(db).propose(caseID: id, count: 3, frequency: .monthly, firstOn: today, actor: .user("agent"), at: noon, rates: rates)
            let first = plan.instalments[0].instalment
            let store = DirectDebitStore(db)
            await #expect(throws: StoreError.self) {
                try await store.addMandate(caseID: id, reference: "bad#ref", iban: try IBAN("FR7630004000031234567890143"), signedOn: today, actor: .user("agent"), at: noon)
            }
            try await store.addMandate(caseID: id, reference: "RCV-M-1", iban: try IBAN("FR7630004000031234567890143"), signedOn: today.adding(days: -3),
                                       actor: .user("agent"), at: noon)
            #expect(try await account(db, id, asOf: today).mandate?.reference == "RCV-M-1")

            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recouvre-dd-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = try #require(try await store.prepare(collectOn: first.dueOn, folder: folder, creditor: agency, actor: .system, at: noon))
            #expect(file.debits == 1 && file.totalCents == first.cents)
            let xml = try String(contentsOfFile: file.path, encoding: .utf8)
            let problem = try schemaProblem(xml, schema: "pain.008.001.02.xsd")
            #expect(problem == nil, "\(problem ?? "")")
            #expect(xml.contains("<SeqTp>FRST</SeqTp>") && xml.contains("<MndtId>RCV-M-1</MndtId>") && xml.contains("<EndToEndId>RCV-\(plan.id)-1-1</EndToEndId>"))
            #expect(try await store.prepare(collectOn: first.dueOn, folder: folder, creditor: agency, actor: .system, at: noon) == nil, "presented once")

            // The bank credits the collection: booked as a direct debit, the instalment paid.
            let e2e = "RCV-\(plan.id)-1-1"
            let credit = StatementGenerator.write(messageID: "M1", statementID: "S1", account: agency.iban, on: today, entries: [
                .init(reference: "DD1", bookedOn: today, transactions: [.init(cents: first.cents, payer: "GARAGE MARTIN", remittance: "echeance 1", endToEndID: e2e)]),
            ])
            #expect(try schemaProblem(credit, schema: "camt.053.001.02.xsd") == nil)
            let imported = try await StatementStore(db).importStatement(Data(credit.utf8), actor: .system, at: noon, rates: rates)
            #expect(imported.booked == 1)
            let payment = try #require(try await PaymentStore(db).payments(caseID: id, scope: .agency).first)
            #expect(payment.method == .directDebit && payment.amount == .eur(cents: first.cents))
            #expect(try await account(db, id, asOf: today).plan?.instalments[0].status == .paid)

            // Then returned for insufficient funds: the payment is taken back, the instalment unpaid.
            let back = StatementGenerator.write(messageID: "M2", statementID: "S2", account: agency.iban, on: today, entries: [
                .init(reference: "RT1", bookedOn: today, debit: true, transactions: [.init(cents: first.cents, payer: "GARAGE MARTIN", remittance: "retour", endToEndID: e2e,
                                                                                           returnReason: "AM04")]),
            ])
            #expect(try schemaProblem(back, schema: "camt.053.001.02.xsd") == nil)
            let returned = try await StatementStore(db).importStatement(Data(back.utf8), actor: .system, at: noon, rates: rates)
            #expect(returned.returnsApplied == 1 && returned.problems.isEmpty)
            let again = try await StatementStore(db).importStatement(Data(back.utf8), actor: .system, at: noon, rates: rates)
            #expect(again.returnsApplied == 0 && again.alreadyKnown == 1)
            let received = try await db.withConnection { try await $0.raw("SELECT received_minor FROM cases WHERE id = \(bind: id)").all()[0].decode(column: "received_minor", as: Int64.self) }
            #expect(received == 0)
            #expect(try await account(db, id, asOf: today).plan?.instalments[0].status == .pending)
            let detail = try #require(try await CaseStore(db).detail(id: id, scope: .agency))
            #expect(detail.events.contains { $0.text.contains("annulé") && $0.text.contains("AM04, provision insuffisante") })
        }
    }
}
