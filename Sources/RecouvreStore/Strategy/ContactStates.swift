import RecouvreCore
import SQLKit

/// Reads and writes a case's `ContactState` (table `contact_states`, one row once something was
/// recorded): call attempts and refused channels as comma-separated lists.
enum ContactStates {
    static func decode(lastContactOn: String?, lastLetterOn: String?, callAttempts: String?, refused: String?,
                       promiseCents: Int64?, promiseDueOn: String?, paidBefore: Int64?) -> ContactState {
        var promise: PaymentPromise?
        if let amount = promiseCents, let due = promiseDueOn.flatMap({ Day(parsing: $0) }) {
            promise = PaymentPromise(amountCents: amount, dueOn: due, paidBeforeCents: paidBefore ?? 0)
        }
        return ContactState(lastContactOn: lastContactOn.flatMap { Day(parsing: $0) }, lastLetterOn: lastLetterOn.flatMap { Day(parsing: $0) },
                            callAttempts: (callAttempts ?? "").split(separator: ",").compactMap { Day(parsing: $0) },
                            refusedChannels: Set((refused ?? "").split(separator: ",").compactMap { StepChannel(rawValue: String($0)) }),
                            promise: promise)
    }

    static func load(caseID: Int64, db: any SQLDatabase) async throws -> ContactState {
        try await db.raw("SELECT * FROM contact_states WHERE case_id = \(bind: caseID)").all().first.map(decode) ?? ContactState()
    }

    /// A row's contact state columns; all NULL (a case without a row, outer-joined) is the empty state.
    static func decode(_ r: any SQLRow) throws -> ContactState {
        decode(lastContactOn: try r.decode(column: "last_contact_on", as: String?.self), lastLetterOn: try r.decode(column: "last_letter_on", as: String?.self),
               callAttempts: try r.decode(column: "call_attempts", as: String?.self), refused: try r.decode(column: "refused_channels", as: String?.self),
               promiseCents: try r.decode(column: "promise_cents", as: Int64?.self), promiseDueOn: try r.decode(column: "promise_due_on", as: String?.self),
               paidBefore: try r.decode(column: "promise_paid_before_cents", as: Int64?.self))
    }

    static func save(_ s: ContactState, caseID: Int64, at: Instant, db: any SQLDatabase) async throws {
        let attempts = s.callAttempts.map(\.iso).joined(separator: ",")
        let refused = s.refusedChannels.map(\.rawValue).sorted().joined(separator: ",")
        try await db.raw("""
            INSERT INTO contact_states (case_id, last_contact_on, last_letter_on, call_attempts, refused_channels, promise_cents, promise_due_on,
              promise_paid_before_cents, updated_at)
            VALUES (\(bind: caseID), \(bind: s.lastContactOn?.iso), \(bind: s.lastLetterOn?.iso), \(bind: attempts), \(bind: refused),
              \(bind: s.promise?.amountCents), \(bind: s.promise?.dueOn.iso), \(bind: s.promise?.paidBeforeCents), \(bind: at.description))
            ON CONFLICT (case_id) DO UPDATE SET last_contact_on = excluded.last_contact_on, last_letter_on = excluded.last_letter_on,
              call_attempts = excluded.call_attempts, refused_channels = excluded.refused_channels, promise_cents = excluded.promise_cents,
              promise_due_on = excluded.promise_due_on, promise_paid_before_cents = excluded.promise_paid_before_cents, updated_at = excluded.updated_at
            """).run()
    }

    /// A letter went out on `day`: the gap between letters counts from it.
    static func noteLetter(caseID: Int64, on day: Day, at: Instant, db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO contact_states (case_id, last_letter_on, updated_at) VALUES (\(bind: caseID), \(bind: day.iso), \(bind: at.description))
            ON CONFLICT (case_id) DO UPDATE SET last_letter_on = excluded.last_letter_on, updated_at = excluded.updated_at
            """).run()
    }
}
