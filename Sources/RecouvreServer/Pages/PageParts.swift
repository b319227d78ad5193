import Foundation
import Hummingbird
import RecouvreCore
import RecouvreStore

/// Runs `body` for a logged-in user; an anonymous visitor is sent to the login page, and comes
/// back to where they were going.
func signedIn(_ request: Request, _ context: AppContext, _ body: (User) async throws -> Response) async throws -> Response {
    guard let user = context.user else {
        let target = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        return .redirect(to: "/login?" + pageQuery(["next": target]), type: .found)
    }
    guard user.may(.viewCases) else { throw HTTPError(.forbidden) }
    return try await body(user)
}

extension CaseScope {
    /// What `user` may see: a creditor's user, that creditor's cases; an agent, their team's
    /// (their own without a team); other agency staff, the agency's.
    init(_ user: User) {
        if let creditor = user.creditorID { self = .creditor(creditor) }
        else if user.seesOnlyAssignedCases { self = user.team.map { .team($0) } ?? .agent(user.id) }
        else { self = .agency }
    }
}

/// The values every page's layout needs: labels, language switch, the user and their CSRF token.
func pageContext(_ request: Request, _ context: AppContext, _ t: Strings, title: String) -> [String: Any] {
    var params: [String: String] = [:]
    for (k, v) in request.uri.queryParameters where k != "lang" { params[String(k)] = String(v) }
    let other: Language = t.language == .fr ? .en : .fr
    params["lang"] = other.rawValue
    var page: [String: Any] = ["lang": t.language.rawValue, "title": title, "otherLang": other.rawValue, "switchQuery": pageQuery(params)]
    // Room for what the pages add (the case page: about 80 keys), rather than growing it four
    // times over (resizing was 2 % of the case page's CPU).
    page.reserveCapacity(128)
    if let user = context.user {
        page["user"] = ["name": user.displayName, "role": t["role.\(user.role.rawValue)"], "admin": user.may(.manageUsers),
                        "importer": user.may(.importClaims),
                        "worker": user.may(.workCases), "strategist": user.may(.editStrategies), "mailroom": user.may(.printLetters),
                        "reconciler": user.may(.reconcileBankStatements)] as [String: Any]
        page["csrf"] = context.csrfToken ?? ""
    }
    return page
}

/// `a=1&b=2`, keys sorted, values percent-encoded.
func pageQuery(_ params: [String: String]) -> String {
    var out = ""
    for (k, v) in params.sorted(by: { $0.key < $1.key }) {
        if !out.isEmpty { out += "&" }
        out += k
        out += "="
        percentEncode(v, into: &out)
    }
    return out
}

private let hexDigits = Array("0123456789ABCDEF".utf8)

/// A query value's bytes, those outside RFC 3986's unreserved characters and `!$'()*,;:@`
/// written `%XX` (so `&`, `=`, `+`, `?`, `#` and `/` are). Foundation's `addingPercentEncoding`
/// with a character set built per call was 3 % of the case list.
func percentEncode(_ value: String, into out: inout String) {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(value.utf8.count)
    for b in value.utf8 {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "$"),
             UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: ","), UInt8(ascii: ";"),
             UInt8(ascii: ":"), UInt8(ascii: "@"):
            bytes.append(b)
        default:
            bytes += [UInt8(ascii: "%"), hexDigits[Int(b >> 4)], hexDigits[Int(b & 0x0F)]]
        }
    }
    out += String(decoding: bytes, as: UTF8.self)
}

/// The rows of a case table (`case_rows`). Written here rather than in the template: the
/// template engine looks each of a row's ten values up through dynamic casts, and for 50 rows
/// that was two thirds of the case list's time (perf, 100,000 cases).
func caseRows(_ cases: [CaseSummary], _ t: Strings) -> [String: Any] {
    // Written as bytes, each value escaped in place: a String's appends (about 30 a row) cost
    // twice as much (50 rows, 100 µs against 50, a benchmark of the two).
    var html = HTMLBytes(capacity: cases.count * 480)
    var kinds: [String: String] = [:], statuses: [CaseStatus: String] = [:]
    for c in cases {
        html.raw("<tr><td><a href=\"/cases/"); html.integer(c.id); html.raw("\">"); html.text(c.reference)
        html.raw("</a></td><td>"); html.text(c.debtorName); html.raw(" <small>")
        html.text(kinds[c.debtorKind] ?? { let k = t["kind.\(c.debtorKind)"]; kinds[c.debtorKind] = k; return k }())
        html.raw("</small></td><td>"); html.text(c.creditorName)
        html.raw("</td><td><span class=\"status s-"); html.text(c.status.rawValue); html.raw("\">")
        html.text(statuses[c.status] ?? { let s = t.status(c.status); statuses[c.status] = s; return s }())
        html.raw("</span></td><td class=\"num\">"); html.integer(Int64(c.claimCount))
        html.raw("</td><td class=\"num\">"); html.text(t.money(c.balance))
        html.raw("</td><td>"); if let due = c.oldestDueOn { html.text(t.day(due)) }
        html.raw("</td><td>"); html.text(t.day(c.openedOn)); html.raw("</td></tr>\n")
    }
    return ["hasRows": !cases.isEmpty, "rowsHTML": html]
}

