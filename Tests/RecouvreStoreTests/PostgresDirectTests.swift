import Foundation
import SQLKit
import Testing
@testable import RecouvreStore

/// `PostgresDirectDatabase` reads what postgres-kit reads: the common types with PostgresNIO's
/// codecs, everything else (and every refusal) through postgres-kit itself.
@Suite struct PostgresDirectTests {
    @Test(.enabled(if: Backend.available.contains(.postgres)))
    func valuesGoInAndComeOutAsPostgresKitWouldGiveThem() async throws {
        try await withTestDatabase(.postgres) { db, _ in
            enum Kind: String, Codable { case company }
            let row = try await db.withConnection { db in
                #expect(db is PostgresDirectDatabase)
                try await db.raw("CREATE TABLE v (i BIGINT, k INTEGER, s TEXT, b BOOLEAN, d DOUBLE PRECISION, n TEXT, e TEXT, total NUMERIC)").run()
                // An enum's raw value and a Date are not among the common binds: postgres-kit binds them.
                try await db.raw("""
                    INSERT INTO v VALUES (\(bind: Int64(42)), \(bind: 7), \(bind: "texte"), \(bind: true), \(bind: 1.5), \(bind: String?.none), \(bind: Kind.company), 12.5)
                    """).run()
                return try await db.raw("SELECT *, i AS twice, SUM(k) OVER () AS summed FROM v WHERE s = \(bind: "texte") AND n IS NOT DISTINCT FROM \(bind: Int64?.none)").all()[0]
            }
            #expect(row is PostgresDirectRow)
            #expect(try row.decode(column: "i", as: Int64.self) == 42 && row.decode(column: "k", as: Int.self) == 7 && row.decode(column: "k", as: Int64.self) == 7)
            #expect(try row.decode(column: "s", as: String.self) == "texte" && row.decode(column: "b", as: Bool.self) && row.decode(column: "d", as: Double.self) == 1.5)
            #expect(try row.decode(column: "n", as: String?.self) == nil && row.decodeNil(column: "n") && !row.decodeNil(column: "s"))
            #expect(try row.decode(column: "e", as: Kind.self) == .company)
            // A NUMERIC (what SUM gives) read as a real: PostgresNIO's codec refuses it, postgres-kit reads it.
            #expect(try row.decode(column: "total", as: Double.self) == 12.5)
            #expect(try row.decode(column: "summed", as: Int64.self) == 7) // SUM of an INTEGER is a BIGINT
            #expect(row.contains(column: "twice") && !row.contains(column: "absent") && row.allColumns.first == "i")
            #expect(throws: (any Error).self) { try row.decode(column: "n", as: String.self) }
            #expect(throws: (any Error).self) { try row.decode(column: "s", as: Int64.self) }
            #expect(throws: (any Error).self) { try row.decode(column: "absent", as: Int64.self) }
        }
    }

    /// A list of ids bound as one array (the case list's search): one statement whatever the
    /// ids, prepared from its second run, reading the same as written out; an empty list finds nothing.
    @Test(.enabled(if: Backend.available.contains(.postgres)))
    func idsBoundAsOneArray() async throws {
        try await withTestDatabase(.postgres) { db, _ in
            try await db.withConnection { db in
                try await db.raw("CREATE TABLE p (a BIGINT)").run()
                try await db.raw("INSERT INTO p SELECT generate_series(1, 1000)").run()
            }
            for ids: [Int64] in [[3, 1], [999, 5, 5, 2000], [], Array(stride(from: 2, through: 1000, by: 2)), [7]] {
                let rows = try await db.withConnection { try await $0.raw("SELECT a FROM p WHERE a = ANY(\(bind: ids)) ORDER BY a").all() }
                #expect(try rows.map { try $0.decode(column: "a", as: Int64.self) } == Array(Set(ids.filter { $0 <= 1000 })).sorted())
            }
        }
    }

