import Testing
@testable import RecouvreCore

@Suite struct MoneyTests {
    /// Integers' decimal digits written as bytes (pages, statements) and read from bytes (the
    /// packed rows of PostgreSQL) agree with Swift's own, up to both ends of Int64.
    @Test func decimalIntegersReadBackAsWritten() {
        func read(_ text: String) -> Int64? { Array(text.utf8).withUnsafeBufferPointer { Int64(decimal: $0) } }
        for value: Int64 in [0, 7, -1, 42, -42, 1_000_000_007, .max, .min, .max - 1, .min + 1] {
            var bytes: [UInt8] = []
            bytes.appendDecimal(value)
            #expect(String(decoding: bytes, as: UTF8.self) == String(value))
            #expect(bytes.withUnsafeBufferPointer { Int64(decimal: $0) } == value)
        }
        #expect(read("0042") == 42 && read("-0") == 0)
        for bad in ["", "-", "--1", "+1", "1-", "12a", " 1", "1.5", "9223372036854775808", "-9223372036854775809", "99999999999999999999"] {
            #expect(read(bad) == nil, "\(bad)")
        }
    }

    @Test func addsAndRefusesMixedCurrencies() throws {
        let a = Money.eur(cents: 1050), b = Money.eur(cents: 250)
        #expect(try a.adding(b) == .eur(cents: 1300))
        #expect(try a.subtracting(b) == .eur(cents: 800))
        let chf = Money(minorUnits: 100, currency: Currency(code: "CHF")!)
        #expect(throws: MoneyError.mixedCurrencies(.eur, Currency(code: "CHF")!)) { try a.adding(chf) }
        #expect(throws: MoneyError.overflow) { try Money.eur(cents: .max).adding(.eur(cents: 1)) }
    }

    @Test func formatsFrenchAndEnglish() {
        #expect(Money.eur(cents: 123_456_78).formatted(locale: .fr) == "123\u{202F}456,78\u{00A0}€")
        #expect(Money.eur(cents: -5).formatted(locale: .fr) == "-0,05\u{00A0}€")
        #expect(Money.eur(cents: 123_456_78).formatted(locale: .en) == "€123,456.78")
        #expect(Money.eur(cents: 100).decimalString == "1.00")
        // Group separators at each thousand, none below; other currencies by their code.
        #expect(Money.eur(cents: 0).formatted(locale: .fr) == "0,00\u{00A0}€")
        #expect(Money.eur(cents: 99_999).formatted(locale: .fr) == "999,99\u{00A0}€")
        #expect(Money.eur(cents: 100_000).formatted(locale: .fr) == "1\u{202F}000,00\u{00A0}€")
        #expect(Money.eur(cents: -1_234_567_890_12).formatted(locale: .en) == "-€1,234,567,890.12")
        #expect(Money.eur(cents: .min).formatted(locale: .en) == "-€92,233,720,368,547,758.08")
        let chf = Money(minorUnits: 123_450, currency: Currency(code: "CHF")!)
        #expect(chf.formatted(locale: .fr) == "1\u{202F}234,50\u{00A0}CHF" && chf.formatted(locale: .en) == "CHF 1,234.50")
    }

    @Test func daysAreWrittenInISOAndFrenchForms() {
        let day = Day(year: 2026, month: 3, day: 9)!
        #expect(day.iso == "2026-03-09" && day.french == "09/03/2026" && day.description == "2026-03-09")
        #expect(Day(year: 1999, month: 12, day: 31)!.french == "31/12/1999")
        #expect(Day(year: 812, month: 1, day: 2)!.iso == "0812-01-02" && Day(year: 812, month: 1, day: 2)!.french == "02/01/812")
    }

    @Test(arguments: [
        ("1234.56", 123_456), ("1 234,56", 123_456), ("1.234,56", 123_456), ("1,234.56", 123_456), ("12,5", 1250),
        ("1234,56 €", 123_456), ("€ 12", 1200), ("-12,30", -1230), ("1.234.567", 123_456_700), ("0,01", 1), ("12.500", 1250),
        ("1\u{202F}000,00", 100_000),
    ])
    func parsesAmounts(text: String, cents: Int64) {
        #expect(AmountParser.minorUnits(Substring(text), currency: .eur) == .success(cents))
    }

    @Test(arguments: ["", "abc", "12,345", "1.2.3,4,5", "12e3", "--1"])
    func refusesNonAmounts(text: String) {
        if case .success = AmountParser.minorUnits(Substring(text), currency: .eur) { Issue.record("'\(text)' accepted") }
    }

    @Test func interestIsRoundedOnceHalfAwayFromZero() {
        // 10,000.00 € at 12.15 % for 31 days: 10000 × 31 × 12.15 / 36500 = 103.1917… → 103.19
        #expect(simpleInterest(on: .eur(cents: 1_000_000), rate: Rate(percent: "12.15")!, days: 31) == .eur(cents: 10319))
        // 0.5 cent rounds away from zero: 365 cents × 1 day × 50 % / 365 / 100 … = 0.5 → 1
        #expect(simpleInterest(on: .eur(cents: 365), rate: .percent(50), days: 1) == .eur(cents: 1))
        #expect(simpleInterest(on: .eur(cents: 100_000_000_000), rate: .percent(99), days: 3650).minorUnits > 0)
    }

    @Test func interestIsMonotoneInTime() {
        var last: Int64 = 0
        for days in 0...800 {
            let v = simpleInterest(on: .eur(cents: 123_457), rate: Rate(percent: "13.15")!, days: days).minorUnits
            #expect(v >= last)
            last = v
        }
    }

