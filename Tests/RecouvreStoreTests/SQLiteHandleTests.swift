import Foundation
import Testing
@testable import RecouvreStore

/// The SQLite connection that keeps its statements (`SQLiteHandle`) and SQLKit over it.
@Suite struct SQLiteHandleTests {
    func withHandle(_ body: (SQLiteHandle) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("handle-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let handle = try SQLiteHandle(path: path)
        defer { handle.close() }
        try body(handle)
    }

    @Test func aKeptStatementIsPreparedAgainAfterTheSchemaChanges() throws {
        try withHandle { h in
            _ = try h.query("CREATE TABLE t (a INTEGER, b TEXT)", [])
            _ = try h.query("INSERT INTO t VALUES (?1, ?2)", [.integer(1), .text("un")])
            let select = "SELECT * FROM t WHERE a = ?1"
            #expect(try h.query(select, [.integer(1)]).rows == [[.integer(1), .text("un")]])
            _ = try h.query("ALTER TABLE t ADD COLUMN c REAL", [])
            _ = try h.query("UPDATE t SET c = ?1", [.float(2.5)])
            let after = try h.query(select, [.integer(1)])
            #expect(after.columns.names == ["a", "b", "c"] && after.rows == [[.integer(1), .text("un"), .float(2.5)]])
        }
    }

    /// Only a read that was quick its last time runs in place; a write (which may wait for the
    /// write lock), a transaction's BEGIN and a read that took long go to the pool's threads.
    @Test func onlyAReadThatWasQuickRunsInPlace() throws {
        try withHandle { h in
            _ = try h.query("CREATE TABLE t (a INTEGER PRIMARY KEY)", [])
            let insert = "INSERT INTO t VALUES (?1)", select = "SELECT a FROM t WHERE a = ?1", begin = "BEGIN IMMEDIATE"
            #expect(!h.isQuick(select)) // never run: its time is not known
            _ = try h.query(insert, [.integer(1)])
            _ = try h.query(select, [.integer(1)])
            #expect(h.isQuick(select) && !h.isQuick(insert))
            _ = try h.query(begin, [])
            _ = try h.query("COMMIT", [])
            #expect(!h.isQuick(begin))
            // A recursive count to three million: well over the 2 ms a quick read may take.
            let slow = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) SELECT COUNT(*) FROM n"
            _ = try h.query(slow, [])
            #expect(!h.isQuick(slow))
        }
    }

    @Test func errorsNameTheStatementAndLeaveTheConnectionUsable() throws {
        try withHandle { h in
            _ = try h.query("CREATE TABLE t (a INTEGER PRIMARY KEY)", [])
            _ = try h.query("INSERT INTO t VALUES (?1)", [.integer(1)])
            #expect(throws: StoreError.self) { try h.query("INSERT INTO t VALUES (?1)", [.integer(1)]) }
            #expect(throws: StoreError.self) { try h.query("SELECT nothing FROM t", []) }
            #expect(try h.query("SELECT COUNT(*) AS n FROM t", []).rows == [[.integer(1)]])
        }
    }

    @Test func valuesGoInAndComeOutAsSQLiteKitWouldGiveThem() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("direct-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let db = try await Database.open(.sqlite(path: path), maxConnections: 2)
        enum Kind: String, Codable { case company }
        struct Doc: Codable, Equatable { let x: Int }
        let row = try await db.withConnection { db in
            try await db.raw("CREATE TABLE v (i INTEGER, s TEXT, b INTEGER, d REAL, n TEXT, e TEXT, j TEXT, blob BLOB)").run()
            try await db.raw("""
                INSERT INTO v VALUES (\(bind: Int64(42)), \(bind: "texte"), \(bind: true), \(bind: 1.5), \(bind: String?.none), \(bind: Kind.company), \(bind: Doc(x: 7)), \(bind: Data([0, 1, 2])))
                """).run()
            return try await db.raw("SELECT * FROM v").all()[0]
        }
        #expect(try row.decode(column: "i", as: Int64.self) == 42 && row.decode(column: "i", as: Int.self) == 42 && row.decode(column: "i", as: String.self) == "42")
        #expect(try row.decode(column: "s", as: String.self) == "texte" && row.decode(column: "b", as: Bool.self) && row.decode(column: "d", as: Double.self) == 1.5)
        #expect(try row.decode(column: "n", as: String?.self) == nil && row.decodeNil(column: "n"))
        #expect(try row.decode(column: "e", as: Kind.self) == .company && row.decode(column: "j", as: Doc.self) == Doc(x: 7))
        #expect(try row.decode(column: "blob", as: Data.self) == Data([0, 1, 2]))
        #expect(throws: DecodingError.self) { try row.decode(column: "n", as: String.self) }
        #expect(throws: DecodingError.self) { try row.decode(column: "s", as: Int64.self) }
        #expect(throws: DecodingError.self) { try row.decode(column: "absent", as: Int64.self) }
        await db.close()
    }
}
