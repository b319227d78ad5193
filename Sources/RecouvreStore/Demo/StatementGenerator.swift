import Foundation
import RecouvreCore

/// Writes camt.053 statements as a French bank sends them for the client-funds account: the demo
/// imports one, the tests validate them against the ISO 20022 schemas and read them back, the
/// benchmark imports 100,000 credits. Recouvre itself only reads statements (`Camt053Reader`).
public enum StatementGenerator {
    public enum Version: String, Sendable, CaseIterable {
        /// The version most French banks send.
        case v02 = "001.02"
        /// The 2019 version (status and debtor as choices).
        case v08 = "001.08"
    }

    public struct Transaction: Sendable {
        public var cents: Int64
        public var payer: String
        public var payerIBAN: String?
        public var remittance: String
        public var reference: String?
        /// The payer's end-to-end id (the agency's own on a direct debit collected or returned).
        public var endToEndID: String?
        /// On a debit: the reason a direct debit came back (AM04, MD06…).
        public var returnReason: String?
        public init(cents: Int64, payer: String, payerIBAN: String? = nil, remittance: String, reference: String? = nil,
                    endToEndID: String? = nil, returnReason: String? = nil) {
            self.cents = cents
            self.payer = payer
            self.payerIBAN = payerIBAN
            self.remittance = remittance
            self.reference = reference
            self.endToEndID = endToEndID
            self.returnReason = returnReason
        }
    }

    public struct Entry: Sendable {
        public var reference: String
        public var bookedOn: Day
        public var debit = false
        public var status = "BOOK"
        /// One for a single credit; several for a batch booked as one entry.
        public var transactions: [Transaction]
        public init(reference: String, bookedOn: Day, debit: Bool = false, status: String = "BOOK", transactions: [Transaction]) {
            self.reference = reference
            self.bookedOn = bookedOn
            self.debit = debit
            self.status = status
            self.transactions = transactions
        }
        public var cents: Int64 { transactions.reduce(0) { $0 + $1.cents } }
    }

    public static func write(messageID: String, statementID: String, account: IBAN, on day: Day, openingCents: Int64 = 0,
                             entries: [Entry], version: Version = .v02) -> String {
        let v08 = version == .v08
        let closing = entries.reduce(openingCents) { $0 + ($1.debit ? -$1.cents : $1.cents) }
        var x = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.\(version.rawValue)" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
            <BkToCstmrStmt>
            <GrpHdr><MsgId>\(esc(messageID))</MsgId><CreDtTm>\(day.iso)T06:00:00</CreDtTm></GrpHdr>
            <Stmt>
            <Id>\(esc(statementID))</Id>
            <CreDtTm>\(day.iso)T06:00:00</CreDtTm>
            <Acct><Id><IBAN>\(account.value)</IBAN></Id><Ccy>EUR</Ccy></Acct>

            """
        x.reserveCapacity(entries.count * 900)
        for (code, cents) in [("OPBD", openingCents), ("CLBD", closing)] {
            x += "<Bal><Tp><CdOrPrtry><Cd>\(code)</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">\(amount(abs(cents)))</Amt>"
            x += "<CdtDbtInd>\(cents < 0 ? "DBIT" : "CRDT")</CdtDbtInd><Dt><Dt>\(day.iso)</Dt></Dt></Bal>\n"
        }
        for e in entries {
            let returned = e.debit && e.transactions.contains { $0.returnReason != nil }
            let family = returned ? "<Cd>IDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd>" : e.debit ? "<Cd>ICDT</Cd><SubFmlyCd>ESCT</SubFmlyCd>"
                : e.transactions.contains { $0.endToEndID != nil } ? "<Cd>IDDT</Cd><SubFmlyCd>ESDD</SubFmlyCd>" : "<Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd>"
            x += "<Ntry><NtryRef>\(esc(e.reference))</NtryRef><Amt Ccy=\"EUR\">\(amount(e.cents))</Amt><CdtDbtInd>\(e.debit ? "DBIT" : "CRDT")</CdtDbtInd>"
            x += v08 ? "<Sts><Cd>\(e.status)</Cd></Sts>" : "<Sts>\(e.status)</Sts>"
            x += "<BookgDt><Dt>\(e.bookedOn.iso)</Dt></BookgDt><ValDt><Dt>\(e.bookedOn.iso)</Dt></ValDt>"
            x += "<AcctSvcrRef>\(esc(e.reference))</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly>\(family)</Fmly></Domn></BkTxCd><NtryDtls>"
            if e.transactions.count > 1 { x += "<Btch><NbOfTxs>\(e.transactions.count)</NbOfTxs></Btch>" }
            for (i, t) in e.transactions.enumerated() {
                let reference = t.reference ?? (e.transactions.count > 1 ? "\(e.reference)-\(i + 1)" : nil)
                x += "<TxDtls><Refs>"
                if let reference { x += "<AcctSvcrRef>\(esc(reference))</AcctSvcrRef>" }
                x += "<EndToEndId>\(esc(t.endToEndID ?? "NOTPROVIDED"))</EndToEndId></Refs>"
                x += v08 ? "<Amt Ccy=\"EUR\">\(amount(t.cents))</Amt><CdtDbtInd>\(e.debit ? "DBIT" : "CRDT")</CdtDbtInd>"
                         : "<AmtDtls><TxAmt><Amt Ccy=\"EUR\">\(amount(t.cents))</Amt></TxAmt></AmtDtls>"
                x += "<RltdPties>"
                x += v08 ? "<Dbtr><Pty><Nm>\(esc(t.payer))</Nm></Pty></Dbtr>" : "<Dbtr><Nm>\(esc(t.payer))</Nm></Dbtr>"
                if let iban = t.payerIBAN { x += "<DbtrAcct><Id><IBAN>\(iban)</IBAN></Id></DbtrAcct>" }
                x += "</RltdPties><RmtInf><Ustrd>\(esc(String(t.remittance.prefix(140))))</Ustrd></RmtInf>"
                if let reason = t.returnReason { x += "<RtrInf><Rsn><Cd>\(esc(reason))</Cd></Rsn></RtrInf>" }
                x += "</TxDtls>"
            }
            x += "</NtryDtls></Ntry>\n"
        }
        x += "</Stmt>\n</BkToCstmrStmt>\n</Document>\n"
        return x
    }

    static func amount(_ cents: Int64) -> String {
        let c = cents % 100
        return "\(cents / 100).\(c < 10 ? "0" : "")\(c)"
    }

    static func esc(_ s: String) -> String {
        guard s.contains(where: { $0 == "&" || $0 == "<" || $0 == ">" || $0 == "\"" }) else { return s }
        return s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
