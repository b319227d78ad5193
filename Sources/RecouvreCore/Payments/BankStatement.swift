/// One credit to the client-funds account, as an ISO 20022 camt.053 statement reports it: an
/// entry, or one transaction of a batch-booked entry.
public struct BankCredit: Sendable, Hashable {
    /// The bank's reference of the entry (or of the transaction within a batch): the same credit
    /// read again, from the same file or the next day's, is recognised by it and booked once.
    public var entryReference: String
    public var bookedOn: Day
    public var cents: Int64
    public var currency: String
    /// The payer as their bank named them.
    public var debtorName: String
    public var debtorIBAN: String?
    /// Unstructured remittance lines and any structured creditor reference, joined.
    public var remittance: String
    public var endToEndID: String?
    /// The line of the statement where the entry starts, for the accountant and the problem report.
    public var line: Int

    public init(entryReference: String, bookedOn: Day, cents: Int64, currency: String = "EUR", debtorName: String = "", debtorIBAN: String? = nil,
                remittance: String = "", endToEndID: String? = nil, line: Int = 0) {
        self.entryReference = entryReference
        self.bookedOn = bookedOn
        self.cents = cents
        self.currency = currency
        self.debtorName = debtorName
        self.debtorIBAN = debtorIBAN
        self.remittance = remittance
        self.endToEndID = endToEndID
        self.line = line
    }
}

/// A direct debit the debtor's bank sent back (a return or a reversal, as a debit entry): the
/// collection it undoes is found by the end-to-end id the agency gave it.
public struct BankReturn: Sendable, Hashable {
    public var entryReference: String
    public var bookedOn: Day
    public var cents: Int64
    public var endToEndID: String
    /// The ISO return reason code (AM04 insufficient funds, MD06 refund claimed, …), if given.
    public var reason: String
    public var line: Int
}

/// What a camt.053 file says that Recouvre uses: the account, the booked credits, and what it
/// could not read (each with its line) — a bad entry is reported while the good ones land.
public struct BankStatement: Sendable {
    public var messageID = ""
    public var statementID = ""
    public var accountIBAN: String?
    public var credits: [BankCredit] = []
    /// Direct debits sent back, each naming its collection.
    public var returns: [BankReturn] = []
    /// Booked debits that are not returned direct debits (the agency's own transfers).
    public var debitsSkipped = 0
    /// Entries not yet booked (status PDNG, INFO): a later statement books them.
    public var pendingSkipped = 0
    public var problems: [StatementProblem] = []
    public init() {}
}

public struct StatementProblem: Sendable, Hashable, CustomStringConvertible {
    public let line: Int
    public let reason: String
    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
    public var description: String { "ligne \(line) : \(reason)" }
}

/// Why a file is not a statement at all.
public enum StatementFileError: Error, Equatable, Sendable, CustomStringConvertible {
    case notXML(line: Int, reason: String)
    case notCamt053(namespace: String)
    case noStatement

    public var description: String {
        switch self {
        case let .notXML(line, reason): "the file is not well-formed XML (line \(line): \(reason))"
        case let .notCamt053(ns): "the file is not an ISO 20022 camt.053 bank statement (its namespace is \(ns.isEmpty ? "missing" : ns))"
        case .noStatement: "the file holds no statement (no Stmt element)"
        }
    }
}

/// Reads camt.053 statements of any version from 001.02 (the one French banks still send most) to
/// 001.14: elements are recognised by their local names, so the layouts of the versions (the
/// entry's status as text or as a code, the debtor as a party or as a party choice) read alike.
/// Streaming (`XMLScanner`): a statement of 100,000 credits is read without building a tree.
public enum Camt053Reader {
    public static func read(_ bytes: [UInt8]) -> Result<BankStatement, StatementFileError> {
        var handler = Handler()
        do {
            try XMLScanner.scan(bytes, into: &handler)
        } catch {
            if let namespace = handler.foreignNamespace { return .failure(.notCamt053(namespace: namespace)) }
            return .failure(.notXML(line: error.line, reason: error.reason))
        }
        if let namespace = handler.foreignNamespace { return .failure(.notCamt053(namespace: namespace)) }
        guard handler.sawStatement else { return .failure(.noStatement) }
        return .success(handler.statement)
    }

