import Foundation
import RecouvreCore
import SQLKit

/// What a caller asks of an import.
public struct ImportOptions: Sendable {
    public var creditorCode: String
    /// A mapping given now; when nil, the creditor's saved mapping (or the header aliases) is used.
    public var mapping: ColumnMapping?
    /// Save `mapping` as the creditor's mapping for the next files.
    public var saveMapping: Bool
    public var actor: Actor
    /// Invoices dated after this day are refused.
    public var today: Day
    /// Where each rejected row is written (`line;column;reason;raw`); nil writes no file.
    public var rejectsPath: String?
    public var batchSize: Int
    /// Called every `progressEvery` rows read (for the CLI's progress line).
    public var progressEvery: Int
    public var onProgress: (@Sendable (Int) -> Void)?
    /// Test seam: fail after this many rows, to prove that nothing of the import remains.
    public var failAfterRows: Int?
    /// When the import happens (recorded on the import and its events).
    public var at: Instant

    public init(creditorCode: String, mapping: ColumnMapping? = nil, saveMapping: Bool = false, actor: Actor = .system,
                today: Day, rejectsPath: String? = nil, batchSize: Int = 1000, progressEvery: Int = 100_000,
                onProgress: (@Sendable (Int) -> Void)? = nil, failAfterRows: Int? = nil, at: Instant = SystemClock.now()) {
        self.at = at
        self.creditorCode = creditorCode
        self.mapping = mapping
        self.saveMapping = saveMapping
        self.actor = actor
        self.today = today
        self.rejectsPath = rejectsPath
        self.batchSize = batchSize
        self.progressEvery = progressEvery
        self.onProgress = onProgress
        self.failAfterRows = failAfterRows
    }
}

/// What an import did, row by row counted.
public struct ImportSummary: Sendable, Codable, Equatable {
    public struct UpdatedClaim: Sendable, Codable, Equatable {
        public let line: Int
        public let invoiceReference: String
        public let changes: [String]
    }

    public var importID: Int64 = 0
    public var fileName: String = ""
    public var separator: String = ";"
    public var rowsRead = 0
    public var rowsRejected = 0
    public var claimsCreated = 0
    public var claimsUpdated = 0
    public var claimsUnchanged = 0
    public var debtorsCreated = 0
    public var casesOpened = 0
    /// Rows read as Windows-1252 because they were not valid UTF-8.
    public var rowsDecodedAsWindows1252 = 0
    /// The first rejections (all of them are in the rejects file).
    public var rejects: [RowError] = []
    /// The first updated claims with what changed.
    public var updated: [UpdatedClaim] = []
    public var rejectsFile: String?

    public static let listedLimit = 1000
}

/// A file-level problem: nothing of the file was imported.
public enum ImportError: Error, CustomStringConvertible, Equatable {
    case unknownCreditor(String)
    case unreadableFile(String)
    case emptyFile
    case badHeader(HeaderError)
    case unterminatedQuote(line: Int)
    case injectedFailure(afterRows: Int)

    public var description: String {
        switch self {
        case let .unknownCreditor(c): "unknown creditor '\(c)' (create it first: recouvre creditor add)"
        case let .unreadableFile(s): "cannot read the file: \(s)"
        case .emptyFile: "the file is empty: a header row naming the columns is expected"
        case let .badHeader(e): "the header cannot be read as a claim list: \(e)"
        case let .unterminatedQuote(line): "a quoted field opened at line \(line) is never closed; nothing was imported"
        case let .injectedFailure(n): "import stopped on purpose after \(n) rows"
        }
    }
}

