import BenchSupport
import Foundation
import RecouvreCore
import RecouvreStore

// Intake benchmark (issue 2). Run with a release build:
//   swift run -c release RecouvreBench [claims] [debtors] [postgres-url]
// Prints claims/s for Recouvre's import into SQLite (and PostgreSQL when a URL is given), and the
// ratio to the storage's own bulk loader (sqlite3 .import, psql \copy) on the same file, same run.

let args = CommandLine.arguments
let claimCount = args.count > 1 ? Int(args[1])! : 1_000_000
let debtorCount = args.count > 2 ? Int(args[2])! : 200_000
let postgresURL = args.count > 3 ? args[3] : ProcessInfo.processInfo.environment["RECOUVRE_BENCH_POSTGRES_URL"]
let dir = FileManager.default.temporaryDirectory.appendingPathComponent("recouvre-bench-\(getpid())").path
try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: dir) }
let csv = "\(dir)/claims.csv"
let today = Day(year: 2026, month: 11, day: 23)!

func shell(_ command: String) throws -> Double {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", command]
    let start = ContinuousClock.now
    try p.run()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw StoreError.invalid("command failed: \(command)") }
    return elapsed(start)
}

// 1. The file.
var start = ContinuousClock.now
let generator = ClaimFileGenerator(debtorCount: debtorCount, today: today)
FileManager.default.createFile(atPath: csv, contents: nil)
let out = FileHandle(forWritingAtPath: csv)!
var buffer = ClaimFileGenerator.header + "\n"
for k in 0..<claimCount {
    buffer += generator.row(k).line
    buffer += "\n"
    if buffer.utf8.count > 1 << 20 { out.write(Data(buffer.utf8)); buffer = "" }
}
out.write(Data(buffer.utf8))
try out.close()
let fileMB = Double((try FileManager.default.attributesOfItem(atPath: csv)[.size] as! NSNumber).int64Value) / 1_048_576
print(String(format: "file: %d claims, %d debtors, %.0f MB, generated in %.1f s", claimCount, debtorCount, fileMB, elapsed(start)))

// 2. The parser alone (tokenize, decode, validate every row; no database): the CPU floor of intake.
start = ContinuousClock.now
var reader = ClaimFileReader(mapping: ColumnMapping(), today: today)
var parsed = 0
let input = FileHandle(forReadingAtPath: csv)!
while let data = try input.read(upToCount: 1 << 20), !data.isEmpty {
    try reader.feed([UInt8](data), onRow: { if case .claim = $0 { parsed += 1 } })
}
try reader.finish(onRow: { if case .claim = $0 { parsed += 1 } })
try input.close()
let parseSeconds = elapsed(start)
print(String(format: "parse only: %d valid rows in %.2f s = %.0f rows/s", parsed, parseSeconds, Double(parsed) / parseSeconds))
if ProcessInfo.processInfo.environment["RECOUVRE_BENCH_PARSE_ONLY"] != nil { exit(0) }

func creditor() -> NewCreditor {
    NewCreditor(code: "BENCH", name: "Bench SA", address: PostalAddress(line1: "1 rue du Test", postcode: "75001", city: "Paris"),
                mandate: Mandate(reference: "M-1", signedOn: today, claimsCovered: "all", guarantee: "held",
                                 commission: Commission(rateOfCollected: .percent(10)), remittance: RemittanceTerms()))
}

func importRun(_ location: DatabaseLocation) async throws -> (seconds: Double, summary: ImportSummary) {
    let db = try await Database.open(location)
    try await Migrations.migrate(db)
    _ = try await CreditorStore(db).create(creditor())
    let start = ContinuousClock.now
    let summary = try await ClaimImporter.importFile(at: csv, into: db, options: ImportOptions(creditorCode: "BENCH", today: today, progressEvery: 50_000, onProgress: { n in
        if ProcessInfo.processInfo.environment["RECOUVRE_BENCH_TRACE_MEMORY"] != nil { print(String(format: "  %d rows: resident peak %.0f MB", n, peakMemoryMB())) }
    }))
    let seconds = elapsed(start)
    await db.close()
    return (seconds, summary)
}

