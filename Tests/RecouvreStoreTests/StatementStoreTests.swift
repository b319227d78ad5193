import Foundation
import RecouvreCore
import Testing
@testable import RecouvreStore

/// Validates `xml` against an ISO 20022 schema of `Tests/Schemas/iso20022` with xmllint; returns
/// xmllint's complaint, nil when the file is valid.
func schemaProblem(_ xml: String, schema: String) throws -> String? {
    let schemas = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Schemas/iso20022")
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("recouvre-\(UUID().uuidString).xml")
    try xml.write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
    p.arguments = ["--noout", "--schema", schemas.appendingPathComponent(schema).path, file.path]
    let err = Pipe()
    p.standardError = err
    p.standardOutput = Pipe()
    try p.run()
    let output = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return p.terminationStatus == 0 ? nil : output
}

@Suite struct StatementStoreTests {
    let rates = InterestRates.shipped
    let noon = Instant(millisecondsSinceEpoch: Int64(today.daysSinceEpoch) * 86_400_000 + 11 * 3_600_000)
    let account = try! IBAN("FR7630006000011234567890189")
    func day(_ y: Int, _ m: Int, _ d: Int) -> Day { Day(year: y, month: m, day: d)! }

    /// A statement as a bank sends it: two single credits, a batch of two, a debit, a pending entry.
    func sample(_ version: StatementGenerator.Version) -> String {
        typealias T = StatementGenerator.Transaction
        return StatementGenerator.write(messageID: "MSG-20261120", statementID: "STMT-2026-320", account: account, on: day(2026, 11, 20), openingCents: 1_000_00, entries: [
            .init(reference: "E1", bookedOn: day(2026, 11, 19), transactions: [T(cents: 1_250_00, payer: "GARAGE MARTIN", payerIBAN: "FR7630004000031234567890143",
                                                                                 remittance: "Facture A1 ref RC-0000001")]),
            .init(reference: "E2", bookedOn: day(2026, 11, 19), transactions: [T(cents: 7, payer: "Dupont & Fils <SARL>", remittance: "acompte")]),
            .init(reference: "E3", bookedOn: day(2026, 11, 20), transactions: [T(cents: 100_00, payer: "A", remittance: "RC 2"), T(cents: 50_50, payer: "B", remittance: "rc3")]),
            .init(reference: "E4", bookedOn: day(2026, 11, 20), debit: true, transactions: [T(cents: 300_00, payer: "Cabinet", remittance: "reversement")]),
            .init(reference: "E5", bookedOn: day(2026, 11, 20), status: "PDNG", transactions: [T(cents: 999_00, payer: "X", remittance: "RC-9")]),
        ], version: version)
    }

    @Test(arguments: StatementGenerator.Version.allCases)
    func statementsAsBanksSendThemValidateAndReadBack(_ version: StatementGenerator.Version) throws {
        let xml = sample(version)
        #expect(try schemaProblem(xml, schema: "camt.053.\(version.rawValue).xsd") == nil)
        let s = try Camt053Reader.read(Array(xml.utf8)).get()
        #expect(s.messageID == "MSG-20261120" && s.statementID == "STMT-2026-320" && s.accountIBAN == account.value)
        #expect(s.credits.map(\.entryReference) == ["E1", "E2", "E3-1", "E3-2"])
        #expect(s.credits.map(\.cents) == [125_000, 7, 10_000, 5_050])
        #expect(s.credits[0].debtorName == "GARAGE MARTIN" && s.credits[0].debtorIBAN == "FR7630004000031234567890143")
        #expect(s.credits[0].remittance == "Facture A1 ref RC-0000001" && s.credits[0].bookedOn == day(2026, 11, 19))
        #expect(s.credits[1].debtorName == "Dupont & Fils <SARL>")
        #expect(s.debitsSkipped == 1 && s.pendingSkipped == 1 && s.problems.isEmpty)
    }

