import Foundation
import Hummingbird
import HummingbirdBcrypt
import RecouvreCore
import RecouvreStore

/// The request context of every route: who is calling, once `SessionMiddleware` has read the cookie.
public struct AppContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The logged-in user, nil for an anonymous request.
    public var user: User?
    /// The session's CSRF token, to be echoed by every form that changes something.
    public var csrfToken: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// The case named by the route's `:id` (a case reference such as RC-0001042, or its number).
    var caseID: Int64? { parameters.get("id").flatMap { CaseReference(parsing: $0)?.caseID } }
}

/// Random tokens and their stored form.
enum Tokens {
    /// 32 random bytes, base64url: a session cookie or a CSRF token.
    static func random() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// What the database keeps of a token: its SHA-256, hex.
    static func hash(_ token: String) -> String {
        SHA256Hex.of(token)
    }

    /// Compares without stopping at the first difference.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

/// Passwords are kept as bcrypt hashes (cost 12).
/// API tokens: `rcv_` and 32 random bytes, shown once; the database keeps their SHA-256.
public enum APITokens {
    /// Creates a token for `user` and returns it (the only time it is seen whole).
    public static func create(for user: User, name: String, in users: UserStore) async throws -> String {
        let token = "rcv_" + Tokens.random()
        try await users.createToken(for: user, name: name, tokenHash: Tokens.hash(token))
        return token
    }
}

public enum Passwords {
    public static func hash(_ password: String) -> String { Bcrypt.hash(password, cost: 12) }

    public static func verify(_ password: String, hash: String) -> Bool {
        guard !hash.isEmpty else {
            // Same work as a real check, so a missing user is not told apart by the time it takes.
            _ = Bcrypt.verify(password, hash: dummy)
            return false
        }
        return Bcrypt.verify(password, hash: hash)
    }

    private static let dummy = Bcrypt.hash("recouvre-no-such-user", cost: 12)
}

/// Reads the session cookie, or an API token (`Authorization: Bearer …`), and puts the caller in
/// the context. A token carries no CSRF token: it cannot post the pages' forms.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = AppContext
    static let cookie = "recouvre_session"
    let users: UserStore

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        var context = context
        if let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer ") {
            let token = authorization.dropFirst("Bearer ".count).trimmingSpaces()
            guard let user = try await users.user(tokenHash: Tokens.hash(token)) else {
                return Problem(status: .unauthorized, code: "invalid_token", detail: "the API token is unknown or revoked").response
            }
            context.user = user
        } else if let token = request.cookies[Self.cookie]?.value, !token.isEmpty,
           let session = try await users.session(tokenHash: Tokens.hash(token), at: SystemClock.now()) {
            context.user = session.user
            context.csrfToken = session.csrfToken
        }
        return try await next(request, context)
    }
}

/// Sessions last a working day.
let sessionLifetimeMilliseconds: Int64 = 12 * 3_600_000
/// Five wrong passwords for one login within 15 minutes lock that login for the rest of them.
let loginAttemptsAllowed = 5
let loginAttemptWindowMilliseconds: Int64 = 15 * 60_000

/// The session cookie: HttpOnly, SameSite=Lax, Secure when the request came over TLS (through a
/// proxy that says so).
func sessionCookie(_ value: String, maxAge: Int, request: Request) -> Cookie {
    let tls = request.uri.scheme == .https || request.headers[values: .init("X-Forwarded-Proto")!].contains("https")
    return Cookie(name: SessionMiddleware.cookie, value: value, maxAge: maxAge, path: "/", secure: tls, httpOnly: true, sameSite: .lax)
}

/// A form posted by a page: `application/x-www-form-urlencoded`, at most 64 KB.
func formFields(_ request: Request) async throws -> [String: String] {
    let body = try await request.body.collect(upTo: 64 * 1024)
    var fields: [String: String] = [:]
    for pair in String(buffer: body).split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        func decode(_ s: Substring) -> String { s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
        fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
    }
    return fields
}
