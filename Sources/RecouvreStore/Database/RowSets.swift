import Foundation
import SQLKit

/// One read of several rows (a case's claims, its events…), for `RowSets.read`.
struct RowSet: Sendable {
    /// `SELECT … FROM … WHERE …`, without ORDER BY.
    let select: SQLQueryString
    /// The rows' order, by columns the select returns (`id DESC`).
    let order: String
    var limit: Int?
}

/// Several reads made in one statement on PostgreSQL: each set of rows comes back as one JSON
/// array column and is read through the same row decoders. Each statement a page makes costs the
/// server and PostgreSQL a round trip (a write, a wake-up, a read and PostgresNIO's state machine
/// on each side) worth more than the few rows it brings. On SQLite, in the process, each read is
/// run as it is.
enum RowSets {
    static func read(_ sets: [RowSet], db: any SQLDatabase) async throws -> [[any SQLRow]] {
        guard sets.count > 1, db.dialect.name == "postgresql" else {
            var result: [[any SQLRow]] = []
            for set in sets { result.append(try await db.raw(inner(set)).all()) }
            return result
        }
        var q = SQLQueryString("SELECT ")
        appendColumns(sets, to: &q)
        guard let row = try await db.raw(q).first() else { return sets.map { _ in [] } }
        return try columns(of: row, sets.count)
    }

    /// A row (`main`: one row or none) and, when there is one, the sets — the sets in the row's
    /// own statement on PostgreSQL.
    static func read(_ main: SQLQueryString, along sets: [RowSet], db: any SQLDatabase) async throws -> (row: any SQLRow, sets: [[any SQLRow]])? {
        guard db.dialect.name == "postgresql" else {
            guard let row = try await db.raw(main).first() else { return nil }
            return (row, try await read(sets, db: db))
        }
        var q = SQLQueryString("SELECT m.*, ")
        appendColumns(sets, to: &q)
        q.appendInterpolation(unsafeRaw: " FROM (")
        q.appendInterpolation(main)
        q.appendInterpolation(unsafeRaw: ") m")
        guard let row = try await db.raw(q).first() else { return nil }
        return (row, try columns(of: row, sets.count))
    }

    /// `set0, set1, …`: each set's rows as a JSON array. json_agg keeps the order it is given only
    /// when told: the rows are ordered inside (for the limit) and again in the aggregate.
    private static func appendColumns(_ sets: [RowSet], to q: inout SQLQueryString) {
        for (i, set) in sets.enumerated() {
            q.appendInterpolation(unsafeRaw: i == 0 ? "" : ", ")
            q.appendInterpolation(unsafeRaw: "(SELECT coalesce(json_agg(t ORDER BY \(set.order)), '[]')::text FROM (")
            q.appendInterpolation(inner(set))
            q.appendInterpolation(unsafeRaw: ") t) AS set\(i)")
        }
    }

    private static func columns(of row: any SQLRow, _ count: Int) throws -> [[any SQLRow]] {
        try (0..<count).map { try JSONRows.parse(try row.decode(column: "set\($0)", as: String.self)) }
    }

    private static func inner(_ set: RowSet) -> SQLQueryString {
        var q = set.select
        q.appendInterpolation(unsafeRaw: " ORDER BY \(set.order)")
        if let limit = set.limit { q.appendInterpolation(unsafeRaw: " LIMIT \(limit)") }
        return q
    }
}

/// Rows read from a JSON array of flat objects (PostgreSQL's `json_agg` of rows), as SQLite rows:
/// each value is then read as SQLite's are (`SQLiteBinding`), a boolean as 0 or 1.
enum JSONRows {
    static func parse(_ text: String) throws -> [any SQLRow] {
        guard let objects = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] else {
            throw StoreError.invalid("a set of rows is not a JSON array of objects")
        }
        guard let first = objects.first else { return [] }
        let columns = ResultColumns(Array(first.keys))
        return objects.map { object in
            SQLiteDirectRow(columns: columns, values: columns.names.map { value(object[$0]) })
        }
    }

    private static func value(_ json: Any?) -> SQLiteValue {
        switch json {
        case let s as String: return .text(s)
        case let n as NSNumber:
            // The number's C type: a boolean ('c', 'B'), a real ('d', 'f') or an integer.
            switch UInt8(bitPattern: n.objCType.pointee) {
            case UInt8(ascii: "c"), UInt8(ascii: "B"): return .integer(n.boolValue ? 1 : 0)
            case UInt8(ascii: "d"), UInt8(ascii: "f"): return .float(n.doubleValue)
            default: return .integer(n.int64Value)
            }
        default: return .null
        }
    }
}
