import Foundation
import Hummingbird
import HummingbirdTesting
import RecouvreCore
import RecouvreStore
import Testing
@testable import RecouvreServer

/// The import page and the API's write routes, creditors and documents.
extension ServerTests {
    /// A user of `role` and an API token of theirs.
    func apiToken(_ db: Database, as role: Role, login: String? = nil, team: String? = "Paris") async throws -> String {
        let creditor = role == .creditorUser ? try await CreditorStore(db).list().first?.id : nil
        let user = try await UserStore(db).create(login: login ?? "api-\(role.rawValue.lowercased())", displayName: "API \(role.rawValue)", role: role,
                                                  creditorID: creditor, team: role == .agent ? team : nil, passwordHash: "!")
        return try await APITokens.create(for: user, name: "test", in: UserStore(db))
    }

    static let claimFile = """
        invoice_ref;debtor_name;siren;address_line1;postcode;city;issued_on;due_on;amount
        UP-1;Boulangerie Vial;443061841;3 rue Pasteur;69003;Lyon;01/02/2026;03/03/2026;1250,00
        UP-2;Boulangerie Vial;443061841;3 rue Pasteur;69003;Lyon;01/02/2026;31/02/2026;80,00
        UP-3;Imprimerie Roux;552032534;1 rue Neuve;75001;Paris;05/02/2026;05/03/2026;99,90

        """

