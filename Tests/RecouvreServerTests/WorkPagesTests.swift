import Foundation
import Hummingbird
import HummingbirdTesting
import RecouvreCore
import RecouvreStore
import Testing
@testable import RecouvreServer

/// The work queue, the contact rules at recording time, the strategies page and disputes.
extension ServerTests {
    /// The id of a case with a queued call (the demo's daily runs made some), given to `agent`.
    func queuedCall(_ db: Database, to agent: String) async throws -> Int64 {
        try await db.withConnection { db in
            let id = try await db.raw("""
                SELECT t.case_id FROM collection_tasks t JOIN cases c ON c.id = t.case_id
                WHERE t.status = 'queued' AND t.channel = 'call' AND t.due_on <= '2026-11-23' ORDER BY t.case_id LIMIT 1
                """).all()[0].decode(column: "case_id", as: Int64.self)
            try await db.raw("UPDATE cases SET agent_id = (SELECT id FROM users WHERE login = \(bind: agent)) WHERE id = \(bind: id)").run()
            return id
        }
    }

    @Test func anAgentWorksTheQueueAndTheCallIsDone() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                let agent = try await logIn(client, db, as: .agent)
                let caseID = try await queuedCall(db, to: "user-agent")
                let phone = try #require(try await CaseStore(db).detail(id: caseID, scope: .agency)?.debtor.contacts.first { $0.kind == .phone }?.value)
                let html = try await client.execute(uri: "/queue", method: .get, headers: [.cookie: agent]) { r in
                    #expect(r.status == .ok)
                    return String(buffer: r.body)
                }
                #expect(html.contains("href=\"/cases/\(caseID)\"") && html.contains("href=\"tel:\(phone)\""))
                #expect(html.contains("de « ") && html.contains(": appel"), "each task says why")
                let token = try await csrf(client, agent, page: "/queue")
                let (status, _) = try await post(client, "/cases/\(caseID)/actions", agent,
                                                 ["csrf": token, "channel": "call", "back": "queue", "outcome": "promise", "contact": phone,
                                                  "report": "Paiera 300 € vendredi", "promise_amount": "300,00", "promise_date": "2026-11-27"])
                #expect(status == .seeOther)
                let detail = try #require(try await CaseStore(db).detail(id: caseID, scope: .agency))
                // A promise is judged on everything received (interest and indemnity included), not the principal paid.
                let received = try await db.withConnection { try await $0.raw("SELECT received_minor FROM cases WHERE id = \(bind: caseID)").all()[0].decode(column: "received_minor", as: Int64.self) }
                #expect(detail.contact.promise == PaymentPromise(amountCents: 30_000, dueOn: Day(year: 2026, month: 11, day: 27)!, paidBeforeCents: received))
                #expect(detail.tasks.contains { $0.channel == .call && $0.status == .done })
                try await client.execute(uri: "/queue", method: .get, headers: [.cookie: agent]) { r in
                    #expect(!String(buffer: r.body).contains("href=\"/cases/\(caseID)\""))
                }
                // The case page shows the strategy, the promise and the tasks with their reasons.
                try await client.execute(uri: "/cases/\(caseID)", method: .get, headers: [.cookie: agent]) { r in
                    let page = String(buffer: r.body)
                    #expect(page.contains("id=\"plan\"") && page.contains("Promesse de") && page.contains("27/11/2026"))
                }
                // A promise in the past is refused and the typed report comes back.
                let (refused, body) = try await post(client, "/cases/\(caseID)/actions", agent,
                                                     ["csrf": token, "channel": "call", "outcome": "promise", "report": "Rappel promesse",
                                                      "promise_amount": "10", "promise_date": "2026-01-01"])
                #expect(refused == .unprocessableContent && body.contains("promised date must be today or later") && body.contains(">Rappel promesse</textarea>"))
            }
        }
    }

    @Test func aCallOutsideTheHoursIsRecordedOnlyOnceConfirmed() async throws {
        try await withDemo { db in
            let late: @Sendable () -> Instant = { Instant(iso: "2026-11-24T20:30:00.000Z")! } // 21:30 in Paris
            let app = try await buildApplication(ServerConfiguration(port: 0, now: late), database: db)
            try await app.test(.router) { client in
                let agent = try await logIn(client, db, as: .agent)
                let caseID = try await queuedCall(db, to: "user-agent")
                let token = try await csrf(client, agent, page: "/cases/\(caseID)")
                let fields = ["csrf": token, "channel": "call", "outcome": "no_answer", "report": "Pas de réponse, soirée"]
                var (status, body) = try await post(client, "/cases/\(caseID)/actions", agent, fields)
                #expect(status == .unprocessableContent && body.contains("hors des heures d&#39;appel") && body.contains("name=\"confirm\""))
                #expect(body.contains(">Pas de réponse, soirée</textarea>"), "nothing typed is lost")
                #expect(try await count(db, "case_actions") == 0)
                (status, _) = try await post(client, "/cases/\(caseID)/actions", agent, fields.merging(["confirm": "1"]) { a, _ in a })
                #expect(status == .seeOther)
                #expect(try await count(db, "case_actions") == 1)
                // The API says the same with a stable code, and records it when told to override.
                let token2 = try await apiToken(db, as: .agent, login: "api-agent-late")
                try await db.withConnection { try await $0.raw("UPDATE cases SET agent_id = (SELECT id FROM users WHERE login = 'api-agent-late') WHERE id = \(bind: caseID)").run() }
                let json = #"{"channel": "call", "outcome": "no_answer", "report": "Toujours rien"}"#
                try await client.execute(uri: "/api/v1/cases/\(caseID)/actions", method: .post, headers: [.authorization: "Bearer \(token2)", .contentType: "application/json"],
                                         body: ByteBuffer(string: json)) { r in
                    #expect(r.status == .conflict && String(buffer: r.body).contains("\"code\":\"contact_rule\""))
                }
                let forced = #"{"channel": "call", "outcome": "no_answer", "report": "Toujours rien", "override_contact_rules": true}"#
                try await client.execute(uri: "/api/v1/cases/\(caseID)/actions", method: .post, headers: [.authorization: "Bearer \(token2)", .contentType: "application/json"],
                                         body: ByteBuffer(string: forced)) { r in #expect(r.status == .created) }
            }
        }
    }

    func count(_ db: Database, _ table: String) async throws -> Int {
        try await db.withConnection { try await $0.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").all()[0].decode(column: "n", as: Int.self) }
    }

    @Test func supervisorsEditTheStrategiesAndABadDocumentChangesNothing() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                let agent = try await logIn(client, db, as: .agent)
                try await client.execute(uri: "/settings/collection", method: .get, headers: [.cookie: agent]) { r in #expect(r.status == .forbidden) }
                let supervisor = try await logIn(client, db, as: .supervisor)
                let token = try await csrf(client, supervisor, page: "/settings/collection")
                var custom = CollectionSettings.defaults
                custom.strategies[0].steps[0].channel = .call
                var (status, body) = try await post(client, "/settings/collection", supervisor, ["csrf": token, "document": SettingsStore.json(custom)])
                #expect(status == .unprocessableContent && body.contains("strategies[0].steps[0].channel: the first step must be a letter"))
                #expect(try await SettingsStore(db).current().id == nil)
                custom.strategies[0].steps[0].channel = .registeredLetter
                (status, _) = try await post(client, "/settings/collection", supervisor, ["csrf": token, "document": SettingsStore.json(custom)])
                #expect(status == .seeOther)
                #expect(try await SettingsStore(db).current().settings == custom)
                (status, body) = try await post(client, "/settings/collection", supervisor, ["csrf": token, "document": "{\"strategies\": 3}"])
                #expect(status == .unprocessableContent && body.contains("strategies: expected a list"))
            }
        }
    }

    @Test func theStrategyReportComparesChampionAndChallenger() async throws {
        try await withDemo { db in
            let settings = CollectionSettings.defaults
            let results = try await StrategyReport.results(db, settings: settings, scope: .agency)
            let large = results.filter { $0.strategyCode == "b2b-large" }
            #expect(large.map(\.variant) == [.challenger, .champion])
            // Every case that follows a strategy is counted once, and their tasks are the run's.
            let cases = try await db.withConnection { try await $0.raw("SELECT COUNT(*) AS n FROM cases WHERE strategy_code IS NOT NULL").all()[0].decode(column: "n", as: Int.self) }
            #expect(results.map(\.cases).reduce(0, +) == cases)
            let tasks = try await db.withConnection { try await $0.raw("SELECT COUNT(*) AS n FROM collection_tasks WHERE strategy_code IS NOT NULL AND status <> 'cancelled'").all()[0].decode(column: "n", as: Int.self) }
            #expect(results.flatMap(\.tasks.values).reduce(0, +) == tasks)
            #expect(large.allSatisfy { ($0.tasks[.registeredLetter] ?? 0) > 0 })
            // Time to first payment: each case that paid once, from its first step to its first payment.
            let paying = try await db.withConnection { try await $0.raw("""
                SELECT COUNT(DISTINCT p.case_id) AS n FROM payments p JOIN cases c ON c.id = p.case_id
                WHERE p.reversed_on IS NULL AND c.strategy_code IS NOT NULL
                  AND EXISTS (SELECT 1 FROM collection_tasks t WHERE t.case_id = c.id AND t.strategy_code IS NOT NULL AND t.status <> 'cancelled')
                """).all()[0].decode(column: "n", as: Int.self) }
            #expect(paying > 0 && results.map(\.payingCases).reduce(0, +) == paying)
            #expect(results.allSatisfy { ($0.medianDaysToFirstPayment == nil) == ($0.payingCases == 0) })
            let creditor = try #require(try await CreditorStore(db).list().first)
            let theirs = try await StrategyReport.results(db, settings: settings, scope: .creditor(creditor.id))
            #expect(theirs.map(\.cases).reduce(0, +) < cases)

            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                let agent = try await logIn(client, db, as: .agent)
                try await client.execute(uri: "/reports/strategies", method: .get, headers: [.cookie: agent]) { r in #expect(r.status == .forbidden) }
                let supervisor = try await logIn(client, db, as: .supervisor)
                try await client.execute(uri: "/reports/strategies?lang=en", method: .get, headers: [.cookie: supervisor]) { r in
                    let html = String(buffer: r.body)
                    #expect(r.status == .ok && html.contains("B2B ≥ 5 000 €") && html.contains("class=\"challenger\"") && html.contains("Recovery rate") && html.contains("Median time to first payment"))
                }
            }
        }
    }

    @Test func objectivesShowEachAgentsCallsAndReminders() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                let agent = try await logIn(client, db, as: .agent)
                let supervisor = try await logIn(client, db, as: .supervisor)
                let token = try await csrf(client, supervisor, page: "/objectives")
                var (status, body) = try await post(client, "/objectives", supervisor, ["csrf": token, "target": "team:Paris", "calls": "x", "reminders": "20"])
                #expect(status == .unprocessableContent && body.contains("whole numbers"))
                (status, _) = try await post(client, "/objectives", supervisor, ["csrf": token, "target": "team:Paris", "calls": "5", "reminders": "20"])
                #expect(status == .seeOther)
                let agentToken = try await csrf(client, agent, page: "/objectives")
                (status, _) = try await post(client, "/objectives", agent, ["csrf": agentToken, "target": "team:Paris", "calls": "0", "reminders": "0"])
                #expect(status == .forbidden)
                // Two calls and a letter recorded by the agent today (10:30 in Paris).
                let caseID = try await queuedCall(db, to: "user-agent")
                for (channel, outcome) in [("call", "no_answer"), ("call", "reached"), ("letter", "sent")] {
                    (status, _) = try await post(client, "/cases/\(caseID)/actions", agent, ["csrf": agentToken, "channel": channel, "outcome": outcome, "report": "Relance \(channel)", "confirm": "1"])
                    #expect(status == .seeOther)
                }
                let mine = try await client.execute(uri: "/objectives", method: .get, headers: [.cookie: agent]) { String(buffer: $0.body) }
                #expect(mine.contains("behind\">2 / 5</td>") && mine.contains(">1 / 20</td>") && !mine.contains("name=\"target\""))
                let team = try await client.execute(uri: "/objectives", method: .get, headers: [.cookie: supervisor]) { String(buffer: $0.body) }
                #expect(team.contains("<strong>Paris</strong>") && team.contains("name=\"target\""))

                // The amount recovered this month: payments received since the 1st on the agent's
                // cases, a payment the bank took back left out, last month's too.
                (status, body) = try await post(client, "/objectives", supervisor, ["csrf": token, "target": "team:Paris", "calls": "5", "reminders": "20", "recovered": "douze"])
                #expect(status == .unprocessableContent && body.contains("douze is not an amount"))
                (status, _) = try await post(client, "/objectives", supervisor, ["csrf": token, "target": "team:Paris", "calls": "5", "reminders": "20", "recovered": "1 500,00"])
                #expect(status == .seeOther)
                let user = try #require(try await UserStore(db).credentials(login: "user-agent")?.user)
                func recovered() async throws -> Int64 {
                    try #require(try await ObjectiveStore(db).progress(of: [user], today: Day(parsing: "2026-11-24")!).first).recoveredThisMonth.minorUnits
                }
                let before = try await recovered()
                let payments = PaymentStore(db)
                for (day, cents) in [("2026-11-24", 12_345), ("2026-10-31", 50_000), ("2026-11-02", 7_000)] as [(String, Int64)] {
                    _ = try await payments.book(caseID: caseID, NewPayment(receivedOn: Day(parsing: day)!, cents: cents, method: .transfer),
                                                actor: .user("user-agent"), at: callHours(), rates: .shipped)
                }
                try await db.withConnection { try await $0.raw("UPDATE payments SET reversed_on = '2026-11-05' WHERE case_id = \(bind: caseID) AND amount_minor = 7000").run() }
                #expect(try await recovered() == before + 12_345)
                let progress = try await client.execute(uri: "/objectives", method: .get, headers: [.cookie: agent]) { String(buffer: $0.body) }
                let fr = Strings(language: .fr)
                #expect(progress.contains("\(fr.money(.eur(cents: before + 12_345))) / \(fr.money(.eur(cents: 150_000)))"))
                #expect(try await ObjectiveStore(db).teamObjectives()["Paris"]?.recoveredPerMonth == .eur(cents: 150_000))
            }
        }
    }

    @Test func aCreditorsUserAsksForTheDailyDigest() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                let theirs = try await logIn(client, db, as: .creditorUser)
                let page = try await client.execute(uri: "/account", method: .get, headers: [.cookie: theirs]) { String(buffer: $0.body) }
                #expect(page.contains("action=\"/account/digest\""))
                let token = try await csrf(client, theirs, page: "/account")
                var (status, body) = try await post(client, "/account/digest", theirs, ["csrf": token, "email": "pas une adresse", "daily": "1"])
                #expect(status == .unprocessableContent && body.contains("is not an email address"))
                (status, _) = try await post(client, "/account/digest", theirs, ["csrf": token, "email": "gaelle@client.fr", "daily": "1"])
                #expect(status == .seeOther)
                let user = try #require(try await UserStore(db).list().first { $0.user.login == "user-creditoruser" }?.user)
                #expect(try await UserStore(db).digest(userID: user.id) == ("gaelle@client.fr", true))
                let agent = try await logIn(client, db, as: .agent)
                let agentToken = try await csrf(client, agent, page: "/account")
                (status, _) = try await post(client, "/account/digest", agent, ["csrf": agentToken, "email": "a@b.fr", "daily": "1"])
                #expect(status == .forbidden)
            }
        }
    }

    @Test func theCreditorAnswersADisputeAndOthersCannot() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                let creditor = try #require(try await CreditorStore(db).list().first)
                let disputed = try await db.withConnection { try await $0.raw("""
                    SELECT id FROM cases WHERE creditor_id = \(bind: creditor.id) AND status = 'suspended' AND suspension_reason = 'dispute' ORDER BY id LIMIT 1
                    """).all()[0].decode(column: "id", as: Int64.self) }
                let agent = try await logIn(client, db, as: .agent)
                let agentToken = try await csrf(client, agent, page: "/cases")
                var (status, _) = try await post(client, "/cases/\(disputed)/dispute", agent, ["csrf": agentToken, "decision": "resume", "text": "x"])
                #expect(status == .forbidden)
                let theirs = try await logIn(client, db, as: .creditorUser)
                let html = try await client.execute(uri: "/cases/\(disputed)", method: .get, headers: [.cookie: theirs]) { String(buffer: $0.body) }
                #expect(html.contains("action=\"/cases/\(disputed)/dispute\""))
                let token = try await csrf(client, theirs, page: "/cases/\(disputed)")
                var body: String
                (status, body) = try await post(client, "/cases/\(disputed)/dispute", theirs, ["csrf": token, "decision": "resume", "text": " "])
                #expect(status == .unprocessableContent && body.contains("say why"))
                (status, _) = try await post(client, "/cases/\(disputed)/dispute", theirs, ["csrf": token, "decision": "resume", "text": "Bon de livraison signé joint"])
                #expect(status == .seeOther)
                #expect(try await CaseStore(db).detail(id: disputed, scope: .agency)?.summary.status == .investigation)
                (status, body) = try await post(client, "/cases/\(disputed)/dispute", theirs, ["csrf": token, "decision": "resume", "text": "encore"])
                #expect(status == .unprocessableContent && body.contains("no dispute waiting"))
            }
        }
    }
}

