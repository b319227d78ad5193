import BenchSupport
import Foundation
import Hummingbird
import RecouvreCore
import RecouvreServer
import RecouvreStore

// Page benchmark (issue 3). Run with a release build, wrk installed (Debian's `wrk`):
//   swift build -c release --product RecouvrePageBench --scratch-path .build-release
//   .build-release/release/RecouvrePageBench [cases] [postgres-url]
// Loads `cases` cases (one claim each, default 1,000,000) into SQLite (and PostgreSQL when a URL
// is given), spreads them over phases, agents and next-action days, starts the real server and
// measures with wrk (32 connections, 15 s each after 2 s of warm-up): /health, the case list
// filtered three ways (50 rows), name searches (a common part of a name, a rare name, and rare
// names another at each request), a random case page, and the API's list. Prints median and p99
// latency, each route's throughput as a ratio to /health measured in the same run, and the CPU a
// request costs the server and, on PostgreSQL running on this machine, the database.

let args = CommandLine.arguments
let caseCount = args.count > 1 ? Int(args[1])! : 1_000_000
let postgresURL = args.count > 2 ? args[2] : ProcessInfo.processInfo.environment["RECOUVRE_BENCH_POSTGRES_URL"]
let seconds = Int(ProcessInfo.processInfo.environment["RECOUVRE_BENCH_SECONDS"] ?? "15")!
let today = SystemClock.today()
/// Prints at once, also into a file or a pipe (print's buffer would hold lines until exit).
// RECOUVRE_BENCH_DIR keeps the SQLite file, the claim file and the PostgreSQL database afterwards
// (to look at query plans, or to measure a change without loading the cases again).
// RECOUVRE_BENCH_ONLY=text measures /health and the routes whose label contains the text;
// RECOUVRE_BENCH_SECONDS, RECOUVRE_BENCH_CLIENTS (32) and RECOUVRE_BENCH_POOL (8 connections)
// change the run.
// Said before minutes of loading the cases, not after them.
if !FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") {
    say("wrk is not installed: apt-get install wrk")
    exit(1)
}
let keep = ProcessInfo.processInfo.environment["RECOUVRE_BENCH_DIR"]
let dir = keep ?? FileManager.default.temporaryDirectory.appendingPathComponent("recouvre-pagebench-\(getpid())").path
try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
defer { if keep == nil { try? FileManager.default.removeItem(atPath: dir) } }

