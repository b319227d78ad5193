import Foundation
import Hummingbird
import RecouvreCore
import RecouvreStore

/// `/cases`: the list with the page's filters and orders, a case with its history, and recording
/// an action with its report.
extension API {
    struct CaseJSON: Encodable {
        let id: Int64, reference: String, creditor: String, debtor: String, debtor_kind: String, status: String
        let claimed: String, paid: String, balance: String, currency: String, claim_count: Int, oldest_due_on: Nullable<String>, opened_on: String
        let agent_id: Nullable<Int64>, next_action_on: Nullable<String>
        init(_ c: CaseSummary) {
            id = c.id; reference = c.reference; creditor = c.creditorName; debtor = c.debtorName; debtor_kind = c.debtorKind
            status = c.status.rawValue; claimed = c.claimed.decimalString; paid = c.paid.decimalString; balance = c.balance.decimalString
            currency = c.claimed.currency.code; claim_count = c.claimCount; oldest_due_on = Nullable(c.oldestDueOn?.iso); opened_on = c.openedOn.iso
            agent_id = Nullable(c.agentID); next_action_on = Nullable(c.nextActionOn?.iso)
        }

        /// The same object as `JSONEncoder` with sorted keys writes (a test compares them).
        func write(into w: inout JSONWriter) {
            w.raw("{\"agent_id\":"); w.integer(agent_id.value)
            w.raw(",\"balance\":"); w.string(balance)
            w.raw(",\"claim_count\":"); w.integer(claim_count)
            w.raw(",\"claimed\":"); w.string(claimed)
            w.raw(",\"creditor\":"); w.string(creditor)
            w.raw(",\"currency\":"); w.string(currency)
            w.raw(",\"debtor\":"); w.string(debtor)
            w.raw(",\"debtor_kind\":"); w.string(debtor_kind)
            w.raw(",\"id\":"); w.integer(id)
            w.raw(",\"next_action_on\":"); w.string(next_action_on.value)
            w.raw(",\"oldest_due_on\":"); w.string(oldest_due_on.value)
            w.raw(",\"opened_on\":"); w.string(opened_on)
            w.raw(",\"paid\":"); w.string(paid)
            w.raw(",\"reference\":"); w.string(reference)
            w.raw(",\"status\":"); w.string(status)
            w.raw("}")
        }
    }

    /// A page of the case list as the API answers it: `{"cases": […], "next_cursor": …}`.
    static func casePageJSON(_ page: CasePage) -> [UInt8] {
        var w = JSONWriter(capacity: 512 * (page.cases.count + 1))
        w.raw("{\"cases\":[")
        for (i, c) in page.cases.enumerated() {
            if i > 0 { w.raw(",") }
            CaseJSON(c).write(into: &w)
        }
        w.raw("],\"next_cursor\":"); w.string(page.nextCursor?.description)
        w.raw("}")
        return w.bytes
    }

