import Foundation
import Logging
import PostgresKit
import SQLKit
import SQLiteKit

/// A value bound to, or read from, a statement of the bulk path.
public enum DBValue: Sendable, Equatable {
    case int(Int64)
    case text(String)
    case null
    /// PostgreSQL array parameters (typed, so the planner sees the values and uses the index).
    case ints([Int64])
    case texts([String])
    /// One column of an insert's rows (see `BulkSession.insert`).
    case column(PostgresColumn)

    public init(_ v: Int64?) { self = v.map { .int($0) } ?? .null }
    public init(_ v: String?) { self = v.map { .text($0) } ?? .null }

    public var int: Int64? { if case let .int(v) = self { v } else if case let .text(s) = self { Int64(s) } else { nil } }
    public var text: String? { if case let .text(v) = self { v } else if case let .int(i) = self { String(i) } else { nil } }
}

/// A transaction's connection on the driver-level path used by bulk writes: binds go to the
/// driver as they are, with no Codable round trip, and on SQLite every statement is prepared once
/// (the intake benchmark showed both to dominate a million-row import).
public struct BulkSession: Sendable {
    public let dialect: Dialect
    let run: @Sendable (String, [DBValue]) async throws -> [[DBValue]]

    /// Runs `statement` (placeholders written `?`) and returns its rows, columns by position.
    @discardableResult
    public func query(_ statement: String, _ binds: [DBValue] = []) async throws -> [[DBValue]] {
        try await run(statement, binds)
    }

    /// A column's type, for PostgreSQL's array parameters.
    public enum ColumnType: String, Sendable { case int = "bigint", text }

    /// Inserts `rows` (columns of `types`) with `sql`, whose `VALUES {ROWS}` stands for the rows;
    /// returns what its RETURNING clause gives. SQLite steps one prepared single-row statement per
    /// row; PostgreSQL gets one statement whose parameters are one binary array per column
    /// (`SELECT * FROM unnest(…)`): the same short text and plan whatever the row count, where a
    /// multi-row VALUES list of 15,000 parameters cost the server more than the rows, and binary
    /// arrays where text array literals cost the server a parse per value.
    @discardableResult
    public func insert(_ sql: String, types: [ColumnType], rows: [[DBValue]]) async throws -> [[DBValue]] {
        guard !rows.isEmpty else { return [] }
        switch dialect {
        case .sqlite:
            let statement = sql.replacingOccurrences(of: "{ROWS}", with: rowPlaceholders(types.count))
            var out: [[DBValue]] = []
            for row in rows { out += try await run(statement, row) }
            return out
        case .postgres:
            let unnest = "SELECT * FROM unnest(" + types.map { "?::\($0.rawValue)[]" }.joined(separator: ", ") + ")"
            let binds = types.indices.map { c in DBValue.column(PostgresColumn(type: types[c], rows: rows, index: c)) }
            return try await run(sql.replacingOccurrences(of: "VALUES {ROWS}", with: unnest), binds)
        }
    }

    /// The rows of `sql` for each of `keys` (all of `type`), where `{KEY}` stands for the key
    /// comparison; `fixed` are the binds of `sql`'s other placeholders. SQLite runs `sql` once per
    /// key; PostgreSQL once per batch, each key probing the index in a lateral subquery that
    /// `OFFSET 0` keeps from being flattened. `key = ANY(array)` let the planner decide from
    /// statistics, and on tables this transaction is filling (empty when last analysed) it chose to
    /// read every row of the creditor per batch: 100 ms per thousand keys at 500,000 claims.
    public func lookup(_ sql: String, fixed: [DBValue] = [], type: ColumnType, keys: [DBValue]) async throws -> [[DBValue]] {
        guard !keys.isEmpty else { return [] }
        switch dialect {
        case .sqlite:
            let statement = sql.replacingOccurrences(of: "{KEY}", with: "= ?")
            var out: [[DBValue]] = []
            for key in keys { out += try await run(statement, fixed + [key]) }
            return out
        case .postgres:
            let array: DBValue = type == .int ? .ints(keys.compactMap(\.int)) : .texts(keys.compactMap(\.text))
            let inner = sql.replacingOccurrences(of: "{KEY}", with: "= k.key")
            return try await run("SELECT x.* FROM unnest(?::\(type.rawValue)[]) AS k(key) CROSS JOIN LATERAL (\(inner) OFFSET 0) AS x", [array] + fixed)
        }
    }

