import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit

/// Where the data lives: a SQLite file (the embedded default) or a PostgreSQL server.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresSettings)

    public struct PostgresSettings: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String?
        public var database: String
        /// A directory holding the server's Unix socket, instead of TCP.
        public var socketDirectory: String?
    }

    /// The default when `RECOUVRE_DATABASE_URL` is not set: a SQLite file in the working directory.
    public static let defaultSQLiteFile = "recouvre.sqlite"

    /// Reads `postgres://user:password@host:port/db` (`?host=/socket/dir` for a Unix socket),
    /// `sqlite:path/to/file.sqlite`, `sqlite:///abs/path`, or a bare file path.
    public init(url text: String) throws {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            guard let comps = URLComponents(string: text) else { throw StoreError.badConfiguration("unreadable database URL") }
            let database = String(comps.path.drop(while: { $0 == "/" }))
            guard !database.isEmpty else { throw StoreError.badConfiguration("the PostgreSQL URL must name a database: postgres://user@host/DB") }
            let socket = comps.queryItems?.first(where: { $0.name == "host" })?.value
            self = .postgres(PostgresSettings(host: comps.host ?? "127.0.0.1", port: comps.port ?? 5432,
                                              user: comps.user ?? "postgres", password: comps.password,
                                              database: database, socketDirectory: socket))
        } else if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else { throw StoreError.badConfiguration("the SQLite URL must name a file: sqlite:recouvre.sqlite") }
            self = .sqlite(path: path)
        } else if text.contains("://") {
            throw StoreError.badConfiguration("unsupported database URL scheme in '\(text.prefix(while: { $0 != ":" }))': use sqlite: or postgres://")
        } else {
            self = .sqlite(path: text)
        }
    }

    /// `RECOUVRE_DATABASE_URL` from the environment, else the default SQLite file.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> DatabaseLocation {
        if let url = env["RECOUVRE_DATABASE_URL"], !url.isEmpty { return try DatabaseLocation(url: url) }
        return .sqlite(path: defaultSQLiteFile)
    }

    /// Never prints the password.
    public var description: String {
        switch self {
        case let .sqlite(path): "sqlite:\(path)"
        case let .postgres(s): "postgres://\(s.user)@\(s.socketDirectory ?? s.host):\(s.port)/\(s.database)"
        }
    }
}

public enum Dialect: String, Sendable { case sqlite, postgres }

/// A statement's column names, found once and shared by the rows it returns (SQLite's and
/// PostgreSQL's rows alike).
final class ResultColumns: Sendable {
    let names: [String]
    /// The first column of each name (a join may repeat one), as sqlite-kit and postgres-kit read it.
    let index: [String: Int]

    init(_ names: [String]) {
        self.names = names
        var index: [String: Int] = [:]
        for (i, name) in names.enumerated() where index[name] == nil { index[name] = i }
        self.index = index
    }
}

public enum StoreError: Error, CustomStringConvertible, Equatable {
    case badConfiguration(String)
    case notFound(String)
    case conflict(String)
    case invalid(String)

    public var description: String {
        switch self {
        case let .badConfiguration(s): "configuration: \(s)"
        case let .notFound(s): "not found: \(s)"
        case let .conflict(s): "conflict: \(s)"
        case let .invalid(s): s
        }
    }
}

/// The store's handle on the database: a pool of connections of one dialect. Everything above it
/// speaks SQLKit; `transaction` is the one way to change several rows at once.
public final class Database: Sendable {
    public let dialect: Dialect
    public let location: DatabaseLocation
    let logger: Logger
    private let backend: Backend
    /// The creditors, the case workers and the settings in force, kept a few seconds.
    let shortCache = ShortCache()

    private enum Backend: Sendable {
        case sqlite(SQLitePool)
        case postgres(PostgresClient, Task<Void, Never>)
    }

    private init(location: DatabaseLocation, dialect: Dialect, backend: Backend, logger: Logger) {
        self.location = location
        self.dialect = dialect
        self.backend = backend
        self.logger = logger
    }

    /// Opens the database; the SQLite file is created if missing. Call `close()` when done.
    public static func open(_ location: DatabaseLocation, maxConnections: Int = 8, logger: Logger = Logger(label: "recouvre.store")) async throws -> Database {
        switch location {
        case let .sqlite(path):
            let pool = try await SQLitePool(path: path, size: maxConnections, logger: logger)
            return Database(location: location, dialect: .sqlite, backend: .sqlite(pool), logger: logger)
        case let .postgres(s):
            var config: PostgresClient.Configuration
            if let dir = s.socketDirectory {
                config = .init(unixSocketPath: "\(dir)/.s.PGSQL.\(s.port)", username: s.user, password: s.password, database: s.database)
            } else {
                config = .init(host: s.host, port: s.port, username: s.user, password: s.password, database: s.database, tls: .disable)
            }
            config.options.maximumConnections = maxConnections
            // No parallel workers: the server runs many short statements at once on few cores,
            // where a worker is one more process to start and a core taken from another request.
            // A statement planned for any value may choose them: the search's words read with
            // two workers took 10 ms, 0.35 without (psql, "fontaine", a million debtors).
            config.options.additionalStartupParameters = [("max_parallel_workers_per_gather", "0")]
            let client = PostgresClient(configuration: config, backgroundLogger: logger)
            let task = Task { await client.run() }
            let db = Database(location: location, dialect: .postgres, backend: .postgres(client, task), logger: logger)
            do {
                try await db.withConnection { try await $0.raw("SELECT 1").run() }
            } catch {
                task.cancel()
                throw StoreError.badConfiguration("cannot reach PostgreSQL at \(location): \(String(reflecting: error))")
            }
            return db
        }
    }

