import Foundation
import HTTPTypes
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

/// An optional that the JSON shows as `null` rather than leaving the key out, so that every
/// documented key is always there (Swift's synthesised encoding skips nil optionals).
struct Nullable<T: Encodable>: Encodable {
    let value: T?
    init(_ value: T?) { self.value = value }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let value { try c.encode(value) } else { try c.encodeNil() }
    }
}

/// One route of the API: the OpenAPI document lists exactly these (a test checks both ways).
struct APIRoute: Hashable, Sendable {
    let method: HTTPRequest.Method
    /// As OpenAPI writes it: `/cases/{id}` (Hummingbird's `:id`).
    let path: String

    var routerPath: String { path.replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: "") }
}

/// The JSON API under `/api/v1`: cases, actions, creditors, claim imports and documents, for a
/// bearer token (or a browser session, which must then send its CSRF token in `X-CSRF-Token` to
/// change anything). Every answer is scoped like the pages; errors are problem documents.
struct API: Sendable {
    let database: Database
    var now: @Sendable () -> Instant = { SystemClock.now() }
    /// Renders and sends the receipts of payments just booked (nil: they wait for the next run).
    var receipts: @Sendable () -> ReceiptRun? = { nil }

    typealias Handler = @Sendable (Request, AppContext) async throws -> Response

    /// Every route with its handler; `addRoutes` registers them, the OpenAPI test reads them.
    static let table: [(route: APIRoute, handler: @Sendable (API) -> Handler)] = [
        (APIRoute(method: .get, path: "/openapi.yaml"), { _ in { _, _ in OpenAPIDocument.response } }),
        (APIRoute(method: .get, path: "/cases"), { api in { r, c in try await api.listCases(r, try api.caller(c, .viewCases)) } }),
        (APIRoute(method: .get, path: "/cases/{id}"), { api in { _, c in try await api.showCase(c, try api.caller(c, .viewCases)) } }),
        (APIRoute(method: .post, path: "/cases/{id}/actions"), { api in { r, c in try await api.createAction(r, c, try api.writer(r, c, .workCases)) } }),
        (APIRoute(method: .get, path: "/cases/{id}/payments"), { api in { _, c in try await api.listPayments(c, try api.caller(c, .viewCases)) } }),
        (APIRoute(method: .post, path: "/cases/{id}/payments"), { api in { r, c in try await api.createPayment(r, c, try api.writer(r, c, .recordPayments)) } }),
        (APIRoute(method: .get, path: "/creditors"), { api in { r, c in try await api.listCreditors(r, try api.caller(c, .viewCreditors)) } }),
        (APIRoute(method: .get, path: "/creditors/{id}"), { api in { _, c in try await api.showCreditor(c, try api.caller(c, .viewCreditors)) } }),
        (APIRoute(method: .post, path: "/claims/import"), { api in { r, c in try await api.importClaims(r, try api.writer(r, c, .importClaims)) } }),
        (APIRoute(method: .get, path: "/documents"), { api in { r, c in try await api.listDocuments(r, try api.caller(c, .viewCases)) } }),
        (APIRoute(method: .get, path: "/documents/{id}"), { api in { _, c in try await api.downloadDocument(c, try api.caller(c, .viewCases)) } }),
    ]

    func addRoutes(to group: RouterGroup<AppContext>) {
        for (route, make) in Self.table {
            let handler = make(self)
            group.on(RouterPath(route.routerPath), method: route.method) { request, context in await Self.problems(request, context) { try await handler(request, context) } }
        }
    }

    /// The logged-in caller, if their role has `right`.
    func caller(_ context: AppContext, _ right: Right) throws -> User {
        guard let user = context.user else { throw Problem(status: .unauthorized, code: "unauthenticated", detail: "send a bearer token (Authorization: Bearer …)") }
        guard user.may(right) else { throw Problem(status: .forbidden, code: "forbidden", detail: "your role (\(user.role.rawValue)) does not have the right \(right.rawValue)") }
        return user
    }

    /// The caller of a route that changes something: a token, or a session with its CSRF token
    /// in `X-CSRF-Token` (a browser session alone could be ridden by another site).
    func writer(_ request: Request, _ context: AppContext, _ right: Right) throws -> User {
        let user = try caller(context, right)
        if let expected = context.csrfToken {
            guard let sent = request.headers[Self.csrfHeader], Tokens.equal(sent, expected) else {
                throw Problem(status: .forbidden, code: "csrf_token_missing", detail: "a session must send its CSRF token in X-CSRF-Token; or use a bearer token")
            }
        }
        return user
    }

    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    static func problems(_ request: Request, _ context: AppContext, _ body: () async throws -> Response) async -> Response {
        do { return try await body() } catch let p as Problem { return p.response } catch {
            context.logger.error("\(request.method) \(request.uri.path) failed: \(String(reflecting: error))")
            return Problem(status: .internalServerError, code: "internal_error", detail: "the request could not be completed").response
        }
    }

    static func caseID(_ context: AppContext) throws -> Int64 {
        guard let id = context.caseID else {
            throw Problem(status: .notFound, code: "case_not_found", detail: "no such case")
        }
        return id
    }

    /// `limit` (1…200, default 50) and `cursor` (an id from `next_cursor`) of the id-ordered lists.
    static func idPage(_ request: Request) throws -> (cursor: Int64?, limit: Int) {
        let p = request.uri.queryParameters
        var cursor: Int64?
        if let raw = p.get("cursor") {
            guard let v = Int64(raw) else { throw Problem(status: .badRequest, code: "invalid_cursor", detail: "cursor must be a next_cursor, unchanged") }
            cursor = v
        }
        do { return (cursor, try CaseListQuery.limit(p.get("limit"), max: 200)) } catch {
            throw Problem(status: .badRequest, code: error.code, detail: error.detail)
        }
    }
}
