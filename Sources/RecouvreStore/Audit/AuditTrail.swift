import Foundation
import RecouvreCore
import SQLKit

/// One change, as the audit trail keeps it.
public struct AuditEntry: Sendable, Equatable {
    public var at: Instant
    public var actor: Actor
    /// What was done: `case.transition`, `case.action`, `user.create`, …
    public var action: String
    public var entity: String
    public var entityID: String
    public var before: String?
    public var after: String?

    public init(at: Instant, actor: Actor, action: String, entity: String, entityID: String, before: String? = nil, after: String? = nil) {
        self.at = at
        self.actor = actor
        self.action = action
        self.entity = entity
        self.entityID = entityID
        self.before = before
        self.after = after
    }

    /// SHA-256 (hex) of the previous entry's hash and this entry's fields, each preceded by its
    /// length so that no two different entries read the same.
    func hash(previous: String) -> String {
        var text = ""
        for field in [previous, at.description, actor.id, action, entity, entityID, before ?? "\u{0}", after ?? "\u{0}"] {
            text += "\(field.utf8.count):\(field)"
        }
        return SHA256Hex.of(text)
    }
}

/// The append-only, hash-chained record of every change (who, when, what, before → after).
/// Entries are appended inside the transaction of the change they record, so one never lands
/// without the other.
public enum AuditTrail {
    /// The hash the first entry chains to.
    static let origin = String(repeating: "0", count: 64)

    /// Appends `entry` after the last one. On PostgreSQL the table is locked for the rest of the
    /// transaction so that two writers cannot both chain to the same last entry; SQLite's writer
    /// already holds the database.
    static func append(_ entry: AuditEntry, db: any SQLDatabase) async throws {
        if db.dialect.name == "postgresql" { try await db.raw(SQLQueryString(lock)).run() }
        let previous = try await db.raw(SQLQueryString(last)).all().first?.decode(column: "hash", as: String.self) ?? origin
        try await db.raw("""
            INSERT INTO audit_log (at, actor, action, entity, entity_id, before_state, after_state, prev_hash, hash)
            VALUES (\(bind: entry.at.description), \(bind: entry.actor.id), \(bind: entry.action), \(bind: entry.entity), \(bind: entry.entityID),
              \(bind: entry.before), \(bind: entry.after), \(bind: previous), \(bind: entry.hash(previous: previous)))
            """).run()
    }

    /// Appends `entries` in order, chained one to the next, in a few statements (a statement's
    /// payments are booked by the hundred).
    static func appendAll(_ entries: [AuditEntry], db: any SQLDatabase) async throws {
        guard !entries.isEmpty else { return }
        if db.dialect.name == "postgresql" { try await db.raw(SQLQueryString(lock)).run() }
        var previous = try await db.raw(SQLQueryString(last)).all().first?.decode(column: "hash", as: String.self) ?? origin
        for start in stride(from: 0, to: entries.count, by: 500) {
            var q = SQLQueryString("INSERT INTO audit_log (at, actor, action, entity, entity_id, before_state, after_state, prev_hash, hash) VALUES ")
            for (i, e) in entries[start..<min(entries.count, start + 500)].enumerated() {
                let hash = e.hash(previous: previous)
                if i > 0 { q.appendLiteral(", ") }
                q += "(\(bind: e.at.description), \(bind: e.actor.id), \(bind: e.action), \(bind: e.entity), \(bind: e.entityID), \(bind: e.before), \(bind: e.after), \(bind: previous), \(bind: hash))"
                previous = hash
            }
            try await db.raw(q).run()
        }
    }

    /// The same inside an import's bulk transaction.
    static func append(_ entry: AuditEntry, session: BulkSession) async throws {
        if session.dialect == .postgres { try await session.query(lock) }
        let previous = try await session.query(last).first?[0].text ?? origin
        try await session.query("""
            INSERT INTO audit_log (at, actor, action, entity, entity_id, before_state, after_state, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(entry.at.description), .text(entry.actor.id), .text(entry.action), .text(entry.entity), .text(entry.entityID),
                  DBValue(entry.before), DBValue(entry.after), .text(previous), .text(entry.hash(previous: previous))])
    }

    private static let lock = "LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE"
    private static let last = "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1"

    public enum Verdict: Equatable, Sendable {
        case intact(entries: Int)
        /// The first entry whose stored hash or link does not match what its content gives.
        case broken(entryID: Int64, reason: String)
    }

    /// Recomputes the chain from the first entry.
    public static func verify(_ database: Database) async throws -> Verdict {
        try await database.withConnection { db in
            var previous = origin
            var count = 0
            for row in try await db.raw("SELECT * FROM audit_log ORDER BY id").all() {
                let id = try row.decode(column: "id", as: Int64.self)
                guard let at = Instant(iso: try row.decode(column: "at", as: String.self)) else { return .broken(entryID: id, reason: "unreadable time") }
                let entry = AuditEntry(at: at, actor: Actor(try row.decode(column: "actor", as: String.self)),
                                       action: try row.decode(column: "action", as: String.self), entity: try row.decode(column: "entity", as: String.self),
                                       entityID: try row.decode(column: "entity_id", as: String.self),
                                       before: try row.decode(column: "before_state", as: String?.self), after: try row.decode(column: "after_state", as: String?.self))
                guard try row.decode(column: "prev_hash", as: String.self) == previous else {
                    return .broken(entryID: id, reason: "it does not follow the entry before it (an entry was removed or reordered)")
                }
                let hash = entry.hash(previous: previous)
                guard try row.decode(column: "hash", as: String.self) == hash else {
                    return .broken(entryID: id, reason: "its content does not match its hash (it was edited)")
                }
                previous = hash
                count += 1
            }
            return .intact(entries: count)
        }
    }

    /// A flat object of strings, as `json` writes it (keys sorted, slashes kept), without the
    /// encoder: a statement's payments write one each.
    static func json(_ object: [String: String]) -> String {
        var w = JSONWriter(capacity: 256)
        w.raw("{")
        for (i, key) in object.keys.sorted().enumerated() {
            if i > 0 { w.raw(",") }
            w.string(key)
            w.raw(":")
            w.string(object[key]!)
        }
        w.raw("}")
        return w.text
    }

    /// A value as the trail shows it: sorted-key JSON.
    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "null"
    }
}
