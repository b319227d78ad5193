import Foundation
import SQLKit
import Testing
@testable import RecouvreStore

/// `PackedColumns.read` gives the rows, in the order and number, and the values that the plain
/// read gives — on PostgreSQL through one packed value, or the plain read when a value holds a
/// separator.
@Suite struct PackedRowsTests {
    static let columns = PackedColumns([
        ("id", .integer), ("n", .integer), ("s", .text), ("day", .optionalText), ("ref", .optionalInteger),
    ])

    @Test(arguments: Backend.available)
    func packedRowsAreThePlainRows(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            try await db.withConnection { db in
                try await db.raw("CREATE TABLE pk (id BIGINT PRIMARY KEY, n BIGINT NOT NULL, s TEXT NOT NULL, day TEXT, ref BIGINT)").run()
                let rows: [(Int64, String, String?, Int64?)] = [
                    (Int64.min, "plain", "2026-11-30", 7),
                    (Int64.max, "", nil, nil),
                    (-42, "accents é ü 漢字 🙂, \"guillemets\" \\ barre", "2026-12-01", -1),
                    (0, "ligne\nsuivante\ttab", nil, 0),
                ]
                for (i, r) in rows.enumerated() {
                    try await db.raw("INSERT INTO pk VALUES (\(bind: Int64(i + 1)), \(bind: r.0), \(bind: r.1), \(bind: r.2), \(bind: r.3))").run()
                }
                let query: SQLQueryString = "SELECT id, n, s, day, ref FROM pk WHERE id > \(bind: Int64(0)) ORDER BY id DESC LIMIT 3"
                try await Self.expectSame(query, db)
                if backend == .postgres {
                    // These rows are read packed, not again unpacked.
                    let packed = try await db.raw(Self.columns.packing(query)).first()!.decode(column: "packed", as: String.self)
                    #expect(Self.columns.unpack(packed)?.count == 3)
                }
                #expect(try await Self.columns.read("SELECT id, n, s, day, ref FROM pk WHERE id > \(bind: Int64(9))", db: db).isEmpty)

                // A text holding a separator: read again unpacked, the same.
                try await db.raw("INSERT INTO pk VALUES (5, 5, \(bind: "un\u{1F}deux\u{1E}trois"), NULL, NULL)").run()
                let all: SQLQueryString = "SELECT id, n, s, day, ref FROM pk ORDER BY id"
                try await Self.expectSame(all, db)
                #expect(try await Self.columns.read(all, db: db).last?.decode(column: "s", as: String.self) == "un\u{1F}deux\u{1E}trois")
            }
        }
    }

    static func expectSame(_ query: SQLQueryString, _ db: any SQLDatabase) async throws {
        let packed = try await columns.read(query, db: db), plain = try await db.raw(query).all()
        #expect(packed.count == plain.count)
        for (row, expected) in zip(packed, plain) {
            #expect(try row.decode(column: "id", as: Int64.self) == expected.decode(column: "id", as: Int64.self))
            #expect(try row.decode(column: "n", as: Int64.self) == expected.decode(column: "n", as: Int64.self))
            #expect(try row.decode(column: "s", as: String.self) == expected.decode(column: "s", as: String.self))
            #expect(try row.decode(column: "day", as: String?.self) == expected.decode(column: "day", as: String?.self))
            #expect(try row.decode(column: "ref", as: Int64?.self) == expected.decode(column: "ref", as: Int64?.self))
            #expect(try row.decodeNil(column: "ref") == expected.decodeNil(column: "ref"))
        }
    }

    @Test func aRowWithoutItsValuesIsNotUnpacked() throws {
        let good = "1\u{1F}-2\u{1F}x\u{1F}\u{1F}\u{1E}2\u{1F}3\u{1F}\u{1F}2026-01-02\u{1F}4"
        let rows = Self.columns.unpack(good)
        #expect(rows?.count == 2)
        #expect(try rows?[0].decode(column: "n", as: Int64.self) == -2)
        #expect(try rows?[0].decodeNil(column: "day") == true)
        #expect(try rows?[1].decode(column: "s", as: String.self) == "")
        #expect(try rows?[1].decode(column: "ref", as: Int64?.self) == 4)
        for bad in [
            "1\u{1F}2\u{1F}x\u{1F}",                           // a value short
            "1\u{1F}2\u{1F}x\u{1F}\u{1F}\u{1F}9",             // a value more
            "1\u{1F}\u{1F}x\u{1F}\u{1F}",                     // no integer where one must be
            "1\u{1F}2a\u{1F}x\u{1F}\u{1F}",                   // not an integer
            "1\u{1F}-\u{1F}x\u{1F}\u{1F}",
            "1\u{1F}9223372036854775808\u{1F}x\u{1F}\u{1F}",  // past Int64
        ] {
            #expect(Self.columns.unpack(bad) == nil, "\(bad.debugDescription)")
        }
    }
}
