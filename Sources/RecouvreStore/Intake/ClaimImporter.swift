import Foundation
import RecouvreCore

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
    /// Test seam: fail once this many rows have been written, to prove that nothing of the import remains.
    public var failAfterRows: Int?
    /// When the import happens (recorded on the import and its events).
    public var at: Instant
    /// Debtors the import remembers between batches (see `IntakeCache`), and cases whose total
    /// increments wait before they are written (about 40 bytes each); tests make them tiny.
    /// Written once per case where possible: PostgreSQL cannot prune a row's old versions inside
    /// the transaction that made them, and writing 100,000 cases at a time (each case four times
    /// on the benchmark) cost 44 µs per update against 20 µs for one update per case.
    var debtorCacheLimit = 300_000
    var pendingCaseTotalsLimit = 1_000_000

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

    init(_ e: ClaimFileError) {
        switch e {
        case .emptyFile: self = .emptyFile
        case let .badHeader(h): self = .badHeader(h)
        case let .unterminatedQuote(line): self = .unterminatedQuote(line: line)
        }
    }

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
    /// The PostgreSQL advisory lock an import holds for its transaction.
    static let importLock: Int64 = 0x5265_636F_7576
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
            // One import at a time, as on SQLite (whose write lock BEGIN IMMEDIATE takes): two
            // imports creating the same debtor, or names with the same new word, would each
            // wait for the other's rows, fail on the key the first wrote or lock each other out.
            if session.dialect == .postgres { _ = try await session.query("SELECT pg_advisory_xact_lock(\(Self.importLock))") }
            let creditorRows = try await session.query("SELECT id FROM creditors WHERE code = ?", [.text(options.creditorCode)])
            guard let creditorID = creditorRows.first?[0].int else {
                throw ImportError.unknownCreditor(options.creditorCode)
            }
            var mapping = options.mapping
            if mapping == nil, let saved = try await MappingStore.load(creditorID: creditorID, session: session) { mapping = saved }
            // SQLite: the import writes its new debtors' words itself, a batch at a time in the
            // index's order, instead of the trigger a debtor at a time (migration 23). The mark
            // is gone before the commit, and with the rest if the import fails. Under an earlier
            // schema (tests write data so) there are no words yet: migration 23 writes them all.
            var writesWords = false
            if session.dialect == .sqlite {
                writesWords = !(try await session.query("SELECT 1 FROM sqlite_master WHERE name = 'debtor_name_words_deferred'")).isEmpty
            }
            if writesWords { _ = try await session.query("INSERT INTO debtor_name_words_deferred (writer) VALUES ('intake')") }
            let run = ImportRun(session: session, creditorID: creditorID, options: options, rejects: rejects, writesWords: writesWords)
            let summary = try await run.execute(chunks: chunks, mapping: mapping ?? ColumnMapping(), fileName: fileName, fileBytes: fileBytes)
            if writesWords { _ = try await session.query("DELETE FROM debtor_name_words_deferred") }
            return summary
        }
        if result.debtorsCreated > 0 {
            // After the import, not in it: the import has landed whatever happens here.
            do { try await CaseStore.compactNameIndex(database) } catch {
                database.logger.warning("the names' search index was not compacted after an import: \(error)")
            }
        }
        var summary = result
        summary.rejectsFile = options.rejectsPath
        return summary
    }
}

/// One import's work inside its transaction.
final class ImportRun {
    let session: BulkSession
    let creditorID: Int64
    let options: ImportOptions
    let rejects: RejectsWriter?
    /// SQLite: the names' words of the debtors it creates are the import's to write (migration 23).
    let writesWords: Bool
    let now: String
    var summary = ImportSummary()
    var importID: Int64 = 0
    var cache: IntakeCache
    /// What this import added to each case since the totals were last written: new claims only
    /// add, so the totals take increments, written once `pendingCaseTotalsLimit` cases wait and at the end.
    var additions: [Int64: CaseAddition] = [:]
    /// Cases whose known claims changed: their totals are read back from their claims.
    var recount: Set<Int64> = []

