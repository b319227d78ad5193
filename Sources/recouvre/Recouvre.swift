import ArgumentParser
import Foundation
import Hummingbird
import RecouvreCore
import RecouvreDocuments
import RecouvreServer
import RecouvreStore

@main
struct Recouvre: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recouvre",
        abstract: "Recouvre, the software of a debt-collection agency.",
        subcommands: [Demo.self, Serve.self, Worker.self, Migrate.self, Import.self, RunCommand.self, PrintCommand.self, SendCommand.self, ReceiptsCommand.self, StatementCommand.self, DebitsCommand.self, PostCommand.self, DigestCommand.self, SettingsCommand.self, CreditorCommand.self, UserCommand.self, AuditCommand.self])
}

/// `--database`, else `RECOUVRE_DATABASE_URL`, else `recouvre.sqlite` in the working directory.
struct DatabaseOption: ParsableArguments {
    @Option(name: .customLong("database"), help: "Database URL: sqlite:FILE or postgres://user:pass@host:port/db (default: RECOUVRE_DATABASE_URL, else recouvre.sqlite)")
    var url: String?

    func location() throws -> DatabaseLocation {
        if let url { return try DatabaseLocation(url: url) }
        return try DatabaseLocation.fromEnvironment()
    }

    /// Opens and migrates the database.
    func open() async throws -> Database {
        let db = try await Database.open(try location())
        do { try await Migrations.migrate(db) } catch { await db.close(); throw error }
        return db
    }
}

/// Serves until stopped (Ctrl-C, SIGTERM), with the daily run's scheduler beside it unless
/// `dailyRunHour` is nil; then closes the database, whatever happened.
func serve(_ database: Database, hostname: String, port: Int, banner: String? = nil, dailyRunHour: Int? = 6) async throws {
    do {
        let app = try await buildApplication(ServerConfiguration(hostname: hostname, port: port), database: database) { port in
            FileHandle.standardOutput.write(Data(((banner ?? "Recouvre listens on http://\(hostname):\(port)/") + "\n").utf8))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            if let hour = dailyRunHour {
                let daily = try scheduler(database, hour: hour)
                group.addTask { await daily.loop() }
            }
            // The server stops on a signal; the scheduler stops with it.
            try await group.next()
            group.cancelAll()
        }
    } catch {
        await database.close()
        throw error
    }
    await database.close()
}

/// The daily run, then the day's print batches, emails, text messages and receipts still to send,
/// then yesterday's digests.
func scheduler(_ database: Database, hour: Int) throws -> DailyScheduler {
    let mailer = try configuredMailer()
    return DailyScheduler(database, hour: hour, mailer: mailer, afterRun: { day, at in
        _ = try await PrintRun(database, postal: FolderPostal.fromEnvironment(), press: .shared).runAll(on: day, at: at)
        _ = try await MessageRun(database, mailer: mailer, sms: OutboxFolderSMS.fromEnvironment(), press: .shared).run(on: day, at: at)
        _ = try await ReceiptRun(database, mailer: mailer).run(at: at)
        // Tomorrow's instalments by direct debit, for the bank a day ahead (an agency without an
        // ICS does not collect by direct debit).
        if let creditor = try? DirectDebitStore.creditor(try await LetterSettingsStore(database).current().settings.agency) {
            _ = try await DirectDebitStore(database).prepare(collectOn: day.adding(days: 1), folder: DirectDebitStore.outbox(), creditor: creditor,
                                                             actor: Actor("system:debits"), at: at)
        }
    })
}

