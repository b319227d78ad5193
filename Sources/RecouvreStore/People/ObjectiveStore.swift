import RecouvreCore
import SQLKit

/// What an agent is asked to do: calls a day and reminders (letters, registered letters, emails,
/// texts) a week, and what their cases should bring in each month.
public struct Objective: Sendable, Equatable {
    public var callsPerDay: Int
    public var remindersPerWeek: Int
    /// Euros received on the agent's cases in a calendar month (zero: no amount is asked).
    public var recoveredPerMonth: Money
    public init(callsPerDay: Int, remindersPerWeek: Int, recoveredPerMonth: Money = .eur(cents: 0)) {
        self.callsPerDay = callsPerDay
        self.remindersPerWeek = remindersPerWeek
        self.recoveredPerMonth = recoveredPerMonth
    }
}

/// One agent's objective (their own, else their team's) beside what they did.
public struct AgentProgress: Sendable, Equatable {
    public let agent: User
    public let objective: Objective?
    /// Whether the objective is the agent's own (false: the team's).
    public let ownObjective: Bool
    public let callsToday: Int
    public let callsThisWeek: Int
    public let remindersThisWeek: Int
    /// Payments received this month (from the 1st to today, Paris days) on the cases assigned to
    /// the agent, less those the bank took back.
    public let recoveredThisMonth: Money
}

/// Objectives per agent and per team, and the actuals from the actions agents recorded.
public struct ObjectiveStore: Sendable {
    let database: Database
    public init(_ database: Database) { self.database = database }

    public enum Target: Sendable, Equatable { case agent(Int64), team(String) }

