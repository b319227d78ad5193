import BenchSupport
import Foundation
import RecouvreCore
import RecouvreStore

// Balance benchmark (issue 6). Run with a release build:
//   swift build -c release --product RecouvreBalanceBench --scratch-path .build-release
//   .build-release/release/RecouvreBalanceBench [cases] [postgres-url]
// Fills a database with `cases` open cases (half companies, half consumers, one to three claims
// each, a part payment on one case in three; set-based SQL, not timed), then times every case's
// balance with interest as of a day (`Balances.asOf`: read in batches and settled by the Ledger)
// against the issue's limit (5 s for a million cases, scaled to `cases`), and the Ledger alone.

let args = CommandLine.arguments
let caseCount = args.count > 1 ? Int(args[1])! : 1_000_000
let postgresURL = args.count > 2 ? args[2] : nil
let asOf = Day(year: 2026, month: 6, day: 30)!
let rates = InterestRates.shipped
let limit = 5.0 * Double(caseCount) / 1_000_000

func fill(_ db: Database) async throws {
    _ = try await CreditorStore(db).create(NewCreditor(
        code: "BENCH", name: "Bench SA", address: PostalAddress(line1: "1 rue du Test", postcode: "75001", city: "Paris"),
        mandate: Mandate(reference: "M-1", signedOn: asOf, claimsCovered: "all", guarantee: "held",
                         commission: Commission(rateOfCollected: .percent(10)), remittance: RemittanceTerms())))
    let n = caseCount
    let series: String, claimSeries: String, due: @Sendable (String) -> String
    switch db.dialect {
    case .sqlite:
        series = "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < \(n)) SELECT i FROM s) AS n"
        claimSeries = "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < \(2 * n)) SELECT i FROM s) AS n"
        due = { "date('2026-03-01', '-' || ((\($0)) % 700) || ' days')" }
    case .postgres:
        series = "generate_series(1, \(n)) AS n(i)"
        claimSeries = "generate_series(1, \(2 * n)) AS n(i)"
        due = { "to_char(date '2026-03-01' - ((\($0)) % 700)::int, 'YYYY-MM-DD')" }
    }
    let at = "'2026-01-01T00:00:00.000Z'"
    // Claim k belongs to case (k % n) + 1: every case has two, the cases of even ids a third.
    try await db.bulkTransaction { s in
        for sql in [
            "INSERT INTO debtors (id, match_key, kind, name, address_line1, postcode, city, created_at) SELECT i, 'bench:' || i, CASE WHEN i % 2 = 0 THEN 'company' ELSE 'consumer' END, 'Débiteur ' || i, i || ' rue du Test', '75001', 'Paris', \(at) FROM \(series)",
            "INSERT INTO cases (id, creditor_id, debtor_id, status, open_slot, currency, claimed_minor, paid_minor, claim_count, oldest_due_on, opened_on, updated_at) SELECT i, 1, i, 'amicable', 1, 'EUR', 0, 0, 2, \(due("i")), '2026-01-01', \(at) FROM \(series)",
            "INSERT INTO claims (creditor_id, case_id, invoice_ref, issued_on, due_on, principal_minor, vat_minor, currency, created_at, updated_at) SELECT 1, (i % \(n)) + 1, 'F-' || i, \(due("i")), \(due("i")), 5000 + (CAST(i AS BIGINT) * 7919) % 995000, 0, 'EUR', \(at), \(at) FROM \(claimSeries)",
            "INSERT INTO claims (creditor_id, case_id, invoice_ref, issued_on, due_on, principal_minor, vat_minor, currency, created_at, updated_at) SELECT 1, i, 'G-' || i, \(due("i + 40")), \(due("i + 40")), 7000 + (CAST(i AS BIGINT) * 104729) % 495000, 0, 'EUR', \(at), \(at) FROM \(series) WHERE i % 2 = 0",
            // A consumer's formal demand (a registered letter) on one case in six.
            "INSERT INTO documents (id, creditor_id, kind, name, content_type, byte_count, created_at, created_by, body) VALUES (1, 1, 'letter', 'x.pdf', 'application/pdf', 1, \(at), 'bench', \(db.dialect == .sqlite ? "x'00'" : "'\\x00'::bytea"))",
            "INSERT INTO letters (case_id, sequence, reference, channel, template_code, language, letter_on, addressee, address_lines, postcode, pages, grams, weight_class, postage_cents, amount_due_cents, document_id, status, created_at) SELECT i, 1, 'RC-' || i || '/1', 'registered_letter', 'formal_notice', 'fr', '2025-12-01', 'x', 'x', '75001', 1, 10, 20, 0, 0, 1, 'printed', \(at) FROM \(series) WHERE i % 6 = 1",
            "INSERT INTO payments (case_id, received_on, amount_minor, currency, method, received_by, receipt_number, receipt_status, recorded_by, recorded_at) SELECT i, '2026-01-15', 1000 + (CAST(i AS BIGINT) * 31) % 20000, 'EUR', 'transfer', 'agency', 'B-' || i, 'sent', 'bench', \(at) FROM \(series) WHERE i % 3 = 0",
        ] { try await s.query(sql) }
        if s.dialect == .postgres {
            for table in ["debtors", "cases", "documents"] { try await s.query("SELECT setval(pg_get_serial_sequence('\(table)', 'id'), \(n))") }
        }
    }
    if db.dialect == .postgres { try await db.bulkTransaction { try await $0.query("ANALYZE") } }
}

