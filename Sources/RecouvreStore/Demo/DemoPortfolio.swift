import Foundation
import RecouvreCore
import SQLKit

/// A realistic demo portfolio: four creditors (B2B and B2C), a few thousand cases in every phase,
/// with their histories, investigations and debtors known to several creditors.
public enum DemoPortfolio {
    public struct Result: Sendable {
        public let creditors: Int
        public let cases: Int
        public let claims: Int
        public let events: Int
    }

    struct CreditorSpec {
        let code, name, siren, street, postcode, city, covered: String
        let consumerShare: Double
        let debtors: Int
        let commission: Int64
    }

    static let creditors: [CreditorSpec] = [
        CreditorSpec(code: "ACME", name: "Fournitures Acme SAS", siren: "552100554", street: "12 rue des Entrepreneurs", postcode: "75015", city: "Paris",
                     covered: "Factures impayées de clients professionnels échues depuis plus de 30 jours", consumerShare: 0.0, debtors: 700, commission: 12),
        CreditorSpec(code: "ELEC", name: "Énergie du Sud", siren: "542051180", street: "8 avenue du Prado", postcode: "13008", city: "Marseille",
                     covered: "Factures d'énergie impayées des clients particuliers et professionnels", consumerShare: 0.8, debtors: 800, commission: 15),
        CreditorSpec(code: "TELCO", name: "Télécom Horizon", siren: "443061841", street: "3 place de la Bourse", postcode: "69002", city: "Lyon",
                     covered: "Abonnements et équipements impayés, clients particuliers", consumerShare: 1.0, debtors: 600, commission: 18),
        CreditorSpec(code: "BATI", name: "Matériaux Bâti Pro", siren: "732829320", street: "45 route de Toulouse", postcode: "33400", city: "Talence",
                     covered: "Ventes de matériaux à crédit aux artisans et entreprises du bâtiment", consumerShare: 0.1, debtors: 500, commission: 10),
    ]

    /// Fills an empty, migrated database. `today` anchors every date. `afterRun` follows each
    /// day's run (the executable prints that day's letters with it).
    public static func load(into database: Database, today: Day, afterRun: ((Day, Instant) async throws -> Void)? = nil) async throws -> Result {
        let started = Instant.startOf(today.adding(days: -120))
        var claims = 0
        for (n, spec) in creditors.enumerated() {
            let creditor = try await CreditorStore(database).create(NewCreditor(
                code: spec.code, name: spec.name, siren: try SIREN(spec.siren),
                address: PostalAddress(line1: spec.street, postcode: spec.postcode, city: spec.city),
                iban: try IBAN("FR7630006000011234567890189"),
                mandate: Mandate(reference: "MAN-\(spec.code)-2026", signedOn: today.adding(days: -200), claimsCovered: spec.covered,
                                 guarantee: "Le créancier garantit détenir les créances confiées et leur exigibilité.",
                                 commission: Commission(rateOfCollected: .percent(spec.commission)),
                                 remittance: RemittanceTerms(method: .sepaTransfer, withinDays: 30))))
            // Creditors share part of their customers (the same SIREN or person), as in real portfolios.
            let generator = ClaimFileGenerator(debtorCount: spec.debtors + 300, consumerShare: spec.consumerShare, seed: [1000, 1001, 1001, 1000][n],
                                               invoicePrefix: "\(spec.code)-", today: today)
            var lines = [ClaimFileGenerator.header]
            for k in 0..<(spec.debtors * 2) { lines.append(generator.row(k).line) }
            let summary = try await ClaimImporter.importData(Array(lines.joined(separator: "\n").utf8), fileName: "demo-\(spec.code.lowercased()).csv",
                                                             into: database, options: ImportOptions(creditorCode: creditor.code, actor: .user("demo"),
                                                                                                    today: today, at: Instant(millisecondsSinceEpoch: started.millisecondsSinceEpoch + Int64(n) * 60_000)))
            claims += summary.claimsCreated
        }
        let (cases, events) = try await workCases(database, from: started, today: today)
        try await assignCases(database)
        try await plans(database, today: today)
        // Three weeks of daily runs, so the outbox, the queues and the case pages show a strategy at work.
        for back in stride(from: 20, through: 0, by: -1) {
            let day = today.adding(days: -back)
            let at = Instant(millisecondsSinceEpoch: Int64(day.daysSinceEpoch) * 86_400_000 + 5 * 3_600_000)
            _ = try await PlanStore(database).review(on: day, at: at)
            _ = try await DailyRun(database).run(on: day, settings: StoredSettings(id: nil, settings: .defaults), at: at)
            try await afterRun?(day, at)
        }
        try await bankStatement(database, today: today)
        return Result(creditors: creditors.count, cases: cases, claims: claims, events: events)
    }

