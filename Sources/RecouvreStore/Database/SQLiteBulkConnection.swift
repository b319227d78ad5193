// sqlite-nio's own vendored SQLite, called directly: the process keeps one SQLite library (two
// copies in one process would not see each other's POSIX locks on the same file).
import VaporCSQLite

/// A connection of its own for the bulk path (claim-list intake), calling SQLite's C API on the
/// caller's thread with every statement prepared once and reused. sqlite-nio prepares each query
/// anew, hops to a thread pool and back to an event loop per row read; on a million-claim import
/// that was most of the time (see the intake benchmark). Used by one task at a time.
final class SQLiteBulkConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(path: String) throws {
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        guard sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite_nio_sqlite3_close_v2(handle)
            throw StoreError.badConfiguration("cannot open SQLite file \(path): \(message)")
        }
        sqlite_nio_sqlite3_busy_timeout(handle, 10_000)
        // Statement journals in memory: every INSERT inside the long transaction keeps one, and on
        // files they were a tenth of an import's time in write calls (perf).
        for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON",
                       "PRAGMA cache_size = -65536", "PRAGMA temp_store = MEMORY", "PRAGMA wal_autocheckpoint = 16384"] {
            _ = try query(pragma, [])
        }
    }

    deinit { close() }

    func close() {
        for s in statements.values { sqlite_nio_sqlite3_finalize(s) }
        statements = [:]
        if let h = handle { sqlite_nio_sqlite3_close_v2(h) }
        handle = nil
    }

    /// Runs `sql` (placeholders `?`) with `binds`; returns its rows, columns by position.
    func query(_ sql: String, _ binds: [DBValue]) throws -> [[DBValue]] {
        let statement = try prepared(sql)
        defer {
            sqlite_nio_sqlite3_reset(statement)
            sqlite_nio_sqlite3_clear_bindings(statement)
        }
        for (i, value) in binds.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32 = switch value {
            case let .int(v): sqlite_nio_sqlite3_bind_int64(statement, index, v)
            case let .text(s): sqlite_nio_sqlite3_bind_text64(statement, index, s, UInt64(s.utf8.count), Self.transient, UInt8(SQLITE_UTF8))
            case .null: sqlite_nio_sqlite3_bind_null(statement, index)
            case .ints, .texts, .column: throw StoreError.invalid("array parameters are for PostgreSQL only: \(sql.prefix(120))")
            }
            guard rc == SQLITE_OK else { throw error(rc, sql) }
        }
        var rows: [[DBValue]] = []
        let columns = sqlite_nio_sqlite3_column_count(statement)
        while true {
            let rc = sqlite_nio_sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error(rc, sql) }
            var row: [DBValue] = []
            row.reserveCapacity(Int(columns))
            for c in 0..<columns {
                switch sqlite_nio_sqlite3_column_type(statement, c) {
                case SQLITE_INTEGER: row.append(.int(sqlite_nio_sqlite3_column_int64(statement, c)))
                case SQLITE_FLOAT: row.append(.int(Int64(sqlite_nio_sqlite3_column_double(statement, c))))
                case SQLITE_TEXT:
                    let bytes = UnsafeBufferPointer(start: sqlite_nio_sqlite3_column_text(statement, c), count: Int(sqlite_nio_sqlite3_column_bytes(statement, c)))
                    row.append(.text(String(decoding: bytes, as: UTF8.self)))
                default: row.append(.null)
                }
            }
            rows.append(row)
        }
        return rows
    }

    private func prepared(_ sql: String) throws -> OpaquePointer {
        if let s = statements[sql] { return s }
        var statement: OpaquePointer?
        let rc = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw error(rc, sql) }
        // Statements built for one batch size are reused by every full batch; keep the cache small.
        if statements.count > 64 {
            for s in statements.values { sqlite_nio_sqlite3_finalize(s) }
            statements = [:]
        }
        statements[sql] = statement
        return statement
    }

    private func error(_ rc: Int32, _ sql: String) -> Error {
        let message = String(cString: sqlite_nio_sqlite3_errmsg(handle))
        return StoreError.invalid("SQLite error \(rc): \(message) in \(sql.prefix(120))")
    }
}
