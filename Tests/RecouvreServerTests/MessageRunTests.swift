import Foundation
import RecouvreCore
import RecouvreDocuments
import RecouvreStore
import Testing
@testable import RecouvreServer

/// Emails through a real SMTP server (aiosmtpd, started by scripts/test with STARTTLS and a
/// certificate of its own; skipped when it is not running) and texts through the folder provider.
extension ServerTests {
    static var smtp: (port: Int, folder: String, ca: String)? {
        let env = ProcessInfo.processInfo.environment
        guard let port = env["RECOUVRE_TEST_SMTP_PORT"].flatMap(Int.init), let folder = env["RECOUVRE_TEST_SMTP_DIR"], let ca = env["RECOUVRE_TEST_SMTP_CA"] else { return nil }
        return (port, folder, ca)
    }

    /// The messages the sink received for `address`, as text.
    func delivered(to address: String) throws -> [String] {
        let folder = try #require(Self.smtp).folder
        return try FileManager.default.contentsOfDirectory(atPath: folder).sorted().compactMap { name in
            let text = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
            return text.contains("X-Envelope-To: \(address)") ? text : nil
        }
    }

    @Test(.enabled(if: smtp != nil, "needs the SMTP sink of scripts/test"))
    func aMessageGoesThroughSTARTTLSWithItsAttachment() async throws {
        let smtp = try #require(Self.smtp)
        let mailer = SMTPMailer(SMTPConfiguration(host: "127.0.0.1", port: smtp.port, from: "Cabinet Recouvre <relances@recouvre.example>", caFile: smtp.ca))
        let to = "debiteur-\(UUID().uuidString.prefix(8))@example.org"
        let pdf = Array("%PDF-1.5 test\n".utf8)
        try await mailer.send(MailMessage(to: to, subject: "Dossier RC-0000042 : relance — échéance dépassée", body: "Bonjour,\n.\nUne ligne qui commence par un point.",
                                          attachments: [MailAttachment(fileName: "RC-0000042-2.pdf", contentType: "application/pdf", data: pdf)]))
        let messages = try delivered(to: to)
        #expect(messages.count == 1)
        let message = try #require(messages.first)
        #expect(message.contains("X-TLS: yes"), "STARTTLS was used")
        #expect(message.contains("X-Envelope-From: relances@recouvre.example"))
        #expect(message.contains("Subject: =?UTF-8?B?\(Data("Dossier RC-0000042 : relance — échéance dépassée".utf8).base64EncodedString())?="))
        #expect(message.contains("\r\n.\r\nUne ligne qui commence par un point."), "dot-stuffing undone by the server")
        #expect(message.contains("filename=\"RC-0000042-2.pdf\"") && message.contains(Data(pdf).base64EncodedString()))
        // A recipient the server does not know is a hard bounce.
        await #expect(throws: MailError.rejected(recipient: "unknown-\(to)", reply: "550 5.1.1 <unknown-\(to)>: recipient address rejected: user unknown")) {
            try await mailer.send(MailMessage(to: "unknown-\(to)", subject: "x", body: "x"))
        }
        // A server whose certificate is not trusted is not sent anything.
        let untrusting = SMTPMailer(SMTPConfiguration(host: "127.0.0.1", port: smtp.port, from: "a@b.c"))
        await #expect(throws: MailError.self) { try await untrusting.send(MailMessage(to: "x-\(to)", subject: "x", body: "x")) }
        #expect(try delivered(to: "x-\(to)").isEmpty)
    }

    @Test(.enabled(if: smtp != nil, "needs the SMTP sink of scripts/test"))
    func theOutboxsEmailsAndTextsAreSentArchivedAndABounceInvalidatesTheAddress() async throws {
        let smtp = try #require(Self.smtp)
        try await withDemo { db in
            let day = Day(year: 2026, month: 11, day: 23)!
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("msg-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            // The cases' first letters go out first (R124-4: no other contact before).
            _ = try await PrintRun(db, postal: FolderPostal(root: folder.appendingPathComponent("post")), press: .shared).runAll(on: day, at: callHours())
            let tag = UUID().uuidString.prefix(8).lowercased()
            let (emailCases, bounceCase) = try await db.withConnection { db in
                let ids = try await db.raw("SELECT case_id FROM collection_tasks WHERE status = 'outbox' AND channel = 'email' ORDER BY id LIMIT 3").all()
                    .map { try $0.decode(column: "case_id", as: Int64.self) }
                try await db.raw("UPDATE collection_tasks SET status = 'cancelled' WHERE status = 'outbox' AND channel = 'email' AND case_id NOT IN (\(unsafeRaw: ids.map(String.init).joined(separator: ",")))").run()
                for (i, id) in ids.enumerated() {
                    let address = i == 0 ? "unknown-\(tag)@example.org" : "client\(i)-\(tag)@example.org"
                    try await db.raw("UPDATE debtor_contacts SET value = \(bind: address) WHERE kind = 'email' AND debtor_id = (SELECT debtor_id FROM cases WHERE id = \(bind: id))").run()
                }
                return (Array(ids.dropFirst()), ids[0])
            }
            let sms = OutboxFolderSMS(folder: folder.appendingPathComponent("sms").path)
            let mailer = SMTPMailer(SMTPConfiguration(host: "127.0.0.1", port: smtp.port, from: "relances@recouvre.example", caFile: smtp.ca))
            let run = MessageRun(db, mailer: mailer, sms: sms, press: .shared)
            // On a Sunday the texts wait; the emails go.
            let sunday = Instant(iso: "2026-11-22T10:00:00.000Z")!
            let first = try await run.run(on: day, at: sunday)
            #expect(first.emails == 2 && first.bounced == 1 && first.textsHeld && first.texts == 0)
            for (i, id) in emailCases.enumerated() {
                let messages = try delivered(to: "client\(i + 1)-\(tag)@example.org")
                #expect(messages.count == 1 && messages[0].contains("application/pdf") && messages[0].contains("\(CaseReference(caseID: id))"))
                let letters = try await LetterStore(db).letters(caseID: id)
                #expect(letters.first?.channel == .email && letters.first?.status == .sent)
            }
            let bounced = try #require(try await CaseStore(db).detail(id: bounceCase, scope: .agency))
            #expect(bounced.debtor.contacts.first { $0.kind == .email }?.status == .invalid)
            #expect(bounced.events.contains { $0.kind == .mail && $0.text.contains("refusé par le serveur du destinataire") })
            // On Tuesday morning the texts go, within the length limit, to a file per message.
            let second = try await run.run(on: day, at: callHours())
            #expect(second.emails == 0 && second.texts > 0 && !second.textsHeld)
            let files = try FileManager.default.contentsOfDirectory(atPath: sms.folder)
            #expect(files.count == second.texts)
            let one = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sms.folder + "/" + files[0]))) as! [String: String]
            #expect(one["text"]!.count <= 160 && one["text"]!.contains("courrier RC-") && one["to"]!.isEmpty == false)
            // Nothing goes twice.
            let third = try await run.run(on: day, at: callHours())
            #expect(third.emails == 0 && third.texts == 0)
        }
    }
}
