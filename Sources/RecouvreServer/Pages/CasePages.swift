import Foundation
import Hummingbird
import RecouvreCore
import RecouvreStore

/// The case list and the case page, read-only for now, each scoped to what the logged-in user
/// may see.
struct CasePages: Sendable {
    let database: Database
    let views: Views
    let now: @Sendable () -> Instant
    /// Renders and sends the receipts of payments just booked (nil: they wait for the next run).
    var receipts: @Sendable () -> ReceiptRun? = { nil }
    let counts = StatusCounts()

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.get { request, context in try await signedIn(request, context) { try await self.list(request, context, $0) } }
        group.get(":id") { request, context in try await signedIn(request, context) { try await self.show(request, context, $0) } }
        for form in CaseForm.allCases {
            group.post(":id/\(form.rawValue)") { request, context in try await signedIn(request, context) { try await self.change(request, context, $0, form) } }
        }
    }

    /// The forms of the case page, each posted to `/cases/:id/<rawValue>`.
    enum CaseForm: String, CaseIterable, Sendable {
        case actions, phase, investigation, assign, dispute, address, registered, payment, settlement, plan, mandate
        case planDecision = "plan-decision"

        var right: Right {
            switch self {
            case .assign: .assignCases
            case .dispute: .answerDisputes
            case .actions, .phase, .investigation, .address: .workCases
            case .registered: .printLetters
            case .payment: .recordPayments
            case .settlement: .acceptSettlements
            case .plan, .mandate: .workCases
            case .planDecision: .approvePlans
            }
        }
    }

    /// A refused form: shown above the case page, which is sent again with status 422.
    struct FormError: Error { let message: String }

    /// An action that would break the contact rules: the page comes back with the warnings, the
    /// form as it was typed, and a box to tick to record it anyway.
    struct ContactWarning: Error { let violations: [ContactRuleViolation] }

    /// Records an action, changes the phase or saves the investigation, then goes back to the case
    /// page (POST, redirect, GET); a refused form comes back with its reason.
    func change(_ request: Request, _ context: AppContext, _ user: User, _ form: CaseForm) async throws -> Response {
        guard user.may(form.right) else { throw HTTPError(.forbidden, message: "your role cannot do this on cases") }
        let fields = try await checkedForm(request, context)
        guard let id = context.caseID else { return try await show(request, context, user) }
        let store = CaseStore(database), scope = CaseScope(user)
        do {
            switch form {
            case .actions:
                guard let channel = CaseAction.Channel(rawValue: fields["channel"] ?? ""), let outcome = CaseAction.Outcome(rawValue: fields["outcome"] ?? "") else {
                    throw FormError(message: "choose a channel and an outcome")
                }
                let action = try CaseAction(channel: channel, outcome: outcome, report: fields["report"] ?? "")
                let details = try Self.actionDetails(fields)
                let at = now()
                if fields["confirm"] != "1" {
                    let violations = try await store.contactRuleViolations(caseID: id, channel: channel, at: at, scope: scope)
                    if !violations.isEmpty { throw ContactWarning(violations: violations) }
                }
                try await store.recordAction(caseID: id, action, details: details, actor: user.actor, at: at, scope: scope)
                if fields["back"] == "queue" { return .redirect(to: "/queue", type: .normal) }
            case .phase:
                guard let target = CaseStatus(rawValue: fields["status"] ?? "") else { throw FormError(message: "choose the new phase") }
                try await store.transition(caseID: id, to: target, suspensionReason: fields["suspension"].flatMap(SuspensionReason.init(rawValue:)),
                                           reason: fields["reason"] ?? "", actor: user.actor, scope: scope)
            case .investigation:
                let sources = (fields["sources"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                try await store.saveInvestigation(caseID: id, Investigation(
                    reason: NonPaymentReason(rawValue: fields["reason"] ?? ""), reasonNotes: fields["reasonNotes"] ?? "",
                    solvency: Solvency(rawValue: fields["solvency"] ?? ""), solvencyNotes: fields["solvencyNotes"] ?? "", sources: sources),
                    actor: user.actor, scope: scope)
            case .assign:
                var agent: User?
                if let raw = fields["agent"], !raw.isEmpty {
                    guard let id = Int64(raw), let found = try await UserStore(database).caseWorkers().first(where: { $0.id == id }) else {
                        throw FormError(message: "choose an agent from the list")
                    }
                    agent = found
                }
                try await store.assign(caseID: id, to: agent, actor: user.actor, scope: scope)
            case .dispute:
                guard let decision = fields["decision"], decision == "resume" || decision == "withdraw" else {
                    throw FormError(message: "choose to resume collection or to withdraw the claim")
                }
                try await store.answerDispute(caseID: id, resume: decision == "resume", text: fields["text"] ?? "", actor: user.actor, scope: scope)
            case .address:
                let address = PostalAddress(line1: fields["line1"]?.trimmingCharacters(in: .whitespaces) ?? "", line2: fields["line2"]?.trimmingCharacters(in: .whitespaces) ?? "",
                                            postcode: fields["postcode"]?.trimmingCharacters(in: .whitespaces) ?? "", city: fields["city"]?.trimmingCharacters(in: .whitespaces) ?? "",
                                            country: (fields["country"]?.trimmingCharacters(in: .whitespaces)).flatMap { $0.isEmpty ? nil : $0.uppercased() } ?? "FR")
                try await store.updateAddress(caseID: id, address, source: fields["source"] ?? "", actor: user.actor, scope: scope)
            case .registered:
                // The letter must be this case's (and the case within the caller's scope).
                guard try await store.exists(id: id, scope: scope) else { throw StoreError.notFound("case") }
                let reference = fields["reference"] ?? ""
                guard reference.hasPrefix(CaseReference(caseID: id).description + "/") else { throw FormError(message: "no such letter on this case") }
                if case let .refused(why) = try await PostTracking(database).registerNumber(reference: reference, number: fields["number"] ?? "", actor: user.actor, at: now()) {
                    throw FormError(message: why)
                }
            case .payment:
                let payment = try Self.payment(fields, user: user, today: ParisTime(now()).day)
                let rates = try await RateSettingsStore(database).current().settings.interestRates
                _ = try await PaymentStore(database).book(caseID: id, payment, actor: user.actor, at: now(), scope: scope, rates: rates)
                if let run = receipts() { _ = try await run.run(at: now()) }
                return .redirect(to: "/cases/\(id)#payments", type: .normal)
            case .plan:
                let count = Int(fields["count"]?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0
                guard let frequency = PlanFrequency(rawValue: fields["frequency"] ?? "") else { throw FormError(message: "choose how often the instalments fall due") }
                guard let first = Day(parsing: fields["first_on"]?.trimmingCharacters(in: .whitespaces) ?? "") else { throw FormError(message: "the first instalment's day (YYYY-MM-DD)") }
                var firstCents: Int64?
                if let raw = fields["first_amount"]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
                    guard case let .success(c) = AmountParser.minorUnits(Substring(raw), currency: .eur) else { throw FormError(message: "first instalment: \(raw) is not an amount") }
                    firstCents = c
                }
                let rates = try await RateSettingsStore(database).current().settings.interestRates
                try await PlanStore(database).propose(caseID: id, count: count, frequency: frequency, firstOn: first, firstCents: firstCents,
                                                      actor: user.actor, at: now(), scope: scope, rates: rates)
                // A plan in force is sent to the debtor at once, with the receipts.
                if let run = receipts() { _ = try await run.run(at: now()) }
                return .redirect(to: "/cases/\(id)#payment-plan", type: .normal)
            case .mandate:
                let iban: IBAN, bic: BIC?
                do {
                    iban = try IBAN(fields["iban"] ?? "")
                    bic = try (fields["bic"]?.trimmingCharacters(in: .whitespaces)).flatMap { $0.isEmpty ? nil : $0 }.map { try BIC($0) }
                } catch { throw FormError(message: "\(error)") }
                guard let signed = Day(parsing: fields["signed_on"]?.trimmingCharacters(in: .whitespaces) ?? "") else { throw FormError(message: "the day the debtor signed (YYYY-MM-DD)") }
                try await DirectDebitStore(database).addMandate(caseID: id, reference: fields["reference"] ?? "", iban: iban, bic: bic, signedOn: signed,
                                                                actor: user.actor, at: now(), scope: scope)
                return .redirect(to: "/cases/\(id)#payment-plan", type: .normal)
            case .planDecision:
                guard let planID = Int64(fields["plan"] ?? ""), let decision = fields["decision"], decision == "approve" || decision == "refuse" else {
                    throw FormError(message: "approve or refuse the plan")
                }
                try await PlanStore(database).decide(planID: planID, approve: decision == "approve", note: fields["note"] ?? "", actor: user.actor, at: now(), scope: scope)
                if let run = receipts() { _ = try await run.run(at: now()) }
                return .redirect(to: "/cases/\(id)#payment-plan", type: .normal)
            case .settlement:
                let rates = try await RateSettingsStore(database).current().settings.interestRates
                try await PaymentStore(database).acceptSettlement(caseID: id, reason: fields["reason"] ?? "", actor: user.actor, at: now(), scope: scope, rates: rates)
            }
        } catch StoreError.notFound {
            return try await show(request, context, user)
        } catch let e as FormError {
            return try await show(request, context, user, error: e.message, typed: fields)
        } catch let e as ContactWarning {
            return try await show(request, context, user, error: e.violations.map(\.description).joined(separator: " ; "), typed: fields, needsConfirm: true)
        } catch let e as ActionDetails.Problem {
            return try await show(request, context, user, error: e.description, typed: fields)
        } catch let e as CaseAction.Problem {
            return try await show(request, context, user, error: e.description, typed: fields)
        } catch let e as LifecycleError {
            return try await show(request, context, user, error: e.description)
        } catch let e as StoreError {
            return try await show(request, context, user, error: e.description)
        }
        return .redirect(to: "/cases/\(id)#timeline", type: .normal)
    }

    /// The payment form: amount, day, means, who received it, the payer's reference and the
    /// invoices the debtor named. A creditor's user reports only what the creditor received.
    static func payment(_ fields: [String: String], user: User, today: Day) throws -> NewPayment {
        let raw = fields["amount"]?.trimmingCharacters(in: .whitespaces) ?? ""
        guard case let .success(cents) = AmountParser.minorUnits(Substring(raw), currency: .eur) else { throw FormError(message: "amount: \(raw) is not an amount") }
        guard let day = Day(parsing: fields["received_on"]?.trimmingCharacters(in: .whitespaces) ?? "") else { throw FormError(message: "the day it was received (YYYY-MM-DD)") }
        guard let method = PaymentMethod(rawValue: fields["method"] ?? "") else { throw FormError(message: "choose how it was paid") }
        let receiver = user.role == .creditorUser ? .creditor : (PaymentReceiver(rawValue: fields["received_by"] ?? "") ?? .agency)
        let chosen = fields.compactMap { key, value in value == "1" && key.hasPrefix("pay_claim_") ? Int64(key.dropFirst("pay_claim_".count)) : nil }.sorted()
        let payment = NewPayment(receivedOn: day, cents: cents, method: method, receivedBy: receiver, payer: fields["payer"] ?? "",
                                 reference: fields["reference"] ?? "", debtorChoice: chosen)
        if let problem = payment.problem(today: today) { throw FormError(message: problem.description) }
        return payment
    }

    /// The promise, contact and refusal fields of the action form.
    static func actionDetails(_ fields: [String: String]) throws -> ActionDetails {
        // One checkbox per claim (`dispute_claim_<id>`): the form's fields keep one value per name.
        let contested = Set(fields.compactMap { key, value in value == "1" && key.hasPrefix("dispute_claim_") ? Int64(key.dropFirst("dispute_claim_".count)) : nil })
        var details = ActionDetails(contactValue: fields["contact"], refusesChannel: fields["refuses"] == "1", disputedClaimIDs: contested)
        if let raw = fields["promise_amount"]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            switch AmountParser.minorUnits(Substring(raw), currency: .eur) {
            case let .success(cents): details.promiseCents = cents
            case let .failure(e): throw FormError(message: "promised amount: \(e)")
            }
        }
        if let raw = fields["promise_date"]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            guard let day = Day(parsing: raw) else { throw FormError(message: "promised date: \(raw) is not a date (YYYY-MM-DD)") }
            details.promiseDueOn = day
        }
        return details
    }

    func list(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        let scope = CaseScope(user)
        let t = Strings(language: Locale.language(of: request))
        let query: CaseListQuery
        do { query = try CaseListQuery(request, maxLimit: 50) } catch {
            throw HTTPError(.badRequest, message: error.detail)
        }
        let filter = query.filter
        let cases = CaseStore(database)
        async let pageResult = cases.list(scope: scope, filter: filter, sort: query.sort, after: query.cursor, limit: query.limit)
        async let countsResult = counts.get(scope) { try await cases.countsByStatus(scope: $0) }
        async let creditorsResult = user.may(.viewCreditors) ? CreditorStore(database).list() : []
        async let workersResult = user.role.isAgencyStaff ? UserStore(database).caseWorkers() : []
        let (page, counts, creditors, workers) = try await (pageResult, countsResult, creditorsResult, workersResult)

        let base = query.parameters
        var next = base
        if let n = page.nextCursor { next["cursor"] = n.description }

        var view = pageContext(request, context, t, title: t["cases.title"])
        view["q"] = filter.text ?? ""
        view["creditorOptions"] = HTML.options(creditors.map { (String($0.id), $0.name, $0.id == filter.creditorID) })
        view["statusOptions"] = HTML.options(CaseStatus.allCases.map { ($0.rawValue, "\(t.status($0)) (\(counts[$0] ?? 0))", $0 == filter.status) })
        if user.role.isAgencyStaff {
            view["agents"] = ["unassigned": filter.unassigned, "list": HTML.options(workers.map { w in
                (String(w.id), w.displayName + (w.team.map { " (\($0))" } ?? ""), w.id == filter.agentID)
            })] as [String: Any]
        }
        view["balanceOptions"] = HTML.options(BalanceBand.allCases.map { ($0.rawValue, t["balance.\($0.rawValue)"], $0 == filter.balance) })
        view["ageOptions"] = HTML.options(AgeBand.allCases.map { ($0.rawValue, t["age.\($0.rawValue)"], $0 == filter.age) })
        view["sortOptions"] = HTML.options(CaseSort.allCases.map { ($0.rawValue, t["sort.\($0.rawValue)"], $0 == query.sort) })
        view["actionDue"] = filter.actionDue
        view.merge(caseRows(page.cases, t)) { _, new in new }
        view["namesCut"] = page.namesCut ? t["cases.namesCut"].replacing("{n}", with: String(CaseStore.nameMatchLimit)) : nil
        view["nextQuery"] = page.nextCursor == nil ? nil : pageQuery(next)
        view["firstQuery"] = query.cursor == nil ? nil : pageQuery(base)
        var response = views.page("cases", view)
        Locale.remember(request, in: &response)
        return response
    }

    /// The case page; after a refused form, `typed` holds what was sent (the action form is filled
    /// in again, so nothing typed is lost) and `needsConfirm` asks to confirm a contact-rule warning.
    func show(_ request: Request, _ context: AppContext, _ user: User, error: String? = nil, typed: [String: String] = [:],
              needsConfirm: Bool = false) async throws -> Response {
        let t = Strings(language: Locale.language(of: request))
        let rates = try await RateSettingsStore(database).current().settings.interestRates
        let today = ParisTime(now()).day
        // Another creditor's case is "not found", not "forbidden": its existence is not disclosed.
        guard let id = context.caseID,
              let (detail, account) = try await PaymentStore(database).detailAndAccount(caseID: id, scope: CaseScope(user), asOf: today, rates: rates) else {
            return views.notFound(request, context, t)
        }
        let s = detail.summary
        var page = pageContext(request, context, t, title: s.reference)
        page["id"] = String(s.id)
        page["formError"] = error
        page["reference"] = s.reference
        page["status"] = t.status(s.status)
        page["statusCode"] = s.status.rawValue
        if let susp = detail.lifecycle.suspension {
            page["suspension"] = "\(t.status(.suspended)) (\(susp.reason.rawValue)) → \(t.status(susp.resumeTo))"
        }
        page["balance"] = t.money(s.balance)
        page["claimed"] = t.money(s.claimed)
        page["paid"] = t.money(s.paid)
        page.merge(debtorCard(detail.debtor, t, link: true)) { _, new in new }
        let cr = detail.creditor
        if user.may(.viewCreditors) { page["creditorLink"] = "/creditors/\(cr.id)" }
        page["creditor"] = ["name": cr.name, "address": cr.address.lines, "mandate": cr.mandate.reference,
                            "commission": cr.mandate.commission.rateOfCollected.description] as [String: Any]
        page["claims"] = detail.claims.map { c -> [String: Any] in
            var row: [String: Any] = ["invoice": c.invoiceReference, "issued": t.day(c.issuedOn), "due": t.day(c.dueOn),
                                      "amount": t.money(c.principal), "vat": t.money(c.vat),
                                      "interest": c.interestTerms.contractualRate.map { "\($0) % (\(t["case.contractual"]))" } ?? t["case.statutory"]]
            if let d = c.withdrawnOn { row["state"] = "\(t["claim.withdrawn"]) \(t.day(d))" } else if let d = c.disputedOn { row["state"] = "\(t["claim.disputed"]) \(t.day(d))" }
            return row
        }
        page.merge(Self.ledgerView(detail, account.ledger, on: today, t)) { _, new in new }
        let paid = account.payments
        // The claims still collected: those a payment or a dispute can name.
        let collected = detail.claims.filter(\.isCollected).map { ["id": String($0.id), "invoice": $0.invoiceReference] }
        page["payments"] = paid.map { p -> [String: Any] in
            ["day": t.day(p.receivedOn), "amount": t.money(p.amount), "method": t.label(p.method.rawValue, french: p.method.french),
             "by": t.label(p.receivedBy.rawValue, french: p.receivedBy.french), "payer": p.payer, "reference": p.reference, "receipt": p.receiptNumber,
             "document": p.receiptDocumentID.map(String.init) as Any,
             "allocation": p.allocation.map { "\($0.invoice) \(t.label($0.part.rawValue, french: PaymentStore.partFrench($0.part))) \(t.money(.eur(cents: $0.cents)))" }
                .joined(separator: " · ") + (p.unallocatedCents > 0 ? " · \(t["payment.unallocated"]) \(t.money(.eur(cents: p.unallocatedCents)))" : "")]
        }
        page["hasPayments"] = !paid.isEmpty
        if user.may(.recordPayments), !detail.lifecycle.status.isTerminal {
            page["canPay"] = true
            page["payToday"] = today.iso
            page["methodOptions"] = HTML.options(PaymentMethod.allCases.map { ($0.rawValue, t.label($0.rawValue, french: $0.french), $0.rawValue == typed["method"]) })
            page["receiverOptions"] = user.role == .creditorUser ? HTML.options([(PaymentReceiver.creditor.rawValue, t.label("creditor", french: PaymentReceiver.creditor.french), true)])
                : HTML.options(PaymentReceiver.allCases.map { ($0.rawValue, t.label($0.rawValue, french: $0.french), $0.rawValue == (typed["received_by"] ?? "agency")) })
            page["payable"] = collected
        }
        if user.may(.acceptSettlements), !paid.isEmpty, (page["owedCents"] as? Int64 ?? 0) > 0, detail.lifecycle.possibleTargets.contains(.partiallyPaid) {
            page["canSettle"] = true
        }
        // The payment plan: its schedule where it stands, the creditor's answer, or the form.
        let plan = account.plan
        if let plan {
            page["payPlan"] = [
                "planID": String(plan.id), "status": t["payplan.\(plan.status.rawValue)"],
                "summary": "\(t.money(.eur(cents: plan.balanceCents))) · \(plan.instalments.count) × \(t["payplan.\(plan.frequency.rawValue)"])",
                "reasons": plan.approvalReasons, "decision": plan.decision,
                "frozen": plan.interestFrozenFrom.map { "\(t["payplan.frozen"]) \(t.day($0))" } as Any,
                "canDecide": plan.status == .awaitingApproval && user.may(.approvePlans),
                "instalments": plan.instalments.map { s -> [String: Any] in
                    ["number": s.instalment.number, "due": t.day(s.instalment.dueOn), "amount": t.money(.eur(cents: s.instalment.cents)),
                     "state": t["instalment.\(s.status.rawValue)"] + (s.paidOn.map { " \(t.day($0))" } ?? "")]
                },
            ] as [String: Any]
        }
        if user.may(.workCases), detail.lifecycle.possibleTargets.contains(.paymentPlan), plan?.status != .awaitingApproval, plan?.status != .active {
            page["canPropose"] = true
            page["planFirst"] = today.adding(days: 7).iso
            page["frequencyOptions"] = HTML.options(PlanFrequency.allCases.map { ($0.rawValue, t["payplan.\($0.rawValue)"], $0 == .monthly) })
            let terms = detail.creditor.mandate.planTerms
            page["planLimits"] = "\(t["payplan.limits"]) \(terms.maxMonths) \(t["payplan.months"]), \(t["payplan.minFirst"]) \(terms.minFirstPercent) %, "
                + (terms.interestRuns ? t["payplan.interestRuns"] : t["payplan.interestStops"]) + ", \(t["payplan.grace"]) \(terms.graceDays) \(t["creditor.days"])."
        }
        if let m = account.mandate {
            page["mandate"] = ["reference": m.reference, "iban": (try? IBAN(m.iban).printed) ?? m.iban, "signed": t.day(m.signedOn)]
        }
        if user.may(.workCases), !detail.lifecycle.status.isTerminal {
            page["canMandate"] = true
            page["mandateToday"] = today.iso
        }
        // The claims still collected, to say which ones a dispute is about.
        page["contestable"] = collected
        if let inv = detail.investigation {
            page["investigation"] = ["reason": inv.reason.map { t["reason.\($0.rawValue)"] } ?? "", "reasonNotes": inv.reasonNotes,
                                     "solvency": inv.solvency.map { t["solvency.\($0.rawValue)"] } ?? "", "solvencyNotes": inv.solvencyNotes,
                                     "sources": inv.sources.joined(separator: ", ")] as [String: Any]
        }
        let others = detail.history.entries.filter { $0.caseID != s.id }
        page["history"] = others.map { h -> [String: Any] in
            ["id": String(h.caseID), "reference": CaseReference(caseID: h.caseID).description, "creditor": h.creditorName,
             "status": t.status(h.status), "claimed": t.money(h.claimed)]
        }
        page["hasHistory"] = !others.isEmpty
        page["repeatDefaulter"] = detail.history.isRepeatDefaulter
        page["nextSteps"] = detail.lifecycle.possibleTargets.sorted().map { t.status($0) }
        if user.role.isAgencyStaff {
            let workers = try await UserStore(database).caseWorkers()
            page["staff"] = true
            page["agentName"] = s.agentID.map { id in workers.first { $0.id == id }?.displayName ?? "#\(id)" } ?? t["case.nobody"]
            if user.may(.assignCases) {
                page["canAssign"] = true
                page["workerOptions"] = HTML.options(workers.map { w in (String(w.id), w.displayName + (w.team.map { " (\($0))" } ?? ""), w.id == s.agentID) })
            }
        }
        if user.may(.workCases) {
            page["canWork"] = true
            page["channelOptions"] = HTML.options(CaseAction.Channel.allCases.map { ($0.rawValue, t.label($0.rawValue, french: $0.french), $0.rawValue == typed["channel"]) })
            page["outcomeOptions"] = HTML.options(CaseAction.Outcome.allCases.map { ($0.rawValue, t.label($0.rawValue, french: $0.french), $0.rawValue == typed["outcome"]) })
            page["contactOptions"] = HTML.options(detail.debtor.contacts.filter { $0.kind != .address && $0.status != .invalid }.map { ($0.value, $0.value, $0.value == typed["contact"]) })
            page["typed"] = ["report": typed["report"] ?? "", "promiseAmount": typed["promise_amount"] ?? "", "promiseDate": typed["promise_date"] ?? "",
                             "refuses": typed["refuses"] == "1"] as [String: Any]
            page["needsConfirm"] = needsConfirm
            page["targetOptions"] = HTML.options(detail.lifecycle.possibleTargets.sorted().map { ($0.rawValue, t.status($0), false) })
            page["suspensionOptions"] = HTML.options(SuspensionReason.allCases.map { ($0.rawValue, t.label($0.rawValue, french: $0.rawValue), false) })
            let inv = detail.investigation
            page["reasonOptions"] = HTML.options(NonPaymentReason.allCases.map { ($0.rawValue, t["reason.\($0.rawValue)"], $0 == inv?.reason) })
            page["solvencyOptions"] = HTML.options(Solvency.allCases.map { ($0.rawValue, t["solvency.\($0.rawValue)"], $0 == inv?.solvency) })
            page["form"] = ["reasonNotes": inv?.reasonNotes ?? "", "solvencyNotes": inv?.solvencyNotes ?? "", "sources": inv?.sources.joined(separator: ", ") ?? ""]
        }
        if user.role.isAgencyStaff {
            page.merge(try await planView(detail, t)) { _, new in new }
        }
        let claimsContested = detail.claims.contains { $0.disputedOn != nil && $0.withdrawnOn == nil }
        if detail.lifecycle.suspension?.reason == .dispute || claimsContested, user.may(.answerDisputes) { page["canAnswerDispute"] = true }
        // The letters sent, for everyone who sees the case (a creditor's users included).
        page["letters"] = detail.letters.map { l -> [String: Any] in
            ["reference": l.reference, "kind": t.label(l.channel.rawValue, french: l.channel.french), "day": t.day(l.letterOn), "pages": l.pages,
             "document": String(l.documentID), "status": t["mail.\(l.status.rawValue)"] + (l.statusOn.map { " (\(t.day($0)))" } ?? ""),
             "number": l.registeredNumber as Any, "needsNumber": l.channel == .registeredLetter && l.registeredNumber == nil && user.may(.printLetters)]
        }
        page["hasLetters"] = !detail.letters.isEmpty
        page["addressInvalid"] = detail.debtor.addressStatus == .invalid
        page["events"] = detail.events.map { e -> [String: Any] in
            var change: String?
            if let from = e.fromStatus, let to = e.toStatus { change = "\(t.status(from)) → \(t.status(to))" }
            var event: [String: Any] = ["at": e.occurredAt.description, "when": Self.when(e.occurredAt, t), "kind": Self.kindLabel(e.kind, t),
                                        "text": e.text, "actor": e.actor.id]
            event["change"] = change
            return event
        }
        var response = views.page("case", page, status: error == nil ? .ok : .unprocessableContent)
        Locale.remember(request, in: &response)
        return response
    }

    /// What the case owes as of `day`, every payment applied (`Ledger`): each claim's interest period
    /// by period — L441-10 (or the contract's rate) for a trader from the day after the due date, the
    /// legal rate for a consumer from the formal demand (the first registered letter), on the
    /// principal still owed — and the fixed indemnity (traders only). Days past the published table
    /// carry the last rate, said as an assumption.
    static func ledgerView(_ detail: CaseDetail, _ result: Result<CaseLedger, InterestProblem>, on day: Day, _ t: Strings) -> [String: Any] {
        var view: [String: Any] = ["interestAsOf": t.day(day)]
        let ledger: CaseLedger
        switch result {
        case let .success(l): ledger = l
        case let .failure(problem):
            view["interestNotes"] = [problem.description]
            view["hasInterest"] = true
            return view
        }
        let invoices = Dictionary(uniqueKeysWithValues: detail.claims.map { ($0.id, $0.invoiceReference) })
        var notes: [String] = []
        let rows: [[String: Any]] = ledger.claims.filter { !$0.lines.isEmpty }.map { p in
            if let a = p.assumedFrom { notes.append("\(invoices[p.claimID] ?? "") : \(t["interest.assumed"]) \(t.day(a))") }
            return ["invoice": invoices[p.claimID] ?? "", "total": t.money(.eur(cents: p.interestRunCents)),
                    "lines": p.lines.map { ["from": t.day($0.from), "to": t.day($0.to), "days": $0.days, "base": t.money($0.principal),
                                            "rate": "\(t.language == .fr ? $0.rate.french : $0.rate.description) %", "amount": t.money($0.amount), "source": $0.source] }]
        }
        if detail.debtor.kind == .consumer, detail.formalDemandOn == nil { notes.append(t["interest.noDemand"]) }
        let run = ledger.claims.reduce(Int64(0)) { $0 + $1.interestRunCents }
        let indemnities = ledger.claims.reduce(Int64(0)) { $0 + $1.accessoriesCents + $1.paidAccessoriesCents }
        view["interestRows"] = rows
        view["interestNotes"] = notes.sorted()
        view["hasInterest"] = !rows.isEmpty || !notes.isEmpty
        view["interestTotal"] = t.money(.eur(cents: run))
        if indemnities > 0 { view["indemnities"] = t.money(.eur(cents: indemnities)) }
        view["owed"] = ["principal": t.money(.eur(cents: ledger.principalCents)), "interest": t.money(.eur(cents: ledger.interestCents)),
                        "accessories": t.money(.eur(cents: ledger.accessoriesCents)), "total": t.money(.eur(cents: ledger.owedCents))]
        view["owedCents"] = ledger.owedCents
        return view
    }

    /// The strategy the case follows, its contact state and the tasks the daily run decided, each
    /// with its reason.
    func planView(_ detail: CaseDetail, _ t: Strings) async throws -> [String: Any] {
        var view: [String: Any] = [:]
        if let code = detail.plan.strategyCode {
            let strategy = try await SettingsStore(database).current().settings.strategies.first { $0.code == code }
            let steps = strategy?.sequence(detail.plan.variant).steps.count ?? 0
            var text = "« \(strategy?.name ?? code) »"
            if detail.plan.variant == .challenger { text += " (\(t["plan.challenger"]))" }
            text += " — " + (detail.plan.nextStep >= steps ? t["plan.finished"] : "\(t["plan.step"]) \(detail.plan.nextStep + 1)/\(steps)")
            if let next = detail.summary.nextActionOn { text += " — \(t["plan.next"]) \(t.day(next))" }
            view["plan"] = text
        }
        let c = detail.contact
        var facts: [String] = []
        if let p = c.promise { facts.append("\(t["plan.promise"]) \(t.money(Money.eur(cents: p.amountCents))) \(t["plan.by"]) \(t.day(p.dueOn))") }
        if let d = c.lastContactOn { facts.append("\(t["plan.lastContact"]) \(t.day(d))") }
        if !c.refusedChannels.isEmpty { facts.append("\(t["plan.refused"]) \(c.refusedChannels.map { $0.french }.sorted().joined(separator: ", "))") }
        if !c.callAttempts.isEmpty { facts.append("\(t["plan.calls"]) \(c.callAttempts.suffix(5).map { t.day($0) }.joined(separator: ", "))") }
        view["contactFacts"] = facts
        view["hasTasks"] = !detail.tasks.isEmpty
        view["tasks"] = detail.tasks.map { task -> [String: Any] in
            ["due": t.day(task.dueOn), "channel": task.channel.french, "status": t["task.\(task.status.rawValue)"], "statusCode": task.status.rawValue,
             "reason": task.reason + (task.problem.map { " — \(t["letters.problem"]) : \($0)" } ?? "")]
        }
        return view
    }

    static func when(_ i: Instant, _ t: Strings) -> String {
        let s = i.description // 2026-03-01T09:30:00.000Z
        let time = s.dropFirst(11).prefix(5)
        return "\(t.day(i.day)) \(time) UTC"
    }

    static func kindLabel(_ k: CaseEvent.Kind, _ t: Strings) -> String {
        switch (k, t.language) {
        case (.opened, .fr): "Ouverture"
        case (.opened, .en): "Opened"
        case (.claimsImported, .fr): "Import de créances"
        case (.claimsImported, .en): "Claims imported"
        case (.transition, .fr): "Changement de phase"
        case (.transition, .en): "Phase change"
        case (.investigationUpdated, .fr): "Enquête"
        case (.investigationUpdated, .en): "Investigation"
        case (.note, .fr): "Note"
        case (.note, .en): "Note"
        case (.action, .fr): "Action"
        case (.action, .en): "Action"
        case (.assigned, .fr): "Attribution"
        case (.assigned, .en): "Assignment"
        case (.mail, .fr): "Courrier"
        case (.mail, .en): "Mail"
        case (.payment, .fr): "Paiement"
        case (.payment, .en): "Payment"
        }
    }
}

