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
        // Three weeks of daily runs, so the outbox, the queues and the case pages show a strategy at work.
        for back in stride(from: 20, through: 0, by: -1) {
            let day = today.adding(days: -back)
            let at = Instant(millisecondsSinceEpoch: Int64(day.daysSinceEpoch) * 86_400_000 + 5 * 3_600_000)
            _ = try await DailyRun(database).run(on: day, settings: StoredSettings(id: nil, settings: .defaults), at: at)
            try await afterRun?(day, at)
        }
        return Result(creditors: creditors.count, cases: cases, claims: claims, events: events)
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
