// sqlite-nio's own vendored SQLite, called directly: the process keeps one SQLite library (two
// copies in one process would not see each other's POSIX locks on the same file).
import VaporCSQLite

/// A value bound to, or read from, SQLite.
enum SQLiteValue: Sendable, Equatable {
    case integer(Int64)
    case float(Double)
    case text(String)
    case blob([UInt8])
    case null
}

/// One SQLite connection through the C API, every statement prepared once and kept. sqlite-nio
/// prepares each query anew (parsing was a sixth of the case page's time at a million cases) and
/// reads rows into dictionaries; the bulk path and the pool both use this instead. Blocking: call
/// it from a thread pool (the pool) or a task that owns it (the bulk path), one caller at a time.
final class SQLiteHandle: @unchecked Sendable {
    private var handle: OpaquePointer?
    private var statements: [String: Prepared] = [:]
    private var uses: UInt64 = 0
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    /// Statements kept per connection; past it the least recently used goes (SQL with an id list
    /// written in is new at every run and must not push out the statements every page runs).
    private static let cacheLimit = 256
    /// A read that last took less than this runs in place (`isQuick`).
    private static let quickLimit: Duration = .milliseconds(2)

    /// A class, so that a run's bookkeeping changes it without hashing the SQL again.
    private final class Prepared {
        let statement: OpaquePointer
        let columns: ResultColumns
        var used: UInt64
        /// A SELECT, which in WAL mode never waits for a lock.
        let reads: Bool
        var lastRun: Duration = .seconds(1)

        init(statement: OpaquePointer, columns: ResultColumns, used: UInt64, reads: Bool) {
            (self.statement, self.columns, self.used, self.reads) = (statement, columns, used, reads)
        }
    }

