import Foundation
import RecouvreCore
import SQLKit

/// A file the agency keeps for a creditor or one of its cases.
public struct DocumentInfo: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// The rows of a claim file that an import refused, with their reasons.
        case importRejects = "import_rejects"
        /// A letter as printed and posted (`LetterStore.archive`).
        case letter
        /// A letter sent by email (the PDF attached), and a text message as sent.
        case email, sms
        /// A payment's receipt (quittance, R124-6).
        case receipt
        /// A payment plan's schedule, as sent to the debtor.
        case paymentPlan = "payment_plan"
    }

    public let id: Int64
    public let creditorID: Int64
    public let caseID: Int64?
    public let importID: Int64?
    public let kind: Kind
    public let name: String
    public let contentType: String
    public let byteCount: Int
    public let createdAt: Instant
    public let createdBy: String
}

/// Documents, scoped like cases: a creditor's user sees its creditor's documents; agents see
/// the documents of the cases they see; other staff see all.
public struct DocumentStore: Sendable {
    let database: Database
    public init(_ database: Database) { self.database = database }

    /// Keeps a document; returns its id.
    public func save(creditorID: Int64, caseID: Int64? = nil, importID: Int64? = nil, kind: DocumentInfo.Kind, name: String,
                     contentType: String, body: [UInt8], actor: Actor, at: Instant = SystemClock.now()) async throws -> Int64 {
        try await database.transaction { db in
            let id = try await db.raw("""
                INSERT INTO documents (creditor_id, case_id, import_id, kind, name, content_type, byte_count, created_at, created_by, body)
                VALUES (\(bind: creditorID), \(bind: caseID), \(bind: importID), \(bind: kind.rawValue), \(bind: name), \(bind: contentType),
                  \(bind: body.count), \(bind: at.description), \(bind: actor.id), \(bind: Data(body)))
                RETURNING id
                """).all()[0].decode(column: "id", as: Int64.self)
            try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "document.create", entity: "document", entityID: String(id),
                                                   after: AuditTrail.json(["kind": kind.rawValue, "name": name, "bytes": String(body.count)])), db: db)
            return id
        }
    }

    /// A PDF sent to a debtor (a receipt, a plan's schedule), archived with its case and its
    /// SHA-256 inside the caller's transaction.
    static func insert(creditorID: Int64, caseID: Int64, kind: DocumentInfo.Kind, name: String, pdf: [UInt8], actor: Actor, at: Instant,
                       db: any SQLDatabase) async throws -> Int64 {
        let hash = SHA256Hex.of(pdf)
        return try await db.raw("""
            INSERT INTO documents (creditor_id, case_id, kind, name, content_type, byte_count, created_at, created_by, body, sha256)
            VALUES (\(bind: creditorID), \(bind: caseID), \(bind: kind.rawValue), \(bind: name), 'application/pdf', \(bind: pdf.count), \(bind: at.description),
              \(bind: actor.id), \(bind: Data(pdf)), \(bind: hash))
            RETURNING id
            """).all()[0].decode(column: "id", as: Int64.self)
    }

    /// The one place where a caller's scope becomes SQL for documents.
    static func whereScope(_ scope: CaseScope) -> SQLQueryString {
        switch scope {
        case .agency: "1 = 1"
        case let .creditor(id): "doc.creditor_id = \(bind: id)"
        case .team, .agent: "doc.case_id IN (SELECT c.id FROM cases c WHERE \(CaseStore.whereScope(scope)))"
        }
    }

    static let infoColumns = "doc.id, doc.creditor_id, doc.case_id, doc.import_id, doc.kind, doc.name, doc.content_type, doc.byte_count, doc.created_at, doc.created_by"

    /// Newest first, `limit` at a time after the document `cursor`; optionally one case's or one creditor's.
    public func list(scope: CaseScope, caseID: Int64? = nil, creditorID: Int64? = nil, after cursor: Int64? = nil,
                     limit: Int = 50) async throws -> (documents: [DocumentInfo], nextCursor: Int64?) {
        var q = SQLQueryString("SELECT \(unsafeRaw: Self.infoColumns) FROM documents doc WHERE ")
        q += Self.whereScope(scope)
        if let caseID { q += " AND doc.case_id = \(bind: caseID)" }
        if let creditorID { q += " AND doc.creditor_id = \(bind: creditorID)" }
        if let cursor { q += " AND doc.id < \(bind: cursor)" }
        q += " ORDER BY doc.id DESC LIMIT \(literal: limit + 1)"
        let query = q
        let rows = try await database.withConnection { db in try await db.raw(query).all().map(Self.decode) }
        let page = Array(rows.prefix(limit))
        return (page, rows.count > limit ? page.last?.id : nil)
    }

    /// A document and its bytes, or nil when it does not exist in the caller's scope.
    public func document(id: Int64, scope: CaseScope) async throws -> (info: DocumentInfo, body: [UInt8])? {
        let q: SQLQueryString = "SELECT \(unsafeRaw: Self.infoColumns), doc.body FROM documents doc WHERE doc.id = \(bind: id) AND \(Self.whereScope(scope))"
        return try await database.withConnection { db in
            guard let row = try await db.raw(q).all().first else { return nil }
            return (try Self.decode(row), [UInt8](try row.decode(column: "body", as: Data.self)))
        }
    }

    /// The rejects document of an import, if it refused rows.
    public func rejects(importID: Int64, scope: CaseScope) async throws -> DocumentInfo? {
        let q: SQLQueryString = """
            SELECT \(unsafeRaw: Self.infoColumns) FROM documents doc
            WHERE doc.import_id = \(bind: importID) AND doc.kind = \(bind: DocumentInfo.Kind.importRejects.rawValue) AND \(Self.whereScope(scope))
            """
        return try await database.withConnection { db in try await db.raw(q).all().first.map(Self.decode) }
    }

    static func decode(_ r: any SQLRow) throws -> DocumentInfo {
        DocumentInfo(id: try r.decode(column: "id", as: Int64.self), creditorID: try r.decode(column: "creditor_id", as: Int64.self),
                     caseID: try r.decode(column: "case_id", as: Int64?.self), importID: try r.decode(column: "import_id", as: Int64?.self),
                     kind: DocumentInfo.Kind(rawValue: try r.decode(column: "kind", as: String.self)) ?? .importRejects,
                     name: try r.decode(column: "name", as: String.self), contentType: try r.decode(column: "content_type", as: String.self),
                     byteCount: try r.decode(column: "byte_count", as: Int.self),
                     createdAt: Instant(iso: try r.decode(column: "created_at", as: String.self)) ?? Instant(millisecondsSinceEpoch: 0),
                     createdBy: try r.decode(column: "created_by", as: String.self))
    }
}
