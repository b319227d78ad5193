import Foundation
import RecouvreCore

/// What a daily run did.
public struct DailyRunSummary: Sendable, Equatable {
    public var runOn: Day
    public var casesSeen: Int64 = 0
    public var tasksCreated: Int64 = 0
    public var escalations: Int64 = 0
    public var promisesJudged: Int64 = 0
    /// The day had already been run to its end: nothing was done now.
    public var alreadyDone = false
}

/// Thrown by the test hook that stops a run between two batches, as a crash would.
public struct DailyRunInterrupted: Error {}

/// The amicable phase's daily run: every case of the amicable phase through `AmicableEngine`,
/// in batches by case id. Each batch's writes and the run's progress commit together, so a run
/// stopped anywhere resumes where it stopped, and the day's row makes a rerun of a finished day
/// do nothing. The engine itself never plans two steps of a case on one day.
public struct DailyRun: Sendable {
    let database: Database
    public init(_ database: Database) { self.database = database }

    public static let actor = Actor("system:daily-run")

    public func run(on date: Day, settings stored: StoredSettings, batchSize: Int = 5_000, at now: Instant = SystemClock.now(),
                    interruptAfterBatches: Int? = nil) async throws -> DailyRunSummary {
        let engine = stored.settings.engine
        let priority = stored.settings.queuePriority
        let codes = try await database.bulkTransaction { s in
            try await s.query("INSERT INTO daily_runs (run_on, settings_id, started_at) VALUES (?, ?, ?) ON CONFLICT (run_on) DO NOTHING",
                              [.text(date.iso), DBValue(stored.id), .text(now.description)])
            return try await s.query("SELECT id, code FROM creditors")
        }
        let creditorCodes = Dictionary(uniqueKeysWithValues: codes.map { ($0[0].int!, $0[1].text!) })
        // The agents of each team, for the assignment rules.
        let teams = Dictionary(grouping: try await UserStore(database).caseWorkers().filter { $0.role == .agent && $0.team != nil }, by: { $0.team! })
            .mapValues { $0.map(\.id) }
        var batches = 0
        while true {
            let finished = try await database.bulkTransaction { s -> Bool in
                // FOR UPDATE: two workers on one PostgreSQL take the day's batches in turn (SQLite's
                // BEGIN IMMEDIATE already does).
                let progress = try await s.query("SELECT last_case_id, finished_at FROM daily_runs WHERE run_on = ?" + (s.dialect == .postgres ? " FOR UPDATE" : ""),
                                                 [.text(date.iso)])
                guard let p = progress.first, p[1] == .null else { return true }
                let rows = try await s.query(Self.snapshotSQL, [.int(p[0].int!), .int(Int64(batchSize))])
                guard let last = rows.last?[0].int else {
                    try await s.query("UPDATE daily_runs SET finished_at = ? WHERE run_on = ?", [.text(now.description), .text(date.iso)])
                    return true
                }
                var writes = BatchWrites(date: date, now: now)
                for row in rows {
                    let pair = Self.snapshot(row, creditorCodes: creditorCodes)
                    writes.add(engine.decide(pair.0, on: date), for: pair, priority: priority)
                    // A case nobody works yet goes to a team by the rules, and to one of its agents in turn.
                    if row[23] == .null, let team = stored.settings.team(for: pair.0, on: date),
                       let agent = AssignmentRule.agent(forCase: pair.0.caseID, among: teams[team] ?? []) {
                        writes.assign(pair.0.caseID, to: agent, team: team)
                    }
                }
                try await writes.apply(s)
                try await s.query("""
                    UPDATE daily_runs SET last_case_id = ?, cases_seen = cases_seen + ?, tasks_created = tasks_created + ?,
                      escalations = escalations + ?, promises_judged = promises_judged + ? WHERE run_on = ?
                    """, [.int(last), .int(Int64(rows.count)), .int(Int64(writes.tasks.count)), .int(writes.escalations),
                          .int(Int64(writes.promisesCleared.count)), .text(date.iso)])
                return false
            }
            if finished { break }
            batches += 1
            if let k = interruptAfterBatches, batches >= k { throw DailyRunInterrupted() }
        }
        return try await summary(of: date)
    }

