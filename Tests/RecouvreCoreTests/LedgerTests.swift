import Testing
@testable import RecouvreCore

/// Worked examples computed by hand from DOMAIN.md's rules (the arithmetic is in each test), then
/// properties over random payment sequences.
@Suite struct LedgerTests {
    let rates = InterestRates.shipped
    func day(_ y: Int, _ m: Int, _ d: Int) -> Day { Day(year: y, month: m, day: d)! }

    func company(_ id: Int64, cents: Int64, issued: Day, due: Day) -> LedgerClaim {
        LedgerClaim(id: id, issuedOn: issued, dueOn: due, principalCents: cents,
                    interest: InterestRun(basis: .b2bLatePayment, from: due.adding(days: 1)), indemnityCents: 4_000)
    }

    @Test func aPartPaymentPaysInterestAndIndemnityFirstThenInterestRunsOnWhatIsLeft() throws {
        // 1,000.00 € between traders, due 15/06/2025. 500.00 € received 30/06/2025:
        //   interest 16/06–30/06, 15 days at 13.15 % (ECB 3.15 + 10): 1000 × 15 × 13.15 / 36500
        //   = 5.404109… € → 5.40 €; the 40 € indemnity (D441-5) is owed since 16/06.
        //   The 500 € pay 5.40 interest, 40.00 indemnity, then 454.60 principal (1343-1):
        //   545.40 € of principal remain.
        // As of 31/12/2025: 01/07–31/12, 184 days at 12.15 % on 545.40 €: 545.40 × 184 × 12.15 /
        //   36500 = 33.405376… €. Interest run in all: 5.404109… + 33.405376… = 38.809486… €
        //   → 38.81 €, of which 5.40 paid: 33.41 € owed. Balance: 545.40 + 33.41 = 578.81 €.
        let claim = company(1, cents: 100_000, issued: day(2025, 5, 15), due: day(2025, 6, 15))
        let ledger = try Ledger.settle(claims: [claim], payments: [LedgerPayment(id: 7, receivedOn: day(2025, 6, 30), cents: 50_000)],
                                       asOf: day(2025, 12, 31), rates: rates, explain: true).get()
        #expect(ledger.allocations[7]?.lines == [
            AllocationLine(claimID: 1, part: .interest, cents: 540),
            AllocationLine(claimID: 1, part: .accessories, cents: 4_000),
            AllocationLine(claimID: 1, part: .principal, cents: 45_460),
        ])
        let p = ledger.claims[0]
        #expect(p.principalCents == 54_540)
        #expect(p.interestRunCents == 3_881)
        #expect(p.paidInterestCents == 540)
        #expect(p.interestCents == 3_341)
        #expect(p.accessoriesCents == 0)
        #expect(ledger.owedCents == 57_881)
        #expect(p.lines.map(\.days) == [15, 184])
        #expect(p.lines.map(\.principal) == [.eur(cents: 100_000), .eur(cents: 54_540)])
        #expect(p.assumedFrom == nil)
    }

    @Test func theDebtorsChoiceComesFirstThenTheOldestMaturedClaim() throws {
        // B: 2,000.00 € due 10/01/2026; C: 300.00 € due 20/02/2026; 800.00 € received 01/03/2026
        // "for invoice C". 2026's first half-year: 12.15 %.
        //   B's interest 11/01–01/03, 50 days: 2000 × 50 × 12.15 / 36500 = 33.287671… → 33.29 €
        //   C's interest 21/02–01/03, 9 days: 300 × 9 × 12.15 / 36500 = 0.898767… → 0.90 €
        //   C first (named): 0.90 + 40.00 + 300.00 = 340.90 €; the 459.10 € left go to B:
        //   33.29 interest, 40.00 indemnity, 385.81 principal; B keeps 1,614.19 € of principal.
        let b = company(1, cents: 200_000, issued: day(2025, 12, 10), due: day(2026, 1, 10))
        let c = company(2, cents: 30_000, issued: day(2026, 1, 20), due: day(2026, 2, 20))
        let ledger = try Ledger.settle(claims: [b, c], payments: [LedgerPayment(id: 1, receivedOn: day(2026, 3, 1), cents: 80_000, debtorChoice: [2])],
                                       asOf: day(2026, 3, 1), rates: rates).get()
        #expect(ledger.allocations[1]?.lines == [
            AllocationLine(claimID: 2, part: .interest, cents: 90),
            AllocationLine(claimID: 2, part: .accessories, cents: 4_000),
            AllocationLine(claimID: 2, part: .principal, cents: 30_000),
            AllocationLine(claimID: 1, part: .interest, cents: 3_329),
            AllocationLine(claimID: 1, part: .accessories, cents: 4_000),
            AllocationLine(claimID: 1, part: .principal, cents: 38_581),
        ])
        #expect(ledger.claims[1].owedCents == 0)
        #expect(ledger.claims[0].principalCents == 161_419)
        #expect(ledger.owedCents == 161_419)
    }

    @Test func aConsumerOwesNoIndemnityAndNoInterestBeforeTheFormalDemand() throws {
        // A consumer's 150.00 € due 01/02/2026, no registered letter: nothing but the principal.
        // With a formal demand on 02/03/2026: legal rate (other cases, 2.62 % in 2026's first
        // half), from 03/03 to 31/03, 29 days: 150 × 29 × 2.62 / 36500 = 0.312246… → 0.31 €.
        let claim = Claim(id: 3, caseID: 1, invoiceReference: "F-3", issuedOn: day(2026, 1, 2), dueOn: day(2026, 2, 1),
                          principal: .eur(cents: 15_000), vat: .eur(cents: 2_500))
        let none = try Ledger.settle(claims: [LedgerClaim(claim, debtorKind: .consumer, formalDemandOn: nil)], payments: [],
                                     asOf: day(2026, 3, 31), rates: rates).get()
        #expect(none.owedCents == 15_000)
        let asked = try Ledger.settle(claims: [LedgerClaim(claim, debtorKind: .consumer, formalDemandOn: day(2026, 3, 2))], payments: [],
                                      asOf: day(2026, 3, 31), rates: rates).get()
        #expect(asked.interestCents == 31)
        #expect(asked.accessoriesCents == 0)
        #expect(asked.owedCents == 15_031)
    }

    @Test func paymentsAfterTheDayAreNotCountedAndAnOverpaymentIsReturned() throws {
        let claim = company(1, cents: 10_000, issued: day(2026, 1, 1), due: day(2026, 3, 1))
        // Paid before the due date: no interest, no indemnity, 20.00 € too much.
        let ledger = try Ledger.settle(claims: [claim], payments: [
            LedgerPayment(id: 1, receivedOn: day(2026, 2, 1), cents: 12_000),
            LedgerPayment(id: 2, receivedOn: day(2026, 5, 1), cents: 5_000),
        ], asOf: day(2026, 4, 1), rates: rates).get()
        #expect(ledger.owedCents == 0)
        #expect(ledger.allocations[1]?.unallocatedCents == 2_000)
        #expect(ledger.allocations[2] == nil)
    }

    @Test func pastTheTableTheLastRateIsAssumedOrRefused() throws {
        let claim = company(1, cents: 100_000, issued: day(2026, 4, 1), due: day(2026, 5, 1))
        let assumed = try Ledger.settle(claims: [claim], payments: [], asOf: day(2026, 11, 30), rates: rates).get()
        #expect(assumed.assumedFrom == day(2026, 7, 1))
        let refused = Ledger.settle(claims: [claim], payments: [], asOf: day(2026, 11, 30), rates: rates, assumeLastKnownRate: false)
        #expect(refused == .failure(.rateUnknown(from: day(2026, 7, 1), lastKnown: day(2026, 6, 30))))
    }

    /// A small seeded generator, so a failure is reproducible.
    struct SplitMix { var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(n))
        }
    }

    @Test func noCentIsLostOrCreatedAndInterestNeverFallsWithTime() throws {
        var rng = SplitMix(state: 2026)
        for _ in 0..<500 {
            let start = day(2023, 1, 1).adding(days: rng.next(900))
            let claims = (0..<(1 + rng.next(4))).map { i -> LedgerClaim in
                let issued = start.adding(days: rng.next(200))
                let due = issued.adding(days: 30)
                return rng.next(3) == 0
                    ? LedgerClaim(id: Int64(i), issuedOn: issued, dueOn: due, principalCents: Int64(1 + rng.next(500_000)), interest: nil, indemnityCents: 0)
                    : company(Int64(i), cents: Int64(1 + rng.next(500_000)), issued: issued, due: due)
            }
            let payments = (0..<rng.next(6)).map { j in
                LedgerPayment(id: Int64(j), receivedOn: start.adding(days: rng.next(900)), cents: Int64(1 + rng.next(300_000)),
                              debtorChoice: rng.next(4) == 0 ? [Int64(rng.next(claims.count))] : [])
            }
            let asOf = day(2026, 6, 30)
            let l = try Ledger.settle(claims: claims, payments: payments, asOf: asOf, rates: rates).get()
            let received = payments.filter { $0.receivedOn <= asOf }.reduce(Int64(0)) { $0 + $1.cents }
            let unallocated = l.allocations.values.reduce(Int64(0)) { $0 + $1.unallocatedCents }
            #expect(received == l.claims.reduce(Int64(0)) { $0 + $1.paidCents } + unallocated)
            for (c, p) in zip(claims, l.claims) {
                #expect(p.principalCents >= 0 && p.interestCents >= 0 && p.accessoriesCents >= 0)
                #expect(p.principalCents + p.paidPrincipalCents == c.principalCents)
                #expect(p.interestRunCents == p.interestCents + p.paidInterestCents)
            }
            // Owing something while money went unallocated would mean a payment was not fully used.
            if unallocated > 0 { #expect(l.claims.allSatisfy { $0.principalCents == 0 }) }
            // A later day never shows less interest run.
            let later = try Ledger.settle(claims: claims, payments: payments, asOf: asOf.adding(days: -rng.next(400)), rates: rates).get()
            #expect(zip(later.claims, l.claims).allSatisfy { $0.interestRunCents <= $1.interestRunCents || $0.paidCents != $1.paidCents })
        }
    }
}
