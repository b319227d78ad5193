import Foundation
import RecouvreCore
import SQLKit

/// What importing a statement did.
public struct StatementImport: Sendable, Equatable {
    public var statementID: Int64 = 0
    public var credits = 0
    public var booked = 0
    public var queued = 0
    /// Credits already read from an earlier import (or twice in this file): nothing done again.
    public var alreadyKnown = 0
    public var debitsSkipped = 0
    public var pendingSkipped = 0
    /// Direct debits returned by the debtors' banks, their payments taken back.
    public var returnsApplied = 0
    public var problems: [StatementProblem] = []
    /// Payments booked, for their receipts.
    public var paymentIDs: [Int64] = []
}

/// A statement imported, with what its imports did.
public struct StatementRecord: Sendable, Equatable {
    public let id: Int64
    public let statementID: String
    public let fileName: String
    public let importedAt: Instant
    public let credits: Int
    public let booked: Int
    public let queued: Int
    public let alreadyKnown: Int
}

/// A credit waiting for the accountant.
public struct QueuedCredit: Sendable, Equatable {
    public let id: Int64
    public let bookedOn: Day
    public let cents: Int64
    public let payer: String
    public let payerIBAN: String?
    public let remittance: String
    public let reason: String
    public let line: Int
    public let statement: String
    /// Cases worth a look: reference, debtor, principal balance.
    public var suggestions: [(caseID: Int64, debtor: String, balanceCents: Int64)]

    public static func == (a: QueuedCredit, b: QueuedCredit) -> Bool { a.id == b.id }
}

/// Bank statements of the client-funds account: each credit matched to its case (`CreditMatch`)
/// and booked as a payment (`PaymentStore`), the rest queued for the accountant, who assigns each
/// to a case or sets it aside.
public struct StatementStore: Sendable {
    let database: Database
    public init(_ database: Database) { self.database = database }

    /// Credits per transaction: a crash loses at most one batch, which the next import redoes.
    public static let batchSize = 500

