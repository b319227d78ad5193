/// A claim as the ledger reckons it: its principal, the interest it bears and from when, and the
/// fixed indemnity owed once it is late.
public struct LedgerClaim: Hashable, Sendable {
    public let id: Int64
    public let invoiceReference: String
    public let issuedOn: Day
    public let dueOn: Day
    public let principalCents: Int64
    /// nil: no interest runs (a consumer not yet formally asked).
    public let interest: InterestRun?
    /// D441-5's 40 € between traders, owed from the day after the due date; 0 for a consumer.
    public let indemnityCents: Int64

    public init(id: Int64, invoiceReference: String = "", issuedOn: Day, dueOn: Day, principalCents: Int64, interest: InterestRun?, indemnityCents: Int64) {
        self.id = id
        self.invoiceReference = invoiceReference
        self.issuedOn = issuedOn
        self.dueOn = dueOn
        self.principalCents = principalCents
        self.interest = interest
        self.indemnityCents = indemnityCents
    }

    /// A case's claim with the interest and indemnity the law gives it. Withdrawn and contested
    /// claims are left out by the caller (nothing is asked on them while contested).
    /// `interestThrough`: the last day bearing interest when it stops (a plan kept whose mandate
    /// stops it: the plan spreads what was owed on its first day, that day's interest included).
    public init(_ claim: Claim, debtorKind: Debtor.Kind, formalDemandOn: Day?, interestThrough: Day? = nil) {
        var run = InterestRun.of(claim, debtorKind: debtorKind, formalDemandOn: formalDemandOn)
        run?.until = interestThrough
        self.init(id: claim.id, invoiceReference: claim.invoiceReference, issuedOn: claim.issuedOn, dueOn: claim.dueOn,
                  principalCents: claim.principal.minorUnits, interest: run,
                  indemnityCents: LateInterest.fixedIndemnity(debtorKind: debtorKind).minorUnits)
    }
}

/// A payment as the ledger applies it.
public struct LedgerPayment: Hashable, Sendable {
    public let id: Int64
    public let receivedOn: Day
    public let cents: Int64
    /// The claims the debtor said the payment is for, in their order (Code civil 1342-10).
    public let debtorChoice: [Int64]

    public init(id: Int64, receivedOn: Day, cents: Int64, debtorChoice: [Int64] = []) {
        self.id = id
        self.receivedOn = receivedOn
        self.cents = cents
        self.debtorChoice = debtorChoice
    }
}

/// Where one claim stands on a day: what is still owed, part by part, and what was paid on it.
public struct ClaimPosition: Hashable, Sendable {
    public let claimID: Int64
    public var principalCents: Int64
    /// Interest run so far and not yet paid.
    public var interestCents: Int64
    public var accessoriesCents: Int64
    /// All interest run so far, rounded once from its exact sum.
    public var interestRunCents: Int64
    public var paidInterestCents: Int64 = 0
    public var paidAccessoriesCents: Int64 = 0
    public var paidPrincipalCents: Int64 = 0
    /// The first day reckoned with an assumed rate (past the published table), to be said.
    public var assumedFrom: Day?
    /// Each stretch of interest, when asked to explain (split at the rate periods and at each
    /// payment that reduced the principal).
    public var lines: [InterestLine] = []

    public var owedCents: Int64 { principalCents + interestCents + accessoriesCents }
    public var paidCents: Int64 { paidInterestCents + paidAccessoriesCents + paidPrincipalCents }
}

/// A case's claims on a day, with every payment up to it applied.
public struct CaseLedger: Hashable, Sendable {
    public let asOf: Day
    public let claims: [ClaimPosition]
    /// How each payment was put on the claims, in the order they were applied.
    public let allocations: [Int64: PaymentAllocation]

    public var owedCents: Int64 { claims.reduce(0) { $0 + $1.owedCents } }
    public var principalCents: Int64 { claims.reduce(0) { $0 + $1.principalCents } }
    public var interestCents: Int64 { claims.reduce(0) { $0 + $1.interestCents } }
    public var accessoriesCents: Int64 { claims.reduce(0) { $0 + $1.accessoriesCents } }
    public var assumedFrom: Day? { claims.compactMap(\.assumedFrom).min() }
}

