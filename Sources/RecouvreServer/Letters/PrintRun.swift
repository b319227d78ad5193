import Crypto
import Foundation
import RecouvreCore
import RecouvreDocuments
import RecouvreStore

/// Where print batches go: a print-and-post house's drop folder now, an online postal API later.
public protocol Postal: Sendable {
    /// Hands over a batch's merged PDF and manifest (files at `pdf` and `manifest`, which it may
    /// move); returns where they now are.
    func deposit(batch: PrintBatch, pdf: URL, manifest: URL) throws -> (pdf: String, manifest: String)
}

/// Batches as files in a folder, one folder per day (`RECOUVRE_POST_OUTBOX`, default
/// `outbox/post`), where the print house collects them.
public struct FolderPostal: Postal {
    public let root: URL
    public init(root: URL) { self.root = root }

    public static func fromEnvironment() -> FolderPostal {
        FolderPostal(root: URL(fileURLWithPath: ProcessInfo.processInfo.environment["RECOUVRE_POST_OUTBOX"] ?? "outbox/post"))
    }

    public func deposit(batch: PrintBatch, pdf: URL, manifest: URL) throws -> (pdf: String, manifest: String) {
        let folder = root.appendingPathComponent(batch.batchOn.iso)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let name = (batch.channel == .registeredLetter ? "recommandes-" : "courriers-") + batch.batchOn.iso
        let targets = (folder.appendingPathComponent(name + ".pdf"), folder.appendingPathComponent(name + ".csv"))
        for (from, to) in [(pdf, targets.0), (manifest, targets.1)] {
            try? FileManager.default.removeItem(at: to) // a batch re-assembled after a crash replaces its own files
            try FileManager.default.moveItem(at: from, to: to)
        }
        return (targets.0.path, targets.1.path)
    }
}

/// What a print run did for one kind of letter.
public struct PrintRunSummary: Sendable {
    public let day: Day
    public let channel: StepChannel
    /// nil when there was nothing to print.
    public let batch: PrintBatch?
    public let printed: Int
    /// Letters that could not be written, with why: they stay in the outbox for someone to mend.
    public let problems: [(caseReference: String, problem: String)]
    public let alreadyDeposited: Bool
}

/// Turns the outbox's paper letters of a day into documents and a print batch: each letter is
/// composed from its case, rendered as PDF on every core, archived with its case (a chunk of
/// letters per transaction, so a crash loses nothing and a rerun picks up where it stopped), then
/// the batch is assembled in envelope order from the archived PDFs, with its manifest, and handed
/// to the post. A deposited batch is never made again.
public struct PrintRun: Sendable {
    let database: Database
    let postal: any Postal
    let press: LetterPress
    let actor = Actor("system:print")
    static let chunk = 512

    public init(_ database: Database, postal: any Postal, press: LetterPress) {
        self.database = database
        self.postal = postal
        self.press = press
    }

    /// Simple letters, then registered letters.
    public func runAll(on day: Day, at: Instant = SystemClock.now()) async throws -> [PrintRunSummary] {
        [try await run(on: day, channel: .letter, at: at), try await run(on: day, channel: .registeredLetter, at: at)]
    }

