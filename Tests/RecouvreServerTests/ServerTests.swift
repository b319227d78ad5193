import Foundation
import Hummingbird
import HummingbirdTesting
import RecouvreCore
import RecouvreStore
import Testing
@testable import RecouvreServer

/// The server's clock in tests: Tuesday 24 November 2026, 10:30 in Paris (inside the call hours,
/// the day after the demo portfolio's "today"), so that no test depends on when it runs.
let callHours: @Sendable () -> Instant = { Instant(iso: "2026-11-24T09:30:00.000Z")! }

/// In-process HTTP tests of the pages and the API, on a demo portfolio in a real SQLite file.
@Suite(.serialized) struct ServerTests {
    func withDemo(_ body: @Sendable (Database) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("recouvre-server-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try await Database.open(.sqlite(path: "\(dir)/demo.sqlite"))
        do {
            try await Migrations.migrate(db)
            _ = try await DemoPortfolio.load(into: db, today: Day(year: 2026, month: 11, day: 23)!)
            try await body(db)
            await db.close()
        } catch { await db.close(); throw error }
    }

    @Test func healthListAndCasePagesInBothLanguages() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                try await client.execute(uri: "/health", method: .get) { r in
                    #expect(r.status == .ok && String(buffer: r.body) == #"{"status":"ok"}"#)
                }
                let cookie = try await logIn(client, db, as: .admin)
                try await client.execute(uri: "/cases?status=litigation", method: .get, headers: [.cookie: cookie]) { r in
                    let html = String(buffer: r.body)
                    #expect(r.status == .ok && r.headers[.contentType] == "text/html; charset=utf-8")
                    #expect(html.contains("<html lang=\"fr\">") && html.contains("Contentieux") && html.contains("RC-"))
                    #expect(!html.contains("Payé en partie</span>"))
                    #expect(html.contains("rel=\"next\""))
                    #expect(!html.contains("Plus de 500 débiteurs"))
                }
                // A search naming more debtors than are listed says so.
                try await client.execute(uri: "/cases?q=e", method: .get, headers: [.cookie: cookie]) { r in
                    let html = String(buffer: r.body)
                    #expect(r.status == .ok && html.contains("Plus de 500 débiteurs portent ce nom") && html.contains("RC-"))
                }
                try await client.execute(uri: "/cases?lang=en", method: .get, headers: [.cookie: cookie]) { r in
                    let html = String(buffer: r.body)
                    #expect(html.contains("<html lang=\"en\">") && html.contains("Oldest due date"))
                    #expect(r.headers[.setCookie]?.contains("lang=en") == true)
                    #expect(r.headers[.setCookie]?.contains("HttpOnly") == true)
                }
                let page = try await CaseStore(db).list(scope: .agency, filter: CaseFilter(status: .suspended), limit: 1)
                let id = try #require(page.cases.first?.id)
                try await client.execute(uri: "/cases/\(id)", method: .get, headers: [.cookie: cookie]) { r in
                    let html = String(buffer: r.body)
                    #expect(r.status == .ok)
                    #expect(html.contains("RC-") && html.contains("Historique") && html.contains("[dispute]") && html.contains("Reste dû"))
                    #expect(!html.contains(">nil<") && !html.contains(" nil "))
                }
                try await client.execute(uri: "/cases/\(id)?lang=en", method: .get, headers: [.cookie: cookie]) { r in
                    #expect(String(buffer: r.body).contains("History"))
                }
                try await client.execute(uri: "/cases/999999", method: .get, headers: [.cookie: cookie]) { r in #expect(r.status == .notFound) }
                try await client.execute(uri: "/cases/abc", method: .get, headers: [.cookie: cookie]) { r in #expect(r.status == .notFound) }
            }
        }
    }

