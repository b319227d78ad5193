import Foundation
import Hummingbird
import RecouvreCore
import RecouvreStore

/// `POST /claims/import?creditor=CODE`: a claim file as `text/csv`, as the `file` part of a
/// `multipart/form-data` body, or a JSON batch `{"creditor": "CODE", "claims": [{field: value}]}`.
/// The same rules and idempotency as `recouvre import`: one transaction, bad rows reported with
/// their line (and, for JSON, their index) while good rows land.
extension API {
    func importClaims(_ request: Request, _ user: User) async throws -> Response {
        let contentType = request.headers[.contentType] ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let body = Array(buffer: try await request.body.collect(upTo: ImportPages.maxUpload))
        var creditor = request.uri.queryParameters.get("creditor")
        var fileName = request.uri.queryParameters.get("file_name") ?? "api.csv"
        let bytes: [UInt8]
        var fromJSON = false
        switch mediaType {
        case "text/csv", "text/plain", "application/octet-stream":
            bytes = body
        case "multipart/form-data":
            let form: MultipartForm
            do { form = try MultipartForm(body: body, contentType: contentType) } catch {
                throw Problem(status: .badRequest, code: "invalid_multipart", detail: error.description)
            }
            guard let file = form.file("file") else { throw Problem(status: .badRequest, code: "missing_file", detail: "send the claim file as the part named file") }
            bytes = Array(file.data)
            if let name = file.fileName, !name.isEmpty { fileName = (name as NSString).lastPathComponent }
            creditor = creditor ?? form.field("creditor")
        case "application/json":
            let batch: ClaimBatch
            do { batch = try ClaimBatch(json: body) } catch {
                throw Problem(status: .badRequest, code: "invalid_batch", detail: error.detail)
            }
            bytes = batch.csv
            creditor = creditor ?? batch.creditor
            fileName = request.uri.queryParameters.get("file_name") ?? "api-batch.json"
            fromJSON = true
        default:
            throw Problem(status: .unsupportedMediaType, code: "unsupported_media_type", detail: "send text/csv, multipart/form-data or application/json")
        }
        guard let code = creditor, !code.isEmpty else { throw Problem(status: .badRequest, code: "missing_creditor", detail: "name the creditor: ?creditor=CODE") }
        guard !bytes.isEmpty else { throw Problem(status: .unprocessableContent, code: "empty_file", detail: "the file is empty") }
        do {
            let (s, rejects) = try await ImportHistory.importUpload(bytes, fileName: fileName, into: database,
                                                                    options: ImportOptions(creditorCode: code, actor: user.actor, today: SystemClock.today()))
            return try jsonResponse(ImportJSON(s, rejects: rejects, fromJSON: fromJSON), status: .created)
        } catch let e as ImportError {
            switch e {
            case .unknownCreditor: throw Problem(status: .unprocessableContent, code: "unknown_creditor", detail: e.description)
            default: throw Problem(status: .unprocessableContent, code: "file_refused", detail: e.description + "; nothing was imported")
            }
        }
    }

    struct ImportJSON: Encodable {
        struct Reject: Encodable { let line: Int; let index: Nullable<Int>; let column, reason: String }
        struct Updated: Encodable { let line: Int; let invoice_ref: String; let changes: [String] }
        let import_id: Int64, file_name: String, rows_read, rows_rejected, claims_created, claims_updated, claims_unchanged: Int
        let debtors_created, cases_opened: Int, rejects: [Reject], updated: [Updated], rejects_document: Nullable<String>
        init(_ s: ImportSummary, rejects doc: Int64?, fromJSON: Bool) {
            import_id = s.importID; file_name = s.fileName; rows_read = s.rowsRead; rows_rejected = s.rowsRejected
            claims_created = s.claimsCreated; claims_updated = s.claimsUpdated; claims_unchanged = s.claimsUnchanged
            debtors_created = s.debtorsCreated; cases_opened = s.casesOpened
            // A JSON batch's line 2 is its claim 0 (line 1 is the header the batch was turned into).
            rejects = s.rejects.map { Reject(line: $0.line, index: Nullable(fromJSON ? $0.line - 2 : nil), column: $0.column, reason: $0.reason) }
            updated = s.updated.map { Updated(line: $0.line, invoice_ref: $0.invoiceReference, changes: $0.changes) }
            rejects_document = Nullable(doc.map { "/api/v1/documents/\($0)" })
        }
    }
}

/// A JSON batch of claims, turned into the claim file it stands for so that it goes through the
/// very same reader and rules: each claim is an object whose keys are the file's column names.
struct ClaimBatch {
    struct Invalid: Error { let detail: String }

    let creditor: String?
    let csv: [UInt8]

    /// A value of a claim: text, or a number (amounts, rates) written as it was sent.
    enum Value: Decodable {
        case text(String), number(Decimal), null
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let s = try? c.decode(String.self) { self = .text(s) }
            else if (try? c.decode(Bool.self)) == nil, let d = try? c.decode(Decimal.self) { self = .number(d) }
            else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "must be a string or a number") }
        }
    }

    struct Body: Decodable {
        let creditor: String?
        let claims: [[String: Value]]
    }

    init(json: [UInt8]) throws(Invalid) {
        let body: Body
        do { body = try JSONDecoder().decode(Body.self, from: Data(json)) } catch let DecodingError.dataCorrupted(c) {
            throw Invalid(detail: "at \(Self.path(c.codingPath)): \(c.debugDescription)")
        } catch let DecodingError.typeMismatch(_, c) {
            throw Invalid(detail: "at \(Self.path(c.codingPath)): wrong type; expected {\"creditor\": \"CODE\", \"claims\": [{...}]} with strings or numbers")
        } catch {
            throw Invalid(detail: "expected a JSON object {\"creditor\": \"CODE\", \"claims\": [{field: value}]}")
        }
        creditor = body.creditor
        let fields = ClaimField.allCases.map(\.rawValue)
        var out = fields.joined(separator: ";") + "\n"
        for (i, claim) in body.claims.enumerated() {
            if let unknown = claim.keys.sorted().first(where: { !fields.contains($0) }) {
                throw Invalid(detail: "claims[\(i)]: unknown field '\(unknown)'; fields are \(fields.joined(separator: ", "))")
            }
            let row = fields.map { f -> String in
                switch claim[f] {
                case nil, .null: ""
                case let .text(s): Self.quoted(s)
                case let .number(d): d.description
                }
            }
            out += row.joined(separator: ";") + "\n"
        }
        csv = Array(out.utf8)
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }

    /// A CSV field: quoted when it holds a separator, a quote or a line break.
    static func quoted(_ s: String) -> String {
        s.contains(where: { $0 == ";" || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
