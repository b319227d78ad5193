import Crypto
import Foundation
import RecouvreCore
import SQLKit

/// A paper letter the daily run put in the outbox, with what its case says today.
public struct PendingLetter: Sendable {
    public let taskID: Int64
    public let caseID: Int64
    public let creditorID: Int64
    public let channel: StepChannel
    public let context: LetterContext
    /// The case's first letter's id, once there is one (a later letter names it).
    public let firstLetterID: Int64?
    public let sequence: Int
    /// The debtor's first email address and phone number not known to be invalid.
    public let email: String?
    public let phone: String?
    /// The strategy step that asked for it, when a strategy did (its template may be named there).
    public let strategyCode: String?
    public let variant: Variant
    public let stepIndex: Int?

    /// The template the step names, in `settings`.
    public func stepTemplate(in settings: CollectionSettings) -> String? {
        guard let code = strategyCode, let step = stepIndex else { return nil }
        return settings.strategies.first { $0.code == code }?.template(variant: variant, step: step)
    }
}

/// A letter written and rendered, ready to be archived and put in its print batch.
public struct PrintedLetter: Sendable {
    public let pending: PendingLetter
    public let letter: ComposedLetter
    /// The document kept: the letter's PDF, or a text message's text.
    public let pdf: [UInt8]
    public let pages: Int
    public let postage: Postage
    /// Where it went: the postal address lines, an email address or a phone number.
    public let sentTo: [String]

    public init(pending: PendingLetter, letter: ComposedLetter, pdf: [UInt8], pages: Int, postage: Postage, sentTo: [String]? = nil) {
        self.pending = pending
        self.letter = letter
        self.pdf = pdf
        self.pages = pages
        self.postage = postage
        self.sentTo = sentTo ?? Array(letter.recipient.dropFirst())
    }
}

/// A day's print batch of one kind of letter.
public struct PrintBatch: Sendable, Equatable {
    public enum Status: String, Sendable { case open, deposited }
    public let id: Int64
    public let batchOn: Day
    public let channel: StepChannel
    public let status: Status
    public let letters: Int
    public let pages: Int
    public let postageCents: Int64
    public let failed: Int
    public let pdfPath: String?
    public let pdfSHA256: String?
    public let manifestPath: String?
}

/// One line of a batch's manifest, in envelope order, with the archived PDF.
public struct BatchLetter: Sendable {
    public let id: Int64
    public let reference: String
    public let postcode: String
    public let caseReference: String
    public let addressee: String
    public let addressLines: [String]
    public let channel: StepChannel
    public let pages: Int
    public let weightClass: Int
    public let postageCents: Int64
    public let documentID: Int64
}

/// Letters: the outbox's paper letters read with their case, archived once written, gathered into
/// print batches, then followed through the post (registered number, acknowledgment, return).
public struct LetterStore: Sendable {
    let database: Database
    public init(_ database: Database) { self.database = database }

    /// The day's batch of `channel` letters, created when missing.
    public func batch(on day: Day, channel: StepChannel, at: Instant = SystemClock.now()) async throws -> PrintBatch {
        try await database.transaction { db in
            if let b = try await Self.loadBatch(day: day, channel: channel, db: db) { return b }
            try await db.raw("""
                INSERT INTO print_batches (batch_on, channel, status, created_at) VALUES (\(bind: day.iso), \(bind: channel.rawValue), 'open', \(bind: at.description))
                """).run()
            return try await Self.loadBatch(day: day, channel: channel, db: db)!
        }
    }

    public func existingBatch(on day: Day, channel: StepChannel) async throws -> PrintBatch? {
        try await database.withConnection { db in try await Self.loadBatch(day: day, channel: channel, db: db) }
    }

