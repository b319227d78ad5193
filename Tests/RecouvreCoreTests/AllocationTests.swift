import Testing
@testable import RecouvreCore

@Suite struct AllocationTests {
    let day = Day(year: 2026, month: 11, day: 24)!
    func claim(_ id: Int64, due: Day, interest: Int64 = 0, accessories: Int64 = 0, principal: Int64) -> ClaimBalance {
        ClaimBalance(claimID: id, issuedOn: due.adding(days: -30), dueOn: due, interestCents: interest, accessoriesCents: accessories, principalCents: principal)
    }

    @Test func interestAndAccessoriesBeforePrincipalOldestDueClaimFirst() {
        let old = claim(1, due: Day(year: 2026, month: 6, day: 30)!, interest: 1_234, accessories: 4_000, principal: 100_000)
        let recent = claim(2, due: Day(year: 2026, month: 9, day: 30)!, interest: 500, principal: 50_000)
        let notDue = claim(3, due: Day(year: 2026, month: 12, day: 31)!, principal: 10_000)
        let a = Allocation.allocate(cents: 110_000, on: day, claims: [notDue, recent, old])
        #expect(a.lines == [AllocationLine(claimID: 1, part: .interest, cents: 1_234), AllocationLine(claimID: 1, part: .accessories, cents: 4_000),
                            AllocationLine(claimID: 1, part: .principal, cents: 100_000), AllocationLine(claimID: 2, part: .interest, cents: 500),
                            AllocationLine(claimID: 2, part: .principal, cents: 4_266)])
        #expect(a.unallocatedCents == 0)
    }

    @Test func theDebtorsChoiceComesFirstAndAnOverpaymentIsReturned() {
        let old = claim(1, due: Day(year: 2026, month: 6, day: 30)!, principal: 1_000)
        let notDue = claim(3, due: Day(year: 2026, month: 12, day: 31)!, principal: 2_000)
        let a = Allocation.allocate(cents: 3_500, on: day, claims: [old, notDue], debtorChoice: [3])
        #expect(a.lines.map(\.claimID) == [3, 1])
        #expect(a.unallocatedCents == 500)
    }

    /// For any claims and any sequence of payments: no cent is lost or created, nothing is paid
    /// beyond what is owed, a claim is only reached once every claim before it is settled, and a
    /// claim's principal only once its interest and accessories are.
    @Test func noCentIsLostOrCreatedAndTheOrderHolds() {
        var rng = SplitMix(seed: 20_261_124)
        for _ in 0..<2_000 {
            var claims = (0..<Int(rng.next() % 5 + 1)).map { i in
                claim(Int64(i + 1), due: day.adding(days: Int(rng.next() % 400) - 300), interest: Int64(rng.next() % 5_000),
                      accessories: rng.next() % 3 == 0 ? 4_000 : 0, principal: Int64(rng.next() % 500_000 + 1))
            }
            for _ in 0..<Int(rng.next() % 4 + 1) {
                let owedBefore = claims.reduce(0) { $0 + $1.totalCents }
                let payment = Int64(rng.next() % UInt64(owedBefore + 20_000))
                let a = Allocation.allocate(cents: payment, on: day, claims: claims)
                let placed = a.lines.reduce(0) { $0 + $1.cents }
                #expect(placed + a.unallocatedCents == payment, "no cent lost or created")
                #expect(a.unallocatedCents == max(0, payment - owedBefore), "only an overpayment is left over")
                // Settled parts come first: each line but the last fills its part completely.
                for line in a.lines.dropLast() {
                    let c = claims.first { $0.claimID == line.claimID }!
                    let owed = line.part == .interest ? c.interestCents : line.part == .accessories ? c.accessoriesCents : c.principalCents
                    #expect(line.cents == owed)
                }
                // Apply it, as the store would, and go on with the next payment.
                for line in a.lines {
                    let i = claims.firstIndex { $0.claimID == line.claimID }!
                    switch line.part {
                    case .interest: claims[i].interestCents -= line.cents
                    case .accessories: claims[i].accessoriesCents -= line.cents
                    case .principal: claims[i].principalCents -= line.cents
                    }
                    #expect(claims[i].interestCents >= 0 && claims[i].accessoriesCents >= 0 && claims[i].principalCents >= 0)
                }
                #expect(claims.reduce(0) { $0 + $1.totalCents } == owedBefore - placed)
            }
        }
    }
}

/// A small seeded generator, so the property test is the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
