import Foundation
import Hummingbird
import RecouvreCore
import RecouvreStore

/// The agents' work queue (`/queue`) and the collection settings (`/settings/collection`).
struct WorkPages: Sendable {
    let database: Database
    let views: Views
    let now: @Sendable () -> Instant

    func addRoutes(to router: Router<AppContext>) {
        router.get("queue") { request, context in try await signedIn(request, context) { try await self.queue(request, context, $0) } }
        router.get("settings/collection") { request, context in
            try await signedIn(request, context) { try await self.settings(request, context, try Self.editor($0), saved: request.uri.queryParameters.get("saved") == "1") }
        }
        router.post("settings/collection") { request, context in try await signedIn(request, context) { try await self.saveSettings(request, context, try Self.editor($0)) } }
        router.get("objectives") { request, context in try await signedIn(request, context) { try await self.objectives(request, context, $0) } }
        router.post("objectives") { request, context in try await signedIn(request, context) { try await self.setObjective(request, context, $0) } }
        router.get("reports/strategies") { request, context in try await signedIn(request, context) { try await self.strategyReport(request, context, try Self.editor($0)) } }
    }

    static func editor(_ user: User) throws -> User {
        guard user.may(.editStrategies) else { throw HTTPError(.forbidden, message: "your role cannot edit the strategies") }
        return user
    }

    /// Today's calls, visits and reviews, highest priority first. An agent sees their own cases'
    /// tasks; a supervisor the whole team's (reviews included), or one agent's with `?agent=`.
    func queue(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        guard user.may(.workCases) else { throw HTTPError(.forbidden, message: "your role has no work queue") }
        let t = Strings(language: Locale.language(of: request))
        let today = ParisTime(now()).day
        let workers = user.role == .agent ? [] : try await UserStore(database).caseWorkers()
        var agentID: Int64? = user.role == .agent ? user.id : nil
        if user.role != .agent, let raw = request.uri.queryParameters.get("agent"), !raw.isEmpty {
            guard let id = Int64(raw), workers.contains(where: { $0.id == id }) else { throw HTTPError(.badRequest, message: "agent: choose one from the list") }
            agentID = id
        }
        let items = try await WorkQueue(database).items(scope: CaseScope(user), agentID: agentID, today: today)
        let names = Dictionary(workers.map { ($0.id, $0.displayName) }, uniquingKeysWith: { a, _ in a })
        var page = pageContext(request, context, t, title: t["queue.title"])
        page["today"] = t.day(today)
        page["supervisor"] = user.role != .agent
        page["agentOptions"] = HTML.options(workers.map { (String($0.id), $0.displayName + ($0.team.map { " (\($0))" } ?? ""), $0.id == agentID) })
        page["hasItems"] = !items.isEmpty
        page["items"] = items.map { item -> [String: Any] in
            var row: [String: Any] = [
                "caseID": String(item.task.caseID), "reference": item.reference, "debtor": item.debtorName, "creditor": item.creditorName,
                "balance": t.money(item.balance), "channel": item.task.channel.french, "due": t.day(item.task.dueOn), "reason": item.task.reason,
                "priority": item.task.priority, "phones": item.phones, "isCall": item.task.channel == .call,
            ]
            // Calls, visits and reviews are done from the queue: a review is recorded as a note.
            let channel = item.task.channel.actionChannel
            row["form"] = ["channel": channel.rawValue, "phoneOptions": HTML.options(item.phones.map { ($0, $0, false) }), "hasPhones": channel == .call && !item.phones.isEmpty,
                           "outcomeOptions": HTML.options(CaseAction.outcomes(for: channel).map { ($0.rawValue, t.label($0.rawValue, french: $0.french), false) }),
                           "promise": channel == .call || channel == .visit] as [String: Any]
            row["hours"] = item.reachedAtHours.isEmpty ? nil : item.reachedAtHours.prefix(3).map { "\($0) h" }.joined(separator: ", ")
            row["agent"] = item.agentID.flatMap { names[$0] }
            return row
        }
        var response = views.page("queue", page)
        Locale.remember(request, in: &response)
        return response
    }

