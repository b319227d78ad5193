import BenchSupport
import Foundation
import RecouvreCore
import RecouvreStore

// Daily-run benchmark (issue 4). Run with a release build:
//   swift build -c release --product RecouvreRunBench --scratch-path .build-release
//   .build-release/release/RecouvreRunBench [cases] [postgres-url]
// Fills a database with `cases` open cases in the amicable phase (set-based SQL, not timed), then
// times the daily run on the first day (every case gets its first letter), the next day (every case
// read and decided, little written) and later days, each against the limit for a million
// cases (20 s on SQLite, 60 s on PostgreSQL) scaled to `cases`, with the peak memory.

/// Each figure as soon as it is measured (unbuffered, also into a file).
let args = CommandLine.arguments
let caseCount = args.count > 1 ? Int(args[1])! : 1_000_000
let postgresURL = args.count > 2 ? args[2] : ProcessInfo.processInfo.environment["RECOUVRE_BENCH_POSTGRES_URL"]
let start = Day(year: 2026, month: 11, day: 23)!
let settings = StoredSettings(id: nil, settings: .defaults)
let batchSize = Int(ProcessInfo.processInfo.environment["RECOUVRE_BENCH_BATCH"] ?? "") ?? 5_000

/// `cases` debtors (one in two a company, one in two with a phone, one in four with an email) and
/// one amicable case each, with balances from 50 € to 20,000 € and due dates up to 300 days old.
func fill(_ db: Database) async throws {
    _ = try await CreditorStore(db).create(NewCreditor(
        code: "BENCH", name: "Bench SA", address: PostalAddress(line1: "1 rue du Test", postcode: "75001", city: "Paris"),
        mandate: Mandate(reference: "M-1", signedOn: start, claimsCovered: "all", guarantee: "held",
                         commission: Commission(rateOfCollected: .percent(10)), remittance: RemittanceTerms())))
    let n = caseCount
    let series: String, dueOn: String
    switch db.dialect {
    case .sqlite:
        series = "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < \(n)) SELECT i FROM s) AS n"
        dueOn = "date('2026-10-01', '-' || (i % 300) || ' days')"
    case .postgres:
        series = "generate_series(1, \(n)) AS n(i)"
        dueOn = "to_char(date '2026-10-01' - (i % 300), 'YYYY-MM-DD')"
    }
    let at = "'2026-11-01T00:00:00.000Z'"
    try await db.bulkTransaction { s in
        for sql in [
            "INSERT INTO debtors (id, match_key, kind, name, address_line1, postcode, city, created_at) SELECT i, 'bench:' || i, CASE WHEN i % 2 = 0 THEN 'company' ELSE 'consumer' END, 'Débiteur ' || i, i || ' rue du Test', '75001', 'Paris', \(at) FROM \(series)",
            "INSERT INTO debtor_contacts (debtor_id, kind, value, source, created_at) SELECT i, 'phone', '+336' || (10000000 + i), 'bench', \(at) FROM \(series) WHERE i % 2 = 0",
            "INSERT INTO debtor_contacts (debtor_id, kind, value, source, created_at) SELECT i, 'email', 'd' || i || '@exemple.fr', 'bench', \(at) FROM \(series) WHERE i % 4 = 1",
            "INSERT INTO cases (id, creditor_id, debtor_id, status, open_slot, currency, claimed_minor, paid_minor, claim_count, oldest_due_on, opened_on, updated_at) SELECT i, 1, i, 'amicable', 1, 'EUR', 5000 + (CAST(i AS BIGINT) * 7919) % 1995000, 0, 1, \(dueOn), '2026-11-01', \(at) FROM \(series)",
            // Each case's claim, so that `recouvre print` on the bench's database writes real letters.
            "INSERT INTO claims (creditor_id, case_id, invoice_ref, issued_on, due_on, principal_minor, vat_minor, currency, created_at, updated_at) SELECT 1, i, 'F-' || i, \(dueOn), \(dueOn), 5000 + (CAST(i AS BIGINT) * 7919) % 1995000, 0, 'EUR', \(at), \(at) FROM \(series)",
        ] { try await s.query(sql) }
        if s.dialect == .postgres {
            for table in ["debtors", "cases"] { try await s.query("SELECT setval(pg_get_serial_sequence('\(table)', 'id'), \(n))") }
        }
    }
    if db.dialect == .postgres { try await db.bulkTransaction { try await $0.query("ANALYZE") } }
}

