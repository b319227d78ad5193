import Foundation
import SQLKit
import Testing
@testable import RecouvreStore

/// The reader of PostgreSQL's `json_agg` rows: what it reads, the same as JSONSerialization
/// reads it, and what it refuses.
@Suite struct JSONRowsTests {
    @Test func readsWhatJSONSerializationReads() throws {
        let text = #"""
            [{"id":9007199254740993,"s":"guillemets \" et \\ barre \/ ligne\nsuivante\ttab","u":"\u00e9t\u00C9 \ud83d\ude00 漢字 🙂","n":null,"b":true,"f":false,"d":-0.25,"e":1.5E+3,"z":0,"neg":-12},
             {"id" : 2 , "s" : "" , "u":"plain", "n": null, "b": false, "f": true, "d": 3, "e": 2e-2, "z": -0, "neg": 123456789012345678901234}]
            """#
        let rows = try JSONRows.parse(text)
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        #expect(rows.count == 2)
        for (row, object) in zip(rows, objects) {
            #expect(Set(row.allColumns) == Set(object.keys))
            for key in ["s", "u"] { #expect(try row.decode(column: key, as: String.self) == object[key] as? String) }
            #expect(try row.decodeNil(column: "n"))
            #expect(try row.decode(column: "b", as: Bool.self) == (object["b"] as? NSNumber)?.boolValue)
            #expect(try row.decode(column: "d", as: Double.self) == (object["d"] as? NSNumber)?.doubleValue)
            #expect(try row.decode(column: "e", as: Double.self) == (object["e"] as? NSNumber)?.doubleValue)
        }
        // Integers exactly, beyond a double's 53 bits too; one beyond 64 bits as the nearest real.
        #expect(try rows[0].decode(column: "id", as: Int64.self) == 9_007_199_254_740_993)
        #expect(try rows[0].decode(column: "neg", as: Int64.self) == -12 && rows[1].decode(column: "z", as: Int64.self) == 0)
        #expect(try rows[1].decode(column: "neg", as: Double.self) == 1.2345678901234568e23)
        #expect(try rows[0].decode(column: "u", as: String.self) == "étÉ 😀 漢字 🙂")
        #expect(try JSONRows.parse("[]").isEmpty && JSONRows.parse(" [ ] \n").isEmpty)
        #expect(try JSONRows.parse(#"[{}]"#)[0].allColumns.isEmpty)
    }

    @Test func refusesWhatIsNotAnArrayOfFlatObjects() {
        for text in ["", "{}", "[", "[{]", #"[{"a":1}"#, #"[{"a":1},]"#, #"[{"a":1}] x"#, #"[{"a" 1}]"#, #"[{"a":[1]}]"#, #"[{"a":{"b":1}}]"#,
                     #"[{"a":"open}]"#, #"[{"a":"\q"}]"#, #"[{"a":"\u12"}]"#, #"[{"a":"\ud83d"}]"#, #"[{"a":tru}]"#, #"[{"a":--1}]"#, #"[1]"#] {
            #expect(throws: StoreError.self, "\(text)") { try JSONRows.parse(text) }
        }
    }
}
