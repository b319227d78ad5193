import Foundation

/// What nearly every page reads — the creditors, the case workers, the settings in force, the
/// caller's session or token — kept a few seconds so that a page does not read it again. A change
/// made through this `Database` clears them at once; one made by another process (the command
/// line) shows within `lifetime`.
final class ShortCache: @unchecked Sendable {
    static let lifetime: Duration = .seconds(5)
    static let capacity = 10_000
    private let lock = NSLock()
    private var entries: [String: (at: ContinuousClock.Instant, value: any Sendable)] = [:]
    /// Bumped by `clear`: a value read before a change is not kept after it.
    private var generation = 0

    func value<T: Sendable>(_ key: String, load: () async throws -> T) async throws -> T {
        let now = ContinuousClock.now
        let (hit, started) = lock.withLock { (entries[key], generation) }
        if let hit, now - hit.at < Self.lifetime, let value = hit.value as? T { return value }
        let value = try await load()
        lock.withLock {
            guard generation == started else { return }
            // One entry per session or token seen: a flood of them (unknown tokens) is let go.
            if entries.count >= Self.capacity { entries.removeAll() }
            entries[key] = (now, value)
        }
        return value
    }

    func clear() { lock.withLock { entries.removeAll(); generation += 1 } }
}
