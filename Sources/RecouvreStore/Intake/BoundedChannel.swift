import Synchronization

/// A queue of at most `capacity` elements between one producing task and one consuming task:
/// the producer waits while it is full, so a fast reader cannot run ahead of a slow writer and
/// memory stays bounded. Either side can end it: the producer with `finish(throwing:)`, the
/// consumer with `cancel()` (the producer's next `send` then returns false).
final class BoundedChannel<Element: Sendable>: Sendable {
    private struct State {
        var buffer: [Element] = []
        var finished = false
        var failure: (any Error)?
        var cancelled = false
        var receiver: CheckedContinuation<Element?, any Error>?
        var sender: CheckedContinuation<Bool, Never>?
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// Adds `element`, waiting while the queue is full; false once the consumer has cancelled.
    func send(_ element: Element) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let resume: (() -> Void)? = state.withLock { s in
                if s.cancelled { return { continuation.resume(returning: false) } }
                if let receiver = s.receiver {
                    s.receiver = nil
                    return { receiver.resume(returning: element); continuation.resume(returning: true) }
                }
                s.buffer.append(element)
                if s.buffer.count < capacity { return { continuation.resume(returning: true) } }
                s.sender = continuation // resumed when the consumer takes one
                return nil
            }
            resume?()
        }
    }

    /// No more elements: the consumer gets the buffered ones, then nil (or `error`).
    func finish(throwing error: (any Error)? = nil) {
        let receiver: CheckedContinuation<Element?, any Error>? = state.withLock { s in
            s.finished = true
            s.failure = error
            defer { s.receiver = nil }
            return s.buffer.isEmpty ? s.receiver : nil
        }
        if let error { receiver?.resume(throwing: error) } else { receiver?.resume(returning: nil) }
    }

    /// The next element, or nil once the producer has finished and the queue is empty.
    func receive() async throws -> Element? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Element?, any Error>) in
            let resume: (() -> Void) = state.withLock { s in
                if !s.buffer.isEmpty {
                    let element = s.buffer.removeFirst()
                    let sender = s.sender
                    s.sender = nil
                    return { sender?.resume(returning: true); continuation.resume(returning: element) }
                }
                if s.finished {
                    let failure = s.failure
                    return { if let failure { continuation.resume(throwing: failure) } else { continuation.resume(returning: nil) } }
                }
                s.receiver = continuation
                return {}
            }
            resume()
        }
    }

    /// The consumer stops: a waiting or later `send` returns false.
    func cancel() {
        let sender: CheckedContinuation<Bool, Never>? = state.withLock { s in
            s.cancelled = true
            s.buffer = []
            defer { s.sender = nil }
            return s.sender
        }
        sender?.resume(returning: false)
    }
}
