import Foundation
import RecouvreCore
import Testing
@testable import RecouvreStore

@Suite struct UserStoreTests {
    @Test(arguments: Backend.available)
    func openingASessionClearsExpiredSessionsAndOldFailures(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            let users = UserStore(db)
            let u = try await users.create(login: "marie", displayName: "Marie", role: .agent, passwordHash: "!")
            let day: Int64 = 86_400_000
            let now = Instant(millisecondsSinceEpoch: 1_790_000_000_000)
            func at(_ offset: Int64) -> Instant { Instant(millisecondsSinceEpoch: now.millisecondsSinceEpoch + offset) }
            try await users.openSession(tokenHash: "old", csrfToken: "c", userID: u.id, at: at(-3 * day), expiresAt: at(-day))
            try await users.recordFailure(login: "marie", at: at(-2 * day))
            try await users.recordFailure(login: "marie", at: at(-60_000))
            try await users.openSession(tokenHash: "new", csrfToken: "c", userID: u.id, at: now, expiresAt: at(day))
            let sessions = try await db.withConnection { try await $0.raw("SELECT token_hash FROM sessions").all().map { try $0.decode(column: "token_hash", as: String.self) } }
            #expect(sessions == ["new"])
            #expect(try await users.failures(login: "marie", since: at(-10 * day)) == 1)
            #expect(try await users.session(tokenHash: "new", at: now)?.user.login == "marie")
        }
    }

    /// The session and token a request names are kept a few seconds, but never past the session's
    /// end, a logout, a revoked token or a disabled user.
    @Test(arguments: Backend.available)
    func aKeptSessionOrTokenEndsWhenItsRowsSaySo(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            let users = UserStore(db)
            let admin = try await users.create(login: "admin", displayName: "Admin", role: .admin, passwordHash: "!")
            let u = try await users.create(login: "marie", displayName: "Marie", role: .agent, passwordHash: "!")
            let now = Instant(millisecondsSinceEpoch: 1_790_000_000_000)
            try await users.openSession(tokenHash: "s1", csrfToken: "c", userID: u.id, at: now, expiresAt: Instant(millisecondsSinceEpoch: now.millisecondsSinceEpoch + 60_000))
            try await users.openSession(tokenHash: "s2", csrfToken: "c", userID: u.id, at: now, expiresAt: Instant(millisecondsSinceEpoch: now.millisecondsSinceEpoch + 60_000))
            try await users.createToken(for: u, name: "erp", tokenHash: "t1", at: now)
            #expect(try await users.session(tokenHash: "s1", at: now)?.user.login == "marie")
            #expect(try await users.session(tokenHash: "s1", at: Instant(millisecondsSinceEpoch: now.millisecondsSinceEpoch + 60_000)) == nil)
            #expect(try await users.user(tokenHash: "t1")?.login == "marie")
            try await users.closeSession(tokenHash: "s1")
            #expect(try await users.session(tokenHash: "s1", at: now) == nil)
            let token = try #require(try await users.tokens(of: u.id).first)
            try await users.revokeToken(id: token.id, of: u)
            #expect(try await users.user(tokenHash: "t1") == nil)
            #expect(try await users.session(tokenHash: "s2", at: now)?.user.login == "marie")
            try await users.disable(userID: u.id, actor: admin.actor)
            #expect(try await users.session(tokenHash: "s2", at: now) == nil)
        }
    }
}
