import Testing
@testable import RecouvreCore

@Suite struct LateInterestTests {
    let rates = InterestRates.shipped
    func day(_ y: Int, _ m: Int, _ d: Int) -> Day { Day(year: y, month: m, day: d)! }

    @Test func b2bInterestRunsHalfYearByHalfYearAndIsRoundedOnce() throws {
        // 1,000.00 € due 15 June 2025, reckoned to 31 December 2025: 15 days at 13.15 %
        // (ECB 3.15 % + 10) and 184 days at 12.15 % (ECB 2.15 % + 10): 1000 × (15 × 13.15 +
        // 184 × 12.15) / 36500 = 66.6534… €.
        let b = try LateInterest.compute(principal: .eur(cents: 100_000), from: day(2025, 6, 16), through: day(2025, 12, 31),
                                         basis: .b2bLatePayment, rates: rates).get()
        #expect(b.lines.map(\.days) == [15, 184])
        #expect(b.lines.map(\.rate) == [Rate(percent: "13.15")!, Rate(percent: "12.15")!])
        #expect(b.lines.map(\.amount) == [.eur(cents: 540), .eur(cents: 6_125)])
        #expect(b.lines[0].source == "BCE 3,15 % + 10 points (L441-10)")
        #expect(b.total == .eur(cents: 6_665))
        #expect(b.assumedFrom == nil)
    }

    @Test func oneRoundingAtTheEndNotOnePerPeriod() throws {
        // 7.22 € for one day at 13.15 % and one at 12.15 %: 0.26 + 0.24 cents, each line rounds
        // to 0, the exact sum (0.5005 cents) to 1.
        let b = try LateInterest.compute(principal: .eur(cents: 722), from: day(2025, 6, 30), through: day(2025, 7, 1),
                                         basis: .b2bLatePayment, rates: rates).get()
        #expect(b.lines.map(\.days) == [1, 1])
        #expect(b.lines.map(\.amount) == [.eur(cents: 0), .eur(cents: 0)])
        #expect(b.total == .eur(cents: 1))
    }

    @Test func pastTheTableIsAnErrorOrAStatedAssumption() throws {
        let unknown = LateInterest.compute(principal: .eur(cents: 100_000), from: day(2026, 6, 1), through: day(2026, 11, 24),
                                           basis: .b2bLatePayment, rates: rates)
        #expect(unknown.failureValue == .rateUnknown(from: day(2026, 7, 1), lastKnown: day(2026, 6, 30)))
        let assumed = try LateInterest.compute(principal: .eur(cents: 100_000), from: day(2026, 6, 1), through: day(2026, 11, 24),
                                               basis: .b2bLatePayment, rates: rates, assumeLastKnownRate: true).get()
        #expect(assumed.assumedFrom == day(2026, 7, 1))
        #expect(assumed.lines.map(\.assumed) == [false, true] && assumed.lines[1].source.hasSuffix("supposé"))
        #expect(assumed.lines.map(\.days) == [30, 147])
        #expect(LateInterest.compute(principal: .eur(cents: 1), from: day(2019, 12, 31), through: day(2020, 1, 5), basis: .b2bLatePayment, rates: rates)
            .failureValue == .rateMissing(day(2019, 12, 31)))
    }

    @Test func aContractRateBelowThreeTimesTheLegalRateIsRefused() throws {
        // First half of 2026: legal rate (other cases) 2.62 %, so the floor is 7.86 %.
        let low = LateInterest.compute(principal: .eur(cents: 100_000), from: day(2026, 1, 1), through: day(2026, 3, 31),
                                       basis: .contractual(Rate(percent: "5")!), rates: rates)
        #expect(low.failureValue == .contractRateTooLow(Rate(percent: "5")!, floor: Rate(percent: "7.86")!, on: day(2026, 1, 1)))
        let ok = try LateInterest.compute(principal: .eur(cents: 100_000), from: day(2026, 1, 1), through: day(2026, 3, 31),
                                          basis: .contractual(Rate(percent: "10")!), rates: rates).get()
        #expect(ok.total == .eur(cents: 2_466)) // 1000 × 90 × 10 / 36500 = 24.657…
    }

    @Test func theLegalRateDependsOnTheCreditor() throws {
        let privateCreditor = try LateInterest.compute(principal: .eur(cents: 365_00), from: day(2026, 1, 1), through: day(2026, 1, 10),
                                                       basis: .legal(creditorIsPrivateIndividual: true), rates: rates).get()
        let company = try LateInterest.compute(principal: .eur(cents: 365_00), from: day(2026, 1, 1), through: day(2026, 1, 10),
                                               basis: .legal(creditorIsPrivateIndividual: false), rates: rates).get()
        #expect(privateCreditor.total == .eur(cents: 67)) // 365 × 10 × 6.67 / 36500
        #expect(company.total == .eur(cents: 26))         // 365 × 10 × 2.62 / 36500
    }

    @Test func tablesAreCheckedWhenRead() {
        #expect(throws: RateTable.Problem.row(line: 3, "starts 2026-07-02, the row before ends 2026-06-30: rows must follow each other without gap or overlap")) {
            try RateTable.parse("period_start,period_end,r\n2026-01-01,2026-06-30,1.5\n2026-07-02,2026-12-31,1.6\n", column: "r")
        }
        #expect(throws: RateTable.Problem.row(line: 2, "abc is not a rate")) { try RateTable.parse("period_start,period_end,r\n2026-01-01,2026-06-30,abc\n", column: "r") }
        #expect(throws: RateTable.Problem.header("no column x")) { try RateTable.parse("period_start,period_end,r\n", column: "x") }
        #expect(rates.b2bLatePayment.lastDay == day(2026, 6, 30) && rates.b2bLatePayment.periods.count == 13)
    }

    @Test func theFixedIndemnityIsForTradersOnly() {
        #expect(LateInterest.fixedIndemnity(debtorKind: .company) == .eur(cents: 4_000))
        #expect(LateInterest.fixedIndemnity(debtorKind: .consumer) == .eur(cents: 0))
    }
}

extension Result {
    var failureValue: Failure? { if case let .failure(f) = self { f } else { nil } }
}
