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
    /// The day it was taken back (a cheque returned unpaid): the ledger no longer counts it.
    public let reversedOn: Day?
    /// The claims the debtor said it is for, in their order (Code civil 1342-10).
    public let debtorChoice: [Int64]

    public static func == (a: PaymentRecord, b: PaymentRecord) -> Bool { a.id == b.id && a.receiptDocumentID == b.receiptDocumentID }
}

/// A case's payments (newest first), what it owes, its latest payment plan and the debtor's direct
/// debit mandate in force (`PaymentStore.account`).
public struct CaseAccount: Sendable {
    public let payments: [PaymentRecord]
    public let ledger: Result<CaseLedger, InterestProblem>
    public let plan: PlanRecord?
    public let mandate: MandateRecord?
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
        try await bookAll([(caseID, payment)], actor: actor, at: at, scope: scope, rates: rates, settle: settle, db: db)[0].get()
    }

    /// Books `items` in the caller's transaction, each as `book` does, in a few statements whatever
    /// their number (a bank statement's credits come by the hundred). An item that cannot be
    /// booked — a case outside the scope, a bank entry already booked, a payment the ledger
    /// refuses — gets its error and leaves no trace; the others are booked.
    static func bookAll(_ items: [(caseID: Int64, payment: NewPayment)], actor: Actor, at: Instant, scope: CaseScope, rates: InterestRates,
                        settle: Bool, db: any SQLDatabase) async throws -> [Result<BookedPayment, StoreError>] {
        let today = ParisTime(at).day
        var results = [Result<BookedPayment, StoreError>?](repeating: nil, count: items.count)
        for (i, item) in items.enumerated() {
            if let problem = item.payment.problem(today: today) { results[i] = .failure(.invalid(problem.description)) }
        }
        let caseIDs = Array(Set(items.map(\.caseID)))
        guard !caseIDs.isEmpty else { return [] }
        let lock = db.dialect.name == "postgresql" ? " FOR UPDATE OF c" : ""
        var cases: [Int64: (row: any SQLRow, kind: Debtor.Kind, currency: String)] = [:]
        for row in try await db.raw("""
            SELECT c.id, c.status, c.suspension_reason, c.resume_to, c.currency, d.kind AS debtor_kind FROM cases c JOIN debtors d ON d.id = c.debtor_id
            WHERE c.id IN \(SQLQueryString.idList(caseIDs)) AND \(CaseStore.whereScope(scope))\(unsafeRaw: lock)
            """).all() {
            cases[try row.decode(column: "id", as: Int64.self)] = (row, Debtor.Kind(rawValue: try row.decode(column: "debtor_kind", as: String.self)) ?? .company,
                                                                 try row.decode(column: "currency", as: String.self))
        }
        // A bank entry is booked once: against those already booked, and within the items.
        var entries = Set<String>()
        let refs = items.compactMap(\.payment.bankEntryReference)
        for start in stride(from: 0, to: refs.count, by: 500) {
            var q = SQLQueryString("SELECT bank_entry_ref FROM payments WHERE bank_entry_ref IN (")
            for (i, r) in refs[start..<min(refs.count, start + 500)].enumerated() { q += i == 0 ? "\(bind: r)" : ", \(bind: r)" }
            q += ")"
            for row in try await db.raw(q).all() { entries.insert(try row.decode(column: "bank_entry_ref", as: String.self)) }
        }
        let claims = try await ledgerClaims(caseIDs: Array(cases.keys), kinds: cases.mapValues(\.kind), db: db)
        var payments = try await ledgerPayments(caseIDs: Array(cases.keys), db: db)
        for (i, item) in items.enumerated() where results[i] == nil {
            if cases[item.caseID] == nil { results[i] = .failure(.notFound("case \(CaseReference(caseID: item.caseID))")); continue }
            if let entry = item.payment.bankEntryReference, !entries.insert(entry).inserted {
                results[i] = .failure(.conflict("bank entry \(entry) is already booked")); continue
            }
            let own = claims[item.caseID] ?? []
            if item.payment.debtorChoice.contains(where: { id in !own.contains { $0.id == id } }) { results[i] = .failure(.invalid(NewPayment.Problem.unknownClaim.description)) }
        }

        // Each case replayed with its new payments, under provisional ids that sort after the
        // existing ones in booking order (the ledger orders a day's payments by id).
        var provisional: [Int: Int64] = [:]
        for (i, item) in items.enumerated() where results[i] == nil {
            let id = Int64.max / 2 + Int64(i)
            provisional[i] = id
            payments.all[item.caseID, default: []].append(LedgerPayment(id: id, receivedOn: item.payment.receivedOn, cents: item.payment.cents,
                                                                        debtorChoice: item.payment.debtorChoice))
        }
        var ledgers: [Int64: CaseLedger] = [:]
        for caseID in Set(items.indices.filter { results[$0] == nil }.map { items[$0].caseID }) {
            switch Ledger.settle(claims: claims[caseID] ?? [], payments: payments.all[caseID] ?? [], asOf: today, rates: rates) {
            case let .success(l): ledgers[caseID] = l
            case let .failure(problem):
                for i in items.indices where items[i].caseID == caseID && results[i] == nil { results[i] = .failure(.invalid(problem.description)) }
            }
        }
        let booking = items.indices.filter { results[$0] == nil }
        guard !booking.isEmpty else { return results.map { $0! } }

        // Receipt numbers, taken in this transaction: a failure leaves no gap.
        let year = today.year
        try await db.raw("INSERT INTO receipt_numbers (year, last_rank) VALUES (\(bind: year), 0) ON CONFLICT (year) DO NOTHING").run()
        let lastRank = try await db.raw("UPDATE receipt_numbers SET last_rank = last_rank + \(bind: booking.count) WHERE year = \(bind: year) RETURNING last_rank").all()[0]
            .decode(column: "last_rank", as: Int64.self)
        var numbers: [Int: ReceiptNumber] = [:]
        for (k, i) in booking.enumerated() { numbers[i] = ReceiptNumber(year: year, rank: lastRank - Int64(booking.count) + 1 + Int64(k)) }

        var ids: [Int: Int64] = [:]
        for start in stride(from: 0, to: booking.count, by: 500) {
            var q = SQLQueryString("""
                INSERT INTO payments (case_id, received_on, amount_minor, currency, method, received_by, payer, reference, debtor_choice, bank_entry_ref,
                  unallocated_minor, receipt_number, recorded_by, recorded_at) VALUES
                """)
            for (k, i) in booking[start..<min(booking.count, start + 500)].enumerated() {
                let (caseID, p) = items[i]
                let unallocated = ledgers[caseID]!.allocations[provisional[i]!]?.unallocatedCents ?? p.cents
                q += k == 0 ? " " : ", "
                q += """
                    (\(bind: caseID), \(bind: p.receivedOn.iso), \(bind: p.cents), \(bind: cases[caseID]!.currency), \(bind: p.method.rawValue), \(bind: p.receivedBy.rawValue),
                      \(bind: p.payer), \(bind: p.reference), \(bind: p.debtorChoice.map(String.init).joined(separator: ",")), \(bind: p.bankEntryReference),
                      \(bind: unallocated), \(bind: numbers[i]!.description), \(bind: actor.id), \(bind: at.description))
                    """
            }
            q += " RETURNING id, receipt_number"
            var byNumber: [String: Int64] = [:]
            for row in try await db.raw(q).all() { byNumber[try row.decode(column: "receipt_number", as: String.self)] = try row.decode(column: "id", as: Int64.self) }
            for i in booking[start..<min(booking.count, start + 500)] { ids[i] = byNumber[numbers[i]!.description] }
        }
        let real = Dictionary(uniqueKeysWithValues: booking.map { (provisional[$0]!, ids[$0]!) })

        try await writeAllocations(ledgers, payments: payments, booked: real, db: db)
        let touched = Array(ledgers.keys)

        // What the creditor reads (R124-5), the audit, and the cases that owe nothing more.
        var invoices: [Int64: String] = [:]
        for c in claims.values.joined() { invoices[c.id] = c.invoiceReference }
        var events: [CaseEvent] = [], audit: [AuditEntry] = []
        for i in booking {
            let (caseID, p) = items[i]
            let ledger = ledgers[caseID]!
            let allocation = ledger.allocations[provisional[i]!] ?? PaymentAllocation(lines: [], unallocatedCents: p.cents)
            events.append(CaseEvent(caseID: caseID, occurredAt: at, actor: actor, kind: .payment,
                                    text: eventText(p, number: numbers[i]!, currency: cases[caseID]!.currency, allocation: allocation, invoices: invoices, owedCents: ledger.owedCents)))
            audit.append(AuditEntry(at: at, actor: actor, action: "payment.book", entity: "case", entityID: CaseReference(caseID: caseID).description,
                                    after: AuditTrail.json(["amount_minor": String(p.cents), "received_on": p.receivedOn.iso, "method": p.method.rawValue,
                                                            "receipt": numbers[i]!.description])))
        }
        var settledCases = Set<Int64>()
        if settle {
            for caseID in touched.sorted() where ledgers[caseID]!.owedCents == 0 {
                let lifecycle = try CaseStore.decodeLifecycle(cases[caseID]!.row)
                guard lifecycle.possibleTargets.contains(.paid), let last = booking.last(where: { items[$0].caseID == caseID }) else { continue }
                let t = try Transition.make(caseID: caseID, from: lifecycle, to: .paid, actor: actor, at: at,
                                            reason: "Dette soldée par le paiement du \(items[last].payment.receivedOn.french) (quittance \(numbers[last]!))")
                try await CaseStore.writeLifecycle(t.lifecycle, caseID: caseID, expected: lifecycle.status, at: at, db: db)
                events.append(t.event)
                settledCases.insert(caseID)
            }
            if !settledCases.isEmpty {
                try await db.raw("""
                    UPDATE collection_tasks SET status = 'cancelled' WHERE case_id IN \(SQLQueryString.idList(Array(settledCases))) AND status || '' IN ('queued', 'outbox')
                    """).run()
            }
        }
        try await CaseStore.appendEvents(events, db: db)
        try await AuditTrail.appendAll(audit, db: db)
        for i in booking {
            let caseID = items[i].caseID
            results[i] = .success(BookedPayment(paymentID: ids[i]!, receiptNumber: numbers[i]!,
                                                allocation: ledgers[caseID]!.allocations[provisional[i]!] ?? PaymentAllocation(lines: [], unallocatedCents: items[i].payment.cents),
                                                owedCents: ledgers[caseID]!.owedCents, settled: settledCases.contains(caseID)))
        }
        return results.map { $0! }
    }

    /// Stores what the ledgers say of their cases: every allocation rewritten (an earlier-dated
    /// payment changes the later ones'), the overpayments that changed, the cases' totals.
    /// `booked` maps the provisional ids of payments just inserted to their real ones.
    static func writeAllocations(_ ledgers: [Int64: CaseLedger], payments: (all: [Int64: [LedgerPayment]], unallocated: [Int64: Int64]),
                                 booked real: [Int64: Int64], db: any SQLDatabase) async throws {
        let touched = Array(ledgers.keys)
        let earlier = touched.flatMap { payments.all[$0] ?? [] }.map(\.id).filter { real[$0] == nil }
        for start in stride(from: 0, to: earlier.count, by: 500) {
            try await db.raw("DELETE FROM payment_allocations WHERE payment_id IN \(SQLQueryString.idList(Array(earlier[start..<min(earlier.count, start + 500)])))").run()
        }
        var rows: [SQLQueryString] = []
        for caseID in touched {
            for (pid, allocation) in ledgers[caseID]!.allocations {
                let id = real[pid] ?? pid
                for line in allocation.lines { rows.append("(\(bind: id), \(bind: line.claimID), \(bind: line.part.rawValue), \(bind: line.cents))") }
                if real[pid] == nil, payments.unallocated[pid] != allocation.unallocatedCents {
                    try await db.raw("UPDATE payments SET unallocated_minor = \(bind: allocation.unallocatedCents) WHERE id = \(bind: pid)").run()
                }
            }
        }
        for start in stride(from: 0, to: rows.count, by: 500) {
            var q = SQLQueryString("INSERT INTO payment_allocations (payment_id, claim_id, part, amount_minor) VALUES ")
            for (i, r) in rows[start..<min(rows.count, start + 500)].enumerated() {
                if i > 0 { q.appendLiteral(", ") }
                q += r
            }
            try await db.raw(q).run()
        }
        for start in stride(from: 0, to: touched.count, by: 500) {
            // One statement for the batch's cases (UPDATE … FROM VALUES: SQLite 3.33 and PostgreSQL alike).
            var q = SQLQueryString("UPDATE cases SET paid_minor = v.column2, received_minor = v.column3 FROM (VALUES ")
            for (k, caseID) in touched[start..<min(touched.count, start + 500)].enumerated() {
                let ledger = ledgers[caseID]!
                let paid = ledger.claims.reduce(Int64(0)) { $0 + $1.paidPrincipalCents }
                let received = (payments.all[caseID] ?? []).reduce(Int64(0)) { $0 + $1.cents }
                q += k == 0 ? "" : ", "
                q += "(CAST(\(bind: caseID) AS BIGINT), CAST(\(bind: paid) AS BIGINT), CAST(\(bind: received) AS BIGINT))"
            }
            q += ") AS v WHERE cases.id = v.column1"
            try await db.raw(q).run()
        }

    }

    /// Takes back a payment the bank took back (a direct debit returned): it leaves the ledger,
    /// its allocation is undone and the case's other payments replayed without it; its receipt
    /// keeps its number and the history says why. A case that was paid by it goes back to
    /// `payment_plan` or `amicable`.
    static func reverse(paymentID: Int64, on day: Day, reason: String, actor: Actor, at: Instant, rates: InterestRates, db: any SQLDatabase) async throws {
        guard let row = try await db.raw("""
            SELECT p.case_id, p.amount_minor, p.receipt_number, p.received_on, p.reversed_on, c.status, c.suspension_reason, c.resume_to, d.kind
            FROM payments p JOIN cases c ON c.id = p.case_id JOIN debtors d ON d.id = c.debtor_id WHERE p.id = \(bind: paymentID)
            """).all().first else { throw StoreError.notFound("payment \(paymentID)") }
        guard try row.decode(column: "reversed_on", as: String?.self) == nil else { return }
        let caseID = try row.decode(column: "case_id", as: Int64.self)
        try await db.raw("UPDATE payments SET reversed_on = \(bind: day.iso), unallocated_minor = 0 WHERE id = \(bind: paymentID)").run()
        try await db.raw("DELETE FROM payment_allocations WHERE payment_id = \(bind: paymentID)").run()
        let kind = Debtor.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .company
        let claims = try await ledgerClaims(caseIDs: [caseID], kinds: [caseID: kind], db: db)
        let payments = try await ledgerPayments(caseIDs: [caseID], db: db)
        let ledger: CaseLedger
        switch Ledger.settle(claims: claims[caseID] ?? [], payments: payments.all[caseID] ?? [], asOf: ParisTime(at).day, rates: rates) {
        case let .success(l): ledger = l
        case let .failure(problem): throw StoreError.invalid(problem.description)
        }
        try await writeAllocations([caseID: ledger], payments: payments, booked: [:], db: db)
        let cents = try row.decode(column: "amount_minor", as: Int64.self)
        var events = [CaseEvent(caseID: caseID, occurredAt: at, actor: actor, kind: .payment, text: """
            Paiement du \(Day(parsing: try row.decode(column: "received_on", as: String.self))!.french) annulé (quittance \(try row.decode(column: "receipt_number", as: String.self))) : \
            \(reason) ; \(Money.eur(cents: cents).formatted()) restent dus en plus, reste dû \(Money.eur(cents: ledger.owedCents).formatted()).
            """)]
        let lifecycle = try CaseStore.decodeLifecycle(row)
        if lifecycle.status == .paid, ledger.owedCents > 0 {
            // The case was settled by the payment taken back: collection resumes where it stood.
            let back: CaseStatus = try await db.raw("SELECT id FROM payment_plans WHERE case_id = \(bind: caseID) AND status IN ('active', 'completed')").all().isEmpty ? .amicable : .paymentPlan
            if lifecycle.possibleTargets.contains(back) {
                let t = try Transition.make(caseID: caseID, from: lifecycle, to: back, actor: actor, at: at, reason: "Le paiement qui soldait le dossier a été rejeté par la banque")
                try await CaseStore.writeLifecycle(t.lifecycle, caseID: caseID, expected: .paid, at: at, db: db)
                events.append(t.event)
                if back == .paymentPlan { try await db.raw("UPDATE payment_plans SET status = 'active', ended_on = NULL WHERE case_id = \(bind: caseID) AND status = 'completed'").run() }
            }
        }
        try await CaseStore.appendEvents(events, db: db)
        try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "payment.reverse", entity: "case", entityID: CaseReference(caseID: caseID).description,
                                               after: AuditTrail.json(["payment": String(paymentID), "reason": reason])), db: db)
    }

    /// The history's line for a payment: amount, day, means, receipt, allocation, what is left.
    static func eventText(_ p: NewPayment, number: ReceiptNumber, currency: String, allocation: PaymentAllocation, invoices: [Int64: String], owedCents: Int64) -> String {
        var text = """
            Paiement de \(Money(minorUnits: p.cents, currency: Currency(code: currency) ?? .eur).formatted()) du \(p.receivedOn.french) \
            par \(p.method.french) (\(p.receivedBy.french)), quittance \(number)
            """
        let parts = allocation.lines.map { "\(invoices[$0.claimID] ?? "?") \(partFrench($0.part)) \(Money.eur(cents: $0.cents).formatted())" }
        if !parts.isEmpty { text += " : " + parts.joined(separator: ", ") }
        if allocation.unallocatedCents > 0 { text += " ; trop-perçu à rembourser \(Money.eur(cents: allocation.unallocatedCents).formatted())" }
        return text + " ; reste dû \(Money.eur(cents: owedCents).formatted())."
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
        try await ledgerClaims(caseIDs: [caseID], kinds: [caseID: debtorKind], db: db)[caseID] ?? []
    }

    /// `ledgerClaims` of several cases, in two reads per 500 cases.
    static func ledgerClaims(caseIDs: [Int64], kinds: [Int64: Debtor.Kind], db: any SQLDatabase) async throws -> [Int64: [LedgerClaim]] {
        var out: [Int64: [LedgerClaim]] = [:]
        for start in stride(from: 0, to: caseIDs.count, by: 500) {
            let ids = SQLQueryString.idList(Array(caseIDs[start..<min(caseIDs.count, start + 500)]))
            var demands: [Int64: Day] = [:], stops: [Int64: Day] = [:]
            for r in try await db.raw(SQLQueryString(PlanStore.interestStops(placeholders: nil)) + " AND case_id IN " + ids + " GROUP BY case_id").all() {
                stops[try r.decode(column: "case_id", as: Int64.self)] = try r.decode(column: "stops_on", as: String?.self).flatMap { Day(parsing: $0) }
            }
            for r in try await db.raw("""
                SELECT case_id, MIN(letter_on) AS d FROM letters WHERE case_id IN \(ids) AND channel = \(bind: StepChannel.registeredLetter.rawValue) GROUP BY case_id
                """).all() {
                demands[try r.decode(column: "case_id", as: Int64.self)] = try r.decode(column: "d", as: String?.self).flatMap { Day(parsing: $0) }
            }
            for r in try await db.raw("""
                SELECT id, case_id, invoice_ref, issued_on, due_on, principal_minor, interest_rate_micro FROM claims
                WHERE case_id IN \(ids) AND withdrawn_on IS NULL AND disputed_on IS NULL ORDER BY case_id, id
                """).all() {
                let caseID = try r.decode(column: "case_id", as: Int64.self)
                let claim = Claim(id: try r.decode(column: "id", as: Int64.self), caseID: caseID, invoiceReference: try r.decode(column: "invoice_ref", as: String.self),
                                  issuedOn: Day(parsing: try r.decode(column: "issued_on", as: String.self))!, dueOn: Day(parsing: try r.decode(column: "due_on", as: String.self))!,
                                  principal: .eur(cents: try r.decode(column: "principal_minor", as: Int64.self)), vat: .eur(cents: 0),
                                  interestTerms: try r.decode(column: "interest_rate_micro", as: Int64?.self).map { .contractual(annualRate: Rate(microPercent: $0)) } ?? .statutory)
                out[caseID, default: []].append(LedgerClaim(claim, debtorKind: kinds[caseID] ?? .company, formalDemandOn: demands[caseID],
                                                            interestThrough: stops[caseID]))
            }
        }
        return out
    }

    /// What the case owes on `day`, all parts, every payment applied.
    static func owed(caseID: Int64, asOf day: Day, rates: InterestRates, db: any SQLDatabase) async throws -> Int64 {
        guard let row = try await db.raw("SELECT d.kind FROM cases c JOIN debtors d ON d.id = c.debtor_id WHERE c.id = \(bind: caseID)").all().first else { return 0 }
        let kind = Debtor.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .company
        return try Ledger.settle(claims: try await ledgerClaims(caseID: caseID, debtorKind: kind, db: db), payments: try await ledgerPayments(caseID: caseID, db: db),
                                 asOf: day, rates: rates).get().owedCents
    }

    static func ledgerPayments(caseID: Int64, db: any SQLDatabase) async throws -> [LedgerPayment] {
        try await ledgerPayments(caseIDs: [caseID], db: db).all[caseID] ?? []
    }

    /// The payments of several cases as the ledger applies them, and each one's overpayment as stored.
    static func ledgerPayments(caseIDs: [Int64], db: any SQLDatabase) async throws -> (all: [Int64: [LedgerPayment]], unallocated: [Int64: Int64]) {
        var all: [Int64: [LedgerPayment]] = [:], unallocated: [Int64: Int64] = [:]
        for start in stride(from: 0, to: caseIDs.count, by: 500) {
            for r in try await db.raw("""
                SELECT id, case_id, received_on, amount_minor, debtor_choice, unallocated_minor FROM payments
                WHERE case_id IN \(SQLQueryString.idList(Array(caseIDs[start..<min(caseIDs.count, start + 500)]))) AND reversed_on IS NULL ORDER BY id
                """).all() {
                let id = try r.decode(column: "id", as: Int64.self)
                all[try r.decode(column: "case_id", as: Int64.self), default: []].append(
                    LedgerPayment(id: id, receivedOn: Day(parsing: try r.decode(column: "received_on", as: String.self))!,
                                  cents: try r.decode(column: "amount_minor", as: Int64.self),
                                  debtorChoice: try r.decode(column: "debtor_choice", as: String.self).split(separator: ",").compactMap { Int64($0) }))
                unallocated[id] = try r.decode(column: "unallocated_minor", as: Int64.self)
            }
        }
        return (all, unallocated)
    }

    public static func partFrench(_ p: AllocationLine.Part) -> String {
        switch p {
        case .interest: "intérêts"
        case .accessories: "indemnité forfaitaire"
        case .principal: "principal"
        }
    }

    /// A case's detail and its money as its page and the API show them, or nil when the case does
    /// not exist in the caller's scope. The account is made with the detail in hand: the claims,
    /// the debtor's kind and the formal demand come from it, and the payments are read once for
    /// both the list and the ledger. One statement on PostgreSQL (the account's sets ride in the
    /// detail's), on one connection: taking one from the pool costs more than a read.
    public func detailAndAccount(caseID: Int64, scope: CaseScope, asOf day: Day, rates: InterestRates) async throws -> (detail: CaseDetail, account: CaseAccount)? {
        try await database.withConnection { db in
            guard let (detail, sets) = try await CaseStore(database).detail(id: caseID, scope: scope, along: Self.accountRows(caseID: caseID), db: db) else { return nil }
            return (detail, try await Self.account(of: detail, sets: sets, asOf: day, rates: rates, db: db))
        }
    }

    /// The plans, the payments and the mandate an account is made of.
    static func accountRows(caseID: Int64) -> [RowSet] {
        [RowSet(select: "SELECT id, status, interest_frozen_from FROM payment_plans WHERE case_id = \(bind: caseID)", order: "id DESC"),
         paymentRows(caseID: caseID, scope: .agency), DirectDebitStore.mandateRows(caseID: caseID)]
    }

    static func account(of detail: CaseDetail, sets: [[any SQLRow]], asOf day: Day, rates: InterestRates, db: any SQLDatabase) async throws -> CaseAccount {
        let plans = sets[0]
        let stops = try plans.filter { (PlanStatus(rawValue: try $0.decode(column: "status", as: String.self)) ?? .active).keepsInterestStopped }
            .compactMap { try $0.decode(column: "interest_frozen_from", as: String?.self).flatMap { Day(parsing: $0) } }.min()
        let records = try await Self.withAllocations(try sets[1].map(Self.decode), db: db)
        let claims = detail.claims.filter(\.isCollected).sorted { $0.id < $1.id }.map {
            LedgerClaim($0, debtorKind: detail.debtor.kind, formalDemandOn: detail.formalDemandOn, interestThrough: stops)
        }
        let payments = records.filter { $0.reversedOn == nil }.reversed().map {
            LedgerPayment(id: $0.id, receivedOn: $0.receivedOn, cents: $0.amount.minorUnits, debtorChoice: $0.debtorChoice)
        }
        var plan: PlanRecord?
        if let latest = plans.first { plan = try await PlanStore.plan(id: try latest.decode(column: "id", as: Int64.self), asOf: day, db: db) }
        return CaseAccount(payments: records, ledger: Ledger.settle(claims: claims, payments: payments, asOf: day, rates: rates, explain: true), plan: plan,
                           mandate: try sets[2].first.map(DirectDebitStore.decodeMandate))
    }

    /// The case's payments, newest first, each with its allocation.
    public func payments(caseID: Int64, scope: CaseScope) async throws -> [PaymentRecord] {
        try await database.withConnection { db in
            try await Self.payments(caseID: caseID, scope: scope, db: db)
        }
    }

    static func payments(caseID: Int64, scope: CaseScope, db: any SQLDatabase) async throws -> [PaymentRecord] {
        try await withAllocations(try RowSets.read([paymentRows(caseID: caseID, scope: scope)], db: db)[0].map(decode), db: db)
    }

    /// The case's payments the scope may see, newest first (`decode` reads them).
    static func paymentRows(caseID: Int64, scope: CaseScope) -> RowSet {
        RowSet(select: "SELECT p.* FROM payments p JOIN cases c ON c.id = p.case_id WHERE p.case_id = \(bind: caseID) AND \(CaseStore.whereScope(scope))",
               order: "id DESC")
    }

    /// The payments with how each was allocated.
    static func withAllocations(_ payments: [PaymentRecord], db: any SQLDatabase) async throws -> [PaymentRecord] {
        var records = payments
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
                             recordedBy: try r.decode(column: "recorded_by", as: String.self),
                             reversedOn: try r.decode(column: "reversed_on", as: String?.self).flatMap { Day(parsing: $0) },
                             debtorChoice: try r.decode(column: "debtor_choice", as: String.self).split(separator: ",").compactMap { Int64($0) })
    }
}
