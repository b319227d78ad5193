import Hummingbird
import RecouvreCore
import RecouvreStore

/// The case list's query parameters, read the same way by the page and the API:
/// `creditor`, `status`, `agent` (an id, or `none`), `balance` (a `BalanceBand`), `age` (an
/// `AgeBand`), `due=1` (next action due), `q`, `sort` (a `CaseSort`), `cursor`, `limit`.
struct CaseListQuery: Equatable {
    var filter = CaseFilter()
    var sort = CaseSort.newest
    var cursor: CaseCursor?
    var limit = 50

    /// A parameter that cannot be read: the API answers 400 with `code`, the page too.
    struct Invalid: Error, Equatable {
        let code: String
        let detail: String
    }

    init() {}

    init(_ request: Request, maxLimit: Int = 200) throws(Invalid) {
        let p = request.uri.queryParameters
        func value(_ name: String) -> String? { p.get(name).flatMap { $0.isEmpty ? nil : $0 } }
        func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type) throws(Invalid) -> T? where T.RawValue == String {
            guard let raw = value(name) else { return nil }
            guard let v = T(rawValue: raw) else {
                throw Invalid(code: "invalid_\(name)", detail: "unknown \(name) '\(raw)'; one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return v
        }
        func id(_ name: String) throws(Invalid) -> Int64? {
            guard let raw = value(name) else { return nil }
            guard let v = Int64(raw) else { throw Invalid(code: "invalid_\(name)", detail: "\(name) must be a number") }
            return v
        }
        filter.status = try choice("status", CaseStatus.self)
        filter.creditorID = try id("creditor")
        if value("agent") == "none" { filter.unassigned = true } else { filter.agentID = try id("agent") }
        filter.balance = try choice("balance", BalanceBand.self)
        filter.age = try choice("age", AgeBand.self)
        filter.actionDue = value("due") == "1" || value("due") == "true"
        filter.text = value("q")
        sort = try choice("sort", CaseSort.self) ?? .newest
        if let raw = value("cursor") {
            guard let c = CaseCursor(raw, sort: sort) else {
                throw Invalid(code: "invalid_cursor", detail: "cursor must be a next_cursor of the same sort, unchanged")
            }
            cursor = c
        }
        limit = try Self.limit(value("limit"), max: maxLimit)
    }

    /// A page size: 50 unless `raw` says otherwise, between 1 and `max` (every list reads it so).
    static func limit(_ raw: String?, max: Int) throws(Invalid) -> Int {
        guard let raw else { return 50 }
        guard let n = Int(raw), (1...max).contains(n) else { throw Invalid(code: "invalid_limit", detail: "limit must be between 1 and \(max)") }
        return n
    }

    /// The parameters that give this list again (without the cursor), for links.
    var parameters: [String: String] {
        var p: [String: String] = [:]
        if let c = filter.creditorID { p["creditor"] = String(c) }
        if let s = filter.status { p["status"] = s.rawValue }
        if filter.unassigned { p["agent"] = "none" } else if let a = filter.agentID { p["agent"] = String(a) }
        if let b = filter.balance { p["balance"] = b.rawValue }
        if let a = filter.age { p["age"] = a.rawValue }
        if filter.actionDue { p["due"] = "1" }
        if let q = filter.text, !q.isEmpty { p["q"] = q }
        if sort != .newest { p["sort"] = sort.rawValue }
        return p
    }
}