    /// `busyTimeout`: how long a statement waits for another connection's lock before failing.
    init(path: String, busyTimeout: Duration = .seconds(10)) throws {
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        guard sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite_nio_sqlite3_close_v2(handle)
            throw StoreError.badConfiguration("cannot open SQLite file \(path): \(message)")
        }
        sqlite_nio_sqlite3_busy_timeout(handle, Int32(busyTimeout.components.seconds * 1000))
        // WAL: readers never wait for the writer. A checkpoint every 64 MB of WAL rather than every
        // 4 MB: booking a statement's payments in batches checkpointed (and synced) after nearly
        // every batch. Statement journals in memory: on files they were a tenth of an import's
        // time in write calls (perf).
        for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON",
                       "PRAGMA cache_size = -65536", "PRAGMA temp_store = MEMORY", "PRAGMA wal_autocheckpoint = 16384"] {
            _ = try query(pragma, [])
        }
    }

    deinit { close() }

    func close() {
        for s in statements.values { sqlite_nio_sqlite3_finalize(s.statement) }
        statements = [:]
        if let h = handle { sqlite_nio_sqlite3_close_v2(h) }
        handle = nil
    }

    /// A read that ran in under 2 ms last time: cheaper to run in place than to hand to a thread
    /// and back (a case page makes a dozen of them). Writes may wait for the write lock, and
    /// long reads would hold the caller's thread: both stay on the pool's threads.
    func isQuick(_ sql: String) -> Bool {
        guard let s = statements[sql] else { return false }
        return s.reads && s.lastRun < Self.quickLimit
    }

    /// Runs `sql` (placeholders `?` or `?N`) with `binds`; returns its columns and rows.
    func query(_ sql: String, _ binds: [SQLiteValue]) throws -> (columns: ResultColumns, rows: [[SQLiteValue]]) {
        do {
            return try run(sql, binds)
        } catch let SchemaChanged.statement(statement) {
            // Prepared before a migration: prepared again for the schema as it now is.
            statements[sql] = nil
            sqlite_nio_sqlite3_finalize(statement)
            return try run(sql, binds)
        }
    }

    private enum SchemaChanged: Error { case statement(OpaquePointer) }

    private func run(_ sql: String, _ binds: [SQLiteValue]) throws -> (columns: ResultColumns, rows: [[SQLiteValue]]) {
        let prepared = try prepared(sql)
        let (statement, columns) = (prepared.statement, prepared.columns)
        let started = ContinuousClock.now
        defer {
            prepared.lastRun = ContinuousClock.now - started
            sqlite_nio_sqlite3_reset(statement)
            sqlite_nio_sqlite3_clear_bindings(statement)
        }
        for (i, value) in binds.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32 = switch value {
            case let .integer(v): sqlite_nio_sqlite3_bind_int64(statement, index, v)
            case let .float(v): sqlite_nio_sqlite3_bind_double(statement, index, v)
            case let .text(s): sqlite_nio_sqlite3_bind_text64(statement, index, s, UInt64(s.utf8.count), Self.transient, UInt8(SQLITE_UTF8))
            case let .blob(b): b.withUnsafeBytes { sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), Self.transient) }
            case .null: sqlite_nio_sqlite3_bind_null(statement, index)
            }
            guard rc == SQLITE_OK else { throw error(rc, sql) }
        }
        var rows: [[SQLiteValue]] = []
        while true {
            let rc = sqlite_nio_sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else {
                // The legacy interface tells the error's own code on reset.
                let code = sqlite_nio_sqlite3_reset(statement)
                if code == SQLITE_SCHEMA, rows.isEmpty { throw SchemaChanged.statement(statement) }
                throw error(code, sql)
            }
            let count = sqlite_nio_sqlite3_column_count(statement)
            var row: [SQLiteValue] = []
            row.reserveCapacity(Int(count))
            for c in 0..<count {
                switch sqlite_nio_sqlite3_column_type(statement, c) {
                case SQLITE_INTEGER: row.append(.integer(sqlite_nio_sqlite3_column_int64(statement, c)))
                case SQLITE_FLOAT: row.append(.float(sqlite_nio_sqlite3_column_double(statement, c)))
                case SQLITE_TEXT:
                    let bytes = UnsafeBufferPointer(start: sqlite_nio_sqlite3_column_text(statement, c), count: Int(sqlite_nio_sqlite3_column_bytes(statement, c)))
                    row.append(.text(String(decoding: bytes, as: UTF8.self)))
                case SQLITE_BLOB:
                    let count = Int(sqlite_nio_sqlite3_column_bytes(statement, c))
                    let bytes = sqlite_nio_sqlite3_column_blob(statement, c)
                    row.append(.blob(count == 0 || bytes == nil ? [] : Array(UnsafeRawBufferPointer(start: bytes, count: count))))
                default: row.append(.null)
                }
            }
            rows.append(row)
        }
        return (columns, rows)
    }

    private func prepared(_ sql: String) throws -> Prepared {
        uses += 1
        if let s = statements[sql] {
            s.used = uses
            return s
        }
        var statement: OpaquePointer?
        // The legacy prepare: the planner of a v2/v3 statement notes the bound values it looked
        // at, and new values then compile the statement again — here on nearly every run (even
        // `SELECT * FROM debtor_contacts WHERE debtor_id = ?1`: 24 µs a run, 4 µs with this).
        // What v2/v3 would do on a schema change, `query` does itself.
        let rc = sqlite_nio_sqlite3_prepare(handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw error(rc, sql) }
        if statements.count >= Self.cacheLimit, let oldest = statements.min(by: { $0.value.used < $1.value.used }) {
            sqlite_nio_sqlite3_finalize(oldest.value.statement)
            statements[oldest.key] = nil
        }
        let columns = Self.columns(of: statement)
        let verb = sql.drop { $0.isWhitespace }.prefix(6).uppercased()
        let reads = sqlite_nio_sqlite3_stmt_readonly(statement) != 0 && (verb == "SELECT" || verb.hasPrefix("WITH"))
        let prepared = Prepared(statement: statement, columns: columns, used: uses, reads: reads)
        statements[sql] = prepared
        return prepared
    }

    private static func columns(of statement: OpaquePointer) -> ResultColumns {
        ResultColumns((0..<sqlite_nio_sqlite3_column_count(statement)).map { String(cString: sqlite_nio_sqlite3_column_name(statement, $0)) })
    }

    private func error(_ rc: Int32, _ sql: String) -> Error {
        let message = String(cString: sqlite_nio_sqlite3_errmsg(handle))
        return StoreError.invalid("SQLite error \(rc): \(message) in \(sql.prefix(120))")
    }
}
