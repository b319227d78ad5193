import Foundation
import Hummingbird
import Logging
import RecouvreCore
import RecouvreStore

/// What the server needs to start: where to listen and the opened database.
public struct ServerConfiguration: Sendable {
    public var hostname: String
    public var port: Int
    /// The clock of the rules that depend on the time of day (contact hours, today's queue); tests
    /// set it so that they do not depend on when they run.
    public var now: @Sendable () -> Instant
    /// Where print batches, emails and text messages go (by default: `RECOUVRE_POST_OUTBOX`, the
    /// SMTP server of `RECOUVRE_SMTP_HOST` or else `RECOUVRE_MAIL_OUTBOX`, `RECOUVRE_SMS_OUTBOX`).
    public var postal: any Postal
    public var mailer: any Mailer
    public var sms: any SMSProvider
    /// Where direct debit files for the bank go (by default `RECOUVRE_BANK_OUTBOX`).
    public var bankOutbox: URL
    public init(hostname: String = "127.0.0.1", port: Int = 8080, now: @escaping @Sendable () -> Instant = { SystemClock.now() },
                postal: any Postal = FolderPostal.fromEnvironment(), mailer: (any Mailer)? = nil, sms: any SMSProvider = OutboxFolderSMS.fromEnvironment(),
                bankOutbox: URL = DirectDebitStore.outbox()) {
        self.hostname = hostname
        self.port = port
        self.now = now
        self.postal = postal
        self.mailer = mailer ?? ((try? configuredMailer()) ?? OutboxFolderMailer.fromEnvironment())
        self.sms = sms
        self.bankOutbox = bankOutbox
    }
}

/// Builds the whole application from its configuration, so the executable and the tests start
/// the same thing.
public func buildApplication(
    _ configuration: ServerConfiguration, database: Database,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    var logger = Logger(label: "recouvre")
    logger.logLevel = .info
    let router = try buildRouter(database: database, now: configuration.now, postal: configuration.postal,
                                 messages: { MessageRun(database, mailer: configuration.mailer, sms: configuration.sms, press: .shared) },
                                 receipts: { ReceiptRun(database, mailer: configuration.mailer,
                                                        postRoot: (configuration.postal as? FolderPostal)?.root ?? FolderPostal.fromEnvironment().root) },
                                 bankOutbox: configuration.bankOutbox)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.hostname, port: configuration.port), serverName: "Recouvre"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}

/// The routes: pages under `/`, the JSON API under `/api/v1`.
public func buildRouter(database: Database, now: @escaping @Sendable () -> Instant = { SystemClock.now() },
                        postal: any Postal = FolderPostal.fromEnvironment(),
                        messages: @escaping @Sendable () -> MessageRun? = { nil },
                        receipts: @escaping @Sendable () -> ReceiptRun? = { nil }, bankOutbox: URL = DirectDebitStore.outbox()) throws -> Router<AppContext> {
    let router = Router(context: AppContext.self)
    let views = try Views()
    router.get("/health") { _, _ -> Response in
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: #"{"status":"ok"}"#)))
    }
    router.get("/") { _, _ in Response.redirect(to: "/cases") }
    router.get("/static/app.css") { _, _ -> Response in
        Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                 body: .init(byteBuffer: .init(string: Stylesheet.css)))
    }
    let users = UserStore(database)
    router.add(middleware: UnexpectedErrorLog())
    router.add(middleware: SessionMiddleware(users: users))
    LoginPages(users: users, views: views).addRoutes(to: router)
    AccountPages(users: users, views: views).addRoutes(to: router.group("account"))
    PartyPages(database: database, views: views).addRoutes(to: router)
    UserPages(database: database, views: views).addRoutes(to: router.group("admin/users"))
    ImportPages(database: database, views: views).addRoutes(to: router)
    WorkPages(database: database, views: views, now: now).addRoutes(to: router)
    LetterPages(database: database, views: views, now: now, postal: postal, messages: messages).addRoutes(to: router)
    CasePages(database: database, views: views, now: now, receipts: receipts).addRoutes(to: router.group("cases"))
    BankPages(database: database, views: views, now: now, receipts: receipts, outbox: bankOutbox).addRoutes(to: router)
    API(database: database, now: now, receipts: receipts).addRoutes(to: router.group("api/v1"))
    return router
}

/// Logs what becomes a 500 (a bug or a database failure) with the route it happened on; the
/// answer stays a plain 500, and the log never carries request bodies or headers (passwords,
/// tokens).
struct UnexpectedErrorLog: RouterMiddleware {
    typealias Context = AppContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do { return try await next(request, context) } catch let error as any HTTPResponseError {
            throw error
        } catch {
            context.logger.error("\(request.method) \(request.uri.path) failed: \(String(reflecting: error))")
            throw error
        }
    }
}
