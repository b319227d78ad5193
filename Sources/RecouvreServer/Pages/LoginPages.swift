import Foundation
import Hummingbird
import RecouvreCore
import RecouvreStore

/// Login and logout. The login form carries a token of its own (also in a short cookie) so that
/// another site cannot log a visitor into an account of its choosing.
struct LoginPages: Sendable {
    let users: UserStore
    let views: Views
    static let formCookie = "recouvre_login"

    func addRoutes(to router: Router<AppContext>) {
        router.get("login") { request, context in self.form(request, context, error: nil, login: "") }
        router.post("login") { request, context in try await self.login(request, context) }
        router.post("logout") { request, context in try await self.logout(request, context) }
    }

    func form(_ request: Request, _ context: AppContext, error: String?, login: String, status: HTTPResponse.Status = .ok) -> Response {
        let t = Strings(language: Locale.language(of: request))
        let token = Tokens.random()
        var page = pageContext(request, context, t, title: t["login.title"])
        page["formToken"] = token
        page["login"] = login
        page["next"] = Self.safeNext(request.uri.queryParameters.get("next"))
        page["error"] = error
        var response = views.page("login", page, status: status)
        response.setCookie(Cookie(name: Self.formCookie, value: token, maxAge: 3600, path: "/login", httpOnly: true, sameSite: .strict))
        Locale.remember(request, in: &response)
        return response
    }

    func login(_ request: Request, _ context: AppContext) async throws -> Response {
        let t = Strings(language: Locale.language(of: request))
        let fields = try await formFields(request)
        let login = (fields["login"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        guard let sent = fields["formToken"], let expected = request.cookies[Self.formCookie]?.value, Tokens.equal(sent, expected) else {
            return form(request, context, error: t["login.expired"], login: login, status: .forbidden)
        }
        let now = SystemClock.now()
        let windowStart = Instant(millisecondsSinceEpoch: now.millisecondsSinceEpoch - loginAttemptWindowMilliseconds)
        if try await users.failures(login: login, since: windowStart) >= loginAttemptsAllowed {
            return form(request, context, error: t["login.locked"], login: login, status: .tooManyRequests)
        }
        let found = try await users.credentials(login: login)
        guard Passwords.verify(fields["password"] ?? "", hash: found?.passwordHash ?? ""), let user = found?.user else {
            try await users.recordFailure(login: login, at: now)
            return form(request, context, error: t["login.failed"], login: login, status: .unauthorized)
        }
        let token = Tokens.random()
        try await users.openSession(tokenHash: Tokens.hash(token), csrfToken: Tokens.random(), userID: user.id, at: now,
                                    expiresAt: Instant(millisecondsSinceEpoch: now.millisecondsSinceEpoch + sessionLifetimeMilliseconds))
        var response = Response.redirect(to: Self.safeNext(fields["next"]), type: .normal)
        response.setCookie(sessionCookie(token, maxAge: Int(sessionLifetimeMilliseconds / 1000), request: request))
        response.setCookie(Cookie(name: Self.formCookie, value: "", maxAge: 0, path: "/login", httpOnly: true, sameSite: .strict))
        return response
    }

    func logout(_ request: Request, _ context: AppContext) async throws -> Response {
        _ = try await checkedForm(request, context)
        if let token = request.cookies[SessionMiddleware.cookie]?.value { try await users.closeSession(tokenHash: Tokens.hash(token)) }
        var response = Response.redirect(to: "/login", type: .normal)
        response.setCookie(sessionCookie("", maxAge: 0, request: request))
        return response
    }

    /// Where to go after logging in: a path of this site only (never `//host` or a full URL).
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), !next.hasPrefix("/login") else { return "/cases" }
        return next
    }
}
