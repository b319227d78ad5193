import Foundation
import RecouvreCore

/// Every open case's balance as of a day, batch by batch: claims, payments and formal demands read
/// set-based per range of case ids (five statements a batch on the driver-level session), each case
/// then settled by the pure `Ledger`. The portfolio's total owed, and the figure issue 6 measures.
public struct Balances: Sendable {
    let database: Database
    public init(_ database: Database) { self.database = database }

    public struct Total: Sendable, Equatable {
        public var cases = 0
        public var owedCents: Int64 = 0
        public var interestCents: Int64 = 0
        /// Cases whose interest could not be reckoned (a rate missing, a contract rate below the floor).
        public var problems = 0
    }

    /// Every open case's balance on `day`, the cases split into `parts` ranges of ids read and
    /// settled at the same time (one per core by default: reading is most of the time, and SQLite's
    /// readers and PostgreSQL's backends each take a core).
    public func asOf(_ day: Day, rates: InterestRates, batchSize: Int = 10_000,
                     parts: Int = ProcessInfo.processInfo.activeProcessorCount) async throws -> Total {
        let bounds = try await database.bulkTransaction { s in
            try await s.query("SELECT MIN(id), MAX(id) FROM cases WHERE open_slot = 1")
        }
        guard let low = bounds.first?[0].int, let high = bounds.first?[1].int else { return Total() }
        let parts = Int64(max(1, parts))
        let width = (high - low) / parts + 1
        return try await withThrowingTaskGroup(of: Total.self) { group in
            for k in 0..<parts {
                let from = low + k * width - 1, through = min(high, low + (k + 1) * width - 1)
                guard from < through else { continue }
                group.addTask { try await self.settle(after: from, through: through, day, rates: rates, batchSize: batchSize) }
            }
            var total = Total()
            for try await part in group {
                total.cases += part.cases
                total.owedCents += part.owedCents
                total.interestCents += part.interestCents
                total.problems += part.problems
            }
            return total
        }
    }

    /// The open cases with ids in (`after`, `through`], batch by batch.
    private func settle(after start: Int64, through end: Int64, _ day: Day, rates: InterestRates, batchSize: Int) async throws -> Total {
        var total = Total()
        var after = start
        while true {
            let from = after
            let (cases, claims, payments, demands, stops) = try await database.bulkTransaction { s in
                let cases = try await s.query("""
                    SELECT c.id, d.kind FROM cases c JOIN debtors d ON d.id = c.debtor_id WHERE c.open_slot = 1 AND c.id > ? AND c.id <= ? ORDER BY c.id LIMIT ?
                    """, [.int(from), .int(end), .int(Int64(batchSize))])
                guard let first = cases.first?[0].int, let last = cases.last?[0].int else { return (cases, [[DBValue]](), [[DBValue]](), [[DBValue]](), [[DBValue]]()) }
                let range: [DBValue] = [.int(first), .int(last)]
                return (cases,
                        try await s.query("""
                            SELECT case_id, id, issued_on, due_on, principal_minor, interest_rate_micro FROM claims
                            WHERE case_id BETWEEN ? AND ? AND withdrawn_on IS NULL AND disputed_on IS NULL ORDER BY case_id, id
                            """, range),
                        try await s.query("""
                            SELECT case_id, id, received_on, amount_minor, debtor_choice FROM payments WHERE case_id BETWEEN ? AND ? AND reversed_on IS NULL ORDER BY case_id, id
                            """, range),
                        try await s.query("""
                            SELECT case_id, MIN(letter_on) FROM letters WHERE case_id BETWEEN ? AND ? AND channel = 'registered_letter' GROUP BY case_id
                            """, range),
                        try await s.query(PlanStore.interestStops(placeholders: "? AND ?"), range))
            }
            guard let last = cases.last?[0].int else { return total }
            after = last
            let demandOn = Dictionary(uniqueKeysWithValues: demands.map { ($0[0].int!, Day(parsing: $0[1].text ?? "")) })
            let stopsOn = Dictionary(uniqueKeysWithValues: stops.map { ($0[0].int!, Day(parsing: $0[1].text ?? "")) })
            var claimRows = claims[...], paymentRows = payments[...]
            for c in cases {
                let id = c[0].int!
                let kind = Debtor.Kind(rawValue: c[1].text ?? "") ?? .company
                let demand = demandOn[id] ?? nil
                var ledgerClaims: [LedgerClaim] = []
                while let r = claimRows.first, r[0].int! <= id {
                    claimRows = claimRows.dropFirst()
                    guard r[0].int! == id, let issued = Day(parsing: r[2].text ?? ""), let due = Day(parsing: r[3].text ?? "") else { continue }
                    let terms: InterestTerms = r[5].int.map { .contractual(annualRate: Rate(microPercent: $0)) } ?? .statutory
                    let claim = Claim(id: r[1].int!, caseID: id, invoiceReference: "", issuedOn: issued, dueOn: due,
                                      principal: .eur(cents: r[4].int ?? 0), vat: .eur(cents: 0), interestTerms: terms)
                    ledgerClaims.append(LedgerClaim(claim, debtorKind: kind, formalDemandOn: demand, interestThrough: stopsOn[id] ?? nil))
                }
                var ledgerPayments: [LedgerPayment] = []
                while let r = paymentRows.first, r[0].int! <= id {
                    paymentRows = paymentRows.dropFirst()
                    guard r[0].int! == id, let on = Day(parsing: r[2].text ?? "") else { continue }
                    ledgerPayments.append(LedgerPayment(id: r[1].int!, receivedOn: on, cents: r[3].int ?? 0,
                                                        debtorChoice: (r[4].text ?? "").split(separator: ",").compactMap { Int64($0) }))
                }
                switch Ledger.settle(claims: ledgerClaims, payments: ledgerPayments, asOf: day, rates: rates) {
                case let .success(l):
                    total.owedCents += l.owedCents
                    total.interestCents += l.interestCents
                case .failure:
                    total.problems += 1
                }
                total.cases += 1
            }
        }
    }
}
