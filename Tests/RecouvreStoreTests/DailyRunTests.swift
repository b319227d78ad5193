import Foundation
import RecouvreCore
import Testing
@testable import RecouvreStore

@Suite struct DailyRunTests {
    /// The run's day is the calendar day in Paris, kept between calls until Paris's midnight.
    @Test func todayIsTheDayInParis() throws {
        var paris = Calendar(identifier: .gregorian)
        paris.timeZone = try #require(TimeZone(identifier: "Europe/Paris"))
        for _ in 0..<2 {
            let before = paris.dateComponents([.year, .month, .day], from: Date())
            let today = SystemClock.today()
            let after = paris.dateComponents([.year, .month, .day], from: Date())
            #expect([before, after].contains { Day(year: $0.year!, month: $0.month!, day: $0.day!) == today })
        }
    }

    @Test func theMedianTimeToFirstPaymentIsTheLowerMiddleCase() {
        var r = StrategyResult(strategyCode: "b2b", variant: .champion)
        #expect(r.medianDaysToFirstPayment == nil && r.payingCases == 0)
        r.daysToFirstPayment = [5: 1]
        #expect(r.medianDaysToFirstPayment == 5)
        // 0, 3, 3, 10: the second of four.
        r.daysToFirstPayment = [10: 1, 0: 1, 3: 2]
        #expect(r.medianDaysToFirstPayment == 3 && r.payingCases == 4)
        // 0, 3, 3, 10, 40: the third of five.
        r.daysToFirstPayment[40] = 1
        #expect(r.medianDaysToFirstPayment == 3)
        r.daysToFirstPayment = [1: 1, 2: 1]
        #expect(r.medianDaysToFirstPayment == 1)
    }

    let settings = StoredSettings(id: nil, settings: .defaults)
    let monday = today

    /// Two companies (one with a phone) and `people` consumers, all in the amicable phase.
    func portfolio(_ db: Database, people: Int = 5) async throws {
        _ = try await addCreditor(db)
        var file = header.replacingOccurrences(of: "email;", with: "email;phone;")
        file += "A1;Garage Martin;443061841;3 rue Pasteur;69003;Lyon;;04 72 00 00 01;01/02/2026;03/03/2026;2500;;EUR\n"
        file += "A2;Autre SA;552032534;1 rue;75001;Paris;contact@autre.fr;;01/02/2026;03/03/2026;600;;EUR\n"
        for i in 0..<people { file += "P\(i);Client \(i);;\(i) rue;75001;Paris;;;01/01/2026;31/01/2026;10;;EUR\n" }
        let summary = try await importText(db, file)
        #expect(summary.rowsRejected == 0)
        try await db.withConnection { try await $0.raw("UPDATE cases SET status = 'amicable'").run() }
    }

    /// The tasks, each as one line led by its debtor's name (case ids follow the import's order,
    /// which two databases need not share).
    func tasks(_ db: Database) async throws -> [String] {
        try await db.withConnection { db in
            try await db.raw("""
                SELECT d.name, t.task_key, t.channel, t.status, t.due_on, t.reason FROM collection_tasks t JOIN cases c ON c.id = t.case_id
                JOIN debtors d ON d.id = c.debtor_id ORDER BY d.name, t.task_key
                """).all().map { r in
                [try r.decode(column: "name", as: String.self), try r.decode(column: "task_key", as: String.self),
                 try r.decode(column: "channel", as: String.self), try r.decode(column: "status", as: String.self),
                 try r.decode(column: "due_on", as: String.self), try r.decode(column: "reason", as: String.self)].joined(separator: "|")
            }
        }
    }

    func plans(_ db: Database) async throws -> [String] {
        try await db.withConnection { db in
            try await db.raw("""
                SELECT d.name, c.status, c.strategy_code, c.strategy_variant, c.strategy_step, c.strategy_step_on, c.next_action_on
                FROM cases c JOIN debtors d ON d.id = c.debtor_id ORDER BY d.name
                """).all().map { r in
                [try r.decode(column: "name", as: String.self), try r.decode(column: "status", as: String.self),
                 try r.decode(column: "strategy_code", as: String?.self) ?? "-", try r.decode(column: "strategy_variant", as: String?.self) ?? "-",
                 String(try r.decode(column: "strategy_step", as: Int.self)), try r.decode(column: "strategy_step_on", as: String?.self) ?? "-",
                 try r.decode(column: "next_action_on", as: String?.self) ?? "-"].joined(separator: "|")
            }
        }
    }

