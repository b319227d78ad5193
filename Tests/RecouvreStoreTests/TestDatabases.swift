import Foundation
import RecouvreCore
@testable import RecouvreStore

/// The store suite runs on every backend: a real SQLite file always, and a real PostgreSQL server
/// when `RECOUVRE_TEST_POSTGRES_URL` names one (scripts/test starts one and sets it).
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }

    static var available: [Backend] {
        ProcessInfo.processInfo.environment["RECOUVRE_TEST_POSTGRES_URL"] == nil ? [.sqlite] : [.sqlite, .postgres]
    }
}

import Testing

/// A fresh, migrated database for one test, removed afterwards.
func withTestDatabase<T>(_ backend: Backend, migratedUpTo last: Int = .max, _ body: (Database, DatabaseLocation) async throws -> T) async throws -> T {
    switch backend {
    case .sqlite:
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("recouvre-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let location = DatabaseLocation.sqlite(path: "\(dir)/test.sqlite")
        let db = try await Database.open(location)
        do {
            try await Migrations.migrate(db, upTo: last)
            let result = try await body(db, location)
            await db.close()
            return result
        } catch { await db.close(); throw error }
    case .postgres:
        let admin = try DatabaseLocation(url: ProcessInfo.processInfo.environment["RECOUVRE_TEST_POSTGRES_URL"]!)
        guard case var .postgres(settings) = admin else { fatalError("not a postgres URL") }
        let name = "recouvre_test_\(UUID().uuidString.prefix(8).lowercased())"
        let adminDB = try await Database.open(admin, maxConnections: 1)
        try await adminDB.withConnection { try await $0.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
        settings.database = name
        let location = DatabaseLocation.postgres(settings)
        let db = try await Database.open(location)
        func drop() async {
            await db.close()
            try? await adminDB.withConnection { try await $0.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run() }
            await adminDB.close()
        }
        do {
            try await Migrations.migrate(db, upTo: last)
            let result = try await body(db, location)
            await drop()
            return result
        } catch { await drop(); throw error }
    }
}

let today = Day(year: 2026, month: 11, day: 23)!

func addCreditor(_ db: Database, code: String = "ACME") async throws -> Creditor {
    try await CreditorStore(db).create(NewCreditor(
        code: code, name: "\(code) SAS", siren: try SIREN("552032534"), address: PostalAddress(line1: "1 rue de Paris", postcode: "75001", city: "Paris"),
        mandate: Mandate(reference: "M-\(code)", signedOn: Day(year: 2026, month: 1, day: 2)!, claimsCovered: "Factures B2B",
                         guarantee: "Créances détenues", commission: Commission(rateOfCollected: .percent(12)), remittance: RemittanceTerms())))
}

func importText(_ db: Database, _ text: String, creditor: String = "ACME", rejects: String? = nil, failAfter: Int? = nil,
                mapping: ColumnMapping? = nil, save: Bool = false) async throws -> ImportSummary {
    try await ClaimImporter.importData(Array(text.utf8), fileName: "test.csv", into: db,
                                       options: ImportOptions(creditorCode: creditor, mapping: mapping, saveMapping: save, today: today,
                                                              rejectsPath: rejects, batchSize: 3, failAfterRows: failAfter))
}

func count(_ db: Database, _ table: String) async throws -> Int {
    try await db.withConnection { try await $0.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").all()[0].decode(column: "n", as: Int.self) }
}

let header = "invoice_ref;debtor_name;siren;address_line1;postcode;city;email;issued_on;due_on;amount;vat_amount;currency\n"

/// `count` claims of 10 € owed by as many people in Paris: invoice `<prefix>i`, debtor `Client i<surname>`.
func peopleFile(prefix: String, count: Int, surname: String = "") -> String {
    var file = header
    for i in 0..<count { file += "\(prefix)\(i);Client \(i)\(surname);;\(i) rue;75001;Paris;;01/01/2026;31/01/2026;10;;EUR\n" }
    return file
}

/// A case's payments, ledger and latest plan as its page reads them (with its detail).
func account(_ db: Database, _ id: Int64, asOf day: Day, rates: InterestRates = .shipped) async throws -> CaseAccount {
    guard let read = try await PaymentStore(db).detailAndAccount(caseID: id, scope: .agency, asOf: day, rates: rates) else { throw StoreError.notFound("case \(id)") }
    return read.account
}