    /// A transaction's details inside an entry.
    struct Transaction {
        var amount: String?
        var currency: String?
        var accountServicerReference: String?
        var endToEndID: String?
        var debtorName = ""
        var debtorIBAN: String?
        var remittance: [String] = []
        var returnReason: String?
    }

    struct Entry {
        var line = 0
        var reference: String?
        var accountServicerReference: String?
        var amount: String?
        var currency: String?
        var creditDebit = ""
        var reversal = false
        var status = ""
        var bookedOn: String?
        var transactions: [Transaction] = []
    }

    struct Handler: XMLScanner.Reader {
        var statement = BankStatement()
        /// Set when the root is not a camt.053 document: everything after is ignored.
        var foreignNamespace: String?
        var sawStatement = false
        private var path: [String] = []
        private var text = ""
        private var currency: String?
        private var entry: Entry?
        private var entryOrdinal = 0
        // Where the reader stands, kept as counts so that each element costs no search of the path.
        private var inTx = 0, inDebtor = 0, inDebtorAccount = 0, inAddress = 0, inTxAmount = 0, inAccount = 0

        mutating func start(_ name: String, attributes: [(name: String, value: String)], line: Int) {
            if path.isEmpty {
                let ns = attributes.first { $0.name == "xmlns" || $0.name.hasPrefix("xmlns:") }?.value ?? ""
                if name != "Document" || !ns.hasPrefix("urn:iso:std:iso:20022:tech:xsd:camt.053.") { foreignNamespace = ns }
            }
            path.append(name)
            guard foreignNamespace == nil else { return }
            text = ""
            currency = attributes.first { $0.name == "Ccy" }?.value
            switch name {
            case "Stmt": sawStatement = true
            case "Ntry":
                entryOrdinal += 1
                entry = Entry(line: line)
            case "TxDtls" where entry != nil:
                entry!.transactions.append(Transaction())
                inTx += 1
            case "Dbtr": inDebtor += 1
            case "DbtrAcct": inDebtorAccount += 1
            case "PstlAdr": inAddress += 1
            case "TxAmt": inTxAmount += 1
            case "Acct": inAccount += 1
            default: break
            }
        }

        mutating func text(_ piece: String) { text += piece }

        mutating func end(_ name: String) {
            defer { path.removeLast() }
            guard foreignNamespace == nil else { return }
            let value = text.trimmingSpaces()
            text = ""
            let parent = path.count >= 2 ? path[path.count - 2] : ""
            switch name {
            case "TxDtls" where inTx > 0: inTx -= 1
            case "Dbtr": inDebtor -= 1
            case "DbtrAcct": inDebtorAccount -= 1
            case "PstlAdr": inAddress -= 1
            case "TxAmt": inTxAmount -= 1
            case "Acct": inAccount -= 1
            default: break
            }
            guard entry != nil else {
                // Statement level: the group header's message id, the statement's id and account.
                switch (parent, name) {
                case ("GrpHdr", "MsgId"): statement.messageID = value
                case ("Stmt", "Id"): statement.statementID = value
                case ("Id", "IBAN") where inAccount > 0: statement.accountIBAN = value
                default: break
                }
                return
            }
            if name == "Ntry" {
                finish(entry!)
                entry = nil
                return
            }
            if inTx > 0 {
                let i = entry!.transactions.count - 1
                switch (parent, name) {
                case (_, "Amt") where inTxAmount > 0 || parent == "TxDtls":
                    entry!.transactions[i].amount = value
                    entry!.transactions[i].currency = currency
                case ("Refs", "AcctSvcrRef"): entry!.transactions[i].accountServicerReference = value
                case ("Refs", "EndToEndId"): entry!.transactions[i].endToEndID = value == "NOTPROVIDED" ? nil : value
                case (_, "Nm") where inDebtor > 0 && inAddress == 0: entry!.transactions[i].debtorName = value
                case (_, "IBAN") where inDebtorAccount > 0: entry!.transactions[i].debtorIBAN = value
                case ("RmtInf", "Ustrd"), ("CdtrRefInf", "Ref"): if !value.isEmpty { entry!.transactions[i].remittance.append(value) }
                case ("Rsn", "Cd"), ("Rsn", "Prtry"): if path.contains("RtrInf") { entry!.transactions[i].returnReason = value }
                default: break
                }
                return
            }
            switch (parent, name) {
            case ("Ntry", "NtryRef"): entry!.reference = value
            case ("Ntry", "AcctSvcrRef"): entry!.accountServicerReference = value
            case ("Ntry", "Amt"):
                entry!.amount = value
                entry!.currency = currency
            case ("Ntry", "CdtDbtInd"): entry!.creditDebit = value
            case ("Ntry", "RvslInd"): entry!.reversal = value == "true" || value == "1"
            // 001.02 writes the status as text, later versions as a code inside it.
            case ("Ntry", "Sts"), ("Sts", "Cd"): if !value.isEmpty { entry!.status = value }
            case ("BookgDt", "Dt"): entry!.bookedOn = value
            case ("BookgDt", "DtTm"): entry!.bookedOn = String(value.prefix(10))
            default: break
            }
        }