    /// What the run of `date` did so far (all zero when it never ran).
    public func summary(of date: Day) async throws -> DailyRunSummary {
        try await database.bulkTransaction { s in
            guard let r = try await s.query("SELECT cases_seen, tasks_created, escalations, promises_judged, finished_at FROM daily_runs WHERE run_on = ?",
                                            [.text(date.iso)]).first else { return DailyRunSummary(runOn: date) }
            return DailyRunSummary(runOn: date, casesSeen: r[0].int ?? 0, tasksCreated: r[1].int ?? 0, escalations: r[2].int ?? 0,
                                   promisesJudged: r[3].int ?? 0, alreadyDone: r[4] != .null)
        }
    }

    /// One batch of amicable cases after a case id, with what the engine reads of each. The
    /// contact checks are scalar subqueries with LIMIT, not EXISTS: PostgreSQL turned an EXISTS
    /// into a hashed scan of every email per batch (200 ms a batch at a million cases).
    static let snapshotSQL = """
        SELECT c.id, c.creditor_id, d.kind, c.claimed_minor - c.disputed_minor, c.paid_minor, c.oldest_due_on, c.opened_on,
          c.strategy_code, c.strategy_variant, c.strategy_step, c.strategy_step_on, c.strategy_step_channel, c.next_action_on,
          CASE WHEN d.address_line1 <> '' AND d.address_status <> 'invalid' THEN 1 ELSE 0 END,
          CASE WHEN (SELECT 1 FROM debtor_contacts k WHERE k.debtor_id = c.debtor_id AND k.kind = 'phone' AND k.status <> 'invalid' LIMIT 1) IS NULL THEN 0 ELSE 1 END,
          CASE WHEN (SELECT 1 FROM debtor_contacts k WHERE k.debtor_id = c.debtor_id AND k.kind = 'email' AND k.status <> 'invalid' LIMIT 1) IS NULL THEN 0 ELSE 1 END,
          s.last_contact_on, s.last_letter_on, s.call_attempts, s.refused_channels, s.promise_cents, s.promise_due_on, s.promise_paid_before_cents,
          c.agent_id, d.language, c.received_minor
        FROM cases c JOIN debtors d ON d.id = c.debtor_id LEFT JOIN contact_states s ON s.case_id = c.id
        WHERE c.status = 'amicable' AND c.id > ? ORDER BY c.id LIMIT ?
        """

    /// A row of `snapshotSQL` as the engine's snapshot, with the case's stored next action day (the
    /// run writes only what changed).
    static func snapshot(_ r: [DBValue], creditorCodes: [Int64: String]) -> (CaseSnapshot, Day?) {
        func day(_ i: Int) -> Day? { r[i].text.flatMap { Day(parsing: $0) } }
        var reachable: ContactKinds = []
        if r[13].int == 1 { reachable.insert(.address) }
        if r[14].int == 1 { reachable.insert(.phone) }
        if r[15].int == 1 { reachable.insert(.email) }
        let contact = ContactStates.decode(lastContactOn: r[16].text, lastLetterOn: r[17].text, callAttempts: r[18].text, refused: r[19].text,
                                           promiseCents: r[20].int, promiseDueOn: r[21].text, paidBefore: r[22].int)
        let claimed = r[3].int ?? 0, paid = r[4].int ?? 0
        var snapshot = CaseSnapshot(caseID: r[0].int!, creditorCode: creditorCodes[r[1].int ?? 0] ?? "", debtorKind: Debtor.Kind(rawValue: r[2].text ?? "") ?? .company,
                            status: .amicable, balanceCents: claimed - paid, paidCents: r[25].int ?? 0, oldestDueOn: day(5), openedOn: day(6) ?? Day(daysSinceEpoch: 0),
                            plan: PlanState(strategyCode: r[7].text, variant: Variant(rawValue: r[8].text ?? "") ?? .champion, nextStep: Int(r[9].int ?? 0),
                                            lastStepOn: day(10), lastStepChannel: r[11].text.flatMap(StepChannel.init(rawValue:))),
                            contact: contact, reachable: reachable)
        snapshot.language = Language(rawValue: r[24].text ?? "") ?? .fr
        return (snapshot, day(12))
    }
}