    struct CaseAddition {
        var claimed: Int64 = 0
        var count: Int64 = 0
        var oldestDue = ""
    }

    init(session: BulkSession, creditorID: Int64, options: ImportOptions, rejects: RejectsWriter?, writesWords: Bool) {
        self.session = session
        self.writesWords = writesWords
        self.creditorID = creditorID
        self.options = options
        self.rejects = rejects
        self.now = options.at.description
        cache = IntakeCache(limit: options.debtorCacheLimit)
    }

    /// A valid row waiting for its batch, with the row as it was in the file.
    struct Pending: Sendable {
        let claim: ClaimLine
        let source: ClaimFileReader.Source
    }

    /// What the reading stage hands the writing stage.
    enum Parsed: Sendable {
        /// The header is mapped: the import can be recorded.
        case header(separator: UInt8)
        /// Up to a batch of valid rows and the rows refused since the last one, with the reader's counts so far.
        case rows(claims: [Pending], rejected: [([RowError], ClaimFileReader.Source)], rowsRead: Int, windows1252: Int)
    }

    /// Reads and validates the file on one task while this one writes the previous batch: on two
    /// cores the parser's time hides behind the database's instead of adding to it. The channel
    /// holds two batches, so memory stays flat.
    func execute(chunks: AsyncThrowingStream<[UInt8], any Error>, mapping: ColumnMapping, fileName: String, fileBytes: Int64) async throws -> ImportSummary {
        summary.fileName = fileName
        let channel = BoundedChannel<Parsed>(capacity: 2)
        let reading = Task { [today = options.today, batchSize = options.batchSize] in
            await ImportRun.read(chunks, mapping: mapping, today: today, batchSize: batchSize, into: channel)
        }
        var written = 0, batches = 0
        do {
            while let parsed = try await channel.receive() {
                switch parsed {
                case let .header(separator):
                    summary.separator = String(UnicodeScalar(separator))
                    try await startImport(fileName: fileName, fileBytes: fileBytes)
                case let .rows(claims, rejected, rowsRead, windows1252):
                    let before = summary.rowsRead
                    summary.rowsRead = rowsRead
                    summary.rowsDecodedAsWindows1252 = windows1252
                    for (errors, source) in rejected { reject(errors, source: source) }
                    if !claims.isEmpty { try await flush(claims) }
                    batches += 1
                    if batches % 32 == 0 { FreeMemory.release() }
                    written += claims.count
                    if let limit = options.failAfterRows, written >= limit { throw ImportError.injectedFailure(afterRows: limit) }
                    if rowsRead / options.progressEvery > before / options.progressEvery { options.onProgress?(rowsRead) }
                }
            }
        } catch {
            // The reading stage stops at its next batch; nothing of the import runs after it returns.
            channel.cancel()
            await reading.value
            if let e = error as? ClaimFileError { throw ImportError(e) }
            throw error
        }
        await reading.value
        try await finishImport()
        if options.saveMapping, let m = options.mapping { try await MappingStore.save(m, creditorID: creditorID, session: session, now: now) }
        return summary
    }

