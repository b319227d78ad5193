import Foundation
import SQLKit
import Testing
@testable import RecouvreStore

/// `RowSets.read` gives each set the rows, in the order and number, that its read alone gives,
/// and their values as the plain rows read them — on PostgreSQL through one statement's JSON.
@Suite struct RowSetsTests {
    @Test(arguments: Backend.available)
    func setsReadTogetherAreTheRowsReadAlone(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            try await db.withConnection { db in
                try await db.raw("CREATE TABLE rs (id BIGINT PRIMARY KEY, grp BIGINT NOT NULL, s TEXT, b BOOLEAN, d DOUBLE PRECISION, day TEXT)").run()
                let texts = ["plain", "guillemets \" et \\ barre", "ligne\nsuivante\ttab", "accents é ü 漢字 🙂", "", "12"]
                // Ids above 2^53 (not exact as a double): JSON must bring them back to the unit.
                for (i, text) in texts.enumerated() {
                    try await db.raw("""
                        INSERT INTO rs VALUES (\(bind: Int64(i + 1) * 1_800_000_000_000_001), \(bind: Int64(i % 2)), \(bind: text), \(bind: i % 3 == 0),
                          \(bind: Double(i) + 0.25), \(bind: i == 4 ? String?.none : "2026-11-\(10 + i)"))
                        """).run()
                }
                let sets = [
                    RowSet(select: "SELECT * FROM rs WHERE grp = \(bind: Int64(0))", order: "id DESC"),
                    RowSet(select: "SELECT id, s, day FROM rs WHERE grp = \(bind: Int64(1))", order: "day, id", limit: 2),
                    RowSet(select: "SELECT * FROM rs WHERE grp = \(bind: Int64(9))", order: "id"),
                ]
                let together = try await RowSets.read(sets, db: db)
                #expect(together.map(\.count) == [3, 2, 0])
                let alone = [
                    try await db.raw("SELECT * FROM rs WHERE grp = 0 ORDER BY id DESC").all(),
                    try await db.raw("SELECT id, s, day FROM rs WHERE grp = 1 ORDER BY day, id LIMIT 2").all(),
                ]
                for (rows, plain) in zip(together, alone) {
                    for (row, expected) in zip(rows, plain) {
                        #expect(try row.decode(column: "id", as: Int64.self) == expected.decode(column: "id", as: Int64.self))
                        #expect(try row.decode(column: "s", as: String.self) == expected.decode(column: "s", as: String.self))
                        #expect(try row.decode(column: "day", as: String?.self) == expected.decode(column: "day", as: String?.self))
                        #expect(try row.decodeNil(column: "day") == expected.decodeNil(column: "day"))
                        if expected.contains(column: "b") {
                            #expect(try row.decode(column: "b", as: Bool.self) == expected.decode(column: "b", as: Bool.self))
                            #expect(try row.decode(column: "d", as: Double.self) == expected.decode(column: "d", as: Double.self))
                        }
                    }
                }
                #expect(try together[0].map { try $0.decode(column: "id", as: Int64.self) } == [5, 3, 1].map { Int64($0) * 1_800_000_000_000_001 })
                #expect(try together[1].map { try $0.decode(column: "s", as: String.self) } == ["guillemets \" et \\ barre", "accents é ü 漢字 🙂"])
                #expect(throws: (any Error).self) { try together[0][0].decode(column: "absent", as: String.self) }
            }
        }
    }
}
