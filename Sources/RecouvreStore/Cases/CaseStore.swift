import Foundation
import RecouvreCore
import SQLKit

/// What the caller may see. Applied by every case query of the store, in `whereScope`.
public enum CaseScope: Sendable, Hashable {
    /// Agency staff outside the agent teams: every case.
    case agency
    /// An agent in a team: the cases assigned to the team's members.
    case team(String)
    /// An agent without a team: the cases assigned to them.
    case agent(Int64)
    /// A creditor's user: that creditor's cases only.
    case creditor(Int64)
}

/// The order of the case list. Each is a keyset order (ending on the case id) so that a page
/// continues from the previous one's last row instead of counting rows to skip.
public enum CaseSort: String, CaseIterable, Sendable {
    /// Latest opened first.
    case newest
    /// Largest balance first.
    case balance
    /// Oldest due date first (cases without claims last).
    case oldestDue
}

/// The case list's filters (all optional).
public struct CaseFilter: Sendable, Equatable {
    public var creditorID: Int64?
    public var debtorID: Int64?
    public var status: CaseStatus?
    /// The agent the case is assigned to; `unassigned` asks for cases assigned to nobody.
    public var agentID: Int64?
    public var unassigned = false
    public var balance: BalanceBand?
    public var age: AgeBand?
    /// Cases whose next planned action is due on or before `today`.
    public var actionDue = false
    /// Part of a debtor's name (letter case aside), an invoice reference, or a case reference.
    public var text: String?
    public init(creditorID: Int64? = nil, debtorID: Int64? = nil, status: CaseStatus? = nil, agentID: Int64? = nil, unassigned: Bool = false,
                balance: BalanceBand? = nil, age: AgeBand? = nil, actionDue: Bool = false, text: String? = nil) {
        self.creditorID = creditorID
        self.debtorID = debtorID
        self.status = status
        self.agentID = agentID
        self.unassigned = unassigned
        self.balance = balance
        self.age = age
        self.actionDue = actionDue
        self.text = text
    }
}

/// One row of the case list.
public struct CaseSummary: Sendable, Codable, Equatable {
    public let id: Int64
    public let reference: String
    public let creditorName: String
    public let debtorName: String
    public let debtorKind: String
    public let status: CaseStatus
    public let claimed: Money
    public let paid: Money
    public let claimCount: Int
    public let oldestDueOn: Day?
    public let openedOn: Day
    public let agentID: Int64?
    public let nextActionOn: Day?
    public var balance: Money { Money(minorUnits: claimed.minorUnits - paid.minorUnits, currency: claimed.currency) }
}

/// Where a page of the case list continues: the last row's sort key and id, as an opaque string
/// (`<sort>.<key>.<id>`) that a client hands back unchanged.
public struct CaseCursor: Sendable, Equatable {
    public let sort: CaseSort
    public let key: String
    public let id: Int64

    init(sort: CaseSort, after c: CaseSummary) {
        self.sort = sort
        self.id = c.id
        switch sort {
        case .newest: key = ""
        case .balance: key = String(c.balance.minorUnits)
        case .oldestDue: key = (c.oldestDueOn?.iso ?? CaseStore.noDue)
        }
    }

    /// Reads a cursor made by `description` for the same sort; nil for anything else.
    public init?(_ text: String, sort: CaseSort) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == sort.rawValue, let id = Int64(parts[2]) else { return nil }
        switch sort {
        case .newest: guard parts[1].isEmpty else { return nil }
        case .balance: guard Int64(parts[1]) != nil else { return nil }
        case .oldestDue: guard Day(parsing: String(parts[1])) != nil else { return nil }
        }
        self.sort = sort
        self.key = String(parts[1])
        self.id = id
    }

    public var description: String { "\(sort.rawValue).\(key).\(id)" }
}

/// A page of the case list; `nextCursor` continues after its last row (keyset paging: as fast on
/// page 1,000 as on page 1).
public struct CasePage: Sendable, Equatable {
    public let cases: [CaseSummary]
    public let nextCursor: CaseCursor?
    /// The search text named more debtors than `CaseStore.nameMatchLimit`: the cases listed are
    /// those of the first ones only, and the page says so.
    public var namesCut = false
}

/// Everything the case page shows.
public struct CaseDetail: Sendable {
    public let summary: CaseSummary
    public let lifecycle: CaseLifecycle
    public let creditor: Creditor
    public let debtor: Debtor
    public let claims: [Claim]
    public let events: [CaseEvent]
    public let investigation: Investigation?
    public let history: DebtorHistory
    /// What the daily run decided for the case, newest first, each with its reason.
    public let tasks: [CollectionTask]
    public let contact: ContactState
    /// Where the case stands in its amicable strategy.
    public let plan: PlanState
    /// The letters printed for it, newest first.
    public var letters: [SentLetter] = []

    /// The formal demand (mise en demeure): the first registered letter sent; legal-rate interest
    /// runs from it (Code civil 1231-6).
    public var formalDemandOn: Day? { letters.filter { $0.channel == .registeredLetter }.map(\.letterOn).min() }
}

/// Cases: the list, the page, phase changes and the investigation record.
public struct CaseStore: Sendable {
    let database: Database
    public init(_ database: Database) { self.database = database }

    /// A case's summary, from `cases c` alone: the debtor's name and kind are kept on the case
    /// (migration 22). The creditor's name is not read with it: the few creditors are kept in
    /// memory (`CreditorStore.byID`). Joined, a table more made PostgreSQL's planning of a list
    /// with a bound value (an agent, a day) cost more than running it (0.48 ms against 0.33; with
    /// two tables, 0.21 and 0.26); as a subquery, one more plan run for each row (pgbench, the
    /// amicable list's statement: 10 to 27 % more runs a second without).
    static let summaryColumns = summaries.names.names.map { "c." + $0 }.joined(separator: ", ")

    /// The summary's columns and their kinds, for a list to read them packed in one value on
    /// PostgreSQL (`PackedColumns`).
    static let summaries = PackedColumns([
        ("id", .integer), ("status", .text), ("currency", .text), ("claimed_minor", .integer), ("paid_minor", .integer),
        ("claim_count", .integer), ("oldest_due_on", .optionalText), ("opened_on", .text), ("agent_id", .optionalInteger),
        ("next_action_on", .optionalText), ("creditor_id", .integer), ("debtor_name", .text), ("debtor_kind", .text),
    ])

    /// The one place where a caller's scope becomes SQL.
    static func whereScope(_ scope: CaseScope) -> SQLQueryString {
        switch scope {
        case .agency: return "1 = 1"
        case let .team(name): return "c.agent_id IN (SELECT id FROM users WHERE team = \(bind: name))"
        case let .agent(id): return "c.agent_id = \(bind: id)"
        case let .creditor(id): return "c.creditor_id = \(bind: id)"
        }
    }

    /// Sorts past every due day (ISO strings compare as days): cases without claims come last.
    static let noDue = "9999-12-31"

