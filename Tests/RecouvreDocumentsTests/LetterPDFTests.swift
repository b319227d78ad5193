import Foundation
import Testing
import RecouvreCore
@testable import RecouvreDocuments

/// Letters rendered for real, then read back with poppler (pdftotext, pdffonts, pdftoppm) and the
/// QR code decoded with zbarimg, as a print house and a banking app would.
@Suite struct LetterPDFTests {
    static let day = Day(year: 2026, month: 11, day: 24)!

    static func letter(claims: Int = 2, language: Language = .fr, first: Bool = true) throws -> ComposedLetter {
        let context = LetterContext(
            caseReference: CaseReference(caseID: 42), debtorName: "Société Générale d'Électricité Œuvre", debtorKind: .company,
            debtorAddress: PostalAddress(line1: "3 place Bellecour", line2: "Bâtiment B", postcode: "69002", city: "Lyon"),
            creditorName: "ACME SA", creditorAddress: PostalAddress(line1: "1 rue de Rivoli", postcode: "75001", city: "Paris"),
            claims: (1...claims).map { i in
                LetterClaim(invoiceReference: "F-2026-\(1000 + i)", issuedOn: Day(year: 2026, month: 8, day: 1)!, dueOn: Day(year: 2026, month: 8, day: 31)!,
                            principal: .eur(cents: 120_000 + Int64(i)), interest: .eur(cents: 1_234), otherItems: .eur(cents: 4_000))
            },
            paid: .eur(cents: 0), letterReference: "RC-0000042/\(first ? 1 : 2)", letterDate: day,
            firstLetter: first ? nil : (reference: "RC-0000042/1", date: Day(year: 2026, month: 10, day: 2)!), language: language)
        return try LetterComposer.compose(context, channel: .letter, settings: .defaults).get()
    }

    static func tool(_ name: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/" + name)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    static func write(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "letter-\(UUID().uuidString).pdf"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aFirstLetterReadsBackWithItsMentionsPagesAndFonts() throws {
        let rendered = try LetterRenderer().render(Self.letter(), author: "Cabinet Recouvre Démo")
        #expect(rendered.pdf.starts(with: Array("%PDF-".utf8)))
        #expect(rendered.pages == 2)
        let path = try Self.write(rendered.pdf)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = try Self.tool("pdftotext", [path, "-"])
        // Words as a reader sees them: lines joined, every kind of space one space.
        let words = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        for expected in ["Cabinet Recouvre Démo", "Société Générale d'Électricité Œuvre", "69002 Lyon", "Paris, le 24 novembre 2026",
                         "recouvrement amiable de créances pour le compte d'autrui", "ACME SA, 1 rue de Rivoli, 75001 Paris",
                         "Principal", "Intérêts", "Autres", "2 504,71 €",
                         "Les frais de recouvrement entrepris sans titre exécutoire", "IBAN FR76 3000 6000 0112 3456 7890 189",
                         "page 1/2", "page 2/2"] {
            #expect(words.contains(expected), "\(expected)")
        }
        // The case reference is on every page: the footer carries it.
        let pageTexts = text.split(separator: "\u{0C}").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        #expect(pageTexts.count == 2)
        #expect(pageTexts.allSatisfy { $0.contains("RC-0000042") })
        let fonts = try Self.tool("pdffonts", [path])
        #expect(fonts.contains("DejaVuSans"))
        #expect(fonts.split(separator: "\n").dropFirst(2).allSatisfy { $0.contains(" yes yes ") }, "every font embedded as a subset: \(fonts)")
    }

    @Test func theQRCodeScansAsTheEPCPayment() throws {
        let letter = try Self.letter()
        let rendered = try LetterRenderer().render(letter, author: "Cabinet Recouvre Démo")
        let path = try Self.write(rendered.pdf)
        let png = path.replacingOccurrences(of: ".pdf", with: "")
        defer { for p in [path, png + "-1.png", png + "-2.png"] { try? FileManager.default.removeItem(atPath: p) } }
        _ = try Self.tool("pdftoppm", ["-r", "200", "-png", path, png])
        let scanned = try Self.tool("zbarimg", ["--quiet", "--raw", "-Sbinary", png + "-1.png", png + "-2.png"])
        guard case let .payment(_, payload) = letter.blocks.first(where: { if case .payment = $0 { true } else { false } }) else { Issue.record(); return }
        #expect(scanned.trimmingCharacters(in: .newlines) == payload)
        #expect(payload.hasSuffix("EUR2504.71\n\n\nRC-0000042"))
    }

    @Test func theSameLetterIsTheSameBytes() throws {
        let a = try LetterRenderer().render(Self.letter(), author: "A")
        let b = try LetterRenderer().render(Self.letter(), author: "A")
        #expect(a.pdf == b.pdf)
    }

    @Test func manyClaimsSpillOntoMorePagesAndABatchHoldsEveryPage() throws {
        let long = try Self.letter(claims: 60)
        let renderer = LetterRenderer()
        let rendered = try renderer.render(long, author: "A")
        #expect(rendered.pages >= 3)
        let path = NSTemporaryDirectory() + "batch-\(UUID().uuidString).pdf"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let batch = try PDFMerger(path: path, title: "Lot du 24/11/2026 — courrier", author: "Cabinet Recouvre Démo")
        try batch.append(renderer.render(Self.letter(), author: "A").pdf)
        try batch.append(rendered.pdf)
        try batch.append(renderer.render(Self.letter(language: .en), author: "A").pdf)
        try batch.finish()
        #expect(!FileManager.default.fileExists(atPath: path + ".xref"))
        #expect(batch.pages == 2 + rendered.pages + 2)
        let info = try Self.tool("pdfinfo", [path])
        #expect(info.contains("Title:           Lot du 24/11/2026 — courrier"))
        #expect(info.split(separator: "\n").contains { $0.hasPrefix("Pages:") && $0.hasSuffix(" \(batch.pages)") })
        let text = try Self.tool("pdftotext", [path, "-"])
        #expect(text.contains("Dear Sir or Madam"))
        #expect(text.contains("page \(rendered.pages)/\(rendered.pages)"))
        // Every page as the reader draws it: the merged file renders without errors.
        let errors = try Self.tool("pdftoppm", ["-r", "20", "-png", path, path + "-page"])
        #expect(errors.isEmpty)
        let rendered1 = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix((path as NSString).lastPathComponent + "-page") }
        #expect(rendered1.count == batch.pages)
        for f in rendered1 { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + f) }
    }

    @Test func theMergerRefusesWhatItCannotReadAndAFolderThatDoesNotExist() throws {
        #expect(throws: DocumentError.self) { try PDFMerger(path: "/nonexistent/folder/batch.pdf", title: "t", author: "a") }
        let path = NSTemporaryDirectory() + "bad-\(UUID().uuidString).pdf"
        defer { try? FileManager.default.removeItem(atPath: path); try? FileManager.default.removeItem(atPath: path + ".xref") }
        let merger = try PDFMerger(path: path, title: "t", author: "a")
        #expect(throws: DocumentError.self) { try merger.append(Array("%PDF-1.5\nnot really\n".utf8)) }
    }
}
