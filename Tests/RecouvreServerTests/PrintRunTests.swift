import Foundation
import RecouvreCore
import RecouvreDocuments
import RecouvreStore
import Testing
@testable import RecouvreServer

/// The outbox's letters printed for real: composed, rendered, archived, merged into the day's batch
/// with its manifest in a drop folder, then followed through the post's files.
extension ServerTests {
    /// Keeps `letters` simple letters and `registered` registered letters in the demo's outbox.
    func trimOutbox(_ db: Database, letters: Int, registered: Int) async throws {
        try await db.withConnection { db in
            for (channel, keep) in [("letter", letters), ("registered_letter", registered)] {
                try await db.raw("""
                    UPDATE collection_tasks SET status = 'cancelled' WHERE status = 'outbox' AND channel = \(bind: channel)
                    AND id NOT IN (SELECT id FROM collection_tasks WHERE status = 'outbox' AND channel = \(bind: channel) ORDER BY id LIMIT \(literal: keep))
                    """).run()
            }
        }
    }

    func tool(_ name: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/" + name)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func theDaysLettersBecomeADepositedBatchOnceOnly() async throws {
        try await withDemo { db in
            try await trimOutbox(db, letters: 12, registered: 5)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("post-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            // One case's debtor has no address left: its letter cannot be written and says why.
            let broken = try await db.withConnection { db in
                let id = try await db.raw("SELECT case_id FROM collection_tasks WHERE status = 'outbox' AND channel = 'letter' ORDER BY id LIMIT 1").all()[0].decode(column: "case_id", as: Int64.self)
                try await db.raw("UPDATE debtors SET address_line1 = '', postcode = '', city = '' WHERE id = (SELECT debtor_id FROM cases WHERE id = \(bind: id))").run()
                return id
            }
            let day = Day(year: 2026, month: 11, day: 23)!
            #expect(try await PrintRun(db, postal: FolderPostal(root: folder), press: .shared).run(on: Day(year: 2026, month: 10, day: 1)!, channel: .letter).batch == nil,
                    "a day without letters gets no batch")
            // The post is unreachable: the letters are archived, the batch stays open, nothing is lost.
            await #expect(throws: PostDown.self) { try await PrintRun(db, postal: PostDown(), press: .shared).run(on: day, channel: .letter, at: callHours()) }
            #expect(try await count(db, "letters") == 11)
            #expect(try await LetterStore(db).existingBatch(on: day, channel: .letter)?.status == .open)
            // The next run deposits that batch from the archive, rendering nothing again.
            let run = PrintRun(db, postal: FolderPostal(root: folder), press: LetterPress(workers: 2))
            let summary = try await run.run(on: day, channel: .letter, at: callHours())
            #expect(summary.printed == 0 && summary.batch?.status == .deposited && summary.batch?.letters == 11 && summary.batch?.failed == 1)
            let problem = try await db.withConnection { db in
                try await db.raw("SELECT problem FROM collection_tasks WHERE case_id = \(bind: broken) AND channel = 'letter' AND status = 'outbox'").all()[0].decode(column: "problem", as: String.self)
            }
            #expect(problem == "the debtor's postal address is missing")

            // The files: a merged PDF with every page, a manifest in envelope (postcode) order.
            let batch = try #require(summary.batch)
            let pdf = try #require(batch.pdfPath), manifest = try #require(batch.manifestPath)
            #expect(pdf == folder.appendingPathComponent("2026-11-23/courriers-2026-11-23.pdf").path)
            let info = try tool("pdfinfo", [pdf])
            #expect(info.split(separator: "\n").contains { $0.hasPrefix("Pages:") && $0.hasSuffix(" \(batch.pages)") })
            #expect(try PrintRun.sha256(of: URL(fileURLWithPath: pdf)) == batch.pdfSHA256)
            let lines = try String(contentsOfFile: manifest, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 12 && lines[0].hasPrefix("position;letter_id;reference;case_reference;addressee;address_line_1"))
            let postcodes = try await db.withConnection { db in
                try await db.raw("SELECT postcode FROM letters ORDER BY postcode, id").all().map { try $0.decode(column: "postcode", as: String.self) }
            }
            #expect(postcodes == postcodes.sorted() && postcodes.count == 11)
            #expect(lines[1].hasSuffix(";lettre simple;2;20;1.52"), "\(lines[1])")

            // Each letter: archived once with its hash, its task done, in its case's history.
            let caseID = try await db.withConnection { db in try await db.raw("SELECT case_id FROM letters ORDER BY id LIMIT 1").all()[0].decode(column: "case_id", as: Int64.self) }
            let letters = try await LetterStore(db).letters(caseID: caseID)
            #expect(letters.count == 1 && letters[0].reference == "\(CaseReference(caseID: caseID))/1" && letters[0].status == .printed)
            let document = try #require(try await DocumentStore(db).document(id: letters[0].documentID, scope: .agency))
            #expect(document.info.kind == .letter && document.body.starts(with: Array("%PDF".utf8)))
            let detail = try #require(try await CaseStore(db).detail(id: caseID, scope: .agency))
            #expect(detail.events.contains { $0.kind == .mail && $0.text.hasPrefix("Courrier \(letters[0].reference) (lettre simple") })
            #expect(detail.tasks.contains { $0.channel == .letter && $0.status == .done })
            #expect(detail.contact.lastLetterOn == day)

            // Again: the batch is deposited, nothing is made twice.
            let again = try await run.run(on: day, channel: .letter, at: callHours())
            #expect(again.alreadyDeposited && again.printed == 0)
            #expect(try await count(db, "letters") == 11)

            // Registered letters follow. These cases' earlier letters were never printed here, so
            // each registered letter is its case's first letter and carries R124-4's mentions.
            let registered = try await run.run(on: day, channel: .registeredLetter, at: callHours())
            #expect(registered.printed == 5 && registered.batch?.pdfPath?.hasSuffix("recommandes-2026-11-23.pdf") == true)
            let text = try tool("pdftotext", [try #require(registered.batch?.pdfPath), "-"])
            #expect(text.contains("Les frais de recouvrement entrepris sans titre exécutoire") && text.contains("/1"))
        }
    }

    @Test func thePostsFilesLandRowByRowAndAReturnMarksTheAddress() async throws {
        try await withDemo { db in
            try await trimOutbox(db, letters: 2, registered: 2)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("post-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let run = PrintRun(db, postal: FolderPostal(root: folder), press: LetterPress(workers: 1))
            _ = try await run.runAll(on: Day(year: 2026, month: 11, day: 23)!, at: callHours())
            let refs = try await db.withConnection { db in
                try await db.raw("SELECT reference, channel FROM letters ORDER BY id").all().map { (try $0.decode(column: "reference", as: String.self), try $0.decode(column: "channel", as: String.self)) }
            }
            let registered = refs.filter { $0.1 == "registered_letter" }.map(\.0), simple = refs.filter { $0.1 == "letter" }.map(\.0)
            #expect(registered.count == 2 && simple.count == 2)
            let tracking = PostTracking(db)
            let numbers = "reference;numero\n\(registered[0]);1A 123 456 7890 1\n\(registered[1]);2C00000000002\n\(simple[0]);1A00000000003\nRC-9999999/1;1A00000000004\n\(registered[1]);x\n"
            let n = try await tracking.importRegisteredNumbers(Array(numbers.utf8), actor: Actor("user:1"), at: callHours())
            #expect(n.applied == 2 && n.rejected.map(\.line) == [4, 5, 6])
            #expect(n.rejected[0].reason.contains("not a registered letter") && n.rejected[1].reason.contains("no letter with reference"))
            #expect(try await tracking.importRegisteredNumbers(Array(numbers.utf8), actor: Actor("user:1")).unchanged == 2)

            let receipts = "numero;statut;date\n1A1234567890 1;distribue;25/11/2026\n2C00000000002;non réclamé;2026-12-10\n9Z99999999999;npai;2026-12-01\n1A1234567890 1;distribue;pas une date\n"
            let r = try await tracking.importReceipts(Array(receipts.utf8), actor: Actor("user:1"), at: callHours())
            #expect(r.applied == 2 && r.rejected.map(\.line) == [4, 5])
            let returns = "reference;statut;date\n\(simple[0]);NPAI;2026-11-30\n"
            #expect(try await tracking.importReceipts(Array(returns.utf8), actor: Actor("user:1")).applied == 1)
            let letter = try await db.withConnection { db in
                try await db.raw("SELECT case_id FROM letters WHERE reference = \(bind: simple[0])").all()[0].decode(column: "case_id", as: Int64.self)
            }
            let detail = try #require(try await CaseStore(db).detail(id: letter, scope: .agency))
            #expect(detail.events.contains { $0.kind == .mail && $0.text.contains("NPAI") })
            #expect(detail.tasks.contains { $0.channel == .review && $0.reason.contains("rechercher la nouvelle adresse") })
            let status = try await db.withConnection { db in
                try await db.raw("SELECT d.address_status FROM debtors d JOIN cases c ON c.debtor_id = d.id WHERE c.id = \(bind: letter)").all()[0].decode(column: "address_status", as: String.self)
            }
            #expect(status == "invalid")
            let statuses = try await LetterStore(db).letters(caseID: letter).map(\.status)
            #expect(statuses == [.returned])
            // A header the post never writes is refused as a whole, saying what it wants.
            let bad = try await tracking.importReceipts(Array("foo;bar\n1;2\n".utf8), actor: Actor("user:1"))
            #expect(bad.applied == 0 && bad.rejected.first?.line == 1 && bad.rejected.first?.reason.contains("statut") == true)
        }
    }
}

/// A post that cannot be reached.
struct PostDown: Postal, Error {
    func deposit(batch: PrintBatch, pdf: URL, manifest: URL) throws -> (pdf: String, manifest: String) { throw self }
}

extension ServerTests {
    @Test func theMailRoomPrintsServesTheBatchAndReadsThePostsFiles() async throws {
        try await withDemo { db in
            try await trimOutbox(db, letters: 3, registered: 1)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("post-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours, postal: FolderPostal(root: folder)), database: db)
            try await app.test(.router) { client in
                let agent = try await logIn(client, db, as: .agent)
                try await client.execute(uri: "/letters", method: .get, headers: [.cookie: agent]) { r in #expect(r.status == .forbidden) }
                let staff = try await logIn(client, db, as: .supervisor)
                let token = try await csrf(client, staff, page: "/letters")
                let (bad, badBody) = try await post(client, "/letters/print", staff, ["csrf": token, "day": "demain"])
                #expect(bad == .unprocessableContent && badBody.contains("Jour invalide"))
                let (status, body) = try await post(client, "/letters/print", staff, ["csrf": token, "day": "2026-11-23"])
                #expect(status == .ok && body.contains("3 courriers imprimés") && body.contains("1 courriers imprimés"))
                let batch = try #require(try await LetterStore(db).batches().first { $0.channel == .letter })
                #expect(body.contains("/letters/batches/\(batch.id)/batch.pdf"))
                try await client.execute(uri: "/letters/batches/\(batch.id)/batch.pdf", method: .get, headers: [.cookie: staff]) { r in
                    #expect(r.status == .ok && r.headers[.contentType] == "application/pdf" && String(buffer: r.body).hasPrefix("%PDF-1.5"))
                }
                try await client.execute(uri: "/letters/batches/\(batch.id)/manifest.csv", method: .get, headers: [.cookie: staff]) { r in
                    #expect(String(buffer: r.body).split(separator: "\n").count == 4)
                }
                try await client.execute(uri: "/letters/batches/\(batch.id)/../../etc/passwd", method: .get, headers: [.cookie: staff]) { r in #expect(r.status == .notFound) }

                // The case page lists its letter; its creditor's user downloads the PDF, another creditor's cannot.
                let letter = try await db.withConnection { db in
                    try await db.raw("SELECT l.case_id, l.reference, l.document_id, c.creditor_id FROM letters l JOIN cases c ON c.id = l.case_id WHERE l.channel = 'letter' ORDER BY l.id LIMIT 1").all()[0]
                }
                let caseID = try letter.decode(column: "case_id", as: Int64.self), documentID = try letter.decode(column: "document_id", as: Int64.self)
                let reference = try letter.decode(column: "reference", as: String.self)
                try await client.execute(uri: "/cases/\(caseID)", method: .get, headers: [.cookie: staff]) { r in
                    let page = String(buffer: r.body)
                    #expect(page.contains("id=\"letters\"") && page.contains(reference) && page.contains("href=\"/documents/\(documentID)\""))
                }
                let creditorUser = try await logIn(client, db, as: .creditorUser)
                let ownCreditor = try await db.withConnection { db in
                    try await db.raw("SELECT creditor_id FROM users WHERE login = 'user-creditoruser'").all()[0].decode(column: "creditor_id", as: Int64.self)
                }
                let sameCreditor = try letter.decode(column: "creditor_id", as: Int64.self) == ownCreditor
                try await client.execute(uri: "/documents/\(documentID)", method: .get, headers: [.cookie: creditorUser]) { r in
                    #expect(r.status == (sameCreditor ? .ok : .notFound))
                }

                // The post's file: good rows land, a bad one is reported with its line.
                let (type, upload) = multipart([("csrf", token), ("kind", "receipts")],
                                               file: ("retours.csv", "reference;statut;date\n\(reference);npai;2026-11-30\nRC-0000001/9;npai;2026-11-30\n"))
                try await client.execute(uri: "/letters/post", method: .post, headers: [.cookie: staff, .contentType: type], body: upload) { r in
                    let page = String(buffer: r.body)
                    #expect(r.status == .ok && page.contains("1 lignes appliquées") && page.contains("ligne 3 : no letter with reference RC-0000001/9"))
                }
                try await client.execute(uri: "/cases/\(caseID)", method: .get, headers: [.cookie: staff]) { r in
                    let page = String(buffer: r.body)
                    #expect(page.contains("revenu NPAI (30/11/2026)") && page.contains("adresse postale du débiteur est invalide"))
                }
                // The investigation finds the new address: it holds again, and the case's waiting letters may go.
                let (moved, _) = try await post(client, "/cases/\(caseID)/address", staff,
                                                ["csrf": token, "line1": "8 quai Saint-Vincent", "postcode": "69001", "city": "Lyon", "country": "", "source": "Annuaire"])
                #expect(moved == .seeOther)
                let detail = try #require(try await CaseStore(db).detail(id: caseID, scope: .agency))
                #expect(detail.debtor.addressStatus == .valid && detail.debtor.address.line1 == "8 quai Saint-Vincent")
                #expect(detail.events.contains { $0.text == "Nouvelle adresse : 8 quai Saint-Vincent, 69001 Lyon (source : Annuaire)" })
                let (noCity, noCityBody) = try await post(client, "/cases/\(caseID)/address", staff, ["csrf": token, "line1": "x", "postcode": "69001", "city": "", "source": "?"])
                #expect(noCity == .unprocessableContent && noCityBody.contains("an address needs a street line, a postcode and a city"))

                // A registered letter's number typed on its case page.
                let registered = try await db.withConnection { db in
                    try await db.raw("SELECT case_id, reference FROM letters WHERE channel = 'registered_letter' LIMIT 1").all()[0]
                }
                let rCase = try registered.decode(column: "case_id", as: Int64.self), rRef = try registered.decode(column: "reference", as: String.self)
                try await client.execute(uri: "/cases/\(rCase)", method: .get, headers: [.cookie: staff]) { r in
                    #expect(String(buffer: r.body).contains("action=\"/cases/\(rCase)/registered\""))
                }
                let (wrongCase, _) = try await post(client, "/cases/\(caseID)/registered", staff, ["csrf": token, "reference": rRef, "number": "1A12345678901"])
                #expect(wrongCase == .unprocessableContent)
                let (numbered, _) = try await post(client, "/cases/\(rCase)/registered", staff, ["csrf": token, "reference": rRef, "number": "1A 123 456 7890 1"])
                #expect(numbered == .seeOther)
                #expect(try await LetterStore(db).letters(caseID: rCase).first?.registeredNumber == "1A12345678901")
                let (asAgent, _) = try await post(client, "/cases/\(rCase)/registered", agent, ["csrf": try await csrf(client, agent, page: "/queue"), "reference": rRef, "number": "1A12345678902"])
                #expect(asAgent == .forbidden)
            }
        }
    }

    @Test func aTemplateWithoutItsMandatoryMentionsIsRefusedOnThePage() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                let accountant = try await logIn(client, db, as: .accountant)
                try await client.execute(uri: "/settings/letters", method: .get, headers: [.cookie: accountant]) { r in #expect(r.status == .forbidden) }
                let staff = try await logIn(client, db, as: .supervisor)
                let token = try await csrf(client, staff, page: "/settings/letters")
                var settings = LetterSettings.defaults
                settings.templates[0].body = settings.templates[0].body.replacingOccurrences(of: "{{payment_means}}", with: "Payez.")
                let (refused, body) = try await post(client, "/settings/letters", staff, ["csrf": token, "document": LetterSettingsStore.json(settings)])
                #expect(refused == .unprocessableContent)
                #expect(body.contains("templates[0].body: missing mandatory mention: demande de payer et modalités de paiement"))
                #expect(body.contains("Payez."), "the typed document comes back")
                settings = LetterSettings.defaults
                settings.agency.name = "Cabinet Durand Recouvrement"
                let (saved, _) = try await post(client, "/settings/letters", staff, ["csrf": token, "document": LetterSettingsStore.json(settings)])
                #expect(saved == .seeOther)
                #expect(try await LetterSettingsStore(db).current().settings.agency.name == "Cabinet Durand Recouvrement")
                var wrongIBAN = LetterSettingsStore.json(settings)
                wrongIBAN = wrongIBAN.replacingOccurrences(of: "FR7630006000011234567890189", with: "FR7630006000011234567890188")
                let (badIBAN, ibanBody) = try await post(client, "/settings/letters", staff, ["csrf": token, "document": wrongIBAN])
                #expect(badIBAN == .unprocessableContent && ibanBody.contains("agency.client_funds_iban") && ibanBody.contains("check digits"))
            }
        }
    }
}