    public func batches(limit: Int = 60) async throws -> [PrintBatch] {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM print_batches ORDER BY batch_on DESC, channel LIMIT \(literal: limit)").all().map(Self.decodeBatch)
        }
    }

    public func batch(id: Int64) async throws -> PrintBatch? {
        try await database.withConnection { db in try await db.raw("SELECT * FROM print_batches WHERE id = \(bind: id)").all().first.map(Self.decodeBatch) }
    }

    static func loadBatch(day: Day, channel: StepChannel, db: any SQLDatabase) async throws -> PrintBatch? {
        try await db.raw("SELECT * FROM print_batches WHERE batch_on = \(bind: day.iso) AND channel = \(bind: channel.rawValue)").all().first.map(decodeBatch)
    }

    static func decodeBatch(_ r: any SQLRow) throws -> PrintBatch {
        PrintBatch(id: try r.decode(column: "id", as: Int64.self), batchOn: Day(parsing: try r.decode(column: "batch_on", as: String.self))!,
                   channel: StepChannel(rawValue: try r.decode(column: "channel", as: String.self)) ?? .letter,
                   status: PrintBatch.Status(rawValue: try r.decode(column: "status", as: String.self)) ?? .open,
                   letters: try r.decode(column: "letters", as: Int.self), pages: try r.decode(column: "pages", as: Int.self),
                   postageCents: try r.decode(column: "postage_cents", as: Int64.self), failed: try r.decode(column: "failed", as: Int.self),
                   pdfPath: try r.decode(column: "pdf_path", as: String?.self), pdfSHA256: try r.decode(column: "pdf_sha256", as: String?.self),
                   manifestPath: try r.decode(column: "manifest_path", as: String?.self))
    }

    /// Outbox tasks whose case left the amicable phase (paid, disputed, closed) since the run
    /// decided them: nothing is sent for them.
    public func cancelStale(at: Instant = SystemClock.now()) async throws {
        try await database.withConnection { db in
            try await db.raw("""
                UPDATE collection_tasks SET status = 'cancelled', done_at = \(bind: at.description), problem = 'case no longer in the amicable phase'
                WHERE status = 'outbox' AND case_id IN (SELECT id FROM cases WHERE status <> 'amicable')
                """).run()
        }
    }

    /// Up to `limit` `channel` letters due by `day`, after task `after`, with their case as it is
    /// now. Tasks with a problem noted are skipped until someone mends the case and clears it.
    public func pending(channel: StepChannel, dueBy day: Day, after: Int64 = 0, limit: Int = 512) async throws -> [PendingLetter] {
        try await database.withConnection { db in
            let rows = try await db.raw("""
                SELECT t.id AS task_id, t.case_id, t.strategy_code, t.variant, t.step_index, c.creditor_id, c.paid_minor, d.name AS debtor_name, d.kind AS debtor_kind, d.language,
                  d.address_line1, d.address_line2, d.postcode, d.city, d.country, d.address_status,
                  (SELECT k.value FROM debtor_contacts k WHERE k.debtor_id = d.id AND k.kind = 'email' AND k.status <> 'invalid' ORDER BY k.id LIMIT 1) AS email,
                  (SELECT k.value FROM debtor_contacts k WHERE k.debtor_id = d.id AND k.kind = 'phone' AND k.status <> 'invalid' ORDER BY k.id LIMIT 1) AS phone,
                  cr.name AS creditor_name, cr.address_line1 AS cr_line1, cr.address_line2 AS cr_line2, cr.postcode AS cr_postcode, cr.city AS cr_city, cr.country AS cr_country
                FROM collection_tasks t JOIN cases c ON c.id = t.case_id JOIN debtors d ON d.id = c.debtor_id JOIN creditors cr ON cr.id = c.creditor_id
                WHERE t.status = 'outbox' AND t.channel = \(bind: channel.rawValue) AND t.due_on <= \(bind: day.iso) AND t.id > \(bind: after)
                  AND t.problem IS NULL AND c.status = 'amicable'
                ORDER BY t.id LIMIT \(literal: limit)
                """).all()
            guard !rows.isEmpty else { return [] }
            let caseIDs = try rows.map { try $0.decode(column: "case_id", as: Int64.self) }
            let ids = SQLQueryString.idList(caseIDs)
            var claims: [Int64: [LetterClaim]] = [:]
            for r in try await db.raw("SELECT case_id, invoice_ref, issued_on, due_on, principal_minor, currency FROM claims WHERE case_id IN \(ids) AND disputed_on IS NULL AND withdrawn_on IS NULL ORDER BY due_on, invoice_ref").all() {
                let cur = Currency(code: try r.decode(column: "currency", as: String.self)) ?? .eur
                // Interest and accessories are computed by the money issue (6); until then a letter
                // states them as nil amounts rather than guessing.
                claims[try r.decode(column: "case_id", as: Int64.self), default: []].append(LetterClaim(
                    invoiceReference: try r.decode(column: "invoice_ref", as: String.self),
                    issuedOn: Day(parsing: try r.decode(column: "issued_on", as: String.self))!, dueOn: Day(parsing: try r.decode(column: "due_on", as: String.self))!,
                    principal: Money(minorUnits: try r.decode(column: "principal_minor", as: Int64.self), currency: cur), interest: .zero(cur), otherItems: .zero(cur)))
            }
            var sent: [Int64: (count: Int, firstID: Int64, firstReference: String, firstOn: Day)] = [:]
            for r in try await db.raw("SELECT case_id, id, reference, letter_on, sequence FROM letters WHERE case_id IN \(ids) ORDER BY case_id, sequence").all() {
                let c = try r.decode(column: "case_id", as: Int64.self)
                if var s = sent[c] { s.count = max(s.count, try r.decode(column: "sequence", as: Int.self)); sent[c] = s; continue }
                sent[c] = (try r.decode(column: "sequence", as: Int.self), try r.decode(column: "id", as: Int64.self),
                           try r.decode(column: "reference", as: String.self), Day(parsing: try r.decode(column: "letter_on", as: String.self))!)
            }
            var next: [Int64: Int] = [:]
            return try rows.map { r in
                let caseID = try r.decode(column: "case_id", as: Int64.self)
                let prior = sent[caseID]
                let sequence = (next[caseID] ?? prior?.count ?? 0) + 1
                next[caseID] = sequence
                let reference = "\(CaseReference(caseID: caseID))/\(sequence)"
                let invalid = try r.decode(column: "address_status", as: String.self) == "invalid"
                let address = invalid ? PostalAddress() : PostalAddress(
                    line1: try r.decode(column: "address_line1", as: String.self), line2: try r.decode(column: "address_line2", as: String.self),
                    postcode: try r.decode(column: "postcode", as: String.self), city: try r.decode(column: "city", as: String.self),
                    country: try r.decode(column: "country", as: String.self))
                let context = LetterContext(
                    caseReference: CaseReference(caseID: caseID), debtorName: try r.decode(column: "debtor_name", as: String.self),
                    debtorKind: Debtor.Kind(rawValue: try r.decode(column: "debtor_kind", as: String.self)) ?? .company, debtorAddress: address,
                    creditorName: try r.decode(column: "creditor_name", as: String.self),
                    creditorAddress: PostalAddress(line1: try r.decode(column: "cr_line1", as: String.self), line2: try r.decode(column: "cr_line2", as: String.self),
                                                   postcode: try r.decode(column: "cr_postcode", as: String.self), city: try r.decode(column: "cr_city", as: String.self),
                                                   country: try r.decode(column: "cr_country", as: String.self)),
                    claims: claims[caseID] ?? [], paid: .eur(cents: try r.decode(column: "paid_minor", as: Int64.self)),
                    letterReference: reference, letterDate: day,
                    firstLetter: prior.map { (reference: $0.firstReference, date: $0.firstOn) }, language: Language(rawValue: try r.decode(column: "language", as: String.self)) ?? .fr)
                return PendingLetter(taskID: try r.decode(column: "task_id", as: Int64.self), caseID: caseID, creditorID: try r.decode(column: "creditor_id", as: Int64.self),
                                     channel: channel, context: context, firstLetterID: prior?.firstID, sequence: sequence,
                                     email: try r.decode(column: "email", as: String?.self), phone: try r.decode(column: "phone", as: String?.self),
                                     strategyCode: try r.decode(column: "strategy_code", as: String?.self),
                                     variant: try r.decode(column: "variant", as: String?.self).flatMap(Variant.init(rawValue:)) ?? .champion,
                                     stepIndex: try r.decode(column: "step_index", as: Int?.self))
            }
        }
    }

    /// Notes why a task's letter cannot be written; it stays in the outbox, shown on its case,
    /// until the case is mended (`clearProblem`).
    /// With `batch`, the letter is also counted against that print batch, in the same transaction.
    public func noteProblem(taskID: Int64, _ problem: LetterProblem, countingIn batch: PrintBatch? = nil) async throws {
        try await database.transaction { db in
            try await db.raw("UPDATE collection_tasks SET problem = \(bind: problem.description) WHERE id = \(bind: taskID)").run()
            if let batch { try await db.raw("UPDATE print_batches SET failed = failed + 1 WHERE id = \(bind: batch.id)").run() }
        }
    }

    /// Letters the outbox could not write, oldest first: what an agent must mend.
    public func problems(limit: Int) async throws -> [(caseID: Int64, channel: StepChannel, dueOn: Day, problem: String)] {
        try await database.withConnection { db in
            try await db.raw("""
                SELECT case_id, channel, due_on, problem FROM collection_tasks WHERE status = 'outbox' AND problem IS NOT NULL ORDER BY id LIMIT \(literal: limit)
                """).all().map { r in
                (try r.decode(column: "case_id", as: Int64.self), StepChannel(rawValue: try r.decode(column: "channel", as: String.self)) ?? .letter,
                 Day(parsing: try r.decode(column: "due_on", as: String.self))!, try r.decode(column: "problem", as: String.self))
            }
        }
    }

    /// An email refused for good by the receiving server (a hard bounce): the address is marked
    /// invalid (the engine then plans no email to it), the task is dropped with why, the case's
    /// history says so.
    public func bounced(_ p: PendingLetter, address: String, reply: String, actor: Actor, at: Instant = SystemClock.now()) async throws {
        try await database.transaction { db in
            try await db.raw("""
                UPDATE debtor_contacts SET status = 'invalid' WHERE kind = 'email' AND value = \(bind: address)
                AND debtor_id = (SELECT debtor_id FROM cases WHERE id = \(bind: p.caseID))
                """).run()
            try await db.raw("""
                UPDATE collection_tasks SET status = 'cancelled', done_at = \(bind: at.description), problem = \(bind: "email refused: \(reply)") WHERE id = \(bind: p.taskID)
                """).run()
            try await CaseStore.appendEvents([CaseEvent(caseID: p.caseID, occurredAt: at, actor: actor, kind: .mail,
                                                        text: "Courriel à \(address) refusé par le serveur du destinataire (\(reply)) : adresse marquée invalide.")], db: db)
        }
    }

    /// Archives `letters` in one transaction: each document kept once as a document of its case
    /// (with its content hash), the letter put in `batch` (paper) or marked sent (email, SMS), its
    /// task done, the letter in the case's history and, for paper, the contact state's last letter
    /// day. A crash leaves either all of them or none.
    public func archive(_ letters: [PrintedLetter], batch: PrintBatch?, actor: Actor, at: Instant = SystemClock.now()) async throws {
        guard !letters.isEmpty else { return }
        try await database.transaction { db in
            var events: [CaseEvent] = []
            for p in letters {
                let hash = SHA256Hex.of(p.pdf)
                let channel = p.pending.channel
                let (kind, name, type) = channel == .sms ? (DocumentInfo.Kind.sms, p.letter.reference.replacingOccurrences(of: "/", with: "-") + ".txt", "text/plain; charset=utf-8")
                    : (channel == .email ? .email : .letter, p.letter.reference.replacingOccurrences(of: "/", with: "-") + ".pdf", "application/pdf")
                let documentID = try await db.raw("""
                    INSERT INTO documents (creditor_id, case_id, kind, name, content_type, byte_count, created_at, created_by, body, sha256)
                    VALUES (\(bind: p.pending.creditorID), \(bind: p.pending.caseID), \(bind: kind.rawValue), \(bind: name),
                      \(bind: type), \(bind: p.pdf.count), \(bind: at.description), \(bind: actor.id), \(bind: Data(p.pdf)), \(bind: hash))
                    RETURNING id
                    """).all()[0].decode(column: "id", as: Int64.self)
                let recipient = p.letter.recipient
                try await db.raw("""
                    INSERT INTO letters (case_id, task_id, sequence, reference, channel, template_code, language, letter_on, first_letter_id,
                      addressee, address_lines, postcode, pages, grams, weight_class, postage_cents, amount_due_cents, document_id, batch_id, status, created_at)
                    VALUES (\(bind: p.pending.caseID), \(bind: p.pending.taskID), \(bind: p.pending.sequence), \(bind: p.letter.reference), \(bind: p.pending.channel.rawValue),
                      \(bind: p.letter.templateCode), \(bind: p.letter.language.rawValue), \(bind: p.letter.date.iso), \(bind: p.pending.firstLetterID),
                      \(bind: recipient.first ?? ""), \(bind: p.sentTo.joined(separator: "\n")), \(bind: channel.isLetter ? p.pending.context.debtorAddress.postcode : ""),
                      \(bind: p.pages), \(bind: p.postage.grams), \(bind: p.postage.weightClass), \(bind: p.postage.cents), \(bind: p.letter.amountDue.minorUnits),
                      \(bind: documentID), \(bind: batch?.id), \(bind: batch == nil ? "sent" : "printed"), \(bind: at.description))
                    """).run()
                try await db.raw("""
                    UPDATE collection_tasks SET status = 'done', done_at = \(bind: at.description), done_by = \(bind: actor.id) WHERE id = \(bind: p.pending.taskID)
                    """).run()
                let due = p.letter.amountDue.formatted(locale: .fr)
                let text: String
                switch (channel, batch) {
                case let (.letter, batch?), let (.registeredLetter, batch?):
                    let kind = channel == .registeredLetter ? "lettre recommandée avec AR" : "lettre simple"
                    text = """
                        Courrier \(p.letter.reference) (\(kind), modèle \(p.letter.templateCode), \(p.pages) page\(p.pages > 1 ? "s" : "")) imprimé dans le lot du \(batch.batchOn.french) : \
                        reste dû \(due), affranchissement estimé \(Money.eur(cents: p.postage.cents).formatted(locale: .fr)).
                        """
                    try await ContactStates.noteLetter(caseID: p.pending.caseID, on: p.letter.date, at: at, db: db)
                case (.sms, _): text = "SMS \(p.letter.reference) envoyé au \(p.sentTo.first ?? "") (modèle \(p.letter.templateCode)) : reste dû \(due)."
                default: text = "Courriel \(p.letter.reference) envoyé à \(p.sentTo.first ?? "") (modèle \(p.letter.templateCode), courrier en PDF joint) : reste dû \(due)."
                }
                events.append(CaseEvent(caseID: p.pending.caseID, occurredAt: at, actor: actor, kind: .mail, text: text))
            }
            try await CaseStore.appendEvents(events, db: db)
            guard let batch else { return }
            try await db.raw("""
                UPDATE print_batches SET letters = letters + \(bind: letters.count), pages = pages + \(bind: letters.reduce(0) { $0 + $1.pages }),
                  postage_cents = postage_cents + \(bind: letters.reduce(Int64(0)) { $0 + $1.postage.cents }) WHERE id = \(bind: batch.id)
                """).run()
        }
    }

    /// The batch's letters in envelope order (postcode, then letter), `limit` after the letter
    /// `after` (keyset paging on the `letters_batch` index: each page costs the same).
    public func letters(inBatch id: Int64, after: BatchLetter? = nil, limit: Int) async throws -> [BatchLetter] {
        var q = SQLQueryString("""
            SELECT id, case_id, reference, addressee, address_lines, postcode, channel, pages, weight_class, postage_cents, document_id
            FROM letters WHERE batch_id = \(bind: id)
            """)
        if let after { q += " AND (postcode, id) > (\(bind: after.postcode), \(bind: after.id))" }
        q += " ORDER BY postcode, id LIMIT \(literal: limit)"
        let query = q
        return try await database.withConnection { db in
            try await db.raw(query).all().map { r in
                BatchLetter(id: try r.decode(column: "id", as: Int64.self), reference: try r.decode(column: "reference", as: String.self),
                            postcode: try r.decode(column: "postcode", as: String.self),
                            caseReference: CaseReference(caseID: try r.decode(column: "case_id", as: Int64.self)).description,
                            addressee: try r.decode(column: "addressee", as: String.self),
                            addressLines: try r.decode(column: "address_lines", as: String.self).split(separator: "\n").map(String.init),
                            channel: StepChannel(rawValue: try r.decode(column: "channel", as: String.self)) ?? .letter,
                            pages: try r.decode(column: "pages", as: Int.self), weightClass: try r.decode(column: "weight_class", as: Int.self),
                            postageCents: try r.decode(column: "postage_cents", as: Int64.self), documentID: try r.decode(column: "document_id", as: Int64.self))
            }
        }
    }

    /// The bytes of archived documents, by id.
    public func bodies(_ ids: [Int64]) async throws -> [Int64: [UInt8]] {
        guard !ids.isEmpty else { return [:] }
        return try await database.withConnection { db in
            var out: [Int64: [UInt8]] = [:]
            for r in try await db.raw("SELECT id, body FROM documents WHERE id IN \(SQLQueryString.idList(ids))").all() {
                out[try r.decode(column: "id", as: Int64.self)] = [UInt8](try r.decode(column: "body", as: Data.self))
            }
            return out
        }
    }

    /// The batch handed to the post: its files and their hash.
    public func deposited(batch: PrintBatch, pdfPath: String, pdfSHA256: String, manifestPath: String, at: Instant = SystemClock.now()) async throws {
        try await database.withConnection { db in
            try await db.raw("""
                UPDATE print_batches SET status = 'deposited', pdf_path = \(bind: pdfPath), pdf_sha256 = \(bind: pdfSHA256), manifest_path = \(bind: manifestPath),
                  deposited_at = \(bind: at.description) WHERE id = \(bind: batch.id)
                """).run()
        }
    }

    /// A case's letters, newest first.
    public func letters(caseID: Int64) async throws -> [SentLetter] {
        try await database.withConnection { db in try await RowSets.read([Self.letterRows(caseID: caseID)], db: db)[0].map(Self.decodeLetter) }
    }

    /// A case's letters, latest first (`decodeLetter` reads them).
    static func letterRows(caseID: Int64) -> RowSet {
        RowSet(select: """
            SELECT id, sequence, reference, channel, letter_on, pages, postage_cents, document_id, status, registered_number, status_on
            FROM letters WHERE case_id = \(bind: caseID)
            """, order: "sequence DESC")
    }

    static func decodeLetter(_ r: any SQLRow) throws -> SentLetter {
        SentLetter(id: try r.decode(column: "id", as: Int64.self), reference: try r.decode(column: "reference", as: String.self),
                   channel: StepChannel(rawValue: try r.decode(column: "channel", as: String.self)) ?? .letter,
                   letterOn: Day(parsing: try r.decode(column: "letter_on", as: String.self))!, pages: try r.decode(column: "pages", as: Int.self),
                   postageCents: try r.decode(column: "postage_cents", as: Int64.self), documentID: try r.decode(column: "document_id", as: Int64.self),
                   status: SentLetter.Status(rawValue: try r.decode(column: "status", as: String.self)) ?? .printed,
                   registeredNumber: try r.decode(column: "registered_number", as: String?.self),
                   statusOn: try r.decode(column: "status_on", as: String?.self).flatMap { Day(parsing: $0) })
    }
}

/// A letter as its case shows it.
public struct SentLetter: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case printed, sent, delivered, notClaimed = "not_claimed", returned
    }
    public let id: Int64
    public let reference: String
    public let channel: StepChannel
    public let letterOn: Day
    public let pages: Int
    public let postageCents: Int64
    public let documentID: Int64
    public let status: Status
    public let registeredNumber: String?
    public let statusOn: Day?
}