    /// Imports a camt.053 file. A file that is not a statement, or a statement of another account
    /// than `account`, is refused whole; an entry that cannot be read is reported with its line
    /// while the others land. Re-importing (the same file, or the next day's that repeats entries)
    /// books nothing twice.
    public func importStatement(_ data: Data, fileName: String = "", account: IBAN? = nil, actor: Actor, at: Instant = SystemClock.now(),
                                rates: InterestRates) async throws -> StatementImport {
        let statement: BankStatement
        switch Camt053Reader.read([UInt8](data)) {
        case let .success(s): statement = s
        case let .failure(error): throw StoreError.invalid(error.description)
        }
        if let account, let read = statement.accountIBAN, read.replacingOccurrences(of: " ", with: "").uppercased() != account.value {
            throw StoreError.invalid("this statement is for account \(read), not the client-funds account \(account.value)")
        }
        if let future = statement.credits.first(where: { $0.bookedOn > ParisTime(at).day }) {
            throw StoreError.invalid("line \(future.line): an entry booked on \(future.bookedOn.iso), after today: is the machine's date right?")
        }
        var summary = StatementImport(credits: statement.credits.count, debitsSkipped: statement.debitsSkipped,
                                      pendingSkipped: statement.pendingSkipped, problems: statement.problems)
        summary.statementID = try await database.transaction { db in
            if let row = try await db.raw("""
                SELECT id FROM bank_statements WHERE message_id = \(bind: statement.messageID) AND statement_id = \(bind: statement.statementID)
                """).all().first { return try row.decode(column: "id", as: Int64.self) }
            return try await db.raw("""
                INSERT INTO bank_statements (message_id, statement_id, account_iban, file_name, imported_at, imported_by)
                VALUES (\(bind: statement.messageID), \(bind: statement.statementID), \(bind: statement.accountIBAN ?? ""), \(bind: fileName),
                  \(bind: at.description), \(bind: actor.id))
                RETURNING id
                """).all()[0].decode(column: "id", as: Int64.self)
        }
        var seen = Set<String>()
        for start in stride(from: 0, to: statement.credits.count, by: Self.batchSize) {
            var batch: [BankCredit] = []
            for credit in statement.credits[start..<min(statement.credits.count, start + Self.batchSize)] {
                if seen.insert(credit.entryReference).inserted { batch.append(credit) } else { summary.alreadyKnown += 1 }
            }
            let (statementID, fresh) = (summary.statementID, batch)
            let done = try await database.transaction { db in
                try await Self.match(fresh, statementID: statementID, actor: actor, at: at, rates: rates, db: db)
            }
            summary.booked += done.booked
            summary.queued += done.queued
            summary.alreadyKnown += done.alreadyKnown
            summary.paymentIDs += done.paymentIDs
        }
        if !statement.returns.isEmpty {
            let (statementID, returns) = (summary.statementID, statement.returns)
            let r = try await database.transaction { db in try await Self.returns(returns, statementID: statementID, actor: actor, at: at, rates: rates, db: db) }
            summary.returnsApplied = r.applied
            summary.problems += r.unknown
            summary.alreadyKnown += r.known
        }
        let final = summary
        try await database.transaction { db in
            try await db.raw("""
                UPDATE bank_statements SET credits = credits + \(bind: final.credits - final.alreadyKnown), booked = booked + \(bind: final.booked),
                  queued = queued + \(bind: final.queued), already_known = already_known + \(bind: final.alreadyKnown),
                  problems = \(bind: final.problems.map(\.description).joined(separator: "\n"))
                WHERE id = \(bind: final.statementID)
                """).run()
            try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "statement.import", entity: "bank_statement", entityID: String(final.statementID),
                                                   after: AuditTrail.json(["message_id": statement.messageID, "statement_id": statement.statementID,
                                                                           "booked": String(final.booked), "queued": String(final.queued),
                                                                           "already_known": String(final.alreadyKnown), "problems": String(final.problems.count)])), db: db)
        }
        return summary
    }

    /// Matches and books one batch of credits inside its transaction.
    static func match(_ credits: [BankCredit], statementID: Int64, actor: Actor, at: Instant, rates: InterestRates,
                      db: any SQLDatabase) async throws -> StatementImport {
        var done = StatementImport()
        guard !credits.isEmpty else { return done }
        var known = Set<String>()
        for chunk in stride(from: 0, to: credits.count, by: 200) {
            let refs = credits[chunk..<min(credits.count, chunk + 200)].map(\.entryReference)
            var q = SQLQueryString("SELECT entry_ref FROM bank_credits WHERE entry_ref IN (")
            for (i, r) in refs.enumerated() { q += i == 0 ? "\(bind: r)" : ", \(bind: r)" }
            q += ")"
            for row in try await db.raw(q).all() { known.insert(try row.decode(column: "entry_ref", as: String.self)) }
        }
        let fresh = credits.filter { !known.contains($0.entryReference) }
        done.alreadyKnown = credits.count - fresh.count

        // The cases the remittances name, in one read.
        let referencedIDs = Set(fresh.flatMap { CreditMatch.caseReferences(in: $0.remittance).map(\.caseID) })
        let cases = try await candidates(where: "c.id IN \(SQLQueryString.idList(Array(referencedIDs)))", db: db)
        var debtorOf = cases.mapValues(\.debtorID)

        // The instalments collected by direct debit come back with the end-to-end id they were given.
        let collected = try await DirectDebitStore.submitted(endToEndIDs: fresh.compactMap(\.endToEndID), db: db)
        var decisions: [CreditMatch.Decision] = []
        for credit in fresh {
            if let e2e = credit.endToEndID, let debit = collected[e2e] {
                decisions.append(.book(caseID: debit.caseID, because: "prélèvement SEPA \(e2e)"))
                continue
            }
            let referenced = CreditMatch.caseReferences(in: credit.remittance).compactMap { cases[$0.caseID]?.candidate }
            var ofAccount: [CreditMatch.Candidate] = [], sameAmount: [CreditMatch.Candidate] = []
            if referenced.isEmpty {
                // The fallbacks cost a read each; they serve the few credits without a reference.
                if let iban = credit.debtorIBAN {
                    let found = try await candidates(where: """
                        c.debtor_id IN (SELECT debtor_id FROM debtor_accounts WHERE iban = \(bind: iban)) AND c.status NOT IN ('closed', 'returned_to_creditor')
                        """, db: db)
                    ofAccount = found.values.map(\.candidate).sorted { $0.caseID < $1.caseID }
                    for (id, c) in found { debtorOf[id] = c.debtorID }
                }
                if ofAccount.isEmpty {
                    let found = try await candidates(where: """
                        (c.claimed_minor - c.paid_minor) = \(bind: credit.cents) AND c.status NOT IN ('closed', 'returned_to_creditor', 'paid', 'partially_paid')
                        """, limit: 200, db: db)
                    sameAmount = found.values.map(\.candidate).sorted { $0.caseID < $1.caseID }
                    for (id, c) in found { debtorOf[id] = c.debtorID }
                }
            }
            decisions.append(CreditMatch.decide(credit, referenced: referenced, ofAccount: ofAccount, sameAmount: sameAmount))
        }
        // The batch's payments booked together; one the booking refuses waits with the reason.
        let toBook = fresh.indices.compactMap { i -> (Int, Int64)? in if case let .book(caseID, _) = decisions[i] { (i, caseID) } else { nil } }
        let booked = try await PaymentStore.bookAll(toBook.map { ($0.1, payment(fresh[$0.0], byDirectDebit: collected[fresh[$0.0].endToEndID ?? ""] != nil)) },
                                                    actor: actor, at: at, scope: .agency, rates: rates, settle: true, db: db)
        var paymentOf: [Int: Int64] = [:]
        var learned: [(String, Int64)] = []
        for ((i, caseID), result) in zip(toBook, booked) {
            switch result {
            case let .success(b):
                paymentOf[i] = b.paymentID
                if let debit = collected[fresh[i].endToEndID ?? ""] {
                    try await db.raw("UPDATE direct_debits SET status = 'collected', payment_id = \(bind: b.paymentID) WHERE id = \(bind: debit.debitID)").run()
                }
                if let iban = fresh[i].debtorIBAN, let debtor = debtorOf[caseID] { learned.append((iban, debtor)) }
            case let .failure(error):
                decisions[i] = .queue(reason: "le paiement n'a pas pu être enregistré sur \(CaseReference(caseID: caseID)) : \(error)", suggestions: [caseID])
            }
        }
        for start in stride(from: 0, to: fresh.count, by: 500) {
            var q = SQLQueryString("""
                INSERT INTO bank_credits (statement_id, entry_ref, booked_on, amount_minor, payer, payer_iban, remittance, line, status, reason, suggestions,
                  case_id, payment_id) VALUES
                """)
            for i in start..<min(fresh.count, start + 500) {
                let credit = fresh[i]
                let (status, reason, caseID, suggestions): (String, String, Int64?, [Int64]) = switch decisions[i] {
                case let .book(id, because): ("booked", because, id, [])
                case let .queue(reason, suggestions): ("queued", reason, nil, suggestions)
                }
                q += i == start ? " " : ", "
                q += """
                    (\(bind: statementID), \(bind: credit.entryReference), \(bind: credit.bookedOn.iso), \(bind: credit.cents), \(bind: credit.debtorName),
                      \(bind: credit.debtorIBAN), \(bind: credit.remittance), \(bind: credit.line), \(bind: status), \(bind: reason),
                      \(bind: suggestions.map(String.init).joined(separator: ",")), \(bind: caseID), \(bind: paymentOf[i]))
                    """
                if let id = paymentOf[i] {
                    done.booked += 1
                    done.paymentIDs.append(id)
                } else {
                    done.queued += 1
                }
            }
            try await db.raw(q).run()
        }
        try await learn(learned, at: at, db: db)
        return done
    }

    /// A credit as the payment it is.
    static func payment(_ credit: BankCredit, byDirectDebit: Bool = false) -> NewPayment {
        NewPayment(receivedOn: credit.bookedOn, cents: credit.cents, method: byDirectDebit ? .directDebit : .transfer, receivedBy: .agency, payer: credit.debtorName,
                   reference: credit.remittance, bankEntryReference: credit.entryReference)
    }

    /// The direct debits the statement says came back: each found by its end-to-end id is marked
    /// returned and its payment taken back; one that is not Recouvre's is reported to the accountant
    /// with the import's problems (it is not a credit to assign).
    /// Recorded in `bank_credits` (status `returned`) by their entry reference: read once.
    static func returns(_ returns: [BankReturn], statementID: Int64, actor: Actor, at: Instant, rates: InterestRates, db: any SQLDatabase) async throws -> (applied: Int, unknown: [StatementProblem], known: Int) {
        var applied = 0, unknown: [StatementProblem] = [], known = 0
        for r in returns {
            if try await !db.raw("SELECT id FROM bank_credits WHERE entry_ref = \(bind: r.entryReference)").all().isEmpty { known += 1; continue }
            let found = try await DirectDebitStore.returned(r, actor: actor, at: at, rates: rates, db: db)
            try await db.raw("""
                INSERT INTO bank_credits (statement_id, entry_ref, booked_on, amount_minor, payer, remittance, line, status, reason)
                VALUES (\(bind: statementID), \(bind: r.entryReference), \(bind: r.bookedOn.iso), \(bind: r.cents), '', \(bind: "retour \(r.endToEndID)"), \(bind: r.line),
                  \(bind: found ? "returned" : "unmatched_return"),
                  \(bind: found ? "prélèvement \(r.endToEndID) rejeté (\(ReturnReason.french(r.reason)))" : "retour de prélèvement \(r.endToEndID) inconnu de Recouvre"))
                """).run()
            if found { applied += 1 } else { unknown.append(StatementProblem(line: r.line, reason: "retour de prélèvement \(r.endToEndID) inconnu de Recouvre")) }
        }
        return (applied, unknown, known)
    }

    /// Remembers the accounts debtors paid from (IBAN, debtor), a few statements whatever their number.
    static func learn(_ accounts: [(iban: String, debtorID: Int64)], at: Instant, db: any SQLDatabase) async throws {
        for start in stride(from: 0, to: accounts.count, by: 500) {
            var q = SQLQueryString("INSERT INTO debtor_accounts (iban, debtor_id, learned_at) VALUES ")
            for (k, a) in accounts[start..<min(accounts.count, start + 500)].enumerated() {
                q += k == 0 ? "" : ", "
                q += "(\(bind: a.iban), \(bind: a.debtorID), \(bind: at.description))"
            }
            q += " ON CONFLICT (iban, debtor_id) DO NOTHING"
            try await db.raw(q).run()
        }
    }

    struct Found {
        let candidate: CreditMatch.Candidate
        let debtorID: Int64
    }

    static func candidates(where condition: SQLQueryString, limit: Int = 10_000, db: any SQLDatabase) async throws -> [Int64: Found] {
        var found: [Int64: Found] = [:]
        for row in try await db.raw("""
            SELECT c.id, c.status, c.suspension_reason, c.resume_to, c.debtor_id, c.claimed_minor - c.paid_minor AS balance, d.name
            FROM cases c JOIN debtors d ON d.id = c.debtor_id WHERE \(condition) ORDER BY c.id LIMIT \(unsafeRaw: String(limit))
            """).all() {
            let id = try row.decode(column: "id", as: Int64.self)
            found[id] = Found(candidate: CreditMatch.Candidate(caseID: id, lifecycle: try CaseStore.decodeLifecycle(row),
                                                                debtorName: try row.decode(column: "name", as: String.self),
                                                                principalBalanceCents: try row.decode(column: "balance", as: Int64.self)),
                              debtorID: try row.decode(column: "debtor_id", as: Int64.self))
        }
        return found
    }

    // MARK: The reconciliation queue

    /// Credits waiting for the accountant, oldest first.
    public func queue(limit: Int = 100) async throws -> [QueuedCredit] {
        try await database.withConnection { db in
            var credits = try await db.raw("""
                SELECT b.*, s.statement_id AS stmt FROM bank_credits b JOIN bank_statements s ON s.id = b.statement_id
                WHERE b.status = 'queued' ORDER BY b.id LIMIT \(bind: limit)
                """).all().map { r in
                QueuedCredit(id: try r.decode(column: "id", as: Int64.self), bookedOn: Day(parsing: try r.decode(column: "booked_on", as: String.self))!,
                             cents: try r.decode(column: "amount_minor", as: Int64.self), payer: try r.decode(column: "payer", as: String.self),
                             payerIBAN: try r.decode(column: "payer_iban", as: String?.self), remittance: try r.decode(column: "remittance", as: String.self),
                             reason: try r.decode(column: "reason", as: String.self), line: try r.decode(column: "line", as: Int.self),
                             statement: try r.decode(column: "stmt", as: String.self),
                             suggestions: try r.decode(column: "suggestions", as: String.self).split(separator: ",").compactMap { Int64($0) }.map { ($0, "", 0) })
            }
            let ids = Set(credits.flatMap { $0.suggestions.map(\.caseID) })
            let found = try await Self.candidates(where: "c.id IN \(SQLQueryString.idList(Array(ids)))", db: db)
            for i in credits.indices {
                credits[i].suggestions = credits[i].suggestions.compactMap { s in
                    found[s.caseID].map { (s.caseID, $0.candidate.debtorName, $0.candidate.principalBalanceCents) }
                }
            }
            return credits
        }
    }

    /// The statements imported, newest first.
    public func recent(limit: Int = 20) async throws -> [StatementRecord] {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM bank_statements ORDER BY id DESC LIMIT \(bind: limit)").all().map { r in
                StatementRecord(id: try r.decode(column: "id", as: Int64.self), statementID: try r.decode(column: "statement_id", as: String.self),
                                fileName: try r.decode(column: "file_name", as: String.self),
                                importedAt: Instant(iso: try r.decode(column: "imported_at", as: String.self)) ?? Instant(millisecondsSinceEpoch: 0),
                                credits: try r.decode(column: "credits", as: Int.self), booked: try r.decode(column: "booked", as: Int.self),
                                queued: try r.decode(column: "queued", as: Int.self), alreadyKnown: try r.decode(column: "already_known", as: Int.self))
            }
        }
    }

    /// How many credits wait.
    public func queuedCount() async throws -> Int {
        try await database.withConnection { db in
            try await db.raw("SELECT COUNT(*) AS n FROM bank_credits WHERE status = 'queued'").all()[0].decode(column: "n", as: Int.self)
        }
    }

    /// The accountant books a queued credit on a case: the payment, its receipt, and the payer's
    /// account remembered for the debtor's next credits.
    @discardableResult
    public func assign(creditID: Int64, to caseID: Int64, actor: Actor, at: Instant = SystemClock.now(), rates: InterestRates) async throws -> BookedPayment {
        try await database.transaction { db in
            let credit = try await Self.queued(creditID, db: db)
            let booked = try await PaymentStore.book(caseID: caseID, Self.payment(credit), actor: actor, at: at, scope: .agency, rates: rates, settle: true, db: db)
            try await db.raw("""
                UPDATE bank_credits SET status = 'booked', case_id = \(bind: caseID), payment_id = \(bind: booked.paymentID),
                  reason = \(bind: "affecté par le comptable"), resolved_by = \(bind: actor.id), resolved_at = \(bind: at.description)
                WHERE id = \(bind: creditID)
                """).run()
            if let iban = credit.debtorIBAN,
               let debtor = try await db.raw("SELECT debtor_id FROM cases WHERE id = \(bind: caseID)").all().first?.decode(column: "debtor_id", as: Int64.self) {
                try await Self.learn([(iban, debtor)], at: at, db: db)
            }
            return booked
        }
    }

    /// The accountant sets a queued credit aside (not a debtor's payment, refunded, …), saying why.
    public func setAside(creditID: Int64, reason: String, actor: Actor, at: Instant = SystemClock.now()) async throws {
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty else { throw StoreError.invalid("say why the credit is set aside: the reason is kept") }
        try await database.transaction { db in
            _ = try await Self.queued(creditID, db: db)
            try await db.raw("""
                UPDATE bank_credits SET status = 'set_aside', reason = \(bind: why), resolved_by = \(bind: actor.id), resolved_at = \(bind: at.description)
                WHERE id = \(bind: creditID)
                """).run()
            try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "statement.set_aside", entity: "bank_credit", entityID: String(creditID),
                                                   after: AuditTrail.json(["reason": why])), db: db)
        }
    }

    /// A credit still in the queue, locked for the change.
    static func queued(_ creditID: Int64, db: any SQLDatabase) async throws -> BankCredit {
        let lock = db.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        guard let r = try await db.raw("SELECT * FROM bank_credits WHERE id = \(bind: creditID)\(unsafeRaw: lock)").all().first else {
            throw StoreError.notFound("bank credit \(creditID)")
        }
        guard try r.decode(column: "status", as: String.self) == "queued" else { throw StoreError.conflict("this credit has already been dealt with") }
        return BankCredit(entryReference: try r.decode(column: "entry_ref", as: String.self), bookedOn: Day(parsing: try r.decode(column: "booked_on", as: String.self))!,
                          cents: try r.decode(column: "amount_minor", as: Int64.self), debtorName: try r.decode(column: "payer", as: String.self),
                          debtorIBAN: try r.decode(column: "payer_iban", as: String?.self), remittance: try r.decode(column: "remittance", as: String.self),
                          line: try r.decode(column: "line", as: Int.self))
    }
}
