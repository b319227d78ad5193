/// Who did something: a user of the agency, a creditor's system, or Recouvre itself.
public struct Actor: Hashable, Sendable, Codable, CustomStringConvertible {
    public let id: String
    public init(_ id: String) { self.id = id }
    public static let system = Actor("system")
    public static func user(_ login: String) -> Actor { Actor("user:\(login)") }
    public static func importer(_ importID: Int64) -> Actor { Actor("import:\(importID)") }
    public var description: String { id }
}

/// A case's position in its lifecycle: its status and, while suspended, what to resume to.
public struct CaseLifecycle: Hashable, Sendable, Codable {
    public private(set) var status: CaseStatus
    public private(set) var suspension: Suspension?

    public struct Suspension: Hashable, Sendable, Codable {
        public let reason: SuspensionReason
        public let resumeTo: CaseStatus
        public init(reason: SuspensionReason, resumeTo: CaseStatus) {
            self.reason = reason
            self.resumeTo = resumeTo
        }
    }

    public init(status: CaseStatus = .intake, suspension: Suspension? = nil) {
        precondition((status == .suspended) == (suspension != nil), "a suspended case needs its suspension and only it")
        self.status = status
        self.suspension = suspension
    }

    /// The transitions of the lifecycle, one row per state: where it may go next. Suspension and
    /// returning the case to the creditor are possible from every state that is not ended.
    public static let allowed: [CaseStatus: Set<CaseStatus>] = [
        .intake: [.investigation, .amicable],
        .investigation: [.amicable, .decisionPending, .paid, .partiallyPaid, .paymentPlan, .litigation, .irrecoverable],
        .amicable: [.investigation, .decisionPending, .paid, .partiallyPaid, .paymentPlan],
        .decisionPending: [.amicable, .paid, .partiallyPaid, .paymentPlan, .litigation, .irrecoverable],
        .paymentPlan: [.amicable, .decisionPending, .paid, .partiallyPaid, .litigation, .irrecoverable],
        .litigation: [.paid, .partiallyPaid, .paymentPlan, .irrecoverable],
        .paid: [.closed],
        .partiallyPaid: [.closed, .litigation],
        .irrecoverable: [.closed],
        .suspended: [.irrecoverable, .closed],
        .closed: [],
        .returnedToCreditor: [],
    ]

    /// Every state a case in `self` may move to now, including suspend/resume/return.
    public var possibleTargets: Set<CaseStatus> {
        var targets = CaseLifecycle.allowed[status] ?? []
        if !status.isTerminal {
            targets.insert(.returnedToCreditor)
            if status != .suspended && status != .paid && status != .irrecoverable { targets.insert(.suspended) }
        }
        if let s = suspension { targets.insert(s.resumeTo) }
        return targets
    }

    /// Moves the case to `target`. Suspending needs a reason; leaving a suspension goes back to the
    /// state it interrupted (or ends the case). Anything else not in the table is refused.
    public func moving(to target: CaseStatus, suspensionReason: SuspensionReason? = nil) throws(LifecycleError) -> CaseLifecycle {
        guard possibleTargets.contains(target), target != status else {
            throw LifecycleError.forbidden(from: status, to: target, allowed: possibleTargets.sorted())
        }
        if target == .suspended {
            guard let reason = suspensionReason else { throw LifecycleError.suspensionNeedsReason }
            return CaseLifecycle(status: .suspended, suspension: Suspension(reason: reason, resumeTo: status))
        }
        return CaseLifecycle(status: target, suspension: nil)
    }
}

public enum LifecycleError: Error, Equatable, Sendable, CustomStringConvertible {
    case forbidden(from: CaseStatus, to: CaseStatus, allowed: [CaseStatus])
    case suspensionNeedsReason
    case reasonRequired

    public var description: String {
        switch self {
        case let .forbidden(from, to, allowed):
            "a case cannot go from \(from.rawValue) to \(to.rawValue); allowed: \(allowed.map(\.rawValue).joined(separator: ", "))"
        case .suspensionNeedsReason: "suspending a case needs a reason (dispute, collective proceedings, creditor request)"
        case .reasonRequired: "a phase change needs a reason"
        }
    }
}

