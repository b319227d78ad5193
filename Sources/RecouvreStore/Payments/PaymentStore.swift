import Foundation
import RecouvreCore
import SQLKit

/// A payment as the case page, the API and the receipt show it.
public struct PaymentRecord: Sendable, Equatable {
    public let id: Int64
    public let caseID: Int64
    public let receivedOn: Day
    public let amount: Money
    public let method: PaymentMethod
    public let receivedBy: PaymentReceiver
    public let payer: String
    public let reference: String
    public let receiptNumber: String
    /// The receipt's PDF once rendered (`ReceiptRun`).
    public let receiptDocumentID: Int64?
    public let unallocatedCents: Int64
    /// How the ledger put it on the claims: invoice reference, part, amount.
    public var allocation: [(invoice: String, part: AllocationLine.Part, cents: Int64)] = []
    public let recordedBy: String

    public static func == (a: PaymentRecord, b: PaymentRecord) -> Bool { a.id == b.id && a.receiptDocumentID == b.receiptDocumentID }
}

/// What booking a payment did.
public struct BookedPayment: Sendable, Equatable {
    public let paymentID: Int64
    public let receiptNumber: ReceiptNumber
    public let allocation: PaymentAllocation
    /// What the case still owes, all parts, on the day of booking.
    public let owedCents: Int64
    /// The case was settled by it and moved to `paid`.
    public let settled: Bool
}

/// Payments on cases: booked with their allocation and receipt number in one transaction, the
/// case's totals and history kept with them.
public struct PaymentStore: Sendable {
    let database: Database
    public init(_ database: Database) { self.database = database }

    /// Books a payment on a case within the caller's scope: the receipt's number, the allocation of
    /// every payment of the case (replayed by the `Ledger`, so an earlier-dated payment recorded
    /// late is put where the law puts it), the case's totals, an event the creditor reads (R124-5)
    /// and the audit entry; a case that owes nothing more moves to `paid` and its reminders stop.
    /// A bank entry already booked is refused (`StoreError.conflict`).
    public func book(caseID: Int64, _ payment: NewPayment, actor: Actor, at: Instant = SystemClock.now(), scope: CaseScope = .agency,
                     rates: InterestRates) async throws -> BookedPayment {
        try await database.transaction { db in
            try await Self.book(caseID: caseID, payment, actor: actor, at: at, scope: scope, rates: rates, settle: true, db: db)
        }
    }