/// The day a `--date` option names, or `default` without one.
func parseDay(_ text: String?, default fallback: Day) throws -> Day {
    guard let text else { return fallback }
    guard let d = Day(parsing: text) else { throw ValidationError("--date must be YYYY-MM-DD, not \(text)") }
    return d
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start the web server (and the daily run's scheduler).")
    @OptionGroup var database: DatabaseOption
    @Option(help: "Address to listen on.") var hostname = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "Hour (Paris time) from which the day's amicable run starts.") var dailyRunHour = 6
    @Flag(help: "Do not schedule the daily run in this process (leave it to `recouvre worker`).") var noDailyRun = false

    func run() async throws {
        try await serve(try await database.open(), hostname: hostname, port: port, dailyRunHour: noDailyRun ? nil : dailyRunHour)
    }
}

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run background work without serving pages: the daily amicable run, each day from its hour.")
    @OptionGroup var database: DatabaseOption
    @Option(help: "Hour (Paris time) from which the day's amicable run starts.") var dailyRunHour = 6

    func run() async throws {
        let db = try await database.open()
        defer { Task { await db.close() } }
        print("Recouvre worker: daily run from \(dailyRunHour):00 Paris time — Ctrl-C to stop")
        await (try scheduler(db, hour: dailyRunHour)).loop()
    }
}

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the amicable phase's daily run for a day: every amicable case through its strategy.",
        discussion: """
        Letters, emails and texts go to the outbox; calls, visits and reviews to the work queues. \
        Running a day twice creates nothing new; a run stopped midway resumes where it stopped.
        """)
    @OptionGroup var database: DatabaseOption
    @Option(help: "The day to run (YYYY-MM-DD; default: today in Paris).") var date: String?
    @Option(help: "Cases per transaction.") var batchSize = 5_000

    func run() async throws {
        let day = try parseDay(date, default: SystemClock.today())
        let db = try await database.open()
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let before = try await DailyRun(db).summary(of: day)
            // Plans first: a plan broken today sends its case back to the strategy, which acts on it at once.
            let plans = try await PlanStore(db).review(on: day, at: Instant(millisecondsSinceEpoch: Int64(day.daysSinceEpoch) * 86_400_000 + 6 * 3_600_000))
            let s = try await DailyRun(db).run(on: day, settings: try await SettingsStore(db).current(), batchSize: batchSize)
            await db.close()
            let note = before.alreadyDone ? " (already run: nothing new)" : ""
            print("Daily run of \(day.iso)\(note) in \(String(format: "%.3f", seconds(clock.now - start))) s: \(s.casesSeen) cases seen, \(s.tasksCreated) tasks created, \(s.escalations) escalations, \(s.promisesJudged) promises judged; payment plans: \(plans.broken) broken, \(plans.completed) completed")
        } catch {
            await db.close()
            throw error
        }
    }
}

struct PrintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "print",
        abstract: "Print the outbox's letters of a day: one merged PDF and a manifest per kind, in the post's drop folder.",
        discussion: """
        Each letter is archived with its case as it is rendered; a stopped run resumes, and a day's \
        deposited batch is never made again. The folder is RECOUVRE_POST_OUTBOX (default outbox/post).
        """)
    @OptionGroup var database: DatabaseOption
    @Option(help: "The day (YYYY-MM-DD; default: today in Paris).") var date: String?

    func run() async throws {
        let day = try parseDay(date, default: SystemClock.today())
        let db = try await database.open()
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let summaries = try await PrintRun(db, postal: FolderPostal.fromEnvironment(), press: .shared).runAll(on: day)
            await db.close()
            let elapsed = seconds(clock.now - start)
            for s in summaries { Self.report(s) }
            let printed = summaries.reduce(0) { $0 + $1.printed }
            print(String(format: "%d letters in %.1f s (%.0f letters/s)", printed, elapsed, Double(printed) / max(elapsed, 0.001)))
        } catch {
            await db.close()
            throw error
        }
    }

    /// Written at once, not through print's buffer: the demo goes on serving after it, and its
    /// output may be a pipe.
    static func report(_ s: PrintRunSummary) {
        func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
        let kind = s.channel == .registeredLetter ? "registered letters" : "letters"
        guard let batch = s.batch, batch.letters > 0 else {
            say("\(s.day.iso) \(kind): nothing to print" + (s.problems.isEmpty ? "" : ", \(s.problems.count) letters could not be written"))
            for p in s.problems { say("  not printed: \(p.caseReference): \(p.problem)") }
            return
        }
        if s.alreadyDeposited { say("\(s.day.iso) \(kind): batch already deposited (\(batch.letters) letters), nothing new"); return }
        say("\(s.day.iso) \(kind): \(batch.letters) letters, \(batch.pages) pages, postage \(Money.eur(cents: batch.postageCents).formatted(locale: .en)) → \(batch.pdfPath ?? "-") and \(batch.manifestPath ?? "-")")
        for p in s.problems { say("  not printed: \(p.caseReference): \(p.problem)") }
    }
}

struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send the outbox's emails (the letter as PDF attached) and text messages due by a day.",
        discussion: """
        Mail goes to the SMTP server of RECOUVRE_SMTP_HOST (port RECOUVRE_SMTP_PORT, STARTTLS unless \
        RECOUVRE_SMTP_SECURITY=none, RECOUVRE_SMTP_USER / RECOUVRE_SMTP_PASSWORD, RECOUVRE_SMTP_FROM), \
        else as .eml files to RECOUVRE_MAIL_OUTBOX. Texts go to RECOUVRE_SMS_OUTBOX, within the contact hours only.
        """)
    @OptionGroup var database: DatabaseOption
    @Option(help: "The day (YYYY-MM-DD; default: today in Paris).") var date: String?

    func run() async throws {
        let day = try parseDay(date, default: SystemClock.today())
        let mailer = try configuredMailer()
        let db = try await database.open()
        let s: MessageRunSummary
        do { s = try await MessageRun(db, mailer: mailer, sms: OutboxFolderSMS.fromEnvironment(), press: .shared).run(on: day) } catch { await db.close(); throw error }
        await db.close()
        print("\(day.iso): \(s.emails) emails, \(s.texts) texts\(s.textsHeld ? " (texts wait for the contact hours)" : ""), \(s.bounced) bounced, \(s.problems) not written")
        if let why = s.retryLater { print("  mail server: \(why); the rest is retried at the next run"); throw ExitCode(3) }
    }
}

struct PostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "post",
        abstract: "Import the post's files: registered numbers of a deposit, then acknowledgments and returns.",
        subcommands: [Numbers.self, Receipts.self])

    struct Numbers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A CSV of reference;numero: each registered letter's number.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The CSV file.") var file: String
        func run() async throws { try await PostCommand.apply(file, database) { try await $0.importRegisteredNumbers($1, actor: .user(NSUserName())) } }
    }

    struct Receipts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A CSV of numero;statut;date (or reference;statut;date): distribue, non_reclame or npai.",
            discussion: "An NPAI return marks the debtor's address invalid and queues an investigation task.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The CSV file.") var file: String
        func run() async throws { try await PostCommand.apply(file, database) { try await $0.importReceipts($1, actor: .user(NSUserName())) } }
    }

    static func apply(_ file: String, _ database: DatabaseOption, _ body: (PostTracking, [UInt8]) async throws -> TrackingReport) async throws {
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        let db = try await database.open()
        let report: TrackingReport
        do { report = try await body(PostTracking(db), data) } catch { await db.close(); throw error }
        await db.close()
        print("\(report.applied) applied, \(report.unchanged) already known, \(report.rejected.count) rejected")
        for r in report.rejected { print("  line \(r.line): \(r.reason)") }
        if !report.rejected.isEmpty { throw ExitCode(2) }
    }
}

struct DigestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Send the creditors' daily digests of a day's reports (to RECOUVRE_MAIL_OUTBOX, default outbox/mail); a user gets each day's once.")
    @OptionGroup var database: DatabaseOption
    @Option(help: "The day reported (YYYY-MM-DD; default: yesterday in Paris).") var date: String?

    func run() async throws {
        let day = try parseDay(date, default: SystemClock.today().adding(days: -1))
        let db = try await database.open()
        do {
            let mailer = OutboxFolderMailer.fromEnvironment()
            let sent = try await DigestSender(db, mailer: mailer).send(for: day)
            await db.close()
            print("digests of \(day.iso): \(sent) sent to \(mailer.folder)")
        } catch {
            await db.close()
            throw error
        }
    }
}

