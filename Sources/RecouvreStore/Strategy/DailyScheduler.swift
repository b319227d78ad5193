import Logging
import RecouvreCore

/// Runs the day's amicable run once a day, from `hour` (Paris time) on, in `serve` and `worker`:
/// it checks every few minutes whether today's run is finished and runs or resumes it if not. Any
/// number of processes may do this on one PostgreSQL: the run's row serialises their batches.
public struct DailyScheduler: Sendable {
    let database: Database
    let hour: Int
    let mailer: (any Mailer)?
    let afterRun: (@Sendable (Day, Instant) async throws -> Void)?
    let logger: Logger

    /// With a `mailer`, the creditors' digests of the day before go out after the run. `afterRun`
    /// (the day's print batches) runs at each check once the run is done, so it must create
    /// nothing twice.
    public init(_ database: Database, hour: Int = 6, mailer: (any Mailer)? = nil, afterRun: (@Sendable (Day, Instant) async throws -> Void)? = nil,
                logger: Logger = Logger(label: "recouvre.daily-run")) {
        self.database = database
        self.hour = hour
        self.mailer = mailer
        self.afterRun = afterRun
        self.logger = logger
    }

    /// Checks until cancelled.
    public func loop(every interval: Duration = .seconds(300)) async {
        while !Task.isCancelled {
            await tick(at: SystemClock.now())
            try? await Task.sleep(for: interval)
        }
    }

    /// Runs or resumes today's run when its hour has come and it is not finished.
    func tick(at now: Instant) async {
        let local = ParisTime(now)
        guard local.hour >= hour else { return }
        do {
            let run = DailyRun(database)
            if try await !run.summary(of: local.day).alreadyDone {
                // Plans first: a plan broken today sends its case back to the strategy, which acts on it at once.
                let plans = try await PlanStore(database).review(on: local.day, at: now)
                if plans.broken + plans.completed > 0 { logger.info("payment plans of \(local.day.iso): \(plans.broken) broken, \(plans.completed) completed") }
                let summary = try await run.run(on: local.day, settings: try await SettingsStore(database).current(), at: now)
                logger.info("daily run of \(local.day.iso): \(summary.casesSeen) cases, \(summary.tasksCreated) tasks, \(summary.escalations) escalations, \(summary.promisesJudged) promises judged")
            }
            try await afterRun?(local.day, now)
            if let mailer {
                let sent = try await DigestSender(database, mailer: mailer).send(for: local.day.adding(days: -1), at: now)
                if sent > 0 { logger.info("digests of \(local.day.adding(days: -1).iso) sent: \(sent)") }
            }
        } catch {
            logger.error("daily run of \(local.day.iso) failed, retried at the next check: \(error)")
        }
    }
}
