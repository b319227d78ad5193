import Foundation
import RecouvreCore
import SQLKit

/// A debtor's mandate as the case page shows it.
public struct MandateRecord: Sendable, Equatable {
    public let reference: String
    public let iban: String
    public let signedOn: Day
    public let status: String
}

/// What preparing a collection day did.
public struct DebitFileSummary: Sendable, Equatable {
    public let path: String
    public let messageID: String
    public let debits: Int
    public let totalCents: Int64
}

/// SEPA direct debits of plan instalments: the debtors' mandates, the pain.008 file of each
/// collection day, and what the bank's statements say of each debit — collected (the payment is
/// booked from the statement's credit) or returned (the payment taken back, the instalment unpaid).
public struct DirectDebitStore: Sendable {
    let database: Database
    public init(_ database: Database) { self.database = database }

    /// Records the SEPA mandate the debtor of a case signed; it replaces any earlier one.
    public func addMandate(caseID: Int64, reference: String, iban: IBAN, bic: BIC? = nil, signedOn: Day, actor: Actor, at: Instant = SystemClock.now(),
                           scope: CaseScope = .agency) async throws {
        try await database.transaction { db in
            guard let row = try await db.raw("""
                SELECT c.debtor_id, d.name FROM cases c JOIN debtors d ON d.id = c.debtor_id WHERE c.id = \(bind: caseID) AND \(CaseStore.whereScope(scope))
                """).all().first else { throw StoreError.notFound("case \(CaseReference(caseID: caseID))") }
            let debtor = try row.decode(column: "debtor_id", as: Int64.self)
            let name = try row.decode(column: "name", as: String.self)
            let mandate: SEPAMandate
            do {
                mandate = try SEPAMandate(reference: reference, signedOn: signedOn, debtorName: name, iban: iban, bic: bic, today: ParisTime(at).day)
            } catch let problem as SEPAMandate.Problem { throw StoreError.invalid(problem.description) }
            if try await !db.raw("SELECT id FROM sepa_mandates WHERE reference = \(bind: mandate.reference)").all().isEmpty {
                throw StoreError.conflict("the mandate reference \(mandate.reference) is already used")
            }
            try await db.raw("UPDATE sepa_mandates SET status = 'replaced' WHERE debtor_id = \(bind: debtor) AND status = 'active'").run()
            try await db.raw("""
                INSERT INTO sepa_mandates (debtor_id, reference, debtor_name, iban, bic, signed_on, status, created_by, created_at)
                VALUES (\(bind: debtor), \(bind: mandate.reference), \(bind: mandate.debtorName), \(bind: iban.value), \(bind: bic?.value),
                  \(bind: signedOn.iso), 'active', \(bind: actor.id), \(bind: at.description))
                """).run()
            try await CaseStore.appendEvents([CaseEvent(caseID: caseID, occurredAt: at, actor: actor, kind: .note,
                                                        text: "Mandat de prélèvement SEPA \(mandate.reference) signé le \(signedOn.french) (IBAN \(iban.printed)).")], db: db)
            try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "mandate.add", entity: "case", entityID: CaseReference(caseID: caseID).description,
                                                   after: AuditTrail.json(["reference": mandate.reference, "signed_on": signedOn.iso])), db: db)
        }
    }

    /// The mandate in force for the debtor of a case: the latest active one (`decodeMandate` reads it).
    static func mandateRows(caseID: Int64) -> RowSet {
        RowSet(select: """
            SELECT m.id AS id, m.reference, m.iban, m.signed_on, m.status FROM sepa_mandates m JOIN cases c ON c.debtor_id = m.debtor_id
            WHERE c.id = \(bind: caseID) AND m.status = 'active'
            """, order: "id DESC", limit: 1)
    }

    static func decodeMandate(_ r: any SQLRow) throws -> MandateRecord {
        MandateRecord(reference: try r.decode(column: "reference", as: String.self), iban: try r.decode(column: "iban", as: String.self),
                      signedOn: Day(parsing: try r.decode(column: "signed_on", as: String.self))!, status: try r.decode(column: "status", as: String.self))
    }

    /// Writes the pain.008 file presenting the instalments due on `collectOn` whose debtor has a
    /// mandate (each once, a returned one again), in `folder`, and records each debit and a line in
    /// its case's history. Nil when there is nothing to collect. The file is written before the
    /// records and named only once they are committed, so a crash leaves a `.part` and nothing
    /// presented twice.
    public func prepare(collectOn: Day, folder: URL, creditor: DirectDebitCreditor, actor: Actor, at: Instant = SystemClock.now()) async throws -> DebitFileSummary? {
        // At most 35 characters with the payment block's "-FRST" (the schema's Max35Text).
        let messageID = "RCV-DD-\(collectOn.iso.replacingOccurrences(of: "-", with: ""))-\(at.millisecondsSinceEpoch / 1000)"
        return try await database.transaction { db -> DebitFileSummary? in
            let rows = try await db.raw("""
                SELECT i.plan_id, i.number, i.amount_minor, p.case_id, m.id AS mandate_id, m.reference, m.signed_on, m.debtor_name, m.iban, m.bic,
                  (SELECT COUNT(*) FROM direct_debits x WHERE x.mandate_id = m.id AND x.status <> 'returned') AS used
                FROM plan_instalments i JOIN payment_plans p ON p.id = i.plan_id JOIN cases c ON c.id = p.case_id
                JOIN sepa_mandates m ON m.id = (SELECT MAX(x.id) FROM sepa_mandates x WHERE x.debtor_id = c.debtor_id AND x.status = 'active')
                WHERE p.status = 'active' AND i.due_on = \(bind: collectOn.iso) AND i.status IN ('pending', 'late')
                  AND NOT EXISTS (SELECT 1 FROM direct_debits dd WHERE dd.plan_id = i.plan_id AND dd.instalment_number = i.number AND dd.status <> 'returned')
                ORDER BY i.plan_id, i.number
                """).all()
            guard !rows.isEmpty else { return nil }
            let today = ParisTime(at).day
            var debits: [(debit: DirectDebit, planID: Int64, number: Int, caseID: Int64, mandateID: Int64)] = []
            for r in rows {
                let planID = try r.decode(column: "plan_id", as: Int64.self), number = try r.decode(column: "number", as: Int.self)
                let caseID = try r.decode(column: "case_id", as: Int64.self)
                let mandate = try SEPAMandate(reference: try r.decode(column: "reference", as: String.self),
                                              signedOn: Day(parsing: try r.decode(column: "signed_on", as: String.self))!,
                                              debtorName: try r.decode(column: "debtor_name", as: String.self), iban: try IBAN(try r.decode(column: "iban", as: String.self)),
                                              bic: try r.decode(column: "bic", as: String?.self).flatMap { try? BIC($0) }, today: today)
                let attempt = try await db.raw("SELECT COUNT(*) AS n FROM direct_debits WHERE plan_id = \(bind: planID) AND instalment_number = \(bind: number)").all()[0]
                    .decode(column: "n", as: Int.self) + 1
                debits.append((DirectDebit(endToEndID: "RCV-\(planID)-\(number)-\(attempt)", cents: try r.decode(column: "amount_minor", as: Int64.self), mandate: mandate,
                                           first: try r.decode(column: "used", as: Int.self) == 0 && !debits.contains { $0.mandateID == (try? r.decode(column: "mandate_id", as: Int64.self)) },
                                           remittance: "\(CaseReference(caseID: caseID)) echeance \(number)"),
                               planID, number, caseID, try r.decode(column: "mandate_id", as: Int64.self)))
            }
            let xml = Pain008.write(messageID: messageID, createdAt: at, collectOn: collectOn, creditor: creditor, debits: debits.map(\.debit))
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let path = folder.appendingPathComponent("prelevements-\(collectOn.iso)-\(at.millisecondsSinceEpoch).xml")
            try Data(xml.utf8).write(to: URL(fileURLWithPath: path.path + ".part"), options: .atomic)
            let total = debits.reduce(Int64(0)) { $0 + $1.debit.cents }
            let hash = SHA256Hex.of(xml)
            let fileID = try await db.raw("""
                INSERT INTO debit_files (message_id, collect_on, debits, total_minor, path, sha256, created_by, created_at)
                VALUES (\(bind: messageID), \(bind: collectOn.iso), \(bind: debits.count), \(bind: total), \(bind: path.path), \(bind: hash), \(bind: actor.id), \(bind: at.description))
                RETURNING id
                """).all()[0].decode(column: "id", as: Int64.self)
            var events: [CaseEvent] = []
            for d in debits {
                try await db.raw("""
                    INSERT INTO direct_debits (file_id, mandate_id, case_id, plan_id, instalment_number, end_to_end_id, amount_minor, collect_on, sequence, status, created_at)
                    VALUES (\(bind: fileID), \(bind: d.mandateID), \(bind: d.caseID), \(bind: d.planID), \(bind: d.number), \(bind: d.debit.endToEndID), \(bind: d.debit.cents),
                      \(bind: collectOn.iso), \(bind: d.debit.first ? "FRST" : "RCUR"), 'submitted', \(bind: at.description))
                    """).run()
                events.append(CaseEvent(caseID: d.caseID, occurredAt: at, actor: actor, kind: .note, text: """
                    Prélèvement SEPA de \(Money.eur(cents: d.debit.cents).formatted()) présenté pour le \(collectOn.french) (échéance n° \(d.number), mandat \(d.debit.mandate.reference)).
                    """))
            }
            try await CaseStore.appendEvents(events, db: db)
            try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "debits.prepare", entity: "debit_file", entityID: messageID,
                                                   after: AuditTrail.json(["debits": String(debits.count), "total_minor": String(total), "collect_on": collectOn.iso])), db: db)
            return DebitFileSummary(path: path.path, messageID: messageID, debits: debits.count, totalCents: total)
        }.map { summary in
            try FileManager.default.moveItem(atPath: summary.path + ".part", toPath: summary.path)
            return summary
        }
    }

    /// Where debit files go for the bank: `RECOUVRE_BANK_OUTBOX`, default `outbox/bank`.
    public static func outbox() -> URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["RECOUVRE_BANK_OUTBOX"] ?? "outbox/bank")
    }

    /// The agency as the collecting creditor, from its letter settings' identity.
    public static func creditor(_ agency: AgencyIdentity) throws -> DirectDebitCreditor {
        guard let ics = agency.sepaCreditorID else {
            throw StoreError.invalid("the agency has no SEPA creditor identifier (ICS): set sepa_creditor_id in the letter settings' agency")
        }
        return DirectDebitCreditor(name: agency.name, iban: agency.clientFundsIBAN, bic: agency.bic, identifier: ics)
    }

    /// The debit files handed to the bank, newest first.
    public func files(limit: Int = 20) async throws -> [(id: Int64, collectOn: Day, debits: Int, totalCents: Int64, path: String, createdAt: Instant)] {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM debit_files ORDER BY id DESC LIMIT \(bind: limit)").all().map {
                (try $0.decode(column: "id", as: Int64.self), Day(parsing: try $0.decode(column: "collect_on", as: String.self))!, try $0.decode(column: "debits", as: Int.self),
                 try $0.decode(column: "total_minor", as: Int64.self), try $0.decode(column: "path", as: String.self),
                 Instant(iso: try $0.decode(column: "created_at", as: String.self)) ?? Instant(millisecondsSinceEpoch: 0))
            }
        }
    }

    /// Where the debit file `id` was written.
    public func filePath(id: Int64) async throws -> String? {
        try await database.withConnection { db in
            try await db.raw("SELECT path FROM debit_files WHERE id = \(bind: id)").all().first?.decode(column: "path", as: String.self)
        }
    }

    /// The direct debits a statement's credits collect, by their end-to-end ids: case and debit.
    static func submitted(endToEndIDs: [String], db: any SQLDatabase) async throws -> [String: (caseID: Int64, debitID: Int64)] {
        guard !endToEndIDs.isEmpty else { return [:] }
        var out: [String: (Int64, Int64)] = [:]
        for start in stride(from: 0, to: endToEndIDs.count, by: 500) {
            var q = SQLQueryString("SELECT id, case_id, end_to_end_id FROM direct_debits WHERE status = 'submitted' AND end_to_end_id IN (")
            for (i, e) in endToEndIDs[start..<min(endToEndIDs.count, start + 500)].enumerated() { q += i == 0 ? "\(bind: e)" : ", \(bind: e)" }
            q += ")"
            for r in try await db.raw(q).all() {
                out[try r.decode(column: "end_to_end_id", as: String.self)] = (try r.decode(column: "case_id", as: Int64.self), try r.decode(column: "id", as: Int64.self))
            }
        }
        return out
    }

    /// A direct debit sent back by the debtor's bank: marked returned with its reason and, if its
    /// payment was booked, that payment taken back — the instalment is unpaid again and the plan's
    /// review treats it as any unpaid one. False when no debit has that id (left to the accountant).
    static func returned(_ r: BankReturn, actor: Actor, at: Instant, rates: InterestRates, db: any SQLDatabase) async throws -> Bool {
        guard let row = try await db.raw("""
            SELECT id, case_id, payment_id, instalment_number, amount_minor FROM direct_debits WHERE end_to_end_id = \(bind: r.endToEndID) AND status <> 'returned'
            """).all().first else { return false }
        let why = "prélèvement rejeté par la banque du débiteur (\(ReturnReason.french(r.reason)))"
        try await db.raw("""
            UPDATE direct_debits SET status = 'returned', return_reason = \(bind: r.reason) WHERE id = \(bind: try row.decode(column: "id", as: Int64.self))
            """).run()
        if let payment = try row.decode(column: "payment_id", as: Int64?.self) {
            try await PaymentStore.reverse(paymentID: payment, on: r.bookedOn, reason: why, actor: actor, at: at, rates: rates, db: db)
        } else {
            try await CaseStore.appendEvents([CaseEvent(caseID: try row.decode(column: "case_id", as: Int64.self), occurredAt: at, actor: actor, kind: .note,
                                                        text: "Échéance n° \(try row.decode(column: "instalment_number", as: Int.self)) : \(why).")], db: db)
        }
        return true
    }
}

/// The ISO return reason codes a French bank gives most, as people say them.
public enum ReturnReason {
    public static func french(_ code: String) -> String {
        let names = ["AM04": "provision insuffisante", "MD06": "remboursement demandé par le débiteur", "AC04": "compte clos", "AC01": "IBAN incorrect",
                     "MS02": "refus du débiteur", "MS03": "motif non communiqué", "MD01": "pas de mandat", "AC06": "compte bloqué", "SL01": "service spécifique de la banque"]
        return code.isEmpty ? "motif non communiqué" : names[code].map { "\(code), \($0)" } ?? code
    }
}
