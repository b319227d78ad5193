import Foundation
import Hummingbird
import RecouvreCore
import RecouvreDocuments
import RecouvreStore

/// The mail room (`/letters`): the day's print run, the batches with their merged PDF and manifest,
/// the letters the outbox could not write, the post's files; and the letter settings
/// (`/settings/letters`): the agency's identity, the templates with R124-4 checked, the postage.
struct LetterPages: Sendable {
    let database: Database
    let views: Views
    let now: @Sendable () -> Instant
    let postal: any Postal
    let messages: @Sendable () -> MessageRun?

    static let maxUpload = 8 << 20

    func addRoutes(to router: Router<AppContext>) {
        router.get("letters") { request, context in try await signedIn(request, context) { try await self.room(request, context, try Self.mailRoom($0)) } }
        router.post("letters/print") { request, context in try await signedIn(request, context) { try await self.print(request, context, try Self.mailRoom($0)) } }
        router.post("letters/post") { request, context in try await signedIn(request, context) { try await self.postFile(request, context, try Self.mailRoom($0)) } }
        router.get("letters/batches/:id/:file") { request, context in try await signedIn(request, context) { try await self.batchFile(request, context, try Self.mailRoom($0)) } }
        router.get("settings/letters") { request, context in
            try await signedIn(request, context) { try await self.settings(request, context, try Self.editor($0), saved: request.uri.queryParameters.get("saved") == "1") }
        }
        router.post("settings/letters") { request, context in try await signedIn(request, context) { try await self.saveSettings(request, context, try Self.editor($0)) } }
    }

    static func mailRoom(_ user: User) throws -> User {
        guard user.may(.printLetters) else { throw HTTPError(.forbidden, message: "your role cannot print letters") }
        return user
    }

    static func editor(_ user: User) throws -> User {
        guard user.may(.editLetters) else { throw HTTPError(.forbidden, message: "your role cannot edit the letters") }
        return user
    }

    func room(_ request: Request, _ context: AppContext, _ user: User, printed: [PrintRunSummary] = [], sent: MessageRunSummary? = nil,
              tracking: (String, TrackingReport)? = nil,
              error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = Strings(language: Locale.language(of: request))
        var page = pageContext(request, context, t, title: t["letters.title"])
        page["today"] = ParisTime(now()).day.iso
        page["letterEditor"] = user.may(.editLetters)
        let batches = try await LetterStore(database).batches()
        page["hasBatches"] = !batches.isEmpty
        page["batches"] = batches.map { b -> [String: Any] in
            ["id": String(b.id), "day": t.day(b.batchOn), "kind": t.label(b.channel.rawValue, french: b.channel.french), "letters": b.letters, "pages": b.pages,
             "postage": t.money(.eur(cents: b.postageCents)), "failed": b.failed, "deposited": b.status == .deposited, "sha": String((b.pdfSHA256 ?? "").prefix(12))]
        }
        let problems = try await LetterStore(database).problems(limit: 100)
        page["hasMailProblems"] = !problems.isEmpty
        page["problems"] = problems.map { p -> [String: Any] in
            ["caseID": String(p.caseID), "reference": CaseReference(caseID: p.caseID).description, "kind": t.label(p.channel.rawValue, french: p.channel.french),
             "due": t.day(p.dueOn), "problem": p.problem]
        }
        page["printed"] = printed.map { s -> [String: Any] in
            ["kind": t.label(s.channel.rawValue, french: s.channel.french), "letters": s.printed, "already": s.alreadyDeposited, "problems": s.problems.count]
        }
        page["hasPrinted"] = !printed.isEmpty
        if let sent {
            page["sent"] = ["emails": sent.emails, "texts": sent.texts, "bounced": sent.bounced, "held": sent.textsHeld, "retry": sent.retryLater as Any] as [String: Any]
        }
        if let (file, report) = tracking {
            page["tracking"] = ["file": file, "applied": report.applied, "unchanged": report.unchanged, "rejectedCount": report.rejected.count,
                                "rejected": report.rejected.prefix(50).map { ["line": $0.line, "reason": $0.reason] }, "hasRejected": !report.rejected.isEmpty] as [String: Any]
        }
        page["formError"] = error
        var response = views.page("letters", page, status: status)
        Locale.remember(request, in: &response)
        return response
    }

