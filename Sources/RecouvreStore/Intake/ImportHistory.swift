import Foundation
import RecouvreCore
import SQLKit

/// One import as the import page lists it.
public struct ImportRecord: Sendable, Equatable {
    public let id: Int64
    public let creditorID: Int64
    public let creditorName: String
    public let fileName: String
    public let actor: String
    public let startedAt: Instant
    public let rowsRead: Int
    public let rowsRejected: Int
    public let claimsCreated: Int
    public let claimsUpdated: Int
    public let claimsUnchanged: Int
    public let casesOpened: Int
    public let rejectsDocumentID: Int64?
}

/// Imports from uploaded bytes (the import page and the API), keeping the rejected rows as a
/// document of the creditor so that they can be downloaded later; and the list of past imports.
public enum ImportHistory {
    /// Runs the import like the CLI does (same rules, one transaction, idempotent), then keeps its
    /// rejects file as a document. The import stands even if keeping the rejects fails: its
    /// summary still lists the first rejections.
    public static func importUpload(_ bytes: [UInt8], fileName: String, into database: Database,
                                    options: ImportOptions) async throws -> (summary: ImportSummary, rejectsDocumentID: Int64?) {
        guard let creditor = try await CreditorStore(database).find(code: options.creditorCode) else {
            throw ImportError.unknownCreditor(options.creditorCode)
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("recouvre-rejects-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = options
        options.rejectsPath = path
        var summary = try await ClaimImporter.importData(bytes, fileName: fileName, into: database, options: options)
        summary.rejectsFile = nil
        guard summary.rowsRejected > 0, let data = FileManager.default.contents(atPath: path) else { return (summary, nil) }
        // The name travels in a Content-Disposition header: only plain characters of the upload's name.
        let base = String((fileName as NSString).deletingPathExtension.map { $0.isLetter || $0.isNumber || "-_. ".contains($0) ? $0 : "_" }.prefix(80))
        let id = try await DocumentStore(database).save(creditorID: creditor.id, importID: summary.importID, kind: .importRejects,
                                                        name: "rejets-\(summary.importID)-\(base).csv", contentType: "text/csv; charset=utf-8",
                                                        body: [UInt8](data), actor: options.actor, at: options.at)
        return (summary, id)
    }

    /// The latest imports, newest first, within `scope` (a creditor's user: its own).
    public static func recent(_ database: Database, scope: CaseScope, limit: Int = 20) async throws -> [ImportRecord] {
        var q = SQLQueryString("""
            SELECT i.*, cr.name AS creditor_name,
              (SELECT MIN(doc.id) FROM documents doc WHERE doc.import_id = i.id AND doc.kind = 'import_rejects') AS rejects_id
            FROM imports i JOIN creditors cr ON cr.id = i.creditor_id
            """)
        switch scope {
        case .agency: break
        case let .creditor(id): q += " WHERE i.creditor_id = \(bind: id)"
        case .team, .agent: return [] // imports are not an agent's: their cases are
        }
        q += " ORDER BY i.id DESC LIMIT \(literal: limit)"
        let query = q
        return try await database.withConnection { db in
            try await db.raw(query).all().map { r in
                ImportRecord(id: try r.decode(column: "id", as: Int64.self), creditorID: try r.decode(column: "creditor_id", as: Int64.self),
                             creditorName: try r.decode(column: "creditor_name", as: String.self),
                             fileName: try r.decode(column: "file_name", as: String.self), actor: try r.decode(column: "actor", as: String.self),
                             startedAt: Instant(iso: try r.decode(column: "started_at", as: String.self)) ?? Instant(millisecondsSinceEpoch: 0),
                             rowsRead: try r.decode(column: "rows_read", as: Int.self), rowsRejected: try r.decode(column: "rows_rejected", as: Int.self),
                             claimsCreated: try r.decode(column: "claims_created", as: Int.self),
                             claimsUpdated: try r.decode(column: "claims_updated", as: Int.self),
                             claimsUnchanged: try r.decode(column: "claims_unchanged", as: Int.self),
                             casesOpened: try r.decode(column: "cases_opened", as: Int.self),
                             rejectsDocumentID: try r.decode(column: "rejects_id", as: Int64?.self))
            }
        }
    }
}