    public func close() async {
        switch backend {
        case let .sqlite(pool): await pool.close()
        case let .postgres(_, task): task.cancel(); _ = await task.value
        }
    }

    /// Runs `body` with one connection of the pool.
    public func withConnection<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case let .sqlite(pool):
            return try await pool.withConnection(body)
        case let .postgres(client, _):
            // The body runs on the connection's event loop: each statement is written and its rows
            // taken up on the thread that reads the socket, instead of two hops between threads.
            return try await client.withConnection { conn in
                try await withTaskExecutorPreference(EventLoopTaskExecutor(conn.eventLoop)) {
                    try await body(PostgresDirectDatabase(connection: conn, base: conn.sql(queryLogLevel: nil)))
                }
            }
        }
    }

    /// A transaction on the driver-level bulk path (see `BulkSession`). On SQLite it runs on a
    /// connection of its own, opened for the transaction; the pool's connections keep reading.
    public func bulkTransaction<T: Sendable>(_ body: @Sendable (BulkSession) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite:
            guard case let .sqlite(path) = location else { preconditionFailure("a SQLite backend has a SQLite location") }
            // A batch (an import, the daily run) waits for another to end rather than failing
            // after the usual 10 s: an import of a million claims holds the write lock a minute.
            let conn = try SQLiteHandle(path: path, busyTimeout: .seconds(600))
            defer { conn.close() }
            // IMMEDIATE takes SQLite's write lock up front, so two writers wait instead of failing.
            let session = BulkSession.sqlite(conn)
            return try await Self.inTransaction(begin: "BEGIN IMMEDIATE", run: { try await session.query($0) }) { try await body(session) }
        case let .postgres(client, _):
            let logger = self.logger
            return try await client.withConnection { conn in
                let session = BulkSession.postgres(conn, logger: logger)
                return try await Self.inTransaction(begin: "BEGIN", run: { try await session.query($0) }) { try await body(session) }
            }
        }
    }

    /// Runs `body` in one transaction: all of it lands, or none of it (also after a crash).
    public func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let begin = dialect == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN"
        return try await withConnection { db in
            try await Self.inTransaction(begin: begin, run: { try await db.raw(SQLQueryString($0)).run() }) { try await body(db) }
        }
    }

    /// `begin`, `body`, COMMIT; ROLLBACK when `body` throws. `run` executes one statement.
    private static func inTransaction<T>(begin: String, run: (String) async throws -> Void, _ body: () async throws -> T) async throws -> T {
        try await run(begin)
        do {
            let result = try await body()
            try await run("COMMIT")
            return result
        } catch {
            _ = try? await run("ROLLBACK")
            throw error
        }
    }
}

/// A fixed set of SQLite connections to one file, in WAL mode so readers never wait for the
/// writer. Each connection keeps its prepared statements (`SQLiteHandle`); statements run on the
/// pool's threads.
actor SQLitePool {
    private var idle: [SQLiteHandle] = []
    private var all: [SQLiteHandle] = []
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private let threadPool: NIOThreadPool
    private let logger: Logger

    init(path: String, size: Int, logger: Logger) async throws {
        self.logger = logger
        threadPool = NIOThreadPool(numberOfThreads: max(2, min(size, 8)))
        threadPool.start()
        for _ in 0..<max(1, size) {
            all.append(try await threadPool.runIfActive { try SQLiteHandle(path: path) })
        }
        idle = all
    }

    func withConnection<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let conn = await acquire()
        defer { release(conn) }
        return try await body(SQLiteDirectDatabase(connection: conn, threadPool: threadPool, logger: logger,
                                                   eventLoop: MultiThreadedEventLoopGroup.singleton.any()))
    }

    /// A returned connection goes back to the idle ones and wakes the longest waiter, which takes
    /// it if nobody running took it first (else it waits again, first in line). Handing it to the
    /// waiter instead kept it unused until that task's turn came round among the 32 of a page
    /// benchmark, the pool's 8 connections reserved and the CPU partly idle (case page: 830
    /// pages/s handed over; 1,050-1,180 taken by whoever runs, as with 32 connections).
    private func acquire() async -> SQLiteHandle {
        if let c = idle.popLast() { return c }
        await withCheckedContinuation { waiters.append($0) }
        while true {
            if let c = idle.popLast() { return c }
            await withCheckedContinuation { waiters.insert($0, at: 0) }
        }
    }

    private func release(_ conn: SQLiteHandle) {
        idle.append(conn)
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }

    func close() async {
        for c in all { c.close() }
        all = []
        idle = []
        try? await threadPool.shutdownGracefully()
    }
}