    /// On SQLite the statements run on the caller's thread, on a connection of the session's own.
    static func sqlite(_ conn: SQLiteHandle) -> BulkSession {
        BulkSession(dialect: .sqlite) { statement, binds in
            let values: [SQLiteValue] = try binds.map { b in
                switch b {
                case let .int(v): .integer(v)
                case let .text(s): .text(s)
                case .null: .null
                case .ints, .texts, .column: throw StoreError.invalid("array parameters are for PostgreSQL only: \(statement.prefix(120))")
                }
            }
            return try conn.query(statement, values).rows.map { row in
                row.map { v -> DBValue in
                    switch v {
                    case let .integer(i): .int(i)
                    case let .float(d): .int(Int64(d))
                    case let .text(s): .text(s)
                    case .blob, .null: .null
                    }
                }
            }
        }
    }

    static func postgres(_ conn: PostgresConnection, logger: Logger) -> BulkSession {
        BulkSession(dialect: .postgres) { statement, binds in
            var bindings = PostgresBindings(capacity: binds.count)
            for b in binds {
                switch b {
                case let .int(v): bindings.append(v)
                case let .text(s): bindings.append(s)
                case .null: bindings.appendNull()
                case let .ints(v): bindings.append(v)
                case let .texts(v): bindings.append(v)
                case let .column(v): bindings.append(v)
                }
            }
            let rows = try await conn.query(PostgresQuery(unsafeSQL: Self.numberedPlaceholders(statement), binds: bindings), logger: logger)
            var out: [[DBValue]] = []
            for try await row in rows {
                var values: [DBValue] = []
                values.reserveCapacity(row.count)
                for cell in row {
                    if cell.bytes == nil { values.append(.null); continue }
                    switch cell.dataType {
                    case .int8, .int4, .int2: values.append(.int(try cell.decode(Int64.self)))
                    default: values.append(.text(try cell.decode(String.self)))
                    }
                }
                out.append(values)
            }
            return out
        }
    }

    /// `?` → `$1`, `$2`, … outside quoted literals.
    static func numberedPlaceholders(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 64)
        var n = 0
        var inQuote = false
        for ch in sql {
            if ch == "'" { inQuote.toggle() }
            if ch == "?" && !inQuote { n += 1; out += "$\(n)" } else { out.append(ch) }
        }
        return out
    }
}

/// One column of a batch as a PostgreSQL binary array, NULLs allowed: the server reads it without
/// parsing text and the client writes it without escaping.
public struct PostgresColumn: PostgresDynamicTypeEncodable, Sendable, Equatable {
    let type: BulkSession.ColumnType
    let values: [DBValue]

    init(type: BulkSession.ColumnType, rows: [[DBValue]], index: Int) {
        self.type = type
        values = rows.map { $0[index] }
    }

    public var psqlType: PostgresDataType { type == .int ? .int8Array : .textArray }
    public var psqlFormat: PostgresFormat { .binary }

    public func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        // array_recv's layout: dimensions, has-nulls flag, element type, then length and lower bound
        // of the one dimension, then each element as its length (-1 for NULL) and its bytes.
        buffer.writeInteger(Int32(1))
        buffer.writeInteger(Int32(values.contains(.null) ? 1 : 0))
        buffer.writeInteger(Int32(bitPattern: (type == .int ? PostgresDataType.int8 : PostgresDataType.text).rawValue))
        buffer.writeInteger(Int32(values.count))
        buffer.writeInteger(Int32(1))
        for v in values {
            switch (type, v) {
            case (_, .null): buffer.writeInteger(Int32(-1))
            case let (.int, .int(n)):
                buffer.writeInteger(Int32(8))
                buffer.writeInteger(n)
            case let (.text, .text(s)):
                buffer.writeInteger(Int32(s.utf8.count))
                buffer.writeString(s)
            case let (.text, .int(n)):
                let s = String(n)
                buffer.writeInteger(Int32(s.utf8.count))
                buffer.writeString(s)
            default: preconditionFailure("a \(type) column cannot hold \(v)")
            }
        }
    }
}

/// One row's placeholders: `(?, ?, …)`.
func rowPlaceholders(_ columns: Int) -> String { "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")" }