/// Imports a creditor's claim list: streams the file, validates every row, creates or matches
/// debtors, opens cases per (creditor, debtor) and creates or updates claims, all in one
/// transaction so that an interrupted import leaves nothing behind.
public enum ClaimImporter {
    public static func importFile(at path: String, into database: Database, options: ImportOptions) async throws -> ImportSummary {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ImportError.unreadableFile("\(path) does not exist or is not readable") }
        defer { try? handle.close() }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        // Pulled one chunk at a time as the import consumes them: memory stays flat whatever the size.
        let chunks = AsyncThrowingStream<[UInt8], any Error>(unfolding: {
            do {
                guard let data = try handle.read(upToCount: 1 << 20), !data.isEmpty else { return nil }
                return [UInt8](data)
            } catch { throw ImportError.unreadableFile(String(describing: error)) }
        })
        return try await importChunks(chunks, fileName: (path as NSString).lastPathComponent, fileBytes: size, into: database, options: options)
    }

    /// The same from bytes already in memory (HTTP uploads, tests).
    public static func importData(_ bytes: [UInt8], fileName: String, into database: Database, options: ImportOptions) async throws -> ImportSummary {
        let cursor = ChunkCursor(bytes)
        let stream = AsyncThrowingStream<[UInt8], any Error>(unfolding: { cursor.next() })
        return try await importChunks(stream, fileName: fileName, fileBytes: Int64(bytes.count), into: database, options: options)
    }

    static func importChunks(_ chunks: AsyncThrowingStream<[UInt8], any Error>, fileName: String, fileBytes: Int64,
                             into database: Database, options: ImportOptions) async throws -> ImportSummary {
        let rejects = try options.rejectsPath.map { try RejectsWriter(path: $0) }
        defer { rejects?.close() }
        let result = try await database.bulkTransaction { session in
            let db = session.sql
            let creditorRows = try await db.raw("SELECT id FROM creditors WHERE code = \(bind: options.creditorCode)").all()
            guard let creditorID = try creditorRows.first?.decode(column: "id", as: Int64.self) else {
                throw ImportError.unknownCreditor(options.creditorCode)
            }
            var mapping = options.mapping
            if mapping == nil, let saved = try await MappingStore.load(creditorID: creditorID, db: db) { mapping = saved }
            let run = ImportRun(session: session, creditorID: creditorID, options: options, rejects: rejects)
            return try await run.execute(chunks: chunks, mapping: mapping ?? ColumnMapping(), fileName: fileName, fileBytes: fileBytes)
        }
        var summary = result
        summary.rejectsFile = options.rejectsPath
        return summary
    }
}

/// One import's work inside its transaction.
final class ImportRun {
    let session: BulkSession
    var db: any SQLDatabase { session.sql }
    let creditorID: Int64
    let options: ImportOptions
    let rejects: RejectsWriter?
    let now: String
    var summary = ImportSummary()
    var importID: Int64 = 0

    init(session: BulkSession, creditorID: Int64, options: ImportOptions, rejects: RejectsWriter?) {
        self.session = session
        self.creditorID = creditorID
        self.options = options
        self.rejects = rejects
        self.now = options.at.description
    }

    func execute(chunks: AsyncThrowingStream<[UInt8], any Error>, mapping: ColumnMapping, fileName: String, fileBytes: Int64) async throws -> ImportSummary {
        summary.fileName = fileName
        var tokenizer: CSVTokenizer?
        var parser: ClaimRowParser?
        var pendingHeaderBytes: [UInt8] = []
        var batch: [ClaimLine] = []
        batch.reserveCapacity(options.batchSize)
        var records: [CSVTokenizer.Record] = []
        var firstChunk = true

        for try await var chunk in chunks {
            if firstChunk {
                firstChunk = false
                if chunk.starts(with: [0xEF, 0xBB, 0xBF]) { chunk.removeFirst(3) } // UTF-8 byte order mark
            }
            if tokenizer == nil {
                // The separator is read off the header line, which may span chunks.
                pendingHeaderBytes += chunk
                guard pendingHeaderBytes.contains(0x0A) || pendingHeaderBytes.count > (1 << 20) else { continue }
                let sep = CSVTokenizer.detectSeparator(headerLine: pendingHeaderBytes)
                tokenizer = CSVTokenizer(separator: sep)
                chunk = pendingHeaderBytes
                pendingHeaderBytes = []
            }
            records.removeAll(keepingCapacity: true)
            tokenizer!.feed(chunk) { records.append($0) }
            for record in records {
                try await handle(record, tokenizer: tokenizer!, parser: &parser, mapping: mapping, fileName: fileName, fileBytes: fileBytes, batch: &batch)
            }
        }
        if tokenizer == nil, !pendingHeaderBytes.isEmpty {
            tokenizer = CSVTokenizer(separator: CSVTokenizer.detectSeparator(headerLine: pendingHeaderBytes))
            records.removeAll()
            tokenizer!.feed(pendingHeaderBytes) { records.append($0) }
            for record in records {
                try await handle(record, tokenizer: tokenizer!, parser: &parser, mapping: mapping, fileName: fileName, fileBytes: fileBytes, batch: &batch)
            }
        }
        guard var tk = tokenizer else { throw ImportError.emptyFile }
        if tk.isInsideQuotes { throw ImportError.unterminatedQuote(line: tk.currentRecordLine) }
        records.removeAll()
        tk.finish { records.append($0) }
        for record in records {
            try await handle(record, tokenizer: tk, parser: &parser, mapping: mapping, fileName: fileName, fileBytes: fileBytes, batch: &batch)
        }
        if parser == nil { throw ImportError.emptyFile }
        if !batch.isEmpty { try await flush(batch) }
        try await finishImport()
        if options.saveMapping, let m = options.mapping { try await MappingStore.save(m, creditorID: creditorID, db: db, now: now) }
        return summary
    }

