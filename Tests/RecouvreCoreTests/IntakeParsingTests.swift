import Testing
@testable import RecouvreCore

@Suite struct CSVTokenizerTests {
    func records(_ text: String, separator: UInt8 = 0x3B, chunk: Int = 3) -> [(Int, [String])] {
        var t = CSVTokenizer(separator: separator)
        var out: [(Int, [String])] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            t.feed(bytes[i..<min(i + chunk, bytes.count)]) { out.append(($0.line, $0.fields.map { String(decoding: $0, as: UTF8.self) })) }
            i += chunk
        }
        t.finish { out.append(($0.line, $0.fields.map { String(decoding: $0, as: UTF8.self) })) }
        return out
    }

    @Test func quotesLineBreaksAndLineNumbers() {
        let r = records("a;b\r\n\"x;1\";\"say \"\"hi\"\"\"\n\"multi\nline\";2\n\nlast;3")
        #expect(r.map(\.0) == [1, 2, 3, 6])
        #expect(r[1].1 == ["x;1", "say \"hi\""])
        #expect(r[2].1 == ["multi\nline", "2"])
        #expect(r[3].1 == ["last", "3"])
    }

    @Test func detectsTheSeparator() {
        #expect(CSVTokenizer.detectSeparator(headerLine: Array("a;b;c".utf8)) == 0x3B)
        #expect(CSVTokenizer.detectSeparator(headerLine: Array("a,b,\"c;d\"".utf8)) == 0x2C)
        #expect(CSVTokenizer.detectSeparator(headerLine: Array("a\tb".utf8)) == 0x09)
    }

    @Test func decodesWindows1252PerRecord() {
        let cp1252: [UInt8] = [0x45, 0x75, 0x72, 0x6F, 0x20, 0x80, 0x20, 0xE9, 0x74, 0xE9] // "Euro € été"
        #expect(TextDecoding.detect(cp1252) == .windows1252)
        #expect(TextDecoding.windows1252.decode(cp1252) == "Euro € été")
        #expect(TextDecoding.detect(Array("été".utf8)) == .utf8)
    }
}

@Suite struct ClaimRowTests {
    @Test func fieldOrdinalsFollowTheDeclarationOrder() {
        for (i, f) in ClaimField.allCases.enumerated() { #expect(f.ordinal == i, "\(f)") }
    }

    @Test func textFastPathsAgreeWithTheGeneralOnes() {
        #expect(DebtorMatchKey.normalise("M. DUPONT  Jean-Pierre, 12 av. Foch") == "dupont jean pierre 12 avenue foch")
        #expect(DebtorMatchKey.normalise("Mme Hélène Bérard") == "helene berard")
        #expect("  Acme\u{00A0}".trimmingSpaces() == "Acme" && "Acme".trimmingSpaces() == "Acme" && " \t ".trimmingSpaces() == "")
        #expect(" 732 829-320 ".compactIdentifier == "732829320" && "fr 40\u{00A0}303".compactIdentifier == "FR40303")
        #expect(ClaimRowParser.normalisePhone("06 12 34 56 78") == "+33612345678")
        #expect(ClaimRowParser.normalisePhone("+33 (0)6 12 34 56 78") == "+33612345678")
        #expect(ClaimRowParser.normalisePhone("0044 20 7946 0958") == "+442079460958")
        #expect(ClaimRowParser.normalisePhone("06 12 34 56 7") == nil && ClaimRowParser.normalisePhone("06\u{00A0}12") == nil)
        #expect(ClaimRowParser.looksLikeEmail("a.b@example.fr") && !ClaimRowParser.looksLikeEmail("a@b@c.fr") && !ClaimRowParser.looksLikeEmail("@x.fr")
                && !ClaimRowParser.looksLikeEmail("a@.fr") && !ClaimRowParser.looksLikeEmail("a b@x.fr"))
    }

    let header = ["N° Facture", "Raison sociale", "SIREN", "Adresse", "Code postal", "Ville", "Date facture", "Échéance", "Montant TTC", "TVA", "Devise", "Téléphone"]
    let today = Day(year: 2026, month: 11, day: 23)!

    func parser() throws -> ClaimRowParser {
        let columns = try ColumnMapping().resolve(header: header).get()
        return ClaimRowParser(columns: columns, today: today)
    }

