import Foundation
import Hummingbird
import HummingbirdTesting
import RecouvreCore
import RecouvreStore
import Testing
@testable import RecouvreServer

/// A real headless Chromium, driven through chromedriver (W3C WebDriver), against the real server
/// on a port: a supervisor logs in, imports a file, opens a case, records a call with its report
/// and reads it in the timeline. scripts/test installs Chromium and sets RECOUVRE_TEST_BROWSER=1,
/// which makes a missing browser a failure rather than a skipped test.
extension ServerTests {
    static let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let browserRequired = ProcessInfo.processInfo.environment["RECOUVRE_TEST_BROWSER"] == "1"

    /// The smallest WebDriver client: what this test does, and nothing else.
    struct WebDriver {
        let port: Int
        var session = ""

        /// One WebDriver command (Foundation's URLSession fails against chromedriver on Linux:
        /// "Failed writing header"; Hummingbird's test client does not).
        func call(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any {
            let bytes = try body.map { try JSONSerialization.data(withJSONObject: $0) }
            let response = try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(60))) { client in
                try await client.execute(TestClient.Request(path, method: HTTPRequest.Method(method)!, authority: "localhost:\(port)",
                                                            headers: [.contentType: "application/json"], body: bytes.map { ByteBuffer(bytes: $0) }))
            }
            let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body ?? ByteBuffer())) as? [String: Any]
            if let value = json?["value"] as? [String: Any], let error = value["error"] as? String {
                throw BrowserFailure(message: "\(method) \(path): \(error) — \(value["message"] ?? "")")
            }
            return json?["value"] ?? NSNull()
        }

        mutating func start() async throws {
            let caps: [String: Any] = ["capabilities": ["alwaysMatch": ["browserName": "chrome", "goog:chromeOptions": [
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=fr-FR"]]]]]
            let value = try await call("POST", "/session", caps) as? [String: Any]
            session = try #require(value?["sessionId"] as? String)
        }

        func open(_ url: String) async throws { _ = try await call("POST", "/session/\(session)/url", ["url": url]) }
        func element(_ css: String) async throws -> String {
            let v = try await call("POST", "/session/\(session)/element", ["using": "css selector", "value": css]) as? [String: Any]
            return try #require(v?.values.first as? String, "no element \(css)")
        }
        func click(_ css: String) async throws { _ = try await call("POST", "/session/\(session)/element/\(try await element(css))/click", [:]) }
        func type(_ css: String, _ text: String) async throws { _ = try await call("POST", "/session/\(session)/element/\(try await element(css))/value", ["text": text]) }
        func source() async throws -> String { try await call("GET", "/session/\(session)/source") as? String ?? "" }
        /// The page once it shows `text` (a form post may still be on its way when a click returns); the page as it is after 15 s.
        func page(showing text: String) async throws -> String {
            var html = ""
            for _ in 0..<150 {
                html = try await source()
                if html.contains(text) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            return html
        }
        func url() async throws -> String { try await call("GET", "/session/\(session)/url") as? String ?? "" }
        func quit() async { _ = try? await call("DELETE", "/session/\(session)") }
    }

    struct BrowserFailure: Error, CustomStringConvertible { let message: String; var description: String { message } }

    /// Starts chromedriver on a free port and waits until it answers.
    func startChromedriver(_ path: String) async throws -> (Process, Int) {
        let port = Int.random(in: 20_000..<40_000)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = ["--port=\(port)"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Up to a minute: its first start on a fresh machine, under the whole suite's load on two
        // cores, took more than the ten seconds once allowed.
        for _ in 0..<600 where p.isRunning {
            if (try? await WebDriver(port: port).call("GET", "/status")) != nil { return (p, port) }
            try await Task.sleep(for: .milliseconds(100))
        }
        guard p.isRunning else { throw BrowserFailure(message: "chromedriver exited (status \(p.terminationStatus))") }
        p.terminate()
        throw BrowserFailure(message: "chromedriver did not answer within a minute")
    }

    @Test(.enabled(if: chromedriver != nil || browserRequired, "Chromium and chromedriver are not installed (scripts/test installs them)"))
    func aSupervisorWorksACaseInARealBrowser() async throws {
        let driverPath = try #require(Self.chromedriver, "chromedriver is required (RECOUVRE_TEST_BROWSER=1) but not installed")
        try await withDemo { db in
            let creditor = try #require(try await CreditorStore(db).list().first)
            _ = try await UserStore(db).create(login: "chef", displayName: "Chloé Chef", role: .supervisor, team: "Paris",
                                               passwordHash: Passwords.hash(Self.password))
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("recouvre-browser-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let file = "\(dir)/relances-navigateur.csv"
            try Self.claimFile.replacingOccurrences(of: "Boulangerie Vial", with: "Boulangerie Navigateur").write(toFile: file, atomically: true, encoding: .utf8)

            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.live) { client in
                let site = "http://127.0.0.1:\(try #require(client.port))"
                let (process, port) = try await startChromedriver(driverPath)
                defer { process.terminate() }
                var browser = WebDriver(port: port)
                try await browser.start()
                do {
                    // Log in: the login page sends us on to the case list.
                    try await browser.open(site + "/cases")
                    try await browser.type("input[name=login]", "chef")
                    try await browser.type("input[name=password]", Self.password)
                    try await browser.click("form.login button[type=submit]")
                    #expect(try await browser.page(showing: "Chloé Chef").contains("Chloé Chef"))
                    #expect(try await browser.url().hasSuffix("/cases"))

                    // Import a file for the first creditor.
                    try await browser.open(site + "/imports")
                    try await browser.click("select[name=creditor] option[value='\(creditor.id)']")
                    try await browser.type("input[type=file]", file)
                    try await browser.click("form[action='/imports'] button[type=submit]")
                    let summary = try await browser.page(showing: "id=\"result\"")
                    #expect(summary.contains("relances-navigateur.csv") && summary.contains("<dd>2</dd>"), "\(summary.prefix(3000))")

                    // Find the new debtor's case and open it.
                    try await browser.open(site + "/cases?q=navigateur")
                    try await browser.click("table.list tbody a[href^='/cases/']")
                    #expect(try await browser.page(showing: "— Boulangerie Navigateur").contains("<h1>RC-"))

                    // Record a call with its report; it shows in the timeline.
                    try await browser.click("select[name=channel] option[value=call]")
                    try await browser.click("select[name=outcome] option[value=promise]")
                    try await browser.type("textarea[name=report]", "Le gérant promet un virement de 500 € vendredi.")
                    try await browser.click("form[action$='/actions'] button[type=submit]")
                    let page = try await browser.page(showing: "Le gérant promet")
                    #expect(try await browser.url().contains("#timeline"))
                    #expect(page.contains("Appel · promesse de paiement — Le gérant promet un virement de 500 € vendredi."))

                    // Work the team's queue: record the outcome of the first call where it is listed.
                    try await browser.open(site + "/queue")
                    let queue = try await browser.page(showing: "ol class=\"queue\"")
                    let pattern = #/action="/cases/(\d+)/actions" class="inline-form"><input type="hidden" name="csrf" value="[^"]*">\s*<input type="hidden" name="channel" value="call">/#
                    let caseID = try #require(queue.firstMatch(of: pattern).map { String($0.1) }, "a call in the queue")
                    let form = "form[action='/cases/\(caseID)/actions']"
                    try await browser.click("\(form) select[name=outcome] option[value=no_answer]")
                    try await browser.type("\(form) input[name=report]", "Pas de réponse, rappel demain.")
                    try await browser.click("\(form) button[type=submit]")
                    var done = 0
                    for _ in 0..<100 where done == 0 {
                        try await Task.sleep(for: .milliseconds(100))
                        done = try await db.withConnection { try await $0.raw("SELECT COUNT(*) AS n FROM collection_tasks WHERE case_id = \(bind: Int64(caseID)!) AND channel = 'call' AND status = 'done'").all()[0].decode(column: "n", as: Int.self) }
                    }
                    #expect(done >= 1, "the call is done")
                    _ = try await browser.page(showing: "ol class=\"queue\"")
                    #expect(try await browser.url().hasSuffix("/queue"))
                } catch {
                    await browser.quit()
                    throw error
                }
                await browser.quit()
            }
        }
    }
}