    func multipart(_ fields: [(String, String)], file: (name: String, body: String)?, boundary: String = "----recouvre42") -> (String, ByteBuffer) {
        var body = ""
        for (k, v) in fields { body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n" }
        if let file {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(file.name)\"\r\nContent-Type: text/csv\r\n\r\n\(file.body)\r\n"
        }
        body += "--\(boundary)--\r\n"
        return ("multipart/form-data; boundary=\(boundary)", ByteBuffer(string: body))
    }

    @Test func aSupervisorImportsAFileSeesTheSummaryAndDownloadsTheRejects() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                let creditor = try #require(try await CreditorStore(db).list().first)
                let chief = try await logIn(client, db, as: .supervisor)
                let token = try await csrf(client, chief, page: "/imports")
                func upload(_ fields: [(String, String)], _ file: (name: String, body: String)?, cookie: String) async throws -> (HTTPResponse.Status, String) {
                    let (type, body) = multipart(fields, file: file)
                    return try await client.execute(uri: "/imports", method: .post, headers: [.cookie: cookie, .contentType: type], body: body) { r in
                        (r.status, String(buffer: r.body))
                    }
                }
                var (status, html) = try await upload([("csrf", token), ("creditor", String(creditor.id))], ("relances nov.csv", Self.claimFile), cookie: chief)
                #expect(status == .ok)
                #expect(html.contains("relances nov.csv") && html.contains("<dt>Lignes lues</dt><dd>3</dd>") && html.contains("<dt>Rejetées</dt><dd>1</dd>"))
                #expect(html.contains("<dt>Créances créées</dt><dd>2</dd>") && html.contains("due_on"))
                let link = try #require(html.range(of: #"href="/documents/"#).map { "/documents/" + html[$0.upperBound...].prefix { $0 != "\"" } })
                try await client.execute(uri: link, method: .get, headers: [.cookie: chief]) { r in
                    let csv = String(buffer: r.body)
                    #expect(r.status == .ok && r.headers[.contentType]?.hasPrefix("text/csv") == true)
                    #expect(r.headers[.contentDisposition]?.contains("attachment") == true)
                    #expect(csv.contains("UP-2") && csv.contains("due_on") && !csv.contains("UP-1"))
                }
                // The same file again creates nothing; the import list shows both imports.
                (status, html) = try await upload([("csrf", token), ("creditor", String(creditor.id))], ("relances nov.csv", Self.claimFile), cookie: chief)
                #expect(status == .ok && html.contains("<dt>Créances créées</dt><dd>0</dd>") && html.contains("<dt>Inchangées</dt><dd>2</dd>"))
                // A file whose header names no claim column imports nothing and says why.
                let before = try await db.withConnection { try await $0.raw("SELECT COUNT(*) AS n FROM claims").all()[0].decode(column: "n", as: Int.self) }
                (status, html) = try await upload([("csrf", token), ("creditor", String(creditor.id))], ("x.csv", "a;b\n1;2\n"), cookie: chief)
                #expect(status == .unprocessableContent && html.contains("rien n&#39;a été importé") || html.contains("rien n'a été importé"))
                (status, html) = try await upload([("csrf", token)], ("x.csv", Self.claimFile), cookie: chief)
                #expect(status == .unprocessableContent && html.contains("Choisissez le créancier."))
                (status, _) = try await upload([("csrf", "wrong"), ("creditor", String(creditor.id))], ("x.csv", Self.claimFile), cookie: chief)
                #expect(status == .forbidden)
                let after = try await db.withConnection { try await $0.raw("SELECT COUNT(*) AS n FROM claims").all()[0].decode(column: "n", as: Int.self) }
                #expect(after == before)
                // Roles without the right get 403; a creditor's user of another creditor cannot fetch the rejects.
                let agent = try await logIn(client, db, as: .agent)
                try await client.execute(uri: "/imports", method: .get, headers: [.cookie: agent]) { r in #expect(r.status == .forbidden) }
                (status, _) = try await upload([("csrf", try await csrf(client, agent, page: "/cases")), ("creditor", String(creditor.id))], ("x.csv", Self.claimFile), cookie: agent)
                #expect(status == .forbidden)
                try await client.execute(uri: link, method: .get, headers: [.cookie: agent]) { r in #expect(r.status == .notFound) }
                let other = try #require(try await CreditorStore(db).list().last)
                let stranger = try await UserStore(db).create(login: "autre-client", displayName: "Autre", role: .creditorUser, creditorID: other.id,
                                                              passwordHash: Passwords.hash(Self.password))
                let strangerCookie = try #require(try await submitLogin(client, login: stranger.login, password: Self.password).cookie)
                try await client.execute(uri: link, method: .get, headers: [.cookie: strangerCookie]) { r in #expect(r.status == .notFound) }
                try await client.execute(uri: "/imports", method: .get, headers: [.cookie: chief]) { r in
                    let html = String(buffer: r.body)
                    #expect(html.contains("Derniers imports") && html.components(separatedBy: "relances nov.csv").count >= 3)
                }
            }
        }
    }

    @Test func theAPIImportsCSVAndJSONRecordsActionsAndListsCreditorsAndDocuments() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                let chief = try await apiToken(db, as: .supervisor)
                let auth: HTTPFields = [.authorization: "Bearer \(chief)"]
                func call(_ uri: String, _ method: HTTPRequest.Method = .get, _ headers: HTTPFields = [:], body: String? = nil) async throws -> (HTTPResponse.Status, [String: Any], String) {
                    var h = auth
                    h.append(contentsOf: headers)
                    return try await client.execute(uri: uri, method: method, headers: h, body: body.map { ByteBuffer(string: $0) }) { r in
                        let text = String(buffer: r.body)
                        return (r.status, (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:], text)
                    }
                }
                // CSV body.
                var (status, json, text) = try await call("/api/v1/claims/import?creditor=ACME&file_name=erp%22%0D%0Ax.csv", .post, [.contentType: "text/csv"], body: Self.claimFile)
                #expect(status == .created, "\(text)")
                #expect(json["claims_created"] as? Int == 2 && json["rows_rejected"] as? Int == 1)
                let doc = try #require(json["rejects_document"] as? String)
                // JSON batch: a bad claim is reported with its index, the good one lands; again, nothing new.
                let batch = """
                    {"creditor": "ACME", "claims": [
                      {"invoice_ref": "JS-1", "debtor_name": "Garage Lenoir", "siren": "443061841", "address_line1": "3 rue Pasteur", "postcode": "69003",
                       "city": "Lyon", "issued_on": "2026-02-01", "due_on": "2026-03-03", "amount": 410.5},
                      {"invoice_ref": "JS-2", "debtor_name": "Garage Lenoir", "issued_on": "2026-02-01", "due_on": "2026-02-30", "amount": "12"}]}
                    """
                (status, json, text) = try await call("/api/v1/claims/import", .post, [.contentType: "application/json"], body: batch)
                #expect(status == .created, "\(text)")
                let rejects = try #require(json["rejects"] as? [[String: Any]])
                #expect(json["claims_created"] as? Int == 1 && json["rows_rejected"] as? Int == 1)
                #expect(rejects.allSatisfy { $0["index"] as? Int == 1 && $0["line"] as? Int == 3 } && rejects.contains { $0["column"] as? String == "due_on" })
                (status, json, _) = try await call("/api/v1/claims/import", .post, [.contentType: "application/json"], body: batch)
                #expect(status == .created && json["claims_created"] as? Int == 0 && json["claims_unchanged"] as? Int == 1)
                // Multipart, as a browser or curl -F sends it.
                let (type, body) = multipart([("creditor", "ELEC")], file: ("mp.csv", Self.claimFile.replacingOccurrences(of: "UP-", with: "MP-")))
                (status, json, text) = try await call("/api/v1/claims/import", .post, [.contentType: type], body: String(buffer: body))
                #expect(status == .created && json["file_name"] as? String == "mp.csv" && json["claims_created"] as? Int == 2, "\(text)")
                // Refusals: each with its stable code, nothing imported.
                for (ct, payload, code) in [("application/json", #"{"claims": [{"invoice_ref": "X", "colour": "red"}]}"#, "invalid_batch"),
                                            ("application/json", #"{"claims": [{"amount": true}]}"#, "invalid_batch"),
                                            ("application/json", "[1, 2", "invalid_batch"),
                                            ("text/csv", "a;b\n1;2\n", "missing_creditor"),
                                            ("application/xml", "<claims/>", "unsupported_media_type")] {
                    (status, json, text) = try await call("/api/v1/claims/import?" + (code == "missing_creditor" ? "" : "creditor=ACME"), .post, [.contentType: ct], body: payload)
                    #expect(json["code"] as? String == code && [400, 415, 422].contains(status.code), "\(payload): \(text)")
                }
                (status, json, _) = try await call("/api/v1/claims/import?creditor=ACME", .post, [.contentType: "text/csv"], body: "a;b\n1;2\n")
                #expect(status == .unprocessableContent && json["code"] as? String == "file_refused")
                (status, json, _) = try await call("/api/v1/claims/import?creditor=NOPE", .post, [.contentType: "text/csv"], body: Self.claimFile)
                #expect(status == .unprocessableContent && json["code"] as? String == "unknown_creditor")

                // Documents: the rejects of the imports, downloadable.
                (status, json, _) = try await call("/api/v1/documents?limit=1")
                #expect(status == .ok && (json["documents"] as? [Any])?.count == 1 && json["next_cursor"] is String)
                try await client.execute(uri: doc, method: .get, headers: auth) { r in
                    #expect(r.status == .ok && String(buffer: r.body).contains("UP-2"))
                    // The upload's name is reduced to plain characters before it goes into a header (CR LF is one character).
                    let disposition = r.headers[.contentDisposition] ?? ""
                    #expect(disposition.hasPrefix("attachment; filename=\"rejets-") && disposition.hasSuffix("-erp__x.csv\""), "\(disposition)")
                }
                // Creditors for staff; a creditor's user is refused.
                (status, json, _) = try await call("/api/v1/creditors?limit=2")
                let cursor = try #require(json["next_cursor"] as? String)
                #expect(status == .ok && (json["creditors"] as? [Any])?.count == 2)
                (status, json, _) = try await call("/api/v1/creditors?cursor=\(cursor)")
                #expect(status == .ok && (json["creditors"] as? [Any])?.count == 2 && json["next_cursor"] is NSNull)
                (status, json, _) = try await call("/api/v1/creditors/1")
                #expect(status == .ok && (json["creditor"] as? [String: Any])?["code"] as? String == "ACME")
                let client_ = try await apiToken(db, as: .creditorUser)
                try await client.execute(uri: "/api/v1/creditors", method: .get, headers: [.authorization: "Bearer \(client_)"]) { r in
                    #expect(r.status == .forbidden && String(buffer: r.body).contains(#""code":"forbidden""#))
                }
                try await client.execute(uri: "/api/v1/claims/import?creditor=ACME", method: .post,
                                         headers: [.authorization: "Bearer \(client_)", .contentType: "text/csv"], body: ByteBuffer(string: Self.claimFile)) { r in
                    #expect(r.status == .forbidden)
                }

                // Actions: recorded with the case page's rules.
                let c = try #require(try await CaseStore(db).list(scope: .team("Paris"), filter: CaseFilter(status: .amicable), limit: 1).cases.first)
                let agent = try await apiToken(db, as: .agent)
                let agentAuth: HTTPFields = [.authorization: "Bearer \(agent)", .contentType: "application/json"]
                try await client.execute(uri: "/api/v1/cases/\(c.reference)/actions", method: .post, headers: agentAuth,
                                         body: ByteBuffer(string: #"{"channel": "call", "outcome": "promise", "report": "Paiera 300 € vendredi"}"#)) { r in
                    #expect(r.status == .created && String(buffer: r.body).contains("Appel · promesse de paiement — Paiera 300 € vendredi"))
                }
                for (payload, code, want) in [(#"{"channel": "call", "outcome": "sent", "report": "x"}"#, "invalid_action", HTTPResponse.Status.unprocessableContent),
                                              (#"{"channel": "fax", "outcome": "sent", "report": "x"}"#, "invalid_channel", .unprocessableContent),
                                              (#"{"channel": "note", "outcome": "none", "report": "   "}"#, "invalid_action", .unprocessableContent),
                                              (#"{"channel": "note"}"#, "invalid_json", .badRequest)] {
                    try await client.execute(uri: "/api/v1/cases/\(c.id)/actions", method: .post, headers: agentAuth, body: ByteBuffer(string: payload)) { r in
                        #expect(r.status == want && String(buffer: r.body).contains(#""code":"\#(code)""#), "\(payload)")
                    }
                }
                let lyon = try await apiToken(db, as: .agent, login: "api-lyon", team: "Lyon")
                try await client.execute(uri: "/api/v1/cases/\(c.id)/actions", method: .post, headers: [.authorization: "Bearer \(lyon)", .contentType: "application/json"],
                                         body: ByteBuffer(string: #"{"channel": "note", "outcome": "none", "report": "x"}"#)) { r in
                    #expect(r.status == .notFound)
                }
                #expect(try await CaseStore(db).detail(id: c.id, scope: .agency)?.events.filter { $0.kind == .action }.count == 1)

                // A browser session must send its CSRF token to change anything through the API.
                let cookie = try await logIn(client, db, as: .agent)
                let token = try await csrf(client, cookie, page: "/cases")
                let note = ByteBuffer(string: #"{"channel": "note", "outcome": "none", "report": "Depuis la page"}"#)
                try await client.execute(uri: "/api/v1/cases/\(c.id)/actions", method: .post, headers: [.cookie: cookie, .contentType: "application/json"], body: note) { r in
                    #expect(r.status == .forbidden && String(buffer: r.body).contains("csrf_token_missing"))
                }
                try await client.execute(uri: "/api/v1/cases/\(c.id)/actions", method: .post,
                                         headers: [.cookie: cookie, .contentType: "application/json", API.csrfHeader: token], body: note) { r in
                    #expect(r.status == .created)
                }
            }
        }
    }

    @Test func multipartBodiesAreSplitOrRefusedWithAReason() throws {
        let (type, body) = multipart([("csrf", "abc"), ("creditor", "7")], file: ("a;b.csv", "x;y\r\n1;2\r\n"))
        let form = try MultipartForm(body: Array(buffer: body), contentType: type)
        #expect(form.field("csrf") == "abc" && form.field("creditor") == "7")
        #expect(form.file("file")?.fileName == "a;b.csv" && form.file("file")?.text == "x;y\r\n1;2\r\n")
        #expect(throws: MultipartForm.Failure.notMultipart) { try MultipartForm(body: [], contentType: "text/csv") }
        #expect(throws: MultipartForm.Failure.noBoundary) { try MultipartForm(body: [], contentType: "multipart/form-data") }
        #expect(throws: MultipartForm.Failure.self) { try MultipartForm(body: Array("--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nno end".utf8), contentType: "multipart/form-data; boundary=b") }
    }
}

extension ServerTests {
    /// Each role on each API route and the import routes: the status the rights table says, and a
    /// creditor's user never sees another creditor's documents or imports.
    @Test func eachRoleOnEachAPIRouteGetsWhatTheRightsTableSays() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                let creditors = try await CreditorStore(db).list().sorted { $0.id < $1.id }
                // A rejects document of the first creditor.
                let (_, docID) = try await ImportHistory.importUpload(Array(Self.claimFile.utf8), fileName: "m.csv", into: db,
                                                                      options: ImportOptions(creditorCode: creditors[0].code, today: SystemClock.today()))
                let doc = try #require(docID)
                let c = try #require(try await CaseStore(db).list(scope: .team("Paris"), filter: CaseFilter(creditorID: creditors[0].id, status: .amicable), limit: 1).cases.first)
                for role in Role.allCases {
                    let token = try await apiToken(db, as: role)
                    let auth: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
                    func status(_ uri: String, _ method: HTTPRequest.Method = .get, _ body: String? = nil, _ headers: HTTPFields? = nil) async throws -> Int {
                        try await client.execute(uri: uri, method: method, headers: headers ?? auth, body: body.map { ByteBuffer(string: $0) }) { Int($0.status.code) }
                    }
                    let may = { (right: Right) in role.may(right) }
                    #expect(try await status("/api/v1/cases") == 200, "\(role)")
                    #expect(try await status("/api/v1/cases/\(c.id)") == 200, "\(role)")
                    #expect(try await status("/api/v1/cases/\(c.id)/actions", .post, #"{"channel": "note", "outcome": "none", "report": "r"}"#) == (may(.workCases) ? 201 : 403), "\(role)")
                    #expect(try await status("/api/v1/cases/\(c.id)/payments", .post, #"{"amount_cents": 100, "received_on": "2026-11-23", "method": "cash"}"#) == (may(.recordPayments) ? 201 : 403), "\(role)")
                    #expect(try await status("/api/v1/cases/\(c.id)/payments") == 200, "\(role)")
                    #expect(try await status("/api/v1/creditors") == (may(.viewCreditors) ? 200 : 403), "\(role)")
                    #expect(try await status("/api/v1/creditors/\(creditors[0].id)") == (may(.viewCreditors) ? 200 : 403), "\(role)")
                    #expect(try await status("/api/v1/claims/import?creditor=\(creditors[0].code)", .post, Self.claimFile,
                                             [.authorization: "Bearer \(token)", .contentType: "text/csv"]) == (may(.importClaims) ? 201 : 403), "\(role)")
                    // The rejects belong to the creditor, not to a case: agents (scoped to their cases) do not see them.
                    #expect(try await status("/api/v1/documents/\(doc)") == (role == .agent ? 404 : 200), "\(role)")
                    #expect(try await status("/imports", .get, nil, [.authorization: "Bearer \(token)"]) == (may(.importClaims) ? 200 : 403), "\(role)")
                    #expect(try await status("/documents/\(doc)", .get, nil, [.authorization: "Bearer \(token)"]) == (role == .agent ? 404 : 200), "\(role)")
                }
                // Another creditor's user: no document, no import, no case of the first creditor, anywhere.
                let other = try await UserStore(db).create(login: "client-2", displayName: "Client 2", role: .creditorUser, creditorID: creditors[1].id, passwordHash: "!")
                let token = try await APITokens.create(for: other, name: "t", in: UserStore(db))
                let auth: HTTPFields = [.authorization: "Bearer \(token)"]
                try await client.execute(uri: "/api/v1/documents?creditor=\(creditors[0].id)", method: .get, headers: auth) { r in
                    #expect(r.status == .ok && String(buffer: r.body).contains(#""documents":[]"#))
                }
                try await client.execute(uri: "/api/v1/documents/\(doc)", method: .get, headers: auth) { r in #expect(r.status == .notFound) }
                try await client.execute(uri: "/api/v1/cases?creditor=\(creditors[0].id)&limit=200", method: .get, headers: auth) { r in
                    #expect(r.status == .ok && String(buffer: r.body).contains(#""cases":[]"#))
                }
                try await client.execute(uri: "/api/v1/cases?q=UP-1", method: .get, headers: auth) { r in
                    #expect(String(buffer: r.body).contains(#""cases":[]"#))
                }
                for uri in ["/api/v1/cases/\(c.id)", "/api/v1/cases/\(c.id)/payments"] {
                    try await client.execute(uri: uri, method: .get, headers: auth) { r in
                        #expect(r.status == .notFound && String(buffer: r.body).contains(#""code":"case_not_found""#), "\(uri)")
                    }
                }
                #expect(try await ImportHistory.recent(db, scope: .creditor(creditors[1].id)).allSatisfy { $0.creditorID == creditors[1].id })
            }
        }
    }
}

extension ServerTests {
    @Test func caseRowsEscapeWhatTheyShow() throws {
        #expect(HTML.escape(#"<b>"Dupont" & Fils'</b>"#) == "&lt;b&gt;&quot;Dupont&quot; &amp; Fils&#39;&lt;/b&gt;")
        #expect(HTML.escape("Café Lefèvre") == "Café Lefèvre")
        #expect(HTML.escape("L'été «à» <Zoë & fils>\"🙂'") == "L&#39;été «à» &lt;Zoë &amp; fils&gt;&quot;🙂&#39;")
        #expect(HTML.escape("'") == "&#39;" && HTML.escape("") == "" && HTML.escape("d'Artois") == "d&#39;Artois")
        #expect(HTML.escape("&&") == "&amp;&amp;" && HTML.escape("fin<") == "fin&lt;")
        // Integers of any sign.
        var numbers = HTMLBytes(capacity: 0)
        for n: Int64 in [0, 7, -7, 1_000_000, .max, .min] { numbers.integer(n); numbers.raw(" ") }
        #expect(numbers.string == "0 7 -7 1000000 9223372036854775807 -9223372036854775808 ")
        let summary = try JSONDecoder().decode(CaseSummary.self, from: Data(#"""
            {"id": 42, "reference": "RC-0000042", "creditorName": "Dupont & Fils", "debtorName": "L'Atelier <Zoë>",
             "debtorKind": "company", "status": "amicable", "claimed": {"minorUnits": 123456, "currency": "EUR"},
             "paid": {"minorUnits": 456, "currency": "EUR"}, "claimCount": 3, "oldestDueOn": "2026-03-01", "openedOn": "2026-04-02"}
            """#.utf8))
        let t = Strings(language: .fr)
        let rows = (caseRows([summary], t)["rowsHTML"] as? HTMLBytes)?.string
        #expect(rows == "<tr><td><a href=\"/cases/42\">RC-0000042</a></td><td>L&#39;Atelier &lt;Zoë&gt; <small>"
            + HTML.escape(t["kind.company"]) + "</small></td><td>Dupont &amp; Fils</td><td><span class=\"status s-amicable\">"
            + HTML.escape(t.status(.amicable)) + "</span></td><td class=\"num\">3</td><td class=\"num\">"
            + HTML.escape(t.money(.eur(cents: 123000))) + "</td><td>01/03/2026</td><td>02/04/2026</td></tr>\n")
    }
}