    /// Prints the outbox's letters due by the day given (today by default), sends its emails and
    /// text messages, and shows what it did.
    func print(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        let fields = try await checkedForm(request, context)
        let t = Strings(language: Locale.language(of: request))
        let raw = (fields["day"] ?? "").trimmingCharacters(in: .whitespaces)
        guard let day = raw.isEmpty ? ParisTime(now()).day : Day(parsing: raw) else {
            return try await room(request, context, user, error: t["letters.badDay"], status: .unprocessableContent)
        }
        let summaries = try await PrintRun(database, postal: postal, press: .shared).runAll(on: day, at: now())
        let sent = try await messages()?.run(on: day, at: now())
        return try await room(request, context, user, printed: summaries, sent: sent)
    }

    /// The post's files: registered numbers, or acknowledgments and returns (the form says which).
    func postFile(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        let t = Strings(language: Locale.language(of: request))
        let form = try await checkedMultipart(request, context, limit: Self.maxUpload)
        guard let file = form.file("file"), !file.data.isEmpty else {
            return try await room(request, context, user, error: t["imports.chooseFile"], status: .unprocessableContent)
        }
        let tracking = PostTracking(database)
        let report = form.field("kind") == "numbers" ? try await tracking.importRegisteredNumbers(Array(file.data), actor: user.actor, at: now())
                                                     : try await tracking.importReceipts(Array(file.data), actor: user.actor, at: now())
        return try await room(request, context, user, tracking: (file.fileName ?? "", report), status: report.applied == 0 && !report.rejected.isEmpty ? .unprocessableContent : .ok)
    }

    /// A deposited batch's merged PDF or manifest, as the post received it.
    func batchFile(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        let t = Strings(language: Locale.language(of: request))
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }), let batch = try await LetterStore(database).batch(id: id),
              let path = context.parameters.get("file") == "manifest.csv" ? batch.manifestPath : context.parameters.get("file") == "batch.pdf" ? batch.pdfPath : nil,
              let data = FileManager.default.contents(atPath: path) else {
            return views.notFound(request, context, t)
        }
        let pdf = path.hasSuffix(".pdf")
        return Response(status: .ok, headers: [.contentType: pdf ? "application/pdf" : "text/csv; charset=utf-8",
                                               .contentDisposition: "attachment; filename=\"\((path as NSString).lastPathComponent)\"", .cacheControl: "private, no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func settings(_ request: Request, _ context: AppContext, _ user: User, text: String? = nil, problems: [SettingsProblem] = [], saved: Bool = false) async throws -> Response {
        let t = Strings(language: Locale.language(of: request))
        let current = try await LetterSettingsStore(database).current()
        var page = pageContext(request, context, t, title: t["lettersettings.title"])
        page["version"] = current.id.map(String.init) ?? t["settings.defaults"]
        page["document"] = text ?? LetterSettingsStore.json(current.settings)
        page["problems"] = problems.map(\.description)
        page["hasProblems"] = !problems.isEmpty
        page["saved"] = saved
        page["templates"] = current.settings.templates.map { tpl -> [String: Any] in
            ["code": tpl.code, "kind": t.label(tpl.channel.rawValue, french: tpl.channel.french), "language": tpl.language.rawValue,
             "use": t["lettersettings.use.\(tpl.use.rawValue)"], "subject": tpl.subject]
        }
        page["variables"] = LetterTemplate.variables.map { ["name": "{{\($0.name)}}", "meaning": $0.meaning] }
            + LetterTemplate.blocks.map { ["name": "{{\($0.name)}}", "meaning": $0.meaning] }
        page["mentions"] = MandatoryMention.allCases.map { m in ["mention": m.french, "needs": m.placeholders.map { "{{\($0)}}" }.joined(separator: " + ")] }
        var response = views.page("letter_settings", page, status: problems.isEmpty ? .ok : .unprocessableContent)
        Locale.remember(request, in: &response)
        return response
    }

    /// Validates the edited JSON (every template checked for R124-4's mentions) and puts it in
    /// force; a refused document comes back as typed, with each problem and its path.
    func saveSettings(_ request: Request, _ context: AppContext, _ user: User) async throws -> Response {
        let fields = try await checkedForm(request, context)
        let text = fields["document"] ?? ""
        switch try await LetterSettingsStore(database).save(text, actor: user.actor, at: now()) {
        case .success: return .redirect(to: "/settings/letters?saved=1", type: .normal)
        case let .failure(e): return try await settings(request, context, user, text: text, problems: e.problems)
        }
    }
}