    public func run(on day: Day, channel: StepChannel, at: Instant = SystemClock.now()) async throws -> PrintRunSummary {
        let store = LetterStore(database)
        let existing = try await store.existingBatch(on: day, channel: channel)
        if let existing, existing.status == .deposited {
            return PrintRunSummary(day: day, channel: channel, batch: existing, printed: 0, problems: [], alreadyDeposited: true)
        }
        try await store.cancelStale(at: at)
        var pending = try await store.pending(channel: channel, dueBy: day, limit: Self.chunk)
        // A day without letters of this kind gets no batch.
        if pending.isEmpty, existing == nil { return PrintRunSummary(day: day, channel: channel, batch: nil, printed: 0, problems: [], alreadyDeposited: false) }
        var batch = try await store.batch(on: day, channel: channel, at: at)
        let settings = try await LetterSettingsStore(database).current().settings
        let collection = try await SettingsStore(database).current().settings
        var printed = 0
        var problems: [(String, String)] = []
        /// A letter that cannot be written waits in the outbox with why, counted against the batch.
        func setAside(_ p: PendingLetter, _ problem: LetterProblem) async throws {
            try await store.noteProblem(taskID: p.taskID, problem, countingIn: batch)
            problems.append((p.context.caseReference.description, problem.description))
        }
        while let last = pending.last {
            var composed: [(PendingLetter, ComposedLetter)] = []
            for p in pending {
                switch LetterComposer.compose(p.context, channel: channel, templateCode: p.stepTemplate(in: collection), settings: settings) {
                case let .success(letter): composed.append((p, letter))
                case let .failure(problem): try await setAside(p, problem)
                }
            }
            var ready: [PrintedLetter] = []
            for ((p, letter), result) in zip(composed, press.render(composed.map(\.1), author: settings.agency.name)) {
                let rendered = try result.get()
                guard let postage = settings.postage.postage(channel: channel, pages: rendered.pages) else {
                    try await setAside(p, .missingValue("a postage rate for a \(channel.rawValue) of \(rendered.pages) pages"))
                    continue
                }
                ready.append(PrintedLetter(pending: p, letter: letter, pdf: rendered.pdf, pages: rendered.pages, postage: postage))
            }
            try await store.archive(ready, batch: batch, actor: actor, at: at)
            printed += ready.count
            pending = try await store.pending(channel: channel, dueBy: day, after: last.taskID, limit: Self.chunk)
        }
        batch = try await store.batch(id: batch.id)!
        if batch.letters > 0 { batch = try await deposit(batch, settings: settings, at: at) }
        return PrintRunSummary(day: day, channel: channel, batch: batch, printed: printed, problems: problems, alreadyDeposited: false)
    }

    /// Merges the batch's archived letters in envelope order, writes the manifest, hands both to
    /// the post and records where they went with the PDF's SHA-256.
    func deposit(_ batch: PrintBatch, settings: LetterSettings, at: Instant) async throws -> PrintBatch {
        let store = LetterStore(database)
        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("recouvre-batch-\(batch.id)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: staging) }
        let pdfURL = staging.appendingPathComponent("batch.pdf"), manifestURL = staging.appendingPathComponent("manifest.csv")
        let kind = batch.channel == .registeredLetter ? "lettre recommandée avec AR" : "lettre simple"
        let merger = try PDFMerger(path: pdfURL.path, title: "Lot du \(batch.batchOn.french) — \(kind)", author: settings.agency.name)
        FileManager.default.createFile(atPath: manifestURL.path, contents: nil)
        let manifest = try FileHandle(forWritingTo: manifestURL)
        defer { try? manifest.close() }
        try manifest.write(contentsOf: Data(Manifest.header.utf8))
        var offset = 0
        var last: BatchLetter?
        while true {
            let letters = try await store.letters(inBatch: batch.id, after: last, limit: 256)
            guard let end = letters.last else { break }
            last = end
            let bodies = try await store.bodies(letters.map(\.documentID))
            var lines = ""
            for l in letters {
                guard let pdf = bodies[l.documentID] else { throw DocumentError(message: "letter \(l.reference): archived document \(l.documentID) is missing") }
                try merger.append(pdf)
                lines += Manifest.line(l, position: offset + 1, kind: kind)
                offset += 1
            }
            try manifest.write(contentsOf: Data(lines.utf8))
        }
        try merger.finish()
        try manifest.close()
        let sha = try Self.sha256(of: pdfURL)
        let placed = try postal.deposit(batch: batch, pdf: pdfURL, manifest: manifestURL)
        try await store.deposited(batch: batch, pdfPath: placed.pdf, pdfSHA256: sha, manifestPath: placed.manifest, at: at)
        return try await store.batch(id: batch.id)!
    }

    static func sha256(of url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return SHA256Hex.hex(hasher.finalize())
    }
}

/// The print house's manifest: one line per letter in envelope order (the merged PDF's order).
enum Manifest {
    static let header = "position;letter_id;reference;case_reference;addressee;address_line_1;address_line_2;address_line_3;address_line_4;kind;pages;weight_class_g;postage_eur\n"

    static func line(_ l: BatchLetter, position: Int, kind: String) -> String {
        let address = (0..<4).map { $0 < l.addressLines.count ? l.addressLines[$0] : "" }
        return ([String(position), String(l.id), l.reference, l.caseReference, l.addressee] + address
                + [kind, String(l.pages), String(l.weightClass), Money.eur(cents: l.postageCents).decimalString]).map(field).joined(separator: ";") + "\n"
    }

    /// A field quoted when it holds the separator, a quote or a line break.
    static func field(_ s: String) -> String {
        s.contains(where: { $0 == ";" || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
