import Foundation
import Hummingbird
import RecouvreCore
import RecouvreStore

/// The accountant's bank page (`/bank`): import the client-funds account's camt.053 statements,
/// see what each import booked, and reconcile the credits that could not be matched — assign each
/// to a case, or set it aside with the reason.
struct BankPages: Sendable {
    let database: Database
    let views: Views
    let now: @Sendable () -> Instant
    /// Renders and sends the receipts of payments just booked (nil: they wait for the next run).
    let receipts: @Sendable () -> ReceiptRun?
    /// Where direct debit files for the bank go.
    let outbox: URL

    /// A day's statement of a busy account is a few MB; a month's, tens.
    static let maxUpload = 128 << 20

    func addRoutes(to router: Router<AppContext>) {
        router.get("bank") { request, context in
            try await signedIn(request, context) { user in
                // After a redirect from assign or set aside: say what was done.
                let q = request.uri.queryParameters, t = Strings(language: Locale.language(of: request))
                let notice = q.get("receipt").map { "\(t["bank.assigned"]) \($0) (\(q.get("case") ?? ""))." } ?? (q.get("set_aside") == nil ? nil : t["bank.setAsideDone"])
                return try await self.show(request, context, try Self.accountant(user), notice: notice)
            }
        }
        router.post("bank/statements") { request, context in try await signedIn(request, context) { try await self.upload(request, context, try Self.accountant($0)) } }
        router.post("bank/credits/:id/assign") { request, context in try await signedIn(request, context) { try await self.assign(request, context, try Self.accountant($0)) } }
        router.post("bank/debits") { request, context in try await signedIn(request, context) { try await self.prepareDebits(request, context, try Self.accountant($0)) } }
        router.get("bank/debits/:id") { request, context in try await signedIn(request, context) { try await self.debitFile(request, context, try Self.accountant($0)) } }
        router.post("bank/credits/:id/set-aside") { request, context in try await signedIn(request, context) { try await self.setAside(request, context, try Self.accountant($0)) } }
    }

    static func accountant(_ user: User) throws -> User {
        guard user.may(.reconcileBankStatements) else { throw HTTPError(.forbidden, message: "your role cannot reconcile bank statements") }
        return user
    }

    func show(_ request: Request, _ context: AppContext, _ user: User, result: (String, StatementImport)? = nil, notice: String? = nil,
              error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = Strings(language: Locale.language(of: request))
        var page = pageContext(request, context, t, title: t["bank.title"])
        page["account"] = try await LetterSettingsStore(database).current().settings.agency.clientFundsIBAN.printed
        page["formError"] = error
        page["notice"] = notice
        if let (file, r) = result {
            page["result"] = ["file": file, "credits": r.credits, "booked": r.booked, "queued": r.queued, "known": r.alreadyKnown, "debits": r.debitsSkipped,
                              "pending": r.pendingSkipped, "returns": r.returnsApplied, "hasProblems": !r.problems.isEmpty,
                              "problems": r.problems.prefix(200).map { ["line": $0.line, "reason": $0.reason] }] as [String: Any]
        }
        let store = StatementStore(database)
        let queue = try await store.queue(limit: 200)
        page["queuedCount"] = try await store.queuedCount()
        page["hasQueue"] = !queue.isEmpty
        page["queue"] = queue.map { q -> [String: Any] in
            ["id": String(q.id), "date": t.day(q.bookedOn), "amount": t.money(.eur(cents: q.cents)), "payer": q.payer, "iban": q.payerIBAN as Any,
             "remittance": q.remittance, "statement": q.statement, "line": q.line, "reason": q.reason, "hasSuggestions": !q.suggestions.isEmpty,
             "firstSuggestion": q.suggestions.first.map { CaseReference(caseID: $0.caseID).description } ?? "",
             "suggestions": q.suggestions.map { ["caseID": String($0.caseID), "reference": CaseReference(caseID: $0.caseID).description, "debtor": $0.debtor,
                                                 "balance": t.money(.eur(cents: $0.balanceCents))] }]
        }
        page["statements"] = try await store.recent().map { s -> [String: Any] in
            ["id": String(s.id), "when": CasePages.when(s.importedAt, t), "statement": s.statementID, "file": s.fileName, "credits": s.credits,
             "booked": s.booked, "queued": s.queued, "known": s.alreadyKnown]
        }
        page["debitDay"] = ParisTime(now()).day.adding(days: 1).iso
        page["debitFiles"] = try await DirectDebitStore(database).files().map { f -> [String: Any] in
            ["id": String(f.id), "day": t.day(f.collectOn), "debits": f.debits, "total": t.money(.eur(cents: f.totalCents)), "when": CasePages.when(f.createdAt, t)]
        }
        var response = views.page("bank", page, status: status)
        Locale.remember(request, in: &response)
        return response
    }

