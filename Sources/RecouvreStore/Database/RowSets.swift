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
    /// when told: the aggregate orders them, and the rows are ordered inside too only for a limit
    /// (PostgreSQL 15 sorts an ordered aggregate's rows again: the case page's statement ran 3 %
    /// longer with both sorts, pgbench).
    private static func appendColumns(_ sets: [RowSet], to q: inout SQLQueryString) {
        for (i, set) in sets.enumerated() {
            q.appendInterpolation(unsafeRaw: i == 0 ? "" : ", ")
            q.appendInterpolation(unsafeRaw: "(SELECT coalesce(json_agg(t ORDER BY \(set.order)), '[]')::text FROM (")
            q.appendInterpolation(inner(set, ordered: set.limit != nil))
            q.appendInterpolation(unsafeRaw: ") t) AS set\(i)")
        }
    }

    private static func columns(of row: any SQLRow, _ count: Int) throws -> [[any SQLRow]] {
        try (0..<count).map { try JSONRows.parse(try row.decode(column: "set\($0)", as: String.self)) }
    }

    private static func inner(_ set: RowSet, ordered: Bool = true) -> SQLQueryString {
        var q = set.select
        if ordered { q.appendInterpolation(unsafeRaw: " ORDER BY \(set.order)") }
        if let limit = set.limit { q.appendInterpolation(unsafeRaw: " LIMIT \(limit)") }
        return q
    }
}

/// Rows read from a JSON array of flat objects (PostgreSQL's `json_agg` of rows), as SQLite rows:
/// each value is then read as SQLite's are (`SQLiteBinding`), a boolean as 0 or 1, an integer
/// exactly (a number with a fraction or an exponent as a real), a nested array or object refused.
/// Read here byte by byte rather than by JSONSerialization, whose boxed values (NSNumber,
/// dictionaries of Any) cost an eighth of the server's time for a case page on PostgreSQL.
enum JSONRows {
    static func parse(_ text: String) throws -> [any SQLRow] {
        var text = text
        return try text.withUTF8 { bytes in
            var reader = FlatJSONReader(bytes: bytes)
            return try reader.rows()
        }
    }
}

/// Reads `[{"name": value, …}, …]`; any other shape throws `StoreError.invalid`.
private struct FlatJSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0

    mutating func rows() throws -> [any SQLRow] {
        try take(UInt8(ascii: "["))
        var rows: [any SQLRow] = []
        var columns: ResultColumns?
        if try peek() == UInt8(ascii: "]") {
            at += 1
        } else {
            repeat {
                try take(UInt8(ascii: "{"))
                var names: [String] = [], values: [SQLiteValue] = []
                if let known = columns { values.reserveCapacity(known.names.count) }
                if try peek() == UInt8(ascii: "}") { at += 1 } else {
                    repeat {
                        names.append(try string())
                        try take(UInt8(ascii: ":"))
                        values.append(try value())
                    } while try more(closing: UInt8(ascii: "}"))
                }
                // json_agg writes every row's keys in the same order: the first row's names serve all.
                if let known = columns, known.names == names {
                    rows.append(SQLiteDirectRow(columns: known, values: values))
                } else {
                    let own = ResultColumns(names)
                    if columns == nil { columns = own }
                    rows.append(SQLiteDirectRow(columns: own, values: values))
                }
            } while try more(closing: UInt8(ascii: "]"))
        }
        skipSpace()
        guard at == bytes.count else { throw Self.invalid("text after the array") }
        return rows
    }

    static func invalid(_ why: String) -> StoreError { .invalid("a set of rows is not a JSON array of flat objects: \(why)") }

    mutating func skipSpace() {
        while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
    }

    mutating func peek() throws -> UInt8 {
        skipSpace()
        guard at < bytes.count else { throw Self.invalid("it ends too soon") }
        return bytes[at]
    }

    mutating func take(_ byte: UInt8) throws {
        guard try peek() == byte else { throw Self.invalid("expected '\(Character(Unicode.Scalar(byte)))' at byte \(at)") }
        at += 1
    }

    /// After an element: true on a comma, false on `closing`.
    mutating func more(closing: UInt8) throws -> Bool {
        switch try peek() {
        case UInt8(ascii: ","): at += 1; return true
        case closing: at += 1; return false
        default: throw Self.invalid("expected ',' or '\(Character(Unicode.Scalar(closing)))' at byte \(at)")
        }
    }

    mutating func value() throws -> SQLiteValue {
        switch try peek() {
        case UInt8(ascii: "\""): return .text(try string())
        case UInt8(ascii: "t"): try word("true"); return .integer(1)
        case UInt8(ascii: "f"): try word("false"); return .integer(0)
        case UInt8(ascii: "n"): try word("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw Self.invalid("a value at byte \(at) is not a string, a number, a boolean or null")
        }
    }

    mutating func word(_ w: StaticString) throws {
        let n = w.utf8CodeUnitCount
        guard at + n <= bytes.count, memcmp(bytes.baseAddress! + at, w.utf8Start, n) == 0 else { throw Self.invalid("unknown word at byte \(at)") }
        at += n
    }

    mutating func number() throws -> SQLiteValue {
        let start = at
        var real = false
        while at < bytes.count, Self.isNumberByte(bytes[at]) {
            if bytes[at] == UInt8(ascii: ".") || bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") { real = true }
            at += 1
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
        // An integer beyond 64 bits (a numeric column) is read as the real nearest to it.
        if !real, let n = Int64(text) { return .integer(n) }
        guard let d = Double(text) else { throw Self.invalid("\(text) is not a number") }
        return .float(d)
    }

    static func isNumberByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
            || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
    }

    /// A string at the cursor, its escapes (`\n`, `\u00e9`, a surrogate pair…) undone.
    mutating func string() throws -> String {
        try take(UInt8(ascii: "\""))
        let start = at
        while at < bytes.count, bytes[at] != UInt8(ascii: "\""), bytes[at] != UInt8(ascii: "\\") { at += 1 }
        guard at < bytes.count else { throw Self.invalid("a string is not closed") }
        if bytes[at] == UInt8(ascii: "\"") {
            defer { at += 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
        }
        var out = Array(bytes[start..<at])
        while true {
            guard at < bytes.count else { throw Self.invalid("a string is not closed") }
            let b = bytes[at]
            at += 1
            if b == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            guard b == UInt8(ascii: "\\") else { out.append(b); continue }
            guard at < bytes.count else { throw Self.invalid("a string is not closed") }
            let e = bytes[at]
            at += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    // A character beyond the basic plane comes as two escapes (a surrogate pair).
                    guard at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else { throw Self.invalid("a lone surrogate") }
                    at += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw Self.invalid("a lone surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw Self.invalid("a lone surrogate") }
                out.append(contentsOf: UTF8.encode(u)!)
            default: throw Self.invalid("an unknown escape at byte \(at - 1)")
            }
        }
    }

    mutating func hex4() throws -> UInt32 {
        guard at + 4 <= bytes.count else { throw Self.invalid("a \\u escape is cut") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[at]
            at += 1
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
            default: throw Self.invalid("a \\u escape is not hexadecimal")
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }
}