// 2. SQLite: Recouvre's import, then sqlite3 .import of the same file into one flat table.
if ProcessInfo.processInfo.environment["RECOUVRE_BENCH_SKIP_SQLITE"] == nil {
    let sqlitePath = "\(dir)/bench.sqlite"
    let (sqliteSeconds, sqliteSummary) = try await importRun(.sqlite(path: sqlitePath))
    precondition(sqliteSummary.claimsCreated == claimCount && sqliteSummary.rowsRejected == 0, "import incomplete: \(sqliteSummary)")
    let peak = peakMemoryMB()
    let flatSeconds = try shell("sqlite3 \(dir)/flat.sqlite 'PRAGMA journal_mode=WAL;' 'PRAGMA synchronous=NORMAL;' '.mode csv' '.separator ;' '.import \(csv) flat' > /dev/null")
    let sqliteRate = Double(claimCount) / sqliteSeconds
    print(String(format: "sqlite: recouvre import %.1f s = %.0f claims/s (%d debtors, %d cases); sqlite3 .import %.1f s = %.0f rows/s; ratio %.2f of the storage's limit; peak memory %.0f MB",
                 sqliteSeconds, sqliteRate, sqliteSummary.debtorsCreated, sqliteSummary.casesOpened, flatSeconds, Double(claimCount) / flatSeconds,
                 flatSeconds / sqliteSeconds, peak))
    // The schema's own limit: every row the import wrote, inserted by sqlite3 into empty tables of
    // the same schema (indexes, checks, foreign keys on) in one transaction.
    let tables = ["debtors", "debtor_contacts", "cases", "claims", "case_events"]
    _ = try shell("sqlite3 \(sqlitePath) .schema > \(dir)/schema.sql && sqlite3 \(dir)/floor.sqlite '.read \(dir)/schema.sql' 'PRAGMA journal_mode=WAL;' \"ATTACH '\(sqlitePath)' AS src\" 'INSERT INTO creditors SELECT * FROM src.creditors' > /dev/null")
    // The names' words are rows the import writes too (migration 23), not left to the trigger.
    let floorSQL = (["PRAGMA foreign_keys=ON;", "PRAGMA synchronous=NORMAL;", "ATTACH '\(sqlitePath)' AS src;", "BEGIN;",
                     "INSERT INTO debtor_name_words_deferred VALUES ('floor');"]
        + (tables + ["debtor_name_words"]).map { "INSERT INTO main.\($0) SELECT * FROM src.\($0);" }
        + ["DELETE FROM debtor_name_words_deferred;", "COMMIT;"]).joined(separator: "\n")
    try floorSQL.write(toFile: "\(dir)/floor.sql", atomically: true, encoding: .utf8)
    let floorSeconds = try shell("sqlite3 \(dir)/floor.sqlite '.read \(dir)/floor.sql' > /dev/null")
    print(String(format: "sqlite: the same rows inserted into the same schema (sqlite3, one transaction) %.1f s = %.0f claims/s; ratio %.2f of the schema's limit",
                 floorSeconds, Double(claimCount) / floorSeconds, floorSeconds / sqliteSeconds))
    print(String(format: "sqlite: target 100000 claims/s: %@ (%.2fx)", sqliteRate >= 100_000 ? "met" : "NOT met", sqliteRate / 100_000))
}

// 3. PostgreSQL, when a server is given: the database must be empty (it is migrated here).
if let url = postgresURL {
    let (pgSeconds, pgSummary) = try await importRun(try DatabaseLocation(url: url))
    precondition(pgSummary.claimsCreated == claimCount, "import incomplete")
    let columns = ClaimFileGenerator.header.split(separator: ";").map { "\($0) text" }.joined(separator: ", ")
    let copySeconds = try shell("psql -q '\(url)' -c 'CREATE TABLE bench_flat (\(columns))' && psql -q '\(url)' -c \"\\\\copy bench_flat FROM '\(csv)' WITH (FORMAT csv, DELIMITER ';', HEADER true)\"")
    let pgRate = Double(claimCount) / pgSeconds
    print(String(format: "postgres: recouvre import %.1f s = %.0f claims/s; psql \\copy %.1f s = %.0f rows/s; ratio %.2f of the storage's limit",
                 pgSeconds, pgRate, copySeconds, Double(claimCount) / copySeconds, copySeconds / pgSeconds))
    // The schema's own limit: every row the import wrote (debtors, contacts, cases, claims, events),
    // copied back by psql into empty tables of the same definition (indexes, checks, foreign keys)
    // in one transaction. What the import costs beyond this is matching, validation and round trips.
    let tables = ["debtors", "debtor_contacts", "cases", "claims", "case_events"]
    var prepare = tables.map { "\\copy \($0) TO '\(dir)/\($0).copy'\nCREATE TABLE floor_\($0) (LIKE \($0) INCLUDING ALL);" }
    prepare += ["ALTER TABLE floor_debtor_contacts ADD FOREIGN KEY (debtor_id) REFERENCES floor_debtors(id);",
                "ALTER TABLE floor_cases ADD FOREIGN KEY (debtor_id) REFERENCES floor_debtors(id), ADD FOREIGN KEY (creditor_id) REFERENCES creditors(id);",
                "ALTER TABLE floor_claims ADD FOREIGN KEY (case_id) REFERENCES floor_cases(id);",
                "ALTER TABLE floor_case_events ADD FOREIGN KEY (case_id) REFERENCES floor_cases(id);"]
    try prepare.joined(separator: "\n").write(toFile: "\(dir)/floor-prepare.sql", atomically: true, encoding: .utf8)
    try (["BEGIN;"] + tables.map { "\\copy floor_\($0) FROM '\(dir)/\($0).copy'" } + ["COMMIT;"]).joined(separator: "\n")
        .write(toFile: "\(dir)/floor-load.sql", atomically: true, encoding: .utf8)
    _ = try shell("psql -q -v ON_ERROR_STOP=1 '\(url)' -f \(dir)/floor-prepare.sql > /dev/null")
    let floorSeconds = try shell("psql -q -v ON_ERROR_STOP=1 '\(url)' -f \(dir)/floor-load.sql > /dev/null")
    print(String(format: "postgres: the same rows copied into the same schema (psql \\copy, one transaction) %.1f s = %.0f claims/s; ratio %.2f of the schema's limit",
                 floorSeconds, Double(claimCount) / floorSeconds, floorSeconds / pgSeconds))
    print(String(format: "postgres: target 50000 claims/s: %@ (%.2fx)", pgRate >= 50_000 ? "met" : "NOT met", pgRate / 50_000))
}