    func settings(_ request: Request, _ context: AppContext, _ user: User, text: String? = nil, problems: [SettingsProblem] = [],
                  saved: Bool = false) async throws -> Response {
        let t = Strings(language: Locale.language(of: request))
        let current = try await SettingsStore(database).current()
        var page = pageContext(request, context, t, title: t["settings.title"])
        page["version"] = current.id.map(String.init) ?? t["settings.defaults"]
        page["document"] = text ?? SettingsStore.json(current.settings)
        page["problems"] = problems.map(\.description)
        page["hasProblems"] = !problems.isEmpty
        page["saved"] = saved
        page["strategies"] = current.settings.strategies.map { s -> [String: Any] in
            var row: [String: Any] = ["code": s.code, "name": s.name, "tier": Self.describe(s.tier, t),
                                      "steps": s.steps.map { "\($0.channel.french) +\($0.delayDays) j" }.joined(separator: " → "),
                                      "escalation": t["settings.escalation.\(s.escalation.rawValue)"]]
            row["challenger"] = s.challenger.map { c in "\(c.sharePercent) % : " + c.steps.map { "\($0.channel.french) +\($0.delayDays) j" }.joined(separator: " → ") }
            return row
        }
        let r = current.settings.contactRules
        page["rules"] = "\(t["settings.callDays"]) \(r.callDays.map(String.init).joined(separator: ",")) · \(r.callFromHour) h – \(r.callUntilHour) h · "
            + "\(r.maxCallAttemptsPer7Days) \(t["settings.callsPerWeek"]) · \(r.minDaysBetweenLetters) \(t["settings.letterGap"])"
        var response = views.page("collection_settings", page, status: problems.isEmpty ? .ok : .unprocessableContent)
        Locale.remember(request, in: &response)
        return response
    }

    /// Validates the edited JSON and puts it in force; a refused document comes back as typed,
    /// with each problem and its path.
    func saveSettings(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        let fields = try await checkedForm(request, context)
        let text = fields["document"] ?? ""
        switch try await SettingsStore(database).save(text, actor: user.actor) {
        case .success: return .redirect(to: "/settings/collection?saved=1", type: .normal)
        case let .failure(e): return try await settings(request, context, user, text: text, problems: e.problems)
        }
    }

