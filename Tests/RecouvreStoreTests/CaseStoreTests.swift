import Foundation
import RecouvreCore
import Testing
@testable import RecouvreStore

@Suite struct CaseStoreTests {
    func twoCreditors(_ db: Database) async throws -> (Int64, Int64) {
        let a = try await addCreditor(db, code: "ACME")
        let b = try await addCreditor(db, code: "BETA")
        // The same company owes both creditors.
        _ = try await importText(db, header + "A1;Garage Martin;443061841;3 rue Pasteur;69003;Lyon;;01/02/2026;03/03/2026;100;;EUR\n", creditor: "ACME")
        _ = try await importText(db, header + "B1;GARAGE MARTIN SARL;443061841;3 rue Pasteur;69003;Lyon;;01/02/2026;03/03/2026;200;;EUR\nB2;Autre SA;552032534;1 rue;75001;Paris;;01/02/2026;03/03/2026;5;;EUR\n", creditor: "BETA")
        return (a.id, b.id)
    }

    @Test(arguments: Backend.available)
    func migrationsAreIdempotent(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            let applied = try await Migrations.migrate(db)
            #expect(applied == [])
        }
    }

    @Test(arguments: Backend.available)
    func scopeLimitsACreditorToItsCases(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            let (a, b) = try await twoCreditors(db)
            let store = CaseStore(db)
            let all = try await store.list(scope: .agency).cases
            #expect(all.count == 3)
            let mine = try await store.list(scope: .creditor(a)).cases
            #expect(mine.count == 1 && mine[0].creditorName == "ACME SAS")
            let theirs = try await store.list(scope: .creditor(b)).cases
            #expect(try await store.detail(id: theirs[0].id, scope: .creditor(a)) == nil)
            #expect(try await store.list(scope: .creditor(a), filter: CaseFilter(creditorID: b)).cases.isEmpty)
            #expect(try await store.countsByStatus(scope: .creditor(a)) == [.intake: 1])
            await #expect(throws: StoreError.self) {
                try await store.transition(caseID: theirs[0].id, to: .investigation, reason: "x", actor: .system, scope: .creditor(a))
            }
            // Across creditors the agency sees one debtor with two cases; a creditor sees only its own.
            let detail = try #require(try await store.detail(id: mine[0].id, scope: .agency))
            #expect(detail.history.entries.count == 2 && detail.history.creditorCount == 2)
            let scoped = try #require(try await store.detail(id: mine[0].id, scope: .creditor(a)))
            #expect(scoped.history.entries.count == 1)
        }
    }

    /// The list and the case page name each case's creditor from the creditors kept in memory;
    /// one created by another process (the command line) after they were kept is read at once.
    @Test(arguments: Backend.available)
    func aCreditorAddedElsewhereIsNamedAtOnce(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, location in
            _ = try await twoCreditors(db)
            let store = CaseStore(db)
            #expect(Set(try await store.list(scope: .agency).cases.map(\.creditorName)) == ["ACME SAS", "BETA SAS"])
            let elsewhere = try await Database.open(location, maxConnections: 1)
            _ = try await addCreditor(elsewhere, code: "GAMMA")
            _ = try await importText(elsewhere, header + "G1;Garage Martin;443061841;3 rue Pasteur;69003;Lyon;;01/02/2026;03/03/2026;50;;EUR\n", creditor: "GAMMA")
            await elsewhere.close()
            let cases = try await store.list(scope: .agency).cases
            #expect(cases.map(\.creditorName).sorted() == ["ACME SAS", "BETA SAS", "BETA SAS", "GAMMA SAS"])
            let gamma = try #require(cases.first { $0.creditorName == "GAMMA SAS" })
            #expect(try await store.detail(id: gamma.id, scope: .agency)?.creditor.name == "GAMMA SAS")
        }
    }

    /// The list reads the debtor's name and kind from the case (migration 22): copied from the
    /// debtors there when the migration runs, onto each new case, and onto every case of a
    /// debtor renamed, whoever writes.
    @Test(arguments: Backend.available)
    func theDebtorsNameIsKeptOnItsCases(_ backend: Backend) async throws {
        try await withTestDatabase(backend, migratedUpTo: 21) { db, _ in
            _ = try await twoCreditors(db)
            #expect(try await Migrations.migrate(db).contains(22))
            let store = CaseStore(db)
            func names() async throws -> [String] {
                try await store.list(scope: .agency).cases.map { "\($0.debtorName) (\($0.debtorKind))" }.sorted()
            }
            #expect(try await names() == ["Autre SA (company)", "Garage Martin (company)", "Garage Martin (company)"])
            _ = try await importText(db, header + "A2;Jeanne Roux;;8 rue Neuve;75011;Paris;;01/02/2026;03/03/2026;30;;EUR\n")
            #expect(try await names() == ["Autre SA (company)", "Garage Martin (company)", "Garage Martin (company)", "Jeanne Roux (consumer)"])
            try await db.withConnection {
                try await $0.raw("UPDATE debtors SET name = 'Garage Martin et Fils' WHERE siren = '443061841'").run()
                try await $0.raw("UPDATE debtors SET kind = 'company' WHERE name = 'Jeanne Roux'").run()
            }
            #expect(try await names() == ["Autre SA (company)", "Garage Martin et Fils (company)", "Garage Martin et Fils (company)", "Jeanne Roux (company)"])
            let found = try await store.list(scope: .agency, filter: CaseFilter(text: "et fils")).cases
            #expect(found.count == 2)
            #expect(try await store.detail(id: found[0].id, scope: .agency)?.debtor.name == "Garage Martin et Fils")
        }
    }

    @Test(arguments: Backend.available)
    func filtersAndPages(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            _ = try await addCreditor(db)
            _ = try await importText(db, peopleFile(prefix: "P", count: 7, surname: " Dupuis"))
            let store = CaseStore(db)
            let first = try await store.list(scope: .agency, limit: 3)
            #expect(first.cases.count == 3 && first.nextCursor != nil)
            let second = try await store.list(scope: .agency, after: first.nextCursor, limit: 3)
            let third = try await store.list(scope: .agency, after: second.nextCursor, limit: 3)
            #expect(third.cases.count == 1 && third.nextCursor == nil)
            #expect(Set((first.cases + second.cases + third.cases).map(\.id)).count == 7)
            #expect(try await store.list(scope: .agency, filter: CaseFilter(text: "client 3")).cases.map(\.debtorName) == ["Client 3 Dupuis"])
            // Blanks around a text, a pasted no-break space among them, are not part of it.
            #expect(try await store.list(scope: .agency, filter: CaseFilter(text: " \u{00A0}client 3\t")).cases.map(\.debtorName) == ["Client 3 Dupuis"])
            #expect(try await store.list(scope: .agency, filter: CaseFilter(text: "P5")).cases.map(\.debtorName) == ["Client 5 Dupuis"])
            // A text that is an invoice's reference and part of another debtor's name finds both.
            try await db.withConnection { try await $0.raw("UPDATE debtors SET name = 'Garage P5 Bis' WHERE name = 'Client 2 Dupuis'").run() }
            #expect(try await Set(store.list(scope: .agency, filter: CaseFilter(text: "P5")).cases.map(\.debtorName)) == ["Client 5 Dupuis", "Garage P5 Bis"])
            // The same through each of the name search's ways (PostgreSQL reads the invoices with
            // its first statement): a word of three letters or more, and a text with a space.
            try await db.withConnection { try await $0.raw("UPDATE claims SET invoice_ref = 'Bis' WHERE invoice_ref = 'P6'").run() }
            try await db.withConnection { try await $0.raw("UPDATE claims SET invoice_ref = 'Client 4' WHERE invoice_ref = 'P0'").run() }
            #expect(try await Set(store.list(scope: .agency, filter: CaseFilter(text: "Bis")).cases.map(\.debtorName)) == ["Client 6 Dupuis", "Garage P5 Bis"])
            let found = try await Set(store.list(scope: .agency, filter: CaseFilter(text: "Client 4")).cases.map(\.debtorName))
            #expect(found == ["Client 0 Dupuis", "Client 4 Dupuis"])
            // A name holding the packed rows' separator is listed as it is (PostgreSQL reads that
            // page again unpacked, `PackedColumns`).
            try await db.withConnection { try await $0.raw("UPDATE debtors SET name = \(bind: "Garage\u{1F}Sépia") WHERE name = 'Client 1 Dupuis'").run() }
            #expect(try await store.list(scope: .agency, filter: CaseFilter(text: "sépia")).cases.map(\.debtorName) == ["Garage\u{1F}Sépia"])
            let id = first.cases[0].id
            #expect(try await store.list(scope: .agency, filter: CaseFilter(text: CaseReference(caseID: id).description)).cases.map(\.id) == [id])
            #expect(try await store.list(scope: .agency, filter: CaseFilter(status: .amicable)).cases.isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func transitionsAreCheckedAndRecorded(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            _ = try await twoCreditors(db)
            let store = CaseStore(db)
            let id = try await store.list(scope: .agency).cases[0].id
            try await store.transition(caseID: id, to: .investigation, reason: "Dossier complet", actor: .user("alice"))
            try await store.transition(caseID: id, to: .suspended, suspensionReason: .dispute, reason: "Contestation reçue", actor: .user("alice"))
            await #expect(throws: LifecycleError.self) { try await store.transition(caseID: id, to: .paid, reason: "x", actor: .system) }
            try await store.transition(caseID: id, to: .investigation, reason: "Le créancier maintient sa créance", actor: .user("bob"))
            try await store.saveInvestigation(caseID: id, Investigation(reason: .cashFlowDifficulty, reasonNotes: "Retard de trésorerie",
                                                                         solvency: .fragile, sources: ["Infogreffe"]), actor: .user("bob"))
            let d = try #require(try await store.detail(id: id, scope: .agency))
            #expect(d.lifecycle.status == .investigation)
            #expect(d.investigation?.solvency == .fragile && d.investigation?.sources == ["Infogreffe"])
            let transitions = d.events.filter { $0.kind == .transition }
            #expect(transitions.map(\.toStatus) == [.investigation, .suspended, .investigation])
            #expect(transitions[1].text == "[dispute] Contestation reçue")
            #expect(d.events.first?.kind == .investigationUpdated)
            // Closing frees the (creditor, debtor) slot: a new claim opens a new case.
            try await store.transition(caseID: id, to: .returnedToCreditor, reason: "Mandat retiré", actor: .user("bob"))
            let siren = try #require(d.debtor.siren?.value)
            let summary = try await importText(db, header + "A9;\(d.debtor.name);\(siren);3 rue Pasteur;69003;Lyon;;01/05/2026;03/06/2026;10;;EUR\n",
                                               creditor: d.creditor.code)
            #expect(summary.casesOpened == 1)
        }
    }

    @Test(arguments: Backend.available)
    func historyIsAppendOnly(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            _ = try await twoCreditors(db)
            await #expect(throws: (any Error).self) { try await db.withConnection { try await $0.raw("UPDATE case_events SET text = 'x'").run() } }
            await #expect(throws: (any Error).self) { try await db.withConnection { try await $0.raw("DELETE FROM case_events").run() } }
            #expect(try await count(db, "case_events") > 0)
        }
    }

    @Test(arguments: Backend.available)
    func creditorsNeedACompleteMandate(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            let store = CreditorStore(db)
            var new = NewCreditor(code: "x", name: "X", address: PostalAddress(),
                                  mandate: Mandate(reference: "M", signedOn: today, claimsCovered: "", guarantee: "g",
                                                   commission: Commission(rateOfCollected: .percent(10)), remittance: RemittanceTerms()))
            await #expect { try await store.create(new) } throws: { String(describing: $0).contains("R124-3") }
            new.mandate.claimsCovered = "Toutes factures"
            let c = try await store.create(new)
            #expect(c.code == "X" && c.mandate.commission.rateOfCollected == .percent(10))
            await #expect(throws: StoreError.conflict("a creditor with code X already exists")) { try await store.create(new) }
            #expect(try await store.find(code: "x")?.id == c.id)
        }
    }

    @Test(arguments: Backend.available)
    func demoPortfolioLoads(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            let r = try await DemoPortfolio.load(into: db, today: today)
            #expect(r.creditors == 4 && r.cases > 2000 && r.events > 2000)
            let counts = try await CaseStore(db).countsByStatus(scope: .agency)
            for status in CaseStatus.allCases where status != .returnedToCreditor { #expect((counts[status] ?? 0) > 0, "\(status)") }
        }
    }

    @Test func databaseURLs() throws {
        #expect(try DatabaseLocation(url: "sqlite:data/x.sqlite") == .sqlite(path: "data/x.sqlite"))
        #expect(try DatabaseLocation(url: "x.sqlite") == .sqlite(path: "x.sqlite"))
        guard case let .postgres(s) = try DatabaseLocation(url: "postgres://app:secret@db.local:6543/recouvre") else { Issue.record("not postgres"); return }
        #expect(s.host == "db.local" && s.port == 6543 && s.user == "app" && s.password == "secret" && s.database == "recouvre")
        #expect(!DatabaseLocation.postgres(s).description.contains("secret"))
        #expect(throws: StoreError.self) { try DatabaseLocation(url: "mysql://x/y") }
        #expect(try DatabaseLocation.fromEnvironment([:]) == .sqlite(path: "recouvre.sqlite"))
    }
}
