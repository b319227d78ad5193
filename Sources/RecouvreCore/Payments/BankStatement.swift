import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

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

/// What a camt.053 file says that Recouvre uses: the account, the booked credits, and what it
/// could not read (each with its line) — a bad entry is reported while the good ones land.
public struct BankStatement: Sendable {
    public var messageID = ""
    public var statementID = ""
    public var accountIBAN: String?
    public var credits: [BankCredit] = []
    /// Booked debits and reversals: not payments (returned direct debits are read elsewhere).
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
/// Streaming (libxml2's SAX parser through FoundationXML): a statement of 100,000 credits is read
/// without building a tree.
public enum Camt053Reader {
    public static func read(_ data: Data) -> Result<BankStatement, StatementFileError> {
        let handler = Handler()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.delegate = handler
        let ok = parser.parse()
        if let error = handler.fileError { return .failure(error) }
        // libxml2 may report an error and still say the parse succeeded (a truncated file).
        if !ok || parser.parserError != nil {
            let code = (parser.parserError as NSError?)?.code ?? 0
            return .failure(.notXML(line: parser.lineNumber, reason: xmlErrors[code] ?? "XML error \(code)"))
        }
        guard handler.sawStatement else { return .failure(.noStatement) }
        return .success(handler.statement)
    }

    /// libxml2's commonest complaints about a file, as people say them.
    static let xmlErrors: [Int: String] = [
        4: "empty, or not XML at all", 5: "the file ends before its elements are closed", 9: "a character that XML does not allow",
        41: "an attribute without quotes", 64: "a malformed XML declaration", 73: "an element's tag is not closed",
        76: "an element is closed by another element's tag", 77: "the file ends before its elements are closed",
    ]

    /// A transaction's details inside an entry.
    struct Transaction {
        var amount: String?
        var currency: String?
        var accountServicerReference: String?
        var endToEndID: String?
        var debtorName = ""
        var debtorIBAN: String?
        var remittance: [String] = []
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

    final class Handler: NSObject, XMLParserDelegate {
        var statement = BankStatement()
        var fileError: StatementFileError?
        var sawStatement = false
        private var path: [String] = []
        private var text = ""
        private var attributes: [String: String] = [:]
        private var entry: Entry?
        private var entryOrdinal = 0

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            if path.isEmpty {
                let ns = namespaceURI ?? ""
                if name != "Document" || !ns.hasPrefix("urn:iso:std:iso:20022:tech:xsd:camt.053.") {
                    fileError = .notCamt053(namespace: ns)
                    parser.abortParsing()
                    return
                }
            }
            path.append(name)
            text = ""
            self.attributes = attributes
            switch name {
            case "Stmt": sawStatement = true
            case "Ntry":
                entryOrdinal += 1
                entry = Entry(line: parser.lineNumber)
            case "TxDtls" where entry != nil: entry!.transactions.append(Transaction())
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            defer {
                path.removeLast()
                text = ""
            }
            let parent = path.count >= 2 ? path[path.count - 2] : ""
            if entry == nil {
                // Statement level: the group header's message id, the statement's id and account.
                switch (parent, name) {
                case ("GrpHdr", "MsgId"): statement.messageID = value
                case ("Stmt", "Id"): statement.statementID = value
                case ("Id", "IBAN") where path.contains("Acct") && !path.contains("Ntry"): statement.accountIBAN = value
                default: break
                }
                return
            }
            if name == "Ntry" {
                finish(entry!)
                entry = nil
                return
            }
            let inTx = path.contains("TxDtls")
            if inTx {
                let i = entry!.transactions.count - 1
                switch (parent, name) {
                case (_, "Amt") where path.contains("TxAmt") || parent == "TxDtls":
                    entry!.transactions[i].amount = value
                    entry!.transactions[i].currency = attributes["Ccy"]
                case ("Refs", "AcctSvcrRef"): entry!.transactions[i].accountServicerReference = value
                case ("Refs", "EndToEndId"): entry!.transactions[i].endToEndID = value
                case (_, "Nm") where path.contains("Dbtr") && !path.contains("UltmtDbtr") && !path.contains("PstlAdr"):
                    entry!.transactions[i].debtorName = value
                case (_, "IBAN") where path.contains("DbtrAcct"): entry!.transactions[i].debtorIBAN = value
                case ("RmtInf", "Ustrd"), ("CdtrRefInf", "Ref"): if !value.isEmpty { entry!.transactions[i].remittance.append(value) }
                default: break
                }
                return
            }
            switch (parent, name) {
            case ("Ntry", "NtryRef"): entry!.reference = value
            case ("Ntry", "AcctSvcrRef"): entry!.accountServicerReference = value
            case ("Ntry", "Amt"):
                entry!.amount = value
                entry!.currency = attributes["Ccy"]
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
        private func finish(_ e: Entry) {
            func problem(_ reason: String) { statement.problems.append(StatementProblem(line: e.line, reason: reason)) }
            guard e.status == "BOOK" else {
                statement.pendingSkipped += 1
                return
            }
            guard e.creditDebit == "CRDT", !e.reversal else {
                statement.debitsSkipped += 1
                return
            }
            guard let booked = e.bookedOn.flatMap({ Day(parsing: $0) }) else { return problem("écriture sans date de comptabilisation lisible (BookgDt)") }
            let base = e.reference ?? e.accountServicerReference ?? "\(statement.statementID)/\(entryOrdinal)"
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
                                                    debtorName: tx.debtorName, debtorIBAN: tx.debtorIBAN.map { $0.replacingOccurrences(of: " ", with: "").uppercased() },
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
