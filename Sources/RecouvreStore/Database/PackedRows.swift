import RecouvreCore
import SQLKit

/// The columns of a read of many rows that PostgreSQL hands over packed in one text value.
///
/// Each row of a PostgreSQL result is a message of its own, taken up by PostgresNIO's state
/// machine and decoded value by value: on the amicable list (51 rows of 13 columns) that was a
/// quarter of the server's CPU. Packed, the rows are one value, cut here at its separators:
/// the server's CPU a list page went from 1,180–1,220 µs to 904–986, PostgreSQL's from 264–276 to
/// 299–320 (RecouvrePageBench, a million cases, alternated). JSON (`json_agg`), as `RowSets` reads
/// a case's small sets, costs PostgreSQL 2.4 times the plain read's time for 51 rows (pgbench);
/// `string_agg` of plain text costs it little more than sending the rows.
///
/// A row's values are written as text separated by U+001F, rows by U+001E. An aggregate over a
/// subquery of its own, with no join around it, takes the rows in the subquery's order
/// ("supplying the input values from a sorted subquery", PostgreSQL's manual on aggregate
/// functions). A value holding a separator changes the count of values in its row, and a NULL
/// where none is expected (left out by `concat_ws`) too: the rows are then read again unpacked,
/// so that no value, whatever it holds, is read wrong. SQLite, in the process, reads rows as
/// they are.
struct PackedColumns: Sendable {
    enum Kind: Sendable {
        case integer, text
        /// May be NULL: written as an empty text, read back as NULL (an empty text in such a
        /// column is read as NULL too: keep these to columns where it means none, ids and days).
        case optionalInteger, optionalText
    }

    let names: ResultColumns
    let kinds: [Kind]
    /// `SELECT string_agg(…) AS packed FROM (`, the rows' select to follow, then `) p`.
    let prefix: String

    init(_ columns: [(name: String, kind: Kind)]) {
        names = ResultColumns(columns.map(\.name))
        kinds = columns.map(\.kind)
        let values = columns.map { column in
            switch column.kind {
            case .integer, .text: "p.\(column.name)::text"
            case .optionalInteger, .optionalText: "coalesce(p.\(column.name)::text, '')"
            }
        }
        prefix = "SELECT string_agg(concat_ws(E'\\x1f', \(values.joined(separator: ", "))), E'\\x1e') AS packed FROM ("
    }

    /// The rows of `query`, which selects these columns in this order.
    func read(_ query: SQLQueryString, db: any SQLDatabase) async throws -> [any SQLRow] {
        guard db.dialect.name == "postgresql" else { return try await db.raw(query).all() }
        // No row: string_agg gives NULL.
        guard let packed = try await db.raw(packing(query)).first()?.decode(column: "packed", as: String?.self) else { return [] }
        if let rows = unpack(packed) { return rows }
        return try await db.raw(query).all()
    }

    /// The statement that packs the rows of `query` in one value, `packed` (PostgreSQL).
    func packing(_ query: SQLQueryString) -> SQLQueryString {
        var q = SQLQueryString("")
        q.appendInterpolation(unsafeRaw: prefix)
        q.appendInterpolation(query)
        q.appendInterpolation(unsafeRaw: ") p")
        return q
    }

    /// The rows packed in `text`, or nil when one has not a value for each column as its kind wants.
    func unpack(_ text: String) -> [any SQLRow]? {
        var text = text
        return text.withUTF8 { bytes in
            var rows: [any SQLRow] = []
            var values: [SQLiteValue] = []
            values.reserveCapacity(kinds.count)
            var start = 0
            for i in 0...bytes.count {
                let b = i == bytes.count ? 0x1E : bytes[i]
                guard b == 0x1F || b == 0x1E else { continue }
                guard values.count < kinds.count else { return nil }
                let field = UnsafeBufferPointer(rebasing: bytes[start..<i])
                start = i + 1
                switch kinds[values.count] {
                case .optionalInteger where field.isEmpty, .optionalText where field.isEmpty:
                    values.append(.null)
                case .integer, .optionalInteger:
                    guard let n = Int64(decimal: field) else { return nil }
                    values.append(.integer(n))
                case .text, .optionalText:
                    values.append(.text(String(decoding: field, as: UTF8.self)))
                }
                if b == 0x1E {
                    guard values.count == kinds.count else { return nil }
                    rows.append(SQLiteDirectRow(columns: names, values: values))
                    values.removeAll(keepingCapacity: true)
                }
            }
            return rows
        }
    }
}
