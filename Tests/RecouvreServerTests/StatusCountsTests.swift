import RecouvreCore
import RecouvreStore
import Testing
@testable import RecouvreServer

/// The case list's counts per phase: counted once per scope at a time, and an old count shown
/// while the next one runs (a page that waited for the recount would wait here for ever: the
/// time limit makes that a failure).
@Suite(.timeLimit(.minutes(1))) struct StatusCountsTests {
    /// A count the test lets finish: `wait` suspends until `open`.
    actor Gate {
        private var isOpen = false
        private var waiting: [CheckedContinuation<Void, Never>] = []
        func wait() async {
            if isOpen { return }
            await withCheckedContinuation { waiting.append($0) }
        }
        func open() {
            isOpen = true
            waiting.forEach { $0.resume() }
            waiting = []
        }
    }

    /// How many counts ran, each returning its number as the intake count.
    actor Counter {
        private(set) var calls = 0
        var failNext = false
        func next() throws -> Int {
            calls += 1
            if failNext { failNext = false; throw StoreError.invalid("the count failed") }
            return calls
        }
        func failOnce() { failNext = true }
    }

    @Test func pagesArrivingDuringTheFirstCountWaitForIt() async throws {
        let counts = StatusCounts(), counter = Counter(), gate = Gate()
        let count: @Sendable (CaseScope) async throws -> [CaseStatus: Int] = { _ in
            await gate.wait()
            return [.intake: try await counter.next()]
        }
        async let a = counts.get(.agency, count: count)
        async let b = counts.get(.agency, count: count)
        async let c = counts.get(.agency, count: count)
        try await Task.sleep(for: .milliseconds(50))
        await gate.open()
        let results = try await [a, b, c]
        #expect(results.allSatisfy { $0 == [.intake: 1] })
        #expect(await counter.calls == 1)
        // Another scope is counted on its own.
        #expect(try await counts.get(.agent(7), count: count) == [.intake: 2])
    }

    @Test func anOldCountIsShownWhileTheNextOneRuns() async throws {
        let counts = StatusCounts(lifetime: .milliseconds(100)), counter = Counter()
        let first = try await counts.get(.agency) { _ in [.intake: try await counter.next()] }
        #expect(first == [.intake: 1])
        // Within its lifetime the count is not made again.
        #expect(try await counts.get(.agency) { _ in [.intake: try await counter.next()] } == [.intake: 1])
        #expect(await counter.calls == 1)

        try await Task.sleep(for: .milliseconds(150))
        let gate = Gate()
        let slow: @Sendable (CaseScope) async throws -> [CaseStatus: Int] = { _ in
            await gate.wait()
            return [.intake: try await counter.next()]
        }
        // Past its lifetime: the old counts come back at once, although the recount cannot end.
        #expect(try await counts.get(.agency, count: slow) == [.intake: 1])
        #expect(try await counts.get(.agency, count: slow) == [.intake: 1])
        await gate.open()
        // One recount for both pages; once it ends, its counts are shown.
        var shown: [CaseStatus: Int] = [:]
        for _ in 0..<100 where shown != [.intake: 2] {
            try await Task.sleep(for: .milliseconds(10))
            shown = try await counts.get(.agency, count: slow)
        }
        #expect(shown == [.intake: 2])
        #expect(await counter.calls == 2)
    }

    @Test func aFailedCountIsNotKept() async throws {
        let counts = StatusCounts(lifetime: .milliseconds(100)), counter = Counter()
        let count: @Sendable (CaseScope) async throws -> [CaseStatus: Int] = { _ in [.intake: try await counter.next()] }
        await counter.failOnce()
        await #expect(throws: StoreError.self) { try await counts.get(.agency, count: count) }
        // The next page counts again.
        #expect(try await counts.get(.agency, count: count) == [.intake: 2])

        // A failed recount leaves the last counts shown, and the next page tries again.
        try await Task.sleep(for: .milliseconds(150))
        await counter.failOnce()
        #expect(try await counts.get(.agency, count: count) == [.intake: 2])
        var shown: [CaseStatus: Int] = [:]
        for _ in 0..<100 where shown != [.intake: 4] {
            try await Task.sleep(for: .milliseconds(10))
            shown = try await counts.get(.agency, count: count)
        }
        #expect(shown == [.intake: 4])
    }
}