    /// The reading stage: every row of `chunks` into `channel`, a batch of valid rows at a time.
    static func read(_ chunks: AsyncThrowingStream<[UInt8], any Error>, mapping: ColumnMapping, today: Day, batchSize: Int,
                     into channel: BoundedChannel<Parsed>) async {
        var reader = ClaimFileReader(mapping: mapping, today: today)
        var claims: [Pending] = []
        var rejected: [([RowError], ClaimFileReader.Source)] = []
        var headerSent = false
        let onRow: (ClaimFileReader.Row) -> Void = { row in
            switch row {
            case let .claim(line, source): claims.append(Pending(claim: line, source: source))
            case let .rejected(errors, source): rejected.append((errors, source))
            }
        }
        /// Sends what is ready (everything when `all`); false when the writer has stopped.
        func send(all: Bool) async -> Bool {
            if !headerSent, let separator = reader.separator {
                headerSent = true
                guard await channel.send(.header(separator: separator)) else { return false }
            }
            while claims.count >= batchSize || rejected.count >= batchSize || (all && (!claims.isEmpty || !rejected.isEmpty)) {
                let batch = Array(claims.prefix(batchSize))
                claims.removeFirst(batch.count)
                let refused = rejected
                rejected = []
                guard await channel.send(.rows(claims: batch, rejected: refused, rowsRead: reader.rowsRead,
                                               windows1252: reader.rowsDecodedAsWindows1252)) else { return false }
            }
            return true
        }
        do {
            for try await chunk in chunks {
                try reader.feed(chunk, onRow: onRow)
                guard await send(all: false) else { return }
            }
            try reader.finish(onRow: onRow)
            guard await send(all: true) else { return }
            // The last counts, also when the last rows were all sent already.
            guard await channel.send(.rows(claims: [], rejected: [], rowsRead: reader.rowsRead, windows1252: reader.rowsDecodedAsWindows1252)) else { return }
            channel.finish()
        } catch {
            channel.finish(throwing: error)
        }
    }

    private func reject(_ errors: [RowError], source: ClaimFileReader.Source) {
        summary.rowsRejected += 1
        let raw = source.text
        for e in errors {
            if summary.rejects.count < ImportSummary.listedLimit { summary.rejects.append(e) }
            rejects?.write(e, raw: raw)
        }
    }

    private func startImport(fileName: String, fileBytes: Int64) async throws {
        let rows = try await session.query("""
            INSERT INTO imports (creditor_id, file_name, file_bytes, separator, actor, started_at)
            VALUES (?, ?, ?, ?, ?, ?)
            RETURNING id
            """, [DBValue(creditorID), DBValue(fileName), DBValue(fileBytes), DBValue(summary.separator), DBValue(options.actor.id), DBValue(now)])
        importID = rows[0][0].int!
        summary.importID = importID
    }

    // MARK: - One batch

    private func flush(_ batch: [Pending]) async throws {
        // Duplicates inside the batch: the first occurrence wins.
        var firstLine: [String: Int] = [:]
        var unique: [Pending] = []
        unique.reserveCapacity(batch.count)
        for p in batch {
            if let first = firstLine[p.claim.invoiceReference] {
                rejectLine(p, column: ClaimField.invoiceReference.rawValue, reason: "duplicate invoice reference in this file (first at line \(first))")
            } else {
                firstLine[p.claim.invoiceReference] = p.claim.line
                unique.append(p)
            }
        }
        let lines = unique.map(\.claim)
        let debtorIDs = try await upsertDebtors(lines)
        let cases = try await openCases(lines, debtorIDs: debtorIDs)
        try await writeClaims(unique, debtorIDs: debtorIDs, cases: cases)
        if additions.count + recount.count >= options.pendingCaseTotalsLimit { try await writeCaseTotals() }
    }

    private func rejectLine(_ p: Pending, column: String, reason: String) {
        reject([RowError(line: p.claim.line, column: column, reason: reason)], source: p.source)
    }