        /// Turns an entry into its credits, or a problem with its line.
        private mutating func finish(_ e: Entry) {
            func problem(_ reason: String) { statement.problems.append(StatementProblem(line: e.line, reason: reason)) }
            guard e.status == "BOOK" else {
                statement.pendingSkipped += 1
                return
            }
            guard let booked = e.bookedOn.flatMap({ Day(parsing: $0) }) else { return problem("écriture sans date de comptabilisation lisible (BookgDt)") }
            let base = e.reference ?? e.accountServicerReference ?? "\(statement.statementID)/\(entryOrdinal)"
            guard e.creditDebit == "CRDT", !e.reversal else {
                // A debit that returns a direct debit names it; any other is the agency's own.
                let returned = e.transactions.enumerated().filter { $0.element.endToEndID != nil && ($0.element.returnReason != nil || e.reversal) }
                if returned.isEmpty { statement.debitsSkipped += 1 }
                for (i, tx) in returned {
                    let amountText = e.transactions.count == 1 ? (tx.amount ?? e.amount) : tx.amount
                    guard let amountText, let cents = Camt053Reader.cents(amountText), cents > 0 else {
                        problem("retour de prélèvement au montant illisible (\(tx.amount ?? e.amount ?? "absent"))")
                        continue
                    }
                    statement.returns.append(BankReturn(entryReference: tx.accountServicerReference ?? (e.transactions.count == 1 ? base : "\(base)/\(i + 1)"),
                                                        bookedOn: booked, cents: cents, endToEndID: tx.endToEndID!, reason: tx.returnReason ?? "", line: e.line))
                }
                return
            }
            // One credit per transaction of a batch; an entry without details is one credit.
            let transactions = e.transactions.isEmpty ? [Transaction()] : e.transactions
            for (i, tx) in transactions.enumerated() {
                let amountText = transactions.count == 1 ? (tx.amount ?? e.amount) : tx.amount
                guard let amountText, let cents = Camt053Reader.cents(amountText), cents > 0 else {
                    problem("montant illisible ou nul (\(tx.amount ?? e.amount ?? "absent"))")
                    continue
                }
                let currency = (transactions.count == 1 ? (tx.currency ?? e.currency) : tx.currency) ?? e.currency ?? ""
                guard currency == "EUR" else {
                    problem("devise \(currency.isEmpty ? "absente" : currency) : le compte de fonds de tiers est tenu en euros")
                    continue
                }
                let reference = tx.accountServicerReference ?? (transactions.count == 1 ? base : "\(base)/\(i + 1)")
                statement.credits.append(BankCredit(entryReference: reference, bookedOn: booked, cents: cents, currency: currency,
                                                    debtorName: tx.debtorName, debtorIBAN: tx.debtorIBAN.map { String($0.filter { $0 != " " }).uppercased() },
                                                    remittance: tx.remittance.joined(separator: " "), endToEndID: tx.endToEndID, line: e.line))
            }
        }
    }

    /// An ISO 20022 amount (`1234.5`, at most two decimals for the euro) in cents; nil if it is not one.
    public static func cents(_ text: String) -> Int64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.count <= 15, whole.allSatisfy(\.isASCIIDigit),
              let units = Int64(whole) else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let f = parts[1]
            guard (1...2).contains(f.count), f.allSatisfy(\.isASCIIDigit) else { return nil }
            fraction = Int64(f)! * (f.count == 1 ? 10 : 1)
        }
        return units * 100 + fraction
    }
}
