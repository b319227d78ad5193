import Foundation
import RecouvreCore
import Testing
@testable import RecouvreStore

@Suite struct AuditTrailTests {
    /// Every change lands in the trail with its actor and before → after, and an entry edited
    /// behind the application's back (the table refuses it; a DBA can lift that) breaks the chain.
    @Test(arguments: Backend.available)
    func everyChangeIsChainedAndAnEditIsFound(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            _ = try await addCreditor(db)
            _ = try await importText(db, header + "F1;Garage Martin SARL;443061841;3 rue Pasteur;69003;Lyon;;01/02/2026;03/03/2026;100;;EUR\n")
            let c = try #require(try await CaseStore(db).list(scope: .agency).cases.first)
            let marie = Actor.user("marie")
            try await CaseStore(db).transition(caseID: c.id, to: .investigation, reason: "Premier contact", actor: marie)
            try await CaseStore(db).recordAction(caseID: c.id, try CaseAction(channel: .call, outcome: .noAnswer, report: "Pas de réponse"), actor: marie)
            try await CaseStore(db).saveInvestigation(caseID: c.id, Investigation(reason: .oversight), actor: marie)
            _ = try await UserStore(db).create(login: "marie", displayName: "Marie", role: .agent, passwordHash: "$2b$12$notarealhash", actor: .user("admin"))
            #expect(try await AuditTrail.verify(db) == .intact(entries: 6))

            let rows = try await db.withConnection { try await $0.raw("SELECT id, actor, action, before_state, after_state FROM audit_log ORDER BY id").all() }
            #expect(try rows.map { try $0.decode(column: "action", as: String.self) }
                    == ["creditor.create", "claims.import", "case.transition", "case.action", "case.investigation", "user.create"])
            let transition = rows[2]
            #expect(try transition.decode(column: "actor", as: String.self) == "user:marie")
            #expect(try transition.decode(column: "before_state", as: String.self).contains("intake"))
            #expect(try transition.decode(column: "after_state", as: String.self).contains("investigation"))
            #expect(try !rows[5].decode(column: "after_state", as: String.self).contains("notarealhash"))

            let edited = try rows[2].decode(column: "id", as: Int64.self)
            await #expect(throws: (any Error).self) {
                try await db.withConnection { try await $0.raw("UPDATE audit_log SET actor = 'user:nobody' WHERE id = \(bind: edited)").run() }
            }
            try await db.withConnection { conn in
                switch backend {
                case .sqlite: try await conn.raw("DROP TRIGGER audit_log_no_update").run()
                case .postgres: try await conn.raw("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change").run()
                }
                try await conn.raw("UPDATE audit_log SET after_state = '{\"status\":\"paid\"}' WHERE id = \(bind: edited)").run()
            }
            guard case let .broken(id, reason) = try await AuditTrail.verify(db) else { Issue.record("the edit went unseen"); return }
            #expect(id == edited && reason.contains("edited"))
        }
    }

    @Test func aFlatObjectIsWrittenAsTheEncoderWritesIt() {
        let object = ["b": "a/b \"quoted\" \\ é\n\t", "a": "1", "c": ""]
        func viaEncoder<T: Encodable>(_ value: T) -> String { AuditTrail.json(value) }
        #expect(AuditTrail.json(object) == viaEncoder(object))
        #expect(AuditTrail.json(object) == #"{"a":"1","b":"a/b \"quoted\" \\ é\n\t","c":""}"#)
    }

    /// The chain's and the tokens' digests: SHA-256 in lower-case hex (FIPS 180-2's examples),
    /// a text's the same as its UTF-8 bytes'.
    @Test func textsAreDigestedAsTheirUTF8Bytes() {
        #expect(SHA256Hex.of("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Hex.of("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        for text in ["é à ç", String(repeating: "jeton-", count: 100), "a\u{0}b"] {
            #expect(SHA256Hex.of(text) == SHA256Hex.of(Data(text.utf8)))
        }
    }
}
