import RecouvreCore
import SQLKit

/// Users, their sessions and failed logins. Passwords arrive here already hashed (the server
/// hashes with bcrypt); session tokens arrive as their SHA-256.
public struct UserStore: Sendable {
    let database: Database
    public init(_ database: Database) { self.database = database }

    /// Creates a user; refuses a login in use, a creditor user without a creditor, or staff with one.
    public func create(login: String, displayName: String, role: Role, creditorID: Int64? = nil, team: String? = nil,
                       passwordHash: String, actor: Actor = .system, at: Instant = SystemClock.now()) async throws -> User {
        let login = login.trimmingCharacters(in: .whitespaces).lowercased()
        guard !login.isEmpty, login.count <= 64, login.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-@".contains($0)) }) else {
            throw StoreError.invalid("a login is 1 to 64 letters, digits, '.', '_', '-' or '@'")
        }
        guard (role == .creditorUser) == (creditorID != nil) else {
            throw StoreError.invalid(role == .creditorUser ? "a creditor user belongs to one creditor" : "only a creditor user belongs to a creditor")
        }
        let id: Int64 = try await database.transaction { db in
            if try await !db.raw("SELECT id FROM users WHERE login = \(bind: login)").all().isEmpty {
                throw StoreError.conflict("the login \(login) is taken")
            }
            let id = try await db.raw("""
                INSERT INTO users (login, display_name, role, creditor_id, team, password_hash, created_at)
                VALUES (\(bind: login), \(bind: displayName), \(bind: role.rawValue), \(bind: creditorID), \(bind: team), \(bind: passwordHash), \(bind: at.description))
                RETURNING id
                """).all()[0].decode(column: "id", as: Int64.self)
            // Never the password hash: the trail is read by auditors.
            let user = User(id: id, login: login, displayName: displayName, role: role, creditorID: creditorID, team: team)
            try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "user.create", entity: "user", entityID: login, after: AuditTrail.json(user)), db: db)
            return id
        }
        database.shortCache.clear()
        return User(id: id, login: login, displayName: displayName, role: role, creditorID: creditorID, team: team)
    }

    /// An active user by login, with their password hash.
    public func credentials(login: String) async throws -> (user: User, passwordHash: String)? {
        let rows = try await database.withConnection { db in
            try await db.raw("SELECT * FROM users WHERE login = \(bind: login.lowercased()) AND disabled_at IS NULL").all()
        }
        guard let r = rows.first else { return nil }
        return (try Self.user(r), try r.decode(column: "password_hash", as: String.self))
    }

    public func setPassword(userID: Int64, passwordHash: String, actor: Actor, at: Instant = SystemClock.now()) async throws {
        try await database.transaction { db in
            try await db.raw("UPDATE users SET password_hash = \(bind: passwordHash) WHERE id = \(bind: userID)").run()
            try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "user.password", entity: "user", entityID: String(userID)), db: db)
            // Every other session of this user ends with the old password.
            try await db.raw("DELETE FROM sessions WHERE user_id = \(bind: userID)").run()
        }
        database.shortCache.clear()
    }

    static func user(_ r: any SQLRow) throws -> User {
        guard let role = Role(rawValue: try r.decode(column: "role", as: String.self)) else { throw StoreError.invalid("unknown role in users") }
        return User(id: try r.decode(column: "id", as: Int64.self), login: try r.decode(column: "login", as: String.self),
                    displayName: try r.decode(column: "display_name", as: String.self), role: role,
                    creditorID: try r.decode(column: "creditor_id", as: Int64?.self), team: try r.decode(column: "team", as: String?.self))
    }

    /// Everyone, with whether they are disabled, by login.
    public func list() async throws -> [(user: User, disabled: Bool)] {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM users ORDER BY login").all().map { r in
                (try Self.user(r), try r.decode(column: "disabled_at", as: String?.self) != nil)
            }
        }
    }

    /// The active agents and supervisors a case can be given to, by team then name.
    public func caseWorkers() async throws -> [User] {
        try await database.shortCache.value("caseWorkers") {
            try await database.withConnection { db in
                try await db.raw("""
                    SELECT * FROM users WHERE role IN ('agent', 'supervisor') AND disabled_at IS NULL ORDER BY team, display_name
                    """).all().map(Self.user)
            }
        }
    }

    /// Disables a user: they can no longer log in, and their sessions and API tokens stop working.
    public func disable(userID: Int64, actor: Actor, at: Instant = SystemClock.now()) async throws {
        try await database.transaction { db in
            let rows = try await db.raw("UPDATE users SET disabled_at = \(bind: at.description) WHERE id = \(bind: userID) AND disabled_at IS NULL RETURNING login").all()
            guard let login = try rows.first?.decode(column: "login", as: String.self) else { throw StoreError.notFound("user \(userID)") }
            try await db.raw("DELETE FROM sessions WHERE user_id = \(bind: userID)").run()
            try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "user.disable", entity: "user", entityID: login), db: db)
        }
        database.shortCache.clear()
    }

    // MARK: Sessions

    /// Opens a session; expired sessions and failed logins older than a day go at the same time,
    /// so neither table grows without end (both are only ever read for recent rows).
    public func openSession(tokenHash: String, csrfToken: String, userID: Int64, at: Instant, expiresAt: Instant) async throws {
        try await database.transaction { db in
            try await db.raw("""
                INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)
                VALUES (\(bind: tokenHash), \(bind: userID), \(bind: csrfToken), \(bind: at.description), \(bind: expiresAt.description))
                """).run()
            try await db.raw("DELETE FROM sessions WHERE expires_at <= \(bind: at.description)").run()
            let dayAgo = Instant(millisecondsSinceEpoch: at.millisecondsSinceEpoch - 86_400_000)
            try await db.raw("DELETE FROM login_failures WHERE at < \(bind: dayAgo.description)").run()
        }
    }

    /// The user and CSRF token of a live session of an active user. Every request asks it first:
    /// it is kept a few seconds (`ShortCache`), as one statement less for each page. A logout,
    /// a password change and a disabled user clear it at once; the session's end is checked here.
    public func session(tokenHash: String, at: Instant) async throws -> (user: User, csrfToken: String)? {
        let found = try await database.shortCache.value("session " + tokenHash) {
            try await database.withConnection { db in
                try await db.raw("""
                    SELECT u.*, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
                    WHERE s.token_hash = \(bind: tokenHash) AND u.disabled_at IS NULL
                    """).all()
            }.first.map { r in
                (user: try Self.user(r), csrfToken: try r.decode(column: "csrf_token", as: String.self),
                 expiresAt: Instant(iso: try r.decode(column: "expires_at", as: String.self)))
            }
        }
        guard let found, let end = found.expiresAt, at < end else { return nil }
        return (found.user, found.csrfToken)
    }

    public func closeSession(tokenHash: String) async throws {
        try await database.withConnection { db in try await db.raw("DELETE FROM sessions WHERE token_hash = \(bind: tokenHash)").run() }
        database.shortCache.clear()
    }

    // MARK: API tokens

    public struct APIToken: Sendable, Equatable {
        public let id: Int64
        public let name: String
        public let createdAt: Instant
        public let revokedAt: Instant?
    }

    /// Records a token (by its SHA-256) for `user`.
    public func createToken(for user: User, name: String, tokenHash: String, at: Instant = SystemClock.now()) async throws {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 80 else { throw StoreError.invalid("a token needs a name of 1 to 80 characters") }
        try await database.transaction { db in
            try await db.raw("""
                INSERT INTO api_tokens (user_id, name, token_hash, created_at)
                VALUES (\(bind: user.id), \(bind: name), \(bind: tokenHash), \(bind: at.description))
                """).run()
            try await AuditTrail.append(AuditEntry(at: at, actor: user.actor, action: "token.create", entity: "user", entityID: user.login, after: name), db: db)
        }
    }

    public func tokens(of userID: Int64) async throws -> [APIToken] {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM api_tokens WHERE user_id = \(bind: userID) ORDER BY id").all().map { r in
                APIToken(id: try r.decode(column: "id", as: Int64.self), name: try r.decode(column: "name", as: String.self),
                         createdAt: Instant(iso: try r.decode(column: "created_at", as: String.self))!,
                         revokedAt: try r.decode(column: "revoked_at", as: String?.self).flatMap(Instant.init(iso:)))
            }
        }
    }

    /// Revokes one of `user`'s own tokens; another user's token is "not found".
    public func revokeToken(id: Int64, of user: User, at: Instant = SystemClock.now()) async throws {
        try await database.transaction { db in
            let rows = try await db.raw("""
                UPDATE api_tokens SET revoked_at = \(bind: at.description)
                WHERE id = \(bind: id) AND user_id = \(bind: user.id) AND revoked_at IS NULL RETURNING name
                """).all()
            guard let name = try rows.first?.decode(column: "name", as: String.self) else { throw StoreError.notFound("token \(id)") }
            try await AuditTrail.append(AuditEntry(at: at, actor: user.actor, action: "token.revoke", entity: "user", entityID: user.login, before: name), db: db)
        }
        database.shortCache.clear()
    }

    /// The active user a live token belongs to; kept a few seconds as sessions are, cleared when a
    /// token is revoked or its user disabled.
    public func user(tokenHash: String) async throws -> User? {
        try await database.shortCache.value("token " + tokenHash) {
            try await database.withConnection { db in
                try await db.raw("""
                    SELECT u.* FROM api_tokens t JOIN users u ON u.id = t.user_id
                    WHERE t.token_hash = \(bind: tokenHash) AND t.revoked_at IS NULL AND u.disabled_at IS NULL
                    """).all()
            }.first.map(Self.user)
        }
    }

    // MARK: Failed logins

    public func recordFailure(login: String, at: Instant) async throws {
        try await database.withConnection { db in
            try await db.raw("INSERT INTO login_failures (login, at) VALUES (\(bind: login.lowercased()), \(bind: at.description))").run()
        }
    }

    public func failures(login: String, since: Instant) async throws -> Int {
        try await database.withConnection { db in
            try await db.raw("SELECT COUNT(*) AS n FROM login_failures WHERE login = \(bind: login.lowercased()) AND at > \(bind: since.description)")
                .all()[0].decode(column: "n", as: Int.self)
        }
    }
}