/// The rows one batch writes, gathered from the engine's decisions.
struct BatchWrites {
    let date: Day
    let now: Instant
    /// `date` and `now` as stored, written once per batch rather than once per row.
    private let dateText: DBValue, nowText: DBValue
    var plans: [[DBValue]] = []
    var tasks: [[DBValue]] = []
    var superseded: [[DBValue]] = []
    var toDecision: [[DBValue]] = []
    var events: [[DBValue]] = []
    var promisesCleared: [[DBValue]] = []
    var assignments: [[DBValue]] = []
    var escalations: Int64 = 0

    init(date: Day, now: Instant) {
        self.date = date
        self.now = now
        dateText = .text(date.iso)
        nowText = .text(now.description)
    }

    mutating func add(_ d: Decision, for pair: (CaseSnapshot, Day?), priority: QueuePriority) {
        let (s, storedNext) = pair
        let id = DBValue.int(s.caseID)
        if d.plan != s.plan || d.nextActionOn != storedNext {
            plans.append([id, DBValue(d.plan.strategyCode), .text(d.plan.variant.rawValue), .int(Int64(d.plan.nextStep)),
                          DBValue(d.plan.lastStepOn?.iso), DBValue(d.plan.lastStepChannel?.rawValue), DBValue(d.nextActionOn?.iso)])
        }
        func task(key: String, channel: StepChannel, strategy: String?, step: Int?, reason: String, brokenPromise: Bool = false) {
            let score = priority.score(balanceCents: s.balanceCents, oldestDueOn: s.oldestDueOn, on: date, brokenPromise: brokenPromise)
            tasks.append([id, .text(key), .text(channel.rawValue), DBValue(strategy), .text(d.plan.variant.rawValue), DBValue(step.map { Int64($0) }),
                          dateText, .text(reason), .int(score), .text(channel.goesToOutbox ? "outbox" : "queued"), nowText])
            // An unfinished call or visit of the previous step gives way to the new task.
            if s.plan.lastStepChannel == .call || s.plan.lastStepChannel == .visit { superseded.append([id, .text(key)]) }
        }
        if let p = s.contact.promise, let result = d.promiseResult {
            promisesCleared.append([id])
            let amount = Money.eur(cents: p.amountCents).formatted()
            let verdict = switch result { case .kept: "tenue"; case .partlyKept: "tenue en partie"; case .broken: "non tenue" }
            event(s.caseID, .note, text: "Promesse de paiement de \(amount) au \(p.dueOn.french) : \(verdict)")
            if result != .kept {
                task(key: "promise:\(p.dueOn.iso)", channel: .call, strategy: nil, step: nil,
                     reason: "Promesse de \(amount) au \(p.dueOn.french) \(verdict) : rappeler le débiteur", brokenPromise: true)
            }
        }
        switch d.outcome {
        case let .act(step):
            task(key: "\(step.strategyCode):\(step.variant.rawValue):\(step.stepIndex)", channel: step.channel, strategy: step.strategyCode,
                 step: step.stepIndex, reason: step.reason)
        case let .escalate(to, code):
            escalations += 1
            switch to {
            case .supervisorReview:
                task(key: "\(code):\(d.plan.variant.rawValue):end", channel: .review, strategy: code, step: nil, reason: d.reason)
            case .decision:
                toDecision.append([id, nowText])
                event(s.caseID, .transition, from: .amicable, to: .decisionPending, text: d.reason)
            }
        case .wait: break
        }
    }

    mutating func assign(_ caseID: Int64, to agentID: Int64, team: String) {
        assignments.append([.int(caseID), .int(agentID)])
        event(caseID, .assigned, text: "Dossier attribué à l'équipe \(team) par les règles d'attribution (agent n° \(agentID))")
    }