    @Test func readsAFrenchRow() throws {
        let line = try parser().parse(fields: ["F-1", "Garage Martin SARL", "443 061 841", "3 rue Pasteur", "69003", "Lyon", "01/02/2026", "03/03/2026", "1 200,50", "200,08", "", "04 72 00 00 00"], line: 2).get()
        #expect(line.amount == .eur(cents: 120_050) && line.vat == .eur(cents: 20008))
        #expect(line.debtor.kind == .company && line.debtor.matchKey == "siren:443061841")
        #expect(line.debtor.phone == "+33472000000")
        #expect(line.dueOn == Day(year: 2026, month: 3, day: 3))
    }

    @Test func reportsEveryProblemWithItsColumn() throws {
        let e = try #require(try parser().parse(fields: ["", "X", "123", "", "", "", "32/01/2026", "01/01/2020", "-5", "", "XYZ", "hello"], line: 9).failure)
        let columns = Set(e.errors.map(\.column))
        #expect(columns == ["invoice_ref", "siren", "postcode", "issued_on", "amount", "currency", "phone"])
        #expect(e.errors.allSatisfy { $0.line == 9 })
    }

    @Test(arguments: [
        (["F", "X", "", "1 rue A", "75001", "Paris", "01/01/2026", "31/12/2025", "10", "", "", ""], "due_on", "before the invoice date"),
        (["F", "X", "", "1 rue A", "75001", "Paris", "01/01/2027", "31/01/2027", "10", "", "", ""], "issued_on", "in the future"),
        (["F", "X", "", "1 rue A", "75001", "Paris", "01/01/2026", "31/01/2026", "0", "", "", ""], "amount", "zero"),
        (["F", "X", "", "1 rue A", "75001", "Paris", "01/01/2026", "31/01/2026", "10", "11", "", ""], "vat_amount", "larger"),
        (["F", "X", "", "1 rue A", "", "", "01/01/2026", "31/01/2026", "10", "", "", ""], "postcode", "namesakes"),
        (["F", "X", "", "1 rue A", "7500", "Paris", "01/01/2026", "31/01/2026", "10", "", "", ""], "postcode", "5 digits"),
        (["F", "X", "", "1 rue A", "75001", "Paris", "01/01/2026", "31/01/2026", "10,123", "", "", ""], "amount", "decimals"),
    ])
    func refuses(_ fields: [String], column: String, reason: String) throws {
        let e = try #require(try parser().parse(fields: fields, line: 3).failure)
        #expect(e.errors.contains { $0.column == column && $0.reason.contains(reason) }, "\(e.errors)")
    }

    @Test func shortRowsAreRefusedWhole() throws {
        let e = try #require(try parser().parse(fields: ["F", "X"], line: 4).failure)
        #expect(e.errors.count == 1 && e.errors[0].column == "*")
    }

    @Test func peopleMatchByNormalisedNameAndAddress() {
        let a = DebtorMatchKey.person(name: "M. Jean DUPONT", address: PostalAddress(line1: "12, av. Jean-Jaurès", postcode: "75019", city: "PARIS"))
        let b = DebtorMatchKey.person(name: "jean  dupont", address: PostalAddress(line1: "12 avenue Jean Jaures", postcode: "75019", city: "Paris"))
        #expect(a == b)
        let c = DebtorMatchKey.person(name: "Jean Dupond", address: PostalAddress(line1: "12 avenue Jean Jaures", postcode: "75019", city: "Paris"))
        #expect(a != c)
    }

    @Test func headerErrorsNameWhatIsMissing() {
        let e = ColumnMapping().resolve(header: ["invoice_ref,debtor_name,issued_on"]).failure
        #expect(e?.missing.contains(.debtorName) == true)
        #expect(e?.description.contains("wrong separator") == true)
        let mapped = ColumnMapping(explicit: [.invoiceReference: "Pièce"]).resolve(header: ["Pièce", "Client", "Date", "Echeance", "Montant"])
        #expect((try? mapped.get())?[.invoiceReference] == 0)
        #expect(ColumnMapping.parse(pairs: ["nope=X"]).failure != nil)
    }

    @Test func phones() {
        #expect(ClaimRowParser.normalisePhone("06 12 34 56 78") == "+33612345678")
        #expect(ClaimRowParser.normalisePhone("+33 (0)6 12 34 56 78") == "+33612345678")
        #expect(ClaimRowParser.normalisePhone("0033 6 12 34 56 78") == "+33612345678")
        #expect(ClaimRowParser.normalisePhone("+49 30 1234567") == "+49301234567")
        #expect(ClaimRowParser.normalisePhone("12345") == nil)
    }
}

extension Result {
    var failure: Failure? { if case let .failure(e) = self { e } else { nil } }
}
