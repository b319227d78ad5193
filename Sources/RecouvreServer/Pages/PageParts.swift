import Foundation
import Hummingbird
import RecouvreCore
import RecouvreStore

/// Runs `body` for a logged-in user; an anonymous visitor is sent to the login page, and comes
/// back to where they were going.
func signedIn(_ request: Request, _ context: AppContext, _ body: (User) async throws -> Response) async throws -> Response {
    guard let user = context.user else {
        let target = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        return .redirect(to: "/login?" + pageQuery(["next": target]), type: .found)
    }
    guard user.may(.viewCases) else { throw HTTPError(.forbidden) }
    return try await body(user)
}

extension CaseScope {
    /// What `user` may see: a creditor's user, that creditor's cases; an agent, their team's
    /// (their own without a team); other agency staff, the agency's.
    init(_ user: User) {
        if let creditor = user.creditorID { self = .creditor(creditor) }
        else if user.seesOnlyAssignedCases { self = user.team.map { .team($0) } ?? .agent(user.id) }
        else { self = .agency }
    }
}

/// The values every page's layout needs: labels, language switch, the user and their CSRF token.
func pageContext(_ request: Request, _ context: AppContext, _ t: Strings, title: String) -> [String: Any] {
    var params: [String: String] = [:]
    for (k, v) in request.uri.queryParameters where k != "lang" { params[String(k)] = String(v) }
    let other: Language = t.language == .fr ? .en : .fr
    params["lang"] = other.rawValue
    var page: [String: Any] = ["t": t.all, "lang": t.language.rawValue, "title": title, "otherLang": other.rawValue, "switchQuery": pageQuery(params)]
    if let user = context.user {
        page["user"] = ["name": user.displayName, "role": t["role.\(user.role.rawValue)"], "admin": user.may(.manageUsers),
                        "importer": user.may(.importClaims)] as [String: Any]
        page["csrf"] = context.csrfToken ?? ""
    }
    return page
}

/// `a=1&b=2`, keys sorted, values percent-encoded.
func pageQuery(_ params: [String: String]) -> String {
    params.sorted { $0.key < $1.key }.map { k, v in
        "\(k)=\(v.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed.subtracting(CharacterSet(charactersIn: "&=+?/"))) ?? v)"
    }.joined(separator: "&")
}

/// The rows of a case table (`case_rows`).
func caseRows(_ cases: [CaseSummary], _ t: Strings) -> [String: Any] {
    ["hasRows": !cases.isEmpty, "rows": cases.map { c -> [String: Any] in
        ["id": String(c.id), "reference": c.reference, "debtor": c.debtorName, "kind": t["kind.\(c.debtorKind)"],
         "creditor": c.creditorName, "status": t.status(c.status), "statusCode": c.status.rawValue,
         "claimCount": c.claimCount, "balance": t.money(c.balance), "oldestDue": c.oldestDueOn.map(t.day) ?? "",
         "opened": t.day(c.openedOn)]
    }]
}

/// A debtor's identity and contacts (`debtor_card`).
func debtorCard(_ d: Debtor, _ t: Strings, link: Bool) -> [String: Any] {
    var debtor: [String: Any] = ["name": d.name, "kind": t["kind.\(d.kind.rawValue)"], "address": d.address.lines]
    debtor["siren"] = d.siren?.value
    debtor["vat"] = d.vatNumber?.value
    var card: [String: Any] = ["debtor": debtor, "hasContacts": !d.contacts.isEmpty, "contacts": d.contacts.map { c -> [String: Any] in
        ["value": c.value, "source": c.source, "status": c.status.rawValue,
         "isPhone": c.kind == .phone, "isEmail": c.kind == .email, "isAddress": c.kind == .address]
    }]
    if link { card["debtorLink"] = "/debtors/\(d.id)" }
    return card
}

/// A form that changes something: its fields, once its `csrf` field matches the session's token
/// (403 otherwise, also for a bearer-token request, which has no session).
func checkedForm(_ request: Request, _ context: AppContext) async throws -> [String: String] {
    let fields = try await formFields(request)
    guard let expected = context.csrfToken, let sent = fields["csrf"], Tokens.equal(sent, expected) else {
        throw HTTPError(.forbidden, message: "missing or wrong CSRF token")
    }
    return fields
}