    /// One page of the cases in `scope` that pass `filter`, in `sort` order, after `cursor`.
    ///
    /// Written so that the database walks an index in the page's order and stops after `limit`
    /// rows, reading the cases alone (their debtor's name is on them): the orders are expressions
    /// indexed by migrations 7 and 8, and on SQLite the band filters are kept off their range
    /// indexes (a band holds a fifth of the portfolio: walking in order and filtering stops
    /// sooner than sorting the band).
    public func list(scope: CaseScope, filter: CaseFilter = CaseFilter(), sort: CaseSort = .newest, after cursor: CaseCursor? = nil,
                     limit: Int = 50, today: Day = SystemClock.today()) async throws -> CasePage {
        let text = filter.text?.trimmingSpaces() ?? ""
        let postgres = database.dialect == .postgres
        let (key, direction): (String, String) = switch sort {
        case .newest: ("", "DESC")
        case .balance: ("(c.claimed_minor - c.paid_minor)", "DESC")
        case .oldestDue: ("COALESCE(c.oldest_due_on, '\(Self.noDue)')", "ASC")
        }
        // With one phase chosen, both databases walk (status, key, id): the phase is a constant.
        let order: SQLQueryString = " ORDER BY \(unsafeRaw: key.isEmpty ? "" : key + " " + direction + ", ")c.id \(unsafeRaw: direction)"
        let oneAgent = if case .agent = scope { true } else { filter.agentID != nil }
        /// The page's statement; a search's, given the condition on the cases it found.
        @Sendable func listing(found: SQLQueryString?) -> SQLQueryString {
            // A search picks its page's ids first and reads the rows for those only: it finds the
            // cases of up to 500 debtors, sorted whole, and reading each one's debtor and creditor
            // before sorting cost more than the rest of the page (SQLite, "fontaine" over a million
            // cases, 500 debtors: 1.8 ms against 0.7; PostgreSQL 5.2 against 2.5). Other lists walk
            // an index in the page's order and stop, so they read no row more than they show.
            var q: SQLQueryString = found == nil ? "SELECT \(unsafeRaw: Self.summaryColumns) FROM cases c WHERE " : "SELECT c.id FROM cases c WHERE "
            q += Self.whereScope(scope)
            q += Self.whereFilter(filter, today: today, dialect: database.dialect, oneAgent: oneAgent)
            if let found { q += " AND " + found }
            if let cursor, cursor.sort == sort {
                let op = direction == "DESC" ? "<" : ">"
                switch sort {
                case .newest: q += " AND c.id \(unsafeRaw: op) \(bind: cursor.id)"
                case .balance: q += " AND (\(unsafeRaw: key), c.id) \(unsafeRaw: op) (\(bind: Int64(cursor.key) ?? 0), \(bind: cursor.id))"
                case .oldestDue: q += " AND (\(unsafeRaw: key), c.id) \(unsafeRaw: op) (\(bind: cursor.key), \(bind: cursor.id))"
                }
            }
            q += order + " LIMIT \(literal: limit + 1)"
            guard found != nil else { return q }
            return "SELECT \(unsafeRaw: Self.summaryColumns) FROM (" + q + ") p CROSS JOIN cases c WHERE c.id = p.id" + order
        }
        // One connection for the search and the list: a lease of PostgreSQL's pool costs the
        // server as much as decoding ten rows.
        return try await database.withConnection { db in
            var namesCut = false
            let rows: [any SQLRow]
            if text.isEmpty {
                rows = try await Self.summaries.read(listing(found: nil), db: db)
            } else {
                // PostgreSQL: the name search's statement lists the page too, from the arrays it found
                // (`debtorsNamed`): one statement of the two a search was, each costing both processes
                // a round trip's wake-ups and PostgreSQL an executor's start.
                let found = try await matches(text, db: db, listing: postgres ? { debtors, cases in
                    "coalesce((" + Self.summaries.packing(listing(found: "(c.debtor_id = ANY(\(unsafeRaw: debtors)) OR c.id = ANY(\(unsafeRaw: cases)))")) + "), '')"
                } : nil)
                namesCut = found.namesCut
                if let packed = found.listed, let unpacked = packed.isEmpty ? [] : Self.summaries.unpack(packed) {
                    rows = unpacked
                } else {
                    guard !found.debtorIDs.isEmpty || !found.caseIDs.isEmpty else { return CasePage(cases: [], nextCursor: nil) }
                    // SQLite: integers read from the database, written inline (a list of bound values
                    // would be one placeholder each, up to 500). PostgreSQL: one bound array, so that
                    // every search's list is one statement, prepared once per connection; written inline,
                    // each new search's list was planned anew (500 ids: 1.2 ms, against 0.06 for the
                    // prepared statement's plan) and a text seen twice took one of `PreparedRead`'s names.
                    // An OR only when both found some: SQLite gathers an OR's rows in a table of their
                    // own first (0.74 ms against 0.60 for "fontaine").
                    // The array through a scalar subquery, which the planner does not read: it plans for
                    // an unknown list (the same index lookups, then the sort, whatever its length) and keeps
                    // that plan, where with the list in view it planned each search anew (0.59 ms of
                    // PostgreSQL's time a page, against 0.09 to run; psql 0.8-1.0 ms a rare name's page, 0.2-0.24 so).
                    func among(_ column: String, _ ids: [Int64]) -> SQLQueryString {
                        postgres ? "\(unsafeRaw: column) = ANY(CAST((SELECT \(bind: ids)) AS BIGINT[]))" : "\(unsafeRaw: column) IN \(SQLQueryString.idList(ids))"
                    }
                    let byName = among("c.debtor_id", found.debtorIDs), byReference = among("c.id", found.caseIDs)
                    rows = try await Self.summaries.read(listing(found: found.caseIDs.isEmpty ? byName : found.debtorIDs.isEmpty ? byReference : "(" + byName + " OR " + byReference + ")"), db: db)
                }
            }
            let creditorIDs = try rows.map { try $0.decode(column: "creditor_id", as: Int64.self) }
            let creditors = try await CreditorStore.byID(Set(creditorIDs), database, on: db)
            let summaries = try zip(rows, creditorIDs).map { try Self.decodeSummary($0, creditor: creditors[$1]) }
            let page = Array(summaries.prefix(limit))
            return CasePage(cases: page, nextCursor: summaries.count > limit ? page.last.map { CaseCursor(sort: sort, after: $0) } : nil, namesCut: namesCut)
        }
    }

    /// The SQL of a filter (each part begins with AND).
    ///
    /// A phase and a balance band, values of a closed set, are written into the statement; ids and
    /// days are bound. PostgreSQL plans a bound statement anew at every run while its plan for
    /// "any value" looks dearer than one for the value given — always so for a phase (their sizes
    /// differ) and a band (a range it cannot size) —, and planning a list page costs as much as
    /// running it. A statement with no bound value is planned once per connection
    /// (`PreparedRead`), for its own values, so a band of few cases (over 50,000) keeps a plan of
    /// its own; the texts stay a closed set (phases, bands and orders), not one per value.
    ///
    /// With `oneAgent` (the list of an agent's cases) PostgreSQL gets an age band's days through
    /// scalar subqueries, which it does not read when planning: its plan for any agent and any days
    /// is the one it makes for the values, a walk of `cases_agent` (agent, id, oldest due day)
    /// that tests the day on the index, and it keeps it instead of planning each page anew
    /// (psql, agent 2, 91-180 days: 0.20 ms of planning a page, 0.036 so). Without an agent the
    /// days stay in view: a band's share of the cases decides between walking and sorting.
    static func whereFilter(_ filter: CaseFilter, today: Day, dialect: Dialect, oneAgent: Bool = false) -> SQLQueryString {
        // `+x` keeps SQLite from choosing a range index on x (PostgreSQL weighs it by its statistics).
        let off = dialect == .sqlite ? "+" : ""
        let balance = "\(off)(c.claimed_minor - c.paid_minor)", due = "\(off)c.oldest_due_on", next = "\(off)c.next_action_on"
        var q = SQLQueryString("")
        if let id = filter.creditorID { q += " AND c.creditor_id = \(bind: id)" }
        if let id = filter.debtorID { q += " AND c.debtor_id = \(bind: id)" }
        if let s = filter.status { q += " AND c.status = \(literal: s.rawValue)" }
        if let id = filter.agentID { q += " AND c.agent_id = \(bind: id)" }
        if filter.unassigned { q += " AND c.agent_id IS NULL" }
        if let band = filter.balance {
            let r = band.range
            if r.lower != Int64.min { q += " AND \(unsafeRaw: balance) >= \(literal: r.lower)" }
            if let upper = r.upper { q += " AND \(unsafeRaw: balance) < \(literal: upper)" }
        }
        if let band = filter.age {
            let days = band.dueDays(on: today)
            let unread = oneAgent && dialect == .postgres
            func day(_ d: Day) -> SQLQueryString { unread ? "(SELECT CAST(\(bind: d.iso) AS TEXT))" : "\(bind: d.iso)" }
            if let earliest = days.earliest { q += " AND \(unsafeRaw: due) >= " + day(earliest) }
            if let latest = days.latest { q += " AND \(unsafeRaw: due) <= " + day(latest) }
        }
        if filter.actionDue { q += " AND \(unsafeRaw: next) <= \(bind: today.iso)" }
        return q
    }

    /// At most this many debtors match a name search; a broader word finds the cases of the first
    /// ones, and the list says so (`CasePage.namesCut`, the page giving this number).
    public static let nameMatchLimit = 500

    /// What a search text names: debtors whose name contains it (letter case aside), and cases
    /// holding an invoice of that reference or of that case reference. Resolved before the list
    /// query so that each part uses its own index instead of a test per case.
    ///
    /// `listing` (PostgreSQL), given SQL naming the arrays of debtors' and cases' ids found, is an
    /// expression that the name search's statement reads with them: `listed`, its value, when
    /// that statement's debtors are the ones found (see `debtorsNamed`).
    func matches(_ text: String, db: any SQLDatabase, listing: ListingRider? = nil)
        async throws -> (debtorIDs: [Int64], caseIDs: [Int64], namesCut: Bool, listed: String?) {
        let reference = CaseReference(parsing: text).flatMap { text.uppercased().hasPrefix("RC") || Int64(text) != nil ? $0 : nil }
        let byInvoice: SQLQueryString = "SELECT case_id AS id FROM claims WHERE creditor_id IN (SELECT id FROM creditors) AND invoice_ref = \(bind: text)"
        if let reference {
            let cases = try await db.raw(byInvoice).all().map { try $0.decode(column: "id", as: Int64.self) }
            return ([], cases + [reference.caseID], false, nil)
        }
        // One more than kept: whether the text named more debtors than are listed (the listing
        // takes the ones kept, the first of the array's sorted ids as `prefix` does).
        let found = try await self.debtorsNamed(text, limit: Self.nameMatchLimit + 1, db: db, along: byInvoice,
                                                listing: listing.map { listing in { listing("(\($0))[1:\(Self.nameMatchLimit)]", $1) } })
        return (Array(found.debtors.prefix(Self.nameMatchLimit)), found.along, found.debtors.count > Self.nameMatchLimit, found.listed)
    }