/// The case list's counts per phase, per scope, kept 30 seconds: counting a million cases on
/// every page would cost more than the page itself, and a tab's count may lag a few seconds.
/// Requests arriving while a scope's first count runs wait for it rather than starting their own;
/// once a count is older than `lifetime`, one recount starts and the pages keep showing the last
/// counts until it ends (all of a scope's pages waited for each recount: every 30 seconds, a
/// million cases' count, 110 ms on SQLite and 230 on PostgreSQL, was every waiting page's).
actor StatusCounts {
    typealias Counts = [CaseStatus: Int]
    private struct Entry {
        var counts: Counts?
        var at: ContinuousClock.Instant
        var running: Task<Counts, any Error>?
    }
    let lifetime: Duration
    private var cache: [CaseScope: Entry] = [:]

    init(lifetime: Duration = .seconds(30)) { self.lifetime = lifetime }

    func get(_ scope: CaseScope, count: @escaping @Sendable (CaseScope) async throws -> Counts) async throws -> Counts {
        let now = ContinuousClock.now
        if let entry = cache[scope] {
            if let counts = entry.counts {
                if now - entry.at >= lifetime && entry.running == nil { start(scope, count) }
                return counts
            }
            if let running = entry.running { return try await running.value }
        }
        if cache.count > 10_000 { cache.removeAll() } // one entry per team, agent and creditor at most
        return try await start(scope, count).value
    }

    /// Counts `scope` once and keeps the result (a failed count keeps the last counts, and the
    /// next page tries again).
    @discardableResult
    private func start(_ scope: CaseScope, _ count: @escaping @Sendable (CaseScope) async throws -> Counts) -> Task<Counts, any Error> {
        let task = Task { try await count(scope) }
        cache[scope, default: Entry(counts: nil, at: .now)].running = task
        Task {
            let result = await task.result
            var entry = cache[scope] ?? Entry(counts: nil, at: .now)
            entry.running = nil
            if case let .success(counts) = result { entry.counts = counts; entry.at = .now }
            cache[scope] = entry.counts == nil ? nil : entry
        }
        return task
    }
}
