import Foundation
import RecouvreCore
import Testing
@testable import RecouvreStore

@Suite struct IntakeTests {
    /// New debtors and their cases are numbered in the order the file lists them (they followed a
    /// hash table's order, which changes from one run of the program to the next: the demo
    /// portfolio's case numbers changed at each start).
    @Test(arguments: Backend.available)
    func newDebtorsAndCasesAreNumberedInTheFilesOrder(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            _ = try await addCreditor(db)
            let names = (1...20).map { "Debiteur Numero \($0)" }
            // Each debtor twice, the second time after all the others: its first line sets its place.
            let lines = (names + names).enumerated().map { k, name in
                "F\(k + 1);\(name);;\(k % 20 + 1) rue Pasteur;69003;Lyon;;01/02/2026;03/03/2026;100;;EUR"
            }
            let s = try await importText(db, header + lines.joined(separator: "\n"))
            #expect(s.debtorsCreated == 20 && s.casesOpened == 20 && s.rowsRejected == 0)
            let rows = try await db.withConnection { conn in
                try await conn.raw("SELECT d.name FROM cases c JOIN debtors d ON d.id = c.debtor_id ORDER BY c.id").all()
                    .map { try $0.decode(column: "name", as: String.self) }
            }
            #expect(rows == names)
            let debtors = try await db.withConnection { conn in
                try await conn.raw("SELECT name FROM debtors ORDER BY id").all().map { try $0.decode(column: "name", as: String.self) }
            }
            #expect(debtors == names)
        }
    }

    /// Two creditors' imports at once, naming the same new debtors in opposite orders, one row
    /// a batch: both land and each debtor is created once. On PostgreSQL, without the import's
    /// lock, each waited for the debtors the other had written and one failed (a deadlock, or
    /// the key the other wrote first).
    @Test(arguments: Backend.available)
    func concurrentImportsOfTheSameNewDebtorsBothLand(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            _ = try await addCreditor(db, code: "NORD")
            _ = try await addCreditor(db, code: "SUD")
            let lines = (1...40).map { "F\($0);Maison Commune Numero \($0);;\($0) rue Pasteur;69003;Lyon;;01/02/2026;03/03/2026;100;;EUR" }
            func run(_ creditor: String, _ rows: [String]) async throws -> ImportSummary {
                try await ClaimImporter.importData(Array((header + rows.joined(separator: "\n")).utf8), fileName: "\(creditor).csv", into: db,
                                                   options: ImportOptions(creditorCode: creditor, today: today, batchSize: 1))
            }
            async let nord = run("NORD", lines)
            async let sud = run("SUD", lines.reversed())
            let (a, b) = try await (nord, sud)
            #expect(a.claimsCreated == 40 && b.claimsCreated == 40 && a.casesOpened == 40 && b.casesOpened == 40)
            #expect(a.debtorsCreated + b.debtorsCreated == 40)
            #expect(try await count(db, "debtors") == 40)
            #expect(try await count(db, "cases") == 80)
            let found = try await CaseStore(db).list(scope: .agency, filter: CaseFilter(text: "commune numero 17")).cases
            #expect(found.count == 2 && found.allSatisfy { $0.debtorName == "Maison Commune Numero 17" })
        }
    }

    /// SQLite's index of names is rewritten as one segment when an import leaves it split into
    /// parts of a like size, not for a small part beside a large one; searches find every name.
    @Test func importsKeepTheNamesIndexInFewSegments() async throws {
        try await withTestDatabase(.sqlite) { db, _ in
            _ = try await addCreditor(db)
            func file(_ lot: Int, _ count: Int) -> String {
                header + (1...count).map { "L\(lot)-\($0);Atelier Lot\(lot) Numero \($0);;1 rue Pasteur;69003;Lyon;;01/02/2026;03/03/2026;100;;EUR" }
                    .joined(separator: "\n")
            }
            func segments() async throws -> Int {
                try await db.withConnection { try await $0.raw("SELECT COUNT(DISTINCT segid) AS n FROM debtor_names_idx").all()[0].decode(column: "n", as: Int.self) }
            }
            _ = try await importText(db, file(1, 300))
            #expect(try await segments() == 1)
            _ = try await importText(db, file(2, 300))
            #expect(try await segments() == 1)
            // Two names beside 600: their segments are left as FTS5 wrote them.
            _ = try await importText(db, file(3, 2))
            #expect(try await segments() > 1)
            let store = CaseStore(db)
            for (text, name) in [("lot1 numero 250", "Atelier Lot1 Numero 250"), ("LOT2 NUMERO 299", "Atelier Lot2 Numero 299"),
                                 ("Lot3 Numero 2", "Atelier Lot3 Numero 2")] {
                #expect(try await store.list(scope: .agency, filter: CaseFilter(text: text)).cases.map(\.debtorName) == [name], "\(text)")
            }
        }
    }

    @Test(arguments: Backend.available)
    func importsGroupsAndReimportsIdempotently(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            _ = try await addCreditor(db)
            let file = header + """
            F1;Garage Martin SARL;443061841;3 rue Pasteur;69003;Lyon;compta@martin.fr;01/02/2026;03/03/2026;1 200,50;200,08;EUR
            F2;Garage Martin;443 061 841;3 rue Pasteur;69003;Lyon;;2026-03-01;2026-03-31;99,99;;
            F3;M. Jean DUPONT;;12 av. Jean Jaurès;75019;Paris;;10/03/2026;10/04/2026;45;;EUR
            F4;jean dupont;;12 avenue Jean Jaures;75019;PARIS;;11/03/2026;11/04/2026;55,5;;EUR
            F5;Boulangerie Roux;552032534;1 place;33000;Bordeaux;;01/01/2026;31/01/2026;10;;EUR
            """
            let s = try await importText(db, file)
            #expect(s.rowsRead == 5 && s.rowsRejected == 0)
            #expect(s.claimsCreated == 5 && s.debtorsCreated == 3 && s.casesOpened == 3)
            let page = try await CaseStore(db).list(scope: .agency)
            let martin = try #require(page.cases.first { $0.debtorName.hasPrefix("Garage Martin") })
            #expect(martin.claimCount == 2 && martin.claimed == .eur(cents: 120_050 + 9999))
            #expect(martin.oldestDueOn == Day(year: 2026, month: 3, day: 3))
            let dupont = try #require(page.cases.first { $0.debtorName.contains("DUPONT") })
            #expect(dupont.claimed == .eur(cents: 10050) && dupont.debtorKind == "consumer")

            // The same file again: nothing created, everything seen unchanged.
            let again = try await importText(db, file)
            #expect(again.claimsCreated == 0 && again.claimsUnchanged == 5 && again.debtorsCreated == 0 && again.casesOpened == 0)
            #expect(try await count(db, "claims") == 5)

            // An overlapping file: one amount corrected, one new invoice for a known debtor.
            let overlap = header + """
            F2;Garage Martin;443061841;3 rue Pasteur;69003;Lyon;;01/03/2026;31/03/2026;120,00;;EUR
            F6;Garage Martin;443061841;8 rue Neuve;69003;Lyon;;01/04/2026;30/04/2026;30;;EUR
            """
            let o = try await importText(db, overlap)
            #expect(o.claimsUpdated == 1 && o.claimsCreated == 1 && o.casesOpened == 0)
            #expect(o.updated.first?.changes == ["amount 99.99 → 120.00"])
            let detail = try #require(try await CaseStore(db).detail(id: martin.id, scope: .agency))
            #expect(try detail.summary.claimed == .eur(cents: 120_050 + 12000 + 3000))
            #expect(detail.debtor.contacts.contains { $0.kind == .address && $0.value.contains("8 rue Neuve") })
            #expect(detail.debtor.contacts.contains { $0.kind == .email && $0.value == "compta@martin.fr" })
            #expect(detail.events.filter { $0.kind == .claimsImported }.count == 2)
            #expect(detail.events.last?.kind == .opened)
        }
    }

    /// Batches of one row with a cache of two debtors and case totals written after every batch,
    /// and batches of a thousand with the defaults, give the same cases, totals and contacts: what
    /// the import remembers between batches only saves statements. The second creditor's import
    /// meets every debtor already on record.
    @Test(arguments: Backend.available)
    func batchesAndTheDebtorCacheChangeNothing(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            _ = try await addCreditor(db, code: "SMALL")
            _ = try await addCreditor(db, code: "LARGE")
            let generator = ClaimFileGenerator(debtorCount: 12, today: today)
            var file = ClaimFileGenerator.header + "\n"
            for k in 0..<80 { file += generator.row(k).line + "\n" }
            // A debtor seen again with a new address and a new phone, far from its first rows.
            let company = try #require((0..<12).first { generator.debtorFields($0).contains(";entreprise;") })
            let moved = generator.debtorFields(company).split(separator: ";", omittingEmptySubsequences: false).map(String.init)
            file += "F999;\(moved[0]);\(moved[1]);\(moved[2]);9 rue Neuve;\(moved[4]);\(moved[5]);\(moved[6]);06 11 22 33 44;01/01/2026;31/01/2026;10;;EUR\n"
            var small = ImportOptions(creditorCode: "SMALL", today: today, batchSize: 1)
            small.debtorCacheLimit = 2
            small.pendingCaseTotalsLimit = 1
            let a = try await ClaimImporter.importData(Array(file.utf8), fileName: "a.csv", into: db, options: small)
            let b = try await ClaimImporter.importData(Array(file.utf8), fileName: "b.csv", into: db,
                                                       options: ImportOptions(creditorCode: "LARGE", today: today, batchSize: 1000))
            #expect(a.claimsCreated == 81 && b.claimsCreated == 81 && a.rowsRejected == 0 && b.rowsRejected == 0)
            #expect(a.casesOpened == b.casesOpened && a.debtorsCreated == 12 && b.debtorsCreated == 0)
            func totals(_ creditor: String) async throws -> [String] {
                try await db.withConnection { c in
                    try await c.raw("""
                        SELECT d.match_key AS k, cs.claimed_minor AS t, cs.claim_count AS n, cs.oldest_due_on AS o
                        FROM cases cs JOIN debtors d ON d.id = cs.debtor_id JOIN creditors cr ON cr.id = cs.creditor_id
                        WHERE cr.code = \(bind: creditor) ORDER BY d.match_key
                        """).all().map { r in
                        "\(try r.decode(column: "k", as: String.self)) \(try r.decode(column: "t", as: Int.self)) \(try r.decode(column: "n", as: Int.self)) \(try r.decode(column: "o", as: String.self))"
                    }
                }
            }
            let small_ = try await totals("SMALL")
            #expect(small_.count == 12)
            #expect(small_ == (try await totals("LARGE")))
            // Each debtor has each contact the file gave once: its email, its phones, and the new address.
            let contacts = try await db.withConnection { c in
                try await c.raw("SELECT debtor_id, kind, value, COUNT(*) AS n FROM debtor_contacts GROUP BY debtor_id, kind, value").all()
            }
            #expect(try contacts.allSatisfy { try $0.decode(column: "n", as: Int.self) == 1 })
            #expect(contacts.count == 12 * 2 + 2)
        }
    }

    @Test(arguments: Backend.available)
    func rejectsBadRowsWithLineAndReasonAndKeepsGoodOnes(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            _ = try await addCreditor(db)
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let file = header + """
            G1;Good SA;443061841;1 rue;75001;Paris;;01/01/2026;31/01/2026;100;;EUR
            B1;Bad date SA;443061841;1 rue;75001;Paris;;31/02/2026;31/03/2026;100;;EUR
            B2;Zero SA;443061841;1 rue;75001;Paris;;01/01/2026;31/01/2026;0;;EUR
            B3;Negative SA;443061841;1 rue;75001;Paris;;01/01/2026;31/01/2026;-10;;EUR
            B4;Currency SA;443061841;1 rue;75001;Paris;;01/01/2026;31/01/2026;10;;XXX
            G1;Duplicate SA;443061841;1 rue;75001;Paris;;01/01/2026;31/01/2026;100;;EUR
            G2;Good SA;443061841;1 rue;75001;Paris;;01/01/2026;31/01/2026;50;;EUR
            G3;Good SA;443061841;1 rue;75001;Paris;;01/01/2026;31/01/2026;50;;CHF
            G4;Other;443061842;1 rue;75001;Paris;;01/01/2026;31/01/2026;5;;EUR
            G2;Again SA;443061841;1 rue;75001;Paris;;01/01/2026;31/01/2026;100;;EUR
            """
            let s = try await importText(db, file, rejects: "\(dir)/rejects.csv")
            #expect(s.claimsCreated == 2)
            #expect(s.rowsRejected == 8)
            let byLine = Dictionary(grouping: s.rejects, by: \.line)
            #expect(byLine[3]?.first?.column == "issued_on")
            #expect(byLine[4]?.first?.reason == "amount is zero")
            #expect(byLine[5]?.first?.reason.contains("negative") == true)
            #expect(byLine[6]?.first?.reason == "unknown currency 'XXX'")
            #expect(byLine[7]?.first?.reason == "duplicate invoice reference in this file (first at line 2)")
            #expect(byLine[9]?.first?.reason.contains("differs from the case's currency EUR") == true)
            #expect(byLine[10]?.first?.column == "siren")
            #expect(byLine[11]?.first?.reason.contains("first at line 8") == true) // duplicate across batches
            let bytes = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/rejects.csv"))
            #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF])) // BOM, so spreadsheets read the accents
            let rejects = String(decoding: bytes.dropFirst(3), as: UTF8.self)
            #expect(rejects.hasPrefix("line;column;reason;raw\n3;issued_on;'31/02/2026' is not a date"))
            #expect(rejects.split(separator: "\n").count == 9)
            // Rows refused at batch time keep their line as it was in the file.
            #expect(rejects.contains("7;invoice_ref;duplicate invoice reference in this file (first at line 2);\"G1;Duplicate SA;443061841;1 rue;75001;Paris;;01/01/2026;31/01/2026;100;;EUR\""))
            #expect(try await count(db, "claims") == 2)
        }
    }

    @Test(arguments: Backend.available)
    func fileLevelProblemsLeaveNothing(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            _ = try await addCreditor(db)
            await #expect(throws: ImportError.emptyFile) { try await importText(db, "") }
            await #expect(throws: ImportError.emptyFile) { try await importText(db, "\u{FEFF}") }
            await #expect { try await importText(db, header.replacingOccurrences(of: ";", with: "|").replacingOccurrences(of: "|", with: ";;x|")) } throws: { _ in true }
            // A comma file whose header is read with the wrong separator cannot map its columns.
            await #expect { try await importText(db, "invoice_ref debtor_name\nF1 X\n") } throws: {
                if case .badHeader = $0 as? ImportError { return true } else { return false }
            }
            await #expect(throws: ImportError.unknownCreditor("NOPE")) { try await importText(db, header, creditor: "NOPE") }
            let headerOnly = try await importText(db, header)
            #expect(headerOnly.rowsRead == 0 && headerOnly.claimsCreated == 0)
            await #expect(throws: ImportError.unterminatedQuote(line: 2)) {
                try await importText(db, header + "\"F1;X;;1 rue;75001;Paris;;01/01/2026;31/01/2026;1;;EUR\n")
            }
            #expect(try await count(db, "claims") == 0)
            #expect(try await count(db, "debtors") == 0)
        }
    }

    @Test(arguments: Backend.available)
    func commaSeparatedWindows1252AndMixedEncodings(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            _ = try await addCreditor(db)
            var bytes = Array("invoice_ref,debtor_name,postcode,city,issued_on,due_on,amount\n".utf8)
            bytes += Array("W1,".utf8) + [0x53, 0x74, 0xE9, 0x70, 0x68, 0x61, 0x6E, 0x65] + Array(",75001,Paris,01/01/2026,31/01/2026,\"12,50\"\n".utf8) // "Stéphane" in Windows-1252
            bytes += Array("W2,Zoé Noël,75002,Paris,01/01/2026,31/01/2026,7.5\n".utf8) // UTF-8 in the same file
            let s = try await ClaimImporter.importData(bytes, fileName: "w.csv", into: db, options: ImportOptions(creditorCode: "ACME", today: today))
            #expect(s.claimsCreated == 2 && s.rowsDecodedAsWindows1252 == 1 && s.separator == ",")
            let names = try await CaseStore(db).list(scope: .agency).cases.map(\.debtorName).sorted()
            #expect(names == ["Stéphane", "Zoé Noël"])
        }
    }

    @Test(arguments: Backend.available)
    func textWithQuotesCommasBracesAndBackslashesLandsAsWritten(_ backend: Backend) async throws {
        // PostgreSQL receives each column as one array literal: quoting must not change a value.
        try await withTestDatabase(backend) { db, _ in
            _ = try await addCreditor(db)
            let file = header + #"""
            "Q-1""{a,b}";"Dupont ""Le Grand"", {SARL} \ fils";;"12, rue \""X""";35000;Rennes;;01/01/2026;31/01/2026;10;;EUR
            """#
            let s = try await importText(db, file)
            #expect(s.claimsCreated == 1 && s.rowsRejected == 0, "\(s.rejects)")
            let rows = try await db.withConnection { try await $0.raw("SELECT name, address_line1 FROM debtors").all() }
            #expect(try rows.first?.decode(column: "name", as: String.self) == #"Dupont "Le Grand", {SARL} \ fils"#)
            #expect(try rows.first?.decode(column: "address_line1", as: String.self) == #"12, rue \"X""#)
            let refs = try await db.withConnection { try await $0.raw("SELECT invoice_ref FROM claims").all() }
            #expect(try refs.first?.decode(column: "invoice_ref", as: String.self) == #"Q-1"{a,b}"#)
        }
    }

    @Test(arguments: Backend.available)
    func savedMappingIsReused(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            _ = try await addCreditor(db)
            let mapping = try ColumnMapping.parse(pairs: ["invoice_ref=Pièce", "debtor_name=Client", "issued_on=Le", "due_on=Payable", "amount=Dû", "postcode=CP", "city=Ville"]).get()
            let file = "Pièce;Client;CP;Ville;Le;Payable;Dû\nP1;Lucie Morel;35000;Rennes;02/02/2026;02/03/2026;80\n"
            #expect(try await importText(db, file, mapping: mapping, save: true).claimsCreated == 1)
            let next = "Pièce;Client;CP;Ville;Le;Payable;Dû\nP2;Lucie Morel;35000;Rennes;02/03/2026;02/04/2026;20\n"
            let s = try await importText(db, next)
            #expect(s.claimsCreated == 1 && s.casesOpened == 0)
        }
    }

    @Test(arguments: Backend.available)
    func anImportThatFailsMidwayLeavesNothing(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            _ = try await addCreditor(db)
            let file = peopleFile(prefix: "I", count: 50)
            await #expect(throws: ImportError.injectedFailure(afterRows: 40)) { try await importText(db, file, failAfter: 40) }
            for table in ["claims", "cases", "debtors", "imports", "case_events", "debtor_contacts"] {
                #expect(try await count(db, table) == 0, "\(table)")
            }
            #expect(try await importText(db, file).claimsCreated == 50)
        }
    }

    /// kill -9 of `recouvre import` in the middle of a large file: the database is as before.
    @Test(arguments: Backend.available)
    func killedImportLeavesTheDatabaseAsBefore(_ backend: Backend) async throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("recouvre").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the recouvre executable first (swift build)")
        try await withTestDatabase(backend) { db, location in
            _ = try await addCreditor(db)
            _ = try await importText(db, header + "K0;Before SA;443061841;1 rue;75001;Paris;;01/01/2026;31/01/2026;10;;EUR\n")
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let gen = ClaimFileGenerator(debtorCount: 20_000, today: today)
            var text = ClaimFileGenerator.header + "\n"
            for k in 0..<120_000 { text += gen.row(k).line + "\n" }
            try text.write(toFile: "\(dir)/big.csv", atomically: true, encoding: .utf8)

            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            let url: String = switch location {
            case let .sqlite(path): "sqlite:\(path)"
            case let .postgres(s): "postgres://\(s.user)@\(s.host):\(s.port)/\(s.database)" + (s.socketDirectory.map { "?host=\($0)" } ?? "")
            }
            process.arguments = ["import", "\(dir)/big.csv", "--creditor", "ACME", "--database", url, "--progress"]
            let stderr = Pipe()
            process.standardError = stderr
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            // Wait until rows are being written, then kill -9.
            var seen = Data()
            while !String(decoding: seen, as: UTF8.self).contains("rows") {
                let chunk = stderr.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                seen += chunk
            }
            #expect(String(decoding: seen, as: UTF8.self).contains(" rows"), "the import did not get going: \(String(decoding: seen, as: UTF8.self))")
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)

            // A new connection sees the database as it was before the killed import.
            let after = try await Database.open(location)
            #expect(try await count(after, "claims") == 1)
            #expect(try await count(after, "imports") == 1)
            #expect(try await count(after, "cases") == 1)
            await after.close()
        }
    }
}