    @Test(arguments: Backend.available)
    func firstLettersGoToTheOutboxAndARerunCreatesNothing(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            try await portfolio(db)
            let run = DailyRun(db)
            let first = try await run.run(on: monday, settings: settings, batchSize: 3)
            #expect(first.casesSeen == 7 && first.tasksCreated == 7 && first.alreadyDone)
            let created = try await tasks(db)
            #expect(created.allSatisfy { $0.contains("|outbox|") })
            #expect(created.contains { $0.contains(":0|letter|outbox|2026-11-23|Étape 1 de « Particuliers » : courrier, dès l'entrée en phase amiable") })
            #expect(created.contains { $0.contains("b2b-medium:champion:0|letter|") })
            let again = try await run.run(on: monday, settings: settings, batchSize: 3)
            #expect(again == first)
            // Even a forced second pass over the same day (its run row gone) plans nothing new.
            try await db.withConnection { try await $0.raw("DELETE FROM daily_runs").run() }
            let forced = try await run.run(on: monday, settings: settings, batchSize: 3)
            #expect(forced.tasksCreated == 0)
            #expect(try await tasks(db) == created)
        }
    }

    @Test(arguments: Backend.available)
    func aRunStoppedMidwayAndRerunEndsAsOneCleanRun(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { clean, _ in
            try await withTestDatabase(backend) { crashed, _ in
                for db in [clean, crashed] { try await portfolio(db, people: 9) }
                let days = (0..<40).map { monday.adding(days: $0) }
                for day in days { _ = try await DailyRun(clean).run(on: day, settings: settings, batchSize: 4) }
                for day in days {
                    await #expect(throws: DailyRunInterrupted.self) {
                        _ = try await DailyRun(crashed).run(on: day, settings: settings, batchSize: 4, interruptAfterBatches: 1)
                    }
                    _ = try await DailyRun(crashed).run(on: day, settings: settings, batchSize: 4)
                }
                #expect(try await tasks(crashed) == tasks(clean))
                #expect(try await plans(crashed) == plans(clean))
                #expect(try await tasks(clean).count > 11)
            }
        }
    }

    @Test(arguments: Backend.available)
    func callsReachTheAgentsQueueAndAreDoneByRecordingTheCall(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            try await portfolio(db, people: 0)
            let agent = try await UserStore(db).create(login: "agent.martin", displayName: "Martin", role: .agent, team: "Paris", passwordHash: "!")
            try await db.withConnection { try await $0.raw("UPDATE cases SET agent_id = \(bind: agent.id)").run() }
            for d in 0..<8 { _ = try await DailyRun(db).run(on: monday.adding(days: d), settings: settings) }
            // b2b-medium (Garage Martin, 2,500 €): letter on Monday, call 7 days later (Monday 30th).
            let queue = try await WorkQueue(db).items(scope: .agency, agentID: agent.id, today: monday.adding(days: 7))
            #expect(queue.count == 1)
            let item = try #require(queue.first)
            #expect(item.task.channel == .call && item.phones == ["+33472000001"] && item.debtorName == "Garage Martin")
            #expect(item.task.reason.hasPrefix("Étape 2 de « B2B 1 000 – 5 000 € » : appel, 7 jours après l'étape 1"))
            // Autre SA has no phone: its call step was skipped, it never reaches the queue.
            #expect(try await WorkQueue(db).items(scope: .agency, agentID: agent.id, today: monday.adding(days: 30)).allSatisfy { $0.debtorName == "Garage Martin" })
            let tuesday10h = Instant(millisecondsSinceEpoch: Int64(monday.adding(days: 8).daysSinceEpoch) * 86_400_000 + 9 * 3_600_000)
            try await CaseStore(db).recordAction(caseID: item.task.caseID, try CaseAction(channel: .call, outcome: .reached, report: "Joint le gérant"),
                                                 actor: .user("agent.martin"), at: tuesday10h)
            #expect(try await WorkQueue(db).items(scope: .agency, agentID: agent.id, today: monday.adding(days: 8)).isEmpty)
            let detail = try #require(try await CaseStore(db).detail(id: item.task.caseID, scope: .agency))
            #expect(detail.tasks.first?.status == .done)
            #expect(detail.contact.lastContactOn == monday.adding(days: 8))
            // The debtor was reached: the next "only if no contact" call is skipped when it falls due.
            for d in 8..<30 { _ = try await DailyRun(db).run(on: monday.adding(days: d), settings: settings) }
            let after = try #require(try await CaseStore(db).detail(id: item.task.caseID, scope: .agency))
            #expect(after.tasks.contains { $0.channel == .registeredLetter && $0.reason.contains("étape 3 sautée (débiteur joint le 01/12/2026)") })
        }
    }

    @Test(arguments: Backend.available)
    func noReminderDuringAPromiseAndABrokenOneComesBackToTheQueue(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            try await portfolio(db, people: 0)
            let garage = try await db.withConnection { try await $0.raw("SELECT c.id FROM cases c JOIN debtors d ON d.id = c.debtor_id WHERE d.name = 'Garage Martin'").all()[0].decode(column: "id", as: Int64.self) }
            let noon = Instant(millisecondsSinceEpoch: Int64(monday.daysSinceEpoch) * 86_400_000 + 11 * 3_600_000)
            try await CaseStore(db).recordAction(caseID: garage, try CaseAction(channel: .call, outcome: .promise, report: "Paiera 1 000 € sous 15 jours"),
                                                 details: ActionDetails(promiseCents: 100_000, promiseDueOn: monday.adding(days: 15)), actor: .user("agent"), at: noon)
            for d in 0...15 { _ = try await DailyRun(db).run(on: monday.adding(days: d), settings: settings) }
            #expect(try await tasks(db).filter { $0.hasPrefix("Garage Martin|") }.isEmpty, "no reminder while the promise runs")
            _ = try await DailyRun(db).run(on: monday.adding(days: 16), settings: settings)
            let detail = try #require(try await CaseStore(db).detail(id: garage, scope: .agency))
            #expect(detail.contact.promise == nil)
            #expect(detail.events.contains { $0.text == "Promesse de paiement de \(Money.eur(cents: 100_000).formatted()) au 08/12/2026 : non tenue" })
            let followUp = try #require(detail.tasks.first { $0.strategyCode == nil })
            #expect(followUp.channel == .call && followUp.status == .queued && followUp.priority >= 50)
            // The strategy resumed the same day with its first letter.
            #expect(detail.tasks.contains { $0.channel == .letter && $0.reason.contains("promesse non tenue") })
        }
    }

    @Test(arguments: Backend.available)
    func aDisputeStopsEverythingUntilTheCreditorAnswers(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            try await portfolio(db, people: 0)
            let garage = try await db.withConnection { try await $0.raw("SELECT c.id FROM cases c JOIN debtors d ON d.id = c.debtor_id WHERE d.name = 'Garage Martin'").all()[0].decode(column: "id", as: Int64.self) }
            _ = try await DailyRun(db).run(on: monday, settings: settings)
            let store = CaseStore(db)
            try await store.recordAction(caseID: garage, try CaseAction(channel: .call, outcome: .dispute, report: "Conteste la facture A1 : jamais livrée"),
                                         actor: .user("agent"))
            var detail = try #require(try await store.detail(id: garage, scope: .agency))
            #expect(detail.lifecycle.suspension?.reason == .dispute)
            #expect(detail.tasks.allSatisfy { $0.status == .cancelled })
            for d in 1..<40 { _ = try await DailyRun(db).run(on: monday.adding(days: d), settings: settings) }
            #expect(try await tasks(db).filter { $0.hasPrefix("Garage Martin|") }.count == 1, "nothing after the dispute")
            await #expect(throws: StoreError.self) { try await store.answerDispute(caseID: garage, resume: true, text: " ", actor: .user("acme")) }
            try await store.answerDispute(caseID: garage, resume: true, text: "Livraison prouvée (bon signé)", actor: .user("acme"))
            detail = try #require(try await store.detail(id: garage, scope: .agency))
            #expect(detail.summary.status == .amicable)
            await #expect(throws: StoreError.self) { try await store.answerDispute(caseID: garage, resume: true, text: "encore", actor: .user("acme")) }
            _ = try await DailyRun(db).run(on: monday.adding(days: 40), settings: settings)
            #expect(try await tasks(db).filter { $0.hasPrefix("Garage Martin|") }.count == 2, "collection resumes")
        }
    }

    @Test(arguments: Backend.available)
    func theEndOfAStrategyEscalates(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            try await portfolio(db, people: 1)
            for d in 0..<90 { _ = try await DailyRun(db).run(on: monday.adding(days: d), settings: settings) }
            let statuses = try await plans(db).map { $0.split(separator: "|").prefix(2).joined(separator: " ") }
            // b2b-medium ends in the decision phase; b2b-small and consumers in a supervisor's review.
            #expect(statuses == ["Autre SA amicable", "Client 0 amicable", "Garage Martin decision_pending"])
            let reviews = try await WorkQueue(db).items(scope: .agency, today: monday.adding(days: 90)).filter { $0.task.channel == .review }
            #expect(reviews.count == 2)
            let garageID = try await db.withConnection { try await $0.raw("SELECT c.id FROM cases c JOIN debtors d ON d.id = c.debtor_id WHERE d.name = 'Garage Martin'").all()[0].decode(column: "id", as: Int64.self) }
            let garage = try #require(try await CaseStore(db).detail(id: garageID, scope: .agency))
            #expect(garage.events.contains { $0.toStatus == .decisionPending && $0.text.hasPrefix("Fin de la stratégie « B2B 1 000 – 5 000 € »") })
        }
    }

    @Test(arguments: Backend.available)
    func newCasesGoToATeamByTheRulesAndItsAgentsInTurn(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            try await portfolio(db, people: 5)
            let users = UserStore(db)
            let a = try await users.create(login: "a.paris", displayName: "A", role: .agent, team: "Paris", passwordHash: "!")
            let b = try await users.create(login: "b.paris", displayName: "B", role: .agent, team: "Paris", passwordHash: "!")
            _ = try await users.create(login: "c.lyon", displayName: "C", role: .agent, team: "Lyon", passwordHash: "!")
            // One case is already someone's: the rules leave it alone.
            let kept = try await db.withConnection { try await $0.raw("SELECT MIN(id) AS id FROM cases").all()[0].decode(column: "id", as: Int64.self) }
            try await db.withConnection { try await $0.raw("UPDATE cases SET agent_id = \(bind: a.id) WHERE id = \(bind: kept)").run() }
            var custom = CollectionSettings.defaults
            custom.assignmentRules = [AssignmentRule(team: "Lyon", tier: Tier(minBalanceCents: 1_000_000)), AssignmentRule(team: "Paris", tier: Tier(creditors: ["ACME"]))]
            #expect(custom.problems().isEmpty)
            _ = try await DailyRun(db).run(on: monday, settings: StoredSettings(id: nil, settings: custom))
            let rows = try await db.withConnection { try await $0.raw("SELECT id, agent_id FROM cases ORDER BY id").all() }
            var perAgent: [Int64: Int] = [:]
            for r in rows {
                let id = try r.decode(column: "id", as: Int64.self), agent = try r.decode(column: "agent_id", as: Int64.self)
                if id != kept { #expect(agent == AssignmentRule.agent(forCase: id, among: [a.id, b.id])) }
                perAgent[agent, default: 0] += 1
            }
            #expect(Set(perAgent.keys) == [a.id, b.id] && perAgent.values.allSatisfy { $0 >= 3 })
            let detail = try #require(try await CaseStore(db).detail(id: rows[1].decode(column: "id", as: Int64.self), scope: .team("Paris")))
            #expect(detail.events.contains { $0.kind == .assigned && $0.text.hasPrefix("Dossier attribué à l'équipe Paris") })
            var blank = custom
            blank.assignmentRules[0].team = " "
            #expect(blank.problems().map(\.path) == ["assignment_rules[0].team"])
        }
    }

    @Test(arguments: Backend.available)
    func settingsAreValidatedAndVersioned(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            let store = SettingsStore(db)
            #expect(try await store.current().id == nil)
            let bad = #"{"strategies": [{"code": "x", "name": "X", "tier": {}, "steps": [{"channel": "phone", "delay_days": 0}], "escalation": "decision"}]}"#
            guard case let .failure(e) = try await store.save(bad, actor: .user("admin")) else { Issue.record("accepted"); return }
            #expect(e.problems.first?.path == "strategies[0].steps[0].channel")
            guard case let .failure(e2) = try await store.save(#"{"strategies": [{"code": "x"}]}"#, actor: .user("admin")) else { Issue.record("accepted"); return }
            #expect(e2.problems.map(\.description) == ["strategies[0].name: is missing"])
            guard case let .failure(e3) = try await store.save("{", actor: .user("admin")) else { Issue.record("accepted"); return }
            #expect(e3.problems[0].message.hasPrefix("not valid JSON"))
            var custom = CollectionSettings.defaults
            custom.contactRules.maxCallAttemptsPer7Days = 2
            guard case let .success(id) = try await store.save(SettingsStore.json(custom), actor: .user("admin")) else { Issue.record("refused"); return }
            let current = try await store.current()
            #expect(current.id == id && current.settings == custom)
            #expect(try await count(db, "collection_settings") == 1)
        }
    }
}