    private func handle(_ record: CSVTokenizer.Record, tokenizer: CSVTokenizer, parser: inout ClaimRowParser?, mapping: ColumnMapping,
                        fileName: String, fileBytes: Int64, batch: inout [ClaimLine]) async throws {
        let decoding = TextDecoding.detect(record.raw)
        let fields = record.fields.map { decoding.decode($0) }
        guard let p = parser else {
            switch mapping.resolve(header: fields) {
            case let .success(columns): parser = ClaimRowParser(columns: columns, today: options.today)
            case let .failure(e): throw ImportError.badHeader(e)
            }
            summary.separator = String(UnicodeScalar(tokenizer.separator))
            try await startImport(fileName: fileName, fileBytes: fileBytes)
            return
        }
        summary.rowsRead += 1
        if decoding == .windows1252 { summary.rowsDecodedAsWindows1252 += 1 }
        if let limit = options.failAfterRows, summary.rowsRead > limit { throw ImportError.injectedFailure(afterRows: limit) }
        if summary.rowsRead % options.progressEvery == 0 { options.onProgress?(summary.rowsRead) }
        switch p.parse(fields: fields, line: record.line) {
        case let .success(line):
            batch.append(line)
            if batch.count >= options.batchSize {
                try await flush(batch)
                batch.removeAll(keepingCapacity: true)
            }
        case let .failure(e):
            reject(e.errors, raw: record.raw, decoding: decoding)
        }
    }

    private func reject(_ errors: [RowError], raw: [UInt8], decoding: TextDecoding) {
        summary.rowsRejected += 1
        for e in errors {
            if summary.rejects.count < ImportSummary.listedLimit { summary.rejects.append(e) }
            rejects?.write(e, raw: decoding.decode(raw))
        }
    }

    private func startImport(fileName: String, fileBytes: Int64) async throws {
        let rows = try await db.raw("""
            INSERT INTO imports (creditor_id, file_name, file_bytes, separator, actor, started_at)
            VALUES (\(bind: creditorID), \(bind: fileName), \(bind: fileBytes), \(bind: summary.separator), \(bind: options.actor.id), \(bind: now))
            RETURNING id
            """).all()
        importID = try rows[0].decode(column: "id", as: Int64.self)
        summary.importID = importID
    }

    // MARK: - One batch

    private func flush(_ lines: [ClaimLine]) async throws {
        // Duplicates inside the batch: the first occurrence wins.
        var firstLine: [String: Int] = [:]
        var unique: [ClaimLine] = []
        unique.reserveCapacity(lines.count)
        for l in lines {
            if let first = firstLine[l.invoiceReference] {
                rejectLine(l, column: ClaimField.invoiceReference.rawValue, reason: "duplicate invoice reference in this file (first at line \(first))")
            } else {
                firstLine[l.invoiceReference] = l.line
                unique.append(l)
            }
        }
        let debtorIDs = try await upsertDebtors(unique)
        let cases = try await openCases(unique, debtorIDs: debtorIDs)
        try await writeClaims(unique, debtorIDs: debtorIDs, cases: cases)
    }

