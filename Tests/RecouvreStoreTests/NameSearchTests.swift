import Foundation
import RecouvreCore
import SQLKit
import Testing
@testable import RecouvreStore

/// The debtors a search text names. On PostgreSQL the words' list (migration 21) must find
/// exactly what ILIKE over every name finds, whichever of its paths a text takes.
@Suite struct NameSearchTests {
    @Test func aTextIsCutIntoPiecesOfWords() {
        #expect(NameWords("fontaine").pieces == [.init(text: "fontaine", fit: .inside)])
        #expect(!NameWords("fontaine").needsCheck)
        let rare = NameWords("rin SAS 77735")
        #expect(rare.pieces == [.init(text: "rin", fit: .end), .init(text: "SAS", fit: .whole), .init(text: "77735", fit: .start)])
        #expect(rare.needsCheck)
        // Two spaces: the empty word between them is no piece, its neighbours still end and begin words.
        #expect(NameWords("Marie  Dupont").pieces == [.init(text: "Marie", fit: .end), .init(text: "Dupont", fit: .start)])
        #expect(NameWords(" sas ").pieces == [.init(text: "sas", fit: .whole)])
        // The end or a part of a word needs a trigram: three letters or digits in a row.
        #expect(NameWords("e").searchable.isEmpty)
        #expect(NameWords("d'a").searchable.isEmpty)
        #expect(NameWords("d'arc").searchable.count == 1)
        #expect(NameWords("ab c").searchable == [.init(text: "c", fit: .start)])
        // SQLite's words: ASCII letters lowered as its lower() does, cut at the space byte.
        #expect(NameWords.sqliteWords(ofName: "Établissements DURAND  Frères \u{301}x DURAND")
            == ["Établissements", "durand", "frères", "\u{301}x"])
    }

    static let names = [
        "Garage Fontaine SAS 77735", "Transports Fontaine EURL 1", "Lafontaine Marie", "Marie  Dupont", "Marie Dupont",
        "Jean-Pierre D'Arc", "Zoé ÉTIENNE", #"Back\slash Ltd"#, "Fontaine Fontaines Fontainebleau", "Perrin SAS 77735",
        "SAS", "Martin SAS 1234", "Boulangerie Lefèvre SA", "100% Bio SARL", "Tab\tSéparé",
    ]

    static let texts = [
        "fontaine", "FONTAINE", "ontain", "rin SAS 77735", "SAS 77735", "taine SA", "Marie  Dupont", "Marie Dupont",
        "marie", "d'arc", "-pierre", "é", "étienne", "ÉTIENNE", #"back\slash"#, #"\s"#, "sas", "as 7", "e", "zz",
        "fontaine fontaine", "Fontaine Fontainebleau", "aines Fontaineb", "S", "1", "bio s", "100", "tab\tsé", "Tab Sé",
        "lefèvre sa", "ine ", " Mar",
    ]

    func add(_ names: [String], _ db: Database) async throws -> [String: Int64] {
        try await db.withConnection { db in
            var ids: [String: Int64] = [:]
            for (i, name) in names.enumerated() {
                ids[name] = try await db.raw("""
                    INSERT INTO debtors (match_key, kind, name, created_at) VALUES (\(bind: "k\(UUID().uuidString)-\(i)"), 'company', \(bind: name), '2026-11-23')
                    RETURNING id
                    """).first()!.decode(column: "id", as: Int64.self)
            }
            return ids
        }
    }

    /// What PostgreSQL's ILIKE over every name finds (the answer before the words' list), or
    /// letter case aside in Swift on SQLite.
    func expected(_ text: String, _ names: [String: Int64], _ backend: Backend, _ db: Database) async throws -> Set<Int64> {
        let bare = text.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "")
        guard backend == .postgres else {
            return Set(names.filter { $0.key.lowercased().contains(bare.lowercased()) }.values)
        }
        let pattern = "%" + bare.replacingOccurrences(of: "\\", with: "\\\\") + "%"
        return try await db.withConnection { db in
            try Set(await db.raw("SELECT id FROM debtors WHERE name ILIKE \(bind: pattern)").all().map { try $0.decode(column: "id", as: Int64.self) })
        }
    }

    @Test(arguments: Backend.available)
    func everyTextFindsWhatTheNamesHold(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            var names = try await add(Self.names, db)
            let store = CaseStore(db)
            func check(_ texts: [String], limit: Int = 1000) async throws {
                for text in texts {
                    let found = try await db.withConnection { try await store.debtorsNamed(text, limit: limit, db: $0).debtors }
                    #expect(Set(found).count == found.count, "\(text): twice")
                    let want = try await expected(text, names, backend, db)
                    if want.count <= limit {
                        #expect(Set(found) == want, "\(text)")
                    } else {
                        #expect(found.count == limit && Set(found).isSubset(of: want), "\(text)")
                    }
                }
            }
            // SQLite's trigram index folds accented capitals too; ILIKE only as its locale says,
            // so those texts are compared with the database's own answer on PostgreSQL only.
            try await check(backend == .postgres ? Self.texts : Self.texts.filter { $0.allSatisfy { $0.isASCII } })

            // Common words: 250 names each with "Common" and "Word" make every piece of
            // "common word" too common to check name by name (the trigram index answers), and
            // "word 2" still has a rare piece. Two names with five words holding "aab": twice a
            // limit of 3 read in the words' order is 2 debtors, and they are read again as such.
            // "mmon Word 1": its whole word and beginning find 100 debtors or more, so its end
            // "mmon" is counted too; "intet0 aab1": "aab1" finds 2, and "intet0" is not counted.
            let common = (0..<250).map { "Common Word \($0)" } + (0..<2).map { "Quintet\($0) aab1 aab2 aab3 aab4 aab5" }
            for (name, id) in try await add(common, db) { names[name] = id }
            try await check(["common word", "Common Word 2", "word 2", "aab", "on wo", "quintet", "mon", "mmon Word 1", "intet0 aab1"])
            try await check(["common word", "aab", "mon", "Word 1"], limit: 3)

            // A debtor renamed is found by its new words only, one removed not at all.
            let garage = try #require(names["Garage Fontaine SAS 77735"]), perrin = try #require(names["Perrin SAS 77735"])
            try await db.withConnection { db in
                try await db.raw("UPDATE debtors SET name = 'Quincaillerie Zébulon 77735' WHERE id = \(bind: garage)").run()
                try await db.raw("UPDATE debtors SET city = 'Lyon'").run()
                try await db.raw("DELETE FROM debtors WHERE id = \(bind: perrin)").run()
            }
            names["Garage Fontaine SAS 77735"] = nil
            names["Quincaillerie Zébulon 77735"] = garage
            names["Perrin SAS 77735"] = nil
            try await check(["fontaine", "rin SAS 77735", "SAS 77735", "zébulon", "lerie Zébulon 7", "77735"])
            do {
                let words = try await db.withConnection { db in
                    try await db.raw("SELECT word FROM debtor_name_words WHERE debtor_id = \(bind: garage) ORDER BY word").all().map { try $0.decode(column: "word", as: String.self) }
                }
                #expect(words == ["77735", "quincaillerie", "zébulon"])
                let removed = try await db.withConnection { db in
                    try await db.raw("SELECT count(*) AS n FROM debtor_name_words WHERE debtor_id = \(bind: perrin)").first()!.decode(column: "n", as: Int.self)
                }
                #expect(removed == 0)
            }
        }
    }

    /// The words' list holds every debtor's words whoever wrote them: a migration over debtors
    /// already there, the intake (which writes its new debtors' words itself, a batch at a time,
    /// on SQLite, migration 23), an import that fails (nothing, and no mark left), a debtor added
    /// alone after it.
    @Test(arguments: Backend.available)
    func theWordsFollowEveryWriter(_ backend: Backend) async throws {
        try await withTestDatabase(backend, migratedUpTo: 22) { db, _ in
            _ = try await add(["Avant  la Migration SAS"], db)
            try await Migrations.migrate(db)
            _ = try await addCreditor(db)
            let file = peopleFile(prefix: "W", count: 7, surname: " Durand SARL") + "W99;Établissements DURAND  Frères;;9 rue;75001;Paris;;01/01/2026;31/01/2026;10;;EUR\n"
            let imported = try await importText(db, file)
            #expect(imported.debtorsCreated == 8)
            await #expect(throws: (any Error).self) {
                try await importText(db, peopleFile(prefix: "X", count: 7, surname: " Echec SA"), failAfter: 4)
            }
            _ = try await add(["Apres l'Import EURL"], db)
            let (names, words) = try await db.withConnection { db in
                (try await db.raw("SELECT id, name FROM debtors").all().map { (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "name", as: String.self)) },
                 try await db.raw("SELECT word, debtor_id FROM debtor_name_words").all().map { "\(try $0.decode(column: "word", as: String.self)) \(try $0.decode(column: "debtor_id", as: Int64.self))" })
            }
            #expect(names.count == 10)
            // lower() folds only ASCII letters on SQLite, every letter in most PostgreSQL locales.
            let ascii = names.filter { $0.1.allSatisfy(\.isASCII) }
            let want = ascii.flatMap { id, name in Set(name.lowercased().split(separator: " ")).map { "\($0) \(id)" } }
            #expect(words.filter { w in ascii.contains { w.hasSuffix(" \($0.0)") } }.sorted() == want.sorted())
            if backend == .sqlite, let id = names.first(where: { $0.1.hasPrefix("Établissements") })?.0 {
                #expect(words.filter { $0.hasSuffix(" \(id)") }.sorted() == ["durand \(id)", "frères \(id)", "Établissements \(id)"].sorted())
            }
            if backend == .sqlite { #expect(try await count(db, "debtor_name_words_deferred") == 0) }
            // Found through the words: "durand", a whole word of 7 names, which are checked.
            let found = try await db.withConnection { try await CaseStore(db).debtorsNamed("3 Durand SARL", limit: 10, db: $0).debtors }
            #expect(found == names.filter { $0.1 == "Client 3 Durand SARL" }.map(\.0))
        }
    }
}