/// A dispute about some of a case's claims stops only those: the rest is still collected, by the
/// engine and by the letters; the creditor's answer resumes or withdraws them.
@Suite struct ClaimDisputeTests {
    @Test(arguments: Backend.available)
    func aDisputeOnOneInvoiceStopsThatInvoiceOnly(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            _ = try await addCreditor(db)
            let file = header + "F-1;Garage Martin;443061841;3 rue Pasteur;69003;Lyon;;01/08/2026;31/08/2026;900;;EUR\n"
                + "F-2;Garage Martin;443061841;3 rue Pasteur;69003;Lyon;;01/09/2026;30/09/2026;250,50;;EUR\n"
            #expect(try await importText(db, file).rowsRejected == 0)
            try await db.withConnection { try await $0.raw("UPDATE cases SET status = 'amicable'").run() }
            let store = CaseStore(db)
            let caseID = try #require(try await store.list(scope: .agency).cases.first?.id)
            let claims = try #require(try await store.detail(id: caseID, scope: .agency)).claims
            let f2 = try #require(claims.first { $0.invoiceReference == "F-2" })
            let at = Instant(iso: "2026-11-24T09:30:00.000Z")!
            let dispute = try CaseAction(channel: .call, outcome: .dispute, report: "Conteste la facture F-2 : marchandise non livrée")
            await #expect(throws: StoreError.self) {
                try await store.recordAction(caseID: caseID, dispute, details: ActionDetails(disputedClaimIDs: [f2.id, 999_999]), actor: Actor("user:1"), at: at)
            }
            try await store.recordAction(caseID: caseID, dispute, details: ActionDetails(disputedClaimIDs: [f2.id]), actor: Actor("user:1"), at: at)
            var detail = try #require(try await store.detail(id: caseID, scope: .agency))
            #expect(detail.summary.status == .amicable, "the case is still worked")
            #expect(detail.claims.first { $0.id == f2.id }?.disputedOn == Day(year: 2026, month: 11, day: 24))
            #expect(detail.events.contains { $0.text.hasPrefix("Contestation des factures F-2 (250,50") })