    @Test func ratesParseExactly() {
        #expect(Rate(percent: "12.15")?.microPercent == 12_150_000)
        #expect(Rate(percent: "2,62 %")?.description == "2.62")
        // Written with as few decimals as needed, at least two, and read back the same.
        for (micro, text) in [(12_150_000, "12.15"), (5_000_000, "5.00"), (0, "0.00"), (1_000_500, "1.0005"),
                              (1_234_567, "1.234567"), (10_000, "0.01"), (-500_000, "-0.50")] as [(Int64, String)] {
            #expect(Rate(microPercent: micro).description == text)
            if micro >= 0 { #expect(Rate(percent: text)?.microPercent == micro) }
        }
        #expect(Rate(microPercent: 12_150_000).french == "12,15")
        #expect(Rate(percent: "x") == nil)
        #expect(Rate(percent: "1.1234567") == nil)
    }

    @Test func commissionRoundsToTheCent() {
        let c = Commission(rateOfCollected: Rate(percent: "12.5")!)
        #expect(c.amount(on: .eur(cents: 10_001)) == .eur(cents: 1250)) // 1250.125 → 1250
        #expect(c.amount(on: .eur(cents: 10_004)) == .eur(cents: 1251)) // 1250.5 → 1251
    }
}

@Suite struct DayTests {
    @Test func convertsBothWays() {
        for n in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(Day(daysSinceEpoch: n).daysSinceEpoch == n)
        }
        #expect(Day(year: 1970, month: 1, day: 1)!.daysSinceEpoch == 0)
        #expect(Day(year: 2026, month: 11, day: 23)!.weekday == .monday)
        #expect(Day(year: 2024, month: 2, day: 29) != nil)
        #expect(Day(year: 2025, month: 2, day: 29) == nil)
        #expect(Day(year: 2026, month: 13, day: 1) == nil)
    }

    @Test func parsesFrenchAndISO() {
        #expect(Day(parsing: "05/03/2026") == Day(year: 2026, month: 3, day: 5))
        #expect(Day(parsing: "2026-03-05") == Day(year: 2026, month: 3, day: 5))
        #expect(Day(parsing: "5.3.2026") == Day(year: 2026, month: 3, day: 5))
        #expect(Day(parsing: "31/02/2026") == nil)
        #expect(Day(parsing: "05/03/26") == nil)
        #expect(Day(parsing: "2026/03/05") == nil)
        #expect(Day(parsing: "05-03/2026") == nil)
        #expect(Day(parsing: "") == nil)
        #expect(Day(year: 2026, month: 1, day: 31)!.adding(months: 1) == Day(year: 2026, month: 2, day: 28))
    }

    @Test func frenchHolidays() {
        #expect(BusinessCalendar.easterSunday(year: 2024) == Day(year: 2024, month: 3, day: 31))
        #expect(BusinessCalendar.easterSunday(year: 2025) == Day(year: 2025, month: 4, day: 20))
        #expect(BusinessCalendar.easterSunday(year: 2026) == Day(year: 2026, month: 4, day: 5))
        #expect(BusinessCalendar.easterSunday(year: 2038) == Day(year: 2038, month: 4, day: 25))
        let cal = BusinessCalendar.france
        let h2026 = Set(cal.holidays(in: 2026).map(\.0))
        #expect(h2026.count == 11)
        for (m, d) in [(1, 1), (4, 6), (5, 1), (5, 8), (5, 14), (5, 25), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)] {
            #expect(h2026.contains(Day(year: 2026, month: m, day: d)!), "\(m)/\(d)")
        }
        #expect(BusinessCalendar(alsaceMoselle: true).isPublicHoliday(Day(year: 2026, month: 4, day: 3)!)) // Good Friday
        #expect(!cal.isPublicHoliday(Day(year: 2026, month: 4, day: 3)!))
    }

    @Test func businessDayArithmetic() {
        let cal = BusinessCalendar.france
        // Friday 8 May 2026 is a holiday: from Thursday 7 May, +1 business day is Monday 11 May.
        #expect(cal.adding(businessDays: 1, to: Day(year: 2026, month: 5, day: 7)!) == Day(year: 2026, month: 5, day: 11))
        #expect(cal.adding(businessDays: -1, to: Day(year: 2026, month: 5, day: 11)!) == Day(year: 2026, month: 5, day: 7))
        #expect(cal.nextBusinessDay(onOrAfter: Day(year: 2026, month: 12, day: 25)!) == Day(year: 2026, month: 12, day: 28))
        #expect(cal.businessDays(from: Day(year: 2026, month: 12, day: 24)!, to: Day(year: 2026, month: 12, day: 31)!) == 4)
    }

    @Test func instantsRoundTrip() {
        let i = Instant(millisecondsSinceEpoch: 1_795_000_123_456)
        #expect(Instant(iso: i.description) == i)
        #expect(Instant(millisecondsSinceEpoch: -1).day == Day(year: 1969, month: 12, day: 31))
    }
}

@Suite struct HolidayTests {
    /// The fast check agrees with the year's list on every day of a century, in both calendars.
    @Test func isPublicHolidayAgreesWithTheList() {
        for calendar in [BusinessCalendar.france, BusinessCalendar(alsaceMoselle: true)] {
            for year in 2000...2100 {
                let listed = Set(calendar.holidays(in: year).map(\.0))
                var d = Day(year: year, month: 1, day: 1)!
                while d.year == year {
                    #expect(calendar.isPublicHoliday(d) == listed.contains(d), "\(d)")
                    d = d.adding(days: 1)
                }
            }
        }
        #expect(Day(parsing: "2026-02-29") == nil && Day(parsing: "2026-1-05") == Day(year: 2026, month: 1, day: 5))
    }
}