    private func rejectLine(_ l: ClaimLine, column: String, reason: String) {
        reject([RowError(line: l.line, column: column, reason: reason)], raw: Array("\(l.invoiceReference);\(l.debtor.name)".utf8), decoding: .utf8)
    }

    /// Matches each row's debtor by its key, creating the unknown ones. Returns key → debtor id.
    private func upsertDebtors(_ lines: [ClaimLine]) async throws -> [String: Int64] {
        var byKey: [String: DebtorLine] = [:]
        for l in lines where byKey[l.debtor.matchKey] == nil { byKey[l.debtor.matchKey] = l.debtor }
        var ids: [String: Int64] = [:]
        var storedAddress: [Int64: String] = [:] // debtor id → address on record
        let keys = Array(byKey.keys)
        for row in try await session.query("SELECT id, match_key, address_line1, postcode, city FROM debtors WHERE match_key IN (\(listPlaceholders(keys.count)))",
                                           keys.map { .text($0) }) {
            let id = row[0].int!
            ids[row[1].text!] = id
            storedAddress[id] = Self.addressText(row[2].text ?? "", row[3].text ?? "", row[4].text ?? "")
        }
        let missing = keys.filter { ids[$0] == nil }
        if !missing.isEmpty {
            var binds: [DBValue] = []
            binds.reserveCapacity(missing.count * 12)
            for key in missing {
                let d = byKey[key]!
                binds += [.text(key), .text(d.kind.rawValue), .text(d.name), DBValue(d.siren?.value), DBValue(d.siret?.value), DBValue(d.vatNumber),
                          .text(d.address.line1), .text(d.address.line2), .text(d.address.postcode), .text(d.address.city), .text(d.address.country), .text(now)]
            }
            for row in try await session.query("""
                INSERT INTO debtors (match_key, kind, name, siren, siret, vat_number, address_line1, address_line2, postcode, city, country, created_at)
                VALUES \(valuesPlaceholders(rows: missing.count, columns: 12)) RETURNING id, match_key
                """, binds) {
                let key = row[1].text!, id = row[0].int!
                ids[key] = id
                storedAddress[id] = Self.addressText(byKey[key]!.address)
            }
            summary.debtorsCreated += missing.count
        }
        // Contacts the file gives: new phones and emails, and an address that differs from the one on record.
        var contacts: [(Int64, String, String)] = []
        var seen = Set<String>()
        func add(_ id: Int64, _ kind: String, _ value: String) {
            if seen.insert("\(id)|\(kind)|\(value)").inserted { contacts.append((id, kind, value)) }
        }
        for l in lines {
            let d = l.debtor
            guard let id = ids[d.matchKey] else { continue }
            if let e = d.email { add(id, "email", e) }
            if let p = d.phone { add(id, "phone", p) }
            let given = Self.addressText(d.address)
            if !d.address.isEmpty, given != storedAddress[id] { add(id, "address", given) }
        }
        if !contacts.isEmpty {
            let source = DBValue.text("import #\(importID)")
            var binds: [DBValue] = []
            binds.reserveCapacity(contacts.count * 5)
            for c in contacts { binds += [.int(c.0), .text(c.1), .text(c.2), source, .text(now)] }
            try await session.query("""
                INSERT INTO debtor_contacts (debtor_id, kind, value, source, created_at) VALUES \(valuesPlaceholders(rows: contacts.count, columns: 5))
                ON CONFLICT (debtor_id, kind, value) DO NOTHING
                """, binds)
        }
        return ids
    }

    static func addressText(_ a: PostalAddress) -> String { addressText(a.line1, a.postcode, a.city) }

    /// The address on record as one comparable line: "line1, postcode city".
    static func addressText(_ line1: String, _ postcode: String, _ city: String) -> String {
        let place = postcode.isEmpty ? city : city.isEmpty ? postcode : postcode + " " + city
        return line1.isEmpty ? place : place.isEmpty ? line1 : line1 + ", " + place
    }

    struct OpenCase { let id: Int64; let currency: String }