            // The engine asks for the undisputed 900 € only, and so does the first letter.
            _ = try await DailyRun(db).run(on: Day(year: 2026, month: 11, day: 24)!, settings: StoredSettings(id: nil, settings: .defaults), at: at)
            let pending = try await LetterStore(db).pending(channel: .letter, dueBy: Day(year: 2026, month: 11, day: 24)!)
            #expect(pending.count == 1 && pending[0].context.claims.map(\.invoiceReference) == ["F-1"] && pending[0].context.amountDue == .eur(cents: 90_000))
            let strategy = try await db.withConnection { db in
                try await db.raw("SELECT strategy_code FROM cases WHERE id = \(bind: caseID)").all()[0].decode(column: "strategy_code", as: String?.self)
            }
            #expect(strategy == "b2b-small", "tiered on the 900 € still collected, not on 1,150.50 €")

            // The creditor withdraws the contested invoice: it leaves the case's totals.
            try await store.answerDispute(caseID: caseID, resume: false, text: "Avoir émis", actor: Actor("user:2"), at: at)
            detail = try #require(try await store.detail(id: caseID, scope: .agency))
            #expect(detail.summary.claimed == .eur(cents: 90_000) && detail.claims.first { $0.id == f2.id }?.withdrawnOn != nil)
            #expect(detail.events.contains { $0.text == "Factures F-2 retirées par le créancier après contestation : Avoir émis" })
            await #expect(throws: StoreError.invalid("case \(CaseReference(caseID: caseID)) has no dispute waiting for an answer")) {
                try await store.answerDispute(caseID: caseID, resume: true, text: "?", actor: Actor("user:2"), at: at)
            }
            // Contesting every invoice left suspends the whole case, as before.
            let f1 = try #require(claims.first { $0.invoiceReference == "F-1" })
            try await store.recordAction(caseID: caseID, dispute, details: ActionDetails(disputedClaimIDs: [f1.id]), actor: Actor("user:1"), at: at)
            #expect(try await store.detail(id: caseID, scope: .agency)?.summary.status == .suspended)
        }
    }
}