    /// Sets the objective of an agent or a team (audited).
    public func set(_ target: Target, _ objective: Objective, actor: Actor, at: Instant = SystemClock.now()) async throws {
        guard objective.callsPerDay >= 0, objective.remindersPerWeek >= 0, objective.callsPerDay <= 1000, objective.remindersPerWeek <= 10_000 else {
            throw StoreError.invalid("objectives are whole numbers from 0 (calls: at most 1,000 a day; reminders: 10,000 a week)")
        }
        guard objective.recoveredPerMonth.currency == .eur, objective.recoveredPerMonth.minorUnits >= 0,
              objective.recoveredPerMonth.minorUnits <= 100_000_000_00 else {
            throw StoreError.invalid("the amount recovered per month is in euros, from 0 to 100,000,000")
        }
        try await database.transaction { db in
            let (agentID, team): (Int64?, String?) = switch target { case let .agent(id): (id, nil); case let .team(t): (nil, t) }
            if case let .team(name) = target, name.trimmingCharacters(in: .whitespaces).isEmpty { throw StoreError.invalid("name the team") }
            let conflict = agentID == nil ? "team" : "agent_id"
            try await db.raw("""
                INSERT INTO objectives (agent_id, team, calls_per_day, reminders_per_week, recovered_per_month_minor, updated_at, updated_by)
                VALUES (\(bind: agentID), \(bind: team), \(bind: objective.callsPerDay), \(bind: objective.remindersPerWeek),
                        \(bind: objective.recoveredPerMonth.minorUnits), \(bind: at.description), \(bind: actor.id))
                ON CONFLICT (\(unsafeRaw: conflict)) DO UPDATE SET calls_per_day = excluded.calls_per_day, reminders_per_week = excluded.reminders_per_week,
                  recovered_per_month_minor = excluded.recovered_per_month_minor, updated_at = excluded.updated_at, updated_by = excluded.updated_by
                """).run()
            let after = #"{"calls_per_day":\#(objective.callsPerDay),"reminders_per_week":\#(objective.remindersPerWeek),"recovered_per_month":"\#(objective.recoveredPerMonth.decimalString)"}"#
            try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "objective.set", entity: "objective", entityID: agentID.map { "agent:\($0)" } ?? "team:\(team!)",
                                                   after: after), db: db)
        }
    }

    /// The progress of `agents` on `today` (Paris days; the week starts on Monday, the month on the 1st).
    public func progress(of agents: [User], today: Day) async throws -> [AgentProgress] {
        guard !agents.isEmpty else { return [] }
        let monday = today.adding(days: 1 - today.weekday.rawValue)
        let firstOfMonth = Day(year: today.year, month: today.month, day: 1)!
        return try await database.withConnection { db in
            var byAgent: [Int64: Objective] = [:], byTeam: [String: Objective] = [:]
            for r in try await db.raw("SELECT agent_id, team, calls_per_day, reminders_per_week, recovered_per_month_minor FROM objectives").all() {
                let o = try Self.objective(r)
                if let id = try r.decode(column: "agent_id", as: Int64?.self) { byAgent[id] = o }
                if let team = try r.decode(column: "team", as: String?.self) { byTeam[team] = o }
            }
            // Payments are dated by the day the money arrived, so the month is read by civil day.
            var recovered: [Int64: Int64] = [:]
            let paid: SQLQueryString = """
                SELECT c.agent_id, SUM(p.amount_minor) AS received FROM payments p JOIN cases c ON c.id = p.case_id
                WHERE p.received_on >= \(bind: firstOfMonth.iso) AND p.received_on <= \(bind: today.iso) AND p.reversed_on IS NULL
                  AND p.currency = 'EUR' AND c.agent_id IN \(SQLQueryString.idList(agents.map(\.id))) GROUP BY c.agent_id
                """
            for r in try await db.raw(paid).all() {
                recovered[try r.decode(column: "agent_id", as: Int64.self)] = try r.decode(column: "received", as: Int64.self)
            }
            // Actions are stamped in UTC; a Paris day starts at most two hours earlier, so read from
            // the day before and count by Paris day.
            var calls: [String: [Day: Int]] = [:], reminders: [String: Int] = [:]
            let actors = agents.map { "user:\($0.login)" }
            var q: SQLQueryString = "SELECT actor, channel, occurred_at FROM case_actions WHERE occurred_at >= \(bind: monday.adding(days: -1).iso) AND actor IN ("
            for (i, a) in actors.enumerated() {
                if i > 0 { q.appendLiteral(", ") }
                q.appendInterpolation(bind: a)
            }
            q.appendLiteral(")")
            for r in try await db.raw(q).all() {
                guard let at = Instant(iso: try r.decode(column: "occurred_at", as: String.self)) else { continue }
                let day = ParisTime(at).day
                guard day >= monday, day <= today else { continue }
                let actor = try r.decode(column: "actor", as: String.self)
                switch try r.decode(column: "channel", as: String.self) {
                case CaseAction.Channel.call.rawValue: calls[actor, default: [:]][day, default: 0] += 1
                case "letter", "registered_letter", "email", "sms": reminders[actor, default: 0] += 1
                default: break
                }
            }
            return agents.map { a in
                let actor = "user:\(a.login)"
                let own = byAgent[a.id]
                return AgentProgress(agent: a, objective: own ?? a.team.flatMap { byTeam[$0] }, ownObjective: own != nil,
                                     callsToday: calls[actor]?[today] ?? 0, callsThisWeek: calls[actor]?.values.reduce(0, +) ?? 0,
                                     remindersThisWeek: reminders[actor] ?? 0, recoveredThisMonth: .eur(cents: recovered[a.id] ?? 0))
            }
        }
    }

    static func objective(_ r: any SQLRow) throws -> Objective {
        Objective(callsPerDay: try r.decode(column: "calls_per_day", as: Int.self), remindersPerWeek: try r.decode(column: "reminders_per_week", as: Int.self),
                  recoveredPerMonth: .eur(cents: try r.decode(column: "recovered_per_month_minor", as: Int64.self)))
    }

    /// The teams' objectives.
    public func teamObjectives() async throws -> [String: Objective] {
        try await database.withConnection { db in
            var out: [String: Objective] = [:]
            for r in try await db.raw("SELECT team, calls_per_day, reminders_per_week, recovered_per_month_minor FROM objectives WHERE team IS NOT NULL").all() {
                out[try r.decode(column: "team", as: String.self)] = try Self.objective(r)
            }
            return out
        }
    }
}
