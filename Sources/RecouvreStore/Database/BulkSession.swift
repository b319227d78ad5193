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

    /// Inserts `rows` with `sql`, whose `{ROWS}` stands for the VALUES list; returns what its
    /// RETURNING clause gives. SQLite steps one prepared single-row statement per row (the same
    /// text every time, so it is prepared once); PostgreSQL gets multi-row statements, one round
    /// trip per `perStatement` rows.
    @discardableResult
    public func insert(_ sql: String, rows: [[DBValue]], perStatement: Int = 1000) async throws -> [[DBValue]] {
        guard let width = rows.first?.count else { return [] }
        var out: [[DBValue]] = []
        switch dialect {
        case .sqlite:
            let statement = sql.replacingOccurrences(of: "{ROWS}", with: valuesPlaceholders(rows: 1, columns: width))
            for row in rows { out += try await run(statement, row) }
        case .postgres:
            var start = 0
            while start < rows.count {
                let chunk = rows[start..<min(rows.count, start + perStatement)]
                let statement = sql.replacingOccurrences(of: "{ROWS}", with: valuesPlaceholders(rows: chunk.count, columns: width))
                out += try await run(statement, Array(chunk.joined()))
                start += chunk.count
            }
        }
        return out
    }

    /// The rows of `sql` for each of `keys`, where `{KEY}` stands for the key comparison
    /// (`= ?` once per key on SQLite, `IN (…)` over all keys on PostgreSQL); `fixed` are the binds
    /// before it.
    public func lookup(_ sql: String, fixed: [DBValue] = [], keys: [DBValue]) async throws -> [[DBValue]] {
        guard !keys.isEmpty else { return [] }
        switch dialect {
        case .sqlite:
            let statement = sql.replacingOccurrences(of: "{KEY}", with: "= ?")
            var out: [[DBValue]] = []
            for key in keys { out += try await run(statement, fixed + [key]) }
            return out
        case .postgres:
            return try await run(sql.replacingOccurrences(of: "{KEY}", with: "IN (\(listPlaceholders(keys.count)))"), fixed + keys)
        }
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

/// A multi-row statement's text: `(?, ?, …), (?, ?, …)` for `rows` rows of `columns` values.
func valuesPlaceholders(rows: Int, columns: Int) -> String {
    let one = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
    return Array(repeating: one, count: rows).joined(separator: ", ")
}

func listPlaceholders(_ n: Int) -> String { Array(repeating: "?", count: n).joined(separator: ", ") }