extension ServerTests {
    @Test func aDisputeOnSomeInvoicesFromThePageAndTheAPI() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                let (caseID, claimIDs, refs) = try await db.withConnection { db in
                    let id = try await db.raw("SELECT c.id FROM cases c WHERE c.status = 'amicable' AND (SELECT COUNT(*) FROM claims k WHERE k.case_id = c.id) >= 2 ORDER BY c.id LIMIT 1").all()[0]
                        .decode(column: "id", as: Int64.self)
                    let claims = try await db.raw("SELECT id, invoice_ref FROM claims WHERE case_id = \(bind: id) ORDER BY id").all()
                    return (id, try claims.map { try $0.decode(column: "id", as: Int64.self) }, try claims.map { try $0.decode(column: "invoice_ref", as: String.self) })
                }
                let staff = try await logIn(client, db, as: .supervisor)
                let page = "/cases/\(caseID)"
                let token = try await csrf(client, staff, page: page)
                try await client.execute(uri: page, method: .get, headers: [.cookie: staff]) { r in
                    #expect(String(buffer: r.body).contains("name=\"dispute_claim_\(claimIDs[0])\""))
                }
                let (status, _) = try await post(client, "\(page)/actions", staff, ["csrf": token, "channel": "call", "outcome": "dispute", "confirm": "1",
                                                                                   "report": "Conteste la première facture", "dispute_claim_\(claimIDs[0])": "1"])
                #expect(status == .seeOther)
                try await client.execute(uri: page, method: .get, headers: [.cookie: staff]) { r in
                    let html = String(buffer: r.body)
                    #expect(html.contains("contestée le 24/11/2026") && html.contains("id=\"dispute\""), "the claim says so and the answer form is there")
                }
                #expect(try await CaseStore(db).detail(id: caseID, scope: .agency)?.summary.status == .amicable)
                let (answered, _) = try await post(client, "\(page)/dispute", staff, ["csrf": token, "decision": "resume", "text": "Livraison prouvée"])
                #expect(answered == .seeOther)
                #expect(try await CaseStore(db).detail(id: caseID, scope: .agency)?.claims.allSatisfy { $0.disputedOn == nil } == true)

