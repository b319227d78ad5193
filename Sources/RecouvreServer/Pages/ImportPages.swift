import Foundation
import Hummingbird
import RecouvreCore
import RecouvreStore

/// The import page: upload a creditor's claim file, read what the import did, download the
/// rejected rows; and the download of any document the caller may see.
struct ImportPages: Sendable {
    let database: Database
    let views: Views
    /// The largest file the page and the API accept (a million claims is about 130 MB).
    static let maxUpload = 256 << 20

    func addRoutes(to router: Router<AppContext>) {
        router.get("imports") { request, context in try await signedIn(request, context) { try await self.list(request, context, try Self.importer($0)) } }
        router.post("imports") { request, context in try await signedIn(request, context) { try await self.upload(request, context, try Self.importer($0)) } }
        router.get("documents/:id") { request, context in try await signedIn(request, context) { try await self.download(request, context, $0) } }
    }

    static func importer(_ user: User) throws -> User {
        guard user.may(.importClaims) else { throw HTTPError(.forbidden, message: "your role cannot import claims") }
        return user
    }

    func list(_ request: Request, _ context: AppContext, _ user: User, result: [String: Any]? = nil, error: String? = nil,
              status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = Strings(language: Locale.language(of: request))
        var page = pageContext(request, context, t, title: t["imports.title"])
        page["creditors"] = try await CreditorStore(database).list().map { ["id": String($0.id), "name": "\($0.name) (\($0.code))"] }
        page["formError"] = error
        page["result"] = result
        page["imports"] = try await ImportHistory.recent(database, scope: CaseScope(user)).map { i -> [String: Any] in
            var row: [String: Any] = ["id": String(i.id), "creditor": i.creditorName, "file": i.fileName, "actor": i.actor,
                                      "when": CasePages.when(i.startedAt, t), "read": i.rowsRead, "rejected": i.rowsRejected,
                                      "created": i.claimsCreated, "updated": i.claimsUpdated, "unchanged": i.claimsUnchanged, "cases": i.casesOpened]
            row["rejects"] = i.rejectsDocumentID.map { "/documents/\($0)" }
            return row
        }
        var response = views.page("imports", page, status: status)
        Locale.remember(request, in: &response)
        return response
    }

    /// Reads the upload, checks its CSRF field, imports it and shows what happened. A refused
    /// file (no header, unknown creditor, broken quoting) imports nothing and says why.
    func upload(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        let t = Strings(language: Locale.language(of: request))
        let form = try await checkedMultipart(request, context, limit: Self.maxUpload)
        guard let creditorID = form.field("creditor").flatMap({ Int64($0) }), let creditor = try await CreditorStore(database).find(id: creditorID) else {
            return try await list(request, context, user, error: t["imports.chooseCreditor"], status: .unprocessableContent)
        }
        guard let file = form.file("file"), !file.data.isEmpty else {
            return try await list(request, context, user, error: t["imports.chooseFile"], status: .unprocessableContent)
        }
        let name = (file.fileName ?? "").isEmpty ? "upload.csv" : (file.fileName! as NSString).lastPathComponent
        do {
            let (s, rejects) = try await ImportHistory.importUpload(Array(file.data), fileName: name, into: database,
                                                                    options: ImportOptions(creditorCode: creditor.code, actor: user.actor, today: SystemClock.today()))
            var result: [String: Any] = ["id": String(s.importID), "creditor": creditor.name, "file": s.fileName, "read": s.rowsRead,
                                         "rejected": s.rowsRejected, "created": s.claimsCreated, "updated": s.claimsUpdated,
                                         "unchanged": s.claimsUnchanged, "debtors": s.debtorsCreated, "cases": s.casesOpened,
                                         "casesLink": "/cases?creditor=\(creditor.id)",
                                         "firstRejects": s.rejects.prefix(20).map { ["line": $0.line, "column": $0.column, "reason": $0.reason] }]
            result["hasRejects"] = !s.rejects.isEmpty
            result["rejectsLink"] = rejects.map { "/documents/\($0)" }
            result["windows1252"] = s.rowsDecodedAsWindows1252 > 0 ? s.rowsDecodedAsWindows1252 : nil
            return try await list(request, context, user, result: result)
        } catch let e as ImportError {
            return try await list(request, context, user, error: "\(t["imports.refused"]) \(e.description)", status: .unprocessableContent)
        }
    }

    func download(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }),
              let (info, body) = try await DocumentStore(database).document(id: id, scope: CaseScope(user)) else {
            return views.notFound(request, context, Strings(language: Locale.language(of: request)))
        }
        return Self.attachment(info, body)
    }

    /// A document as a download (the page's link and the API answer the same).
    static func attachment(_ info: DocumentInfo, _ body: [UInt8]) -> Response {
        Response(status: .ok, headers: [.contentType: info.contentType, .contentDisposition: "attachment; filename=\"\(info.name)\"",
                                        .cacheControl: "private, no-store"],
                 body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