    /// Given SQL naming two arrays of ids (debtors', cases'), an expression to read with them.
    typealias ListingRider = (_ debtors: String, _ cases: String) -> SQLQueryString

    /// A debtor found by one word of a search text is read and checked only when that word
    /// finds fewer than this many: each check reads a debtor's row (about 4 µs).
    static let checkedNamesBound = 200

    /// Up to `limit` debtors whose name contains `text`, letter case aside (any of them when
    /// more do: "more than 500" is all the list says then), and the `id`s that `along` selects.
    ///
    /// On PostgreSQL `along` is read by the search's first statement, as a column: a statement
    /// of its own was one more round trip of the four or five of a search, each costing both
    /// processes a wake-up and the protocol's messages. `listing` goes with it, given the arrays
    /// of that statement (`ListingRider`): its value is `listed` when that statement's debtors
    /// are the ones found, nil when another statement had to find them.
    func debtorsNamed(_ text: String, limit: Int, db: any SQLDatabase, along: SQLQueryString? = nil, listing: ListingRider? = nil)
        async throws -> (debtors: [Int64], along: [Int64], listed: String?) {
        // Without LIKE's wildcards (Foundation's replacingOccurrences cost 0.6 % of a search's CPU).
        let bare = text.filter { $0 != "%" && $0 != "_" }
        guard database.dialect == .postgres else {
            let alongIDs = if let along { try await Self.sqliteIDs(along, db: db) } else { [Int64]() }
            return (try await sqliteDebtorsNamed(bare, limit: limit, db: db), alongIDs, nil)
        }
        // PostgreSQL. ILIKE is lower() on both sides then LIKE, whose escape character is \.
        let pattern = "%" + NameWords.likeEscaped(bare) + "%"
        // The trigram index of whole names (migration 19) when no word of the text is rare
        // enough: it gathers every name holding all of the text's trigrams before reading one
        // (14 ms for "fontaine" at a million debtors), but that is less than checking thousands
        // ("transports fontaine" checked from the 15,546 names with "transports": 69 ms).
        let byTrigrams: SQLQueryString = "SELECT id FROM debtors WHERE name ILIKE \(bind: pattern) LIMIT \(literal: limit)"
        // `along` and `listing` go with the first statement, whichever it is.
        var rider: Rider? = Rider(along: along, listing: listing)
        var alongIDs: [Int64] = []
        var listed: String?
        func takeRider() -> Rider? { defer { rider = nil }; return rider }
        // Each statement's ids come as one array, without repeats, with the number of rows
        // read: PostgresNIO hands a statement's rows over one by one through an async sequence,
        // about 3 µs of the server's CPU each, and a search's thousand ids as rows made its
        // page cost 4.8 ms of the server's CPU instead of 1.9.
        func idArray(_ inner: SQLQueryString) async throws -> (read: Int, ids: [Int64], listed: String?) {
            let rider = takeRider()
            let q = "SELECT count(*) AS n, array_agg(DISTINCT id) AS ids" + (rider?.alongColumn.map { ", " + $0 } ?? "") + " FROM (" + inner + ") x"
            let row = try await db.raw(rider?.listing(q, ids: "ids") ?? q).first()
            if rider?.along != nil { alongIDs = try row?.decode(column: "along", as: [Int64]?.self) ?? [] }
            let listed = rider?.listing == nil ? nil : try row?.decode(column: "listed", as: String.self)
            return (try row?.decode(column: "n", as: Int.self) ?? 0, try row?.decode(column: "ids", as: [Int64]?.self) ?? [], listed)
        }
        let found = try await {
            let words = NameWords(bare)
            let pieces = words.searchable
            guard let first = pieces.first else {
                let found = try await idArray(byTrigrams)
                listed = found.listed
                return found.ids
            }
            guard words.needsCheck else {
                // One piece: the words holding it name the debtors; read in the words' order, the
                // first `limit` come at once (0.3 ms for "fontaine"). A debtor with two such words
                // comes twice, so twice as many are read, and all of them when that is not enough.
                let found = try await idArray(NameWords.debtors(first, limit: 2 * limit))
                if found.ids.count >= limit || found.read < 2 * limit {
                    listed = found.listed
                    return Array(found.ids.prefix(limit))
                }
                return try await idArray("SELECT DISTINCT w.debtor_id AS id FROM debtor_name_words w WHERE \(NameWords.condition(first)) LIMIT \(literal: limit)").ids
            }
            // Several pieces: the rarest one's debtors are checked whole ("rin SAS 77735": the 11
            // names with a word beginning with "77735", 1.2 ms).
            // lower(name) LIKE lower(pattern) is ILIKE written so that the trigram index is not used.
            // The very rows counted, under the same LIMIT: it cuts nothing but tells the planner how
            // few debtors are read (guessing 10,191 words for "9195…", there are 111, it read every
            // debtor's name instead: 1.3 to 3 s a search under load). Counted and checked in one
            // statement: one round trip fewer.
            let counted = try await Self.rarestPiece(pieces, db: db, rider: takeRider(), check: "lower(d.name) LIKE lower(\(bind: pattern))")
            alongIDs = counted.along
            guard counted.piece != nil else { return try await idArray(byTrigrams).ids }
            listed = counted.listed
            return Array(counted.checked.prefix(limit))
        }()
        return (found, alongIDs, listed)
    }

    /// What a name search's first statement reads besides its debtors (`debtorsNamed`).
    struct Rider {
        /// The ids of other cases the search finds.
        let along: SQLQueryString?
        let listing: ListingRider?

        /// `along` as the statement's column.
        var alongColumn: SQLQueryString? { along.map { "(SELECT array_agg(id) FROM (" + $0 + ") r) AS along" } }

        /// `query`, whose column `ids` holds the debtors, with the column `listed` after its own.
        /// OFFSET 0 keeps PostgreSQL from merging `query` into the statement, which put the
        /// subqueries of its columns in their place and ran them twice (pg_stat_statements, "rin
        /// SAS 77735": 516 µs a run against 316 for the two statements it replaced).
        func listing(_ query: SQLQueryString, ids: String) -> SQLQueryString? {
            guard let listing else { return nil }
            return "SELECT y.*, " + listing("y." + ids, along == nil ? "CAST(NULL AS BIGINT[])" : "y.along") + " AS listed FROM (" + query + " OFFSET 0) y"
        }
    }