/// Something that happened to a case, as its history records it: nothing is deleted, corrections
/// are new events.
public struct CaseEvent: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case opened, claimsImported = "claims_imported", transition, investigationUpdated = "investigation_updated", note
        /// A call, letter, visit, email, text or note recorded by an agent (`CaseAction`).
        case action
        /// The case was given to an agent, or taken back.
        case assigned
        /// A letter printed and posted, then what the post says of it (delivered, not claimed,
        /// returned).
        case mail
        /// A payment received, with its receipt and how it was allocated (R124-5: the creditor
        /// reads it).
        case payment
    }

    public var caseID: Int64
    public var occurredAt: Instant
    public var actor: Actor
    public var kind: Kind
    public var fromStatus: CaseStatus?
    public var toStatus: CaseStatus?
    /// The why, in the words of whoever did it (shown to the creditor).
    public var text: String

    public init(caseID: Int64, occurredAt: Instant, actor: Actor, kind: Kind, fromStatus: CaseStatus? = nil, toStatus: CaseStatus? = nil, text: String) {
        self.caseID = caseID
        self.occurredAt = occurredAt
        self.actor = actor
        self.kind = kind
        self.fromStatus = fromStatus
        self.toStatus = toStatus
        self.text = text
    }
}

/// A phase change decided for a case: its new lifecycle and the event that records it.
public struct Transition: Sendable {
    public let lifecycle: CaseLifecycle
    public let event: CaseEvent

    /// The one way to change a case's status: checks the lifecycle, demands a reason, and returns
    /// the event to append to the history.
    public static func make(caseID: Int64, from current: CaseLifecycle, to target: CaseStatus,
                            suspensionReason: SuspensionReason? = nil, actor: Actor, at: Instant,
                            reason: String) throws(LifecycleError) -> Transition {
        guard !reason.trimmingSpaces().isEmpty else { throw .reasonRequired }
        let next = try current.moving(to: target, suspensionReason: suspensionReason)
        var text = reason.trimmingSpaces()
        if let s = next.suspension { text = "[\(s.reason.rawValue)] " + text }
        return Transition(lifecycle: next, event: CaseEvent(caseID: caseID, occurredAt: at, actor: actor, kind: .transition,
                                                            fromStatus: current.status, toStatus: target, text: text))
    }
}

/// A UTC instant in milliseconds since 1970, independent of Foundation so the core stays pure.
public struct Instant: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let millisecondsSinceEpoch: Int64
    public init(millisecondsSinceEpoch: Int64) { self.millisecondsSinceEpoch = millisecondsSinceEpoch }

    public var day: Day { Day(daysSinceEpoch: Int((millisecondsSinceEpoch - (millisecondsSinceEpoch < 0 ? 86_399_999 : 0)) / 86_400_000)) }

    public static func < (a: Instant, b: Instant) -> Bool { a.millisecondsSinceEpoch < b.millisecondsSinceEpoch }

    /// ISO 8601 UTC, `2026-03-01T09:30:00.000Z` (sorts as text: the storage form).
    public var description: String {
        let ms = millisecondsSinceEpoch
        let d = day
        let inDay = ms - Int64(d.daysSinceEpoch) * 86_400_000
        func pad(_ v: Int64, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(d.iso)T\(pad(inDay / 3_600_000, 2)):\(pad(inDay / 60_000 % 60, 2)):\(pad(inDay / 1000 % 60, 2)).\(pad(inDay % 1000, 3))Z"
    }

    public init?(iso text: String) {
        // YYYY-MM-DDTHH:MM:SS(.mmm)Z
        let parts = text.split(separator: "T")
        guard parts.count == 2, let d = Day(parsing: parts[0]) else { return nil }
        var t = parts[1]
        guard t.hasSuffix("Z") else { return nil }
        t = t.dropLast()
        let hms = t.split(separator: ":")
        guard hms.count == 3, let h = Int64(hms[0]), let m = Int64(hms[1]) else { return nil }
        let secParts = hms[2].split(separator: ".")
        guard let s = Int64(secParts[0]) else { return nil }
        var millis: Int64 = 0
        if secParts.count == 2 {
            let f = String(secParts[1].prefix(3))
            millis = (Int64(f) ?? 0) * Int64([100, 10, 1][f.count - 1])
        }
        millisecondsSinceEpoch = Int64(d.daysSinceEpoch) * 86_400_000 + h * 3_600_000 + m * 60_000 + s * 1000 + millis
    }

    public static func startOf(_ day: Day) -> Instant { Instant(millisecondsSinceEpoch: Int64(day.daysSinceEpoch) * 86_400_000) }
}