    /// Matches each row's debtor by its key, creating the unknown ones, and records the contacts
    /// the file gives. Returns key → debtor id.
    private func upsertDebtors(_ lines: [ClaimLine]) async throws -> [String: Int64] {
        cache.trim()
        var ids: [String: Int64] = [:]
        var unseen: [String: DebtorLine] = [:]
        var keys: [String] = [] // in the file's order: new debtors are numbered as the file lists them
        for l in lines {
            let key = l.debtor.matchKey
            if let d = cache.debtors[.init(key)] { ids[key] = d.id } else if unseen[key] == nil { unseen[key] = l.debtor; keys.append(key) }
        }
        if !unseen.isEmpty {
            for row in try await session.lookup("SELECT id, match_key, address_line1, postcode, city FROM debtors WHERE match_key {KEY}",
                                                type: .text, keys: keys.map { .text($0) }) {
                let id = row[0].int!, key = row[1].text!
                ids[key] = id
                cache.debtors[.init(key)] = .init(id: id, address: IntakeCache.fingerprint(Self.addressText(row[2].text ?? "", row[3].text ?? "", row[4].text ?? "")), createdNow: false)
            }
            let missing = keys.filter { ids[$0] == nil }
            if !missing.isEmpty {
                let rows: [[DBValue]] = missing.map { key in
                    let d = unseen[key]!
                    return [.text(key), .text(d.kind.rawValue), .text(d.name), DBValue(d.siren?.value), DBValue(d.siret?.value), DBValue(d.vatNumber),
                            .text(d.address.line1), .text(d.address.line2), .text(d.address.postcode), .text(d.address.city), .text(d.address.country), .text(now),
                            .text((d.language ?? .fr).rawValue)]
                }
                var words: [(word: String, id: Int64)] = []
                for row in try await session.insert("""
                    INSERT INTO debtors (match_key, kind, name, siren, siret, vat_number, address_line1, address_line2, postcode, city, country, created_at, language)
                    VALUES {ROWS} RETURNING id, match_key
                    """, types: Array(repeating: .text, count: 13), rows: rows) {
                    let key = row[1].text!, id = row[0].int!
                    ids[key] = id
                    cache.debtors[.init(key)] = .init(id: id, address: IntakeCache.fingerprint(Self.addressText(unseen[key]!.address)), createdNow: true)
                    if writesWords { words += NameWords.sqliteWords(ofName: unseen[key]!.name).map { ($0, id) } }
                }
                words.sort { ($0.word, $0.id) < ($1.word, $1.id) }
                try await session.insert("INSERT INTO debtor_name_words (word, debtor_id) VALUES {ROWS}", types: [.text, .int],
                                         rows: words.map { [.text($0.word), .int($0.id)] })
                summary.debtorsCreated += missing.count
            }
        }
        // Contacts the file gives: new phones and emails, and an address that differs from the one
        // on record. A debtor created by this import has only the contacts this import gave it, so
        // its new ones need no conflict check (on PostgreSQL, ON CONFLICT is a slower insert path).
        var forNewDebtors: [[DBValue]] = [], forKnownDebtors: [[DBValue]] = []
        let source = DBValue.text("import #\(importID)"), stamp = DBValue.text(now)
        for l in lines {
            let d = l.debtor
            guard let debtor = cache.debtors[.init(d.matchKey)] else { continue }
            func add(_ kind: IntakeCache.ContactKind, _ value: String) {
                guard cache.contacts.insert(.init(debtorID: debtor.id, kind: kind, value: value)).inserted else { return }
                let row: [DBValue] = [.int(debtor.id), .text(kind.rawValue), .text(value), source, stamp]
                if debtor.createdNow { forNewDebtors.append(row) } else { forKnownDebtors.append(row) }
            }
            if let e = d.email { add(.email, e) }
            if let p = d.phone { add(.phone, p) }
            if !d.address.isEmpty {
                let given = Self.addressText(d.address)
                if IntakeCache.fingerprint(given) != debtor.address { add(.address, given) }
            }
        }
        let insertContacts = "INSERT INTO debtor_contacts (debtor_id, kind, value, source, created_at) VALUES {ROWS}"
        let contactTypes: [BulkSession.ColumnType] = [.int, .text, .text, .text, .text]
        try await session.insert(insertContacts, types: contactTypes, rows: forNewDebtors)
        try await session.insert(insertContacts + " ON CONFLICT (debtor_id, kind, value) DO NOTHING", types: contactTypes, rows: forKnownDebtors)
        return ids
    }

    static func addressText(_ a: PostalAddress) -> String { addressText(a.line1, a.postcode, a.city) }

