/// What a person does at the agency, or for a creditor; their rights follow from it alone
/// (`Role.rights`), so authorisation is decided in one place.
public enum Role: String, CaseIterable, Hashable, Sendable, Codable {
    case agent, supervisor, lawyer, accountant, riskAnalyst, admin
    /// A creditor's employee: that creditor's cases, documents and figures only.
    case creditorUser

    public var isAgencyStaff: Bool { self != .creditorUser }
}

/// Something a route lets its caller do.
public enum Right: String, CaseIterable, Hashable, Sendable, Codable {
    /// See cases, their claims, history and reports (within the caller's scope).
    case viewCases
    /// Record actions and reports, edit the investigation, change a case's phase.
    case workCases
    /// Give cases to agents (a supervisor shares the work of the team).
    case assignCases
    /// Import creditors' claim lists.
    case importClaims
    /// See creditors, their mandates and figures.
    case viewCreditors
    /// Create and disable users, reset their passwords.
    case manageUsers
    /// Read and verify the audit trail.
    case readAudit
    /// Answer a debtor's dispute: resume collection or withdraw the claim (the creditor decides;
    /// a supervisor records the creditor's answer).
    case answerDisputes
    /// Edit the amicable strategies, the contact rules and the queue order.
    case editStrategies
    /// Print the day's letters, download print batches, import the post's files.
    case printLetters
    /// Edit the letter templates, the agency's identity on letters and the postage tariff.
    case editLetters
    /// Record a payment on a case (a creditor's user reports only what it received directly).
    case recordPayments
    /// Accept a partial payment as settlement of a case, the rest written off (the creditor decides;
    /// a supervisor records its agreement).
    case acceptSettlements
    /// Import the client-funds account's bank statements and reconcile the credits they could not
    /// match to a case (the accountant's work).
    case reconcileBankStatements
    /// Approve or refuse a payment plan beyond the mandate's limits (the creditor decides; a
    /// supervisor records its answer).
    case approvePlans
}

extension Role {
    /// The rights table (also in the README). Read access to cases is everyone's, within their
    /// scope; acting on them is the collection staff's; a creditor's user reads, and answers its debtors' disputes.
    public static let rights: [Role: Set<Right>] = [
        .agent: [.viewCases, .workCases, .recordPayments],
        .supervisor: [.viewCases, .workCases, .assignCases, .importClaims, .viewCreditors, .answerDisputes, .editStrategies, .printLetters, .editLetters,
                      .recordPayments, .acceptSettlements, .approvePlans],
        .lawyer: [.viewCases, .workCases, .viewCreditors],
        .accountant: [.viewCases, .viewCreditors, .readAudit, .printLetters, .recordPayments, .reconcileBankStatements],
        .riskAnalyst: [.viewCases, .viewCreditors],
        .admin: Set(Right.allCases),
        .creditorUser: [.viewCases, .answerDisputes, .recordPayments, .acceptSettlements, .approvePlans],
    ]

    public func may(_ right: Right) -> Bool { Self.rights[self]?.contains(right) ?? false }
}

/// A person who logs in.
public struct User: Hashable, Sendable, Codable, Identifiable {
    public var id: Int64
    public var login: String
    public var displayName: String
    public var role: Role
    /// Set for `creditorUser` only: whose cases they see.
    public var creditorID: Int64?
    public var team: String?

    public init(id: Int64, login: String, displayName: String, role: Role, creditorID: Int64? = nil, team: String? = nil) {
        self.id = id
        self.login = login
        self.displayName = displayName
        self.role = role
        self.creditorID = creditorID
        self.team = team
    }

    public func may(_ right: Right) -> Bool { role.may(right) }
    /// Agents see the cases of their team (or their own without a team); other staff see all.
    public var seesOnlyAssignedCases: Bool { role == .agent }
    public var actor: Actor { .user(login) }
}

/// A password a user may choose: long enough to resist guessing, not a login echo.
public enum PasswordRule {
    public static let minimumLength = 12

    /// Why `password` is refused, or nil.
    public static func problem(with password: String, login: String) -> String? {
        if password.count < minimumLength { return "at least \(minimumLength) characters" }
        if password.lowercased().contains(login.lowercased()) { return "must not contain the login" }
        return nil
    }
}
