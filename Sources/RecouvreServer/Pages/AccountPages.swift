import Foundation
import Hummingbird
import RecouvreCore
import RecouvreStore

/// The logged-in user's own page: change the password, create and revoke API tokens.
struct AccountPages: Sendable {
    let users: UserStore
    let views: Views

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.get { request, context in try await signedIn(request, context) { try await self.show(request, context, $0) } }
        group.post("password") { request, context in try await signedIn(request, context) { try await self.changePassword(request, context, $0) } }
        group.post("tokens") { request, context in try await signedIn(request, context) { try await self.createToken(request, context, $0) } }
        group.post("digest") { request, context in try await signedIn(request, context) { try await self.setDigest(request, context, $0) } }
        group.post("tokens/:token/revoke") { request, context in try await signedIn(request, context) { try await self.revoke(request, context, $0) } }
    }

    func show(_ request: Request, _ context: AppContext, _ user: User, error: String? = nil, newToken: String? = nil,
              status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = Strings(language: Locale.language(of: request))
        var page = pageContext(request, context, t, title: t["account.title"])
        page["login"] = user.login
        page["role"] = t["role.\(user.role.rawValue)"]
        page["formError"] = error
        page["newToken"] = newToken
        if user.role == .creditorUser {
            let digest = try await users.digest(userID: user.id)
            page["digest"] = ["email": digest.email ?? "", "daily": digest.daily] as [String: Any]
        }
        page["tokens"] = try await users.tokens(of: user.id).map { k -> [String: Any] in
            var token: [String: Any] = ["id": String(k.id), "name": k.name, "created": t.day(k.createdAt.day)]
            if let revoked = k.revokedAt { token["revoked"] = t.day(revoked.day) }
            return token
        }
        return views.page("account", page, status: status)
    }

    /// The posted form, once its CSRF token matches the session's.
    func changePassword(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        let t = Strings(language: Locale.language(of: request))
        let fields = try await checkedForm(request, context)
        let new = fields["new"] ?? ""
        guard let current = try await users.credentials(login: user.login), Passwords.verify(fields["current"] ?? "", hash: current.passwordHash) else {
            return try await show(request, context, user, error: t["account.wrongPassword"], status: .unprocessableContent)
        }
        if let problem = PasswordRule.problem(with: new, login: user.login) {
            return try await show(request, context, user, error: "\(t["account.weakPassword"]) \(problem)", status: .unprocessableContent)
        }
        guard new == fields["confirm"] else { return try await show(request, context, user, error: t["account.mismatch"], status: .unprocessableContent) }
        // Every session ends with the old password, this one too: log in again.
        try await users.setPassword(userID: user.id, passwordHash: Passwords.hash(new), actor: user.actor)
        var response = Response.redirect(to: "/login", type: .normal)
        response.setCookie(sessionCookie("", maxAge: 0, request: request))
        return response
    }

    func createToken(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        let fields = try await checkedForm(request, context)
        let token: String
        do {
            token = try await APITokens.create(for: user, name: fields["name"] ?? "", in: users)
        } catch let e as StoreError {
            return try await show(request, context, user, error: e.description, status: .unprocessableContent)
        }
        // Shown once: only its hash is kept.
        return try await show(request, context, user, newToken: token)
    }

    /// A creditor's user chooses to receive the daily digest of their cases' reports, and where.
    func setDigest(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        guard user.role == .creditorUser else { throw HTTPError(.forbidden, message: "the digest is for creditors' users") }
        let fields = try await checkedForm(request, context)
        do {
            try await users.setDigest(userID: user.id, email: fields["email"], daily: fields["daily"] == "1", actor: user.actor)
        } catch let e as StoreError {
            return try await show(request, context, user, error: e.description, status: .unprocessableContent)
        }
        return .redirect(to: "/account", type: .normal)
    }

    func revoke(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        _ = try await checkedForm(request, context)
        guard let id = context.parameters.get("token").flatMap({ Int64($0) }) else { throw HTTPError(.notFound) }
        do { try await users.revokeToken(id: id, of: user) } catch StoreError.notFound { throw HTTPError(.notFound) }
        return .redirect(to: "/account", type: .normal)
    }
}
