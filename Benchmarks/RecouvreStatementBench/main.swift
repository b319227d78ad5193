import BenchSupport
import Foundation
import RecouvreCore
import RecouvreStore

// Bank statement benchmark (issue 6). Run with a release build:
//   swift build -c release --product RecouvreStatementBench --scratch-path .build-release
//   .build-release/release/RecouvreStatementBench [credits] [postgres-url]
// Fills a database with twice as many open cases as credits (set-based SQL, not timed), writes a
// camt.053.001.02 statement as a bank sends it with `credits` credits — 90 % carrying their case's
// reference, 5 % only the payer's name and the case's balance, 5 % nothing that matches — then
// times its import (read, matched, booked with receipts numbered and allocations written, the
// rest queued) against the limit (30 s for 100,000 credits, scaled to `credits`), and a
// second import of the same file, which must book nothing.

let args = CommandLine.arguments
let creditCount = args.count > 1 ? Int(args[1])! : 100_000
let postgresURL = args.count > 2 ? args[2] : nil
let caseCount = 2 * creditCount
let statementDay = Day(year: 2026, month: 11, day: 2)!
let now = Instant(millisecondsSinceEpoch: Int64(statementDay.daysSinceEpoch + 1) * 86_400_000 + 8 * 3_600_000)
let limit = 30.0 * Double(creditCount) / 100_000
let account = try IBAN("FR7630006000011234567890189")

func balance(_ i: Int) -> Int64 { 5000 + (Int64(i) * 7919) % 995_000 }

func fill(_ db: Database) async throws {
    _ = try await CreditorStore(db).create(NewCreditor(
        code: "BENCH", name: "Bench SA", address: PostalAddress(line1: "1 rue du Test", postcode: "75001", city: "Paris"),
        mandate: Mandate(reference: "M-1", signedOn: statementDay, claimsCovered: "all", guarantee: "held",
                         commission: Commission(rateOfCollected: .percent(10)), remittance: RemittanceTerms())))
    let n = caseCount
    let series = db.dialect == .sqlite
        ? "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < \(n)) SELECT i FROM s) AS n"
        : "generate_series(1, \(n)) AS n(i)"
    let at = "'2026-01-01T00:00:00.000Z'"
    try await db.bulkTransaction { s in
        for sql in [
            "INSERT INTO debtors (id, match_key, kind, name, address_line1, postcode, city, created_at) SELECT i, 'bench:' || i, 'company', 'Débiteur ' || i, i || ' rue du Test', '75001', 'Paris', \(at) FROM \(series)",
            "INSERT INTO cases (id, creditor_id, debtor_id, status, open_slot, currency, claimed_minor, paid_minor, claim_count, oldest_due_on, opened_on, updated_at) SELECT i, 1, i, 'amicable', 1, 'EUR', 5000 + (CAST(i AS BIGINT) * 7919) % 995000, 0, 1, '2026-09-01', '2026-01-01', \(at) FROM \(series)",
            "INSERT INTO claims (creditor_id, case_id, invoice_ref, issued_on, due_on, principal_minor, vat_minor, currency, created_at, updated_at) SELECT 1, i, 'F-' || i, '2026-08-01', '2026-09-01', 5000 + (CAST(i AS BIGINT) * 7919) % 995000, 0, 'EUR', \(at), \(at) FROM \(series)",
        ] { try await s.query(sql) }
        if s.dialect == .postgres {
            for table in ["debtors", "cases"] { try await s.query("SELECT setval(pg_get_serial_sequence('\(table)', 'id'), \(n))") }
        }
    }
    if db.dialect == .postgres { try await db.bulkTransaction { try await $0.query("ANALYZE") } }
}

/// Credit k pays case 2k - 1 (one case in two is paid, the others are there to be found or not).
func statement() -> Data {
    var entries: [StatementGenerator.Entry] = []
    entries.reserveCapacity(creditCount)
    for k in 1...creditCount {
        let caseID = 2 * k - 1
        let t: StatementGenerator.Transaction = switch k % 20 {
        case 0: .init(cents: 1_234 + Int64(k), payer: "INCONNU \(k)", remittance: "COTISATION \(k)")
        case 10: .init(cents: balance(caseID), payer: "DEBITEUR \(caseID)", remittance: "FACTURE F-\(caseID)")
        default: .init(cents: k % 3 == 0 ? balance(caseID) : balance(caseID) / 2, payer: "DEBITEUR \(caseID)",
                       payerIBAN: "FR76" + String(repeating: "0", count: 23 - String(caseID).count) + String(caseID), remittance: "REGLEMENT \(CaseReference(caseID: Int64(caseID)))")
        }
        entries.append(.init(reference: "E\(k)", bookedOn: statementDay, transactions: [t]))
    }
    return Data(StatementGenerator.write(messageID: "BENCH-1", statementID: "STMT-1", account: account, on: statementDay, entries: entries).utf8)
}

func bench(_ location: DatabaseLocation, name: String, file: Data) async throws {
    let db = try await Database.open(location)
    try await Migrations.migrate(db)
    var from = ContinuousClock.now
    try await fill(db)
    say(String(format: "%@: %d open cases filled in %.1f s (not timed)", name, caseCount, elapsed(from)))
    from = ContinuousClock.now
    let first = try await StatementStore(db).importStatement(file, account: account, actor: .system, at: now, rates: .shipped)
    var seconds = elapsed(from)
    say(String(format: "%@: %d credits imported in %.2f s = %.0f credits/s: %d booked, %d queued, %d problems; %.2f of the limit (%.1f s: %@); peak memory %.0f MB",
                 name, first.credits, seconds, Double(first.credits) / seconds, first.booked, first.queued, first.problems.count,
                 seconds / limit, limit, seconds <= limit ? "met" : "NOT met", peakMemoryMB()))
    from = ContinuousClock.now
    let again = try await StatementStore(db).importStatement(file, account: account, actor: .system, at: now, rates: .shipped)
    seconds = elapsed(from)
    say(String(format: "%@: the same file again in %.2f s: %d booked, %d already known", name, seconds, again.booked, again.alreadyKnown))
    await db.close()
}

var from = ContinuousClock.now
let file = statement()
say(String(format: "statement of %d credits written (%.1f MB) in %.2f s (not timed)", creditCount, Double(file.count) / 1e6, elapsed(from)))
from = ContinuousClock.now
let read = try Camt053Reader.read([UInt8](file)).get()
let readSeconds = elapsed(from)
say(String(format: "reading alone: %d credits in %.2f s = %.0f credits/s", read.credits.count, readSeconds, Double(read.credits.count) / readSeconds))
let dir = FileManager.default.temporaryDirectory.appendingPathComponent("recouvre-statementbench-\(getpid())").path
try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
try await bench(.sqlite(path: "\(dir)/statement.sqlite"), name: "sqlite", file: file)
try? FileManager.default.removeItem(atPath: dir)
if let url = postgresURL { try await bench(try DatabaseLocation(url: url), name: "postgres", file: file) }
