import Foundation
import Hummingbird
import RecouvreCore
import RecouvreStore

/// A debtor's page (all their cases the viewer may see) and a creditor's page for agency staff
/// (mandate, headline figures, latest cases).
struct PartyPages: Sendable {
    let database: Database
    let views: Views

    func addRoutes(to router: Router<AppContext>) {
        router.get("debtors/:id") { request, context in try await signedIn(request, context) { try await self.debtor(request, context, $0) } }
        router.get("creditors/:id") { request, context in try await signedIn(request, context) { try await self.creditor(request, context, $0) } }
    }

    func debtor(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        let t = Strings(language: Locale.language(of: request))
        let store = CaseStore(database), scope = CaseScope(user)
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }), let debtor = try await store.debtor(id: id, scope: scope) else {
            return views.notFound(request, context, t)
        }
        var page = pageContext(request, context, t, title: debtor.name)
        page.merge(debtorCard(debtor, t, link: false)) { _, new in new }
        page.merge(caseRows(try await store.list(scope: scope, filter: CaseFilter(debtorID: id), limit: 200).cases, t)) { _, new in new }
        return views.page("debtor", page)
    }

    func creditor(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        guard user.may(.viewCreditors) else { throw HTTPError(.forbidden, message: "your role cannot see creditors") }
        let t = Strings(language: Locale.language(of: request))
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }), let c = try await CreditorStore(database).find(id: id) else {
            return views.notFound(request, context, t)
        }
        let store = CaseStore(database), scope = CaseScope.creditor(id)
        var page = pageContext(request, context, t, title: c.name)
        page["creditorID"] = String(id)
        var creditor: [String: Any] = ["name": c.name, "code": c.code, "address": c.address.lines]
        creditor["siren"] = c.siren?.value
        page["creditor"] = creditor
        let m = c.mandate
        page["mandate"] = ["reference": m.reference, "signed": t.day(m.signedOn), "covered": m.claimsCovered, "guarantee": m.guarantee,
                           "commission": m.commission.rateOfCollected.description,
                           "remittance": "\(t["remittance.\(m.remittance.method.rawValue)"]), \(m.remittance.withinDays) \(t["creditor.days"])"]
        page["totals"] = try await store.totals(scope: scope).map { ["claimed": t.money($0.claimed), "paid": t.money($0.paid)] }
        let counts = try await store.countsByStatus(scope: scope)
        page["statuses"] = CaseStatus.allCases.filter { counts[$0] != nil }.map { s -> [String: Any] in
            ["value": s.rawValue, "label": t.status(s), "count": counts[s] ?? 0]
        }
        page.merge(caseRows(try await store.list(scope: scope, limit: 20).cases, t)) { _, new in new }
        return views.page("creditor", page)
    }
}
