import Foundation
import Hummingbird
import RecouvreCore
import RecouvreStore

/// `/creditors` (agency staff with the right) and `/documents` (within the caller's scope).
extension API {
    struct CreditorJSON: Encodable {
        struct MandateJSON: Encodable {
            let reference, signed_on, claims_covered, guarantee, commission_rate: String
            let remittance_method: String, remittance_within_days: Int, max_plan_months: Int, notify_every_payment: Bool
        }
        let id: Int64, code: String, name: String, siren: Nullable<String>, address: [String], mandate: MandateJSON
        init(_ c: Creditor) {
            id = c.id; code = c.code; name = c.name; siren = Nullable(c.siren?.value); address = c.address.lines
            let m = c.mandate
            mandate = MandateJSON(reference: m.reference, signed_on: m.signedOn.iso, claims_covered: m.claimsCovered, guarantee: m.guarantee,
                                  commission_rate: m.commission.rateOfCollected.description, remittance_method: m.remittance.method.rawValue,
                                  remittance_within_days: m.remittance.withinDays, max_plan_months: m.maxPlanMonths, notify_every_payment: m.notifyEveryPayment)
        }
    }

    func listCreditors(_ request: Request, _ user: User) async throws -> Response {
        let (cursor, limit) = try Self.idPage(request)
        // A few dozen creditors at most: the list is read whole and paged here.
        let all = try await CreditorStore(database).list().sorted { $0.id < $1.id }.filter { cursor == nil || $0.id > cursor! }
        let page = Array(all.prefix(limit))
        struct Body: Encodable { let creditors: [CreditorJSON]; let next_cursor: Nullable<String> }
        return try jsonResponse(Body(creditors: page.map(CreditorJSON.init), next_cursor: Nullable(all.count > limit ? page.last.map { String($0.id) } : nil)))
    }

    func showCreditor(_ context: AppContext, _ user: User) async throws -> Response {
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }), let c = try await CreditorStore(database).find(id: id) else {
            throw Problem(status: .notFound, code: "creditor_not_found", detail: "no such creditor")
        }
        struct Figures: Encodable { let currency, claimed, paid, balance: String }
        struct Body: Encodable { let creditor: CreditorJSON; let cases_by_status: [String: Int]; let totals: [Figures] }
        let store = CaseStore(database)
        let counts = try await store.countsByStatus(scope: .creditor(id))
        let totals = try await store.totals(scope: .creditor(id))
        return try jsonResponse(Body(creditor: CreditorJSON(c), cases_by_status: Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }),
                                     totals: totals.map { Figures(currency: $0.claimed.currency.code, claimed: $0.claimed.decimalString, paid: $0.paid.decimalString,
                                                                  balance: Money(minorUnits: $0.claimed.minorUnits - $0.paid.minorUnits, currency: $0.claimed.currency).decimalString) }))
    }

    struct DocumentJSON: Encodable {
        let id: Int64, kind: String, name: String, content_type: String, bytes: Int, created_at: String, created_by: String
        let creditor_id: Int64, case_reference: Nullable<String>, import_id: Nullable<Int64>, href: String
        init(_ d: DocumentInfo) {
            id = d.id; kind = d.kind.rawValue; name = d.name; content_type = d.contentType; bytes = d.byteCount
            created_at = d.createdAt.description; created_by = d.createdBy; creditor_id = d.creditorID
            case_reference = Nullable(d.caseID.map { CaseReference(caseID: $0).description }); import_id = Nullable(d.importID); href = "/api/v1/documents/\(d.id)"
        }
    }

    func listDocuments(_ request: Request, _ user: User) async throws -> Response {
        let (cursor, limit) = try Self.idPage(request)
        let p = request.uri.queryParameters
        var caseID: Int64?, creditorID: Int64?
        if let raw = p.get("case") {
            guard let ref = CaseReference(parsing: raw) else { throw Problem(status: .badRequest, code: "invalid_case", detail: "case must be a case reference or id") }
            caseID = ref.caseID
        }
        if let raw = p.get("creditor") {
            guard let v = Int64(raw) else { throw Problem(status: .badRequest, code: "invalid_creditor", detail: "creditor must be a number") }
            creditorID = v
        }
        let page = try await DocumentStore(database).list(scope: CaseScope(user), caseID: caseID, creditorID: creditorID, after: cursor, limit: limit)
        struct Body: Encodable { let documents: [DocumentJSON]; let next_cursor: Nullable<String> }
        return try jsonResponse(Body(documents: page.documents.map(DocumentJSON.init), next_cursor: Nullable(page.nextCursor.map(String.init))))
    }

    func downloadDocument(_ context: AppContext, _ user: User) async throws -> Response {
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }),
              let (info, body) = try await DocumentStore(database).document(id: id, scope: CaseScope(user)) else {
            throw Problem(status: .notFound, code: "document_not_found", detail: "no such document")
        }
        return ImportPages.attachment(info, body)
    }
}