    func listCases(_ request: Request, _ user: User) async throws -> Response {
        let scope = CaseScope(user)
        let query: CaseListQuery
        do { query = try CaseListQuery(request) } catch { throw Problem(status: .badRequest, code: error.code, detail: error.detail) }
        let page = try await CaseStore(database).list(scope: scope, filter: query.filter, sort: query.sort, after: query.cursor, limit: query.limit)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(bytes: Self.casePageJSON(page))))
    }

    func showCase(_ context: AppContext, _ user: User) async throws -> Response {
        let today = ParisTime(now()).day
        let rates = try await RateSettingsStore(database).current().settings.interestRates
        guard let (d, account) = try await PaymentStore(database).detailAndAccount(caseID: try Self.caseID(context), scope: CaseScope(user), asOf: today, rates: rates) else {
            throw Problem(status: .notFound, code: "case_not_found", detail: "no such case")
        }
        struct LineJSON: Encodable { let from, to: String; let days: Int; let rate, amount, source: String; let assumed: Bool }
        struct InterestJSON: Encodable { let as_of, total: String; let assumed_from: Nullable<String>; let fixed_indemnity: String; let lines: [LineJSON] }
        struct ClaimJSON: Encodable {
            let invoice_ref, issued_on, due_on, amount, vat_amount: String
            let interest_rate: Nullable<String>
            let interest: Nullable<InterestJSON>
            let interest_problem: Nullable<String>
        }
        let ledger = account.ledger
        func claimJSON(_ c: Claim) -> ClaimJSON {
            var interest: InterestJSON?, problem: String?
            switch ledger {
            case let .success(l):
                if let p = l.claims.first(where: { $0.claimID == c.id }), LedgerClaim(c, debtorKind: d.debtor.kind, formalDemandOn: d.formalDemandOn).interest != nil {
                    interest = InterestJSON(as_of: today.iso, total: Money.eur(cents: p.interestRunCents).decimalString, assumed_from: Nullable(p.assumedFrom?.iso),
                                            fixed_indemnity: LateInterest.fixedIndemnity(debtorKind: d.debtor.kind).decimalString,
                                            lines: p.lines.map { LineJSON(from: $0.from.iso, to: $0.to.iso, days: $0.days, rate: $0.rate.description,
                                                                          amount: $0.amount.decimalString, source: $0.source, assumed: $0.assumed) })
                }
            case let .failure(p): problem = p.description
            }
            return ClaimJSON(invoice_ref: c.invoiceReference, issued_on: c.issuedOn.iso, due_on: c.dueOn.iso, amount: c.principal.decimalString,
                             vat_amount: c.vat.decimalString, interest_rate: Nullable(c.interestTerms.contractualRate?.description),
                             interest: Nullable(interest), interest_problem: Nullable(problem))
        }
        struct OwedJSON: Encodable { let as_of, principal, interest, accessories, total: String }
        var owed: OwedJSON?
        if case let .success(l) = ledger {
            owed = OwedJSON(as_of: today.iso, principal: Money.eur(cents: l.principalCents).decimalString, interest: Money.eur(cents: l.interestCents).decimalString,
                            accessories: Money.eur(cents: l.accessoriesCents).decimalString, total: Money.eur(cents: l.owedCents).decimalString)
        }
        struct EventJSON: Encodable { let at, actor, kind, text: String; let from, to: Nullable<String> }
        struct Body: Encodable { let `case`: CaseJSON; let owed: Nullable<OwedJSON>; let claims: [ClaimJSON]; let events: [EventJSON]; let allowed_transitions: [String] }
        return try jsonResponse(Body(
            case: CaseJSON(d.summary),
            owed: Nullable(owed),
            claims: d.claims.map(claimJSON),
            events: d.events.map { EventJSON(at: $0.occurredAt.description, actor: $0.actor.id, kind: $0.kind.rawValue, text: $0.text,
                                             from: Nullable($0.fromStatus?.rawValue), to: Nullable($0.toStatus?.rawValue)) },
            allowed_transitions: d.lifecycle.possibleTargets.sorted().map(\.rawValue)))
    }

    /// `POST /cases/{id}/actions` with `{"channel", "outcome", "report"}` and optionally the promise
    /// (`promise_amount_cents`, `promise_due_on`), the `contact` used and `refuses_channel`: the
    /// same rules as the case page's form. An action against the contact rules is refused (409
    /// `contact_rule`) unless `override_contact_rules` is true. 201 with the event as the history
    /// shows it.
    func createAction(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        let id = try Self.caseID(context)
        struct Body: Decodable {
            let channel: String
            let outcome: String
            let report: String
            let promise_amount_cents: Int64?
            let promise_due_on: String?
            let contact: String?
            let refuses_channel: Bool?
            let override_contact_rules: Bool?
            let disputed_invoices: [String]?
        }
        let body: Body
        do { body = try JSONDecoder().decode(Body.self, from: Data(buffer: try await request.body.collect(upTo: 64 << 10))) } catch {
            throw Problem(status: .badRequest, code: "invalid_json", detail: "expected {\"channel\", \"outcome\", \"report\"} as JSON")
        }
        guard let channel = CaseAction.Channel(rawValue: body.channel) else {
            throw Problem(status: .unprocessableContent, code: "invalid_channel", detail: "channel: one of \(CaseAction.Channel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let outcome = CaseAction.Outcome(rawValue: body.outcome) else {
            throw Problem(status: .unprocessableContent, code: "invalid_outcome", detail: "outcome: one of \(CaseAction.Outcome.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let action: CaseAction
        do { action = try CaseAction(channel: channel, outcome: outcome, report: body.report) } catch let e as CaseAction.Problem {
            throw Problem(status: .unprocessableContent, code: "invalid_action", detail: e.description)
        }
        var promiseDay: Day?
        if let raw = body.promise_due_on {
            guard let d = Day(parsing: raw) else { throw Problem(status: .unprocessableContent, code: "invalid_promise", detail: "promise_due_on: YYYY-MM-DD, not \(raw)") }
            promiseDay = d
        }
        let store = CaseStore(database), scope = CaseScope(user)
        // The contested invoices, by their reference, as the claims' ids the store takes.
        var contested: Set<Int64> = []
        if let refs = body.disputed_invoices, !refs.isEmpty {
            guard let d = try await store.detail(id: id, scope: scope) else { throw Problem(status: .notFound, code: "case_not_found", detail: "no such case") }
            for ref in refs {
                guard let claim = d.claims.first(where: { $0.invoiceReference == ref }) else {
                    throw Problem(status: .unprocessableContent, code: "invalid_dispute", detail: "disputed_invoices: \(ref) is not an invoice of this case")
                }
                contested.insert(claim.id)
            }
        }
        let details = ActionDetails(promiseCents: body.promise_amount_cents, promiseDueOn: promiseDay, contactValue: body.contact,
                                    refusesChannel: body.refuses_channel ?? false, disputedClaimIDs: contested)
        let at = now()
        do {
            if body.override_contact_rules != true {
                let violations = try await store.contactRuleViolations(caseID: id, channel: channel, at: at, scope: scope)
                if !violations.isEmpty {
                    throw Problem(status: .conflict, code: "contact_rule", detail: violations.map(\.description).joined(separator: " ; ") + " (override_contact_rules: true to record it anyway)")
                }
            }
            try await store.recordAction(caseID: id, action, details: details, actor: user.actor, at: at, scope: scope)
        } catch StoreError.notFound {
            throw Problem(status: .notFound, code: "case_not_found", detail: "no such case")
        } catch let e as ActionDetails.Problem {
            throw Problem(status: .unprocessableContent, code: "invalid_promise", detail: e.description)
        } catch let StoreError.invalid(why) {
            throw Problem(status: .unprocessableContent, code: "invalid_dispute", detail: why)
        }
        struct Created: Encodable { let `case`: String; let at, actor, kind, text, channel, outcome, report: String }
        return try jsonResponse(Created(case: CaseReference(caseID: id).description, at: at.description, actor: user.actor.id, kind: CaseEvent.Kind.action.rawValue,
                                        text: action.historyText, channel: channel.rawValue, outcome: outcome.rawValue, report: action.report), status: .created)
    }
}
