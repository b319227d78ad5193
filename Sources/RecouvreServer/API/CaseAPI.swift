import Foundation
import Hummingbird
import RecouvreCore
import RecouvreStore

/// An API error as `application/problem+json` (RFC 9457) with a stable `code`.
struct Problem: Error, Encodable, Sendable {
    let type: String
    let title: String
    let status: Int
    let code: String
    let detail: String

    init(status: HTTPResponse.Status, code: String, detail: String) {
        self.type = "https://recouvre.example/problems/\(code)"
        self.title = status.reasonPhrase
        self.status = status.code
        self.code = code
        self.detail = detail
    }

    var response: Response {
        let status = HTTPResponse.Status(code: status)
        return (try? jsonResponse(self, status: status, contentType: "application/problem+json")) ?? Response(status: status)
    }
}

/// A JSON body with sorted keys, so that clients and tests see a stable document.
func jsonResponse(_ value: some Encodable, status: HTTPResponse.Status = .ok, contentType: String = "application/json") throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: .init(bytes: try encoder.encode(value))))
}

/// Read-only JSON access to cases (`/api/v1`), for a logged-in user (API tokens come next),
/// scoped like the pages.
struct CaseAPI: Sendable {
    let database: Database

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.get("cases") { request, context in await self.handle { try await self.list(request, CaseScope(try Self.caller(context))) } }
        group.get("cases/:id") { _, context in await self.handle { try await self.show(context, CaseScope(try Self.caller(context))) } }
    }

    static func caller(_ context: AppContext) throws -> User {
        guard let user = context.user else { throw Problem(status: .unauthorized, code: "unauthenticated", detail: "log in first") }
        guard user.may(.viewCases) else { throw Problem(status: .forbidden, code: "forbidden", detail: "your role cannot see cases") }
        return user
    }

    private func handle(_ body: () async throws -> Response) async -> Response {
        do { return try await body() } catch let p as Problem { return p.response } catch {
            return Problem(status: .internalServerError, code: "internal_error", detail: "the request could not be completed").response
        }
    }

    struct CaseJSON: Encodable {
        let id: Int64, reference: String, creditor: String, debtor: String, debtorKind: String, status: String
        let claimed: String, paid: String, balance: String, currency: String, claimCount: Int, oldestDueOn: String?, openedOn: String
        let agent_id: Int64?, next_action_on: String?
        init(_ c: CaseSummary) {
            id = c.id; reference = c.reference; creditor = c.creditorName; debtor = c.debtorName; debtorKind = c.debtorKind
            status = c.status.rawValue; claimed = c.claimed.decimalString; paid = c.paid.decimalString; balance = c.balance.decimalString
            currency = c.claimed.currency.code; claimCount = c.claimCount; oldestDueOn = c.oldestDueOn?.iso; openedOn = c.openedOn.iso
            agent_id = c.agentID; next_action_on = c.nextActionOn?.iso
        }
    }

    func list(_ request: Request, _ scope: CaseScope) async throws -> Response {
        let query: CaseListQuery
        do { query = try CaseListQuery(request) } catch { throw Problem(status: .badRequest, code: error.code, detail: error.detail) }
        let page = try await CaseStore(database).list(scope: scope, filter: query.filter, sort: query.sort, after: query.cursor, limit: query.limit)
        struct Body: Encodable { let cases: [CaseJSON]; let next_cursor: String? }
        return try jsonResponse(Body(cases: page.cases.map(CaseJSON.init), next_cursor: page.nextCursor?.description))
    }

    func show(_ context: AppContext, _ scope: CaseScope) async throws -> Response {
        guard let id = context.parameters.get("id").flatMap({ CaseReference(parsing: $0)?.caseID }),
              let d = try await CaseStore(database).detail(id: id, scope: scope) else {
            throw Problem(status: .notFound, code: "case_not_found", detail: "no such case")
        }
        struct ClaimJSON: Encodable { let invoice_ref, issued_on, due_on, amount, vat_amount: String; let interest_rate: String? }
        struct EventJSON: Encodable { let at, actor, kind, text: String; let from, to: String? }
        struct Body: Encodable { let `case`: CaseJSON; let claims: [ClaimJSON]; let events: [EventJSON]; let allowed_transitions: [String] }
        return try jsonResponse(Body(
            case: CaseJSON(d.summary),
            claims: d.claims.map { ClaimJSON(invoice_ref: $0.invoiceReference, issued_on: $0.issuedOn.iso, due_on: $0.dueOn.iso,
                                             amount: $0.principal.decimalString, vat_amount: $0.vat.decimalString,
                                             interest_rate: $0.interestTerms.contractualRate?.description) },
            events: d.events.map { EventJSON(at: $0.occurredAt.description, actor: $0.actor.id, kind: $0.kind.rawValue, text: $0.text,
                                             from: $0.fromStatus?.rawValue, to: $0.toStatus?.rawValue) },
            allowed_transitions: d.lifecycle.possibleTargets.sorted().map(\.rawValue)))
    }
}