    /// The cases the demo put on a plan get the plan itself: the first instalment what they paid
    /// that day, then five monthly ones, paid on their day — except one plan in four, whose
    /// latest instalment is not paid (late, or missed and the plan broken by the daily review).
    /// One amicable case has a plan beyond its mandate waiting for the creditor's answer.
    static func plans(_ database: Database, today: Day) async throws {
        let rows = try await database.withConnection { db in
            try await db.raw("""
                SELECT p.case_id, MIN(p.received_on) AS day, MIN(p.amount_minor) AS paid FROM payments p JOIN cases c ON c.id = p.case_id
                WHERE c.status = 'payment_plan' GROUP BY p.case_id ORDER BY p.case_id
                """).all().map { (try $0.decode(column: "case_id", as: Int64.self), Day(parsing: try $0.decode(column: "day", as: String.self))!,
                                  try $0.decode(column: "paid", as: Int64.self)) }
        }
        for (caseID, start, paid) in rows {
            try await database.transaction { db in
                let owed = try await PaymentStore.owed(caseID: caseID, asOf: start, rates: .shipped, db: db)
                guard case let .success(schedule) = PaymentPlan.schedule(PlanProposal(balanceCents: owed + paid, count: 6, frequency: .monthly, firstOn: start,
                                                                                      firstCents: paid), today: start) else { return }
                let at = Instant.startOf(start)
                let id = try await db.raw("""
                    INSERT INTO payment_plans (case_id, status, balance_minor, frequency, proposed_by, proposed_at, started_on, interest_frozen_from)
                    VALUES (\(bind: caseID), 'active', \(bind: owed + paid), 'monthly', 'user:demo', \(bind: at.description), \(bind: start.iso), \(bind: start.iso))
                    RETURNING id
                    """).all()[0].decode(column: "id", as: Int64.self)
                for i in schedule {
                    try await db.raw("""
                        INSERT INTO plan_instalments (plan_id, number, due_on, amount_minor) VALUES (\(bind: id), \(bind: i.number), \(bind: i.dueOn.iso), \(bind: i.cents))
                        """).run()
                }
                // Half of them pay by SEPA direct debit under a mandate signed the day the plan began.
                if (caseID / 20) % 2 == 0 {
                    let debtor = try await db.raw("SELECT c.debtor_id, d.name FROM cases c JOIN debtors d ON d.id = c.debtor_id WHERE c.id = \(bind: caseID)").all()[0]
                    try await db.raw("""
                        INSERT INTO sepa_mandates (debtor_id, reference, debtor_name, iban, signed_on, status, created_by, created_at)
                        VALUES (\(bind: try debtor.decode(column: "debtor_id", as: Int64.self)), \(bind: "RUM-DEMO-\(caseID)"), \(bind: try debtor.decode(column: "name", as: String.self)),
                          'FR7630004000031234567890143', \(bind: start.iso), 'active', 'user:demo', \(bind: at.description))
                        ON CONFLICT (reference) DO NOTHING
                        """).run()
                }
                let due = schedule.dropFirst().filter { $0.dueOn <= today }
                for i in due where !((caseID / 20) % 4 == 1 && i == due.last) {
                    _ = try await PaymentStore.book(caseID: caseID, NewPayment(receivedOn: i.dueOn, cents: i.cents, method: (caseID / 20) % 2 == 0 ? .directDebit : .transfer,
                                                                               reference: "Échéance \(i.number) \(CaseReference(caseID: caseID))"),
                                                    actor: .user("demo"), at: Instant.startOf(i.dueOn), scope: .agency, rates: .shipped, settle: true, db: db)
                }
            }
        }
        let amicable = try await database.withConnection { db in
            try await db.raw("SELECT id FROM cases WHERE status = 'amicable' ORDER BY claimed_minor DESC LIMIT 1").all().first?.decode(column: "id", as: Int64.self)
        }
        if let amicable {
            try await PlanStore(database).propose(caseID: amicable, count: 18, frequency: .monthly, firstOn: today.adding(days: 10), actor: .user("agent.martin"),
                                                  at: Instant.startOf(today.adding(days: -2)), rates: .shipped)
        }
    }