                // The API names invoices by their reference.
                let api = try await client.execute(uri: "/api/v1/cases/\(caseID)/actions", method: .post,
                                                   headers: [.cookie: staff, .contentType: "application/json", API.csrfHeader: token],
                                                   body: ByteBuffer(string: #"{"channel": "call", "outcome": "dispute", "report": "x", "override_contact_rules": true, "disputed_invoices": ["NOPE"]}"#)) { r in
                    (r.status, String(buffer: r.body))
                }
                #expect(api.0 == .unprocessableContent && api.1.contains("invalid_dispute"))
                let ok = try await client.execute(uri: "/api/v1/cases/\(caseID)/actions", method: .post,
                                                  headers: [.cookie: staff, .contentType: "application/json", API.csrfHeader: token],
                                                  body: ByteBuffer(string: #"{"channel": "call", "outcome": "dispute", "report": "x", "override_contact_rules": true, "disputed_invoices": ["\#(refs[1])"]}"#)) { r in
                    r.status
                }
                #expect(ok == .created)
                #expect(try await CaseStore(db).detail(id: caseID, scope: .agency)?.claims.first { $0.invoiceReference == refs[1] }?.disputedOn != nil)
            }
        }
    }
}

extension ServerTests {
    @Test func theCasePageExplainsTheInterestPeriodByPeriod() async throws {
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                let (company, consumer) = try await db.withConnection { db in
                    (try await db.raw("SELECT c.id FROM cases c JOIN debtors d ON d.id = c.debtor_id WHERE d.kind = 'company' AND c.status = 'amicable' ORDER BY c.id LIMIT 1").all()[0]
                        .decode(column: "id", as: Int64.self),
                     try await db.raw("SELECT c.id FROM cases c JOIN debtors d ON d.id = c.debtor_id WHERE d.kind = 'consumer' AND c.status = 'amicable' ORDER BY c.id LIMIT 1").all()[0]
                        .decode(column: "id", as: Int64.self))
                }
                let staff = try await logIn(client, db, as: .supervisor)
                try await client.execute(uri: "/cases/\(company)", method: .get, headers: [.cookie: staff]) { r in
                    let html = String(buffer: r.body)
                    #expect(html.contains("Intérêts de retard au 24/11/2026") && html.contains("+ 10 points (L441-10)") && html.contains("arrondi une seule fois"))
                    #expect(html.contains("Indemnité forfaitaire pour frais de recouvrement"))
                    // The table stops at 30 June 2026: the days after it are said to carry an assumed rate.
                    #expect(html.contains("taux du dernier semestre publié supposé à partir du"))
                }
                try await client.execute(uri: "/cases/\(consumer)?lang=en", method: .get, headers: [.cookie: staff]) { r in
                    let html = String(buffer: r.body)
                    #expect(!html.contains("Fixed indemnity for collection costs"))
                }
                // The API gives the same breakdown.
                try await client.execute(uri: "/api/v1/cases/\(company)", method: .get, headers: [.cookie: staff]) { r in
                    let json = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as! [String: Any]
                    let interest = ((json["claims"] as! [[String: Any]])[0]["interest"] as! [String: Any])
                    #expect(interest["as_of"] as? String == "2026-11-24" && interest["fixed_indemnity"] as? String == "40.00")
                    #expect(interest["assumed_from"] is String && !(interest["lines"] as! [Any]).isEmpty)
                }
                // The agency adds the second half of 2026 when it is published: nothing is assumed any more.
                var rates = RateSettings.defaults
                rates.latePayment.append(.init(from: Day(year: 2026, month: 7, day: 1)!, to: Day(year: 2026, month: 12, day: 31)!,
                                               ecbRefinancing: Rate(percent: "2.15")!, rate: Rate(percent: "12.15")!))
                rates.legal.append(.init(from: Day(year: 2026, month: 7, day: 1)!, to: Day(year: 2026, month: 12, day: 31)!,
                                         creditorPrivateIndividual: Rate(percent: "6.67")!, otherCases: Rate(percent: "2.62")!))
                var gap = rates
                gap.legal[gap.legal.count - 1].from = Day(year: 2026, month: 7, day: 2)!
                guard case let .failure(e) = try await RateSettingsStore(db).save(RateSettingsStore.json(gap), actor: Actor("user:1")) else { Issue.record("a gap was accepted"); return }
                #expect(e.problems.map(\.path) == ["legal_interest[13].period_start"])
                #expect(try await RateSettingsStore(db).save(RateSettingsStore.json(rates), actor: Actor("user:1")).get() > 0)
                try await client.execute(uri: "/cases/\(company)", method: .get, headers: [.cookie: staff]) { r in
                    let html = String(buffer: r.body)
                    #expect(html.contains("Intérêts de retard au 24/11/2026") && !html.contains("supposé"))
                }
            }
        }
    }
}
