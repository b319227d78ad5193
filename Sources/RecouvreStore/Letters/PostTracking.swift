import Foundation
import RecouvreCore
import SQLKit

/// What an import of the post's files did: rows applied, rows already known, rows refused with
/// their line and reason.
public struct TrackingReport: Sendable, Equatable {
    public var applied = 0
    public var unchanged = 0
    public var rejected: [(line: Int, reason: String)] = []

    public static func == (a: TrackingReport, b: TrackingReport) -> Bool {
        a.applied == b.applied && a.unchanged == b.unchanged && a.rejected.map(\.line) == b.rejected.map(\.line) && a.rejected.map(\.reason) == b.rejected.map(\.reason)
    }
}

/// Follows letters through the post, from its files (CSV, `;` or `,`, a header line):
/// - registered numbers: `reference;numero`, the number La Poste gave each registered letter of a
///   deposit;
/// - receipts: `numero;statut;date` or `reference;statut;date`, where `statut` is `distribue`
///   (acknowledgment signed), `non_reclame` (not claimed) or `npai` (returned "unknown at this
///   address"). An NPAI return marks the debtor's address invalid and asks for an investigation.
///
/// Good rows land, bad rows are reported; a row already applied changes nothing.
public struct PostTracking: Sendable {
    let database: Database
    public init(_ database: Database) { self.database = database }

    public func importRegisteredNumbers(_ data: [UInt8], actor: Actor, at: Instant = SystemClock.now()) async throws -> TrackingReport {
        let (rows, headerProblem) = Self.rows(data, required: ["reference", "numero"])
        if let headerProblem { return TrackingReport(rejected: [(1, headerProblem)]) }
        return try await database.transaction { db in
            var report = TrackingReport()
            for row in rows {
                switch try await Self.setNumber(reference: row.fields["reference"]!, number: row.fields["numero"]!, actor: actor, at: at, db: db) {
                case .applied: report.applied += 1
                case .unchanged: report.unchanged += 1
                case let .refused(why): report.rejected.append((row.line, why))
                }
            }
            return report
        }
    }

    /// A registered number typed on the case page.
    public func registerNumber(reference: String, number: String, actor: Actor, at: Instant = SystemClock.now()) async throws -> NumberOutcome {
        try await database.transaction { db in try await Self.setNumber(reference: reference, number: number, actor: actor, at: at, db: db) }
    }

    public enum NumberOutcome: Sendable, Equatable { case applied, unchanged, refused(String) }

