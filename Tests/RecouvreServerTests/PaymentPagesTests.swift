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
                #expect(payments.count == 1 && payment.amount == .eur(cents: 15_000))
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

    func count(_ db: Database) async throws -> Int {
        try await db.withConnection { try await $0.raw("SELECT COUNT(*) AS n FROM payments").all()[0].decode(column: "n", as: Int.self) }
    }
}