    /// SQLite's side of `debtorsNamed`.
    private func sqliteDebtorsNamed(_ bare: String, limit: Int, db: any SQLDatabase) async throws -> [Int64] {
        // SQLite: a text with a space, in ASCII, through the names' words (migration 23) when
        // one of its whole words or its last word's beginning finds few debtors: those names
        // are checked with LIKE, which ignores the case of ASCII letters only (and has no
        // escape character), as the trigram index then would.
        if let found = try await sqliteDebtorsByWord(bare, limit: limit, db: db) { return found }
        // Else a text of three characters or more is a phrase of the names' trigram index
        // (migration 20), which finds it anywhere in a name whatever its letter case,
        // accented letters too; a shorter one reads the names with LIKE.
        return try await Self.sqliteIDs(bare.count >= 3
            ? "SELECT rowid AS id FROM debtor_names WHERE debtor_names MATCH \(bind: "\"" + bare.replacing("\"", with: "\"\"") + "\"") LIMIT \(literal: limit)"
            : "SELECT id FROM debtors WHERE name LIKE \(bind: "%" + bare + "%") LIMIT \(literal: limit)", db: db)
    }

    /// The piece of a search text that finds the fewest debtors, when it finds fewer than
    /// `checkedNamesBound`: each piece's debtors counted up to that bound, in one statement.
    ///
    /// A word's end or part (PostgreSQL) is counted only when no whole word or beginning can be
    /// checked: it goes through the trigram index of the distinct words ("rin" in "rin SAS
    /// 77735": 0.44 ms of the count's 0.77, psql), the time to check about a hundred names, so
    /// it would pay only when it found a hundred debtors fewer than the rarest whole piece, and
    /// an end or part of a word is commoner than the word ("fontaine" as an end in "Fontaine SAS
    /// 4242": over 200 debtors, against 111 for "4242"; counted, 0.25 ms of the statement's 1.2).
    ///
    /// `along`, a column named `along` read with the counts (`debtorsNamed`), comes back as an array.
    /// With `check`, a condition on `debtors d`, the same statement reads the rarest piece's
    /// debtors that pass it (`checked`, PostgreSQL): each piece's check is a branch that runs
    /// only when the counts chose that piece.
    static func rarestPiece(_ pieces: [NameWords.Piece], db: any SQLDatabase, rider: Rider? = nil, check: SQLQueryString? = nil)
        async throws -> (piece: NameWords.Piece?, along: [Int64], checked: [Int64], listed: String?) {
        guard !pieces.isEmpty else { return (nil, [], [], nil) }
        func counted(_ i: Int) -> SQLQueryString {
            "(SELECT count(*) FROM (" + NameWords.debtors(pieces[i], limit: checkedNamesBound) + ") x)"
        }
        let cheap = pieces.indices.filter { pieces[$0].isWordRange }
        let parts = pieces.indices.filter { !cheap.contains($0) }
        var count: SQLQueryString = "SELECT " + (rider?.alongColumn.map { $0 + ", " } ?? "")
        if cheap.isEmpty || parts.isEmpty {
            for i in pieces.indices { count += (i == 0 ? "" : ", ") + counted(i) + " AS n\(unsafeRaw: String(i))" }
        } else {
            // The whole words' and beginnings' counts in a subquery of their own (OFFSET 0 keeps
            // PostgreSQL from merging it, which would count them twice), the parts' after them,
            // when none of those can be checked.
            let least = cheap.map { "a.n\($0)" }.joined(separator: ", ")
            for i in parts {
                count += "CASE WHEN LEAST(\(unsafeRaw: least)) < \(literal: checkedNamesBound) THEN \(literal: checkedNamesBound) ELSE " + counted(i)
                count += " END AS n\(unsafeRaw: String(i)), "
            }
            count += "a.* FROM (SELECT "
            for (k, i) in cheap.enumerated() { count += (k == 0 ? "" : ", ") + counted(i) + " AS n\(unsafeRaw: String(i))" }
            count += " OFFSET 0) a"
        }
        if let check {
            // The rarest: the first of the fewest, under the bound, as `min(by:)` below takes it.
            var pick: SQLQueryString = "CASE"
            for i in pieces.indices {
                pick += " WHEN c.n\(unsafeRaw: String(i)) < \(literal: checkedNamesBound)"
                for j in pieces.indices where j != i { pick += " AND c.n\(unsafeRaw: String(i)) \(unsafeRaw: j < i ? "<" : "<=") c.n\(unsafeRaw: String(j))" }
                pick += " THEN \(literal: i)"
            }
            pick += " END"
            var branches = SQLQueryString("")
            for i in pieces.indices {
                branches += (i == 0 ? "" : " UNION ALL ") + "SELECT w.id FROM (" + NameWords.debtors(pieces[i], limit: checkedNamesBound)
                branches += ") w JOIN debtors d ON d.id = w.id WHERE k.rarest = \(literal: i) AND " + check
            }
            // OFFSET 0: each subquery computed once, not merged into the expressions that name
            // its columns (which counted each piece again for each mention of its count).
            count = "SELECT k.*, (SELECT array_agg(DISTINCT id) FROM (" + branches + ") b) AS checked FROM (SELECT c.*, " + pick
                + " AS rarest FROM (" + count + " OFFSET 0) c OFFSET 0) k"
            count = rider?.listing(count, ids: "checked") ?? count
        }
        guard let row = try await db.raw(count).first() else { return (nil, [], [], nil) }
        let alongIDs = rider?.along == nil ? [] : try row.decode(column: "along", as: [Int64]?.self) ?? []
        let checked = check == nil ? [] : try row.decode(column: "checked", as: [Int64]?.self) ?? []
        let listed = check == nil || rider?.listing == nil ? nil : try row.decode(column: "listed", as: String.self)
        let counts = try pieces.indices.map { try row.decode(column: "n\($0)", as: Int.self) }
        guard let rarest = counts.indices.min(by: { counts[$0] < counts[$1] }), counts[rarest] < checkedNamesBound else { return (nil, alongIDs, [], nil) }
        return (pieces[rarest], alongIDs, checked, listed)
    }

    /// SQLite: the `id`s a statement selects, read as one text: read as rows, the 501 of a common
    /// word were each an array and a row to decode by name (6 % of the search's CPU, perf,
    /// "fontaine"). PostgreSQL's searches read theirs as one array (`debtorsNamed`'s `idArray`).
    static func sqliteIDs(_ q: SQLQueryString, db: any SQLDatabase) async throws -> [Int64] {
        guard var joined = try await db.raw("SELECT group_concat(id) AS ids FROM (" + q + ")").first()?.decode(column: "ids", as: String?.self) else { return [] }
        // Read from the bytes (the core's decimal reader): split into Strings and Int64(_:) were
        // 6 % of the search's CPU.
        return joined.withUTF8 { bytes in
            bytes.split(separator: UInt8(ascii: ",")).compactMap { Int64(decimal: UnsafeBufferPointer(rebasing: $0)) }
        }
    }

    /// SQLite: the debtors whose name holds `text`, found through the rarest of its whole words
    /// and last word's beginning (counted up to `checkedNamesBound`, then those names checked);
    /// nil when the text has no space, is not all ASCII (SQLite's lower() and LIKE fold only
    /// ASCII letters, the trigram index every letter) or has no piece rare enough.
    func sqliteDebtorsByWord(_ text: String, limit: Int, db: any SQLDatabase) async throws -> [Int64]? {
        let words = NameWords(text)
        guard words.needsCheck, text.allSatisfy(\.isASCII),
              let rarest = try await Self.rarestPiece(words.pieces.filter(\.isWordRange), db: db).piece else { return nil }
        // A debtor with two words beginning with the piece is read twice.
        return try await Self.sqliteIDs("""
            SELECT DISTINCT d.id FROM (\(NameWords.debtors(rarest, limit: Self.checkedNamesBound))) w JOIN debtors d ON d.id = w.id
            WHERE d.name LIKE \(bind: "%" + text + "%") LIMIT \(literal: limit)
            """, db: db)
    }

    /// Keeps SQLite's index of names in few segments. FTS5 adds a segment for each part of the
    /// index an import writes and merges them only by fours, and a search reads each trigram's
    /// rows in every segment: after one import of a million debtors (ten segments) a rare name's
    /// search cost twice what it costs on the index rewritten as one (sqlite3, 1,000 runs of
    /// "rin SAS 77735": 1.34-1.41 ms against 0.63-0.76). Small segments beside a large one cost
    /// nothing measurable, so the index is rewritten (FTS5's 'optimize': 2 s at a million names)
    /// only when those besides the largest hold a fifth of its pages.
    static func compactNameIndex(_ database: Database) async throws {
        guard database.dialect == .sqlite else { return }
        try await database.transaction { db in
            let pages = try await db.raw("SELECT COUNT(*) AS n FROM debtor_names_idx GROUP BY segid").all().map { try $0.decode(column: "n", as: Int.self) }
            let total = pages.reduce(0, +)
            guard let largest = pages.max(), (total - largest) * 5 > total else { return }
            try await db.raw("INSERT INTO debtor_names (debtor_names) VALUES ('optimize')").run()
        }
    }

    /// Counts per status within the scope (the list's tabs).
    public func countsByStatus(scope: CaseScope) async throws -> [CaseStatus: Int] {
        let q: SQLQueryString = "SELECT c.status, COUNT(*) AS n FROM cases c WHERE \(Self.whereScope(scope)) GROUP BY c.status"
        return try await database.withConnection { db in
            var out: [CaseStatus: Int] = [:]
            for row in try await db.raw(q).all() {
                if let s = CaseStatus(rawValue: try row.decode(column: "status", as: String.self)) { out[s] = try row.decode(column: "n", as: Int.self) }
            }
            return out
        }
    }

    /// A debtor as the caller may see them: nil unless one of their cases is in the scope (a
    /// creditor's user learns nothing of debtors it has no case with).
    public func debtor(id: Int64, scope: CaseScope) async throws -> Debtor? {
        try await database.withConnection { db in
            guard try await !db.raw("SELECT c.id FROM cases c WHERE c.debtor_id = \(bind: id) AND \(Self.whereScope(scope)) LIMIT 1").all().isEmpty else {
                return nil
            }
            return try await DebtorStore.load(id: id, db: db)
        }
    }

    /// Amounts claimed and paid per currency within the scope (a creditor's headline figures).
    public func totals(scope: CaseScope) async throws -> [(claimed: Money, paid: Money)] {
        let q: SQLQueryString = """
            SELECT c.currency, SUM(c.claimed_minor) AS claimed, SUM(c.paid_minor) AS paid FROM cases c
            WHERE \(Self.whereScope(scope)) GROUP BY c.currency ORDER BY c.currency
            """
        return try await database.withConnection { db in
            try await db.raw(q).all().map { r in
                let currency = Currency(code: try r.decode(column: "currency", as: String.self)) ?? .eur
                return (Money(minorUnits: try r.decode(column: "claimed", as: Int64.self), currency: currency),
                        Money(minorUnits: try r.decode(column: "paid", as: Int64.self), currency: currency))
            }
        }
    }

    /// A row of `summaryColumns` and its creditor (`CreditorStore.byID`).
    ///
    /// The values are read by position when the row begins with those columns, as the lists'
    /// and the case page's statements do: by name, each value was a dictionary lookup and a
    /// generic decode, and the 50 rows of a list page cost 12 % of the server's CPU (perf, the
    /// amicable list over a million cases, both databases).
    static func decodeSummary(_ row: any SQLRow, creditor: Creditor?) throws -> CaseSummary {
        let names = summaries.names.names
        let v: ArraySlice<SQLiteValue>
        if let r = row as? SQLiteDirectRow, r.columns === summaries.names || r.columns.names.starts(with: names) {
            v = r.values.prefix(names.count)
        } else {
            v = try ArraySlice(zip(names, summaries.kinds).map { name, kind in
                switch kind {
                case .integer: .integer(try row.decode(column: name, as: Int64.self))
                case .text: .text(try row.decode(column: name, as: String.self))
                case .optionalInteger: try row.decode(column: name, as: Int64?.self).map(SQLiteValue.integer) ?? .null
                case .optionalText: try row.decode(column: name, as: String?.self).map(SQLiteValue.text) ?? .null
                }
            })
        }
        func text(_ i: Int) throws -> String { try SQLiteBinding.string(v[i], names[i]) }
        func integer(_ i: Int) throws -> Int64 { try SQLiteBinding.integer(v[i], names[i]) }
        func day(_ i: Int) throws -> Day? { v[i] == .null ? nil : Day(parsing: try text(i)) }
        let at = summaryPositions
        let currency = Currency(code: try text(at.currency)) ?? .eur
        let id = try integer(at.id)
        guard let creditor else {
            throw StoreError.invalid("case \(CaseReference(caseID: id)) names a creditor that does not exist")
        }
        return CaseSummary(
            id: id, reference: CaseReference(caseID: id).description,
            creditorName: creditor.name,
            debtorName: try text(at.debtorName),
            debtorKind: try text(at.debtorKind),
            status: CaseStatus(rawValue: try text(at.status)) ?? .intake,
            claimed: Money(minorUnits: try integer(at.claimed), currency: currency),
            paid: Money(minorUnits: try integer(at.paid), currency: currency),
            claimCount: Int(try integer(at.claimCount)),
            oldestDueOn: try day(at.oldestDue),
            openedOn: try day(at.opened) ?? Day(year: 1970, month: 1, day: 1)!,
            agentID: v[at.agent] == .null ? nil : try integer(at.agent),
            nextActionOn: try day(at.nextAction))
    }

    /// Where each of a summary's values is in `summaries`.
    private struct SummaryPositions {
        let id, status, currency, claimed, paid, claimCount, oldestDue, opened, agent, nextAction, debtorName, debtorKind: Int
        init(_ columns: ResultColumns) {
            func at(_ name: String) -> Int { columns.index[name]! }
            (id, status, currency, claimed, paid, claimCount) = (at("id"), at("status"), at("currency"), at("claimed_minor"), at("paid_minor"), at("claim_count"))
            (oldestDue, opened, agent, nextAction) = (at("oldest_due_on"), at("opened_on"), at("agent_id"), at("next_action_on"))
            (debtorName, debtorKind) = (at("debtor_name"), at("debtor_kind"))
        }
    }
    private static let summaryPositions = SummaryPositions(summaries.names)

    /// Whether the case exists in the caller's scope (for a route that needs no more of it).
    public func exists(id: Int64, scope: CaseScope) async throws -> Bool {
        try await database.withConnection { db in try await Self.exists(id: id, scope: scope, db: db) }
    }

    static func exists(id: Int64, scope: CaseScope, db: any SQLDatabase) async throws -> Bool {
        try await !db.raw("SELECT c.id FROM cases c WHERE c.id = \(bind: id) AND \(Self.whereScope(scope))").all().isEmpty
    }

    /// The case page's data, or nil when the case does not exist in the caller's scope.
    public func detail(id: Int64, scope: CaseScope) async throws -> CaseDetail? {
        try await database.withConnection { db in try await detail(id: id, scope: scope, along: [], db: db)?.detail }
    }

    /// The detail, and the rows of `extra` sets read with it (in its statement on PostgreSQL).
    func detail(id: Int64, scope: CaseScope, along extra: [RowSet], db: any SQLDatabase) async throws -> (detail: CaseDetail, extra: [[any SQLRow]])? {
        // The case with what it has one of (its debtor, investigation and contact state) in one
        // read: on PostgreSQL each statement costs more than the rows it reads.
        let q: SQLQueryString = """
            SELECT \(unsafeRaw: Self.summaryColumns), c.debtor_id, c.suspension_reason, c.resume_to,
              c.strategy_code, c.strategy_variant, c.strategy_step, c.strategy_step_on, c.strategy_step_channel,
              d.kind, d.name, d.siren, d.siret, d.vat_number, d.address_line1, d.address_line2, d.postcode, d.city, d.country, d.address_status,
              i.case_id AS investigated_case, i.reason, i.reason_notes, i.solvency, i.solvency_notes, i.sources,
              s.last_contact_on, s.last_letter_on, s.call_attempts, s.refused_channels, s.promise_cents, s.promise_due_on, s.promise_paid_before_cents
            FROM cases c JOIN debtors d ON d.id = c.debtor_id
              LEFT JOIN investigations i ON i.case_id = c.id LEFT JOIN contact_states s ON s.case_id = c.id
            WHERE c.id = \(bind: id) AND \(Self.whereScope(scope))
            """
        // What the case has many of, in the same statement on PostgreSQL (read only when the
        // scope lets the case be seen); the debtor's rows found through the case.
        let debtorOfCase: SQLQueryString = "(SELECT debtor_id FROM cases WHERE id = \(bind: id))"
        guard let (row, sets) = try await RowSets.read(q, along: [
            // The columns shown, not `*`: each is written into JSON by PostgreSQL and parsed back
            // (the statement ran 8 % longer with all of them, pgbench).
            RowSet(select: "SELECT id, invoice_ref, issued_on, due_on, principal_minor, vat_minor, currency, interest_rate_micro, disputed_on, withdrawn_on FROM claims WHERE case_id = \(bind: id)",
                   order: "due_on, invoice_ref"),
            RowSet(select: "SELECT id, occurred_at, actor, kind, from_status, to_status, text FROM case_events WHERE case_id = \(bind: id)", order: "id DESC"),
            DebtorStore.contactRows(debtor: debtorOfCase), DebtorStore.historyRows(debtor: debtorOfCase, scope: scope),
            WorkQueue.taskRows(caseID: id), LetterStore.letterRows(caseID: id),
        ] + extra, db: db) else { return nil }
        let creditorID = try row.decode(column: "creditor_id", as: Int64.self)
        guard let creditor = try await CreditorStore.byID([creditorID], database, on: db)[creditorID] else { return nil }
        let summary = try Self.decodeSummary(row, creditor: creditor)
        let lifecycle = try Self.decodeLifecycle(row)
        let debtorID = try row.decode(column: "debtor_id", as: Int64.self)
        let debtor = try DebtorStore.decode(row, id: debtorID, contacts: try sets[2].map(DebtorStore.decodeContact))
        let claims = try sets[0].map { r in
            let cur = Currency(code: try r.decode(column: "currency", as: String.self)) ?? .eur
            return Claim(id: try r.decode(column: "id", as: Int64.self), caseID: id,
                         invoiceReference: try r.decode(column: "invoice_ref", as: String.self),
                         issuedOn: Day(parsing: try r.decode(column: "issued_on", as: String.self))!,
                         dueOn: Day(parsing: try r.decode(column: "due_on", as: String.self))!,
                         principal: Money(minorUnits: try r.decode(column: "principal_minor", as: Int64.self), currency: cur),
                         vat: Money(minorUnits: try r.decode(column: "vat_minor", as: Int64.self), currency: cur),
                         interestTerms: try r.decode(column: "interest_rate_micro", as: Int64?.self).map { .contractual(annualRate: Rate(microPercent: $0)) } ?? .statutory,
                         disputedOn: try r.decode(column: "disputed_on", as: String?.self).flatMap { Day(parsing: $0) },
                         withdrawnOn: try r.decode(column: "withdrawn_on", as: String?.self).flatMap { Day(parsing: $0) })
        }
        let events = try sets[1].map { r in
            CaseEvent(caseID: id, occurredAt: Instant(iso: try r.decode(column: "occurred_at", as: String.self)) ?? Instant(millisecondsSinceEpoch: 0),
                      actor: Actor(try r.decode(column: "actor", as: String.self)),
                      kind: CaseEvent.Kind(rawValue: try r.decode(column: "kind", as: String.self)) ?? .note,
                      fromStatus: try r.decode(column: "from_status", as: String?.self).flatMap(CaseStatus.init(rawValue:)),
                      toStatus: try r.decode(column: "to_status", as: String?.self).flatMap(CaseStatus.init(rawValue:)),
                      text: try r.decode(column: "text", as: String.self))
        }
        let investigation = try row.decodeNil(column: "investigated_case") ? nil : try Self.decodeInvestigation(row)
        let detail = CaseDetail(summary: summary, lifecycle: lifecycle, creditor: creditor, debtor: debtor, claims: claims,
                          events: events, investigation: investigation, history: try DebtorStore.decodeHistory(sets[3]),
                          tasks: try sets[4].map(WorkQueue.decodeTask), contact: try ContactStates.decode(row),
                          plan: PlanState(strategyCode: try row.decode(column: "strategy_code", as: String?.self),
                                          variant: try row.decode(column: "strategy_variant", as: String?.self).flatMap(Variant.init(rawValue:)) ?? .champion,
                                          nextStep: try row.decode(column: "strategy_step", as: Int.self),
                                          lastStepOn: try row.decode(column: "strategy_step_on", as: String?.self).flatMap { Day(parsing: $0) },
                                          lastStepChannel: try row.decode(column: "strategy_step_channel", as: String?.self).flatMap(StepChannel.init(rawValue:))),
                          letters: try sets[5].map(LetterStore.decodeLetter))
        return (detail, Array(sets[6...]))
    }

    static func decodeLifecycle(_ row: any SQLRow) throws -> CaseLifecycle {
        let status = CaseStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .intake
        if status == .suspended,
           let reason = try row.decode(column: "suspension_reason", as: String?.self).flatMap(SuspensionReason.init(rawValue:)),
           let resume = try row.decode(column: "resume_to", as: String?.self).flatMap(CaseStatus.init(rawValue:)) {
            return CaseLifecycle(status: .suspended, suspension: .init(reason: reason, resumeTo: resume))
        }
        return CaseLifecycle(status: status == .suspended ? .intake : status)
    }

    /// Changes a case's phase through the lifecycle, and records the event, in one transaction.
    /// A concurrent change makes this fail rather than overwrite it.
    @discardableResult
    public func transition(caseID: Int64, to target: CaseStatus, suspensionReason: SuspensionReason? = nil,
                           reason: String, actor: Actor, at: Instant = SystemClock.now(), scope: CaseScope = .agency) async throws -> CaseLifecycle {
        try await database.transaction { db in
            guard let row = try await db.raw("SELECT c.status, c.suspension_reason, c.resume_to FROM cases c WHERE c.id = \(bind: caseID) AND \(Self.whereScope(scope))").all().first else {
                throw StoreError.notFound("case \(CaseReference(caseID: caseID))")
            }
            let current = try Self.decodeLifecycle(row)
            let t = try Transition.make(caseID: caseID, from: current, to: target, suspensionReason: suspensionReason, actor: actor, at: at, reason: reason)
            try await Self.apply(t, db: db)
            try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "case.transition", entity: "case", entityID: CaseReference(caseID: caseID).description,
                                                   before: AuditTrail.json(current), after: AuditTrail.json(t.lifecycle)), db: db)
            return t.lifecycle
        }
    }

    /// Writes a decided transition: the case's status (guarded against a concurrent change) and its event.
    static func apply(_ t: Transition, db: any SQLDatabase) async throws {
        try await writeLifecycle(t.lifecycle, caseID: t.event.caseID, expected: t.event.fromStatus!, at: t.event.occurredAt, db: db)
        try await appendEvents([t.event], db: db)
    }

    /// Stores a case's lifecycle if the case is still in `expected`; a concurrent change fails
    /// instead of being overwritten. An ended case frees its (creditor, debtor) slot.
    static func writeLifecycle(_ l: CaseLifecycle, caseID: Int64, expected: CaseStatus, at: Instant, db: any SQLDatabase) async throws {
        let openSlot: Int64? = l.status.isTerminal ? nil : 1
        let updated = try await db.raw("""
            UPDATE cases SET status = \(bind: l.status.rawValue), suspension_reason = \(bind: l.suspension?.reason.rawValue),
              resume_to = \(bind: l.suspension?.resumeTo.rawValue), open_slot = \(bind: openSlot), updated_at = \(bind: at.description)
            WHERE id = \(bind: caseID) AND status = \(bind: expected.rawValue)
            RETURNING id
            """).all()
        guard !updated.isEmpty else { throw StoreError.conflict("case \(CaseReference(caseID: caseID)) changed meanwhile; reload it") }
    }

    static func decodeInvestigation(_ r: any SQLRow) throws -> Investigation {
        Investigation(reason: try r.decode(column: "reason", as: String?.self).flatMap(NonPaymentReason.init(rawValue:)),
                      reasonNotes: try r.decode(column: "reason_notes", as: String.self),
                      solvency: try r.decode(column: "solvency", as: String?.self).flatMap(Solvency.init(rawValue:)),
                      solvencyNotes: try r.decode(column: "solvency_notes", as: String.self),
                      sources: try r.decode(column: "sources", as: String.self).split(separator: "\n").map(String.init))
    }

    /// Stores a case's investigation record, replacing the previous one.
    static func writeInvestigation(_ inv: Investigation, caseID: Int64, actor: Actor, at: Instant, db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO investigations (case_id, reason, reason_notes, solvency, solvency_notes, sources, updated_at, updated_by)
            VALUES (\(bind: caseID), \(bind: inv.reason?.rawValue), \(bind: inv.reasonNotes), \(bind: inv.solvency?.rawValue),
              \(bind: inv.solvencyNotes), \(bind: inv.sources.joined(separator: "\n")), \(bind: at.description), \(bind: actor.id))
            ON CONFLICT (case_id) DO UPDATE SET reason = excluded.reason, reason_notes = excluded.reason_notes, solvency = excluded.solvency,
              solvency_notes = excluded.solvency_notes, sources = excluded.sources, updated_at = excluded.updated_at, updated_by = excluded.updated_by
            """).run()
    }

    /// Appends events to the case histories, 500 rows a statement (within both databases' bind limits).
    static func appendEvents(_ events: [CaseEvent], db: any SQLDatabase) async throws {
        for start in stride(from: 0, to: events.count, by: 500) {
            var q = SQLQueryString("INSERT INTO case_events (case_id, occurred_at, actor, kind, from_status, to_status, text) VALUES ")
            for (i, e) in events[start..<min(events.count, start + 500)].enumerated() {
                if i > 0 { q.appendLiteral(", ") }
                q += "(\(bind: e.caseID), \(bind: e.occurredAt.description), \(bind: e.actor.id), \(bind: e.kind.rawValue), \(bind: e.fromStatus?.rawValue), \(bind: e.toStatus?.rawValue), \(bind: e.text))"
            }
            try await db.raw(q).run()
        }
    }

    /// Records an action and its report on a case, and the event that shows it in the history;
    /// then what follows from it: the contact state the engine and the contact rules read (a
    /// promise suspends the reminders until its date), a wrong number's contact marked invalid, a
    /// refused channel, the case's queued task of that channel done, and a dispute's suspension.
    public func recordAction(caseID: Int64, _ action: CaseAction, details: ActionDetails = ActionDetails(), actor: Actor, at: Instant = SystemClock.now(),
                             scope: CaseScope = .agency) async throws {
        try await database.transaction { db in
            guard let row = try await db.raw("""
                SELECT c.debtor_id, c.received_minor, c.status, c.suspension_reason, c.resume_to FROM cases c WHERE c.id = \(bind: caseID) AND \(Self.whereScope(scope))
                """).all().first else {
                throw StoreError.notFound("case \(CaseReference(caseID: caseID))")
            }
            let today = ParisTime(at).day
            let promise = try details.promise(for: action, today: today, paidBeforeCents: try row.decode(column: "received_minor", as: Int64.self))
            try await db.raw("""
                INSERT INTO case_actions (case_id, channel, outcome, report, actor, occurred_at)
                VALUES (\(bind: caseID), \(bind: action.channel.rawValue), \(bind: action.outcome.rawValue), \(bind: action.report),
                  \(bind: actor.id), \(bind: at.description))
                """).run()
            var text = action.historyText
            if let p = promise { text += " (promesse de \(Money.eur(cents: p.amountCents).formatted()) au \(p.dueOn.french))" }
            try await Self.appendEvents([CaseEvent(caseID: caseID, occurredAt: at, actor: actor, kind: .action, text: text)], db: db)
            try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "case.action", entity: "case", entityID: CaseReference(caseID: caseID).description,
                                                   after: AuditTrail.json(action)), db: db)
            var state = try await ContactStates.load(caseID: caseID, db: db).recording(action, on: today, promise: promise)
            if details.refusesChannel { state.refusedChannels.insert(StepChannel(action.channel)) }
            try await ContactStates.save(state, caseID: caseID, at: at, db: db)
            if action.outcome == .wrongNumber || action.outcome == .returned, let value = details.contactValue {
                try await db.raw("""
                    UPDATE debtor_contacts SET status = 'invalid' WHERE debtor_id = \(bind: try row.decode(column: "debtor_id", as: Int64.self)) AND value = \(bind: value)
                    """).run()
            }
            try await db.raw("""
                UPDATE collection_tasks SET status = 'done', done_at = \(bind: at.description), done_by = \(bind: actor.id)
                WHERE case_id = \(bind: caseID) AND status || '' IN ('queued', 'outbox') AND channel = \(bind: StepChannel(action.channel).rawValue)
                """).run()
            // A contestation stops collection at once: on the claims contested when they are some of
            // the case's, otherwise on the whole case, suspended until the creditor answers.
            let lifecycle = try Self.decodeLifecycle(row)
            let open = try await db.raw("SELECT id, invoice_ref, principal_minor FROM claims WHERE case_id = \(bind: caseID) AND disputed_on IS NULL AND withdrawn_on IS NULL").all()
                .map { (id: try $0.decode(column: "id", as: Int64.self), ref: try $0.decode(column: "invoice_ref", as: String.self), cents: try $0.decode(column: "principal_minor", as: Int64.self)) }
            let contested = open.filter { details.disputedClaimIDs.contains($0.id) }
            if action.outcome == .dispute, !details.disputedClaimIDs.isEmpty, contested.count != details.disputedClaimIDs.count {
                throw StoreError.invalid("a contested invoice is not one of the case's claims still collected")
            }
            if action.outcome == .dispute, !contested.isEmpty, contested.count < open.count {
                try await db.raw("UPDATE claims SET disputed_on = \(bind: today.iso) WHERE id IN \(SQLQueryString.idList(contested.map(\.id)))").run()
                try await Self.recountDisputed(caseID: caseID, at: at, db: db)
                let total = Money.eur(cents: contested.reduce(0) { $0 + $1.cents }).formatted()
                try await Self.appendEvents([CaseEvent(caseID: caseID, occurredAt: at, actor: actor, kind: .transition, text: """
                    Contestation des factures \(contested.map(\.ref).joined(separator: ", ")) (\(total)) : recouvrement arrêté sur ces factures en attendant la réponse du créancier ; \
                    il continue sur les autres.
                    """)], db: db)
            } else if action.outcome == .dispute, lifecycle.possibleTargets.contains(.suspended) {
                let t = try Transition.make(caseID: caseID, from: lifecycle, to: .suspended, suspensionReason: .dispute, actor: actor, at: at,
                                            reason: "Contestation du débiteur : recouvrement arrêté en attendant la réponse du créancier")
                try await Self.apply(t, db: db)
                try await db.raw("UPDATE collection_tasks SET status = 'cancelled' WHERE case_id = \(bind: caseID) AND status || '' IN ('queued', 'outbox')").run()
            }
        }
    }

    /// Why recording `channel` on the case at `at` would break the contact rules in force (empty:
    /// it would not). The page and the API ask this before recording.
    public func contactRuleViolations(caseID: Int64, channel: CaseAction.Channel, at: Instant, scope: CaseScope) async throws -> [ContactRuleViolation] {
        let rules = try await SettingsStore(database).current().settings.contactRules
        let state = try await database.withConnection { db in
            guard try await Self.exists(id: caseID, scope: scope, db: db) else {
                throw StoreError.notFound("case \(CaseReference(caseID: caseID))")
            }
            return try await ContactStates.load(caseID: caseID, db: db)
        }
        return rules.violations(channel: channel, at: at, state: state, calendar: .france)
    }

    /// The creditor's answer to a dispute: collection resumes where it stopped, or the claim is
    /// withdrawn and the case closed. When only some claims were contested, the answer is about
    /// them: their collection resumes, or they are withdrawn and leave the case's totals.
    public func answerDispute(caseID: Int64, resume: Bool, text: String, actor: Actor, at: Instant = SystemClock.now(), scope: CaseScope = .agency) async throws {
        let answer = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !answer.isEmpty else { throw StoreError.invalid("say why: the answer is shown to the agent and kept in the history") }
        try await database.transaction { db in
            guard let row = try await db.raw("SELECT c.status, c.suspension_reason, c.resume_to FROM cases c WHERE c.id = \(bind: caseID) AND \(Self.whereScope(scope))").all().first else {
                throw StoreError.notFound("case \(CaseReference(caseID: caseID))")
            }
            let current = try Self.decodeLifecycle(row)
            guard let suspension = current.suspension, suspension.reason == .dispute else {
                // Some claims contested, the case still worked: the answer is about those claims.
                let contested = try await db.raw("""
                    SELECT id, invoice_ref, principal_minor FROM claims WHERE case_id = \(bind: caseID) AND disputed_on IS NOT NULL AND withdrawn_on IS NULL
                    """).all().map { (id: try $0.decode(column: "id", as: Int64.self), ref: try $0.decode(column: "invoice_ref", as: String.self)) }
                guard !contested.isEmpty else { throw StoreError.invalid("case \(CaseReference(caseID: caseID)) has no dispute waiting for an answer") }
                let ids = SQLQueryString.idList(contested.map(\.id))
                let refs = contested.map(\.ref).joined(separator: ", ")
                if resume {
                    try await db.raw("UPDATE claims SET disputed_on = NULL WHERE id IN \(ids)").run()
                } else {
                    try await db.raw("UPDATE claims SET withdrawn_on = \(bind: ParisTime(at).day.iso) WHERE id IN \(ids)").run()
                    // A withdrawn claim is no longer owed: the case's totals leave it out.
                    try await db.raw("""
                        UPDATE cases SET (claimed_minor, claim_count) = (SELECT COALESCE(SUM(principal_minor), 0), COUNT(*) FROM claims WHERE case_id = cases.id AND withdrawn_on IS NULL)
                        WHERE id = \(bind: caseID)
                        """).run()
                }
                try await Self.recountDisputed(caseID: caseID, at: at, db: db)
                let text = (resume ? "Contestation des factures \(refs) écartée par le créancier, leur recouvrement reprend : "
                                   : "Factures \(refs) retirées par le créancier après contestation : ") + answer
                try await Self.appendEvents([CaseEvent(caseID: caseID, occurredAt: at, actor: actor, kind: .transition, text: text)], db: db)
                try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "case.dispute_answer", entity: "case", entityID: CaseReference(caseID: caseID).description,
                                                       after: AuditTrail.json(["claims": refs, "decision": resume ? "resume" : "withdraw", "answer": answer])), db: db)
                return
            }
            let target: CaseStatus = resume ? suspension.resumeTo : .closed
            let reason = (resume ? "Contestation écartée par le créancier, le recouvrement reprend : " : "Créance retirée par le créancier après contestation : ") + answer
            let t = try Transition.make(caseID: caseID, from: current, to: target, actor: actor, at: at, reason: reason)
            try await Self.apply(t, db: db)
            try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "case.dispute_answer", entity: "case", entityID: CaseReference(caseID: caseID).description,
                                                   before: AuditTrail.json(current), after: AuditTrail.json(t.lifecycle)), db: db)
        }
    }

    /// The principal of the case's contested claims still waiting for an answer.
    static func recountDisputed(caseID: Int64, at: Instant, db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE cases SET disputed_minor = (SELECT COALESCE(SUM(principal_minor), 0) FROM claims WHERE case_id = cases.id AND disputed_on IS NOT NULL AND withdrawn_on IS NULL),
              updated_at = \(bind: at.description) WHERE id = \(bind: caseID)
            """).run()
    }

    /// Gives a case to an agent (nil: to nobody), with an event in its history and an audit entry.
    public func assign(caseID: Int64, to agent: User?, actor: Actor, at: Instant = SystemClock.now(), scope: CaseScope = .agency) async throws {
        if let agent, agent.role != .agent && agent.role != .supervisor {
            throw StoreError.invalid("\(agent.login) is not an agent")
        }
        try await database.transaction { db in
            guard let row = try await db.raw("SELECT c.agent_id FROM cases c WHERE c.id = \(bind: caseID) AND \(Self.whereScope(scope))").all().first else {
                throw StoreError.notFound("case \(CaseReference(caseID: caseID))")
            }
            let before = try row.decode(column: "agent_id", as: Int64?.self)
            guard before != agent?.id else { return }
            try await db.raw("UPDATE cases SET agent_id = \(bind: agent?.id), updated_at = \(bind: at.description) WHERE id = \(bind: caseID)").run()
            try await Self.appendEvents([CaseEvent(caseID: caseID, occurredAt: at, actor: actor, kind: .assigned,
                                                   text: agent.map { "Dossier attribué à \($0.displayName) (\($0.login))" } ?? "Dossier retiré à son agent")], db: db)
            try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "case.assign", entity: "case", entityID: CaseReference(caseID: caseID).description,
                                                   before: before.map { #"{"agent_id":\#($0)}"# }, after: agent.map { #"{"agent_id":\#($0.id)}"# }), db: db)
        }
    }

    /// Records the investigation's findings and an event saying what changed.
    public func saveInvestigation(caseID: Int64, _ inv: Investigation, actor: Actor, at: Instant = SystemClock.now(), scope: CaseScope = .agency) async throws {
        try await database.transaction { db in
            guard try await Self.exists(id: caseID, scope: scope, db: db) else {
                throw StoreError.notFound("case \(CaseReference(caseID: caseID))")
            }
            let before = try await db.raw("SELECT * FROM investigations WHERE case_id = \(bind: caseID)").all().first.map(Self.decodeInvestigation)
            try await Self.writeInvestigation(inv, caseID: caseID, actor: actor, at: at, db: db)
            try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "case.investigation", entity: "case", entityID: CaseReference(caseID: caseID).description,
                                                   before: before.map { AuditTrail.json($0) }, after: AuditTrail.json(inv)), db: db)
            var parts: [String] = []
            if let r = inv.reason { parts.append("motif : \(r.rawValue)") }
            if let s = inv.solvency { parts.append("solvabilité : \(s.rawValue)") }
            if !inv.reasonNotes.isEmpty { parts.append(inv.reasonNotes) }
            if !inv.solvencyNotes.isEmpty { parts.append(inv.solvencyNotes) }
            if !inv.sources.isEmpty { parts.append("sources : " + inv.sources.joined(separator: ", ")) }
            try await Self.appendEvents([CaseEvent(caseID: caseID, occurredAt: at, actor: actor, kind: .investigationUpdated,
                                                   text: "Enquête mise à jour — " + parts.joined(separator: " ; "))], db: db)
        }
    }

    /// The debtor's new postal address, found by the investigation (after a letter came back NPAI,
    /// say): it holds again, and the letters waiting on it go out at the next print run.
    public func updateAddress(caseID: Int64, _ address: PostalAddress, source: String, actor: Actor, at: Instant = SystemClock.now(),
                              scope: CaseScope = .agency) async throws {
        guard !address.line1.isEmpty, !address.postcode.isEmpty, !address.city.isEmpty else {
            throw StoreError.invalid("an address needs a street line, a postcode and a city")
        }
        try await database.transaction { db in
            guard let debtorID = try await db.raw("SELECT c.debtor_id FROM cases c WHERE c.id = \(bind: caseID) AND \(Self.whereScope(scope))").all().first?
                .decode(column: "debtor_id", as: Int64.self) else { throw StoreError.notFound("case \(CaseReference(caseID: caseID))") }
            let before = try await DebtorStore.load(id: debtorID, db: db)?.address
            try await db.raw("""
                UPDATE debtors SET address_line1 = \(bind: address.line1), address_line2 = \(bind: address.line2), postcode = \(bind: address.postcode),
                  city = \(bind: address.city), country = \(bind: address.country), address_status = 'valid' WHERE id = \(bind: debtorID)
                """).run()
            try await db.raw("""
                UPDATE collection_tasks SET problem = NULL WHERE status = 'outbox' AND case_id IN (SELECT id FROM cases WHERE debtor_id = \(bind: debtorID))
                """).run()
            try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "debtor.address", entity: "debtor", entityID: String(debtorID),
                                                   before: before.map { AuditTrail.json($0) }, after: AuditTrail.json(address)), db: db)
            try await Self.appendEvents([CaseEvent(caseID: caseID, occurredAt: at, actor: actor, kind: .investigationUpdated,
                                                   text: "Nouvelle adresse : \(address.lines.joined(separator: ", ")) (source : \(source))")], db: db)
        }
    }
}

