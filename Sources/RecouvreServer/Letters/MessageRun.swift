import Foundation
import RecouvreCore
import RecouvreDocuments
import RecouvreStore

/// Sends text messages: the edge of the world, behind a protocol. `OutboxFolderSMS` writes each to
/// a folder (`RECOUVRE_SMS_OUTBOX`, default `outbox/sms`) for a gateway to pick up; an SMS
/// provider's API would be another implementation.
public protocol SMSProvider: Sendable {
    func send(to phone: String, text: String) async throws
}

public struct OutboxFolderSMS: SMSProvider {
    public let folder: String
    public init(folder: String) { self.folder = folder }

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> OutboxFolderSMS {
        OutboxFolderSMS(folder: env["RECOUVRE_SMS_OUTBOX"] ?? "outbox/sms")
    }

    /// One JSON file per message: `{"to": "+33…", "text": "…"}`.
    public func send(to phone: String, text: String) async throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let body = try JSONSerialization.data(withJSONObject: ["to": phone, "text": text], options: [.sortedKeys])
        try body.write(to: URL(fileURLWithPath: "\(folder)/\(SystemClock.now().millisecondsSinceEpoch)-\(UUID().uuidString.prefix(8)).json"), options: .atomic)
    }
}

/// What a message run did.
public struct MessageRunSummary: Sendable, Equatable {
    public var emails = 0
    public var texts = 0
    public var bounced = 0
    /// Tasks left in the outbox with a problem noted (no address, a missing mention, too long).
    public var problems = 0
    /// Text messages wait for the contact rules' hours (Monday–Saturday 8:00–20:00 by default).
    public var textsHeld = false
    /// The mail server could not be reached: the rest waits for the next run.
    public var retryLater: String?
}

/// Sends the outbox's emails (the letter as PDF attached, its text as the body) and text messages
/// due by a day. Each message is archived with its case as soon as it is accepted, so a crash
/// resends at most the one message in flight. A hard bounce marks the address invalid.
public struct MessageRun: Sendable {
    let database: Database
    let mailer: any Mailer
    let sms: any SMSProvider
    let press: LetterPress
    let actor = Actor("system:messages")

    public init(_ database: Database, mailer: any Mailer, sms: any SMSProvider, press: LetterPress) {
        self.database = database
        self.mailer = mailer
        self.sms = sms
        self.press = press
    }

    public func run(on day: Day, at: Instant = SystemClock.now()) async throws -> MessageRunSummary {
        let store = LetterStore(database)
        try await store.cancelStale(at: at)
        let settings = try await LetterSettingsStore(database).current().settings
        let collection = try await SettingsStore(database).current().settings
        var summary = MessageRunSummary()
        try await emails(day, at, settings, collection, store, &summary)
        let rules = collection.contactRules
        if rules.violations(channel: .sms, at: at, state: ContactState(), calendar: .france).isEmpty {
            try await texts(day, at, settings, collection, store, &summary)
        } else {
            summary.textsHeld = true
        }
        return summary
    }

    func emails(_ day: Day, _ at: Instant, _ settings: LetterSettings, _ collection: CollectionSettings, _ store: LetterStore,
                _ summary: inout MessageRunSummary) async throws {
        var after: Int64 = 0
        while true {
            let pending = try await store.pending(channel: .email, dueBy: day, after: after, limit: 64)
            guard let last = pending.last else { return }
            after = last.taskID
            var composed: [(PendingLetter, ComposedLetter, String)] = []
            for p in pending {
                guard let address = p.email else {
                    try await store.noteProblem(taskID: p.taskID, .missingValue("the debtor's email address"))
                    summary.problems += 1
                    continue
                }
                switch LetterComposer.compose(p.context, channel: .email, templateCode: p.stepTemplate(in: collection), settings: settings) {
                case let .success(letter): composed.append((p, letter, address))
                case let .failure(problem): try await store.noteProblem(taskID: p.taskID, problem); summary.problems += 1
                }
            }
            let rendered = press.render(composed.map(\.1), author: settings.agency.name)
            for ((p, letter, address), result) in zip(composed, rendered) {
                let pdf = try result.get()
                let message = MailMessage(to: address, subject: letter.subject, body: letter.plainText,
                                          attachments: [MailAttachment(fileName: letter.reference.replacingOccurrences(of: "/", with: "-") + ".pdf",
                                                                       contentType: "application/pdf", data: pdf.pdf)])
                do {
                    try await mailer.send(message)
                } catch let MailError.rejected(_, reply) {
                    try await store.bounced(p, address: address, reply: reply, actor: actor, at: at)
                    summary.bounced += 1
                    continue
                } catch {
                    summary.retryLater = "\(error)"
                    return
                }
                try await store.archive([PrintedLetter(pending: p, letter: letter, pdf: pdf.pdf, pages: pdf.pages, postage: .none,
                                                       sentTo: [address])], batch: nil, actor: actor, at: at)
                summary.emails += 1
            }
        }
    }

    func texts(_ day: Day, _ at: Instant, _ settings: LetterSettings, _ collection: CollectionSettings, _ store: LetterStore,
               _ summary: inout MessageRunSummary) async throws {
        var after: Int64 = 0
        while true {
            let pending = try await store.pending(channel: .sms, dueBy: day, after: after, limit: 256)
            guard let last = pending.last else { return }
            after = last.taskID
            for p in pending {
                guard let phone = p.phone else {
                    try await store.noteProblem(taskID: p.taskID, .missingValue("the debtor's phone number"))
                    summary.problems += 1
                    continue
                }
                let letter: ComposedLetter
                switch LetterComposer.compose(p.context, channel: .sms, templateCode: p.stepTemplate(in: collection), settings: settings) {
                case let .success(l): letter = l
                case let .failure(problem): try await store.noteProblem(taskID: p.taskID, problem); summary.problems += 1; continue
                }
                let text = letter.plainText
                try await sms.send(to: phone, text: text)
                try await store.archive([PrintedLetter(pending: p, letter: letter, pdf: Array(text.utf8), pages: 0, postage: .none,
                                                       sentTo: [phone])], batch: nil, actor: actor, at: at)
                summary.texts += 1
            }
        }
    }
}
