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
        for bind in binds {
            guard Self.append(bind, to: &bindings) else { return try await base.execute(sql: query, onRow) }
        }
        // The rows collected on the connection's event loop and handed over at once: the async
        // sequence of `query(_:logger:) async` cost as much as reading the rows.
        let result: EventLoopFuture<PostgresQueryResult> = connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: Self.quiet)
        var columns: PostgresDirectRow.Columns?
        for row in try await result.get() {
            let shared = columns ?? PostgresDirectRow.Columns(row)
            columns = shared
            onRow(PostgresDirectRow(row: row, cells: row.makeRandomAccess(), columns: shared))
        }
    }

    /// PostgresNIO tags its logger with the connection at every statement; a failed statement is
    /// thrown to the caller, who logs it.
    static let quiet = Logger(label: "recouvre.store.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Binds the common types as postgres-kit does (nil as NULL, the rest with its codec); false
    /// for any other type.
    static func append(_ bind: any Encodable, to bindings: inout PostgresBindings) -> Bool {
        switch bind {
        case let v as String: bindings.append(v)
        case let v as Int64: bindings.append(v)
        case let v as Int: bindings.append(v)
        case let v as Bool: bindings.append(v)
        case let v as Double: bindings.append(v)
        case let v as String?: if let v { bindings.append(v) } else { bindings.appendNull() }
        case let v as Int64?: if let v { bindings.append(v) } else { bindings.appendNull() }
        case let v as Int?: if let v { bindings.append(v) } else { bindings.appendNull() }
        default: return false
        }
        return true
    }
}

/// A row read by `PostgresDirectDatabase`.
struct PostgresDirectRow: SQLRow {
    /// The columns of a result, by name, found once for all its rows.
    final class Columns: Sendable {
        let names: [String]
        let index: [String: Int]
        init(_ row: PostgresRow) {
            names = row.map(\.columnName)
            // The first of two columns with one name, as postgres-kit reads it.
            index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    let row: PostgresRow
    let cells: PostgresRandomAccessRow
    let columns: Columns

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
        } catch {
            // A value PostgresNIO's codec refuses (a numeric read as a real, say) is postgres-kit's to read or refuse.
        }
        return try row.sql().decode(column: column, as: D.self)
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