    /// An event of the run in a case's history.
    mutating func event(_ caseID: Int64, _ kind: CaseEvent.Kind, from: CaseStatus? = nil, to: CaseStatus? = nil, text: String) {
        events.append([.int(caseID), nowText, .text(DailyRun.actor.id), .text(kind.rawValue),
                       DBValue(from?.rawValue), DBValue(to?.rawValue), .text(text)])
    }

    func apply(_ s: BulkSession) async throws {
        try await s.each(
            sqlite: "UPDATE cases SET agent_id = ?2 WHERE id = ?1 AND agent_id IS NULL",
            postgres: "UPDATE cases AS c SET agent_id = v.agent FROM (VALUES {ROWS}) AS v(id, agent) WHERE c.id = v.id AND c.agent_id IS NULL",
            types: [.int, .int], rows: assignments)
        try await s.each(
            sqlite: """
                UPDATE cases SET strategy_code = ?2, strategy_variant = ?3, strategy_step = ?4, strategy_step_on = ?5,
                  strategy_step_channel = ?6, next_action_on = ?7 WHERE id = ?1
                """,
            postgres: """
                UPDATE cases AS c SET strategy_code = v.code, strategy_variant = v.variant, strategy_step = v.step, strategy_step_on = v.step_on,
                  strategy_step_channel = v.channel, next_action_on = v.next
                FROM (VALUES {ROWS}) AS v(id, code, variant, step, step_on, channel, next) WHERE c.id = v.id
                """,
            types: [.int, .text, .text, .int, .text, .text, .text], rows: plans)
        try await s.each(
            // `+status`: SQLite must find the case's few tasks by case, not walk every queued task.
            sqlite: "UPDATE collection_tasks SET status = 'superseded' WHERE case_id = ?1 AND +status = 'queued' AND task_key <> ?2",
            postgres: """
                UPDATE collection_tasks AS t SET status = 'superseded' FROM (VALUES {ROWS}) AS v(case_id, task_key)
                WHERE t.case_id = v.case_id AND t.status = 'queued' AND t.task_key <> v.task_key
                """,
            types: [.int, .text], rows: superseded)
        try await s.insert("""
            INSERT INTO collection_tasks (case_id, task_key, channel, strategy_code, variant, step_index, due_on, reason, priority, status, created_at)
            VALUES {ROWS} ON CONFLICT (case_id, task_key) DO NOTHING
            """, types: [.int, .text, .text, .text, .text, .int, .text, .text, .int, .text, .text], rows: tasks)
        try await s.each(
            sqlite: "UPDATE cases SET status = 'decision_pending', updated_at = ?2 WHERE id = ?1 AND status = 'amicable'",
            postgres: """
                UPDATE cases AS c SET status = 'decision_pending', updated_at = v.at FROM (VALUES {ROWS}) AS v(id, at)
                WHERE c.id = v.id AND c.status = 'amicable'
                """,
            types: [.int, .text], rows: toDecision)
        try await s.each(
            sqlite: "UPDATE contact_states SET promise_cents = NULL, promise_due_on = NULL, promise_paid_before_cents = NULL WHERE case_id = ?1",
            postgres: """
                UPDATE contact_states AS s SET promise_cents = NULL, promise_due_on = NULL, promise_paid_before_cents = NULL
                FROM (VALUES {ROWS}) AS v(case_id) WHERE s.case_id = v.case_id
                """,
            types: [.int], rows: promisesCleared)
        try await s.insert("INSERT INTO case_events (case_id, occurred_at, actor, kind, from_status, to_status, text) VALUES {ROWS}",
                           types: [.int, .text, .text, .text, .text, .text, .text], rows: events)
    }
}

extension BulkSession {
    /// Runs a statement once per row: on SQLite `sqlite` (numbered placeholders `?1`…, prepared
    /// once) per row; on PostgreSQL `postgres` once, its `VALUES {ROWS}` standing for all rows.
    func each(sqlite: String, postgres: String, types: [ColumnType], rows: [[DBValue]]) async throws {
        guard !rows.isEmpty else { return }
        switch dialect {
        case .sqlite: for row in rows { try await query(sqlite, row) }
        case .postgres: try await insert(postgres, types: types, rows: rows)
        }
    }
}
