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
