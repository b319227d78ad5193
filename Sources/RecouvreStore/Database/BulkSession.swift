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
    /// row; PostgreSQL gets one statement whose parameters are one array per column
    /// (`SELECT * FROM unnest(…)`): the same short text and plan whatever the row count, where a
    /// multi-row VALUES list of 15,000 parameters cost the server more than the rows.
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
            let binds = types.indices.map { c in DBValue.text(Self.arrayLiteral(rows.map { $0[c] })) }
            return try await run(sql.replacingOccurrences(of: "VALUES {ROWS}", with: unnest), binds)
        }
    }

    /// The rows of `sql` for each of `keys` (all of `type`), where `{KEY}` stands for the key
    /// comparison (`= ?` once per key on SQLite, `= ANY(array)` on PostgreSQL); `fixed` are the
    /// binds before it.
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
            return try await run(sql.replacingOccurrences(of: "{KEY}", with: "= ANY(?)"), fixed + [array])
        }
    }

    /// A PostgreSQL array literal: `{1,NULL,"text with \"quotes\""}`.
    static func arrayLiteral(_ values: [DBValue]) -> String {
        var out = "{"
        out.reserveCapacity(values.count * 12)
        for (i, v) in values.enumerated() {
            if i > 0 { out += "," }
            switch v {
            case .null: out += "NULL"
            case .ints, .texts: preconditionFailure("an array parameter cannot hold arrays")
            case let .int(n): out += String(n)
            case let .text(t):
                out += "\""
                if t.utf8.contains(where: { $0 == 0x22 || $0 == 0x5C }) {
                    for ch in t.unicodeScalars {
                        if ch == "\"" || ch == "\\" { out += "\\" }
                        out.unicodeScalars.append(ch)
                    }
                } else {
                    out += t
                }
                out += "\""
            }
        }
        return out + "}"
    }

    static func sqlite(_ conn: SQLiteBulkConnection) -> BulkSession {
        BulkSession(dialect: .sqlite) { statement, binds in try conn.query(statement, binds) }
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

/// One row's placeholders: `(?, ?, …)`.
func rowPlaceholders(_ columns: Int) -> String { "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")" }