    /// `book` inside the caller's transaction; with `settle` false the case's status is left as it is
    /// (the demo writes its cases' histories itself).
    static func book(caseID: Int64, _ payment: NewPayment, actor: Actor, at: Instant, scope: CaseScope, rates: InterestRates,
                     settle: Bool, db: any SQLDatabase) async throws -> BookedPayment {
        let today = ParisTime(at).day
        if let problem = payment.problem(today: today) { throw StoreError.invalid(problem.description) }
        let lock = db.dialect.name == "postgresql" ? " FOR UPDATE OF c" : ""
        guard let row = try await db.raw("""
            SELECT c.status, c.suspension_reason, c.resume_to, c.currency, d.kind AS debtor_kind FROM cases c JOIN debtors d ON d.id = c.debtor_id
            WHERE c.id = \(bind: caseID) AND \(CaseStore.whereScope(scope))\(unsafeRaw: lock)
            """).all().first else { throw StoreError.notFound("case \(CaseReference(caseID: caseID))") }
        if let entry = payment.bankEntryReference,
           try await !db.raw("SELECT id FROM payments WHERE bank_entry_ref = \(bind: entry)").all().isEmpty {
            throw StoreError.conflict("bank entry \(entry) is already booked")
        }
        let currency = try row.decode(column: "currency", as: String.self)
        let kind = Debtor.Kind(rawValue: try row.decode(column: "debtor_kind", as: String.self)) ?? .company
        let claims = try await Self.ledgerClaims(caseID: caseID, debtorKind: kind, db: db)
        if payment.debtorChoice.contains(where: { id in !claims.contains { $0.id == id } }) { throw StoreError.invalid(NewPayment.Problem.unknownClaim.description) }

        let year = today.year
        try await db.raw("INSERT INTO receipt_numbers (year, last_rank) VALUES (\(bind: year), 0) ON CONFLICT (year) DO NOTHING").run()
        let rank = try await db.raw("UPDATE receipt_numbers SET last_rank = last_rank + 1 WHERE year = \(bind: year) RETURNING last_rank").all()[0]
            .decode(column: "last_rank", as: Int64.self)
        let number = ReceiptNumber(year: year, rank: rank)
        let id = try await db.raw("""
            INSERT INTO payments (case_id, received_on, amount_minor, currency, method, received_by, payer, reference, debtor_choice, bank_entry_ref,
              receipt_number, recorded_by, recorded_at)
            VALUES (\(bind: caseID), \(bind: payment.receivedOn.iso), \(bind: payment.cents), \(bind: currency), \(bind: payment.method.rawValue),
              \(bind: payment.receivedBy.rawValue), \(bind: payment.payer), \(bind: payment.reference),
              \(bind: payment.debtorChoice.map(String.init).joined(separator: ",")), \(bind: payment.bankEntryReference),
              \(bind: number.description), \(bind: actor.id), \(bind: at.description))
            RETURNING id
            """).all()[0].decode(column: "id", as: Int64.self)

        let ledger = try await Self.rebalance(caseID: caseID, claims: claims, asOf: today, rates: rates, db: db)
        let allocation = ledger.allocations[id] ?? PaymentAllocation(lines: [], unallocatedCents: payment.cents)
        let invoices = Dictionary(uniqueKeysWithValues: claims.map { ($0.id, $0.invoiceReference) })
        var text = """
            Paiement de \(Money(minorUnits: payment.cents, currency: Currency(code: currency) ?? .eur).formatted()) du \(payment.receivedOn.french) \
            par \(payment.method.french) (\(payment.receivedBy.french)), quittance \(number)
            """
        let parts = allocation.lines.map { "\(invoices[$0.claimID] ?? "?") \(Self.partFrench($0.part)) \(Money.eur(cents: $0.cents).formatted())" }
        if !parts.isEmpty { text += " : " + parts.joined(separator: ", ") }
        if allocation.unallocatedCents > 0 { text += " ; trop-perçu à rembourser \(Money.eur(cents: allocation.unallocatedCents).formatted())" }
        text += " ; reste dû \(Money.eur(cents: ledger.owedCents).formatted())."
        var events = [CaseEvent(caseID: caseID, occurredAt: at, actor: actor, kind: .payment, text: text)]
        try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "payment.book", entity: "case", entityID: CaseReference(caseID: caseID).description,
                                               after: AuditTrail.json(["amount_minor": String(payment.cents), "received_on": payment.receivedOn.iso,
                                                                       "method": payment.method.rawValue, "receipt": number.description])), db: db)
        var settled = false
        let lifecycle = try CaseStore.decodeLifecycle(row)
        if settle, ledger.owedCents == 0, lifecycle.possibleTargets.contains(.paid) {
            let t = try Transition.make(caseID: caseID, from: lifecycle, to: .paid, actor: actor, at: at,
                                        reason: "Dette soldée par le paiement du \(payment.receivedOn.french) (quittance \(number))")
            try await CaseStore.writeLifecycle(t.lifecycle, caseID: caseID, expected: lifecycle.status, at: at, db: db)
            events.append(t.event)
            try await db.raw("UPDATE collection_tasks SET status = 'cancelled' WHERE case_id = \(bind: caseID) AND status || '' IN ('queued', 'outbox')").run()
            settled = true
        }
        try await CaseStore.appendEvents(events, db: db)
        return BookedPayment(paymentID: id, receiptNumber: number, allocation: allocation, owedCents: ledger.owedCents, settled: settled)
    }

    /// The creditor accepts what was paid as settlement (its mandate allows it): the case moves to
    /// `partiallyPaid` and what it still owed is written off, said in its history.
    public func acceptSettlement(caseID: Int64, reason: String, actor: Actor, at: Instant = SystemClock.now(), scope: CaseScope = .agency,
                                 rates: InterestRates) async throws {
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty else { throw StoreError.invalid("say why the creditor accepts: the reason is kept in the history") }
        try await database.transaction { db in
            guard let row = try await db.raw("""
                SELECT c.status, c.suspension_reason, c.resume_to, c.received_minor, d.kind AS debtor_kind FROM cases c JOIN debtors d ON d.id = c.debtor_id
                WHERE c.id = \(bind: caseID) AND \(CaseStore.whereScope(scope))
                """).all().first else { throw StoreError.notFound("case \(CaseReference(caseID: caseID))") }
            guard try row.decode(column: "received_minor", as: Int64.self) > 0 else {
                throw StoreError.invalid("a settlement accepts a partial payment: nothing has been paid on this case")
            }
            let kind = Debtor.Kind(rawValue: try row.decode(column: "debtor_kind", as: String.self)) ?? .company
            let claims = try await Self.ledgerClaims(caseID: caseID, debtorKind: kind, db: db)
            let ledger = try Ledger.settle(claims: claims, payments: try await Self.ledgerPayments(caseID: caseID, db: db),
                                           asOf: ParisTime(at).day, rates: rates).get()
            let lifecycle = try CaseStore.decodeLifecycle(row)
            let t = try Transition.make(caseID: caseID, from: lifecycle, to: .partiallyPaid, actor: actor, at: at,
                                        reason: "\(why) — règlement partiel accepté par le créancier, solde abandonné : \(Money.eur(cents: ledger.owedCents).formatted())")
            try await CaseStore.apply(t, db: db)
            try await db.raw("UPDATE cases SET written_off_minor = \(bind: ledger.owedCents) WHERE id = \(bind: caseID)").run()
            try await db.raw("UPDATE collection_tasks SET status = 'cancelled' WHERE case_id = \(bind: caseID) AND status || '' IN ('queued', 'outbox')").run()
            try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "case.settlement", entity: "case", entityID: CaseReference(caseID: caseID).description,
                                                   before: AuditTrail.json(lifecycle), after: AuditTrail.json(["written_off_minor": String(ledger.owedCents)])), db: db)
        }
    }

    /// The case's claims still owed as the ledger reckons them: withdrawn and contested claims are
    /// left out (nothing is collected on them), the formal demand is the first registered letter.
    static func ledgerClaims(caseID: Int64, debtorKind: Debtor.Kind, db: any SQLDatabase) async throws -> [LedgerClaim] {
        let demand = try await db.raw("""
            SELECT MIN(letter_on) AS d FROM letters WHERE case_id = \(bind: caseID) AND channel = \(bind: StepChannel.registeredLetter.rawValue)
            """).all().first.flatMap { try $0.decode(column: "d", as: String?.self) }.flatMap { Day(parsing: $0) }
        return try await db.raw("""
            SELECT id, invoice_ref, issued_on, due_on, principal_minor, interest_rate_micro FROM claims
            WHERE case_id = \(bind: caseID) AND withdrawn_on IS NULL AND disputed_on IS NULL ORDER BY id
            """).all().map { r in
            let claim = Claim(id: try r.decode(column: "id", as: Int64.self), caseID: caseID, invoiceReference: try r.decode(column: "invoice_ref", as: String.self),
                              issuedOn: Day(parsing: try r.decode(column: "issued_on", as: String.self))!, dueOn: Day(parsing: try r.decode(column: "due_on", as: String.self))!,
                              principal: .eur(cents: try r.decode(column: "principal_minor", as: Int64.self)), vat: .eur(cents: 0),
                              interestTerms: try r.decode(column: "interest_rate_micro", as: Int64?.self).map { .contractual(annualRate: Rate(microPercent: $0)) } ?? .statutory)
            return LedgerClaim(claim, debtorKind: debtorKind, formalDemandOn: demand)
        }
    }

    /// What the case owes on `day`, all parts, every payment applied.
    static func owed(caseID: Int64, asOf day: Day, rates: InterestRates, db: any SQLDatabase) async throws -> Int64 {
        guard let row = try await db.raw("SELECT d.kind FROM cases c JOIN debtors d ON d.id = c.debtor_id WHERE c.id = \(bind: caseID)").all().first else { return 0 }
        let kind = Debtor.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .company
        return try Ledger.settle(claims: try await ledgerClaims(caseID: caseID, debtorKind: kind, db: db), payments: try await ledgerPayments(caseID: caseID, db: db),
                                 asOf: day, rates: rates).get().owedCents
    }

    static func ledgerPayments(caseID: Int64, db: any SQLDatabase) async throws -> [LedgerPayment] {
        try await db.raw("SELECT id, received_on, amount_minor, debtor_choice FROM payments WHERE case_id = \(bind: caseID) ORDER BY id").all().map { r in
            LedgerPayment(id: try r.decode(column: "id", as: Int64.self), receivedOn: Day(parsing: try r.decode(column: "received_on", as: String.self))!,
                          cents: try r.decode(column: "amount_minor", as: Int64.self),
                          debtorChoice: try r.decode(column: "debtor_choice", as: String.self).split(separator: ",").compactMap { Int64($0) })
        }
    }

    /// Replays every payment of the case and stores what the ledger says: each payment's
    /// allocation and overpayment, the principal paid and everything received.
    static func rebalance(caseID: Int64, claims: [LedgerClaim], asOf: Day, rates: InterestRates, db: any SQLDatabase) async throws -> CaseLedger {
        let payments = try await ledgerPayments(caseID: caseID, db: db)
        let ledger: CaseLedger
        switch Ledger.settle(claims: claims, payments: payments, asOf: asOf, rates: rates) {
        case let .success(l): ledger = l
        case let .failure(problem): throw StoreError.invalid(problem.description)
        }
        let ids = payments.map(\.id)
        try await db.raw("DELETE FROM payment_allocations WHERE payment_id IN \(SQLQueryString.idList(ids))").run()
        var rows: [SQLQueryString] = []
        for (paymentID, allocation) in ledger.allocations {
            for line in allocation.lines { rows.append("(\(bind: paymentID), \(bind: line.claimID), \(bind: line.part.rawValue), \(bind: line.cents))") }
            try await db.raw("UPDATE payments SET unallocated_minor = \(bind: allocation.unallocatedCents) WHERE id = \(bind: paymentID)").run()
        }
        for start in stride(from: 0, to: rows.count, by: 200) {
            var q = SQLQueryString("INSERT INTO payment_allocations (payment_id, claim_id, part, amount_minor) VALUES ")
            for (i, r) in rows[start..<min(rows.count, start + 200)].enumerated() {
                if i > 0 { q.appendLiteral(", ") }
                q += r
            }
            try await db.raw(q).run()
        }
        let principalPaid = ledger.claims.reduce(Int64(0)) { $0 + $1.paidPrincipalCents }
        try await db.raw("""
            UPDATE cases SET paid_minor = \(bind: principalPaid), received_minor = \(bind: payments.reduce(Int64(0)) { $0 + $1.cents }) WHERE id = \(bind: caseID)
            """).run()
        return ledger
    }

    public static func partFrench(_ p: AllocationLine.Part) -> String {
        switch p {
        case .interest: "intérêts"
        case .accessories: "indemnité forfaitaire"
        case .principal: "principal"
        }
    }

    /// The case's ledger as of `day` (for the page and the API): each claim's parts, each
    /// interest period explained.
    public func ledger(caseID: Int64, asOf day: Day, rates: InterestRates, scope: CaseScope) async throws -> Result<CaseLedger, InterestProblem>? {
        try await database.withConnection { db in
            guard let row = try await db.raw("""
                SELECT d.kind FROM cases c JOIN debtors d ON d.id = c.debtor_id WHERE c.id = \(bind: caseID) AND \(CaseStore.whereScope(scope))
                """).all().first else { return nil }
            let kind = Debtor.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .company
            return Ledger.settle(claims: try await Self.ledgerClaims(caseID: caseID, debtorKind: kind, db: db),
                                 payments: try await Self.ledgerPayments(caseID: caseID, db: db), asOf: day, rates: rates, explain: true)
        }
    }

    /// The case's payments, newest first, each with its allocation.
    public func payments(caseID: Int64, scope: CaseScope) async throws -> [PaymentRecord] {
        try await database.withConnection { db in
            try await Self.payments(caseID: caseID, scope: scope, db: db)
        }
    }

    static func payments(caseID: Int64, scope: CaseScope, db: any SQLDatabase) async throws -> [PaymentRecord] {
        var records = try await db.raw("""
            SELECT p.* FROM payments p JOIN cases c ON c.id = p.case_id WHERE p.case_id = \(bind: caseID) AND \(CaseStore.whereScope(scope)) ORDER BY p.id DESC
            """).all().map(Self.decode)
        guard !records.isEmpty else { return [] }
        var lines: [Int64: [(invoice: String, part: AllocationLine.Part, cents: Int64)]] = [:]
        for r in try await db.raw("""
            SELECT a.payment_id, a.part, a.amount_minor, cl.invoice_ref FROM payment_allocations a JOIN claims cl ON cl.id = a.claim_id
            WHERE a.payment_id IN \(SQLQueryString.idList(records.map(\.id)))
            ORDER BY a.payment_id, cl.due_on, cl.id, CASE a.part WHEN 'interest' THEN 0 WHEN 'accessories' THEN 1 ELSE 2 END
            """).all() {
            lines[try r.decode(column: "payment_id", as: Int64.self), default: []].append(
                (try r.decode(column: "invoice_ref", as: String.self), AllocationLine.Part(rawValue: try r.decode(column: "part", as: String.self)) ?? .principal,
                 try r.decode(column: "amount_minor", as: Int64.self)))
        }
        for i in records.indices { records[i].allocation = lines[records[i].id] ?? [] }
        return records
    }

    static func decode(_ r: any SQLRow) throws -> PaymentRecord {
        let currency = Currency(code: try r.decode(column: "currency", as: String.self)) ?? .eur
        return PaymentRecord(id: try r.decode(column: "id", as: Int64.self), caseID: try r.decode(column: "case_id", as: Int64.self),
                             receivedOn: Day(parsing: try r.decode(column: "received_on", as: String.self))!,
                             amount: Money(minorUnits: try r.decode(column: "amount_minor", as: Int64.self), currency: currency),
                             method: PaymentMethod(rawValue: try r.decode(column: "method", as: String.self)) ?? .transfer,
                             receivedBy: PaymentReceiver(rawValue: try r.decode(column: "received_by", as: String.self)) ?? .agency,
                             payer: try r.decode(column: "payer", as: String.self), reference: try r.decode(column: "reference", as: String.self),
                             receiptNumber: try r.decode(column: "receipt_number", as: String.self),
                             receiptDocumentID: try r.decode(column: "receipt_document_id", as: Int64?.self),
                             unallocatedCents: try r.decode(column: "unallocated_minor", as: Int64.self),
                             recordedBy: try r.decode(column: "recorded_by", as: String.self))
    }
}