    /// The open case of each debtor with this creditor, opening the missing ones.
    private func openCases(_ lines: [ClaimLine], debtorIDs: [String: Int64]) async throws -> [Int64: OpenCase] {
        var currencyOf: [Int64: String] = [:]
        var openedOn: [Int64: String] = [:]
        for l in lines {
            guard let d = debtorIDs[l.debtor.matchKey] else { continue }
            if currencyOf[d] == nil { currencyOf[d] = l.amount.currency.code; openedOn[d] = options.at.day.iso }
        }
        var cases: [Int64: OpenCase] = [:]
        let debtors = Array(currencyOf.keys)
        for row in try await session.query("SELECT id, debtor_id, currency FROM cases WHERE creditor_id = ? AND open_slot = 1 AND debtor_id IN (\(listPlaceholders(debtors.count)))",
                                           [.int(creditorID)] + debtors.map { .int($0) }) {
            cases[row[1].int!] = OpenCase(id: row[0].int!, currency: row[2].text!)
        }
        let missing = debtors.filter { cases[$0] == nil }
        if !missing.isEmpty {
            var binds: [DBValue] = []
            binds.reserveCapacity(missing.count * 6)
            for d in missing { binds += [.int(creditorID), .int(d), .text(currencyOf[d]!), .text(openedOn[d]!), .int(importID), .text(now)] }
            let one = "(?, ?, 'intake', 1, ?, ?, ?, ?)"
            for row in try await session.query("""
                INSERT INTO cases (creditor_id, debtor_id, status, open_slot, currency, opened_on, opened_import_id, updated_at)
                VALUES \(Array(repeating: one, count: missing.count).joined(separator: ", ")) RETURNING id, debtor_id, currency
                """, binds) {
                cases[row[1].int!] = OpenCase(id: row[0].int!, currency: row[2].text!)
            }
            summary.casesOpened += missing.count
        }
        return cases
    }

    struct StoredClaim {
        let id: Int64, caseID: Int64, issuedOn: String, dueOn: String, principal: Int64, vat: Int64, currency: String
        let rate: Int64?, lastImport: Int64?, line: Int64?
    }