/// Debtors and what the agency knows of them across creditors.
public enum DebtorStore {
    static func load(id: Int64, db: any SQLDatabase) async throws -> Debtor? {
        guard let r = try await db.raw("SELECT * FROM debtors WHERE id = \(bind: id)").all().first else { return nil }
        return try decode(r, id: id, contacts: try await contacts(debtorID: id, db: db))
    }

    static func contacts(debtorID id: Int64, db: any SQLDatabase) async throws -> [ContactPoint] {
        try await RowSets.read([contactRows(debtor: "\(bind: id)")], db: db)[0].map(decodeContact)
    }

    /// A debtor's contact points in the order they were added (`decodeContact` reads them);
    /// `debtor` is the id, or a statement giving it.
    static func contactRows(debtor: SQLQueryString) -> RowSet {
        RowSet(select: "SELECT * FROM debtor_contacts WHERE debtor_id = \(debtor)", order: "id")
    }

    static func decodeContact(_ c: any SQLRow) throws -> ContactPoint {
        ContactPoint(kind: ContactPoint.Kind(rawValue: try c.decode(column: "kind", as: String.self)) ?? .phone,
                     value: try c.decode(column: "value", as: String.self),
                     source: try c.decode(column: "source", as: String.self),
                     status: ContactPoint.Status(rawValue: try c.decode(column: "status", as: String.self)) ?? .unverified,
                     validFrom: try c.decode(column: "valid_from", as: String?.self).flatMap { Day(parsing: $0) },
                     validUntil: try c.decode(column: "valid_until", as: String?.self).flatMap { Day(parsing: $0) })
    }

