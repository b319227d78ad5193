import RecouvreCore
import SQLKit

/// A task the daily run decided for a case: a letter for the outbox, a call, visit or review for a
/// person's queue, with why.
public struct CollectionTask: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable { case outbox, queued, done, superseded, cancelled }
    public let id: Int64
    public let caseID: Int64
    public let channel: StepChannel
    public let strategyCode: String?
    public let variant: Variant?
    public let dueOn: Day
    public let reason: String
    public let priority: Int64
    public let status: Status
    /// Why the outbox could not write this letter (a missing address, say), until it is mended.
    public var problem: String? = nil
}

/// One line of a work queue: the task, its case, and how to reach the debtor.
public struct QueueItem: Sendable {
    public let task: CollectionTask
    public let reference: String
    public let debtorName: String
    public let creditorName: String
    public let balance: Money
    public let agentID: Int64?
    /// Phone numbers not known to be invalid.
    public let phones: [String]
    /// Paris hours at which earlier calls reached the debtor, most frequent first.
    public let reachedAtHours: [Int]
}

/// The work queues: today's calls, visits and reviews, ordered by priority.
public struct WorkQueue: Sendable {
    let database: Database
    public init(_ database: Database) { self.database = database }

    /// The queued tasks due by `today` in `scope`: those of one agent's cases (`agentID`), or all
    /// of the scope's (a supervisor's view, reviews included). Highest priority first.
    public func items(scope: CaseScope, agentID: Int64? = nil, today: Day, limit: Int = 100) async throws -> [QueueItem] {
        try await database.withConnection { db in
            var q: SQLQueryString = """
                SELECT t.*, c.agent_id, c.currency, c.claimed_minor, c.paid_minor, c.debtor_id, d.name AS debtor_name, cr.name AS creditor_name
                FROM collection_tasks t JOIN cases c ON c.id = t.case_id JOIN debtors d ON d.id = c.debtor_id JOIN creditors cr ON cr.id = c.creditor_id
                WHERE t.status = 'queued' AND t.due_on <= \(bind: today.iso) AND \(CaseStore.whereScope(scope))
                """
            if let agentID { q += " AND c.agent_id = \(bind: agentID) AND t.channel <> 'review'" }
            q += " ORDER BY t.priority DESC, t.id LIMIT \(bind: limit)"
            let rows = try await db.raw(q).all()
            guard !rows.isEmpty else { return [] }
            let debtorIDs = try rows.map { try $0.decode(column: "debtor_id", as: Int64.self) }
            let caseIDs = try rows.map { try $0.decode(column: "case_id", as: Int64.self) }
            var phones: [Int64: [String]] = [:]
            for r in try await db.raw("""
                SELECT debtor_id, value FROM debtor_contacts WHERE kind = 'phone' AND status <> 'invalid' AND debtor_id IN \(SQLQueryString.idList(debtorIDs)) ORDER BY id
                """).all() {
                phones[try r.decode(column: "debtor_id", as: Int64.self), default: []].append(try r.decode(column: "value", as: String.self))
            }
            var hours: [Int64: [Int: Int]] = [:]
            for r in try await db.raw("""
                SELECT case_id, occurred_at FROM case_actions WHERE channel = 'call' AND outcome IN ('reached', 'promise', 'refusal', 'dispute')
                AND case_id IN \(SQLQueryString.idList(caseIDs))
                """).all() {
                guard let at = Instant(iso: try r.decode(column: "occurred_at", as: String.self)) else { continue }
                hours[try r.decode(column: "case_id", as: Int64.self), default: [:]][ParisTime(at).hour, default: 0] += 1
            }
            return try rows.map { r in
                let task = try Self.decodeTask(r)
                let cur = Currency(code: try r.decode(column: "currency", as: String.self)) ?? .eur
                let byHour = hours[task.caseID] ?? [:]
                return QueueItem(task: task, reference: CaseReference(caseID: task.caseID).description,
                                 debtorName: try r.decode(column: "debtor_name", as: String.self), creditorName: try r.decode(column: "creditor_name", as: String.self),
                                 balance: Money(minorUnits: try r.decode(column: "claimed_minor", as: Int64.self) - r.decode(column: "paid_minor", as: Int64.self), currency: cur),
                                 agentID: try r.decode(column: "agent_id", as: Int64?.self),
                                 phones: phones[try r.decode(column: "debtor_id", as: Int64.self)] ?? [],
                                 reachedAtHours: byHour.sorted { ($0.value, -$0.key) > ($1.value, -$1.key) }.map(\.key))
            }
        }
    }

    /// A case's tasks, newest first.
    /// A case's latest tasks, newest first (`decodeTask` reads them).
    static func taskRows(caseID: Int64, limit: Int = 30) -> RowSet {
        RowSet(select: "SELECT * FROM collection_tasks WHERE case_id = \(bind: caseID)", order: "id DESC", limit: limit)
    }

    static func decodeTask(_ r: any SQLRow) throws -> CollectionTask {
        CollectionTask(id: try r.decode(column: "id", as: Int64.self), caseID: try r.decode(column: "case_id", as: Int64.self),
                       channel: StepChannel(rawValue: try r.decode(column: "channel", as: String.self)) ?? .review,
                       strategyCode: try r.decode(column: "strategy_code", as: String?.self),
                       variant: try r.decode(column: "variant", as: String?.self).flatMap(Variant.init(rawValue:)),
                       dueOn: Day(parsing: try r.decode(column: "due_on", as: String.self)) ?? Day(daysSinceEpoch: 0),
                       reason: try r.decode(column: "reason", as: String.self), priority: try r.decode(column: "priority", as: Int64.self),
                       status: CollectionTask.Status(rawValue: try r.decode(column: "status", as: String.self)) ?? .queued,
                       problem: try r.decodeNil(column: "problem") ? nil : try r.decode(column: "problem", as: String?.self))
    }
}

extension SQLQueryString {
    /// `(1, 2, 3)`: ids written as integer literals (an integer cannot inject anything, and a list
    /// of hundreds of ids stays one short statement); `(0)` for none. A single id is bound
    /// instead: the statement then reads the same for every case page, and stays prepared.
    static func idList(_ ids: [Int64]) -> SQLQueryString {
        if ids.count == 1 { return "(\(bind: ids[0]))" }
        // Digits written as bytes: a String per id, then joined, was 6 % of a common name's search
        // on SQLite (501 ids).
        var text: [UInt8] = [UInt8(ascii: "(")]
        text.reserveCapacity(ids.count * 8 + 2)
        for (i, id) in (ids.isEmpty ? [0] : ids).enumerated() {
            if i > 0 { text.append(UInt8(ascii: ",")) }
            text.appendDecimal(id)
        }
        text.append(UInt8(ascii: ")"))
        return "\(unsafeRaw: String(decoding: text, as: UTF8.self))"
    }
}