@Suite struct LanguageAssignmentTests {
    @Test(arguments: Backend.available)
    func englishSpeakingDebtorsGoToTheTeamThatSpeaksEnglishAndGetEnglishLetters(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            _ = try await addCreditor(db)
            let file = header.replacingOccurrences(of: "currency\n", with: "currency;langue\n")
                + "E-1;Smith Ltd;;12 avenue Foch;75116;Paris;;01/08/2026;31/08/2026;800;;EUR;anglais\n"
                + "F-1;Durand;;3 rue Pasteur;69003;Lyon;;01/08/2026;31/08/2026;800;;EUR;\n"
                + "X-1;Schmidt;;1 rue de Strasbourg;67000;Strasbourg;;01/08/2026;31/08/2026;800;;EUR;klingon\n"
            let summary = try await importText(db, file)
            #expect(summary.rowsRejected == 1 && summary.rejects.first?.reason.contains("'klingon' is not a language") == true, "\(summary.rejects)")
            try await db.withConnection { try await $0.raw("UPDATE cases SET status = 'amicable'").run() }
            let users = UserStore(db)
            let english = try await users.create(login: "e.intl", displayName: "E", role: .agent, team: "International", passwordHash: "!")
            let french = try await users.create(login: "f.paris", displayName: "F", role: .agent, team: "Paris", passwordHash: "!")
            var settings = CollectionSettings.defaults
            settings.assignmentRules = [AssignmentRule(team: "International", tier: Tier(languages: [.en])), AssignmentRule(team: "Paris")]
            #expect(settings.problems().isEmpty)
            let monday = Day(year: 2026, month: 11, day: 23)!
            _ = try await DailyRun(db).run(on: monday, settings: StoredSettings(id: nil, settings: settings))
            let agents = try await db.withConnection { db in
                try await db.raw("SELECT d.name, c.agent_id FROM cases c JOIN debtors d ON d.id = c.debtor_id ORDER BY d.name").all()
                    .map { (try $0.decode(column: "name", as: String.self), try $0.decode(column: "agent_id", as: Int64.self)) }
            }
            #expect(agents.map(\.0) == ["Durand", "Smith Ltd"] && agents.map(\.1) == [french.id, english.id])
            let letters = try await LetterStore(db).pending(channel: .letter, dueBy: monday)
            #expect(letters.first { $0.context.debtorName == "Smith Ltd" }?.context.language == .en)
        }
    }
}

