import RecouvreCore
import SQLKit

/// What it takes to register a creditor: identity and the R124-3 mandate.
public struct NewCreditor: Sendable {
    public var code: String
    public var name: String
    public var siren: SIREN?
    public var address: PostalAddress
    public var iban: IBAN?
    public var mandate: Mandate

    public init(code: String, name: String, siren: SIREN? = nil, address: PostalAddress, iban: IBAN? = nil, mandate: Mandate) {
        self.code = code
        self.name = name
        self.siren = siren
        self.address = address
        self.iban = iban
        self.mandate = mandate
    }
}

/// Creditors and their mandates.
public struct CreditorStore: Sendable {
    let database: Database
    public init(_ database: Database) { self.database = database }

    /// Registers a creditor; refuses a mandate missing an R124-3 mention or a code in use.
    public func create(_ new: NewCreditor, actor: Actor = .system) async throws -> Creditor {
        let code = new.code.trimmingCharacters(in: .whitespaces).uppercased()
        guard !code.isEmpty, code.count <= 20, code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw StoreError.invalid("a creditor code is 1 to 20 letters, digits, - or _")
        }
        guard !new.name.trimmingCharacters(in: .whitespaces).isEmpty else { throw StoreError.invalid("a creditor needs a name") }
        let missing = new.mandate.missingMentions
        guard missing.isEmpty else { throw StoreError.invalid("the mandate must state: \(missing.joined(separator: ", ")) (CPCE R124-3)") }
        let m = new.mandate
        let at = SystemClock.now()
        let now = at.description
        let id: Int64 = try await database.transaction { db in
            if try await !db.raw("SELECT id FROM creditors WHERE code = \(bind: code)").all().isEmpty {
                throw StoreError.conflict("a creditor with code \(code) already exists")
            }
            let rows = try await db.raw("""
                INSERT INTO creditors (code, name, siren, address_line1, address_line2, postcode, city, country, iban,
                  mandate_reference, mandate_signed_on, mandate_claims_covered, mandate_guarantee, commission_rate_micro,
                  commission_fixed_minor, commission_minimum_minor, remittance_method, remittance_within_days, max_plan_months,
                  notify_every_payment, plan_min_first_percent, plan_interest_runs, plan_grace_days, plan_break_to, created_at)
                VALUES (\(bind: code), \(bind: new.name), \(bind: new.siren?.value), \(bind: new.address.line1), \(bind: new.address.line2),
                  \(bind: new.address.postcode), \(bind: new.address.city), \(bind: new.address.country), \(bind: new.iban?.value),
                  \(bind: m.reference), \(bind: m.signedOn.iso), \(bind: m.claimsCovered), \(bind: m.guarantee),
                  \(bind: m.commission.rateOfCollected.microPercent), \(bind: m.commission.fixedPerCase?.minorUnits),
                  \(bind: m.commission.minimumPerPayment?.minorUnits), \(bind: m.remittance.method.rawValue), \(bind: m.remittance.withinDays),
                  \(bind: m.maxPlanMonths), \(bind: m.notifyEveryPayment ? 1 : 0), \(bind: m.planMinFirstPercent), \(bind: m.interestRunsDuringPlan ? 1 : 0),
                  \(bind: m.planGraceDays), \(bind: m.brokenPlanGoesTo.rawValue), \(bind: now))
                RETURNING id
                """).all()
            let id = try rows[0].decode(column: "id", as: Int64.self)
            try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: "creditor.create", entity: "creditor", entityID: code,
                                                   after: AuditTrail.json(["name": new.name, "mandate": m.reference, "commission": m.commission.rateOfCollected.description])), db: db)
            return id
        }
        database.shortCache.clear()
        return try await find(id: id)!
    }

    public func find(code: String) async throws -> Creditor? {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM creditors WHERE code = \(bind: code.uppercased())").all().first.map(Self.decode)
        }
    }

    public func find(id: Int64) async throws -> Creditor? {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM creditors WHERE id = \(bind: id)").all().first.map(Self.decode)
        }
    }

    /// Every creditor, by name.
    public func list() async throws -> [Creditor] {
        try await Self.all(database)
    }

    /// Every creditor by name, kept a few seconds (`ShortCache`); a caller already holding a
    /// connection gives it as `db` for the read.
    static func all(_ database: Database, on db: (any SQLDatabase)? = nil) async throws -> [Creditor] {
        try await database.shortCache.value("creditors") {
            let read: @Sendable (any SQLDatabase) async throws -> [Creditor] = { try await $0.raw("SELECT * FROM creditors ORDER BY name").all().map(Self.decode) }
            if let db { return try await read(db) }
            return try await database.withConnection(read)
        }
    }

    /// The creditors of `ids`, from those kept (`all`); one created by another process within
    /// the cache's seconds is read from its row.
    static func byID(_ ids: Set<Int64>, _ database: Database, on db: any SQLDatabase) async throws -> [Int64: Creditor] {
        var found: [Int64: Creditor] = [:]
        for creditor in try await all(database, on: db) where ids.contains(creditor.id) { found[creditor.id] = creditor }
        let missing = ids.subtracting(found.keys)
        guard !missing.isEmpty else { return found }
        for row in try await db.raw("SELECT * FROM creditors WHERE id IN \(SQLQueryString.idList(missing.sorted()))").all() {
            let creditor = try decode(row)
            found[creditor.id] = creditor
        }
        return found
    }

    static func decode(_ row: any SQLRow) throws -> Creditor {
        let eur = Currency.eur
        let commission = Commission(
            rateOfCollected: Rate(microPercent: try row.decode(column: "commission_rate_micro", as: Int64.self)),
            fixedPerCase: try row.decode(column: "commission_fixed_minor", as: Int64?.self).map { Money(minorUnits: $0, currency: eur) },
            minimumPerPayment: try row.decode(column: "commission_minimum_minor", as: Int64?.self).map { Money(minorUnits: $0, currency: eur) })
        var mandate = Mandate(
            reference: try row.decode(column: "mandate_reference", as: String.self),
            signedOn: Day(parsing: try row.decode(column: "mandate_signed_on", as: String.self))!,
            claimsCovered: try row.decode(column: "mandate_claims_covered", as: String.self),
            guarantee: try row.decode(column: "mandate_guarantee", as: String.self),
            commission: commission,
            remittance: RemittanceTerms(method: RemittanceTerms.Method(rawValue: try row.decode(column: "remittance_method", as: String.self)) ?? .sepaTransfer,
                                        withinDays: try row.decode(column: "remittance_within_days", as: Int.self)),
            maxPlanMonths: try row.decode(column: "max_plan_months", as: Int.self),
            notifyEveryPayment: try row.decode(column: "notify_every_payment", as: Int.self) != 0)
        let plan = try PlanStore.terms(row)
        mandate.planMinFirstPercent = plan.minFirstPercent
        mandate.interestRunsDuringPlan = plan.interestRuns
        mandate.planGraceDays = plan.graceDays
        mandate.brokenPlanGoesTo = plan.onBreak
        return Creditor(
            id: try row.decode(column: "id", as: Int64.self),
            code: try row.decode(column: "code", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            siren: try row.decode(column: "siren", as: String?.self).flatMap { try? SIREN($0) },
            address: PostalAddress(line1: try row.decode(column: "address_line1", as: String.self), line2: try row.decode(column: "address_line2", as: String.self),
                                   postcode: try row.decode(column: "postcode", as: String.self), city: try row.decode(column: "city", as: String.self),
                                   country: try row.decode(column: "country", as: String.self)),
            iban: try row.decode(column: "iban", as: String?.self).flatMap { try? IBAN($0) },
            mandate: mandate)
    }
}