    /// Each strategy's champion beside its challenger: cases, amounts claimed and received, debtors
    /// reached, promises, escalations and the work each variant cost, by channel.
    func strategyReport(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        let t = Strings(language: Locale.language(of: request))
        let settings = try await SettingsStore(database).current().settings
        let names = Dictionary(settings.strategies.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let results = try await StrategyReport.results(database, settings: settings, scope: CaseScope(user))
        func percent(_ part: Int64, of whole: Int64) -> String {
            guard whole > 0 else { return "—" }
            let perMille = part * 1000 / whole
            return "\(perMille / 10)\(t.language == .fr ? "," : ".")\(perMille % 10) %"
        }
        var page = pageContext(request, context, t, title: t["report.title"])
        page["hasRows"] = !results.isEmpty
        page["rows"] = results.map { r -> [String: Any] in
            ["strategy": names[r.strategyCode] ?? r.strategyCode, "code": r.strategyCode, "variant": t["report.\(r.variant.rawValue)"],
             "challenger": r.variant == .challenger, "cases": r.cases, "claimed": t.money(r.claimed), "paid": t.money(r.received),
             "recovered": percent(r.received.minorUnits, of: r.claimed.minorUnits), "reached": percent(Int64(r.reached), of: Int64(r.cases)),
             "paying": r.payingCases, "firstPayment": r.medianDaysToFirstPayment.map { "\($0) \(t["report.days"])" } ?? "—",
             "promises": r.promises, "escalated": r.escalated,
             "work": StepChannel.allCases.compactMap { c in r.tasks[c].map { "\(c.french) \($0)" } }.joined(separator: " · ")]
        }
        var response = views.page("strategy_report", page)
        Locale.remember(request, in: &response)
        return response
    }

    /// Each agent's calls and reminders against their objective (an agent sees their own; a
    /// supervisor the agents and the teams, and sets the objectives).
    func objectives(_ request: Request, _ context: AppContext, _ user: User, error: String? = nil) async throws -> Response {
        guard user.may(.workCases) else { throw HTTPError(.forbidden, message: "your role has no objectives") }
        let t = Strings(language: Locale.language(of: request))
        let today = ParisTime(now()).day
        let agents = user.may(.assignCases) ? try await UserStore(database).caseWorkers().filter { $0.role == .agent } : [user]
        let store = ObjectiveStore(database)
        let progress = try await store.progress(of: agents, today: today)
        var page = pageContext(request, context, t, title: t["objectives.title"])
        page["formError"] = error
        page["today"] = t.day(today)
        page["rows"] = progress.map { p -> [String: Any] in
            var row: [String: Any] = ["name": p.agent.displayName, "team": p.agent.team ?? "—", "callsToday": p.callsToday,
                                      "callsWeek": p.callsThisWeek, "reminders": p.remindersThisWeek, "recovered": t.money(p.recoveredThisMonth)]
            if let o = p.objective {
                row["callsTarget"] = o.callsPerDay
                row["remindersTarget"] = o.remindersPerWeek
                row["callsBehind"] = p.callsToday < o.callsPerDay
                row["remindersBehind"] = p.remindersThisWeek < o.remindersPerWeek
                if o.recoveredPerMonth.minorUnits > 0 {
                    row["recoveredTarget"] = t.money(o.recoveredPerMonth)
                    row["recoveredBehind"] = p.recoveredThisMonth.minorUnits < o.recoveredPerMonth.minorUnits
                }
                row["source"] = p.ownObjective ? t["objectives.own"] : t["objectives.team"]
            }
            return row
        }
        if user.may(.assignCases) {
            let teams = try await store.teamObjectives()
            var byTeam: [String: (calls: Int, reminders: Int, recoveredCents: Int64, agents: Int)] = [:]
            for p in progress {
                guard let team = p.agent.team else { continue }
                byTeam[team, default: (0, 0, 0, 0)].calls += p.callsToday
                byTeam[team]!.reminders += p.remindersThisWeek
                byTeam[team]!.recoveredCents += p.recoveredThisMonth.minorUnits
                byTeam[team]!.agents += 1
            }
            page["hasTeams"] = !byTeam.isEmpty
            // A team's objective is each agent's, so the team's target is it times its agents.
            page["teams"] = byTeam.keys.sorted().map { name -> [String: Any] in
                let totals = byTeam[name]!
                var row: [String: Any] = ["name": name, "agents": totals.agents, "calls": totals.calls, "reminders": totals.reminders,
                                          "recovered": t.money(.eur(cents: totals.recoveredCents))]
                if let o = teams[name] {
                    row["callsTarget"] = o.callsPerDay * totals.agents
                    row["remindersTarget"] = o.remindersPerWeek * totals.agents
                    if o.recoveredPerMonth.minorUnits > 0 { row["recoveredTarget"] = t.money(.eur(cents: o.recoveredPerMonth.minorUnits * Int64(totals.agents))) }
                }
                return row
            }
            page["canSet"] = true
            page["targetOptions"] = HTML.options(Set(agents.compactMap(\.team)).sorted().map { ("team:\($0)", "\(t["objectives.teamOf"]) \($0)", false) }
                                                 + agents.map { ("agent:\($0.id)", $0.displayName, false) })
        }
        var response = views.page("objectives", page, status: error == nil ? .ok : .unprocessableContent)
        Locale.remember(request, in: &response)
        return response
    }

    func setObjective(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        guard user.may(.assignCases) else { throw HTTPError(.forbidden, message: "your role cannot set objectives") }
        let fields = try await checkedForm(request, context)
        let raw = fields["target"] ?? ""
        let target: ObjectiveStore.Target
        if raw.hasPrefix("agent:"), let id = Int64(raw.dropFirst(6)) { target = .agent(id) }
        else if raw.hasPrefix("team:") { target = .team(String(raw.dropFirst(5))) }
        else { return try await objectives(request, context, user, error: "choose an agent or a team") }
        guard let calls = Int(fields["calls"] ?? ""), let reminders = Int(fields["reminders"] ?? "") else {
            return try await objectives(request, context, user, error: "calls and reminders are whole numbers")
        }
        var recovered: Int64 = 0
        if let raw = fields["recovered"]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            guard case let .success(cents) = AmountParser.minorUnits(Substring(raw), currency: .eur) else {
                return try await objectives(request, context, user, error: "amount recovered per month: \(raw) is not an amount")
            }
            recovered = cents
        }
        let objective = Objective(callsPerDay: calls, remindersPerWeek: reminders, recoveredPerMonth: .eur(cents: recovered))
        do { try await ObjectiveStore(database).set(target, objective, actor: user.actor) } catch let e as StoreError {
            return try await objectives(request, context, user, error: e.description)
        }
        return .redirect(to: "/objectives", type: .normal)
    }

    static func describe(_ tier: Tier, _ t: Strings) -> String {
        var parts: [String] = []
        if let kinds = tier.debtorKinds { parts.append(kinds.map { t["kind.\($0.rawValue)"] }.joined(separator: ", ")) }
        switch (tier.minBalanceCents, tier.maxBalanceCents) {
        case let (min?, max?): parts.append("\(t.money(Money.eur(cents: min))) – \(t.money(Money.eur(cents: max)))")
        case let (min?, nil): parts.append("≥ \(t.money(Money.eur(cents: min)))")
        case let (nil, max?): parts.append("< \(t.money(Money.eur(cents: max)))")
        case (nil, nil): break
        }
        if let c = tier.creditors { parts.append(c.joined(separator: ", ")) }
        if let a = tier.minClaimAgeDays { parts.append("≥ \(a) j") }
        if let a = tier.maxClaimAgeDays { parts.append("< \(a) j") }
        if tier.minRiskScore != nil || tier.maxRiskScore != nil { parts.append("score \(tier.minRiskScore.map(String.init) ?? "…")–\(tier.maxRiskScore.map(String.init) ?? "…")") }
        if let languages = tier.languages { parts.append(languages.map(\.rawValue).joined(separator: ", ")) }
        return parts.isEmpty ? t["settings.all"] : parts.joined(separator: " · ")
    }
}