    /// A debtor from a row holding the debtors table's columns (its own, or a case's joined with it).
    static func decode(_ r: any SQLRow, id: Int64, contacts: [ContactPoint]) throws -> Debtor {
        var debtor = Debtor(id: id, kind: Debtor.Kind(rawValue: try r.decode(column: "kind", as: String.self)) ?? .company,
                      name: try r.decode(column: "name", as: String.self),
                      siren: try r.decode(column: "siren", as: String?.self).flatMap { try? SIREN($0) },
                      siret: try r.decode(column: "siret", as: String?.self).flatMap { try? SIRET($0) },
                      vatNumber: try r.decode(column: "vat_number", as: String?.self).flatMap { try? FrenchVATNumber($0) },
                      address: PostalAddress(line1: try r.decode(column: "address_line1", as: String.self), line2: try r.decode(column: "address_line2", as: String.self),
                                             postcode: try r.decode(column: "postcode", as: String.self), city: try r.decode(column: "city", as: String.self),
                                             country: try r.decode(column: "country", as: String.self)),
                      contacts: contacts)
        debtor.addressStatus = ContactPoint.Status(rawValue: try r.decode(column: "address_status", as: String.self)) ?? .unverified
        return debtor
    }

    /// The debtor's cases with every creditor (or, for a creditor's user, with that creditor only).
    /// The debtor's cases the scope may see (`decodeHistory` reads and orders them). `id` is
    /// named: an order by a bare `id` is the output column's on both databases.
    static func historyRows(debtor: SQLQueryString, scope: CaseScope) -> RowSet {
        RowSet(select: """
            SELECT c.id AS id, c.status, c.currency, c.claimed_minor, c.paid_minor, c.opened_on, cr.name AS creditor_name
            FROM cases c JOIN creditors cr ON cr.id = c.creditor_id WHERE c.debtor_id = \(debtor) AND \(CaseStore.whereScope(scope))
            """, order: "id")
    }

    static func decodeHistory(_ rows: [any SQLRow]) throws -> DebtorHistory {
        let entries = try rows.map { r in
            let cur = Currency(code: try r.decode(column: "currency", as: String.self)) ?? .eur
            return HistoryEntry(caseID: try r.decode(column: "id", as: Int64.self), creditorName: try r.decode(column: "creditor_name", as: String.self),
                                status: CaseStatus(rawValue: try r.decode(column: "status", as: String.self)) ?? .intake,
                                claimed: Money(minorUnits: try r.decode(column: "claimed_minor", as: Int64.self), currency: cur),
                                paid: Money(minorUnits: try r.decode(column: "paid_minor", as: Int64.self), currency: cur),
                                openedOn: Day(parsing: try r.decode(column: "opened_on", as: String.self))!)
        }
        return DebtorHistory(entries: entries)
    }
}