/// Fills an empty database: `caseCount` debtors with one claim each, then phases, agents in five
/// teams and next-action days spread over the cases as a working portfolio has them.
func load(_ db: Database) async throws -> (userToken: String, agentID: Int64) {
    try await Migrations.migrate(db)
    var start = ContinuousClock.now
    let csv = "\(dir)/cases.csv"
    let generator = ClaimFileGenerator(debtorCount: caseCount, today: today)
    FileManager.default.createFile(atPath: csv, contents: nil)
    let out = FileHandle(forWritingAtPath: csv)!
    var buffer = ClaimFileGenerator.header + "\n"
    for k in 0..<caseCount {
        buffer += generator.row(k, debtor: k).line + "\n"
        if buffer.utf8.count > 1 << 20 { out.write(Data(buffer.utf8)); buffer = "" }
    }
    out.write(Data(buffer.utf8))
    try out.close()
    _ = try await CreditorStore(db).create(NewCreditor(
        code: "BENCH", name: "Banc d'essai SA", address: PostalAddress(line1: "1 rue du Banc", postcode: "75001", city: "Paris"),
        mandate: Mandate(reference: "MAN-BENCH", signedOn: today.adding(days: -100), claimsCovered: "Toutes factures impayées",
                         guarantee: "Le créancier garantit détenir les créances.", commission: Commission(rateOfCollected: .percent(12)),
                         remittance: RemittanceTerms())))
    let summary = try await ClaimImporter.importFile(at: csv, into: db, options: ImportOptions(creditorCode: "BENCH", today: today))
    say(String(format: "  loaded %d cases from %d claims in %.0f s", summary.casesOpened, summary.claimsCreated, elapsed(start)))

    start = ContinuousClock.now
    var agents: [User] = []
    for t in 0..<5 {
        for a in 0..<6 {
            agents.append(try await UserStore(db).create(login: "agent-\(t)-\(a)", displayName: "Agent \(t)-\(a)", role: .agent,
                                                         team: "Équipe \(t)", passwordHash: "!"))
        }
    }
    let first = agents[0].id
    let statuses = ["intake", "investigation", "amicable", "amicable", "amicable", "decision_pending", "payment_plan", "partially_paid", "litigation", "suspended"]
    let statusCase = statuses.enumerated().map { "WHEN \($0.offset) THEN '\($0.element)'" }.joined(separator: " ")
    try await db.withConnection { conn in
        // Every 10th case waits in intake unassigned; the others go to an agent, with a next action
        // in the coming month (a tenth of them due today or earlier).
        try await conn.raw("""
            UPDATE cases SET status = CASE id % 10 \(unsafeRaw: statusCase) END,
              agent_id = CASE WHEN id % 10 = 0 THEN NULL ELSE \(bind: first) + id % 30 END,
              next_action_on = CASE WHEN id % 10 = 0 THEN NULL ELSE \(unsafeRaw: db.dialect == .sqlite ? "date('now', '+' || (id % 30 - 3) || ' days')" : "to_char(CURRENT_DATE + (id % 30 - 3)::int, 'YYYY-MM-DD')") END
            """).run()
        if db.dialect == .sqlite { try await conn.raw("UPDATE cases SET resume_to = 'amicable', suspension_reason = 'dispute' WHERE status = 'suspended'").run() }
        try await conn.raw(db.dialect == .sqlite ? "ANALYZE" : "VACUUM ANALYZE").run()
    }
    say(String(format: "  spread over phases and %d agents in %.0f s", agents.count, elapsed(start)))

    let admin = try await UserStore(db).create(login: "bench-admin", displayName: "Bench", role: .admin, passwordHash: "!")
    return (try await APITokens.create(for: admin, name: "bench", in: UserStore(db)), agents[7].id)
}

/// A database kept from an earlier run (RECOUVRE_BENCH_DIR) with as many cases is measured again
/// as it is, so that a change to the server can be measured without loading the cases again.
func reuse(_ db: Database) async throws -> (userToken: String, agentID: Int64)? {
    guard keep != nil else { return nil }
    try await Migrations.migrate(db)
    let users = UserStore(db)
    guard let admin = try await users.credentials(login: "bench-admin")?.user,
          let agent = try await users.credentials(login: "agent-1-1")?.user,
          try await CaseStore(db).countsByStatus(scope: .agency).values.reduce(0, +) == caseCount else { return nil }
    say("  measuring the cases kept in \(dir)")
    return (try await APITokens.create(for: admin, name: "bench", in: users), agent.id)
}

struct WrkResult { let median: Double; let p99: Double; let rps: Double; let errors: String }

/// Runs wrk on a thread of its own: waiting for it on one of Swift's (two, here) pool threads
/// would take that thread from the server being measured.
func wrk(_ port: Int, _ path: String, token: String, script: String? = nil, seconds: Int = seconds) async throws -> WrkResult {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try runWrk(port, path, token: token, script: script, seconds: seconds) }) }.start()
    }
}

/// Runs wrk against `path` and reads its latency distribution (ms) and requests per second.
func runWrk(_ port: Int, _ path: String, token: String, script: String? = nil, seconds: Int = seconds) throws -> WrkResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
    var arguments = ["-t2", "-c\(ProcessInfo.processInfo.environment["RECOUVRE_BENCH_CLIENTS"] ?? "32")", "-d\(seconds)s", "--latency", "-H", "Authorization: Bearer \(token)"]
    if let script { arguments += ["-s", script] }
    p.arguments = arguments + ["http://127.0.0.1:\(port)\(path)"]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    func ms(_ label: String) -> Double {
        guard let line = text.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) }),
              let value = line.split(separator: " ").last else { return -1 }
        let v = String(value)
        if v.hasSuffix("us") { return Double(v.dropLast(2))! / 1000 }
        if v.hasSuffix("ms") { return Double(v.dropLast(2))! }
        if v.hasSuffix("s") { return Double(v.dropLast(1))! * 1000 }
        return -1
    }
    let rps = text.split(separator: "\n").first { $0.hasPrefix("Requests/sec:") }.flatMap { Double($0.split(separator: " ").last!) } ?? -1
    let errors = text.split(separator: "\n").filter { $0.contains("Non-2xx") || $0.contains("Socket errors") }.joined(separator: "; ")
    return WrkResult(median: ms("50%"), p99: ms("99%"), rps: rps, errors: errors)
}