    /// The address on record as one comparable line: "line1, postcode city".
    static func addressText(_ line1: String, _ postcode: String, _ city: String) -> String {
        let place = postcode.isEmpty ? city : city.isEmpty ? postcode : postcode + " " + city
        return line1.isEmpty ? place : place.isEmpty ? line1 : line1 + ", " + place
    }

    /// The open case of each debtor with this creditor, opening the missing ones.
    private func openCases(_ lines: [ClaimLine], debtorIDs: [String: Int64]) async throws -> [Int64: IntakeCache.OpenCase] {
        var cases: [Int64: IntakeCache.OpenCase] = [:]
        var currencyOf: [Int64: String] = [:] // debtors whose case is not known yet
        var order: [Int64] = [] // the same, in the file's order: new cases are numbered as the file lists them
        var toLookUp: [Int64] = []
        for l in lines {
            guard let d = debtorIDs[l.debtor.matchKey], cases[d] == nil, currencyOf[d] == nil else { continue }
            if let c = cache.cases[d] { cases[d] = c; continue }
            currencyOf[d] = l.amount.currency.code
            order.append(d)
            // A debtor this import created has no case yet: nothing to look up.
            if cache.debtors[.init(l.debtor.matchKey)]?.createdNow != true { toLookUp.append(d) }
        }
        for row in try await session.lookup("SELECT id, debtor_id, currency FROM cases WHERE creditor_id = ? AND open_slot = 1 AND debtor_id {KEY}",
                                            fixed: [.int(creditorID)], type: .int, keys: toLookUp.map { .int($0) }) {
            let d = row[1].int!
            cases[d] = .init(id: row[0].int!, currency: row[2].text!)
            cache.cases[d] = cases[d]
            currencyOf[d] = nil
        }
        let missing = order.filter { currencyOf[$0] != nil }
        if !missing.isEmpty {
            let openedOn = DBValue.text(options.at.day.iso)
            let rows: [[DBValue]] = missing.map { d in
                [.int(creditorID), .int(d), .text(CaseStatus.intake.rawValue), .int(1), .text(currencyOf[d]!), openedOn, .int(importID), .text(now)]
            }
            for row in try await session.insert("""
                INSERT INTO cases (creditor_id, debtor_id, status, open_slot, currency, opened_on, opened_import_id, updated_at)
                VALUES {ROWS} RETURNING id, debtor_id, currency
                """, types: [.int, .int, .text, .int, .text, .text, .int, .text], rows: rows) {
                let d = row[1].int!
                cases[d] = .init(id: row[0].int!, currency: row[2].text!)
                cache.cases[d] = cases[d]
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
    /// A file of new claims costs one insert per claim: SQLite tries every row (ON CONFLICT DO
    /// NOTHING checks the key it checks anyway) and reads back only the refused ones; PostgreSQL
    /// reads the batch's known keys first and inserts the rest plainly, because its ON CONFLICT
    /// path cost 30 % more per row than the lookup (200,000 claims, same server).
    private func writeClaims(_ pending: [Pending], debtorIDs: [String: Int64], cases: [Int64: IntakeCache.OpenCase]) async throws {
        var candidates: [(Pending, caseID: Int64)] = []
        candidates.reserveCapacity(pending.count)
        for p in pending {
            let l = p.claim
            guard let debtorID = debtorIDs[l.debtor.matchKey], let c = cases[debtorID] else { continue }
            if c.currency != l.amount.currency.code {
                rejectLine(p, column: ClaimField.currency.rawValue, reason: "currency \(l.amount.currency.code) differs from the case's currency \(c.currency)")
                continue
            }
            candidates.append((p, c.id))
        }
        guard !candidates.isEmpty else { return }
        let imp = DBValue.int(importID), creditor = DBValue.int(creditorID), stamp = DBValue.text(now)
        func insert(_ rows: ArraySlice<(Pending, caseID: Int64)>, suffix: String) async throws -> [[DBValue]] {
            try await session.insert("""
                INSERT INTO claims (creditor_id, case_id, invoice_ref, issued_on, due_on, principal_minor, vat_minor, currency, interest_rate_micro,
                created_import_id, changed_import_id, last_import_id, import_line, created_at, updated_at)
                VALUES {ROWS}
                """ + suffix, types: [.int, .int, .text, .text, .text, .int, .int, .text, .int, .int, .int, .int, .int, .text, .text],
                rows: rows.map { p, caseID in
                    let l = p.claim
                    return [creditor, .int(caseID), .text(l.invoiceReference), .text(l.issuedOn.iso), .text(l.dueOn.iso), .int(l.amount.minorUnits),
                            .int(l.vat.minorUnits), .text(l.amount.currency.code), DBValue(l.interestRate?.microPercent), imp, imp, imp,
                            .int(Int64(l.line)), stamp, stamp]
                })
        }
        func storedClaims(_ rows: [(Pending, caseID: Int64)]) async throws -> [String: StoredClaim] {
            var stored: [String: StoredClaim] = [:]
            for row in try await session.lookup("""
                SELECT id, case_id, invoice_ref, issued_on, due_on, principal_minor, vat_minor, currency, interest_rate_micro, last_import_id, import_line
                FROM claims WHERE creditor_id = ? AND invoice_ref {KEY}
                """, fixed: [.int(creditorID)], type: .text, keys: rows.map { .text($0.0.claim.invoiceReference) }) {
                stored[row[2].text!] = StoredClaim(id: row[0].int!, caseID: row[1].int!, issuedOn: row[3].text!, dueOn: row[4].text!,
                                                   principal: row[5].int!, vat: row[6].int!, currency: row[7].text!, rate: row[8].int,
                                                   lastImport: row[9].int, line: row[10].int)
            }
            return stored
        }
        // Invoices already known: duplicates in this file, another debtor's, changed or unchanged.
        let known: [(Pending, caseID: Int64)]
        let stored: [String: StoredClaim]
        switch session.dialect {
        case .sqlite:
            let created = Set(try await insert(candidates[...], suffix: " ON CONFLICT (creditor_id, invoice_ref) DO NOTHING RETURNING invoice_ref").compactMap { $0[0].text })
            summary.claimsCreated += created.count
            for c in candidates where created.contains(c.0.claim.invoiceReference) { add(c.0.claim, to: c.caseID) }
            known = candidates.filter { !created.contains($0.0.claim.invoiceReference) }
            stored = try await storedClaims(known)
        case .postgres:
            stored = try await storedClaims(candidates)
            let fresh = candidates.filter { stored[$0.0.claim.invoiceReference] == nil }
            _ = try await insert(fresh[...], suffix: "")
            summary.claimsCreated += fresh.count
            for c in fresh { add(c.0.claim, to: c.caseID) }
            known = candidates.filter { stored[$0.0.claim.invoiceReference] != nil }
        }
        guard !known.isEmpty else { return }
        var unchanged: [(Int64, Int)] = []
        for (p, caseID) in known {
            let l = p.claim
            guard let s = stored[l.invoiceReference] else { continue }
            if s.lastImport == importID {
                rejectLine(p, column: ClaimField.invoiceReference.rawValue, reason: "duplicate invoice reference in this file (first at line \(s.line.map(String.init) ?? "?"))")
                continue
            }
            if s.caseID != caseID {
                rejectLine(p, column: ClaimField.invoiceReference.rawValue,
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
            try await session.query("""
                UPDATE claims SET issued_on = ?, due_on = ?, principal_minor = ?, vat_minor = ?, interest_rate_micro = ?,
                changed_import_id = ?, last_import_id = ?, import_line = ?, updated_at = ?
                WHERE id = ?
                """, [.text(l.issuedOn.iso), .text(l.dueOn.iso), .int(l.amount.minorUnits), .int(l.vat.minorUnits), DBValue(l.interestRate?.microPercent),
                      imp, imp, .int(Int64(l.line)), stamp, .int(s.id)])
            summary.claimsUpdated += 1
            recount.insert(caseID)
            if summary.updated.count < ImportSummary.listedLimit {
                summary.updated.append(.init(line: l.line, invoiceReference: l.invoiceReference, changes: changes))
            }
        }
        guard !unchanged.isEmpty else { return }
        summary.claimsUnchanged += unchanged.count
        switch session.dialect {
        case .sqlite:
            for (id, line) in unchanged {
                try await session.query("UPDATE claims SET last_import_id = ?, import_line = ? WHERE id = ?", [imp, .int(Int64(line)), .int(id)])
            }
        case .postgres:
            // One statement per batch: a round trip per row would dominate on a server.
            try await session.query("""
                UPDATE claims SET last_import_id = ?, import_line = v.line
                FROM unnest(?::bigint[], ?::bigint[]) AS v(id, line) WHERE claims.id = v.id
                """, [imp, .ints(unchanged.map(\.0)), .ints(unchanged.map { Int64($0.1) })])
        }
    }

    private func add(_ claim: ClaimLine, to caseID: Int64) {
        let due = claim.dueOn.iso
        additions[caseID, default: CaseAddition(oldestDue: due)].claimed += claim.amount.minorUnits
        additions[caseID]!.count += 1
        if due < additions[caseID]!.oldestDue { additions[caseID]!.oldestDue = due }
    }

    /// Writes the pending additions to the cases' totals, then recounts the cases whose claims
    /// changed (in this order: a recount reads claims whose additions are already applied).
    private func writeCaseTotals() async throws {
        let stamp = DBValue.text(now)
        if !additions.isEmpty {
            let pending = additions
            additions = [:]
            switch session.dialect {
            case .sqlite:
                for (id, a) in pending {
                    try await session.query("""
                        UPDATE cases SET claimed_minor = claimed_minor + ?, claim_count = claim_count + ?,
                        oldest_due_on = MIN(COALESCE(oldest_due_on, ?), ?), updated_at = ? WHERE id = ?
                        """, [.int(a.claimed), .int(a.count), .text(a.oldestDue), .text(a.oldestDue), stamp, .int(id)])
                }
            case .postgres:
                try await session.query("""
                    UPDATE cases SET claimed_minor = claimed_minor + v.claimed, claim_count = claim_count + v.n,
                    oldest_due_on = LEAST(COALESCE(cases.oldest_due_on, v.oldest), v.oldest), updated_at = ?
                    FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::text[]) AS v(id, claimed, n, oldest) WHERE cases.id = v.id
                    """, [stamp, .ints(Array(pending.keys)), .ints(pending.values.map(\.claimed)), .ints(pending.values.map(\.count)),
                          .texts(pending.values.map(\.oldestDue))])
            }
        }
        if !recount.isEmpty {
            let ids = Array(recount)
            recount = []
            let sql = """
                UPDATE cases SET (claimed_minor, claim_count, oldest_due_on) =
                (SELECT COALESCE(SUM(principal_minor), 0), COUNT(*), MIN(due_on) FROM claims WHERE case_id = cases.id AND withdrawn_on IS NULL), updated_at = ?
                """
            switch session.dialect {
            case .sqlite: for id in ids { try await session.query(sql + " WHERE id = ?", [stamp, .int(id)]) }
            case .postgres: try await session.query(sql + " WHERE id = ANY(?)", [stamp, .ints(ids)])
            }
        }
    }

    // MARK: - After the last row

    /// Case totals, then history, set-based over what this import touched.
    private func finishImport() async throws {
        if session.dialect == .postgres {
            // The statistics still describe the tables before this import (empty, on a first one):
            // ANALYZE sees this transaction's rows, so the statements below and the next pages get
            // plans for the tables as they now are, without waiting for autovacuum.
            try await session.query("ANALYZE debtors, debtor_contacts, cases, claims")
        }
        try await writeCaseTotals()
        let actor = options.actor.id
        try await session.query("""
            INSERT INTO case_events (case_id, occurred_at, actor, kind, from_status, to_status, text, data)
            SELECT id, ?, ?, 'opened', NULL, 'intake', ?, NULL
            FROM cases WHERE opened_import_id = ? ORDER BY id
            """, [DBValue(now), DBValue(actor), DBValue("Dossier ouvert par l'import n° \(importID) (\(summary.fileName))"), DBValue(importID)])
        let importLabel = "Import n° \(importID) : "
        try await session.query("""
            INSERT INTO case_events (case_id, occurred_at, actor, kind, from_status, to_status, text, data)
            SELECT case_id, ?, ?, 'claims_imported', NULL, NULL,
                   ? || SUM(CASE WHEN created_import_id = ? THEN 1 ELSE 0 END) || ' créance(s) ajoutée(s), '
                   || SUM(CASE WHEN created_import_id = ? THEN 0 ELSE 1 END) || ' modifiée(s)',
                   '{"import":' || ? || ',"added":' || SUM(CASE WHEN created_import_id = ? THEN 1 ELSE 0 END)
                   || ',"updated":' || SUM(CASE WHEN created_import_id = ? THEN 0 ELSE 1 END) || '}'
            FROM claims WHERE changed_import_id = ? GROUP BY case_id ORDER BY case_id
            """, [DBValue(now), DBValue(actor), DBValue(importLabel), DBValue(importID), DBValue(importID), DBValue(importID), DBValue(importID), DBValue(importID), DBValue(importID)])
        try await session.query("""
            UPDATE imports SET finished_at = ?, rows_read = ?,
            rows_rejected = ?, claims_created = ?,
            claims_updated = ?, claims_unchanged = ?,
            debtors_created = ?, cases_opened = ?
            WHERE id = ?
            """, [DBValue(now), DBValue(Int64(summary.rowsRead)), DBValue(Int64(summary.rowsRejected)), DBValue(Int64(summary.claimsCreated)), DBValue(Int64(summary.claimsUpdated)), DBValue(Int64(summary.claimsUnchanged)), DBValue(Int64(summary.debtorsCreated)), DBValue(Int64(summary.casesOpened)), DBValue(importID)])
        // One entry for the whole file: its rows are in the import's own records (created_import_id, changed_import_id).
        try await AuditTrail.append(AuditEntry(at: options.at, actor: options.actor, action: "claims.import", entity: "import", entityID: String(importID),
                                               after: AuditTrail.json(["file": summary.fileName, "creditor": options.creditorCode,
                                                                       "rowsRead": String(summary.rowsRead), "rejected": String(summary.rowsRejected),
                                                                       "created": String(summary.claimsCreated), "updated": String(summary.claimsUpdated)])),
                                    session: session)
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
    static func load(creditorID: Int64, session: BulkSession) async throws -> ColumnMapping? {
        let rows = try await session.query("SELECT mapping FROM column_mappings WHERE creditor_id = ?", [.int(creditorID)])
        guard let text = rows.first?[0].text else { return nil }
        let pairs = try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        var m: [ClaimField: String] = [:]
        for (k, v) in pairs { if let f = ClaimField(rawValue: k) { m[f] = v } }
        return ColumnMapping(explicit: m)
    }

    static func save(_ mapping: ColumnMapping, creditorID: Int64, session: BulkSession, now: String) async throws {
        var pairs: [String: String] = [:]
        for (k, v) in mapping.explicit { pairs[k.rawValue] = v }
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        let text = String(decoding: try enc.encode(pairs), as: UTF8.self)
        try await session.query("""
            INSERT INTO column_mappings (creditor_id, mapping, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (creditor_id) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at
            """, [DBValue(creditorID), DBValue(text), DBValue(now)])
    }
}