    /// Arrays of ids read as PostgresNIO reads them: empty, NULL, long, with a NULL element or
    /// two dimensions (those two left to PostgresNIO, which refuses them), and bounds not from 1.
    @Test(.enabled(if: Backend.available.contains(.postgres)))
    func idArraysAreReadWhole() async throws {
        try await withTestDatabase(.postgres) { db, _ in
            let row = try await db.withConnection { db in
                try await db.raw("""
                    SELECT ARRAY[3, -1, 9223372036854775807]::BIGINT[] AS some, '{}'::BIGINT[] AS none, NULL::BIGINT[] AS null,
                           ARRAY(SELECT generate_series(1, 1000))::BIGINT[] AS many, ARRAY[1, NULL]::BIGINT[] AS holed,
                           ARRAY[[1, 2], [3, 4]]::BIGINT[] AS square, '[5:6]={7,8}'::BIGINT[] AS shifted
                    """).first()!
            }
            #expect(try row.decode(column: "some", as: [Int64].self) == [3, -1, Int64.max])
            #expect(try row.decode(column: "some", as: [Int64]?.self) == [3, -1, Int64.max])
            #expect(try row.decode(column: "none", as: [Int64]?.self) == [])
            #expect(try row.decode(column: "null", as: [Int64]?.self) == nil)
            #expect(throws: (any Error).self) { try row.decode(column: "null", as: [Int64].self) }
            #expect(try row.decode(column: "many", as: [Int64].self) == Array(1...1000))
            #expect(try row.decode(column: "shifted", as: [Int64].self) == [7, 8])
            #expect(throws: (any Error).self) { try row.decode(column: "holed", as: [Int64].self) }
            #expect(throws: (any Error).self) { try row.decode(column: "square", as: [Int64].self) }
            // Read here, not by PostgresNIO, except the two it refuses.
            let direct = try #require(row as? PostgresDirectRow)
            func own(_ column: String) -> [Int64]? { PostgresDirectRow.int64s(direct.cells[direct.columns.index[column]!]) }
            #expect(own("some") == [3, -1, Int64.max] && own("none") == [] && own("many")?.count == 1000 && own("shifted") == [7, 8])
            #expect(own("null") == nil && own("holed") == nil && own("square") == nil)
        }
    }

    /// A read is named (prepared on each connection) from its second run; writes never are.
    @Test func aReadIsNamedFromItsSecondRunAndAFailureRetiresTheName() {
        let names = PreparedRead.Names()
        #expect(names.name(sql: "SELECT 1", types: []) == nil)
        let first = names.name(sql: "SELECT 1", types: [])
        #expect(first != nil && names.name(sql: "SELECT 1", types: []) == first)
        #expect(names.name(sql: "SELECT 1", types: [.int8]) == nil) // other binds, another statement
        #expect(names.name(sql: "UPDATE t SET a = 1", types: []) == nil && names.name(sql: "UPDATE t SET a = 1", types: []) == nil)
        names.retire(first!)
        #expect(names.name(sql: "SELECT 1", types: []) == nil)
        let second = names.name(sql: "SELECT 1", types: [])
        #expect(second != nil && second != first)
    }

    /// Prepared reads give what unprepared ones give; a table changed under a prepared read fails
    /// that read once (PostgreSQL refuses a cached plan whose columns changed), and the next one
    /// reads the table as it is.
    @Test(.enabled(if: Backend.available.contains(.postgres)))
    func preparedReadsReadTheSameAndSurviveATableChange() async throws {
        try await withTestDatabase(.postgres) { db, _ in
            try await db.withConnection { db in
                try await db.raw("CREATE TABLE p (a BIGINT, b TEXT)").run()
                try await db.raw("INSERT INTO p VALUES (1, 'un'), (2, 'deux')").run()
            }
            for _ in 0..<4 {
                let rows = try await db.withConnection { try await $0.raw("SELECT * FROM p WHERE a >= \(bind: Int64(2))").all() }
                #expect(try rows.map { try $0.decode(column: "b", as: String.self) } == ["deux"])
            }
            try await db.withConnection { try await $0.raw("ALTER TABLE p ADD COLUMN c TEXT DEFAULT 'trois'").run() }
            var failures = 0
            for _ in 0..<10 {
                do {
                    let rows = try await db.withConnection { try await $0.raw("SELECT * FROM p WHERE a >= \(bind: Int64(2))").all() }
                    #expect(try rows.map { try $0.decode(column: "c", as: String.self) } == ["trois"])
                } catch { failures += 1 }
            }
            #expect(failures <= 1)
        }
    }
}
