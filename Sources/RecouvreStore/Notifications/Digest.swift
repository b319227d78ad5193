import Foundation
import Logging
import RecouvreCore
import SQLKit

/// An email to send: the edge of the world, behind `Mailer`.
public struct MailMessage: Sendable, Equatable {
    public let to: String
    public let subject: String
    public let body: String
    public var attachments: [MailAttachment] = []

    public init(to: String, subject: String, body: String, attachments: [MailAttachment] = []) {
        self.to = to
        self.subject = subject
        self.body = body
        self.attachments = attachments
    }
}

public struct MailAttachment: Sendable, Equatable {
    public let fileName: String
    public let contentType: String
    public let data: [UInt8]
    public init(fileName: String, contentType: String, data: [UInt8]) {
        self.fileName = fileName
        self.contentType = contentType
        self.data = data
    }
}

/// Sends mail: `OutboxFolderMailer` writes each message to a folder (an outbox a relay or a
/// person can pick up), `SMTPMailer` (server) hands it to an SMTP server.
public protocol Mailer: Sendable {
    func send(_ message: MailMessage) async throws
}

/// Writes each message as an RFC 5322 `.eml` file (UTF-8, quoted-printable-free 8bit body) in a folder.
public struct OutboxFolderMailer: Mailer {
    public let folder: String
    public let from: String

    public init(folder: String, from: String = "Recouvre <recouvre@localhost>") {
        self.folder = folder
        self.from = from
    }

    /// `RECOUVRE_MAIL_OUTBOX`, else `outbox/mail` in the working directory.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> OutboxFolderMailer {
        OutboxFolderMailer(folder: env["RECOUVRE_MAIL_OUTBOX"] ?? "outbox/mail")
    }

    public func send(_ message: MailMessage) async throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let text = MIMEMessage.render(message, from: from, at: SystemClock.now())
        let name = "\(folder)/\(SystemClock.now().millisecondsSinceEpoch)-\(UUID().uuidString.prefix(8)).eml"
        try Data(text.utf8).write(to: URL(fileURLWithPath: name), options: .atomic)
    }
}

/// A message as RFC 5322 and MIME write it: the text in UTF-8 (8bit), attachments in base64 in a
/// multipart/mixed, the subject in RFC 2047 when it has accents. One place for the folder and SMTP.
public enum MIMEMessage {
    public static func render(_ m: MailMessage, from: String, at: Instant) -> String {
        let subject = m.subject.utf8.allSatisfy({ $0 < 0x80 }) ? m.subject : "=?UTF-8?B?\(Data(m.subject.utf8).base64EncodedString())?="
        let date = Date(timeIntervalSince1970: Double(at.millisecondsSinceEpoch) / 1000)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        var head = [
            "From: \(from)", "To: \(m.to)", "Subject: \(subject)", "Date: \(formatter.string(from: date))",
            "Message-ID: <\(UUID().uuidString.lowercased())@recouvre>", "MIME-Version: 1.0",
        ]
        let text = m.body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        guard !m.attachments.isEmpty else {
            head += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
            return head.joined(separator: "\r\n") + "\r\n\r\n" + text + "\r\n"
        }
        let boundary = "recouvre-" + UUID().uuidString
        head.append("Content-Type: multipart/mixed; boundary=\"\(boundary)\"")
        var out = head.joined(separator: "\r\n") + "\r\n\r\n"
        out += "--\(boundary)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\(text)\r\n"
        for a in m.attachments {
            let encoded = Data(a.data).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            out += "--\(boundary)\r\nContent-Type: \(a.contentType); name=\"\(a.fileName)\"\r\nContent-Disposition: attachment; filename=\"\(a.fileName)\"\r\n"
            out += "Content-Transfer-Encoding: base64\r\n\r\n\(encoded)\r\n"
        }
        return out + "--\(boundary)--\r\n"
    }
}

/// The creditor's daily digest (R124-5 asks that creditors be told of payments; the mandate's
/// reporting asks for the rest): every report written on their cases the day before, sent to the
/// creditor's users who ask for it, once per user and day.
public struct DigestSender: Sendable {
    let database: Database
    let mailer: any Mailer
    public init(_ database: Database, mailer: any Mailer) {
        self.database = database
        self.mailer = mailer
    }