    /// Creates new claims, updates changed ones, and marks unchanged ones as seen by this import.
    private func writeClaims(_ lines: [ClaimLine], debtorIDs: [String: Int64], cases: [Int64: OpenCase]) async throws {
        var stored: [String: StoredClaim] = [:]
        let refs = lines.map(\.invoiceReference)
        for row in try await session.query("""
            SELECT id, case_id, invoice_ref, issued_on, due_on, principal_minor, vat_minor, currency, interest_rate_micro, last_import_id, import_line
            FROM claims WHERE creditor_id = ? AND invoice_ref IN (\(listPlaceholders(refs.count)))
            """, [.int(creditorID)] + refs.map { .text($0) }) {
            stored[row[2].text!] = StoredClaim(id: row[0].int!, caseID: row[1].int!, issuedOn: row[3].text!, dueOn: row[4].text!,
                                               principal: row[5].int!, vat: row[6].int!, currency: row[7].text!, rate: row[8].int,
                                               lastImport: row[9].int, line: row[10].int)
        }
        var inserts: [(ClaimLine, Int64)] = []
        var unchanged: [(Int64, Int)] = []
        for l in lines {
            guard let debtorID = debtorIDs[l.debtor.matchKey], let c = cases[debtorID] else { continue }
            if c.currency != l.amount.currency.code {
                rejectLine(l, column: ClaimField.currency.rawValue, reason: "currency \(l.amount.currency.code) differs from the case's currency \(c.currency)")
                continue
            }
            guard let s = stored[l.invoiceReference] else { inserts.append((l, c.id)); continue }
            if s.lastImport == importID {
                rejectLine(l, column: ClaimField.invoiceReference.rawValue, reason: "duplicate invoice reference in this file (first at line \(s.line.map(String.init) ?? "?"))")
                continue
            }
            if s.caseID != c.id {
                rejectLine(l, column: ClaimField.invoiceReference.rawValue,
                           reason: "invoice already imported in case \(CaseReference(caseID: s.caseID)) for another debtor or a closed case")
                continue
            }
            var changes: [String] = []
            if s.issuedOn != l.issuedOn.iso { changes.append("issued_on \(s.issuedOn) → \(l.issuedOn.iso)") }
            if s.dueOn != l.dueOn.iso { changes.append("due_on \(s.dueOn) → \(l.dueOn.iso)") }
            if s.principal != l.amount.minorUnits { changes.append("amount \(Money(minorUnits: s.principal, currency: l.amount.currency).decimalString) → \(l.amount.decimalString)") }
            if s.vat != l.vat.minorUnits { changes.append("vat_amount \(Money(minorUnits: s.vat, currency: l.amount.currency).decimalString) → \(l.vat.decimalString)") }
            if s.rate != l.interestRate?.microPercent { changes.append("interest_rate \(s.rate.map { Rate(microPercent: $0).description } ?? "-") → \(l.interestRate?.description ?? "-")") }
            if changes.isEmpty {
                unchanged.append((s.id, l.line))
                continue
            }
            try await db.raw("""
                UPDATE claims SET issued_on = \(bind: l.issuedOn.iso), due_on = \(bind: l.dueOn.iso), principal_minor = \(bind: l.amount.minorUnits),
                vat_minor = \(bind: l.vat.minorUnits), interest_rate_micro = \(bind: l.interestRate?.microPercent), changed_import_id = \(bind: importID),
                last_import_id = \(bind: importID), import_line = \(bind: Int64(l.line)), updated_at = \(bind: now)
                WHERE id = \(bind: s.id)
                """).run()
            summary.claimsUpdated += 1
            if summary.updated.count < ImportSummary.listedLimit {
                summary.updated.append(.init(line: l.line, invoiceReference: l.invoiceReference, changes: changes))
            }
        }
        if !unchanged.isEmpty {
            var binds: [DBValue] = [.int(importID)]
            for (id, line) in unchanged { binds += [.int(id), .int(Int64(line))] }
            binds += unchanged.map { .int($0.0) }
            try await session.query("""
                UPDATE claims SET last_import_id = ?, import_line = CASE id \(Array(repeating: "WHEN ? THEN ?", count: unchanged.count).joined(separator: " ")) END
                WHERE id IN (\(listPlaceholders(unchanged.count)))
                """, binds)
            summary.claimsUnchanged += unchanged.count
        }
        if !inserts.isEmpty {
            var binds: [DBValue] = []
            binds.reserveCapacity(inserts.count * 15)
            let imp = DBValue.int(importID), creditor = DBValue.int(creditorID), stamp = DBValue.text(now)
            for (l, caseID) in inserts {
                binds += [creditor, .int(caseID), .text(l.invoiceReference), .text(l.issuedOn.iso), .text(l.dueOn.iso), .int(l.amount.minorUnits),
                          .int(l.vat.minorUnits), .text(l.amount.currency.code), DBValue(l.interestRate?.microPercent), imp, imp, imp,
                          .int(Int64(l.line)), stamp, stamp]
            }
            try await session.query("""
                INSERT INTO claims (creditor_id, case_id, invoice_ref, issued_on, due_on, principal_minor, vat_minor, currency, interest_rate_micro,
                created_import_id, changed_import_id, last_import_id, import_line, created_at, updated_at)
                VALUES \(valuesPlaceholders(rows: inserts.count, columns: 15))
                """, binds)
            summary.claimsCreated += inserts.count
        }
    }

    // MARK: - After the last row