func measure(_ name: String, _ location: DatabaseLocation) async throws {
    say("\(name):")
    let db = try await Database.open(location, maxConnections: Int(ProcessInfo.processInfo.environment["RECOUVRE_BENCH_POOL"] ?? "8")!)
    var loaded = try await reuse(db)
    if loaded == nil { loaded = try await load(db) }
    let (token, agentID) = loaded!
    let script = "\(dir)/random-case.lua", searches = "\(dir)/random-search.lua"
    // Each of wrk's threads has a Lua state of its own: seeded alike, they would ask for the
    // same things in the same order.
    let seeds = """
        local threads = 0
        function setup(thread) threads = threads + 1; thread:set("number", threads) end
        function init(args) math.randomseed(\(getpid()) * 100 + number) end
        """
    try """
        \(seeds)
        request = function() return wrk.format("GET", "/cases/" .. math.random(1, \(caseCount))) end
        """.write(toFile: script, atomically: true, encoding: .utf8)
    // A rare name, another at each request as agents search: "Fontaine SARL 4242" names the
    // companies called so whose number begins with 4242 (none to a few), each search its own
    // debtors, so that nothing found or planned for one search serves the next.
    try """
        \(seeds)
        names = {"Dupont", "Martin", "Moreau", "Garnier", "Rousseau", "Chevalier", "Fontaine", "Mercier", "Blanc", "Boyer", "Gauthier", "Perrin", "Robin"}
        forms = {"SARL", "SAS", "SA", "EURL", "SASU"}
        request = function()
          return wrk.format("GET", "/cases?q=" .. names[math.random(#names)] .. "%20" .. forms[math.random(#forms)] .. "%20" .. math.random(1000, 9999))
        end
        """.write(toFile: searches, atomically: true, encoding: .utf8)
    let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let app = try await buildApplication(ServerConfiguration(port: 0), database: db, onServerRunning: { portContinuation.yield($0) })
    let server = Task { try await app.runService() }
    var iterator = portStream.makeAsyncIterator()
    let port = await iterator.next()!
    let routes: [(String, String, String?)] = [
        ("/health", "/health", nil),
        ("case list: amicable, largest balance first", "/cases?status=amicable&sort=balance", nil),
        ("case list: one agent, 91-180 days overdue", "/cases?agent=\(agentID)&age=from91to180", nil),
        ("case list: next action due, oldest due first", "/cases?due=1&sort=oldestDue", nil),
        ("case list: search a debtor name", "/cases?q=fontaine", nil),
        // A rare text: the generated names end with a number, so this one names one debtor of a million.
        ("case list: search a rare name", "/cases?q=rin%20SAS%2077735", nil),
        ("case list: search rare names, another each time", "/cases", searches),
        ("case page, random case", "/cases/1", script),
        ("API case list: 2,000-10,000 EUR, page of 50", "/api/v1/cases?balance=from2000to10000&limit=50", nil),
    ]
    var health = 0.0
    // PostgreSQL's own CPU a request, when it runs on this machine (SQLite's is the server's).
    let postgres = if case .postgres = location { true } else { false }
    say("  route                                              median ms   p99 ms   req/s   ratio to /health   server CPU µs/req\(postgres ? "   PostgreSQL CPU µs/req" : "")")
    let only = ProcessInfo.processInfo.environment["RECOUVRE_BENCH_ONLY"]
    for (label, path, script) in routes where only == nil || path == "/health" || label.contains(only!) {
        // Two unmeasured seconds first: the steady state is measured, not the first reads of a
        // cold file or the first count of the phases (both are said in the issue notes).
        _ = try await wrk(port, path, token: token, script: script, seconds: 2)
        let cpu = processCPUSeconds(), databaseCPU = postgres ? processesCPUSeconds(named: "postgres") : 0
        let r = try await wrk(port, path, token: token, script: script)
        let requests = r.rps * Double(seconds)
        let perRequest = (processCPUSeconds() - cpu) / requests * 1e6
        let databasePerRequest = postgres ? String(format: " %23.0f", (processesCPUSeconds(named: "postgres") - databaseCPU) / requests * 1e6) : ""
        if path == "/health" { health = r.rps }
        say(String(format: "  %-50@ %9.2f %8.2f %7.0f   %.3f %17.0f%@%@", label as NSString, r.median, r.p99, r.rps, r.rps / health, perRequest,
                     databasePerRequest as NSString, (r.errors.isEmpty ? "" : "  (\(r.errors))") as NSString))
    }
    server.cancel()
    _ = try? await server.value
    await db.close()
}