/// The engine alone over `cases` snapshots in memory: the CPU floor of a run.
func engineOnly() -> Double {
    let engine = settings.settings.engine
    let from = ContinuousClock.now
    var acted = 0
    for i in 1...caseCount {
        let s = CaseSnapshot(caseID: Int64(i), creditorCode: "BENCH", debtorKind: i % 2 == 0 ? .company : .consumer,
                             balanceCents: Int64(5000 + (i * 7919) % 1_995_000), oldestDueOn: Day(year: 2026, month: 10, day: 1)!.adding(days: -(i % 300)),
                             openedOn: Day(year: 2026, month: 11, day: 1)!, reachable: i % 2 == 0 ? [.address, .phone] : [.address])
        if case .act = engine.decide(s, on: start).outcome { acted += 1 }
    }
    precondition(acted == caseCount)
    return elapsed(from)
}

func bench(_ location: DatabaseLocation, limitPerMillion: Double, name: String) async throws {
    let db = try await Database.open(location)
    try await Migrations.migrate(db)
    var from = ContinuousClock.now
    try await fill(db)
    say(String(format: "%@: %d amicable cases filled in %.1f s (not timed)", name, caseCount, elapsed(from)))
    let limit = limitPerMillion * Double(caseCount) / 1_000_000
    for offset in [0, 1, 5, 10, 17] {
        let day = start.adding(days: offset)
        from = ContinuousClock.now
        let s = try await DailyRun(db).run(on: day, settings: settings, batchSize: batchSize)
        let seconds = elapsed(from)
        say(String(format: "%@: run of %@ (day %d): %.1f s = %.0f cases/s, %d tasks, %d escalations; %.2f of the limit (%.1f s for %d cases: %@); peak memory %.0f MB",
                     name, day.iso, offset, seconds, Double(s.casesSeen) / seconds, s.tasksCreated, s.escalations, seconds / limit, limit, caseCount,
                     seconds <= limit ? "met" : "NOT met", peakMemoryMB()))
    }
    from = ContinuousClock.now
    let again = try await DailyRun(db).run(on: start.adding(days: 17), settings: settings)
    say(String(format: "%@: rerun of a finished day: %.3f s, nothing new (%@)", name, elapsed(from), again.alreadyDone ? "already done" : "?"))
    await db.close()
}

let engineSeconds = engineOnly()
say(String(format: "engine alone: %d decisions in %.2f s = %.0f cases/s", caseCount, engineSeconds, Double(caseCount) / engineSeconds))
// Tryton 8.0's "create dunnings" handles about 1,300 receivable lines per second on this kind of
// machine (the figure); the goal is at least 100 times its rate.
say("peer rate to beat: 100 × 1,300 = 130,000 cases/s")

if ProcessInfo.processInfo.environment["RECOUVRE_BENCH_SKIP_SQLITE"] == nil {
    let dir = ProcessInfo.processInfo.environment["RECOUVRE_BENCH_DIR"] ?? FileManager.default.temporaryDirectory.appendingPathComponent("recouvre-runbench-\(getpid())").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let path = "\(dir)/run.sqlite"
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    try await bench(.sqlite(path: path), limitPerMillion: 20, name: "sqlite")
    if ProcessInfo.processInfo.environment["RECOUVRE_BENCH_DIR"] == nil { try? FileManager.default.removeItem(atPath: dir) }
}
if let url = postgresURL {
    try await bench(try DatabaseLocation(url: url), limitPerMillion: 60, name: "postgres")
}