@Suite struct LetterArchiveTests {
    /// Letters archived into a batch come back in envelope order, page by page, on both databases.
    @Test(arguments: Backend.available)
    func aBatchsLettersPageInPostcodeOrder(_ backend: Backend) async throws {
        try await withTestDatabase(backend) { db, _ in
            _ = try await addCreditor(db)
            let file = header + "A;Alpha;;1 rue A;75002;Paris;;01/08/2026;31/08/2026;900;;EUR\n"
                + "B;Beta;;1 rue B;13001;Marseille;;01/08/2026;31/08/2026;900;;EUR\n"
                + "C;Gamma;;1 rue C;69001;Lyon;;01/08/2026;31/08/2026;900;;EUR\n"
            #expect(try await importText(db, file).rowsRejected == 0)
            try await db.withConnection { try await $0.raw("UPDATE cases SET status = 'amicable'").run() }
            let monday = Day(year: 2026, month: 11, day: 23)!
            _ = try await DailyRun(db).run(on: monday, settings: StoredSettings(id: nil, settings: .defaults))
            let store = LetterStore(db)
            let pending = try await store.pending(channel: .letter, dueBy: monday)
            #expect(pending.count == 3)
            let batch = try await store.batch(on: monday, channel: .letter)
            let printed = try pending.map { p in
                let letter = try LetterComposer.compose(p.context, channel: .letter, settings: .defaults).get()
                return PrintedLetter(pending: p, letter: letter, pdf: Array("%PDF-\(p.caseID)".utf8), pages: 2,
                                     postage: LetterSettings.defaults.postage.postage(channel: .letter, pages: 2)!)
            }
            try await store.archive(printed, batch: batch, actor: Actor("system:test"))
            var seen: [String] = []
            var last: BatchLetter?
            while let page = try await store.letters(inBatch: batch.id, after: last, limit: 1).last {
                seen.append(page.postcode)
                last = page
            }
            #expect(seen == ["13001", "69001", "75002"])
            #expect(try await store.batch(id: batch.id)?.letters == 3)
            #expect(try await store.pending(channel: .letter, dueBy: monday).isEmpty, "archived letters leave the outbox")
        }
    }
}