    /// Gives a registered letter its number, once: the number is 10 to 20 letters or digits and
    /// belongs to no other letter.
    static func setNumber(reference: String, number raw: String, actor: Actor, at: Instant, db: any SQLDatabase) async throws -> NumberOutcome {
        let number = raw.filter { !$0.isWhitespace }.uppercased()
        guard (10...20).contains(number.count), number.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            return .refused("registered number \"\(raw)\" must be 10 to 20 letters or digits")
        }
        guard let letter = try await db.raw("SELECT id, case_id, channel, registered_number FROM letters WHERE reference = \(bind: reference)").all().first else {
            return .refused("no letter with reference \"\(reference)\"")
        }
        guard try letter.decode(column: "channel", as: String.self) == StepChannel.registeredLetter.rawValue else {
            return .refused("letter \(reference) is not a registered letter")
        }
        let existing = try letter.decode(column: "registered_number", as: String?.self)
        if existing == number { return .unchanged }
        if let existing { return .refused("letter \(reference) already has the number \(existing)") }
        if try await db.raw("SELECT 1 FROM letters WHERE registered_number = \(bind: number)").all().first != nil {
            return .refused("number \(number) is already given to another letter")
        }
        try await db.raw("UPDATE letters SET registered_number = \(bind: number) WHERE id = \(bind: letter.decode(column: "id", as: Int64.self))").run()
        try await CaseStore.appendEvents([CaseEvent(caseID: try letter.decode(column: "case_id", as: Int64.self), occurredAt: at, actor: actor, kind: .mail,
                                                    text: "Courrier \(reference) : recommandé n° \(number).")], db: db)
        return .applied
    }

    public func importReceipts(_ data: [UInt8], actor: Actor, at: Instant = SystemClock.now()) async throws -> TrackingReport {
        let byNumber = Self.rows(data, required: ["numero", "statut", "date"])
        let (rows, headerProblem) = byNumber.1 == nil ? byNumber : Self.rows(data, required: ["reference", "statut", "date"])
        if let headerProblem { return TrackingReport(rejected: [(1, headerProblem + " (or numero instead of reference)")]) }
        return try await database.transaction { db in
            var report = TrackingReport()
            for row in rows {
                guard let status = Self.status(row.fields["statut"]!) else {
                    report.rejected.append((row.line, "status \"\(row.fields["statut"]!)\" is not distribue, non_reclame or npai")); continue
                }
                guard let day = Day(parsing: row.fields["date"]!) else { report.rejected.append((row.line, "date \"\(row.fields["date"]!)\" is not a date")); continue }
                let key: SQLQueryString = row.fields["numero"].map { "registered_number = \(bind: $0.filter { !$0.isWhitespace }.uppercased())" }
                    ?? "reference = \(bind: row.fields["reference"]!)"
                guard let letter = try await db.raw("SELECT l.id, l.case_id, l.reference, l.status, l.letter_on, c.debtor_id FROM letters l JOIN cases c ON c.id = l.case_id WHERE l.\(key)").all().first else {
                    report.rejected.append((row.line, "no letter with \(row.fields["numero"].map { "registered number \($0)" } ?? "reference \(row.fields["reference"]!)")")); continue
                }
                let reference = try letter.decode(column: "reference", as: String.self)
                if try letter.decode(column: "status", as: String.self) == status.rawValue { report.unchanged += 1; continue }
                if let sent = Day(parsing: try letter.decode(column: "letter_on", as: String.self)), day < sent {
                    report.rejected.append((row.line, "date \(day.french) is before the letter \(reference) was sent (\(sent.french))")); continue
                }
                let letterID = try letter.decode(column: "id", as: Int64.self), caseID = try letter.decode(column: "case_id", as: Int64.self)
                try await db.raw("UPDATE letters SET status = \(bind: status.rawValue), status_on = \(bind: day.iso) WHERE id = \(bind: letterID)").run()
                let text: String
                switch status {
                case .delivered: text = "Courrier \(reference) : accusé de réception signé le \(day.french)."
                case .notClaimed: text = "Courrier \(reference) : pli non réclamé, revenu le \(day.french)."
                case .returned, .printed, .sent:
                    text = "Courrier \(reference) : revenu le \(day.french) « n'habite pas à l'adresse indiquée » (NPAI). Adresse marquée invalide ; recherche d'adresse à faire."
                    // The address no longer holds: no letter goes to it, and someone looks for the new one.
                    try await db.raw("UPDATE debtors SET address_status = 'invalid' WHERE id = \(bind: letter.decode(column: "debtor_id", as: Int64.self))").run()
                    try await db.raw("""
                        INSERT INTO collection_tasks (case_id, task_key, channel, due_on, reason, priority, status, created_at)
                        VALUES (\(bind: caseID), \(bind: "npai:\(letterID)"), 'review', \(bind: day.iso),
                          \(bind: "Courrier \(reference) revenu NPAI : rechercher la nouvelle adresse du débiteur (enquête)"), 1000000, 'queued', \(bind: at.description))
                        ON CONFLICT (case_id, task_key) DO NOTHING
                        """).run()
                }
                try await CaseStore.appendEvents([CaseEvent(caseID: caseID, occurredAt: at, actor: actor, kind: .mail, text: text)], db: db)
                report.applied += 1
            }
            return report
        }
    }

    static func status(_ text: String) -> SentLetter.Status? {
        switch text.lowercased().filter({ $0.isLetter }) {
        case "distribue", "distribué", "delivered", "ar": .delivered
        case "nonreclame", "nonréclamé", "notclaimed": .notClaimed
        case "npai", "returned", "retour": .returned
        default: nil
        }
    }

    struct Row { let line: Int; let fields: [String: String] }

    /// The file's rows as named fields, or why its header is not the expected one.
    static func rows(_ data: [UInt8], required: [String]) -> ([Row], String?) {
        let sep: UInt8 = data.prefix(while: { $0 != 0x0A }).contains(0x3B) ? 0x3B : 0x2C
        var tokenizer = CSVTokenizer(separator: sep)
        var records: [CSVTokenizer.Record] = []
        tokenizer.feed(data + (data.last == 0x0A ? [] : [0x0A])) { records.append($0) }
        guard let header = records.first else { return ([], "the file is empty") }
        let names = header.fields.map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased() }
        let missing = required.filter { !names.contains($0) }
        if !missing.isEmpty { return ([], "the header must name the columns \(required.joined(separator: ", ")); missing: \(missing.joined(separator: ", "))") }
        let rows = records.dropFirst().compactMap { r -> Row? in
            let values = r.fields.map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespaces) }
            if values.allSatisfy(\.isEmpty) { return nil }
            var fields: [String: String] = [:]
            for (i, name) in names.enumerated() where required.contains(name) { fields[name] = i < values.count ? values[i] : "" }
            return Row(line: r.line, fields: fields)
        }
        return (rows, nil)
    }
}
