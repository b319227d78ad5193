import Testing
@testable import RecouvreCore

@Suite struct LifecycleTests {
    let at = Instant(millisecondsSinceEpoch: 1_790_000_000_000)

    /// The whole table, written out independently of the code: every pair not listed is forbidden.
    static let expected: [CaseStatus: Set<CaseStatus>] = [
        .intake: [.investigation, .amicable, .suspended, .returnedToCreditor],
        .investigation: [.amicable, .decisionPending, .paid, .partiallyPaid, .paymentPlan, .litigation, .irrecoverable, .suspended, .returnedToCreditor],
        .amicable: [.investigation, .decisionPending, .paid, .partiallyPaid, .paymentPlan, .suspended, .returnedToCreditor],
        .decisionPending: [.amicable, .paid, .partiallyPaid, .paymentPlan, .litigation, .irrecoverable, .suspended, .returnedToCreditor],
        .paymentPlan: [.amicable, .decisionPending, .paid, .partiallyPaid, .litigation, .irrecoverable, .suspended, .returnedToCreditor],
        .litigation: [.paid, .partiallyPaid, .paymentPlan, .irrecoverable, .suspended, .returnedToCreditor],
        .paid: [.closed, .returnedToCreditor],
        .partiallyPaid: [.closed, .litigation, .suspended, .returnedToCreditor],
        .irrecoverable: [.closed, .returnedToCreditor],
        .closed: [],
        .returnedToCreditor: [],
    ]

    static func lifecycle(_ s: CaseStatus) -> CaseLifecycle {
        s == .suspended ? CaseLifecycle(status: .suspended, suspension: .init(reason: .dispute, resumeTo: .amicable)) : CaseLifecycle(status: s)
    }

    @Test(arguments: CaseStatus.allCases.filter { $0 != .suspended })
    func everyTransitionFrom(_ from: CaseStatus) throws {
        let allowed = Self.expected[from]!
        for to in CaseStatus.allCases {
            let result = Result { () throws(LifecycleError) -> CaseLifecycle in
                try Self.lifecycle(from).moving(to: to, suspensionReason: to == .suspended ? .dispute : nil)
            }
            switch result {
            case let .success(next):
                #expect(allowed.contains(to), "\(from) → \(to) should be forbidden")
                #expect(next.status == to)
                if to == .suspended { #expect(next.suspension == .init(reason: .dispute, resumeTo: from)) }
            case let .failure(error):
                #expect(!allowed.contains(to), "\(from) → \(to) should be allowed: \(error)")
                #expect(error == .forbidden(from: from, to: to, allowed: Self.lifecycle(from).possibleTargets.sorted()))
            }
        }
    }

    @Test func suspensionResumesWhereItStopped() throws {
        let suspended = try CaseLifecycle(status: .amicable).moving(to: .suspended, suspensionReason: .collectiveProceedings)
        #expect(suspended.possibleTargets == [.amicable, .irrecoverable, .closed, .returnedToCreditor])
        #expect(try suspended.moving(to: .amicable).status == .amicable)
        #expect(throws: LifecycleError.self) { try suspended.moving(to: .investigation) }
        #expect(throws: LifecycleError.self) { try suspended.moving(to: .suspended, suspensionReason: .dispute) }
    }

    @Test func suspendingNeedsAReason() {
        #expect(throws: LifecycleError.suspensionNeedsReason) { try CaseLifecycle(status: .amicable).moving(to: .suspended) }
    }

    @Test func transitionRecordsTheEvent() throws {
        let t = try Transition.make(caseID: 7, from: CaseLifecycle(status: .amicable), to: .paymentPlan, actor: .user("alice"), at: at,
                                    reason: "  6 mensualités acceptées  ")
        #expect(t.event == CaseEvent(caseID: 7, occurredAt: at, actor: .user("alice"), kind: .transition, fromStatus: .amicable,
                                     toStatus: .paymentPlan, text: "6 mensualités acceptées"))
        #expect(throws: LifecycleError.reasonRequired) {
            try Transition.make(caseID: 7, from: CaseLifecycle(status: .amicable), to: .paid, actor: .system, at: at, reason: " ")
        }
    }

    @Test func phases() {
        #expect(CaseStatus.decisionOutcomes.allSatisfy { $0.phase == .decision })
        #expect(CaseStatus.closed.isTerminal && CaseStatus.returnedToCreditor.isTerminal && !CaseStatus.paid.isTerminal)
    }

    @Test func debtorHistorySummarises() {
        let eur = Money.eur(cents: 0)
        let h = DebtorHistory(entries: [
            HistoryEntry(caseID: 1, creditorName: "A", status: .irrecoverable, claimed: eur, paid: eur, openedOn: Day(year: 2025, month: 1, day: 1)!),
            HistoryEntry(caseID: 2, creditorName: "B", status: .amicable, claimed: eur, paid: eur, openedOn: Day(year: 2026, month: 1, day: 1)!),
        ])
        #expect(h.creditorCount == 2 && h.casesEndedUnpaid == 1 && h.openCases == 1 && h.isRepeatDefaulter)
        #expect(h.entries.first?.caseID == 2)
    }
}

@Suite struct RoleTests {
    @Test func everyRoleHasItsRowAndOnlyAdminsManageUsers() {
        for role in Role.allCases { #expect(Role.rights[role] != nil, "\(role) has no row in the rights table") }
        #expect(Role.allCases.filter { $0.may(.manageUsers) } == [.admin])
        #expect(Role.creditorUser.may(.viewCases) && !Role.creditorUser.may(.workCases) && !Role.creditorUser.may(.viewCreditors))
        #expect(Role.agent.may(.workCases) && !Role.agent.may(.importClaims))
    }

    @Test func passwordRule() {
        #expect(PasswordRule.problem(with: "court", login: "marie") != nil)
        #expect(PasswordRule.problem(with: "xxmarie-2026-longue", login: "Marie") != nil)
        #expect(PasswordRule.problem(with: "cheval-agrafe-batterie", login: "marie") == nil)
    }
}

@Suite struct CaseActionTests {
    @Test func eachChannelHasItsOutcomesAndAReportIsRequired() throws {
        #expect(CaseAction.outcomes(for: .call).contains(.wrongNumber) && !CaseAction.outcomes(for: .letter).contains(.reached))
        #expect(CaseAction.outcomes(for: .note) == [.none])
        for channel in CaseAction.Channel.allCases { #expect(!CaseAction.outcomes(for: channel).isEmpty) }
        #expect(throws: CaseAction.Problem.outcomeDoesNotFit(.email, .promise)) { try CaseAction(channel: .email, outcome: .promise, report: "x") }
        #expect(throws: CaseAction.Problem.emptyReport) { try CaseAction(channel: .call, outcome: .noAnswer, report: " \n ") }
        #expect(throws: CaseAction.Problem.reportTooLong(4001)) { try CaseAction(channel: .note, outcome: .none, report: String(repeating: "a", count: 4001)) }
        let a = try CaseAction(channel: .visit, outcome: .refusal, report: "  Refuse de payer, conteste rien.  ")
        #expect(a.report == "Refuse de payer, conteste rien." && a.historyText == "Visite · refus — Refuse de payer, conteste rien.")
    }
}
