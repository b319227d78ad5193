import Foundation
import RecouvreCore
import SQLKit

/// Where a plan stands.
public enum PlanStatus: String, Sendable, Codable, CaseIterable {
    /// Beyond the mandate's limits: the creditor must say yes.
    case awaitingApproval = "awaiting_approval"
    case active
    /// Everything paid.
    case completed
    /// An instalment missed past the grace period.
    case broken
    /// The creditor said no.
    case refused

    /// A plan kept or paid off keeps interest stopped from its first day, when the mandate stops
    /// it (`interest_frozen_from`); a broken plan lets it run again (the waiver was conditional).
    var keepsInterestStopped: Bool { self == .active || self == .completed }
}

/// A plan with its schedule, as the case page shows it.
public struct PlanRecord: Sendable, Equatable {
    public let id: Int64
    public let caseID: Int64
    public let status: PlanStatus
    public let balanceCents: Int64
    public let frequency: PlanFrequency
    /// Why the creditor must approve (empty when the mandate allowed it).
    public let approvalReasons: [String]
    public let interestFrozenFrom: Day?
    public let proposedBy: String
    public let proposedAt: Instant
    public let decision: String
    /// Each instalment where it stands today, from the payments received since the plan began.
    public let instalments: [InstalmentState]
}

/// A plan's schedule to send to the debtor.
public struct PendingPlanLetter: Sendable {
    public let caseID: Int64
    public let creditorID: Int64
    public let context: PlanLetterContext
    /// The debtor's usable email, else nil.
    public let email: String?
    public let addressUsable: Bool
}

/// Payment plans (rééchelonnement): proposed on a case within the creditor's mandate or sent to
/// the creditor for approval, activated (the case moves to `payment_plan`, its reminders stop, and
/// interest stops unless the mandate says it runs), followed instalment by instalment, broken
/// when one is missed past the grace period (the agent and the creditor are told, the case goes
/// back where the mandate says).
public struct PlanStore: Sendable {
    let database: Database
    public init(_ database: Database) { self.database = database }