/// The Ledger alone over the same shapes in memory: the CPU floor.
func ledgerOnly() -> Double {
    let from = ContinuousClock.now
    var owed: Int64 = 0
    for i in 1...caseCount {
        let due = Day(year: 2026, month: 3, day: 1)!.adding(days: -(i % 700))
        let company = i % 2 == 0
        var claims = [LedgerClaim(Claim(id: 1, caseID: Int64(i), invoiceReference: "", issuedOn: due, dueOn: due, principal: .eur(cents: Int64(5000 + (i * 7919) % 995_000)), vat: .eur(cents: 0)),
                                  debtorKind: company ? .company : .consumer, formalDemandOn: i % 6 == 1 ? Day(year: 2025, month: 12, day: 1) : nil)]
        if company { claims.append(LedgerClaim(id: 2, issuedOn: due, dueOn: due.adding(days: -40), principalCents: 7000, interest: InterestRun(basis: .b2bLatePayment, from: due.adding(days: -39)), indemnityCents: 4000)) }
        let payments = i % 3 == 0 ? [LedgerPayment(id: 1, receivedOn: Day(year: 2026, month: 1, day: 15)!, cents: Int64(1000 + (i * 31) % 20000))] : []
        if case let .success(l) = Ledger.settle(claims: claims, payments: payments, asOf: asOf, rates: rates) { owed &+= l.owedCents }
    }
    precondition(owed > 0)
    return elapsed(from)
}

func bench(_ location: DatabaseLocation, name: String) async throws {
    let db = try await Database.open(location)
    try await Migrations.migrate(db)
    var from = ContinuousClock.now
    try await fill(db)
    say(String(format: "%@: %d open cases with their claims, payments and formal demands filled in %.1f s (not timed)", name, caseCount, elapsed(from)))
    for round in 1...2 {
        from = ContinuousClock.now
        let total = try await Balances(db).asOf(asOf, rates: rates)
        let seconds = elapsed(from)
        say(String(format: "%@ (round %d): %d balances with interest as of %@ in %.2f s = %.0f cases/s; owed %@, of which interest %@; %d problems; %.2f of the limit (%.1f s: %@); peak memory %.0f MB",
                     name, round, total.cases, asOf.iso, seconds, Double(total.cases) / seconds, Money.eur(cents: total.owedCents).formatted(),
                     Money.eur(cents: total.interestCents).formatted(), total.problems, seconds / limit, limit, seconds <= limit ? "met" : "NOT met", peakMemoryMB()))
    }
    await db.close()
}

let ledgerSeconds = ledgerOnly()
say(String(format: "ledger alone: %d cases in %.2f s = %.0f cases/s", caseCount, ledgerSeconds, Double(caseCount) / ledgerSeconds))
let dir = FileManager.default.temporaryDirectory.appendingPathComponent("recouvre-balancebench-\(getpid())").path
try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
try await bench(.sqlite(path: "\(dir)/balances.sqlite"), name: "sqlite")
try? FileManager.default.removeItem(atPath: dir)
if let url = postgresURL { try await bench(try DatabaseLocation(url: url), name: "postgres") }