/// A case's balance to the cent on any day (pure). Interest runs on the principal still owed, so
/// a payment that reaches the principal lowers the interest after its day. Payments are applied
/// in the order they were received, each by `Allocation` (interest and accessories, then
/// principal; matured claims first). Interest is rounded once, on the total run so far: what a
/// payment finds owed is that total less the interest already paid, so no cent is lost to
/// rounding however many payments there are.
public enum Ledger {
    public static func settle(claims: [LedgerClaim], payments: [LedgerPayment], asOf day: Day, rates: InterestRates,
                              assumeLastKnownRate: Bool = true, explain: Bool = false) -> Result<CaseLedger, InterestProblem> {
        var positions = claims.map {
            ClaimPosition(claimID: $0.id, principalCents: $0.principalCents, interestCents: 0, accessoriesCents: 0, interestRunCents: 0)
        }
        // Per claim: the exact interest run so far and the last day it covers.
        var numerators = [Int128](repeating: 0, count: claims.count)
        var through = claims.map { ($0.interest?.from ?? $0.dueOn).adding(days: -1) }
        // The indemnity is owed by an invoice paid late: one still unpaid after its due date.
        var indemnityOwed = [Bool](repeating: false, count: claims.count)

        /// Brings every claim's interest and indemnity up to `d` (included).
        func accrue(to d: Day) -> InterestProblem? {
            for i in claims.indices {
                let c = claims[i]
                if d > c.dueOn, positions[i].principalCents > 0 { indemnityOwed[i] = true }
                if indemnityOwed[i] { positions[i].accessoriesCents = c.indemnityCents - positions[i].paidAccessoriesCents }
                guard let run = c.interest else { continue }
                let d = run.until.map { min($0, d) } ?? d
                guard d > through[i] else { continue }
                let principal = positions[i].principalCents
                let base = Money(minorUnits: principal, currency: .eur)
                var assumedFrom: Day?
                let walked = LateInterest.walk(principalCents: principal, from: max(run.from, through[i].adding(days: 1)), through: d,
                                               basis: run.basis, rates: rates, assumeLastKnownRate: assumeLastKnownRate) { s in
                    if s.assumed, assumedFrom == nil { assumedFrom = s.from }
                    if explain { positions[i].lines.append(LateInterest.line(s, principal: base, basis: run.basis)) }
                }
                switch walked {
                case let .success(n): numerators[i] += n
                case let .failure(p): return p
                }
                through[i] = d
                if positions[i].assumedFrom == nil { positions[i].assumedFrom = assumedFrom }
                positions[i].interestRunCents = LateInterest.cents(numerators[i])
                positions[i].interestCents = positions[i].interestRunCents - positions[i].paidInterestCents
            }
            return nil
        }

        var allocations: [Int64: PaymentAllocation] = [:]
        let index = Dictionary(uniqueKeysWithValues: claims.indices.map { (claims[$0].id, $0) })
        let ordered = payments.filter { $0.receivedOn <= day }.sorted { ($0.receivedOn, $0.id) < ($1.receivedOn, $1.id) }
        for p in ordered {
            if let problem = accrue(to: p.receivedOn) { return .failure(problem) }
            let balances = claims.indices.map { i in
                ClaimBalance(claimID: claims[i].id, issuedOn: claims[i].issuedOn, dueOn: claims[i].dueOn, interestCents: positions[i].interestCents,
                             accessoriesCents: positions[i].accessoriesCents, principalCents: positions[i].principalCents)
            }
            let allocation = Allocation.allocate(cents: p.cents, on: p.receivedOn, claims: balances, debtorChoice: p.debtorChoice)
            for line in allocation.lines {
                let i = index[line.claimID]!
                switch line.part {
                case .interest:
                    positions[i].interestCents -= line.cents
                    positions[i].paidInterestCents += line.cents
                case .accessories:
                    positions[i].accessoriesCents -= line.cents
                    positions[i].paidAccessoriesCents += line.cents
                case .principal:
                    positions[i].principalCents -= line.cents
                    positions[i].paidPrincipalCents += line.cents
                }
            }
            allocations[p.id] = allocation
        }
        if let problem = accrue(to: day) { return .failure(problem) }
        return .success(CaseLedger(asOf: day, claims: positions, allocations: allocations))
    }
}
