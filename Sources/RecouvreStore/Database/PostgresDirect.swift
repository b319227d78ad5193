import Foundation
import Logging
import NIOCore
import PostgresKit
import SQLKit

/// SQLKit over one PostgreSQL connection, reading rows without postgres-kit's per-value
/// translation: on a list page of 50 cases that translation (a dynamic cast, a coding path and a
/// column lookup for each of 650 values) was a fifth of the server's time. Strings, integers,
/// booleans and reals, and their optionals, are bound and read with PostgresNIO's own codecs,
/// which postgres-kit calls in the end for them too; anything else takes postgres-kit's path
/// unchanged (`base`), so both read the same values.
struct PostgresDirectDatabase: SQLDatabase {
    let connection: PostgresConnection
    /// postgres-kit over the same connection: the dialect, and statements with other binds.
    let base: any SQLDatabase
    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { connection.eventLoop }
    var dialect: any SQLDialect { base.dialect }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        eventLoop.makeFutureWithTask { try await self.execute(sql: query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        let (sql, binds) = serialize(query)
        var bindings = PostgresBindings(capacity: binds.count)
        var types: [PostgresDataType] = []
        types.reserveCapacity(binds.count)
        for bind in binds {
            guard let type = Self.append(bind, to: &bindings) else { return try await base.execute(sql: query, onRow) }
            types.append(type)
        }
        let name = PreparedRead.names.name(sql: sql, types: types)
        // A prepared read's columns are named once, not at each run: the case page's row has 55
        // (building their index was 1.8 % of its CPU). Checked against the row all the same.
        var columns = name.flatMap(PreparedRead.names.columns(of:))
        var checked = false
        let take: (PostgresRow) -> Void = { row in
            if !checked {
                checked = true
                if columns.map({ !$0.names.elementsEqual(row.lazy.map(\.columnName)) }) ?? true {
                    columns = ResultColumns(row.map(\.columnName))
                    if let name { PreparedRead.names.remember(columns!, of: name) }
                }
            }
            onRow(PostgresDirectRow(row: row, cells: row.makeRandomAccess(), columns: columns!))
        }
        if let name {
            do {
                let rows = try await PreparedRead.$current.withValue(.init(name: name, sql: sql, types: types)) {
                    try await connection.execute(PreparedRead(bindings: bindings), logger: Self.quiet)
                }
                for try await row in rows { take(row) }
                return
            } catch {
                // PostgresNIO keeps a failed preparation's error for the name on that connection
                // (and a table changed since — a migration — fails a prepared read once): the
                // read gets a new name, prepared afresh next time.
                PreparedRead.names.retire(name)
                throw error
            }
        }
        // The rows collected on the connection's event loop and handed over at once: the async
        // sequence of `query(_:logger:) async` cost as much as reading the rows.
        let result: EventLoopFuture<PostgresQueryResult> = connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: Self.quiet)
        for row in try await result.get() { take(row) }
    }

    /// Binds the common types as postgres-kit does (nil as NULL, the rest with its codec) and
    /// gives the type bound; nil for any other type.
    static func append(_ bind: any Encodable, to bindings: inout PostgresBindings) -> PostgresDataType? {
        switch bind {
        case let v as String: bindings.append(v); return .text
        case let v as Int64: bindings.append(v); return .int8
        case let v as Int: bindings.append(v); return .int8
        case let v as Bool: bindings.append(v); return .bool
        case let v as Double: bindings.append(v); return .float8
        case let v as [Int64]: bindings.append(v); return .int8Array
        case let v as String?: if let v { bindings.append(v); return .text }
        case let v as Int64?: if let v { bindings.append(v); return .int8 }
        case let v as Int?: if let v { bindings.append(v); return .int8 }
        default: return nil
        }
        bindings.appendNull()
        return .null
    }

    /// PostgresNIO tags its logger with the connection at every statement; a failed statement is
    /// thrown to the caller, who logs it.
    static let quiet = Logger(label: "recouvre.store.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
}

/// A read PostgreSQL keeps parsed and planned on each connection, under a name, instead of
/// parsing and planning it at every run: pgbench on four of the case page's reads ran 6,600
/// transactions a second unprepared and 13,400 prepared. PostgresNIO prepares a statement the
/// first time a connection meets its name; its name and text are static requirements, so each
/// run gives them through a task-local value.
struct PreparedRead: PostgresPreparedStatement {
    struct Statement: Sendable {
        var name = "", sql = ""
        var types: [PostgresDataType] = []
    }
    @TaskLocal static var current = Statement()
    static var name: String { current.name }
    static var sql: String { current.sql }
    static var bindingDataTypes: [PostgresDataType] { current.types }

    let bindings: PostgresBindings
    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }

    static let names = Names()