struct SettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Export or import the collection settings (strategies, contact rules, queue order) or, with --letters, the letter settings (agency, templates, postage) as JSON.",
        subcommands: [Export.self, ImportSettings.self])

    struct Which: ParsableArguments {
        @Flag(help: "The letter settings (agency identity, templates, postage tariff) instead of the collection settings.") var letters = false
        @Flag(help: "The interest rate tables (L441-10 and legal rate, a row per half-year) instead of the collection settings.") var rates = false
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the settings in force (or write them to --file).")
        @OptionGroup var database: DatabaseOption
        @OptionGroup var which: Which
        @Option(help: "Write to this file instead of standard output.") var file: String?

        func run() async throws {
            let db = try await database.open()
            let text = which.letters ? LetterSettingsStore.json(try await LetterSettingsStore(db).current().settings) + "\n"
                : which.rates ? RateSettingsStore.json(try await RateSettingsStore(db).current().settings) + "\n"
                : SettingsStore.json(try await SettingsStore(db).current().settings) + "\n"
            await db.close()
            if let file { try text.write(toFile: file, atomically: true, encoding: .utf8) } else { print(text, terminator: "") }
        }
    }

    struct ImportSettings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "import", abstract: "Validate a settings file and put it in force; nothing changes if it has a problem.")
        @OptionGroup var database: DatabaseOption
        @OptionGroup var which: Which
        @Argument(help: "The JSON file.") var file: String

        func run() async throws {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let db = try await database.open()
            let result = which.letters ? try await LetterSettingsStore(db).save(text, actor: .user(NSUserName()))
                : which.rates ? try await RateSettingsStore(db).save(text, actor: .user(NSUserName()))
                : try await SettingsStore(db).save(text, actor: .user(NSUserName()))
            await db.close()
            switch result {
            case let .success(id): print("settings version \(id) in force")
            case let .failure(e):
                FileHandle.standardError.write(Data("settings refused, nothing changed:\n\(e.problems.map { "  \($0)" }.joined(separator: "\n"))\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or update the database schema.")
    @OptionGroup var database: DatabaseOption

    func run() async throws {
        let db = try await Database.open(try database.location())
        let applied = try await Migrations.migrate(db)
        await db.close()
        print(applied.isEmpty ? "schema up to date (version \(Migrations.latestVersion))" : "applied migration(s) \(applied.map(String.init).joined(separator: ", "))")
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create a demo portfolio in recouvre-demo.sqlite and start the server on it.")
    @Option(help: "The demo database file (replaced at each run).") var file = "recouvre-demo.sqlite"
    @Option(help: "Address to listen on.") var hostname = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Flag(help: "Build the portfolio and exit without serving.") var noServe = false

    func run() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
        let db = try await Database.open(.sqlite(path: file))
        try await Migrations.migrate(db)
        // Each day's letters printed after its run, as the scheduler does: the demo has print
        // batches, archived letters on its cases and a drop folder.
        let postal = FolderPostal.fromEnvironment()
        var printed: [PrintRunSummary] = []
        let result = try await DemoPortfolio.load(into: db, today: SystemClock.today()) { day, at in
            printed += try await PrintRun(db, postal: postal, press: .shared).runAll(on: day, at: at).filter { $0.batch != nil }
        }
        // The receipts of the demo's payments, each archived with its case (emailed ones as .eml).
        let receipts = try await ReceiptRun(db, mailer: OutboxFolderMailer.fromEnvironment()).run()
        let elapsed = seconds(clock.now - start)
        let logins = try await Self.addUsers(db)
        FileHandle.standardOutput.write(Data("Demo portfolio: \(result.creditors) creditors, \(result.cases) cases, \(result.claims) claims, \(result.events) events in \(String(format: "%.1f", elapsed)) s (\(file))\n".utf8))
        for p in printed { PrintCommand.report(p) }
        ReceiptsCommand.report(receipts)
        FileHandle.standardOutput.write(Data("Logins, all with the password \(Self.password): \(logins.joined(separator: ", "))\n".utf8))
        if noServe { await db.close(); return }
        try await serve(db, hostname: hostname, port: port, banner: "Open http://\(hostname):\(port)/ — Ctrl-C to stop")
    }
}

extension Demo {
    static let password = "recouvre-demo-2026"

    /// One user per role; the creditor's user belongs to the first creditor, the agent to the
    /// Paris team (whose cases they see).
    static func addUsers(_ db: Database) async throws -> [String] {
        let creditor = try await CreditorStore(db).list().first
        let people: [(String, String, Role)] = [
            ("admin", "Alice Admin", .admin), ("agent", "Bruno Agent", .agent), ("superviseur", "Chloé Superviseure", .supervisor),
            ("juriste", "David Juriste", .lawyer), ("comptable", "Emma Comptable", .accountant), ("analyste", "Farid Analyste", .riskAnalyst),
            ("client", "Gaëlle (\(creditor?.name ?? "créancier"))", .creditorUser),
        ]
        let hash = Passwords.hash(password) // one hash for all: the demo's logins share their password
        var logins: [String] = []
        for (login, name, role) in people {
            let user = try await UserStore(db).create(login: login, displayName: name, role: role,
                                                      creditorID: role == .creditorUser ? creditor?.id : nil,
                                                      team: role == .agent || role == .supervisor ? "Paris" : nil, passwordHash: hash)
            logins.append("\(user.login) (\(role.rawValue))")
            if role == .agent {
                // The demo's agent takes over Marc Martin's cases, so their queue has today's calls.
                try await db.withConnection { db in
                    try await db.raw("UPDATE cases SET agent_id = \(bind: user.id) WHERE agent_id = (SELECT id FROM users WHERE login = 'agent.martin')").run()
                }
            }
        }
        return logins
    }
}

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a creditor's list of unpaid invoices (CSV).",
        discussion: """
        Columns are found by name (invoice_ref, debtor_name, issued_on, due_on, amount are required; \
        see README). Map other names with --map field=Header; the mapping is saved for the creditor. \
        Rejected rows go to FILE.rejects.csv with their line, column and reason; good rows land. \
        The import is one transaction: interrupted, it leaves nothing behind.
        """)
    @OptionGroup var database: DatabaseOption
    @Argument(help: "The CSV file (UTF-8 or Windows-1252, ; or , separated).") var file: String
    @Option(help: "The creditor's code.") var creditor: String
    @Option(name: .customLong("map"), help: "field=Header name in the file (repeatable); saved for the creditor.") var mappings: [String] = []
    @Option(help: "Where to write rejected rows (default: FILE.rejects.csv).") var rejects: String?
    @Flag(help: "Print progress to standard error.") var progress = false

    func run() async throws {
        var mapping: ColumnMapping?
        if !mappings.isEmpty {
            switch ColumnMapping.parse(pairs: mappings) {
            case let .success(m): mapping = m
            case let .failure(e): throw ValidationError(e.description)
            }
        }
        let rejectsPath = rejects ?? Self.rejectsPath(for: file)
        let db = try await database.open()
        let clock = ContinuousClock()
        let start = clock.now
        let summary: ImportSummary
        do {
            var options = ImportOptions(creditorCode: creditor.uppercased(), mapping: mapping, saveMapping: mapping != nil,
                                        actor: .user(NSUserName()), today: SystemClock.today(), rejectsPath: rejectsPath, progressEvery: 50_000)
            if progress {
                options.onProgress = { n in FileHandle.standardError.write(Data("… \(n) rows\n".utf8)) }
            }
            summary = try await ClaimImporter.importFile(at: file, into: db, options: options)
        } catch {
            await db.close()
            try? FileManager.default.removeItem(atPath: rejectsPath)
            FileHandle.standardError.write(Data("import refused, nothing was imported: \(error)\n".utf8))
            throw ExitCode(2)
        }
        await db.close()
        print(Self.report(summary, seconds: seconds(clock.now - start)))
        if summary.rowsRejected == 0 { try? FileManager.default.removeItem(atPath: rejectsPath) }
        if summary.rowsRejected > 0 { throw ExitCode(1) }
    }

    static func rejectsPath(for file: String) -> String {
        let url = URL(fileURLWithPath: file)
        return url.deletingPathExtension().path + ".rejects.csv"
    }

    static func report(_ s: ImportSummary, seconds: Double) -> String {
        var out = """
        Import #\(s.importID) of \(s.fileName) (separator '\(s.separator)'): \(s.rowsRead) rows in \(String(format: "%.1f", seconds)) s
          claims created:   \(s.claimsCreated)
          claims updated:   \(s.claimsUpdated)
          claims unchanged: \(s.claimsUnchanged)
          debtors created:  \(s.debtorsCreated)
          cases opened:     \(s.casesOpened)
          rows rejected:    \(s.rowsRejected)
        """
        if s.rowsDecodedAsWindows1252 > 0 { out += "\n  rows read as Windows-1252: \(s.rowsDecodedAsWindows1252)" }
        for u in s.updated.prefix(20) { out += "\n  updated line \(u.line) \(u.invoiceReference): \(u.changes.joined(separator: ", "))" }
        if s.updated.count > 20 { out += "\n  … \(s.claimsUpdated - 20) more updated" }
        for r in s.rejects.prefix(20) { out += "\n  rejected \(r)" }
        if s.rowsRejected > 0, let file = s.rejectsFile { out += "\n  all rejected rows: \(file)" }
        return out
    }
}