    /// Imports the uploaded statement and shows what it did. A file that is not a camt.053 of the
    /// client-funds account changes nothing and says why.
    func upload(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        let t = Strings(language: Locale.language(of: request))
        let form = try await checkedMultipart(request, context, limit: Self.maxUpload)
        guard let file = form.file("file"), !file.data.isEmpty else {
            return try await show(request, context, user, error: t["imports.chooseFile"], status: .unprocessableContent)
        }
        let name = (file.fileName ?? "").isEmpty ? "releve.xml" : ((file.fileName ?? "") as NSString).lastPathComponent
        do {
            let account = try await LetterSettingsStore(database).current().settings.agency.clientFundsIBAN
            let rates = try await RateSettingsStore(database).current().settings.interestRates
            let result = try await StatementStore(database).importStatement(Data(file.data), fileName: name, account: account, actor: user.actor, at: now(), rates: rates)
            if result.booked > 0, let run = receipts() { _ = try await run.run(at: now()) }
            return try await show(request, context, user, result: (name, result))
        } catch let StoreError.invalid(why) {
            return try await show(request, context, user, error: "\(t["imports.refused"]) \(why)", status: .unprocessableContent)
        }
    }

    func assign(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        let fields = try await checkedForm(request, context)
        let t = Strings(language: Locale.language(of: request))
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else { return views.notFound(request, context, t) }
        guard let reference = CaseReference(parsing: fields["case"] ?? "") else {
            return try await show(request, context, user, error: t["bank.badCase"], status: .unprocessableContent)
        }
        do {
            let rates = try await RateSettingsStore(database).current().settings.interestRates
            let booked = try await StatementStore(database).assign(creditID: id, to: reference.caseID, actor: user.actor, at: now(), rates: rates)
            if let run = receipts() { _ = try await run.run(at: now()) }
            return .redirect(to: "/bank?receipt=\(booked.receiptNumber)&case=\(reference)#queue", type: .normal)
        } catch StoreError.notFound {
            return try await show(request, context, user, error: t["bank.badCase"], status: .unprocessableContent)
        } catch let e as StoreError {
            return try await show(request, context, user, error: e.description, status: .unprocessableContent)
        }
    }

    /// Writes the direct debit file of the instalments due on the day given.
    func prepareDebits(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        let fields = try await checkedForm(request, context)
        let t = Strings(language: Locale.language(of: request))
        guard let day = Day(parsing: fields["day"]?.trimmingCharacters(in: .whitespaces) ?? "") else {
            return try await show(request, context, user, error: t["letters.badDay"], status: .unprocessableContent)
        }
        do {
            let creditor = try DirectDebitStore.creditor(try await LetterSettingsStore(database).current().settings.agency)
            let file = try await DirectDebitStore(database).prepare(collectOn: day, folder: outbox, creditor: creditor, actor: user.actor, at: now())
            return try await show(request, context, user, notice: file.map {
                "\(t["bank.debitsDone"]) \($0.debits) × · \(t.money(.eur(cents: $0.totalCents))) · \(($0.path as NSString).lastPathComponent)"
            } ?? t["bank.debitsNone"])
        } catch let StoreError.invalid(why) {
            return try await show(request, context, user, error: why, status: .unprocessableContent)
        }
    }

    /// A debit file as handed to the bank.
    func debitFile(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        let t = Strings(language: Locale.language(of: request))
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }), let path = try await DirectDebitStore(database).filePath(id: id),
              let data = FileManager.default.contents(atPath: path) else { return views.notFound(request, context, t) }
        return Response(status: .ok, headers: [.contentType: "application/xml", .contentDisposition: "attachment; filename=\"\((path as NSString).lastPathComponent)\"",
                                               .cacheControl: "private, no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func setAside(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        let fields = try await checkedForm(request, context)
        let t = Strings(language: Locale.language(of: request))
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else { return views.notFound(request, context, t) }
        do {
            try await StatementStore(database).setAside(creditID: id, reason: fields["reason"] ?? "", actor: user.actor, at: now())
            return .redirect(to: "/bank?set_aside=1#queue", type: .normal)
        } catch let e as StoreError {
            return try await show(request, context, user, error: e.description, status: .unprocessableContent)
        }
    }
}