/// HTML written as UTF-8 bytes: markup as it is, values escaped (`text`). A page
/// is rendered into one (`TemplateLibrary`) and sent as it is; as a template's value it is
/// markup, written unescaped (`caseRows`).
struct HTMLBytes: Sendable {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Markup, written as it is.
    mutating func raw(_ markup: StaticString) {
        markup.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Markup, written as it is.
    mutating func raw(_ markup: String) {
        if markup.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil { bytes.append(contentsOf: markup.utf8) }
    }

    mutating func raw(_ markup: HTMLBytes) { bytes.append(contentsOf: markup.bytes) }

    mutating func integer(_ value: Int64) { bytes.appendDecimal(value) }

    /// A value, escaped as text inside elements and quoted attributes: `&`, `<`, `>`, `"` and `'`.
    /// The text between two characters to escape is copied whole (French names are full of
    /// apostrophes: "L'Atelier", "d'Artois"; one character at a time cost 7 % of a list page's CPU).
    mutating func text(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            var run = 0
            for i in utf8.indices {
                let entity: StaticString
                switch utf8[i] {
                case UInt8(ascii: "&"): entity = "&amp;"
                case UInt8(ascii: "<"): entity = "&lt;"
                case UInt8(ascii: ">"): entity = "&gt;"
                case UInt8(ascii: "\""): entity = "&quot;"
                case UInt8(ascii: "'"): entity = "&#39;"
                default: continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<i]))
                raw(entity)
                run = i + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...]))
        }
    }
}

/// Text made safe inside HTML elements and quoted attributes, as the templates' `{{…}}` does.
enum HTML {
    /// A select's options (`{{{…}}}` in the templates, for the same reason as `caseRows`).
    static func options(_ items: [(value: String, label: String, selected: Bool)]) -> HTMLBytes {
        var out = HTMLBytes(capacity: items.count * 48)
        for item in items {
            out.raw("<option value=\"")
            out.text(item.value)
            out.raw(item.selected ? "\" selected>" : "\">")
            out.text(item.label)
            out.raw("</option>")
        }
        return out
    }

    /// `s` as the templates' `{{…}}` writes it (`HTMLBytes.text`, the one place of the rule).
    static func escape(_ s: String) -> String {
        guard needsEscape(s) else { return s }
        var out = HTMLBytes(capacity: s.utf8.count + 16)
        out.text(s)
        return out.string
    }

    private static func needsEscape(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { bytes in
            for b in bytes where b == 0x26 || b == 0x3C || b == 0x3E || b == 0x22 || b == 0x27 { return true }
            return false
        }
    }
}

/// A debtor's identity and contacts (`debtor_card`).
func debtorCard(_ d: Debtor, _ t: Strings, link: Bool) -> [String: Any] {
    var debtor: [String: Any] = ["name": d.name, "kind": t["kind.\(d.kind.rawValue)"], "address": d.address.lines]
    debtor["siren"] = d.siren?.value
    debtor["vat"] = d.vatNumber?.value
    var card: [String: Any] = ["debtor": debtor, "hasContacts": !d.contacts.isEmpty, "contacts": d.contacts.map { c -> [String: Any] in
        ["value": c.value, "source": c.source, "status": c.status.rawValue,
         "isPhone": c.kind == .phone, "isEmail": c.kind == .email, "isAddress": c.kind == .address]
    }]
    if link { card["debtorLink"] = "/debtors/\(d.id)" }
    return card
}

/// A form that changes something: its fields, once its `csrf` field matches the session's token
/// (403 otherwise, also for a bearer-token request, which has no session).
/// A multipart form (a file upload) of at most `limit` bytes, once its CSRF field is checked.
func checkedMultipart(_ request: Request, _ context: AppContext, limit: Int) async throws -> MultipartForm {
    let body = try await request.body.collect(upTo: limit)
    let form: MultipartForm
    do { form = try MultipartForm(body: Array(buffer: body), contentType: request.headers[.contentType] ?? "") } catch {
        throw HTTPError(.badRequest, message: error.description)
    }
    guard let expected = context.csrfToken, let sent = form.field("csrf"), Tokens.equal(sent, expected) else {
        throw HTTPError(.forbidden, message: "missing or wrong CSRF token")
    }
    return form
}

func checkedForm(_ request: Request, _ context: AppContext) async throws -> [String: String] {
    let fields = try await formFields(request)
    guard let expected = context.csrfToken, let sent = fields["csrf"], Tokens.equal(sent, expected) else {
        throw HTTPError(.forbidden, message: "missing or wrong CSRF token")
    }
    return fields
}