    /// A name for each read and types of its binds, from its second run on: reads only (SELECT,
    /// WITH), and no more than `limit` names in all, for a text that writes its values in (a
    /// list of ids) is a new statement each time and would otherwise be kept for ever on every
    /// connection.
    final class Names: @unchecked Sendable {
        static let limit = 2_000
        private let lock = NSLock()
        private var names: [String: String] = [:]
        /// Reads run once, not named yet (forgotten by the thousand).
        private var seen: Set<String> = []
        private var issued = 0

        func name(sql: String, types: [PostgresDataType]) -> String? {
            guard sql.hasPrefix("SELECT") || sql.hasPrefix("WITH") else { return nil }
            let key = types.isEmpty ? sql : sql + "\u{0}" + types.map { String($0.rawValue) }.joined(separator: ",")
            return lock.withLock {
                if let name = names[key] { return name }
                guard issued < Self.limit else { return nil }
                guard seen.remove(key) != nil else {
                    if seen.count >= 1_000 { seen.removeAll() }
                    seen.insert(key)
                    return nil
                }
                issued += 1
                let name = "recouvre_\(issued)"
                names[key] = name
                return name
            }
        }

        func retire(_ name: String) {
            lock.withLock { names = names.filter { $0.value != name }; columns[name] = nil }
        }

        /// The columns a named read's rows had.
        private var columns: [String: ResultColumns] = [:]
        func columns(of name: String) -> ResultColumns? { lock.withLock { columns[name] } }
        func remember(_ columns: ResultColumns, of name: String) { lock.withLock { self.columns[name] = columns } }
    }
}

/// A row read by `PostgresDirectDatabase`.
struct PostgresDirectRow: SQLRow {
    let row: PostgresRow
    let cells: PostgresRandomAccessRow
    let columns: ResultColumns

    var allColumns: [String] { columns.names }
    func contains(column: String) -> Bool { columns.index[column] != nil }
    func decodeNil(column: String) throws -> Bool {
        guard let i = columns.index[column] else { return true }
        return cells[i].bytes == nil
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let i = columns.index[column] else { return try row.sql().decode(column: column, as: D.self) }
        let cell = cells[i]
        do {
            // The common types first, compared by metatype: no dynamic cast, no coding path.
            if D.self == String.self { return try cell.decode(String.self) as! D }
            if D.self == Int64.self { return try cell.decode(Int64.self) as! D }
            if D.self == Int.self { return try cell.decode(Int.self) as! D }
            if D.self == Bool.self { return try cell.decode(Bool.self) as! D }
            if D.self == Double.self { return try cell.decode(Double.self) as! D }
            if D.self == String?.self { return try cell.decode(String?.self) as! D }
            if D.self == Int64?.self { return try cell.decode(Int64?.self) as! D }
            if D.self == Int?.self { return try cell.decode(Int?.self) as! D }
            if D.self == Bool?.self { return try cell.decode(Bool?.self) as! D }
            if D.self == Double?.self { return try cell.decode(Double?.self) as! D }
            if D.self == [Int64]?.self || D.self == [Int64].self {
                if D.self == [Int64]?.self, cell.bytes == nil { return [Int64]?.none as! D }
                if let ids = Self.int64s(cell) { return ids as! D }
            }
        } catch {
            // A value PostgresNIO's codec refuses (a numeric read as a real, say) is postgres-kit's to read or refuse.
        }
        return try row.sql().decode(column: column, as: D.self)
    }
}

extension PostgresDirectRow {
    /// A BIGINT[] of one dimension without NULLs, read from PostgreSQL's binary form (its number
    /// of dimensions, a flag, the elements' type, each dimension's length and lower bound, then
    /// each element's length and value); nil for anything else, left to PostgresNIO. Its generic
    /// array decoding cost about 0.3 µs an element: a tenth of the server's CPU for a search's
    /// 501 ids (perf, "fontaine").
    static func int64s(_ cell: PostgresCell) -> [Int64]? {
        guard cell.dataType == .int8Array, cell.format == .binary, var bytes = cell.bytes,
              let (dimensions, _, element) = bytes.readMultipleIntegers(as: (Int32, Int32, UInt32).self),
              element == PostgresDataType.int8.rawValue else { return nil }
        if dimensions == 0 { return [] }
        guard dimensions == 1, let (count, _) = bytes.readMultipleIntegers(as: (Int32, Int32).self),
              count >= 0, bytes.readableBytes == Int(count) * 12 else { return nil }
        var ids: [Int64] = []
        ids.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let (length, id) = bytes.readMultipleIntegers(as: (Int32, Int64).self), length == 8 else { return nil }
            ids.append(id)
        }
        return ids
    }
}

/// Runs a task's jobs on a NIO event loop (`withTaskExecutorPreference`).
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop
    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