    /// Proposes a plan for what the case owes today. Within the mandate it is active at once;
    /// beyond, it waits for the creditor's answer, who reads why in the case's history.
    @discardableResult
    public func propose(caseID: Int64, count: Int, frequency: PlanFrequency, firstOn: Day, firstCents: Int64? = nil, actor: Actor,
                        at: Instant = SystemClock.now(), scope: CaseScope = .agency, rates: InterestRates) async throws -> PlanRecord {
        let today = ParisTime(at).day
        let id = try await database.transaction { db -> Int64 in
            guard let row = try await db.raw("""
                SELECT c.status, c.suspension_reason, c.resume_to, cr.max_plan_months, cr.plan_min_first_percent, cr.plan_interest_runs, cr.plan_grace_days, cr.plan_break_to
                FROM cases c JOIN creditors cr ON cr.id = c.creditor_id WHERE c.id = \(bind: caseID) AND \(CaseStore.whereScope(scope))
                """).all().first else { throw StoreError.notFound("case \(CaseReference(caseID: caseID))") }
            let lifecycle = try CaseStore.decodeLifecycle(row)
            guard lifecycle.possibleTargets.contains(.paymentPlan) else {
                throw StoreError.invalid("a case in \(lifecycle.status.rawValue) cannot be put on a payment plan")
            }
            if try await !db.raw("SELECT id FROM payment_plans WHERE case_id = \(bind: caseID) AND status IN ('awaiting_approval', 'active')").all().isEmpty {
                throw StoreError.conflict("the case already has a plan under way")
            }
            let terms = try Self.terms(row)
            let owed = try await PaymentStore.owed(caseID: caseID, asOf: today, rates: rates, db: db)
            let proposal = PlanProposal(balanceCents: owed, count: count, frequency: frequency, firstOn: firstOn, firstCents: firstCents)
            let schedule: [Instalment]
            switch PaymentPlan.schedule(proposal, today: today) {
            case let .success(s): schedule = s
            case let .failure(problem): throw StoreError.invalid(problem.description)
            }
            let reasons = PaymentPlan.approvalsNeeded(schedule, balanceCents: owed, terms: terms, today: today)
            let id = try await db.raw("""
                INSERT INTO payment_plans (case_id, status, balance_minor, frequency, approval_reasons, proposed_by, proposed_at)
                VALUES (\(bind: caseID), \(bind: PlanStatus.awaitingApproval.rawValue), \(bind: owed), \(bind: frequency.rawValue),
                  \(bind: reasons.joined(separator: "\n")), \(bind: actor.id), \(bind: at.description))
                RETURNING id
                """).all()[0].decode(column: "id", as: Int64.self)
            var q = SQLQueryString("INSERT INTO plan_instalments (plan_id, number, due_on, amount_minor) VALUES ")
            for (k, i) in schedule.enumerated() {
                q += k == 0 ? "" : ", "
                q += "(\(bind: id), \(bind: i.number), \(bind: i.dueOn.iso), \(bind: i.cents))"
            }
            try await db.raw(q).run()
            let text = Self.describe(schedule, balanceCents: owed, frequency: frequency)
            try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "plan.propose", entity: "case", entityID: CaseReference(caseID: caseID).description,
                                                   after: AuditTrail.json(["plan": String(id), "balance_minor": String(owed), "instalments": String(count)])), db: db)
            if reasons.isEmpty {
                try await Self.activate(id, caseID: caseID, lifecycle: lifecycle, terms: terms, why: "Échéancier accordé dans les limites du mandat : \(text)",
                                        actor: actor, at: at, db: db)
            } else {
                try await CaseStore.appendEvents([CaseEvent(caseID: caseID, occurredAt: at, actor: actor, kind: .note,
                                                            text: "Échéancier proposé, accord du créancier requis (\(reasons.joined(separator: " ; "))) : \(text)")], db: db)
            }
            return id
        }
        return try await plan(id: id, asOf: today)!
    }

    /// The creditor's answer to a plan beyond its mandate (a supervisor may record it for them).
    public func decide(planID: Int64, approve: Bool, note: String, actor: Actor, at: Instant = SystemClock.now(), scope: CaseScope = .agency) async throws {
        try await database.transaction { db in
            guard let row = try await db.raw("""
                SELECT p.case_id, p.status AS plan_status, p.balance_minor, p.frequency, c.status, c.suspension_reason, c.resume_to,
                  cr.max_plan_months, cr.plan_min_first_percent, cr.plan_interest_runs, cr.plan_grace_days, cr.plan_break_to
                FROM payment_plans p JOIN cases c ON c.id = p.case_id JOIN creditors cr ON cr.id = c.creditor_id
                WHERE p.id = \(bind: planID) AND \(CaseStore.whereScope(scope))
                """).all().first else { throw StoreError.notFound("plan \(planID)") }
            guard try row.decode(column: "plan_status", as: String.self) == PlanStatus.awaitingApproval.rawValue else {
                throw StoreError.conflict("this plan has already been answered")
            }
            let caseID = try row.decode(column: "case_id", as: Int64.self)
            let said = note.trimmingCharacters(in: .whitespacesAndNewlines)
            try await db.raw("""
                UPDATE payment_plans SET decided_by = \(bind: actor.id), decided_at = \(bind: at.description), decision_note = \(bind: said)
                WHERE id = \(bind: planID)
                """).run()
            try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: approve ? "plan.approve" : "plan.refuse", entity: "case",
                                                   entityID: CaseReference(caseID: caseID).description, after: AuditTrail.json(["plan": String(planID), "note": said])), db: db)
            if approve {
                let lifecycle = try CaseStore.decodeLifecycle(row)
                guard lifecycle.possibleTargets.contains(.paymentPlan) else { throw StoreError.invalid("the case can no longer be put on a plan (\(lifecycle.status.rawValue))") }
                try await Self.activate(planID, caseID: caseID, lifecycle: lifecycle, terms: try Self.terms(row),
                                        why: "Échéancier accepté par le créancier" + (said.isEmpty ? "" : " : \(said)"), actor: actor, at: at, db: db)
            } else {
                try await db.raw("UPDATE payment_plans SET status = 'refused' WHERE id = \(bind: planID)").run()
                try await CaseStore.appendEvents([CaseEvent(caseID: caseID, occurredAt: at, actor: actor, kind: .note,
                                                            text: "Échéancier refusé par le créancier" + (said.isEmpty ? "" : " : \(said)"))], db: db)
            }
        }
    }

    /// Puts a plan in force: the case moves to `payment_plan` (its reminders stop) and interest stops
    /// from today unless the mandate lets it run.
    static func activate(_ planID: Int64, caseID: Int64, lifecycle: CaseLifecycle, terms: PlanTerms, why: String, actor: Actor, at: Instant, db: any SQLDatabase) async throws {
        let frozen: String? = terms.interestRuns ? nil : ParisTime(at).day.iso
        try await db.raw("UPDATE payment_plans SET status = 'active', interest_frozen_from = \(bind: frozen), started_on = \(bind: ParisTime(at).day.iso) WHERE id = \(bind: planID)").run()
        let reason = why + (terms.interestRuns ? " ; les intérêts continuent de courir (mandat)." : " ; les intérêts de retard cessent de courir tant que l'échéancier est respecté.")
        try await CaseStore.apply(try Transition.make(caseID: caseID, from: lifecycle, to: .paymentPlan, actor: actor, at: at, reason: reason), db: db)
        try await db.raw("UPDATE collection_tasks SET status = 'cancelled' WHERE case_id = \(bind: caseID) AND status || '' IN ('queued', 'outbox')").run()
    }

    /// Plans in force whose schedule has not been sent to the debtor yet, with what it says.
    public func pendingLetters(limit: Int, at: Instant = SystemClock.now()) async throws -> [PendingPlanLetter] {
        try await database.withConnection { db in
            var out: [PendingPlanLetter] = []
            for r in try await db.raw("""
                SELECT p.id, p.case_id, p.balance_minor, c.creditor_id, cr.name AS creditor_name, cr.max_plan_months, cr.plan_min_first_percent, cr.plan_interest_runs,
                  cr.plan_grace_days, cr.plan_break_to, d.name AS debtor_name, d.language, d.address_line1, d.address_line2, d.postcode, d.city, d.country, d.address_status,
                  (SELECT value FROM debtor_contacts dc WHERE dc.debtor_id = d.id AND dc.kind = 'email' AND dc.status <> 'invalid' ORDER BY dc.id LIMIT 1) AS email
                FROM payment_plans p JOIN cases c ON c.id = p.case_id JOIN creditors cr ON cr.id = c.creditor_id JOIN debtors d ON d.id = c.debtor_id
                WHERE p.status = 'active' AND p.letter_document_id IS NULL ORDER BY p.id LIMIT \(literal: limit)
                """).all() {
                let id = try r.decode(column: "id", as: Int64.self)
                let schedule = try await db.raw("SELECT number, due_on, amount_minor FROM plan_instalments WHERE plan_id = \(bind: id) ORDER BY number").all().map {
                    Instalment(number: try $0.decode(column: "number", as: Int.self), dueOn: Day(parsing: try $0.decode(column: "due_on", as: String.self))!,
                               cents: try $0.decode(column: "amount_minor", as: Int64.self))
                }
                let address = PostalAddress(line1: try r.decode(column: "address_line1", as: String.self), line2: try r.decode(column: "address_line2", as: String.self),
                                            postcode: try r.decode(column: "postcode", as: String.self), city: try r.decode(column: "city", as: String.self),
                                            country: try r.decode(column: "country", as: String.self))
                let caseID = try r.decode(column: "case_id", as: Int64.self)
                let context = PlanLetterContext(planID: id, issuedOn: ParisTime(at).day, caseReference: CaseReference(caseID: caseID),
                                                language: Language(rawValue: try r.decode(column: "language", as: String.self)) ?? .fr,
                                                debtorName: try r.decode(column: "debtor_name", as: String.self), debtorAddress: address,
                                                creditorName: try r.decode(column: "creditor_name", as: String.self),
                                                balanceCents: try r.decode(column: "balance_minor", as: Int64.self), instalments: schedule, terms: try Self.terms(r))
                out.append(PendingPlanLetter(caseID: caseID, creditorID: try r.decode(column: "creditor_id", as: Int64.self), context: context,
                                             email: try r.decode(column: "email", as: String?.self),
                                             addressUsable: try r.decode(column: "address_status", as: String.self) != "invalid" && !address.postcode.isEmpty))
            }
            return out
        }
    }

    /// Archives a plan's rendered schedule with its case, marks it sent and says how in the
    /// history, in one transaction.
    public func archiveLetter(_ letter: PendingPlanLetter, pdf: [UInt8], delivery: ReceiptStore.Delivery, actor: Actor, at: Instant = SystemClock.now()) async throws {
        try await database.transaction { db in
            let documentID = try await DocumentStore.insert(creditorID: letter.creditorID, caseID: letter.caseID, kind: .paymentPlan,
                                                            name: "echeancier-\(letter.context.planID).pdf", pdf: pdf, actor: actor, at: at, db: db)
            let updated = try await db.raw("""
                UPDATE payment_plans SET letter_document_id = \(bind: documentID) WHERE id = \(bind: letter.context.planID) AND letter_document_id IS NULL RETURNING id
                """).all()
            guard !updated.isEmpty else { throw StoreError.conflict("the schedule of plan \(letter.context.planID) was sent meanwhile") }
            try await CaseStore.appendEvents([CaseEvent(caseID: letter.caseID, occurredAt: at, actor: actor, kind: .mail,
                                                        text: "Échéancier envoyé au débiteur : \(delivery.french).")], db: db)
        }
    }

    /// The last day bearing interest for the cases of a plan kept whose mandate stops it (the
    /// plan's first day): `case_id, stops_on`. With `placeholders` ("? AND ?"), for a case id range; without, the caller adds
    /// its case condition and `GROUP BY case_id`.
    static func interestStops(placeholders: String?) -> String {
        let statuses = PlanStatus.allCases.filter(\.keepsInterestStopped).map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let head = """
            SELECT case_id, MIN(interest_frozen_from) AS stops_on FROM payment_plans
            WHERE status IN (\(statuses)) AND interest_frozen_from IS NOT NULL
            """
        return placeholders.map { head + " AND case_id BETWEEN \($0) GROUP BY case_id" } ?? head
    }

    static func terms(_ row: any SQLRow) throws -> PlanTerms {
        PlanTerms(maxMonths: try row.decode(column: "max_plan_months", as: Int.self), minFirstPercent: try row.decode(column: "plan_min_first_percent", as: Int.self),
                  interestRuns: try row.decode(column: "plan_interest_runs", as: Int.self) != 0, graceDays: try row.decode(column: "plan_grace_days", as: Int.self),
                  onBreak: CaseStatus(rawValue: try row.decode(column: "plan_break_to", as: String.self)) ?? .amicable)
    }

    static func describe(_ schedule: [Instalment], balanceCents: Int64, frequency: PlanFrequency) -> String {
        "\(Money.eur(cents: balanceCents).formatted()) en \(schedule.count) échéance(s), périodicité \(frequency.french), du \(schedule.first!.dueOn.french) au \(schedule.last!.dueOn.french)"
    }

    func plan(id: Int64, asOf day: Day) async throws -> PlanRecord? {
        try await database.withConnection { db in try await Self.plan(id: id, asOf: day, db: db) }
    }

    static func plan(id: Int64, asOf day: Day, db: any SQLDatabase) async throws -> PlanRecord? {
        guard let r = try await db.raw("""
            SELECT p.*, cr.plan_grace_days FROM payment_plans p JOIN cases c ON c.id = p.case_id JOIN creditors cr ON cr.id = c.creditor_id WHERE p.id = \(bind: id)
            """).all().first else { return nil }
        let caseID = try r.decode(column: "case_id", as: Int64.self)
        let schedule = try await db.raw("SELECT number, due_on, amount_minor FROM plan_instalments WHERE plan_id = \(bind: id) ORDER BY number").all().map {
            Instalment(number: try $0.decode(column: "number", as: Int.self), dueOn: Day(parsing: try $0.decode(column: "due_on", as: String.self))!,
                       cents: try $0.decode(column: "amount_minor", as: Int64.self))
        }
        let status = PlanStatus(rawValue: try r.decode(column: "status", as: String.self)) ?? .active
        let started = try r.decode(column: "started_on", as: String?.self).flatMap { Day(parsing: $0) }
        // What counts towards the instalments: the payments received from the day the plan began.
        let payments = started == nil ? [] : try await db.raw("""
            SELECT received_on, amount_minor FROM payments WHERE case_id = \(bind: caseID) AND received_on >= \(bind: started!.iso) AND reversed_on IS NULL
            """).all().map { (on: Day(parsing: try $0.decode(column: "received_on", as: String.self))!, cents: try $0.decode(column: "amount_minor", as: Int64.self)) }
        let states = started == nil ? schedule.map { InstalmentState(instalment: $0, status: .pending, paidOn: nil) }
            : PaymentPlan.progress(schedule, payments: payments, asOf: day, graceDays: try r.decode(column: "plan_grace_days", as: Int.self))
        return PlanRecord(id: id, caseID: caseID, status: status, balanceCents: try r.decode(column: "balance_minor", as: Int64.self),
                          frequency: PlanFrequency(rawValue: try r.decode(column: "frequency", as: String.self)) ?? .monthly,
                          approvalReasons: try r.decode(column: "approval_reasons", as: String.self).split(separator: "\n").map(String.init),
                          interestFrozenFrom: try r.decode(column: "interest_frozen_from", as: String?.self).flatMap { Day(parsing: $0) },
                          proposedBy: try r.decode(column: "proposed_by", as: String.self),
                          proposedAt: Instant(iso: try r.decode(column: "proposed_at", as: String.self)) ?? Instant(millisecondsSinceEpoch: 0),
                          decision: try r.decode(column: "decision_note", as: String?.self) ?? "", instalments: states)
    }

    /// Follows every plan in force on `day`: instalments marked paid, late or missed; a plan fully
    /// paid completed; a plan with a missed instalment broken — the case goes back where the
    /// mandate says (the amicable strategy, or the decision phase), interest runs again, the
    /// creditor reads why in the history and the case's agent finds a task in their queue.
    @discardableResult
    public func review(on day: Day, at: Instant = SystemClock.now()) async throws -> (completed: Int, broken: Int) {
        let ids = try await database.withConnection { db in
            try await db.raw("SELECT id FROM payment_plans WHERE status = 'active' ORDER BY id").all().map { try $0.decode(column: "id", as: Int64.self) }
        }
        var completed = 0, broken = 0
        let actor = Actor("system:plans")
        for id in ids {
            let outcome: PlanStatus = try await database.transaction { db in
                guard let plan = try await Self.plan(id: id, asOf: day, db: db), plan.status == .active else { return .active }
                for s in plan.instalments {
                    try await db.raw("""
                        UPDATE plan_instalments SET status = \(bind: s.status.rawValue), paid_on = \(bind: s.paidOn?.iso)
                        WHERE plan_id = \(bind: id) AND number = \(bind: s.instalment.number)
                        """).run()
                }
                let row = try await db.raw("""
                    SELECT c.status, c.suspension_reason, c.resume_to, c.agent_id, cr.max_plan_months, cr.plan_min_first_percent, cr.plan_interest_runs,
                      cr.plan_grace_days, cr.plan_break_to FROM cases c JOIN creditors cr ON cr.id = c.creditor_id WHERE c.id = \(bind: plan.caseID)
                    """).all()[0]
                let lifecycle = try CaseStore.decodeLifecycle(row)
                if plan.instalments.allSatisfy({ $0.status == .paid }) || lifecycle.status == .paid {
                    try await db.raw("UPDATE payment_plans SET status = 'completed', ended_on = \(bind: day.iso) WHERE id = \(bind: id)").run()
                    return .completed
                }
                guard let missed = plan.instalments.first(where: { $0.status == .missed }), lifecycle.status == .paymentPlan else { return .active }
                let terms = try Self.terms(row)
                let i = missed.instalment
                let whereTo = terms.onBreak == .decisionPending ? "le dossier passe en phase de décision" : "les relances amiables reprennent"
                let why = "Échéancier rompu : l'échéance n° \(i.number) du \(i.dueOn.french) (\(Money.eur(cents: i.cents).formatted())) reste impayée "
                    + "\(terms.graceDays) jours après son terme ; \(whereTo) et les intérêts courent de nouveau (mandat)."
                try await db.raw("UPDATE payment_plans SET status = 'broken', ended_on = \(bind: day.iso) WHERE id = \(bind: id)").run()
                try await CaseStore.apply(try Transition.make(caseID: plan.caseID, from: lifecycle, to: terms.onBreak, actor: actor, at: at, reason: why), db: db)
                try await db.raw("""
                    INSERT INTO collection_tasks (case_id, task_key, channel, due_on, reason, priority, status, created_at)
                    VALUES (\(bind: plan.caseID), \(bind: "plan-broken:\(id)"), 'review', \(bind: day.iso), \(bind: why), 1000000, 'queued', \(bind: at.description))
                    ON CONFLICT (case_id, task_key) DO NOTHING
                    """).run()
                try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "plan.break", entity: "case", entityID: CaseReference(caseID: plan.caseID).description,
                                                       after: AuditTrail.json(["plan": String(id), "instalment": String(i.number)])), db: db)
                return .broken
            }
            if outcome == .completed { completed += 1 }
            if outcome == .broken { broken += 1 }
        }
        return (completed, broken)
    }
}