struct CreditorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "creditor", abstract: "Register and list creditors.",
                                                    subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a creditor with its mandate (CPCE R124-3).")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Short code, e.g. ACME.") var code: String
        @Option(help: "Company name.") var name: String
        @Option(help: "SIREN.") var siren: String?
        @Option(help: "Street line of the address.") var address = ""
        @Option(help: "Postcode.") var postcode = ""
        @Option(help: "City.") var city = ""
        @Option(help: "IBAN for remittances.") var iban: String?
        @Option(help: "Mandate reference.") var mandate: String
        @Option(help: "Mandate signing date (dd/mm/yyyy or yyyy-mm-dd).") var signedOn: String
        @Option(help: "Claims covered by the mandate.") var claimsCovered: String
        @Option(help: "The creditor's guarantee.") var guarantee = "Le créancier garantit détenir les créances confiées."
        @Option(help: "Commission, percent of amounts collected.") var commission: String
        @Option(help: "Days after encashment to remit funds (R124-6: 30 unless agreed).") var remitWithin = 30

        func run() async throws {
            guard let signed = Day(parsing: signedOn) else { throw ValidationError("--signed-on: '\(signedOn)' is not a date") }
            guard let rate = Rate(percent: commission) else { throw ValidationError("--commission: '\(commission)' is not a percentage") }
            let sirenValue: SIREN?
            do { sirenValue = try siren.map { try SIREN($0) } } catch { throw ValidationError(String(describing: error)) }
            let ibanValue: IBAN?
            do { ibanValue = try iban.map { try IBAN($0) } } catch { throw ValidationError(String(describing: error)) }
            let db = try await database.open()
            do {
                let c = try await CreditorStore(db).create(NewCreditor(
                    code: code, name: name, siren: sirenValue, address: PostalAddress(line1: address, postcode: postcode, city: city), iban: ibanValue,
                    mandate: Mandate(reference: mandate, signedOn: signed, claimsCovered: claimsCovered, guarantee: guarantee,
                                     commission: Commission(rateOfCollected: rate), remittance: RemittanceTerms(withinDays: remitWithin))))
                await db.close()
                print("creditor \(c.code) registered (#\(c.id))")
            } catch {
                await db.close()
                throw ValidationError(String(describing: error))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List creditors.")
        @OptionGroup var database: DatabaseOption
        func run() async throws {
            let db = try await database.open()
            let list = try await CreditorStore(db).list()
            await db.close()
            for c in list { print("\(c.code)\t\(c.name)\tmandate \(c.mandate.reference)\tcommission \(c.mandate.commission.rateOfCollected) %") }
        }
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Create users.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user; the password is read from standard input (one line).",
            discussion: "Roles: \(Role.allCases.map(\.rawValue).joined(separator: ", ")). A creditorUser needs --creditor.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Login (letters, digits, . _ - @).") var login: String
        @Option(help: "Name shown in the pages.") var name: String
        @Option(help: "Role.") var role: String
        @Option(help: "Creditor code, for a creditorUser.") var creditor: String?
        @Option(help: "Team of an agent or supervisor.") var team: String?

        func run() async throws {
            guard let role = Role(rawValue: role) else {
                throw ValidationError("--role: one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let password = readLine(strippingNewline: true) else { throw ValidationError("no password on standard input") }
            if let problem = PasswordRule.problem(with: password, login: login) { throw ValidationError("password: \(problem)") }
            let db = try await database.open()
            do {
                var creditorID: Int64?
                if let code = creditor {
                    guard let c = try await CreditorStore(db).list().first(where: { $0.code == code.uppercased() }) else {
                        throw ValidationError("--creditor: no creditor \(code)")
                    }
                    creditorID = c.id
                }
                let user = try await UserStore(db).create(login: login, displayName: name, role: role, creditorID: creditorID, team: team,
                                                          passwordHash: Passwords.hash(password))
                await db.close()
                print("user \(user.login) created (#\(user.id), \(user.role.rawValue))")
            } catch let e as ValidationError {
                await db.close()
                throw e
            } catch {
                await db.close()
                throw ValidationError(String(describing: error))
            }
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Check the audit trail.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the audit trail's hash chain; exit 1 at the first entry edited, removed or reordered.")
        @OptionGroup var database: DatabaseOption

        func run() async throws {
            let db = try await database.open()
            let verdict = try await AuditTrail.verify(db)
            await db.close()
            switch verdict {
            case let .intact(n): print("audit trail intact: \(n) entries")
            case let .broken(id, reason):
                print("audit trail BROKEN at entry #\(id): \(reason)")
                throw ExitCode(1)
            }
        }
    }
}

struct ReceiptsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "receipts",
        abstract: "Render and send the receipts of the payments booked (R124-6): by email when the debtor has one, else into the post's drop folder.")
    @OptionGroup var database: DatabaseOption

    func run() async throws {
        let db = try await database.open()
        let s: ReceiptRunSummary
        do { s = try await ReceiptRun(db, mailer: try configuredMailer()).run() } catch { await db.close(); throw error }
        await db.close()
        Self.report(s)
        if s.retryLater != nil { throw ExitCode(1) }
    }

    static func report(_ s: ReceiptRunSummary) {
        var line = "receipts and plan schedules (\(s.schedules) of these): \(s.emailed) emailed, \(s.posted) to the post\(s.postFile.map { " (\($0))" } ?? ""), \(s.kept) kept on their case"
        if let r = s.retryLater { line += "; mail server unreachable, the rest waits: \(r)" }
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

struct StatementCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "statement",
        abstract: "Import a camt.053 bank statement of the client-funds account: each credit matched to its case and booked with its receipt, the rest queued for the accountant (/bank).",
        discussion: "Importing the same statement again books nothing twice. Exit status 2 when some entries could not be read (each is listed with its line).")
    @OptionGroup var database: DatabaseOption
    @Argument(help: "The camt.053 XML file.") var file: String

    func run() async throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let db = try await database.open()
        let r: StatementImport
        do {
            let account = try await LetterSettingsStore(db).current().settings.agency.clientFundsIBAN
            let rates = try await RateSettingsStore(db).current().settings.interestRates
            r = try await StatementStore(db).importStatement(data, fileName: (file as NSString).lastPathComponent, account: account,
                                                             actor: .user(NSUserName()), rates: rates)
            if r.booked > 0 { ReceiptsCommand.report(try await ReceiptRun(db, mailer: try configuredMailer()).run()) }
        } catch let StoreError.invalid(why) {
            await db.close()
            throw ValidationError(why)
        } catch { await db.close(); throw error }
        await db.close()
        print("\(r.credits) credits: \(r.booked) booked, \(r.queued) to reconcile, \(r.alreadyKnown) already imported; \(r.debitsSkipped) debits and \(r.pendingSkipped) unbooked entries skipped")
        for p in r.problems { print("  line \(p.line): \(p.reason)") }
        if !r.problems.isEmpty { throw ExitCode(2) }
    }
}

struct DebitsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "debits",
        abstract: "Write the SEPA direct debit file (pain.008.001.02) of the plan instalments due on a day whose debtor signed a mandate, into RECOUVRE_BANK_OUTBOX (default outbox/bank).",
        discussion: "Each instalment is presented once (again only after a return). Send the file to the bank a business day before the collection day.")
    @OptionGroup var database: DatabaseOption
    @Option(help: "The collection day (YYYY-MM-DD; default: tomorrow).") var date: String?

    func run() async throws {
        let day = try parseDay(date, default: SystemClock.today().adding(days: 1))
        let db = try await database.open()
        do {
            let creditor = try DirectDebitStore.creditor(try await LetterSettingsStore(db).current().settings.agency)
            let file = try await DirectDebitStore(db).prepare(collectOn: day, folder: DirectDebitStore.outbox(), creditor: creditor, actor: .user(NSUserName()))
            await db.close()
            print(file.map { "\($0.debits) direct debits, \(Money.eur(cents: $0.totalCents).formatted()), for \(day.iso): \($0.path)" } ?? "nothing to collect on \(day.iso)")
        } catch let StoreError.invalid(why) {
            await db.close()
            throw ValidationError(why)
        } catch { await db.close(); throw error }
    }
}
