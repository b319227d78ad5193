import RecouvreCore
import SQLKit

/// What a strategy's variant has done and obtained, to compare a champion with its challenger.
public struct StrategyResult: Sendable, Equatable {
    public let strategyCode: String
    public let variant: Variant
    public var cases = 0
    public var claimed = Money.eur(cents: 0)
    /// What its cases have received so far, every part (principal, interest, costs).
    public var received = Money.eur(cents: 0)
    /// Cases whose debtor was reached at least once.
    public var reached = 0
    public var promises = 0
    /// Cases that went through every step and were escalated (decision phase or supervisor review).
    public var escalated = 0
    /// The variant's tasks by channel, cancelled ones left out: what it cost in work and postage.
    public var tasks: [StepChannel: Int] = [:]
    /// For each case that has paid: days from its first step to its first payment (a payment
    /// before the first step counts as 0), as a count per number of days.
    public var daysToFirstPayment: [Int: Int] = [:]

    /// Received over claimed, in per mille (integers; the page shows a percentage with one decimal).
    public var recoveredPerMille: Int64 { claimed.minorUnits == 0 ? 0 : received.minorUnits * 1000 / claimed.minorUnits }
    /// Cases that have paid something.
    public var payingCases: Int { daysToFirstPayment.values.reduce(0, +) }
    /// The median time to first payment in days (the lower middle for an even count), nil when no case paid.
    public var medianDaysToFirstPayment: Int? {
        var remaining = (payingCases + 1) / 2
        guard remaining > 0 else { return nil }
        for (days, n) in daysToFirstPayment.sorted(by: { $0.key < $1.key }) {
            remaining -= n
            if remaining <= 0 { return days }
        }
        return nil
    }
}

/// The champion / challenger comparison, within the caller's scope. Amounts are in euros (the
/// agency's cases are).
public enum StrategyReport {
    public static func results(_ database: Database, settings: CollectionSettings, scope: CaseScope) async throws -> [StrategyResult] {
        let steps = Dictionary(settings.strategies.flatMap { s in
            [Variant.champion, .challenger].map { v in ("\(s.code):\(v.rawValue)", s.sequence(v).steps.count) }
        }, uniquingKeysWith: { a, _ in a })
        return try await database.withConnection { db in
            let scoped = CaseStore.whereScope(scope)
            var results: [String: StrategyResult] = [:]
            func row(_ code: String, _ variant: String) -> String {
                let key = "\(code):\(variant)"
                if results[key] == nil { results[key] = StrategyResult(strategyCode: code, variant: Variant(rawValue: variant) ?? .champion) }
                return key
            }
            for r in try await db.raw("""
                SELECT c.strategy_code AS code, COALESCE(c.strategy_variant, 'champion') AS variant, c.strategy_step AS step, COUNT(*) AS cases,
                  SUM(c.claimed_minor) AS claimed, SUM(c.received_minor) AS received, SUM(CASE WHEN s.last_contact_on IS NULL THEN 0 ELSE 1 END) AS reached
                FROM cases c LEFT JOIN contact_states s ON s.case_id = c.id
                WHERE c.strategy_code IS NOT NULL AND \(scoped)
                GROUP BY c.strategy_code, COALESCE(c.strategy_variant, 'champion'), c.strategy_step
                """).all() {
                let key = row(try r.decode(column: "code", as: String.self), try r.decode(column: "variant", as: String.self))
                let n = try r.decode(column: "cases", as: Int.self)
                results[key]!.cases += n
                results[key]!.claimed = Money.eur(cents: results[key]!.claimed.minorUnits + (try r.decode(column: "claimed", as: Int64.self)))
                results[key]!.received = Money.eur(cents: results[key]!.received.minorUnits + (try r.decode(column: "received", as: Int64.self)))
                results[key]!.reached += try r.decode(column: "reached", as: Int.self)
                // A plan past its last step (steps + 1) was escalated.
                if let count = steps[key], try r.decode(column: "step", as: Int.self) > count { results[key]!.escalated += n }
            }
            for r in try await db.raw("""
                SELECT t.strategy_code AS code, COALESCE(t.variant, 'champion') AS variant, t.channel, COUNT(*) AS n
                FROM collection_tasks t JOIN cases c ON c.id = t.case_id
                WHERE t.strategy_code IS NOT NULL AND t.status <> 'cancelled' AND \(scoped)
                GROUP BY t.strategy_code, COALESCE(t.variant, 'champion'), t.channel
                """).all() {
                let key = row(try r.decode(column: "code", as: String.self), try r.decode(column: "variant", as: String.self))
                if let channel = StepChannel(rawValue: try r.decode(column: "channel", as: String.self)) {
                    results[key]!.tasks[channel, default: 0] += try r.decode(column: "n", as: Int.self)
                }
            }
            for r in try await db.raw("""
                SELECT c.strategy_code AS code, COALESCE(c.strategy_variant, 'champion') AS variant, COUNT(*) AS n
                FROM case_actions a JOIN cases c ON c.id = a.case_id
                WHERE a.outcome = 'promise' AND c.strategy_code IS NOT NULL AND \(scoped)
                GROUP BY c.strategy_code, COALESCE(c.strategy_variant, 'champion')
                """).all() {
                let key = row(try r.decode(column: "code", as: String.self), try r.decode(column: "variant", as: String.self))
                results[key]!.promises += try r.decode(column: "n", as: Int.self)
            }
            // Time to first payment: first step and first payment of each case, counted by pair of days.
            for r in try await db.raw("""
                SELECT c.strategy_code AS code, COALESCE(c.strategy_variant, 'champion') AS variant, s.started_on, p.paid_on, COUNT(*) AS n
                FROM cases c
                JOIN (SELECT case_id, MIN(due_on) AS started_on FROM collection_tasks
                      WHERE strategy_code IS NOT NULL AND status <> 'cancelled' GROUP BY case_id) s ON s.case_id = c.id
                JOIN (SELECT case_id, MIN(received_on) AS paid_on FROM payments WHERE reversed_on IS NULL GROUP BY case_id) p ON p.case_id = c.id
                WHERE c.strategy_code IS NOT NULL AND \(scoped)
                GROUP BY c.strategy_code, COALESCE(c.strategy_variant, 'champion'), s.started_on, p.paid_on
                """).all() {
                guard let started = Day(parsing: try r.decode(column: "started_on", as: String.self)),
                      let paid = Day(parsing: try r.decode(column: "paid_on", as: String.self)) else { continue }
                let key = row(try r.decode(column: "code", as: String.self), try r.decode(column: "variant", as: String.self))
                results[key]!.daysToFirstPayment[max(0, paid.daysSinceEpoch - started.daysSinceEpoch), default: 0] += try r.decode(column: "n", as: Int.self)
            }
            return results.values.sorted { ($0.strategyCode, $0.variant.rawValue) < ($1.strategyCode, $1.variant.rawValue) }
        }
    }
}
