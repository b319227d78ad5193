/// What is still owed on one claim, part by part, as a payment finds it.
public struct ClaimBalance: Hashable, Sendable {
    public let claimID: Int64
    public let issuedOn: Day
    public let dueOn: Day
    public var interestCents: Int64
    /// Accessories other than interest (the 40 € indemnity of D441-5 between traders).
    public var accessoriesCents: Int64
    public var principalCents: Int64

    public init(claimID: Int64, issuedOn: Day, dueOn: Day, interestCents: Int64, accessoriesCents: Int64, principalCents: Int64) {
        self.claimID = claimID
        self.issuedOn = issuedOn
        self.dueOn = dueOn
        self.interestCents = interestCents
        self.accessoriesCents = accessoriesCents
        self.principalCents = principalCents
    }

    public var totalCents: Int64 { interestCents + accessoriesCents + principalCents }
}

/// One part of a payment put on one part of one claim.
public struct AllocationLine: Hashable, Sendable {
    public enum Part: String, Sendable, CaseIterable { case interest, accessories, principal }
    public let claimID: Int64
    public let part: Part
    public let cents: Int64
}

public struct PaymentAllocation: Hashable, Sendable {
    public let lines: [AllocationLine]
    /// What the claims could not take (an overpayment): to be refunded, never kept silently.
    public let unallocatedCents: Int64

    public init(lines: [AllocationLine], unallocatedCents: Int64) {
        self.lines = lines
        self.unallocatedCents = unallocatedCents
    }
}

/// How a payment is put on a debtor's claims (Code civil). Pure.
public enum Allocation {
    /// Across claims (1342-10): the claims the debtor named, in their order, first; then the
    /// claims already due before those not yet due, the oldest due first (then the oldest issued,
    /// then the claim's id, so the same payment always lands the same way). Within a claim
    /// (1343-1): interest first, then accessories, then principal. What is left over is returned.
    public static func allocate(cents: Int64, on day: Day, claims: [ClaimBalance], debtorChoice: [Int64] = []) -> PaymentAllocation {
        precondition(cents >= 0, "a payment is not negative")
        let chosen = debtorChoice.compactMap { id in claims.first { $0.claimID == id } }
        let others = claims.filter { !debtorChoice.contains($0.claimID) }.sorted { a, b in
            let aDue = a.dueOn <= day, bDue = b.dueOn <= day
            if aDue != bDue { return aDue }
            if a.dueOn != b.dueOn { return a.dueOn < b.dueOn }
            if a.issuedOn != b.issuedOn { return a.issuedOn < b.issuedOn }
            return a.claimID < b.claimID
        }
        var left = cents
        var lines: [AllocationLine] = []
        for claim in chosen + others {
            for (part, owed) in [(AllocationLine.Part.interest, claim.interestCents), (.accessories, claim.accessoriesCents), (.principal, claim.principalCents)] {
                guard left > 0 else { break }
                let taken = min(left, max(owed, 0))
                if taken > 0 {
                    lines.append(AllocationLine(claimID: claim.claimID, part: part, cents: taken))
                    left -= taken
                }
            }
        }
        return PaymentAllocation(lines: lines, unallocatedCents: left)
    }
}
