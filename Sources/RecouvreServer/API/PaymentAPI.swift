import Foundation
import Hummingbird
import RecouvreCore
import RecouvreStore

/// `/cases/{id}/payments`: a case's payments with their allocation and receipt, and booking one.
extension API {
    struct PaymentJSON: Encodable {
        struct Part: Encodable { let invoice_ref, part, amount: String }
        let id: Int64, received_on, amount, currency, method, received_by, payer, reference, receipt_number: String
        let receipt_document_id: Nullable<Int64>
        let unallocated: String
        let allocation: [Part]
        init(_ p: PaymentRecord) {
            id = p.id; received_on = p.receivedOn.iso; amount = p.amount.decimalString; currency = p.amount.currency.code
            method = p.method.rawValue; received_by = p.receivedBy.rawValue; payer = p.payer; reference = p.reference
            receipt_number = p.receiptNumber; receipt_document_id = Nullable(p.receiptDocumentID)
            unallocated = Money(minorUnits: p.unallocatedCents, currency: p.amount.currency).decimalString
            allocation = p.allocation.map { Part(invoice_ref: $0.invoice, part: $0.part.rawValue, amount: Money(minorUnits: $0.cents, currency: p.amount.currency).decimalString) }
        }
    }

    func listPayments(_ context: AppContext, _ user: User) async throws -> Response {
        let id = try Self.caseID(context)
        guard try await CaseStore(database).exists(id: id, scope: CaseScope(user)) else {
            throw Problem(status: .notFound, code: "case_not_found", detail: "no such case")
        }
        struct Body: Encodable { let payments: [PaymentJSON] }
        return try jsonResponse(Body(payments: try await PaymentStore(database).payments(caseID: id, scope: CaseScope(user)).map(PaymentJSON.init)))
    }

    /// `POST /cases/{id}/payments` with `{"amount_cents", "received_on", "method"}` and optionally
    /// `received_by` (a creditor's user may only report `creditor`), `payer`, `reference`,
    /// `invoices` (the debtor's choice, in order) and `bank_entry_ref`. 201 with the payment as
    /// booked: its allocation, its receipt's number, and what the case still owes.
    func createPayment(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        let id = try Self.caseID(context)
        struct Body: Decodable {
            let amount_cents: Int64
            let received_on: String
            let method: String
            let received_by: String?
            let payer: String?
            let reference: String?
            let invoices: [String]?
            let bank_entry_ref: String?
        }
        let body: Body
        do { body = try JSONDecoder().decode(Body.self, from: Data(buffer: try await request.body.collect(upTo: 64 << 10))) } catch {
            throw Problem(status: .badRequest, code: "invalid_json", detail: "expected {\"amount_cents\", \"received_on\", \"method\"} as JSON")
        }
        guard let day = Day(parsing: body.received_on) else { throw Problem(status: .unprocessableContent, code: "invalid_payment", detail: "received_on: YYYY-MM-DD, not \(body.received_on)") }
        guard let method = PaymentMethod(rawValue: body.method) else {
            throw Problem(status: .unprocessableContent, code: "invalid_payment", detail: "method: one of \(PaymentMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var receiver = PaymentReceiver.agency
        if let raw = body.received_by {
            guard let r = PaymentReceiver(rawValue: raw) else { throw Problem(status: .unprocessableContent, code: "invalid_payment", detail: "received_by: agency or creditor") }
            receiver = r
        }
        if user.role == .creditorUser {
            guard body.received_by == nil || receiver == .creditor else {
                throw Problem(status: .forbidden, code: "forbidden", detail: "a creditor's user reports only what the creditor received (received_by: creditor)")
            }
            receiver = .creditor
        }
        let scope = CaseScope(user)
        guard let detail = try await CaseStore(database).detail(id: id, scope: scope) else { throw Problem(status: .notFound, code: "case_not_found", detail: "no such case") }
        var choice: [Int64] = []
        for ref in body.invoices ?? [] {
            guard let claim = detail.claims.first(where: { $0.invoiceReference == ref }) else {
                throw Problem(status: .unprocessableContent, code: "invalid_payment", detail: "invoices: \(ref) is not an invoice of this case")
            }
            choice.append(claim.id)
        }
        let payment = NewPayment(receivedOn: day, cents: body.amount_cents, method: method, receivedBy: receiver, payer: body.payer ?? "",
                                 reference: body.reference ?? "", debtorChoice: choice, bankEntryReference: body.bank_entry_ref)
        let booked: BookedPayment
        do {
            let rates = try await RateSettingsStore(database).current().settings.interestRates
            booked = try await PaymentStore(database).book(caseID: id, payment, actor: user.actor, at: now(), scope: scope, rates: rates)
        } catch StoreError.notFound {
            throw Problem(status: .notFound, code: "case_not_found", detail: "no such case")
        } catch let StoreError.invalid(why) {
            throw Problem(status: .unprocessableContent, code: "invalid_payment", detail: why)
        } catch let StoreError.conflict(why) {
            throw Problem(status: .conflict, code: "already_booked", detail: why)
        }
        if let run = receipts() { _ = try await run.run(at: now()) }
        guard let record = try await PaymentStore(database).payments(caseID: id, scope: scope).first(where: { $0.id == booked.paymentID }) else {
            throw Problem(status: .notFound, code: "case_not_found", detail: "no such case")
        }
        struct Created: Encodable { let payment: PaymentJSON; let owed: String; let settled: Bool }
        return try jsonResponse(Created(payment: PaymentJSON(record), owed: Money.eur(cents: booked.owedCents).decimalString, settled: booked.settled), status: .created)
    }
}
