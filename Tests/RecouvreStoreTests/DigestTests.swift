import Foundation
import RecouvreCore
import Testing
@testable import RecouvreStore

@Suite struct DigestTests {
    @Test(arguments: Backend.available)
    func aCreditorsUserGetsTheDaysReportsOnceAndOnlyTheirs(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            let acme = try await addCreditor(db, code: "ACME")
            _ = try await addCreditor(db, code: "BETA")
            _ = try await importText(db, header + "A1;Garage Martin;443061841;3 rue Pasteur;69003;Lyon;;01/02/2026;03/03/2026;100;;EUR\n", creditor: "ACME")
            _ = try await importText(db, header + "B1;Autre SA;552032534;1 rue;75001;Paris;;01/02/2026;03/03/2026;200;;EUR\n", creditor: "BETA")
            let cases = try await CaseStore(db).list(scope: .agency).cases
            let mine = try #require(cases.first { $0.creditorName == "ACME SAS" }), theirs = try #require(cases.first { $0.creditorName == "BETA SAS" })
            let users = UserStore(db)
            let reader = try await users.create(login: "lecteur", displayName: "Léa Lecteur", role: .creditorUser, creditorID: acme.id, passwordHash: "!")
            _ = try await users.create(login: "muet", displayName: "Sans Digest", role: .creditorUser, creditorID: acme.id, passwordHash: "!")
            await #expect(throws: StoreError.self) { try await users.setDigest(userID: reader.id, email: "pas-une-adresse", daily: true, actor: .system) }
            await #expect(throws: StoreError.self) { try await users.setDigest(userID: reader.id, email: "", daily: true, actor: .system) }
            try await users.setDigest(userID: reader.id, email: "Lea@Acme.fr", daily: true, actor: .system)

            let at = Instant(iso: "2026-11-23T09:15:00.000Z")!
            try await CaseStore(db).recordAction(caseID: mine.id, try CaseAction(channel: .call, outcome: .reached, report: "Le gérant paiera vendredi"), actor: .user("agent"), at: at)
            try await CaseStore(db).recordAction(caseID: theirs.id, try CaseAction(channel: .call, outcome: .reached, report: "Secret de BETA"), actor: .user("agent"), at: at)
            // The next Paris day starts at 23:00 UTC: this one belongs to the 24th.
            try await CaseStore(db).recordAction(caseID: mine.id, try CaseAction(channel: .note, outcome: .none, report: "Le lendemain"), actor: .user("agent"),
                                                 at: Instant(iso: "2026-11-23T23:30:00.000Z")!)

            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recouvre-outbox-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let sender = DigestSender(db, mailer: OutboxFolderMailer(folder: folder))
            #expect(try await sender.send(for: Day(year: 2026, month: 11, day: 23)!) == 1)
            #expect(try await sender.send(for: Day(year: 2026, month: 11, day: 23)!) == 0, "once per user and day")
            let files = try FileManager.default.contentsOfDirectory(atPath: folder)
            #expect(files.count == 1)
            let mail = try String(contentsOfFile: "\(folder)/\(files[0])", encoding: .utf8)
            #expect(mail.contains("To: lea@acme.fr\r\n") && mail.contains("Subject: =?UTF-8?B?"))
            #expect(mail.contains("\(mine.reference) — Garage Martin") && mail.contains("10:15  Appel · joint — Le gérant paiera vendredi"))
            #expect(!mail.contains("Secret de BETA") && !mail.contains("Le lendemain"))
        }
    }
}