    @Test func aBadEntryIsReportedWithItsLineWhileTheOthersLand() throws {
        var xml = sample(.v02)
        xml = xml.replacingOccurrences(of: "<Amt Ccy=\"EUR\">0.07</Amt>", with: "<Amt Ccy=\"EUR\">0,07</Amt>")
        let s = try Camt053Reader.read(Array(xml.utf8)).get()
        #expect(s.credits.map(\.entryReference) == ["E1", "E3-1", "E3-2"])
        let line = xml.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("<NtryRef>E2<") }! + 1
        #expect(s.problems == [StatementProblem(line: line, reason: "montant illisible ou nul (0,07)")])

        #expect(throws: StatementFileError.notCamt053(namespace: "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02")) {
            try Camt053Reader.read(Array("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.008.001.02\"/>".utf8)).get()
        }
        guard case .failure(.notXML(let l, _)) = Camt053Reader.read(Array("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n<BkToCstmrStmt>\n</Document>".utf8)) else {
            Issue.record("a broken file is not XML"); return
        }
        #expect(l == 3)
    }

    @Test func creditsAreMatchedByReferenceThenAccountThenAmountAndName() {
        func c(_ id: Int64, _ name: String, _ balance: Int64, _ status: CaseStatus = .amicable) -> CreditMatch.Candidate {
            CreditMatch.Candidate(caseID: id, lifecycle: CaseLifecycle(status: status), debtorName: name, principalBalanceCents: balance)
        }
        #expect(CreditMatch.caseReferences(in: "Fact. 12 RC-0000042 et rc 7, src99 RC12X RC-0000042") == [CaseReference(caseID: 42), CaseReference(caseID: 7)])
        #expect(CreditMatch.sameName("SARL BOULANGERIE DUPONT", "Boulangerie Dupont") && CreditMatch.sameName("DUPONT JEAN", "M. Jean Dupont"))
        #expect(!CreditMatch.sameName("DUPONT JEAN", "Jean Durand") && !CreditMatch.sameName("SARL", "SAS"))

        let credit = BankCredit(entryReference: "E", bookedOn: day(2026, 11, 2), cents: 500_00, debtorName: "JEAN DUPONT", remittance: "RC-0000042")
        #expect(CreditMatch.decide(credit, referenced: [c(42, "X", 1)], ofAccount: [], sameAmount: []) == .book(caseID: 42, because: "référence RC-0000042 dans le libellé"))
        guard case .queue(let why, [42]) = CreditMatch.decide(credit, referenced: [c(42, "X", 1, .paid)], ofAccount: [], sameAmount: []) else { Issue.record("paid"); return }
        #expect(why.contains("déjà soldé"))
        let frozen = CaseLifecycle(status: .suspended, suspension: .init(reason: .collectiveProceedings, resumeTo: .amicable))
        guard case .queue(let l622, _) = CreditMatch.decide(credit, referenced: [CreditMatch.Candidate(caseID: 42, lifecycle: frozen, debtorName: "X", principalBalanceCents: 1)],
                                                          ofAccount: [], sameAmount: []) else { Issue.record("frozen"); return }
        #expect(l622.contains("L622-7"))

        var plain = credit
        plain.remittance = "virement"
        #expect(CreditMatch.decide(plain, referenced: [], ofAccount: [c(5, "Dupont", 1)], sameAmount: []) == .book(caseID: 5, because: "compte du débiteur déjà connu, un seul dossier ouvert"))
        #expect(CreditMatch.decide(plain, referenced: [], ofAccount: [c(5, "Dupont", 1), c(6, "Dupont", 500_00)], sameAmount: [])
            == .book(caseID: 6, because: "compte du débiteur déjà connu, montant égal au solde du dossier"))
        #expect(CreditMatch.decide(plain, referenced: [], ofAccount: [], sameAmount: [c(8, "Marie Curie", 500_00), c(9, "M. Jean Dupont", 500_00)])
            == .book(caseID: 9, because: "montant égal au solde et nom du payeur identique"))
        #expect(CreditMatch.decide(plain, referenced: [], ofAccount: [], sameAmount: [c(8, "Marie Curie", 500_00)])
            == .queue(reason: "aucune référence ; 1 dossier(s) au même montant, nom du payeur différent", suggestions: [8]))
        #expect(CreditMatch.decide(credit, referenced: [], ofAccount: [], sameAmount: [])
            == .queue(reason: "référence RC-0000042 inconnue ; aucun dossier trouvé (ni référence, ni compte connu, ni solde égal au montant)", suggestions: []))
    }

    /// Garage Martin owes A1 2,500.00 €; Autre SA A2 600.00 €; Jean Dupont (a consumer) P1 320.00 €.
    func portfolio(_ db: Database) async throws -> (garage: Int64, autre: Int64, dupont: Int64) {
        _ = try await addCreditor(db)
        var file = header
        file += "A1;Garage Martin;443061841;3 rue Pasteur;69003;Lyon;;01/02/2026;03/03/2026;2500;;EUR\n"
        file += "A2;Autre SA;552032534;1 rue;75001;Paris;contact@autre.fr;01/02/2026;03/03/2026;600;;EUR\n"
        file += "P1;Jean Dupont;;5 rue Haute;13001;Marseille;;01/02/2026;03/03/2026;320;;EUR\n"
        #expect(try await importText(db, file).rowsRejected == 0)
        try await db.withConnection { try await $0.raw("UPDATE cases SET status = 'amicable'").run() }
        func id(_ name: String) async throws -> Int64 {
            try await db.withConnection { try await $0.raw("SELECT c.id FROM cases c JOIN debtors d ON d.id = c.debtor_id WHERE d.name = \(bind: name)").all()[0].decode(column: "id", as: Int64.self) }
        }
        return (try await id("Garage Martin"), try await id("Autre SA"), try await id("Jean Dupont"))
    }

    @Test(arguments: Backend.available)
    func aStatementIsBookedOnceAndWhatCannotBeMatchedWaitsForTheAccountant(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            let (garage, autre, dupont) = try await portfolio(db)
            let store = StatementStore(db)
            typealias T = StatementGenerator.Transaction
            let garageIBAN = "FR7630004000031234567890143"
            let entries: [StatementGenerator.Entry] = [
                // The reference the letter printed.
                .init(reference: "E1", bookedOn: day(2026, 11, 2), transactions: [T(cents: 1_000_00, payer: "GARAGE MARTIN", payerIBAN: garageIBAN,
                                                                                  remittance: "Paiement \(CaseReference(caseID: garage))")]),
                // No reference: the principal balance and the payer's name.
                .init(reference: "E2", bookedOn: day(2026, 11, 2), transactions: [T(cents: 320_00, payer: "DUPONT JEAN", remittance: "facture P1")]),
                // Nothing to go on.
                .init(reference: "E3", bookedOn: day(2026, 11, 3), transactions: [T(cents: 12_34, payer: "INCONNU", remittance: "cotisation")]),
            ]
            let xml = StatementGenerator.write(messageID: "M1", statementID: "S1", account: account, on: day(2026, 11, 3), entries: entries)
            let first = try await store.importStatement(Data(xml.utf8), account: account, actor: .user("compta"), at: noon, rates: rates)
            #expect(first.credits == 3 && first.booked == 2 && first.queued == 1 && first.alreadyKnown == 0)
            let cases = try await db.withConnection { db in
                try await db.raw("SELECT id, status, received_minor FROM cases ORDER BY id").all().map {
                    (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "status", as: String.self), try $0.decode(column: "received_minor", as: Int64.self))
                }
            }
            #expect(cases.first { $0.0 == garage }?.2 == 1_000_00)
            #expect(cases.first { $0.0 == dupont }?.2 == 320_00)
            // Jean Dupont is a consumer: no indemnity, no interest before a formal demand: 320.00 € settles.
            #expect(cases.first { $0.0 == dupont }?.1 == "paid")

            // The same file again, then the next day's statement repeating E3 with a new credit
            // from Garage Martin's account and no reference.
            let again = try await store.importStatement(Data(xml.utf8), account: account, actor: .user("compta"), at: noon, rates: rates)
            #expect(again.booked == 0 && again.queued == 0 && again.alreadyKnown == 3)
            let next = StatementGenerator.write(messageID: "M2", statementID: "S2", account: account, on: day(2026, 11, 4), entries: [
                entries[2],
                .init(reference: "E4", bookedOn: day(2026, 11, 4), transactions: [T(cents: 50_00, payer: "GARAGE MARTIN SARL", payerIBAN: garageIBAN, remittance: "suite")]),
            ])
            let second = try await store.importStatement(Data(next.utf8), account: account, actor: .user("compta"), at: noon, rates: rates)
            #expect(second.booked == 1 && second.alreadyKnown == 1 && second.queued == 0)
            #expect(try await count(db, "payments") == 3)

            // The accountant: one credit waits, with its reason; assigning it books it.
            let queue = try await store.queue()
            #expect(queue.count == 1 && queue[0].cents == 12_34 && queue[0].reason.hasPrefix("aucun dossier trouvé"))
            await #expect(throws: StoreError.invalid("say why the credit is set aside: the reason is kept")) {
                try await store.setAside(creditID: queue[0].id, reason: "  ", actor: .user("compta"), at: noon)
            }
            let booked = try await store.assign(creditID: queue[0].id, to: autre, actor: .user("compta"), at: noon, rates: rates)
            #expect(booked.receiptNumber.description == "Q-2026-000004")
            #expect(try await store.queue().isEmpty)
            await #expect(throws: StoreError.conflict("this credit has already been dealt with")) {
                try await store.assign(creditID: queue[0].id, to: autre, actor: .user("compta"), at: noon, rates: rates)
            }

            // A wrong account and a file that is not a statement are refused whole.
            let other = try IBAN("FR7630004000031234567890143")
            await #expect(throws: StoreError.self) {
                try await store.importStatement(Data(xml.utf8), account: other, actor: .user("compta"), at: noon, rates: rates)
            }
            do {
                _ = try await store.importStatement(Data("not xml".utf8), actor: .user("compta"), at: noon, rates: rates)
                Issue.record("a file that is not XML was imported")
            } catch let error as StoreError {
                #expect(error.description.contains("not well-formed XML (line 1"))
            }
            #expect(try await count(db, "payments") == 4)
        }
    }

    @Test(arguments: Backend.available)
    func anImportCutShortIsFinishedByImportingAgain(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            let (garage, autre, _) = try await portfolio(db)
            let entries = (1...7).map { i in
                StatementGenerator.Entry(reference: "R\(i)", bookedOn: day(2026, 11, 2), transactions: [
                    .init(cents: Int64(i) * 10_00, payer: "P", remittance: CaseReference(caseID: i % 2 == 0 ? garage : autre).description)])
            }
            let store = StatementStore(db)
            // The first three credits landed before the crash (batches commit one by one).
            let part = StatementGenerator.write(messageID: "M", statementID: "S", account: account, on: day(2026, 11, 2), entries: Array(entries.prefix(3)))
            _ = try await store.importStatement(Data(part.utf8), actor: .system, at: noon, rates: rates)
            let whole = StatementGenerator.write(messageID: "M", statementID: "S", account: account, on: day(2026, 11, 2), entries: entries)
            let rerun = try await store.importStatement(Data(whole.utf8), actor: .system, at: noon, rates: rates)
            #expect(rerun.alreadyKnown == 3 && rerun.booked == 4)
            #expect(try await count(db, "payments") == 7)
            #expect(try await count(db, "bank_statements") == 1)
            let total = try await db.withConnection { try await $0.raw("SELECT CAST(SUM(amount_minor) AS BIGINT) AS s FROM payments").all()[0].decode(column: "s", as: Int64.self) }
            #expect(total == 28 * 10_00)
        }
    }
}