    /// This morning's statement of the client-funds account, imported: most credits name their
    /// case and are booked with their receipt; one pays a case by its balance and the payer's
    /// name; two match nothing and wait in the accountant's reconciliation queue.
    static func bankStatement(_ database: Database, today: Day) async throws {
        let rows = try await database.withConnection { db in
            try await db.raw("""
                SELECT c.id, c.claimed_minor - c.paid_minor AS balance, d.name FROM cases c JOIN debtors d ON d.id = c.debtor_id
                WHERE c.status = 'amicable' ORDER BY c.id LIMIT 7
                """).all().map { (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "balance", as: Int64.self), try $0.decode(column: "name", as: String.self)) }
        }
        guard rows.count == 7 else { return }
        let day = today.adding(days: -1)
        var entries: [StatementGenerator.Entry] = rows.prefix(6).enumerated().map { k, r in
            .init(reference: "DEMO-\(day.iso)-\(k + 1)", bookedOn: day, transactions: [
                .init(cents: max(100, r.1 / Int64(2 + k % 3)), payer: r.2.uppercased(), payerIBAN: "FR76300040000312345678\(String(format: "%05d", r.0 % 100_000))",
                      remittance: "Reglement dossier \(CaseReference(caseID: r.0))")])
        }
        entries.append(.init(reference: "DEMO-\(day.iso)-7", bookedOn: day, transactions: [.init(cents: rows[6].1, payer: rows[6].2.uppercased(), remittance: "Facture")]))
        entries.append(.init(reference: "DEMO-\(day.iso)-8", bookedOn: day, transactions: [.init(cents: 4_250, payer: "M OU MME DURAND", remittance: "VIR SEPA")]))
        entries.append(.init(reference: "DEMO-\(day.iso)-9", bookedOn: day, transactions: [.init(cents: 120_000, payer: "SCI DES LILAS", remittance: "LOYER NOVEMBRE")]))
        let settings = try await LetterSettingsStore(database).current().settings
        let xml = StatementGenerator.write(messageID: "DEMO-\(day.iso)", statementID: "RELEVE-\(day.iso)", account: settings.agency.clientFundsIBAN, on: day, entries: entries)
        _ = try await StatementStore(database).importStatement(Data(xml.utf8), fileName: "releve-\(day.iso).xml", account: settings.agency.clientFundsIBAN,
                                                               actor: .user("compta"), at: Instant.startOf(today), rates: .shipped)
    }

    /// The path a demo case has taken so far, chosen from its number.
    static func path(for caseID: Int64) -> [(CaseStatus, SuspensionReason?, String)] {
        let toInvestigation = (CaseStatus.investigation, SuspensionReason?.none, "Dossier complet, début de l'enquête")
        let toAmicable = (CaseStatus.amicable, SuspensionReason?.none, "Débiteur identifié et joignable, relances amiables")
        let toDecision = (CaseStatus.decisionPending, SuspensionReason?.none, "Relances sans effet, décision à prendre")
        switch caseID % 20 {
        case 0, 1, 2: return []
        case 3, 4, 5: return [toInvestigation]
        case 6, 7, 8, 9, 10: return [toInvestigation, toAmicable]
        case 11: return [toInvestigation, toAmicable, toDecision]
        case 12, 13: return [toInvestigation, toAmicable, (.paid, nil, "Règlement intégral reçu par virement")]
        case 14: return [toInvestigation, toAmicable, (.paid, nil, "Règlement intégral reçu par chèque"), (.closed, nil, "Dossier soldé, clôturé")]
        case 15: return [toInvestigation, toAmicable, (.paymentPlan, nil, "Échéancier de 6 mensualités accepté par le débiteur")]
        case 16: return [toInvestigation, toAmicable, toDecision, (.litigation, nil, "Requête en injonction de payer déposée")]
        case 17: return [toInvestigation, (.suspended, .dispute, "Le débiteur conteste la livraison, dossier transmis au créancier")]
        case 18: return [toInvestigation, toAmicable, toDecision, (.irrecoverable, nil, "Liquidation judiciaire clôturée pour insuffisance d'actif")]
        default: return [toInvestigation, toAmicable, (.partiallyPaid, nil, "Paiement partiel accepté pour solde par le créancier")]
        }
    }

    /// The agents who worked the demo cases (the actors of their histories), in two teams. They
    /// have no password ("!" matches no bcrypt hash): the demo's own logins are made by the CLI.
    public static let agents: [(login: String, name: String, team: String)] = [
        ("agent.martin", "Marc Martin", "Paris"), ("agent.durand", "Julie Durand", "Paris"), ("agent.leroy", "Paul Leroy", "Lyon"),
    ]

    /// Gives each case out of intake to the agent whose name its history carries; new cases wait
    /// for a supervisor.
    static func assignCases(_ database: Database) async throws {
        for (k, a) in agents.enumerated() {
            let user = try await UserStore(database).create(login: a.login, displayName: a.name, role: .agent, team: a.team, passwordHash: "!", actor: .user("demo"))
            try await database.withConnection { db in
                try await db.raw("UPDATE cases SET agent_id = \(bind: user.id) WHERE status <> 'intake' AND id % 3 = \(bind: k)").run()
            }
        }
        // Each team's objective, per agent: calls, reminders and what their cases should bring in.
        for team in Set(agents.map(\.team)) {
            try await ObjectiveStore(database).set(.team(team), Objective(callsPerDay: 25, remindersPerWeek: 80, recoveredPerMonth: .eur(cents: 1_500_000)),
                                                   actor: .user("demo"))
        }
    }

    static func workCases(_ database: Database, from started: Instant, today: Day) async throws -> (Int, Int) {
        try await database.transaction { db in
            let rows = try await db.raw("SELECT id, claimed_minor FROM cases ORDER BY id").all()
            var events: [CaseEvent] = []
            let reasons = NonPaymentReason.allCases
            for row in rows {
                let id = try row.decode(column: "id", as: Int64.self)
                let claimed = try row.decode(column: "claimed_minor", as: Int64.self)
                var lifecycle = CaseLifecycle()
                var at = Instant(millisecondsSinceEpoch: started.millisecondsSinceEpoch + 86_400_000 * (1 + id % 7) + 3_600_000 * (8 + id % 9))
                for (target, suspension, reason) in path(for: id) {
                    let agent: Actor = .user(["agent.martin", "agent.durand", "agent.leroy"][Int(id % 3)])
                    let t = try Transition.make(caseID: id, from: lifecycle, to: target, suspensionReason: suspension, actor: agent, at: at, reason: reason)
                    lifecycle = t.lifecycle
                    events.append(t.event)
                    at = Instant(millisecondsSinceEpoch: at.millisecondsSinceEpoch + 86_400_000 * (9 + id % 11))
                }
                guard let last = events.last, last.caseID == id else { continue } // still in intake
                try await CaseStore.writeLifecycle(lifecycle, caseID: id, expected: .intake, at: last.occurredAt, db: db)
                // Payments booked as the agency books them (allocation, receipt number, history):
                // settled cases paid everything they owed that day, interest included.
                let payDay = ParisTime(last.occurredAt).day
                let paid: Int64 = switch lifecycle.status {
                case .paid, .closed: try await PaymentStore.owed(caseID: id, asOf: payDay, rates: .shipped, db: db)
                case .partiallyPaid: claimed * 6 / 10
                case .paymentPlan: claimed / 6
                default: 0
                }
                if paid > 0 {
                    _ = try await PaymentStore.book(caseID: id, NewPayment(receivedOn: payDay, cents: paid, method: [.transfer, .cheque, .card][Int(id % 3)],
                                                                           payer: "", reference: CaseReference(caseID: id).description),
                                                    actor: .user("demo"), at: last.occurredAt, scope: .agency, rates: .shipped, settle: false, db: db)
                }
                let inv = Investigation(reason: reasons[Int(id % Int64(reasons.count))], reasonNotes: "Entretien téléphonique avec le débiteur.",
                                        solvency: [Solvency.solvent, .fragile, .insolvent, .unknown][Int(id % 4)], solvencyNotes: "",
                                        sources: ["Infogreffe", "échange avec le débiteur"])
                try await CaseStore.writeInvestigation(inv, caseID: id, actor: .user("demo"), at: started, db: db)
            }
            try await CaseStore.appendEvents(events, db: db)
            return (rows.count, events.count)
        }
    }
}
