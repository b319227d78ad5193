import Foundation
import Hummingbird
import HummingbirdTesting
import RecouvreCore
import RecouvreStore
import Testing
@testable import RecouvreServer

extension ServerTests {
    /// An accountant records a cheque on a case page: it is allocated, its receipt is rendered as
    /// a PDF, archived on the case and sent (post or email), the creditor's user reads it; a bad
    /// amount or a day to come is refused with why and books nothing.
    @Test func aPaymentRecordedOnTheCasePageGetsItsReceiptAndTheCreditorSeesIt() async throws {
        try await withDemo { db in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("recouvre-receipts-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dir) }
            let config = ServerConfiguration(port: 0, now: callHours, postal: FolderPostal(root: dir.appendingPathComponent("post")),
                                             mailer: OutboxFolderMailer(folder: dir.appendingPathComponent("mail").path))
            let app = try await buildApplication(config, database: db)
            try await app.test(.router) { client in
                let creditor = try #require(try await CreditorStore(db).list().first)
                let c = try #require(try await CaseStore(db).list(scope: .agency, filter: CaseFilter(creditorID: creditor.id, status: .amicable), limit: 1).cases.first)
                let page = "/cases/\(c.id)"
                let accountant = try await logIn(client, db, as: .accountant)
                let token = try await csrf(client, accountant, page: page)
                let before = try await count(db)
                // The demo may have booked payments on the case already (a plan, this morning's statement).
                let earlier = try await PaymentStore(db).payments(caseID: c.id, scope: .agency).count

                var (status, body) = try await post(client, "\(page)/payment", accountant, ["csrf": token, "amount": "douze", "received_on": "2026-11-23", "method": "cheque"])
                #expect(status == .unprocessableContent && body.contains("is not an amount"))
                (status, body) = try await post(client, "\(page)/payment", accountant, ["csrf": token, "amount": "10", "received_on": "2026-12-01", "method": "cheque"])
                #expect(status == .unprocessableContent && body.contains("after today"))
                #expect(try await count(db) == before)

                (status, _) = try await post(client, "\(page)/payment", accountant, ["csrf": token, "amount": "150,00", "received_on": "2026-11-20", "method": "cheque",
                                                                                     "payer": "M. Martin", "reference": "chèque 0001234"])
                #expect(status == .seeOther)
                let payments = try await PaymentStore(db).payments(caseID: c.id, scope: .agency)
                let payment = try #require(payments.first)
                #expect(payments.count == earlier + 1 && payment.amount == .eur(cents: 15_000) && payment.reference == "chèque 0001234")
                #expect(payment.allocation.reduce(0) { $0 + $1.cents } + payment.unallocatedCents == 15_000)
                let receipt = try #require(payment.receiptDocumentID, "the receipt was rendered at once")
                let (info, pdf) = try #require(try await DocumentStore(db).document(id: receipt, scope: .agency))
                #expect(info.kind == .receipt && info.name == payment.receiptNumber + ".pdf")
                #expect(Array(pdf.prefix(5)) == Array("%PDF-".utf8))
                let file = dir.appendingPathComponent("\(payment.receiptNumber).pdf")
                try Data(pdf).write(to: file)
                let text = try tool("pdftotext", [file.path, "-"])
                #expect(text.contains("Quittance n° \(payment.receiptNumber)") && text.contains("150,00") && text.contains("R124-6"))
                // It went out by email if the debtor has one, else into the post's folder, and the history says so.
                let detail = try #require(try await CaseStore(db).detail(id: c.id, scope: .agency))
                #expect(detail.events.contains { $0.kind == .mail && $0.text.hasPrefix("Quittance \(payment.receiptNumber)") })

                // The creditor's user reads the payment and downloads the receipt.
                let client_ = try await logIn(client, db, as: .creditorUser)
                try await client.execute(uri: page, method: .get, headers: [.cookie: client_]) { r in
                    let html = String(buffer: r.body)
                    #expect(html.contains(payment.receiptNumber) && html.contains("chèque 0001234") && html.contains("/documents/\(receipt)"))
                }
                try await client.execute(uri: "/documents/\(receipt)", method: .get, headers: [.cookie: client_]) { r in #expect(r.status == .ok) }
            }
        }
    }

    /// The case's latest payment plan, as its page reads it.
    func latestPlan(_ db: Database, _ id: Int64, asOf day: Day) async throws -> PlanRecord? {
        try #require(try await PaymentStore(db).detailAndAccount(caseID: id, scope: .agency, asOf: day, rates: .shipped)).account.plan
    }

    func count(_ db: Database) async throws -> Int {
        try await db.withConnection { try await $0.raw("SELECT COUNT(*) AS n FROM payments").all()[0].decode(column: "n", as: Int.self) }
    }
}

extension ServerTests {
    /// The accountant imports the day's camt.053: the credit carrying a case's reference is booked
    /// with its receipt, the others wait in the queue with why; the accountant assigns one to a
    /// case and sets the other aside (a reason is required); a file that is not a statement is
    /// refused whole; other roles cannot open the page.
    @Test func theAccountantImportsAStatementAndReconcilesWhatWaits() async throws {
        try await withDemo { db in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("recouvre-bank-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dir) }
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours, postal: FolderPostal(root: dir)), database: db)
            try await app.test(.router) { client in
                let cases = try await CaseStore(db).list(scope: .agency, filter: CaseFilter(status: .amicable), limit: 2).cases
                let (a, b) = (cases[0], cases[1])
                let account = try await LetterSettingsStore(db).current().settings.agency.clientFundsIBAN
                let day = Day(year: 2026, month: 11, day: 20)!
                let xml = StatementGenerator.write(messageID: "MSG-TEST", statementID: "STMT-TEST", account: account, on: day, entries: [
                    .init(reference: "T1", bookedOn: day, transactions: [.init(cents: 25_00, payer: "PAYEUR A", remittance: "Reglement \(a.reference)")]),
                    .init(reference: "T2", bookedOn: day, transactions: [.init(cents: 17_00, payer: "PAYEUR B", payerIBAN: "FR7630004000031234567890143", remittance: "virement")]),
                    .init(reference: "T3", bookedOn: day, transactions: [.init(cents: 3_21, payer: "MUTUELLE", remittance: "remboursement")]),
                ])
                let accountant = try await logIn(client, db, as: .accountant)
                let token = try await csrf(client, accountant, page: "/bank")
                func upload(_ name: String, _ body: String) async throws -> (HTTPResponse.Status, String) {
                    let (type, payload) = multipart([("csrf", token)], file: (name, body))
                    return try await client.execute(uri: "/bank/statements", method: .post, headers: [.cookie: accountant, .contentType: type], body: payload) { r in
                        (r.status, String(buffer: r.body))
                    }
                }
                let paymentsBefore = try await count(db, "payments")
                var (status, html) = try await upload("notes.txt", "ceci n'est pas un relevé")
                #expect(status == .unprocessableContent && html.contains("not well-formed XML"))
                #expect(try await count(db, "payments") == paymentsBefore)

                (status, html) = try await upload("releve-20261120.xml", xml)
                #expect(status == .ok)
                #expect(html.contains("<dt>Crédits lus</dt><dd>3</dd>") && html.contains("<dt>Enregistrés</dt><dd>1</dd>") && html.contains("<dt>À rapprocher</dt><dd>2</dd>"))
                #expect(html.contains("PAYEUR B") && html.contains("MUTUELLE") && html.contains("releve-20261120.xml"))
                let booked = try #require(try await PaymentStore(db).payments(caseID: a.id, scope: .agency).first)
                #expect(booked.amount == .eur(cents: 25_00) && booked.receiptDocumentID != nil, "booked with its receipt rendered")

                let credits = try await StatementStore(db).queue().filter { ["PAYEUR B", "MUTUELLE"].contains($0.payer) }
                let (t2, t3) = (try #require(credits.first { $0.payer == "PAYEUR B" }), try #require(credits.first { $0.payer == "MUTUELLE" }))
                (status, html) = try await post(client, "/bank/credits/\(t2.id)/assign", accountant, ["csrf": token, "case": "pas un dossier"])
                #expect(status == .unprocessableContent && html.contains("Indiquez la référence"))
                (status, _) = try await post(client, "/bank/credits/\(t2.id)/assign", accountant, ["csrf": token, "case": b.reference])
                #expect(status == .seeOther)
                #expect(try await PaymentStore(db).payments(caseID: b.id, scope: .agency).first?.amount == .eur(cents: 17_00))
                (status, html) = try await post(client, "/bank/credits/\(t3.id)/set-aside", accountant, ["csrf": token, "reason": " "])
                #expect(status == .unprocessableContent && html.contains("say why"))
                (status, _) = try await post(client, "/bank/credits/\(t3.id)/set-aside", accountant, ["csrf": token, "reason": "Remboursement de mutuelle, hors recouvrement"])
                #expect(status == .seeOther)
                let left = try await StatementStore(db).queue().map(\.id)
                #expect(!left.contains(t2.id) && !left.contains(t3.id))
                // Sent twice by mistake: nothing booked again.
                (status, html) = try await upload("releve-20261120.xml", xml)
                #expect(status == .ok && html.contains("<dt>Déjà importés</dt><dd>3</dd>"))
                #expect(try await count(db, "payments") == paymentsBefore + 2)

                for role in Role.allCases where role != .accountant {
                    let cookie = try await logIn(client, db, as: role)
                    try await client.execute(uri: "/bank", method: .get, headers: [.cookie: cookie]) { r in
                        #expect(r.status == (role.may(.reconcileBankStatements) ? .ok : .forbidden), "\(role) opens the bank page")
                    }
                }
            }
        }
    }
}

extension ServerTests {
    /// An agent proposes a plan on the case page: within the mandate it starts at once and the
    /// case page shows its schedule; beyond it (20 months), it waits for the creditor, whose user
    /// approves it on the same page; a bad form is refused with why and changes nothing.
    @Test func anAgentProposesAPlanAndTheCreditorApprovesWhatGoesBeyondTheMandate() async throws {
        try await withDemo { db in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("recouvre-plans-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dir) }
            let config = ServerConfiguration(port: 0, now: callHours, postal: FolderPostal(root: dir.appendingPathComponent("post")),
                                             mailer: OutboxFolderMailer(folder: dir.appendingPathComponent("mail").path), bankOutbox: dir.appendingPathComponent("bank"))
            let app = try await buildApplication(config, database: db)
            try await app.test(.router) { client in
                let creditor = try #require(try await CreditorStore(db).list().first)
                let cases = try await CaseStore(db).list(scope: .team("Paris"), filter: CaseFilter(creditorID: creditor.id, status: .amicable), limit: 2).cases
                let (a, b) = (cases[0], cases[1])
                let agent = try await logIn(client, db, as: .agent)
                let token = try await csrf(client, agent, page: "/cases/\(a.id)")
                let plansBefore = try await count(db, "payment_plans")
                var (status, html) = try await post(client, "/cases/\(a.id)/plan", agent, ["csrf": token, "count": "0", "frequency": "monthly", "first_on": "2026-12-01"])
                #expect(status == .unprocessableContent && html.contains("between 1 and 60"))
                #expect(try await count(db, "payment_plans") == plansBefore)

                (status, _) = try await post(client, "/cases/\(a.id)/plan", agent, ["csrf": token, "count": "4", "frequency": "monthly", "first_on": "2026-12-01"])
                #expect(status == .seeOther)
                try await client.execute(uri: "/cases/\(a.id)", method: .get, headers: [.cookie: agent]) { r in
                    let page = String(buffer: r.body)
                    #expect(page.contains("En cours") && page.contains("01/12/2026") && page.contains("01/03/2027") && page.contains("intérêts arrêtés au"))
                }
                // The schedule went to the debtor as a PDF, archived on the case.
                let schedule = try #require(try await DocumentStore(db).list(scope: .agency, caseID: a.id).documents.first { $0.kind == .paymentPlan })
                let (_, pdf) = try #require(try await DocumentStore(db).document(id: schedule.id, scope: .agency))
                let file = dir.appendingPathComponent("plan.pdf")
                try Data(pdf).write(to: file)
                let text = try tool("pdftotext", [file.path, "-"])
                #expect(text.contains("Votre échéancier de paiement") && text.contains("n° 4") && text.contains("01/03/2027") && text.contains("intérêts de retard cessent"))
                let detail = try #require(try await CaseStore(db).detail(id: a.id, scope: .agency))
                #expect(detail.events.contains { $0.kind == .mail && $0.text.hasPrefix("Échéancier envoyé au débiteur") })

                // The debtor signs a SEPA mandate; the accountant prepares the first collection day's file.
                (status, html) = try await post(client, "/cases/\(a.id)/mandate", agent, ["csrf": token, "reference": "bad#1", "iban": "FR7630004000031234567890143", "signed_on": "2026-11-20"])
                #expect(status == .unprocessableContent && html.contains("mandate reference"))
                (status, _) = try await post(client, "/cases/\(a.id)/mandate", agent, ["csrf": token, "reference": "RUM-\(a.id)", "iban": "FR76 3000 4000 0312 3456 7890 143", "signed_on": "2026-11-20"])
                #expect(status == .seeOther)
                try await client.execute(uri: "/cases/\(a.id)", method: .get, headers: [.cookie: agent]) { r in
                    let page = String(buffer: r.body)
                    // The mandate's own line (the history's line says it in other words).
                    #expect(page.contains("RUM-\(a.id) · IBAN FR76 3000 4000 0312 3456 7890 143 · signé le"))
                }
                let accountant = try await logIn(client, db, as: .accountant)
                let atoken = try await csrf(client, accountant, page: "/bank")
                (status, html) = try await post(client, "/bank/debits", accountant, ["csrf": atoken, "day": "2026-12-01"])
                #expect(status == .ok && html.contains("Fichier de prélèvements préparé"))
                let debitFile = try #require(html.range(of: #"href="/bank/debits/"#).map { "/bank/debits/" + html[$0.upperBound...].prefix { $0 != "\"" } })
                try await client.execute(uri: debitFile, method: .get, headers: [.cookie: accountant]) { r in
                    let xml = String(buffer: r.body)
                    #expect(r.status == .ok && xml.contains("<MndtId>RUM-\(a.id)</MndtId>") && xml.contains("<ReqdColltnDt>2026-12-01</ReqdColltnDt>"))
                }
                (status, _) = try await post(client, "/cases/\(b.id)/plan", agent, ["csrf": token, "count": "20", "frequency": "monthly", "first_on": "2026-12-01"])
                #expect(status == .seeOther)
                let waiting = try #require(try await latestPlan(db, b.id, asOf: Day(year: 2026, month: 11, day: 23)!))
                #expect(waiting.status == .awaitingApproval)
                let (refused, _) = try await post(client, "/cases/\(b.id)/plan-decision", agent, ["csrf": token, "plan": String(waiting.id), "decision": "approve"])
                #expect(refused == .forbidden, "an agent does not answer for the creditor")

                let client_ = try await logIn(client, db, as: .creditorUser)
                let ctoken = try await csrf(client, client_, page: "/cases/\(b.id)")
                try await client.execute(uri: "/cases/\(b.id)", method: .get, headers: [.cookie: client_]) { r in
                    let page = String(buffer: r.body)
                    #expect(page.contains("En attente de l&#39;accord du créancier") && page.contains("au-delà des 12 mois") && page.contains("plan-decision"))
                }
                (status, _) = try await post(client, "/cases/\(b.id)/plan-decision", client_, ["csrf": ctoken, "plan": String(waiting.id), "decision": "approve", "note": "D'accord"])
                #expect(status == .seeOther)
                #expect(try await latestPlan(db, b.id, asOf: Day(year: 2026, month: 11, day: 23)!)?.status == .active)
            }
        }
    }
}
