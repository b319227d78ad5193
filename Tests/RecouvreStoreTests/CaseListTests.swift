import Foundation
import RecouvreCore
import Testing
@testable import RecouvreStore

/// The case list's orders, filters and scopes, checked against the same answer computed in
/// Swift from every case of the demo portfolio.
@Suite struct CaseListTests {
    static let today = Day(year: 2026, month: 11, day: 23)!

    /// Every page of a list, following the cursors.
    func allPages(_ store: CaseStore, scope: CaseScope, filter: CaseFilter = CaseFilter(), sort: CaseSort, limit: Int = 97,
                  today: Day = Self.today) async throws -> [CaseSummary] {
        var out: [CaseSummary] = []
        var cursor: CaseCursor?
        repeat {
            let page = try await store.list(scope: scope, filter: filter, sort: sort, after: cursor, limit: limit, today: today)
            out += page.cases
            cursor = page.nextCursor
        } while cursor != nil
        return out
    }

    @Test(arguments: Backend.available)
    func ordersFiltersAndScopesAgreeWithTheFullList(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            _ = try await DemoPortfolio.load(into: db, today: Self.today)
            let store = CaseStore(db)
            let everything = try await allPages(store, scope: .agency, sort: .newest, limit: 500)
            #expect(everything.count > 1000 && Set(everything.map(\.id)).count == everything.count)
            #expect(everything.map(\.id) == everything.map(\.id).sorted(by: >))

            // Each order, walked page by page, is the whole list sorted by its key then id.
            let byBalance = try await allPages(store, scope: .agency, sort: .balance)
            #expect(byBalance.map(\.id) == everything.sorted { ($0.balance.minorUnits, $0.id) > ($1.balance.minorUnits, $1.id) }.map(\.id))
            let byDue = try await allPages(store, scope: .agency, sort: .oldestDue)
            let key = { (c: CaseSummary) in c.oldestDueOn?.iso ?? "9999-12-31" }
            #expect(byDue.map(\.id) == everything.sorted { (key($0), $0.id) < (key($1), $1.id) }.map(\.id))

            // Bands: each case is in exactly the band its balance and age say.
            for band in BalanceBand.allCases {
                let got = try await allPages(store, scope: .agency, filter: CaseFilter(balance: band), sort: .newest)
                #expect(got.map(\.id) == everything.filter { BalanceBand.of(balanceMinorUnits: $0.balance.minorUnits) == band }.map(\.id), "\(band)")
            }
            for band in AgeBand.allCases {
                let got = try await allPages(store, scope: .agency, filter: CaseFilter(age: band), sort: .balance)
                let expected = everything.filter { $0.oldestDueOn.map { AgeBand.of(oldestDue: $0, on: Self.today) } == band }
                #expect(Set(got.map(\.id)) == Set(expected.map(\.id)), "\(band)")
            }

            // Teams: an agent of the Paris team sees what its two agents hold, no more.
            let agents = try await UserStore(db).caseWorkers()
            let paris = Set(agents.filter { $0.team == "Paris" }.map(\.id))
            let parisCases = try await allPages(store, scope: .team("Paris"), sort: .newest)
            #expect(!parisCases.isEmpty && parisCases.allSatisfy { $0.agentID.map(paris.contains) == true })
            #expect(parisCases.count == everything.filter { $0.agentID.map(paris.contains) == true }.count)
            let leroy = try #require(agents.first { $0.login == "agent.leroy" })
            let lyon = try await allPages(store, scope: .agent(leroy.id), filter: CaseFilter(status: .amicable), sort: .balance)
            #expect(lyon.allSatisfy { $0.agentID == leroy.id && $0.status == .amicable })
            // One agent's cases in an age band, chosen by the filter and by the agent's own scope
            // (PostgreSQL reads their days through subqueries).
            for band in AgeBand.allCases {
                let expected = everything.filter { $0.agentID == leroy.id && $0.oldestDueOn.map { AgeBand.of(oldestDue: $0, on: Self.today) } == band }
                let chosen = try await allPages(store, scope: .agency, filter: CaseFilter(agentID: leroy.id, age: band), sort: .newest)
                let own = try await allPages(store, scope: .agent(leroy.id), filter: CaseFilter(age: band), sort: .oldestDue)
                #expect(chosen.map(\.id) == expected.map(\.id), "\(band)")
                #expect(Set(own.map(\.id)) == Set(expected.map(\.id)), "\(band)")
            }
            #expect(everything.contains { $0.agentID == leroy.id && $0.oldestDueOn.map { AgeBand.of(oldestDue: $0, on: Self.today) } == .from91to180 })
            let unassigned = try await allPages(store, scope: .agency, filter: CaseFilter(unassigned: true), sort: .newest)
            #expect(unassigned.allSatisfy { $0.agentID == nil && $0.status == .intake })
            #expect(try await store.detail(id: parisCases[0].id, scope: .agent(leroy.id)) == nil)

            // Next action due: only cases whose planned day has come.
            let due = parisCases[0].id, later = parisCases[1].id
            try await db.withConnection { db in
                try await db.raw("UPDATE cases SET next_action_on = \(bind: Self.today.iso) WHERE id = \(bind: due)").run()
                try await db.raw("UPDATE cases SET next_action_on = \(bind: Self.today.adding(days: 1).iso) WHERE id = \(bind: later)").run()
            }
            #expect(try await store.list(scope: .agency, filter: CaseFilter(actionDue: true), today: Self.today).cases.map(\.id) == [due])
            // In the oldest-due orders too, page by page, within a phase, and on a later day when
            // more are due: the cases whose day has come, in the order's key then id.
            func dueInOrder(on day: Day, _ phase: CaseStatus? = nil) async throws -> [Int64] {
                try await allPages(store, scope: .agency, sort: .newest, limit: 500)
                    .filter { c in c.nextActionOn.map { $0 <= day } == true && (phase == nil || c.status == phase) }
                    .sorted { (key($0), $0.id) < (key($1), $1.id) }.map(\.id)
            }
            let dueCase = try #require(everything.first { $0.id == due })
            #expect(try await dueInOrder(on: Self.today) == [due])
            for day in [Self.today, Self.today.adding(days: 1), Self.today.adding(days: 10)] {
                let expected = try await dueInOrder(on: day)
                #expect(try await allPages(store, scope: .agency, filter: CaseFilter(actionDue: true), sort: .oldestDue, limit: 7, today: day).map(\.id) == expected)
                let inPhase = try await dueInOrder(on: day, dueCase.status)
                #expect(try await allPages(store, scope: .agency, filter: CaseFilter(status: dueCase.status, actionDue: true), sort: .oldestDue, limit: 7, today: day)
                    .map(\.id) == inPhase)
            }
            #expect(try await dueInOrder(on: Self.today.adding(days: 1)).contains(later))
            #expect(try await dueInOrder(on: Self.today.adding(days: 10)).count > 7, "several pages")
            // A search by part of a debtor's name (on PostgreSQL through the trigram index).
            let target = everything[everything.count / 2]
            let part = String(target.debtorName.dropFirst(1).prefix(5))
            let found = try await allPages(store, scope: .agency, filter: CaseFilter(text: part), sort: .newest)
            #expect(found.contains { $0.id == target.id } && found.allSatisfy { $0.debtorName.lowercased().contains(part.lowercased()) }, "\(part)")
            // A search in each order, page by page, and within a phase and a team: the cases the
            // whole list has for that name, in the same order (a search sorts its ids first, then
            // reads their rows).
            let named = everything.filter { $0.debtorName.lowercased().contains("fontaine") }
            #expect(named.count > 20)
            func inOrder(_ cases: [CaseSummary], _ sort: CaseSort) -> [Int64] {
                switch sort {
                case .newest: cases.map(\.id).sorted(by: >)
                case .balance: cases.sorted { ($0.balance.minorUnits, $0.id) > ($1.balance.minorUnits, $1.id) }.map(\.id)
                case .oldestDue: cases.sorted { (key($0), $0.id) < (key($1), $1.id) }.map(\.id)
                }
            }
            let inPhaseAndTeam = named.filter { $0.status == .amicable && $0.agentID.map(paris.contains) == true }
            #expect(inPhaseAndTeam.count > 3)
            for sort in CaseSort.allCases {
                let got = try await allPages(store, scope: .agency, filter: CaseFilter(text: "fontaine"), sort: sort, limit: 7)
                #expect(got.map(\.id) == inOrder(named, sort), "\(sort)")
                let narrowed = try await allPages(store, scope: .team("Paris"), filter: CaseFilter(status: .amicable, text: "FONTAINE"), sort: sort, limit: 3)
                #expect(narrowed.map(\.id) == inOrder(inPhaseAndTeam, sort), "\(sort)")
            }
            // A text in more debtors' names than are listed says so (the page shows it); a narrower one does not.
            let debtors = try await count(db, "debtors")
            #expect(debtors > CaseStore.nameMatchLimit)
            #expect(try await store.list(scope: .agency, filter: CaseFilter(text: "e")).namesCut)
            #expect(try await !store.list(scope: .agency, filter: CaseFilter(text: part)).namesCut)
            if backend == .postgres {
                // The name search's statement lists the page from the very ids the search gives:
                // the debtors kept (the first 500 when more are named) and the invoices' cases.
                for text in ["e", "fontaine", part, "Fontaine SA", String(target.debtorName.suffix(6)), "zzzz qqqq"] {
                    let found = try await db.withConnection { db in
                        try await store.matches(text, db: db, listing: { debtors, cases in
                            "concat(array_to_string(\(unsafeRaw: debtors), ','), '|', array_to_string(\(unsafeRaw: cases), ','))"
                        })
                    }
                    let ids = found.debtorIDs.map(String.init).joined(separator: ",") + "|" + found.caseIDs.map(String.init).joined(separator: ",")
                    #expect(found.listed == ids, "\(text)")
                }
                let indexes = try await db.withConnection { db in
                    try await db.raw("SELECT indexname FROM pg_indexes WHERE tablename = 'debtors'").all().map { try $0.decode(column: "indexname", as: String.self) }
                }
                #expect(indexes.contains("debtors_name_trigrams"))
            }
            // Any letter case (PostgreSQL folds accented letters as its locale says, so only ASCII
            // ones are changed here); and a debtor renamed is found by its new name only (on SQLite
            // the trigram index follows the debtors table by triggers).
            let asciiUpper = String(part.map { $0.isASCII ? Character($0.uppercased()) : $0 })
            #expect(try await allPages(store, scope: .agency, filter: CaseFilter(text: asciiUpper), sort: .newest).contains { $0.id == target.id }, "\(part)")
            if backend == .sqlite {
                // SQLite's trigram index folds accented letters' case too.
                #expect(try await allPages(store, scope: .agency, filter: CaseFilter(text: "Ébul"), sort: .newest).isEmpty)
            }
            try await db.withConnection { db in
                try await db.raw("UPDATE debtors SET name = 'Quincaillerie Zébulon' WHERE id = (SELECT debtor_id FROM cases WHERE id = \(bind: target.id))").run()
            }
            let renamed = try await allPages(store, scope: .agency, filter: CaseFilter(text: "CAILLERIE Zéb"), sort: .newest)
            #expect(renamed.contains { $0.id == target.id } && renamed.allSatisfy { $0.debtorName == "Quincaillerie Zébulon" })
            #expect(try await !allPages(store, scope: .agency, filter: CaseFilter(text: part), sort: .newest).contains { $0.id == target.id })
            if backend == .sqlite { #expect(try await allPages(store, scope: .agency, filter: CaseFilter(text: "ÉBUL"), sort: .newest).contains { $0.id == target.id }) }
            #expect(try await allPages(store, scope: .agency, filter: CaseFilter(text: "Zé"), sort: .newest).contains { $0.id == target.id })

            // Assignment moves a case between scopes and is recorded.
            try await store.assign(caseID: due, to: leroy, actor: .user("chef"))
            #expect(try await store.detail(id: due, scope: .agent(leroy.id))?.events.first?.kind == .assigned)
            #expect(try await store.detail(id: due, scope: .team("Paris")) == nil)
            await #expect(throws: StoreError.self) { try await store.assign(caseID: due, to: User(id: 1, login: "x", displayName: "x", role: .lawyer), actor: .system) }
        }
    }

    @Test func cursorsAreReadBackOnlyForTheirOwnOrder() {
        #expect(CaseCursor("balance.120000.42", sort: .balance)?.id == 42)
        #expect(CaseCursor("balance.120000.42", sort: .newest) == nil)
        #expect(CaseCursor("oldestDue.2026-02-30.1", sort: .oldestDue) == nil)
        #expect(CaseCursor("newest..7", sort: .newest)?.description == "newest..7")
        #expect(CaseCursor("7", sort: .newest) == nil)
    }

    @Test func bandsCoverEveryAmountAndAgeOnce() {
        #expect(BalanceBand.of(balanceMinorUnits: -5) == .under500 && BalanceBand.of(balanceMinorUnits: 499_99) == .under500)
        #expect(BalanceBand.of(balanceMinorUnits: 500_00) == .from500to2000 && BalanceBand.of(balanceMinorUnits: 50_000_00) == .over50000)
        let today = Self.today
        #expect(AgeBand.of(oldestDue: today, on: today) == .upTo30 && AgeBand.of(oldestDue: today.adding(days: -31), on: today) == .from31to90)
        #expect(AgeBand.of(oldestDue: today.adding(days: -365), on: today) == .from181to365 && AgeBand.of(oldestDue: today.adding(days: -366), on: today) == .over365)
        for band in AgeBand.allCases {
            let (earliest, latest) = band.dueDays(on: today)
            if let latest { #expect(AgeBand.of(oldestDue: latest, on: today) == band) }
            if let earliest { #expect(AgeBand.of(oldestDue: earliest, on: today) == band) }
        }
    }
}