// RECOUVRE_BENCH_STATEMENTS=n (with a PostgreSQL URL, the cases loaded by an earlier run kept with
// RECOUVRE_BENCH_DIR): the server's CPU for one small read, n times over, on one connection taken
// once, then on a connection taken from the pool for each read. The difference is what a page
// pays for each connection it takes.
if let n = ProcessInfo.processInfo.environment["RECOUVRE_BENCH_STATEMENTS"].flatMap(Int.init), let postgresURL {
    guard case var .postgres(settings) = try DatabaseLocation(url: postgresURL) else { fatalError("not a PostgreSQL URL") }
    settings.database = "recouvre_pagebench"
    let db = try await Database.open(.postgres(settings), maxConnections: 1)
    func timed(_ label: String, _ body: () async throws -> Void) async rethrows {
        let cpu = processCPUSeconds(), start = ContinuousClock.now
        try await body()
        let wall = ContinuousClock.now - start
        say(String(format: "  %-44@ %6.1f µs CPU, %6.1f µs wall a statement", label as NSString, (processCPUSeconds() - cpu) / Double(n) * 1e6,
                   Double(wall.components.attoseconds / 1_000_000_000_000 + wall.components.seconds * 1_000_000) / Double(n)))
    }
    for _ in 0..<2 {
        try await timed("Database, one connection for all") {
            try await db.withConnection { c in for i in 0..<n { _ = try await c.raw("SELECT * FROM contact_states WHERE case_id = \(bind: Int64(i % 1000 + 1))").all() } }
        }
        try await timed("Database, a connection each") {
            for i in 0..<n { _ = try await db.withConnection { c in try await c.raw("SELECT * FROM contact_states WHERE case_id = \(bind: Int64(i % 1000 + 1))").all() } }
        }
    }
    await db.close()
    exit(0)
}

// RECOUVRE_BENCH_SQLITE=0 measures PostgreSQL alone.
if ProcessInfo.processInfo.environment["RECOUVRE_BENCH_SQLITE"] != "0" { try await measure("SQLite", .sqlite(path: "\(dir)/bench.sqlite")) }
if let postgresURL {
    let admin = try DatabaseLocation(url: postgresURL)
    guard case var .postgres(settings) = admin else { fatalError("not a PostgreSQL URL") }
    let adminDB = try await Database.open(admin, maxConnections: 1)
    let name = "recouvre_pagebench"
    // With RECOUVRE_BENCH_DIR the database is kept too, and measured again as it is next time.
    let exists = try await adminDB.withConnection { try await $0.raw("SELECT 1 AS one FROM pg_database WHERE datname = \(bind: name)").all().count > 0 }
    if keep == nil || !exists {
        try await adminDB.withConnection { try await $0.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name)").run() }
        try await adminDB.withConnection { try await $0.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
    }
    await adminDB.close()
    settings.database = name
    try await measure("PostgreSQL", .postgres(settings))
}
