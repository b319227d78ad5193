import Foundation
import RecouvreCore
import SQLKit

/// A receipt to render and send: its words, and where the debtor can be reached.
public struct PendingReceipt: Sendable {
    public let paymentID: Int64
    public let caseID: Int64
    public let creditorID: Int64
    public let context: ReceiptContext
    /// The debtor's usable email (receipts go by email first), else nil.
    public let email: String?
    /// The postal address holds (not returned as unknown).
    public let addressUsable: Bool
}

/// Receipts (R124-6): each payment has one, numbered when booked; `ReceiptRun` renders the
/// pending ones, and this archives each with its case and says how it went out.
public struct ReceiptStore: Sendable {
    let database: Database
    public init(_ database: Database) { self.database = database }

    /// Up to `limit` receipts not yet sent, after the payment `after`, with what they say.
    public func pending(after: Int64 = 0, limit: Int, rates: InterestRates) async throws -> [PendingReceipt] {
        try await database.withConnection { db in
            let rows = try await db.raw("""
                SELECT p.*, c.creditor_id, c.debtor_id, cr.name AS creditor_name, d.name AS debtor_name, d.kind AS debtor_kind, d.language,
                  d.address_line1, d.address_line2, d.postcode, d.city, d.country, d.address_status,
                  (SELECT value FROM debtor_contacts dc WHERE dc.debtor_id = d.id AND dc.kind = 'email' AND dc.status <> 'invalid' ORDER BY dc.id LIMIT 1) AS email
                FROM payments p JOIN cases c ON c.id = p.case_id JOIN creditors cr ON cr.id = c.creditor_id JOIN debtors d ON d.id = c.debtor_id
                WHERE p.receipt_status = 'pending' AND p.id > \(bind: after) ORDER BY p.id LIMIT \(literal: limit)
                """).all()
            var out: [PendingReceipt] = []
            for r in rows {
                var record = try PaymentStore.decode(r)
                record.allocation = try await PaymentStore.payments(caseID: record.caseID, scope: .agency, db: db).first { $0.id == record.id }?.allocation ?? []
                let kind = Debtor.Kind(rawValue: try r.decode(column: "debtor_kind", as: String.self)) ?? .company
                // What was still owed once this payment (and those received before it) was applied.
                let owed = try Ledger.settle(claims: try await PaymentStore.ledgerClaims(caseID: record.caseID, debtorKind: kind, db: db),
                                             payments: try await PaymentStore.ledgerPayments(caseID: record.caseID, db: db).filter { $0.id <= record.id || $0.receivedOn < record.receivedOn },
                                             asOf: record.receivedOn, rates: rates).get().owedCents
                let address = PostalAddress(line1: try r.decode(column: "address_line1", as: String.self), line2: try r.decode(column: "address_line2", as: String.self),
                                            postcode: try r.decode(column: "postcode", as: String.self), city: try r.decode(column: "city", as: String.self),
                                            country: try r.decode(column: "country", as: String.self))
                let context = ReceiptContext(
                    number: record.receiptNumber, issuedOn: ParisTime(Instant(iso: try r.decode(column: "recorded_at", as: String.self)) ?? SystemClock.now()).day,
                    caseReference: CaseReference(caseID: record.caseID), language: Language(rawValue: try r.decode(column: "language", as: String.self)) ?? .fr,
                    debtorName: try r.decode(column: "debtor_name", as: String.self), debtorAddress: address,
                    creditorName: try r.decode(column: "creditor_name", as: String.self), receivedOn: record.receivedOn, amount: record.amount,
                    method: record.method, receivedBy: record.receivedBy, payerReference: record.reference, allocation: record.allocation,
                    unallocatedCents: record.unallocatedCents, owedAfterCents: owed)
                out.append(PendingReceipt(paymentID: record.id, caseID: record.caseID, creditorID: try r.decode(column: "creditor_id", as: Int64.self),
                                          context: context, email: try r.decode(column: "email", as: String?.self),
                                          addressUsable: try r.decode(column: "address_status", as: String.self) != "invalid" && !address.postcode.isEmpty))
            }
            return out
        }
    }

    /// How a receipt went out.
    public enum Delivery: Sendable, Equatable {
        case email(String)
        /// In the day's post file for the print house.
        case post(String)
        /// No usable address nor email: kept on the case, to be handed over or sent once one is known.
        case kept

        /// How the history says it went out.
        public var french: String {
            switch self {
            case let .email(address): "par courriel à \(address)"
            case let .post(file): "déposé pour envoi postal (\(file))"
            case .kept: "conservé au dossier : ni adresse postale ni courriel utilisable"
            }
        }
    }

    /// Archives a rendered receipt with its case (a document with its SHA-256), marks it sent and
    /// says so in the case's history, in one transaction.
    public func archive(_ receipt: PendingReceipt, pdf: [UInt8], delivery: Delivery, actor: Actor, at: Instant = SystemClock.now()) async throws {
        try await database.transaction { db in
            let documentID = try await DocumentStore.insert(creditorID: receipt.creditorID, caseID: receipt.caseID, kind: .receipt,
                                                            name: receipt.context.number + ".pdf", pdf: pdf, actor: actor, at: at, db: db)
            let updated = try await db.raw("""
                UPDATE payments SET receipt_status = 'sent', receipt_document_id = \(bind: documentID) WHERE id = \(bind: receipt.paymentID) AND receipt_status = 'pending'
                RETURNING id
                """).all()
            guard !updated.isEmpty else { throw StoreError.conflict("receipt \(receipt.context.number) was sent meanwhile") }
            let how: String = switch delivery {
            case let .email(address): "envoyée par courriel à \(address)"
            case let .post(file): "déposée pour envoi postal (\(file))"
            case .kept: "conservée au dossier : ni adresse postale ni courriel utilisable"
            }
            try await CaseStore.appendEvents([CaseEvent(caseID: receipt.caseID, occurredAt: at, actor: actor, kind: .mail,
                                                        text: "Quittance \(receipt.context.number) (\(receipt.context.amount.formatted()) reçus le \(receipt.context.receivedOn.french)) \(how).")], db: db)
        }
    }
}