    @Test func apiListsCasesAndExplainsErrors() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                let cookie = try await logIn(client, db, as: .agent)
                let next: String? = try await client.execute(uri: "/api/v1/cases?status=paid&limit=5", method: .get, headers: [.cookie: cookie]) { r in
                    #expect(r.status == .ok && r.headers[.contentType] == "application/json")
                    struct Body: Decodable { let cases: [C]; let next_cursor: String? }
                    struct C: Decodable { let status: String; let balance: String; let reference: String }
                    let body = try JSONDecoder().decode(Body.self, from: Data(buffer: r.body))
                    #expect(body.cases.count == 5 && body.cases.allSatisfy { $0.status == "paid" && $0.balance == "0.00" })
                    return body.next_cursor
                }
                #expect(next != nil)
                try await client.execute(uri: "/api/v1/cases?status=nope", method: .get, headers: [.cookie: cookie]) { r in
                    #expect(r.status == .badRequest && r.headers[.contentType] == "application/problem+json")
                    #expect(String(buffer: r.body).contains(#""code":"invalid_status""#))
                }
                let theirs = try #require(try await CaseStore(db).list(scope: .team("Paris"), limit: 1).cases.first)
                try await client.execute(uri: "/api/v1/cases/\(theirs.reference)", method: .get, headers: [.cookie: cookie]) { r in
                    #expect(r.status == .ok && String(buffer: r.body).contains(#""allowed_transitions""#))
                }
                try await client.execute(uri: "/api/v1/cases/424242", method: .get, headers: [.cookie: cookie]) { r in
                    #expect(r.status == .notFound && String(buffer: r.body).contains(#""code":"case_not_found""#))
                }
                try await client.execute(uri: "/api/v1/cases", method: .get) { r in
                    #expect(r.status == .unauthorized && String(buffer: r.body).contains(#""code":"unauthenticated""#))
                }
            }
        }
    }

    static let password = "cheval-agrafe-batterie"

    /// Creates a user of `role` (a creditor user belongs to the first creditor, an agent to the
    /// demo's Paris team unless `team` says otherwise) and logs in through the login form as a
    /// browser would; returns the session cookie to send.
    func logIn(_ client: some TestClientProtocol, _ db: Database, as role: Role, login: String? = nil, team: String? = "Paris") async throws -> String {
        let login = login ?? "user-\(role.rawValue.lowercased())"
        let creditor = role == .creditorUser ? try await CreditorStore(db).list().first?.id : nil
        _ = try await UserStore(db).create(login: login, displayName: "Test \(role.rawValue)", role: role, creditorID: creditor,
                                           team: role == .agent ? team : nil, passwordHash: Passwords.hash(Self.password))
        return try await submitLogin(client, login: login, password: Self.password).cookie!
    }

    /// Posts the login form with its form token; returns the response status and the session cookie if one was set.
    func submitLogin(_ client: some TestClientProtocol, login: String, password: String, next: String = "/cases") async throws -> (status: HTTPResponse.Status, cookie: String?, location: String?) {
        let (token, formCookie): (String, String) = try await client.execute(uri: "/login", method: .get) { r in
            let html = String(buffer: r.body)
            let token = try #require(html.range(of: #"name="formToken" value=""#).map { html[$0.upperBound...].prefix { $0 != "\"" } })
            let setCookie = try #require(r.headers[.setCookie])
            return (String(token), String(setCookie.prefix { $0 != ";" }))
        }
        let body = "formToken=\(token)&login=\(login)&password=\(password)&next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
        return try await client.execute(uri: "/login", method: .post, headers: [.cookie: formCookie, .contentType: "application/x-www-form-urlencoded"],
                                        body: ByteBuffer(string: body)) { r in
            let session = r.headers[values: .setCookie].first { $0.hasPrefix("recouvre_session=") }
            return (r.status, session.map { String($0.prefix { $0 != ";" }) }, r.headers[.location])
        }
    }

    @Test func pagesAskForALoginAndTheSessionCookieIsGuarded() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                try await client.execute(uri: "/cases?status=paid", method: .get) { r in
                    #expect(r.status == .found && r.headers[.location] == "/login?next=%2Fcases%3Fstatus%3Dpaid")
                }
                _ = try await UserStore(db).create(login: "marie", displayName: "Marie", role: .agent, passwordHash: Passwords.hash(Self.password))
                let wrong = try await submitLogin(client, login: "marie", password: "pas-le-bon-mot-de-passe")
                #expect(wrong.status == .unauthorized && wrong.cookie == nil)
                let nobody = try await submitLogin(client, login: "personne", password: Self.password)
                #expect(nobody.status == .unauthorized && nobody.cookie == nil)
                // The form token is required: a login posted from another site is refused.
                try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                         body: ByteBuffer(string: "login=marie&password=\(Self.password)")) { r in #expect(r.status == .forbidden) }

                let ok = try await submitLogin(client, login: "marie", password: Self.password, next: "/cases?status=paid")
                #expect(ok.status == .seeOther && ok.location == "/cases?status=paid")
                let cookie = try #require(ok.cookie)
                // An outside address after login is not followed.
                #expect(LoginPages.safeNext("https://evil.example/") == "/cases" && LoginPages.safeNext("//evil.example") == "/cases")

                let csrf: String = try await client.execute(uri: "/cases", method: .get, headers: [.cookie: cookie]) { r in
                    let html = String(buffer: r.body)
                    #expect(r.status == .ok && html.contains("Marie") && html.contains("Chargé de recouvrement"))
                    return String(try #require(html.range(of: #"name="csrf" value=""#).map { html[$0.upperBound...].prefix { $0 != "\"" } }))
                }
                // Logging out needs the session's CSRF token; then the cookie opens nothing.
                try await client.execute(uri: "/logout", method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                                         body: ByteBuffer(string: "csrf=forged")) { r in #expect(r.status == .forbidden) }
                try await client.execute(uri: "/logout", method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                                         body: ByteBuffer(string: "csrf=\(csrf)")) { r in
                    #expect(r.status == .seeOther && r.headers[.location] == "/login")
                }
                try await client.execute(uri: "/cases", method: .get, headers: [.cookie: cookie]) { r in #expect(r.status == .found) }
                // Only the hash of a session token is stored.
                let stored = try await db.withConnection { try await $0.raw("SELECT token_hash FROM sessions").all() }
                #expect(try stored.allSatisfy { try !cookie.contains($0.decode(column: "token_hash", as: String.self)) })
            }
        }
    }

    @Test func theSessionCookieIsHttpOnlyAndSameSiteAndSecureBehindTLS() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                _ = try await UserStore(db).create(login: "marie", displayName: "Marie", role: .agent, passwordHash: Passwords.hash(Self.password))
                let (token, formCookie): (String, String) = try await client.execute(uri: "/login", method: .get) { r in
                    let html = String(buffer: r.body)
                    let token = try #require(html.range(of: #"name="formToken" value=""#).map { html[$0.upperBound...].prefix { $0 != "\"" } })
                    return (String(token), String(try #require(r.headers[.setCookie]).prefix { $0 != ";" }))
                }
                try await client.execute(uri: "/login", method: .post,
                                         headers: [.cookie: formCookie, .contentType: "application/x-www-form-urlencoded", .init("X-Forwarded-Proto")!: "https"],
                                         body: ByteBuffer(string: "formToken=\(token)&login=marie&password=\(Self.password)")) { r in
                    let session = try #require(r.headers[values: .setCookie].first { $0.hasPrefix("recouvre_session=") })
                    #expect(session.contains("HttpOnly") && session.contains("SameSite=Lax") && session.contains("Secure") && session.contains("Path=/"))
                }
            }
        }
    }

    @Test func fiveWrongPasswordsLockTheLoginForAQuarterOfAnHour() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                _ = try await UserStore(db).create(login: "marie", displayName: "Marie", role: .agent, passwordHash: Passwords.hash(Self.password))
                for _ in 0..<loginAttemptsAllowed {
                    #expect(try await submitLogin(client, login: "marie", password: "mauvais-mot-de-passe").status == .unauthorized)
                }
                let locked = try await submitLogin(client, login: "marie", password: Self.password)
                #expect(locked.status == .tooManyRequests && locked.cookie == nil)
            }
        }
    }

    @Test func aCreditorsUserSeesOnlyThatCreditorsCases() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                let cookie = try await logIn(client, db, as: .creditorUser)
                let creditors = try await CreditorStore(db).list()
                let own = try #require(creditors.first), other = try #require(creditors.last)
                let mine = try await CaseStore(db).list(scope: .creditor(own.id), limit: 1).cases[0]
                let theirs = try await CaseStore(db).list(scope: .creditor(other.id), limit: 1).cases[0]
                try await client.execute(uri: "/cases", method: .get, headers: [.cookie: cookie]) { r in
                    let html = String(buffer: r.body)
                    #expect(r.status == .ok && html.contains(own.name) && !html.contains(other.name))
                }
                try await client.execute(uri: "/cases/\(mine.id)", method: .get, headers: [.cookie: cookie]) { r in #expect(r.status == .ok) }
                // Another creditor's case does not exist for them, on the pages and in the API.
                try await client.execute(uri: "/cases/\(theirs.id)", method: .get, headers: [.cookie: cookie]) { r in #expect(r.status == .notFound) }
                try await client.execute(uri: "/api/v1/cases/\(theirs.id)", method: .get, headers: [.cookie: cookie]) { r in #expect(r.status == .notFound) }
                try await client.execute(uri: "/api/v1/cases?creditor=\(other.id)", method: .get, headers: [.cookie: cookie]) { r in
                    #expect(r.status == .ok && !String(buffer: r.body).contains(theirs.reference))
                }
                try await client.execute(uri: "/cases?q=\(theirs.reference)", method: .get, headers: [.cookie: cookie]) { r in
                    let html = String(buffer: r.body)
                    #expect(!html.contains("href=\"/cases/\(theirs.id)\"") && html.contains("Aucun dossier ne correspond."))
                }
            }
        }
    }

    @Test func anAgentSeesTheCasesOfTheirTeamAndASupervisorSharesThemOut() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                let workers = try await UserStore(db).caseWorkers()
                let leroy = try #require(workers.first { $0.login == "agent.leroy" })
                let paris = try #require(try await CaseStore(db).list(scope: .team("Paris"), limit: 1).cases.first)
                let lyon = try #require(try await CaseStore(db).list(scope: .team("Lyon"), limit: 1).cases.first)
                let agent = try await logIn(client, db, as: .agent, login: "agent-lyon", team: "Lyon")
                // Another team's case does not exist for them, in the pages, the API, the search and the counts.
                try await client.execute(uri: "/cases/\(paris.id)", method: .get, headers: [.cookie: agent]) { r in #expect(r.status == .notFound) }
                try await client.execute(uri: "/api/v1/cases/\(paris.id)", method: .get, headers: [.cookie: agent]) { r in #expect(r.status == .notFound) }
                try await client.execute(uri: "/api/v1/cases/\(paris.id)/payments", method: .get, headers: [.cookie: agent]) { r in #expect(r.status == .notFound) }
                try await client.execute(uri: "/cases/\(lyon.id)", method: .get, headers: [.cookie: agent]) { r in #expect(r.status == .ok) }
                try await client.execute(uri: "/api/v1/cases?limit=200&q=\(paris.reference)", method: .get, headers: [.cookie: agent]) { r in
                    #expect(r.status == .ok && !String(buffer: r.body).contains(paris.reference))
                }
                try await client.execute(uri: "/api/v1/cases?limit=200", method: .get, headers: [.cookie: agent]) { r in
                    struct Body: Decodable { let cases: [C] }
                    struct C: Decodable { let agent_id: Int64? }
                    let body = try JSONDecoder().decode(Body.self, from: Data(buffer: r.body))
                    #expect(!body.cases.isEmpty && body.cases.allSatisfy { $0.agent_id == leroy.id })
                }
                let counts = try await CaseStore(db).countsByStatus(scope: .team("Lyon")).values.reduce(0, +)
                let all = try await CaseStore(db).countsByStatus(scope: .agency).values.reduce(0, +)
                try await client.execute(uri: "/cases", method: .get, headers: [.cookie: agent]) { r in
                    let html = String(buffer: r.body)
                    #expect(counts < all && !html.contains("(\(all))") && !html.contains("agent.martin"))
                }
                // The agent cannot share out cases; the supervisor gives the Paris case to Lyon, and it appears.
                let agentToken = try await csrf(client, agent, page: "/cases/\(lyon.id)")
                var (status, _) = try await post(client, "/cases/\(lyon.id)/assign", agent, ["csrf": agentToken, "agent": String(leroy.id)])
                #expect(status == .forbidden)
                let chief = try await logIn(client, db, as: .supervisor)
                let token = try await csrf(client, chief, page: "/cases/\(paris.id)")
                var body: String
                (status, body) = try await post(client, "/cases/\(paris.id)/assign", chief, ["csrf": token, "agent": "999999"])
                #expect(status == .unprocessableContent && body.contains("choose an agent from the list"))
                (status, _) = try await post(client, "/cases/\(paris.id)/assign", chief, ["csrf": token, "agent": String(leroy.id)])
                #expect(status == .seeOther)
                try await client.execute(uri: "/cases/\(paris.id)", method: .get, headers: [.cookie: agent]) { r in
                    let html = String(buffer: r.body)
                    #expect(r.status == .ok && html.contains("Dossier attribué à Paul Leroy") && html.contains("Attribution"))
                }
                // The list filters by agent, balance band, age band and sorts; a bad value is a 400 that names it.
                try await client.execute(uri: "/cases?agent=\(leroy.id)&balance=from500to2000&age=over365&sort=balance&due=1", method: .get, headers: [.cookie: chief]) { r in
                    let html = String(buffer: r.body)
                    #expect(r.status == .ok && html.contains("value=\"from500to2000\" selected") && html.contains("value=\"balance\" selected"))
                }
                try await client.execute(uri: "/api/v1/cases?sort=balance&cursor=newest..5", method: .get, headers: [.cookie: chief]) { r in
                    #expect(r.status == .badRequest && String(buffer: r.body).contains(#""code":"invalid_cursor""#))
                }
                try await client.execute(uri: "/api/v1/cases?balance=lots", method: .get, headers: [.cookie: chief]) { r in
                    #expect(r.status == .badRequest && String(buffer: r.body).contains(#""code":"invalid_balance""#))
                }
                try await client.execute(uri: "/cases?age=old", method: .get, headers: [.cookie: chief]) { r in #expect(r.status == .badRequest) }
            }
        }
    }

    func csrf(_ client: some TestClientProtocol, _ cookie: String, page: String) async throws -> String {
        try await client.execute(uri: page, method: .get, headers: [.cookie: cookie]) { r in
            let html = String(buffer: r.body)
            return String(try #require(html.range(of: #"name="csrf" value=""#).map { html[$0.upperBound...].prefix { $0 != "\"" } }))
        }
    }

    func post(_ client: some TestClientProtocol, _ uri: String, _ cookie: String, _ fields: [String: String]) async throws -> (HTTPResponse.Status, String) {
        let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(separator: "&")
        return try await client.execute(uri: uri, method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                                        body: ByteBuffer(string: body)) { r in (r.status, String(buffer: r.body)) }
    }

    @Test func anAgentActsOnACaseAndTheCreditorReadsTheReport() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                let creditor = try #require(try await CreditorStore(db).list().first)
                let c = try #require(try await CaseStore(db).list(scope: .team("Paris"), filter: CaseFilter(creditorID: creditor.id, status: .amicable), limit: 1).cases.first)
                let agent = try await logIn(client, db, as: .agent)
                let token = try await csrf(client, agent, page: "/cases/\(c.id)")
                let page = "/cases/\(c.id)"

                var (status, _) = try await post(client, "\(page)/actions", agent,
                                                 ["csrf": token, "channel": "call", "outcome": "promise", "report": "Promet 500 € le 15/12 par virement"])
                #expect(status == .seeOther)
                // A call cannot have been "sent"; an empty report is refused; both say why.
                var body: String
                (status, body) = try await post(client, "\(page)/actions", agent, ["csrf": token, "channel": "call", "outcome": "sent", "report": "x"])
                #expect(status == .unprocessableContent && body.contains("does not apply to call"))
                (status, body) = try await post(client, "\(page)/actions", agent, ["csrf": token, "channel": "note", "outcome": "none", "report": "  "])
                #expect(status == .unprocessableContent && body.contains("the report is empty"))
                (status, _) = try await post(client, "\(page)/actions", agent, ["channel": "note", "outcome": "none", "report": "sans jeton"])
                #expect(status == .forbidden)
                // Only the lifecycle's transitions: amicable cannot go back to intake.
                (status, body) = try await post(client, "\(page)/phase", agent, ["csrf": token, "status": "intake", "reason": "retour"])
                #expect(status == .unprocessableContent && body.contains("cannot go from amicable to intake"))
                (status, _) = try await post(client, "\(page)/investigation", agent,
                                             ["csrf": token, "reason": "cash_flow_difficulty", "solvency": "fragile", "sources": "Infogreffe, appel"])
                #expect(status == .seeOther)
                (status, _) = try await post(client, "\(page)/phase", agent, ["csrf": token, "status": "suspended", "suspension": "dispute", "reason": "Conteste la facture"])
                #expect(status == .seeOther)
                #expect(try await CaseStore(db).detail(id: c.id, scope: .agency)?.lifecycle.status == .suspended)

                // The creditor's user reads the report and the new phase, and has no form to act.
                let client_ = try await logIn(client, db, as: .creditorUser)
                try await client.execute(uri: page, method: .get, headers: [.cookie: client_]) { r in
                    let html = String(buffer: r.body)
                    #expect(html.contains("Appel · promesse de paiement — Promet 500 € le 15/12 par virement"))
                    #expect(html.contains("Conteste la facture") && !html.contains("/actions\""))
                }
                let theirToken = try await csrf(client, client_, page: page)
                (status, _) = try await post(client, "\(page)/actions", client_, ["csrf": theirToken, "channel": "note", "outcome": "none", "report": "x"])
                #expect(status == .forbidden)
                let actions = try await db.withConnection { try await $0.raw("SELECT channel, outcome, actor FROM case_actions").all() }
                #expect(actions.count == 1)
                #expect(try actions[0].decode(column: "actor", as: String.self) == "user:user-agent")
            }
        }
    }

    @Test func apiTokensAreShownOnceWorkUntilRevokedAndAPasswordChangeEndsSessions() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                let cookie = try await logIn(client, db, as: .creditorUser)
                let token = try await csrf(client, cookie, page: "/account")
                let (status, html) = try await post(client, "/account/tokens", cookie, ["csrf": token, "name": "ERP export"])
                #expect(status == .ok)
                let apiToken = String(try #require(html.range(of: "<code>").map { html[$0.upperBound...].prefix { $0 != "<" } }))
                #expect(apiToken.hasPrefix("rcv_"))
                let stored = try await db.withConnection { try await $0.raw("SELECT token_hash FROM api_tokens").all() }
                #expect(try stored.count == 1 && !apiToken.contains(stored[0].decode(column: "token_hash", as: String.self)))
                // The token opens the API with the user's scope, and cannot post the pages' forms.
                try await client.execute(uri: "/api/v1/cases?limit=2", method: .get, headers: [.authorization: "Bearer \(apiToken)"]) { r in
                    #expect(r.status == .ok)
                }
                // Blanks around the token are not part of it.
                try await client.execute(uri: "/api/v1/cases?limit=2", method: .get, headers: [.authorization: "Bearer  \t\(apiToken) "]) { r in
                    #expect(r.status == .ok)
                }
                let creditors = try await CreditorStore(db).list()
                let theirs = try await CaseStore(db).list(scope: .creditor(try #require(creditors.last).id), limit: 1).cases[0]
                try await client.execute(uri: "/api/v1/cases/\(theirs.id)", method: .get, headers: [.authorization: "Bearer \(apiToken)"]) { r in
                    #expect(r.status == .notFound)
                }
                try await client.execute(uri: "/api/v1/cases", method: .get, headers: [.authorization: "Bearer rcv_forged"]) { r in
                    #expect(r.status == .unauthorized && String(buffer: r.body).contains(#""code":"invalid_token""#))
                }
                let owner = try #require(try await UserStore(db).credentials(login: "user-creditoruser")).user
                let id = try #require(try await UserStore(db).tokens(of: owner.id).first?.id)
                #expect(try await post(client, "/account/tokens/\(id)/revoke", cookie, ["csrf": token]).0 == .seeOther)
                try await client.execute(uri: "/api/v1/cases", method: .get, headers: [.authorization: "Bearer \(apiToken)"]) { r in
                    #expect(r.status == .unauthorized)
                }

                // A password change needs the current one, a strong new one twice; then every session ends.
                var (s, body) = try await post(client, "/account/password", cookie, ["csrf": token, "current": "faux", "new": "nouveau-mot-de-passe-long", "confirm": "nouveau-mot-de-passe-long"])
                #expect(s == .unprocessableContent && body.contains("role=\"alert\""))
                (s, _) = try await post(client, "/account/password", cookie, ["csrf": token, "current": Self.password, "new": "court", "confirm": "court"])
                #expect(s == .unprocessableContent)
                (s, _) = try await post(client, "/account/password", cookie, ["csrf": token, "current": Self.password, "new": "nouveau-mot-de-passe-long", "confirm": "nouveau-mot-de-passe-long"])
                #expect(s == .seeOther)
                try await client.execute(uri: "/cases", method: .get, headers: [.cookie: cookie]) { r in #expect(r.status == .found) }
                #expect(try await submitLogin(client, login: "user-creditoruser", password: Self.password).status == .unauthorized)
                #expect(try await submitLogin(client, login: "user-creditoruser", password: "nouveau-mot-de-passe-long").status == .seeOther)
            }
        }
    }

    /// Each role on each route that changes a case: allowed exactly when the rights table says so,
    /// 403 otherwise; every role reads (within its scope).
    @Test func eachRoleOnEachCaseRouteGetsWhatTheRightsTableSays() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                let creditor = try #require(try await CreditorStore(db).list().first)
                // Cases of the Paris team (the test agents' team) and of the creditor the creditor's user belongs to.
                let cases = try await CaseStore(db).list(scope: .team("Paris"), filter: CaseFilter(creditorID: creditor.id, status: .amicable), limit: Role.allCases.count).cases
                let worker = try #require(try await UserStore(db).caseWorkers().first { $0.team == "Paris" })
                for (role, c) in zip(Role.allCases, cases) {
                    let cookie = try await logIn(client, db, as: role)
                    let page = "/cases/\(c.id)"
                    try await client.execute(uri: page, method: .get, headers: [.cookie: cookie]) { r in #expect(r.status == .ok, "\(role) reads") }
                    try await client.execute(uri: "/api/v1/cases/\(c.id)", method: .get, headers: [.cookie: cookie]) { r in #expect(r.status == .ok, "\(role) API") }
                    let token = try await csrf(client, cookie, page: page)
                    let forms: [(String, [String: String])] = [
                        ("actions", ["channel": "note", "outcome": "none", "report": "Note de \(role.rawValue)"]),
                        ("investigation", ["reason": "oversight"]),
                        ("phase", ["status": "suspended", "suspension": "creditor_request", "reason": "Le créancier demande une pause"]),
                        ("address", ["line1": "1 rue Neuve", "postcode": "75001", "city": "Paris", "source": "test"]),
                    ]
                    for (form, fields) in forms {
                        let (status, _) = try await post(client, "\(page)/\(form)", cookie, fields.merging(["csrf": token]) { a, _ in a })
                        #expect(status == (role.may(.workCases) ? .seeOther : .forbidden), "\(role) posts \(form)")
                    }
                    let (status, _) = try await post(client, "\(page)/assign", cookie, ["csrf": token, "agent": String(worker.id)])
                    #expect(status == (role.may(.assignCases) ? .seeOther : .forbidden), "\(role) assigns")
                    // The case has no dispute: those who may answer one are told so, the others are refused.
                    let (answer, _) = try await post(client, "\(page)/dispute", cookie, ["csrf": token, "decision": "resume", "text": "Créance due"])
                    #expect(answer == (role.may(.answerDisputes) ? .unprocessableContent : .forbidden), "\(role) answers a dispute")
                    // The case has no registered letter: those who may number one are told so.
                    let (number, _) = try await post(client, "\(page)/registered", cookie, ["csrf": token, "reference": "\(CaseReference(caseID: c.id))/9", "number": "1A12345678901"])
                    #expect(number == (role.may(.printLetters) ? .unprocessableContent : .forbidden), "\(role) enters a registered number")
                    let (missing, _) = try await post(client, "/cases/999999/registered", cookie, ["csrf": token, "reference": "RC-999999/1", "number": "1A12345678901"])
                    #expect(missing == (role.may(.printLetters) ? .notFound : .forbidden), "\(role) numbers a letter of no case")
                    for page in ["/queue", "/objectives"] {
                        try await client.execute(uri: page, method: .get, headers: [.cookie: cookie]) { r in
                            #expect(r.status == (role.may(.workCases) ? .ok : .forbidden), "\(role) opens \(page)")
                        }
                    }
                    for page in ["/settings/collection", "/reports/strategies"] {
                        try await client.execute(uri: page, method: .get, headers: [.cookie: cookie]) { r in
                            #expect(r.status == (role.may(.editStrategies) ? .ok : .forbidden), "\(role) opens \(page)")
                        }
                    }
                    try await client.execute(uri: "/letters", method: .get, headers: [.cookie: cookie]) { r in
                        #expect(r.status == (role.may(.printLetters) ? .ok : .forbidden), "\(role) opens the mail room")
                    }
                    let (printStatus, _) = try await post(client, "/letters/print", cookie, ["csrf": token, "day": "2026-01-01"])
                    #expect(printStatus == (role.may(.printLetters) ? .ok : .forbidden), "\(role) prints")
                    try await client.execute(uri: "/settings/letters", method: .get, headers: [.cookie: cookie]) { r in
                        #expect(r.status == (role.may(.editLetters) ? .ok : .forbidden), "\(role) opens the letter settings")
                    }
                    let (paid, _) = try await post(client, "\(page)/payment", cookie, ["csrf": token, "amount": "12,50", "received_on": "2026-11-23", "method": "cheque"])
                    #expect(paid == (role.may(.recordPayments) ? .seeOther : .forbidden), "\(role) records a payment")
                    // A settlement needs the lifecycle's leave (a case suspended above cannot): those
                    // who may accept one get an answer, the others are refused.
                    let (settled, _) = try await post(client, "\(page)/settlement", cookie, ["csrf": token, "reason": "Accord du créancier"])
                    #expect((settled == .forbidden) == !role.may(.acceptSettlements), "\(role) accepts a settlement")
                }
            }
        }
    }

    @Test func debtorAndCreditorPagesShowWhatTheViewerMaySee() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                let creditors = try await CreditorStore(db).list()
                let own = try #require(creditors.first)
                // A debtor with cases at the first creditor and at another one (the demo shares customers).
                let shared = try await db.withConnection { try await $0.raw("""
                    SELECT a.debtor_id AS d, b.id AS other FROM cases a JOIN cases b ON b.debtor_id = a.debtor_id AND b.creditor_id <> a.creditor_id
                    WHERE a.creditor_id = \(bind: own.id) LIMIT 1
                    """).all() }
                let debtorID = try #require(shared.first).decode(column: "d", as: Int64.self)
                let otherCase = try #require(shared.first).decode(column: "other", as: Int64.self)
                let elsewhere = try await db.withConnection { try await $0.raw("""
                    SELECT debtor_id AS d FROM cases WHERE debtor_id NOT IN (SELECT debtor_id FROM cases WHERE creditor_id = \(bind: own.id)) LIMIT 1
                    """).all() }
                let strangerID = try #require(elsewhere.first).decode(column: "d", as: Int64.self)

                let staff = try await logIn(client, db, as: .supervisor)
                try await client.execute(uri: "/debtors/\(debtorID)", method: .get, headers: [.cookie: staff]) { r in
                    #expect(r.status == .ok && String(buffer: r.body).contains("href=\"/cases/\(otherCase)\""))
                }
                try await client.execute(uri: "/creditors/\(own.id)", method: .get, headers: [.cookie: staff]) { r in
                    let html = String(buffer: r.body)
                    #expect(r.status == .ok && html.contains(own.mandate.reference) && html.contains("/cases?creditor=\(own.id)"))
                }
                let theirs = try await logIn(client, db, as: .creditorUser)
                try await client.execute(uri: "/debtors/\(debtorID)", method: .get, headers: [.cookie: theirs]) { r in
                    let html = String(buffer: r.body)
                    #expect(r.status == .ok && !html.contains("href=\"/cases/\(otherCase)\""))
                }
                try await client.execute(uri: "/debtors/\(strangerID)", method: .get, headers: [.cookie: theirs]) { r in #expect(r.status == .notFound) }
                try await client.execute(uri: "/creditors/\(own.id)", method: .get, headers: [.cookie: theirs]) { r in #expect(r.status == .forbidden) }
                let agent = try await logIn(client, db, as: .agent)
                try await client.execute(uri: "/creditors/\(own.id)", method: .get, headers: [.cookie: agent]) { r in #expect(r.status == .forbidden) }
            }
        }
    }

    @Test func anAdministratorCreatesAndDisablesUsersAndNobodyElseCan() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                let admin = try await logIn(client, db, as: .admin)
                let token = try await csrf(client, admin, page: "/admin/users")
                let creditor = try #require(try await CreditorStore(db).list().first)
                var (status, body) = try await post(client, "/admin/users", admin, ["csrf": token, "login": "lea", "name": "Léa", "role": "creditorUser",
                                                                                   "creditor": String(creditor.id), "password": "court"])
                #expect(status == .unprocessableContent && body.contains("at least 12"))
                (status, body) = try await post(client, "/admin/users", admin, ["csrf": token, "login": "lea", "name": "Léa", "role": "creditorUser",
                                                                               "creditor": "", "password": Self.password])
                #expect(status == .unprocessableContent && body.contains("belongs to one creditor"))
                (status, _) = try await post(client, "/admin/users", admin, ["csrf": token, "login": "lea", "name": "Léa", "role": "creditorUser",
                                                                            "creditor": String(creditor.id), "password": Self.password])
                #expect(status == .seeOther)
                let lea = try await submitLogin(client, login: "lea", password: Self.password)
                let session = try #require(lea.cookie)
                try await client.execute(uri: "/admin/users", method: .get, headers: [.cookie: session]) { r in #expect(r.status == .forbidden) }

                let id = try #require(try await UserStore(db).credentials(login: "lea")).user.id
                let me = try #require(try await UserStore(db).credentials(login: "user-admin")).user.id
                // A password reset: refused when weak; otherwise the old password and the open session stop working.
                (status, body) = try await post(client, "/admin/users/\(id)/password", admin, ["csrf": token, "password": "lea-court"])
                #expect(status == .unprocessableContent && body.contains("at least 12"))
                (status, _) = try await post(client, "/admin/users/\(id)/password", session, ["csrf": token, "password": "un-autre-mot-de-passe"])
                #expect(status == .forbidden)
                (status, _) = try await post(client, "/admin/users/\(id)/password", admin, ["csrf": token, "password": "un-autre-mot-de-passe"])
                #expect(status == .seeOther)
                try await client.execute(uri: "/cases", method: .get, headers: [.cookie: session]) { r in #expect(r.status == .found) }
                #expect(try await submitLogin(client, login: "lea", password: Self.password).status == .unauthorized)
                let again = try #require(try await submitLogin(client, login: "lea", password: "un-autre-mot-de-passe").cookie)
                (status, body) = try await post(client, "/admin/users/\(me)/disable", admin, ["csrf": token])
                #expect(status == .unprocessableContent && body.contains("cannot disable yourself"))
                (status, _) = try await post(client, "/admin/users/\(id)/disable", admin, ["csrf": token])
                #expect(status == .seeOther)
                try await client.execute(uri: "/cases", method: .get, headers: [.cookie: again]) { r in #expect(r.status == .found) }
                #expect(try await submitLogin(client, login: "lea", password: "un-autre-mot-de-passe").status == .unauthorized)
                try await client.execute(uri: "/admin/users", method: .get, headers: [.cookie: admin]) { r in
                    #expect(String(buffer: r.body).contains("désactivé"))
                }
                let actions = try await db.withConnection { try await $0.raw("SELECT action, actor FROM audit_log WHERE action LIKE 'user.%' ORDER BY id").all() }
                #expect(try actions.suffix(3).map { try $0.decode(column: "action", as: String.self) } == ["user.create", "user.password", "user.disable"])
                #expect(try actions.last?.decode(column: "actor", as: String.self) == "user:user-admin")
            }
        }
    }

    @Test func everyLabelExistsInBothLanguages() {
        for key in Strings.keys {
            #expect(!Strings(language: .fr)[key].isEmpty && !Strings(language: .en)[key].isEmpty, "\(key)")
        }
        for s in CaseStatus.allCases { #expect(Strings(language: .en).status(s) != "status.\(s.rawValue)") }
    }
}
