import Testing
@testable import RecouvreStore

@Suite struct BoundedChannelTests {
    struct Broken: Error {}

    @Test func deliversEverythingInOrderAndTheProducerWaits() async throws {
        let channel = BoundedChannel<Int>(capacity: 2)
        let producer = Task {
            var sent = 0
            for i in 0..<200 where await channel.send(i) { sent += 1 }
            channel.finish()
            return sent
        }
        var received: [Int] = []
        while let i = try await channel.receive() {
            received.append(i)
            if i % 50 == 0 { await Task.yield() }
        }
        #expect(received == Array(0..<200))
        #expect(await producer.value == 200)
    }

    @Test func theProducersErrorReachesTheConsumerAfterTheElementsBeforeIt() async throws {
        let channel = BoundedChannel<Int>(capacity: 4)
        Task {
            for i in 0..<3 { _ = await channel.send(i) }
            channel.finish(throwing: Broken())
        }
        var received: [Int] = []
        await #expect(throws: Broken.self) {
            while let i = try await channel.receive() { received.append(i) }
        }
        #expect(received == [0, 1, 2])
    }

    @Test func aConsumerThatStopsReleasesAWaitingProducer() async throws {
        let channel = BoundedChannel<Int>(capacity: 1)
        let producer = Task {
            var i = 0
            while await channel.send(i) { i += 1 }
            return i
        }
        #expect(try await channel.receive() == 0)
        channel.cancel()
        // The producer was waiting on a full channel or sends next: either way it stops.
        #expect(await producer.value <= 3)
    }
}