    /// Sends the digest of `day` (a Paris day) to each creditor user who asked for it and has an
    /// email; returns how many were sent now. A user already sent that day's digest is skipped.
    @discardableResult
    public func send(for day: Day, at now: Instant = SystemClock.now()) async throws -> Int {
        let recipients = try await database.withConnection { db in
            try await db.raw("""
                SELECT u.id, u.email, u.display_name, u.creditor_id, cr.name AS creditor_name FROM users u JOIN creditors cr ON cr.id = u.creditor_id
                WHERE u.role = 'creditorUser' AND u.daily_digest = 1 AND u.email IS NOT NULL AND u.disabled_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM digests_sent d WHERE d.user_id = u.id AND d.day = \(bind: day.iso))
                ORDER BY u.id
                """).all().map { r in
                (id: try r.decode(column: "id", as: Int64.self), email: try r.decode(column: "email", as: String.self),
                 name: try r.decode(column: "display_name", as: String.self), creditorID: try r.decode(column: "creditor_id", as: Int64.self),
                 creditorName: try r.decode(column: "creditor_name", as: String.self))
            }
        }
        var sent = 0
        for r in recipients {
            let entries = try await Self.entries(database, creditorID: r.creditorID, day: day)
            let message = MailMessage(to: r.email, subject: "Recouvre — \(r.creditorName) — comptes rendus du \(day.french)",
                                      body: Self.body(name: r.name, creditor: r.creditorName, day: day, entries: entries))
            // Recorded first in its own transaction: a crash after it loses one digest rather than
            // sending it twice; the mail itself is the edge of the world.
            let claimed = try await database.transaction { db in
                try await !db.raw("""
                    INSERT INTO digests_sent (user_id, day, entries, sent_at) VALUES (\(bind: r.id), \(bind: day.iso), \(bind: entries.count), \(bind: now.description))
                    ON CONFLICT (user_id, day) DO NOTHING RETURNING user_id
                    """).all().isEmpty
            }
            guard claimed else { continue }
            try await mailer.send(message)
            sent += 1
        }
        return sent
    }

    /// One line of a digest: what happened on a case.
    public struct Entry: Sendable, Equatable {
        public let reference: String
        public let debtorName: String
        public let at: Instant
        public let text: String
    }

    /// The actions, phase changes and promise verdicts of `creditorID`'s cases during `day` (Paris).
    static func entries(_ database: Database, creditorID: Int64, day: Day) async throws -> [Entry] {
        try await database.withConnection { db in
            // Stamps are UTC; a Paris day spans from 22:00 or 23:00 UTC the day before.
            try await db.raw("""
                SELECT e.case_id, e.occurred_at, e.text, d.name FROM case_events e JOIN cases c ON c.id = e.case_id JOIN debtors d ON d.id = c.debtor_id
                WHERE c.creditor_id = \(bind: creditorID) AND e.kind IN ('action', 'transition', 'note', 'payment')
                  AND e.occurred_at >= \(bind: day.adding(days: -1).iso) AND e.occurred_at < \(bind: day.adding(days: 1).iso + "T23")
                ORDER BY e.case_id, e.id
                """).all().compactMap { r in
                guard let at = Instant(iso: try r.decode(column: "occurred_at", as: String.self)), ParisTime(at).day == day else { return nil }
                return Entry(reference: CaseReference(caseID: try r.decode(column: "case_id", as: Int64.self)).description,
                             debtorName: try r.decode(column: "name", as: String.self), at: at, text: try r.decode(column: "text", as: String.self))
            }
        }
    }

    /// The digest's text, in French like the reports it carries.
    static func body(name: String, creditor: String, day: Day, entries: [Entry]) -> String {
        var out = "Bonjour \(name),\n\n"
        if entries.isEmpty {
            out += "Aucune action n'a été enregistrée le \(day.french) sur les dossiers de \(creditor).\n"
        } else {
            out += "Voici les \(entries.count) compte(s) rendu(s) du \(day.french) sur les dossiers de \(creditor) :\n"
            var current = ""
            for e in entries {
                if e.reference != current {
                    out += "\n\(e.reference) — \(e.debtorName)\n"
                    current = e.reference
                }
                let t = ParisTime(e.at)
                out += "  \(t.hour < 10 ? "0" : "")\(t.hour):\(t.minute < 10 ? "0" : "")\(t.minute)  \(e.text)\n"
            }
        }
        out += "\nChaque dossier se consulte dans Recouvre. Pour ne plus recevoir ce récapitulatif : page « Mon compte ».\n"
        return out
    }
}

extension UserStore {
    /// Sets a user's email and whether they receive the daily digest.
    public func setDigest(userID: Int64, email: String?, daily: Bool, actor: Actor, at: Instant = SystemClock.now()) async throws {
        let address = email?.trimmingCharacters(in: .whitespaces).lowercased()
        if let a = address, !a.isEmpty {
            let parts = a.split(separator: "@")
            guard parts.count == 2, parts[1].contains("."), !a.contains(" "), a.count <= 254 else { throw StoreError.invalid("\(a) is not an email address") }
        }
        let stored = (address?.isEmpty ?? true) ? nil : address
        if daily && stored == nil { throw StoreError.invalid("the digest needs an email address") }
        try await database.transaction { db in
            try await db.raw("UPDATE users SET email = \(bind: stored), daily_digest = \(bind: daily ? 1 : 0) WHERE id = \(bind: userID)").run()
            try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "user.digest", entity: "user", entityID: String(userID),
                                                   after: #"{"daily_digest":\#(daily)}"#), db: db)
        }
    }

    /// A user's email and digest choice.
    public func digest(userID: Int64) async throws -> (email: String?, daily: Bool) {
        try await database.withConnection { db in
            guard let r = try await db.raw("SELECT email, daily_digest FROM users WHERE id = \(bind: userID)").all().first else { return (nil, false) }
            return (try r.decode(column: "email", as: String?.self), try r.decode(column: "daily_digest", as: Int.self) == 1)
        }
    }
}
