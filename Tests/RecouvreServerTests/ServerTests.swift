import Foundation
import Hummingbird
import HummingbirdTesting
import RecouvreCore
import RecouvreStore
import Testing
@testable import RecouvreServer

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
            let app = try await buildApplication(ServerConfiguration(port: 0), database: db)
            try await app.test(.router) { client in
                try await client.execute(uri: "/health", method: .get) { r in
                    #expect(r.status == .ok && String(buffer: r.body) == #"{"status":"ok"}"#)
                }
                try await client.execute(uri: "/cases?status=litigation", method: .get) { r in
                    let html = String(buffer: r.body)
                    #expect(r.status == .ok && r.headers[.contentType] == "text/html; charset=utf-8")
                    #expect(html.contains("<html lang=\"fr\">") && html.contains("Contentieux") && html.contains("RC-"))
                    #expect(!html.contains("Payé en partie</span>"))
                    #expect(html.contains("rel=\"next\""))
                }
                try await client.execute(uri: "/cases?lang=en", method: .get) { r in
                    let html = String(buffer: r.body)
                    #expect(html.contains("<html lang=\"en\">") && html.contains("Oldest due date"))
                    #expect(r.headers[.setCookie]?.contains("lang=en") == true)
                    #expect(r.headers[.setCookie]?.contains("HttpOnly") == true)
                }
                let page = try await CaseStore(db).list(scope: .agency, filter: CaseFilter(status: .suspended), limit: 1)
                let id = try #require(page.cases.first?.id)
                try await client.execute(uri: "/cases/\(id)", method: .get) { r in
                    let html = String(buffer: r.body)
                    #expect(r.status == .ok)
                    #expect(html.contains("RC-") && html.contains("Historique") && html.contains("[dispute]") && html.contains("Reste dû"))
                    #expect(!html.contains(">nil<") && !html.contains(" nil "))
                }
                try await client.execute(uri: "/cases/\(id)?lang=en", method: .get) { r in
                    #expect(String(buffer: r.body).contains("History"))
                }
                try await client.execute(uri: "/cases/999999", method: .get) { r in #expect(r.status == .notFound) }
                try await client.execute(uri: "/cases/abc", method: .get) { r in #expect(r.status == .notFound) }
            }
        }
    }

    @Test func apiListsCasesAndExplainsErrors() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0), database: db)
            try await app.test(.router) { client in
                let next: String? = try await client.execute(uri: "/api/v1/cases?status=paid&limit=5", method: .get) { r in
                    #expect(r.status == .ok && r.headers[.contentType] == "application/json")
                    struct Body: Decodable { let cases: [C]; let next_cursor: String? }
                    struct C: Decodable { let status: String; let balance: String; let reference: String }
                    let body = try JSONDecoder().decode(Body.self, from: Data(buffer: r.body))
                    #expect(body.cases.count == 5 && body.cases.allSatisfy { $0.status == "paid" && $0.balance == "0.00" })
                    return body.next_cursor
                }
                #expect(next != nil)
                try await client.execute(uri: "/api/v1/cases?status=nope", method: .get) { r in
                    #expect(r.status == .badRequest && r.headers[.contentType] == "application/problem+json")
                    #expect(String(buffer: r.body).contains(#""code":"invalid_status""#))
                }
                try await client.execute(uri: "/api/v1/cases/RC-0000001", method: .get) { r in
                    #expect(r.status == .ok && String(buffer: r.body).contains(#""allowed_transitions""#))
                }
                try await client.execute(uri: "/api/v1/cases/424242", method: .get) { r in
                    #expect(r.status == .notFound && String(buffer: r.body).contains(#""code":"case_not_found""#))
                }
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
