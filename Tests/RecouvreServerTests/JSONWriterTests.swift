import Foundation
import RecouvreCore
@testable import RecouvreStore
import Testing
@testable import RecouvreServer

/// The API's case page written by `JSONWriter` is the document `JSONEncoder` (sorted keys) gives.
@Suite struct JSONWriterTests {
    static func summary(_ id: Int64, debtor: String, agent: Int64?, due: Day?) -> CaseSummary {
        CaseSummary(id: id, reference: CaseReference(caseID: id).description, creditorName: "Matériaux \"Bâti\" Pro / Sud",
                    debtorName: debtor, debtorKind: "company", status: .amicable,
                    claimed: Money(minorUnits: 1_234_567, currency: .eur), paid: Money(minorUnits: -5, currency: .eur), claimCount: 3,
                    oldestDueOn: due, openedOn: Day(year: 2026, month: 1, day: 31)!, agentID: agent, nextActionOn: due)
    }

    @Test func aPageOfCasesIsWhatJSONEncoderWrites() throws {
        let names = ["L'Atelier d'Artois", "back\\slash \"quoted\"", "ligne\nsuivante\ttab\r\u{1}\u{1F}\u{7F}", "accents é ü 漢字 🙂", ""]
        let cases = names.enumerated().map { i, name in
            Self.summary(Int64(i + 1), debtor: name, agent: i % 2 == 0 ? Int64(i) : nil, due: i % 2 == 0 ? nil : Day(year: 2025, month: 12, day: i + 1))
        }
        for page in [CasePage(cases: cases, nextCursor: CaseCursor(sort: .balance, after: cases[4])), CasePage(cases: [], nextCursor: nil)] {
            struct Body: Encodable { let cases: [API.CaseJSON]; let next_cursor: Nullable<String> }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let expected = try encoder.encode(Body(cases: page.cases.map(API.CaseJSON.init), next_cursor: Nullable(page.nextCursor?.description)))
            let written = Data(API.casePageJSON(page))
            // The same document, key for key and value for value (JSONEncoder also writes "/" as "\/").
            let a = try JSONSerialization.jsonObject(with: written) as! NSDictionary
            let b = try JSONSerialization.jsonObject(with: expected) as! NSDictionary
            #expect(a == b)
            // And the same text but for that "\/".
            #expect(String(decoding: written, as: UTF8.self) == String(decoding: expected, as: UTF8.self).replacingOccurrences(of: "\\/", with: "/"))
        }
    }
}
