import Foundation
import Hummingbird
import RecouvreCore
import RecouvreStore

/// The administrator's list of users: create one with a role (and its creditor for a creditor's
/// user), disable one.
struct UserPages: Sendable {
    let database: Database
    let views: Views

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.get { request, context in try await signedIn(request, context) { try await self.list(request, context, try Self.admin($0)) } }
        group.post { request, context in try await signedIn(request, context) { try await self.create(request, context, try Self.admin($0)) } }
        group.post(":id/password") { request, context in try await signedIn(request, context) { try await self.resetPassword(request, context, try Self.admin($0)) } }
        group.post(":id/disable") { request, context in try await signedIn(request, context) { try await self.disable(request, context, try Self.admin($0)) } }
    }

    static func admin(_ user: User) throws -> User {
        guard user.may(.manageUsers) else { throw HTTPError(.forbidden, message: "your role cannot manage users") }
        return user
    }

    func list(_ request: Request, _ context: AppContext, _ admin: User, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = Strings(language: Locale.language(of: request))
        let creditors = try await CreditorStore(database).list()
        let names = Dictionary(uniqueKeysWithValues: creditors.map { ($0.id, $0.name) })
        var page = pageContext(request, context, t, title: t["users.title"])
        page["formError"] = error
        page["users"] = try await UserStore(database).list().map { u, disabled -> [String: Any] in
            var row: [String: Any] = ["id": String(u.id), "login": u.login, "name": u.displayName, "role": t["role.\(u.role.rawValue)"],
                                      "creditor": u.creditorID.flatMap { names[$0] } ?? "", "team": u.team ?? "", "disabled": disabled]
            row["canDisable"] = !disabled && u.id != admin.id
            return row
        }
        page["roles"] = Role.allCases.map { ["value": $0.rawValue, "label": t["role.\($0.rawValue)"]] }
        page["creditors"] = creditors.map { ["id": String($0.id), "name": $0.name] }
        return views.page("users", page, status: status)
    }

    func create(_ request: Request, _ context: AppContext, _ admin: User) async throws -> Response {
        let fields = try await checkedForm(request, context)
        let login = fields["login"] ?? "", password = fields["password"] ?? ""
        guard let role = Role(rawValue: fields["role"] ?? "") else { return try await list(request, context, admin, error: "choose a role", status: .unprocessableContent) }
        if let problem = PasswordRule.problem(with: password, login: login) {
            return try await list(request, context, admin, error: "password: \(problem)", status: .unprocessableContent)
        }
        let creditorID = role == .creditorUser ? fields["creditor"].flatMap { Int64($0) } : nil
        let team = (fields["team"] ?? "").trimmingCharacters(in: .whitespaces)
        do {
            _ = try await UserStore(database).create(login: login, displayName: fields["name"] ?? login, role: role, creditorID: creditorID,
                                                     team: team.isEmpty ? nil : team, passwordHash: Passwords.hash(password), actor: admin.actor)
        } catch let e as StoreError {
            return try await list(request, context, admin, error: e.description, status: .unprocessableContent)
        }
        return .redirect(to: "/admin/users", type: .normal)
    }

    /// Sets a new password for a user who lost theirs; their sessions end (audited as user.password).
    func resetPassword(_ request: Request, _ context: AppContext, _ admin: User) async throws -> Response {
        let fields = try await checkedForm(request, context)
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }),
              let target = try await UserStore(database).list().first(where: { $0.user.id == id })?.user else { throw HTTPError(.notFound) }
        let password = fields["password"] ?? ""
        if let problem = PasswordRule.problem(with: password, login: target.login) {
            return try await list(request, context, admin, error: "\(target.login) — password: \(problem)", status: .unprocessableContent)
        }
        try await UserStore(database).setPassword(userID: id, passwordHash: Passwords.hash(password), actor: admin.actor)
        return .redirect(to: "/admin/users", type: .normal)
    }

    func disable(_ request: Request, _ context: AppContext, _ admin: User) async throws -> Response {
        _ = try await checkedForm(request, context)
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else { throw HTTPError(.notFound) }
        // An administrator cannot lock themselves (and possibly everyone) out.
        guard id != admin.id else { return try await list(request, context, admin, error: "you cannot disable yourself", status: .unprocessableContent) }
        do { try await UserStore(database).disable(userID: id, actor: admin.actor) } catch StoreError.notFound { throw HTTPError(.notFound) }
        return .redirect(to: "/admin/users", type: .normal)
    }
}