    /// Case totals and history, set-based over what this import touched.
    private func finishImport() async throws {
        try await db.raw("""
            UPDATE cases SET claimed_minor = agg.total, claim_count = agg.n, oldest_due_on = agg.oldest, updated_at = \(bind: now)
            FROM (SELECT case_id, SUM(principal_minor) AS total, COUNT(*) AS n, MIN(due_on) AS oldest FROM claims
                  WHERE case_id IN (SELECT case_id FROM claims WHERE changed_import_id = \(bind: importID)) GROUP BY case_id) AS agg
            WHERE cases.id = agg.case_id
            """).run()
        let actor = options.actor.id
        try await db.raw("""
            INSERT INTO case_events (case_id, occurred_at, actor, kind, from_status, to_status, text, data)
            SELECT id, \(bind: now), \(bind: actor), 'opened', NULL, 'intake', \(bind: "Dossier ouvert par l'import n° \(importID) (\(summary.fileName))"), NULL
            FROM cases WHERE opened_import_id = \(bind: importID) ORDER BY id
            """).run()
        let importLabel = "Import n° \(importID) : "
        try await db.raw("""
            INSERT INTO case_events (case_id, occurred_at, actor, kind, from_status, to_status, text, data)
            SELECT case_id, \(bind: now), \(bind: actor), 'claims_imported', NULL, NULL,
                   \(bind: importLabel) || SUM(CASE WHEN created_import_id = \(bind: importID) THEN 1 ELSE 0 END) || ' créance(s) ajoutée(s), '
                   || SUM(CASE WHEN created_import_id = \(bind: importID) THEN 0 ELSE 1 END) || ' modifiée(s)',
                   '{"import":' || \(bind: importID) || ',"added":' || SUM(CASE WHEN created_import_id = \(bind: importID) THEN 1 ELSE 0 END)
                   || ',"updated":' || SUM(CASE WHEN created_import_id = \(bind: importID) THEN 0 ELSE 1 END) || '}'
            FROM claims WHERE changed_import_id = \(bind: importID) GROUP BY case_id ORDER BY case_id
            """).run()
        try await db.raw("""
            UPDATE imports SET finished_at = \(bind: now), rows_read = \(bind: Int64(summary.rowsRead)),
            rows_rejected = \(bind: Int64(summary.rowsRejected)), claims_created = \(bind: Int64(summary.claimsCreated)),
            claims_updated = \(bind: Int64(summary.claimsUpdated)), claims_unchanged = \(bind: Int64(summary.claimsUnchanged)),
            debtors_created = \(bind: Int64(summary.debtorsCreated)), cases_opened = \(bind: Int64(summary.casesOpened))
            WHERE id = \(bind: importID)
            """).run()
    }
}

/// Hands out 1 MB slices of bytes already in memory.
final class ChunkCursor: @unchecked Sendable {
    private let bytes: [UInt8]
    private var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func next() -> [UInt8]? {
        guard offset < bytes.count else { return nil }
        let end = min(bytes.count, offset + (1 << 20))
        defer { offset = end }
        return Array(bytes[offset..<end])
    }
}

/// The rejects file: one line per reason, `line;column;reason;raw`, UTF-8 with a BOM so that a
/// spreadsheet opens it with its accents.
final class RejectsWriter: @unchecked Sendable {
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(path: String) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let h = FileHandle(forWritingAtPath: path) else { throw ImportError.unreadableFile("cannot write the rejects file \(path)") }
        handle = h
        buffer = [0xEF, 0xBB, 0xBF] + Array("line;column;reason;raw\n".utf8)
    }

    func write(_ e: RowError, raw: String) {
        buffer += Array("\(e.line);\(Self.quote(e.column));\(Self.quote(e.reason));\(Self.quote(raw))\n".utf8)
        if buffer.count > 1 << 16 { flush() }
    }

    static func quote(_ s: String) -> String {
        guard s.contains(where: { $0 == ";" || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private func flush() {
        try? handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    func close() {
        flush()
        try? handle.close()
    }
}

/// The saved per-creditor column mappings.
enum MappingStore {
    static func load(creditorID: Int64, db: any SQLDatabase) async throws -> ColumnMapping? {
        let rows = try await db.raw("SELECT mapping FROM column_mappings WHERE creditor_id = \(bind: creditorID)").all()
        guard let text = try rows.first?.decode(column: "mapping", as: String.self) else { return nil }
        let pairs = try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        var m: [ClaimField: String] = [:]
        for (k, v) in pairs { if let f = ClaimField(rawValue: k) { m[f] = v } }
        return ColumnMapping(explicit: m)
    }

    static func save(_ mapping: ColumnMapping, creditorID: Int64, db: any SQLDatabase, now: String) async throws {
        var pairs: [String: String] = [:]
        for (k, v) in mapping.explicit { pairs[k.rawValue] = v }
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        let text = String(decoding: try enc.encode(pairs), as: UTF8.self)
        try await db.raw("""
            INSERT INTO column_mappings (creditor_id, mapping, updated_at) VALUES (\(bind: creditorID), \(bind: text), \(bind: now))
            ON CONFLICT (creditor_id) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at
            """).run()
    }
}
