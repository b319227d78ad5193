/// A debtor's SEPA direct debit mandate: the reference the agency gave it (UMR), the day the
/// debtor signed it, the account it debits.
public struct SEPAMandate: Sendable, Hashable {
    public let reference: String
    public let signedOn: Day
    public let debtorName: String
    public let iban: IBAN
    public let bic: BIC?

    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case badReference(String)
        case signedLater(Day)
        public var description: String {
            switch self {
            case let .badReference(r): "a mandate reference (UMR) is 1 to 35 letters, digits, spaces or / - ? : ( ) . , ' + — not \(r)"
            case let .signedLater(d): "a mandate cannot be signed after today (\(d.iso))"
            }
        }
    }

    public init(reference: String, signedOn: Day, debtorName: String, iban: IBAN, bic: BIC? = nil, today: Day) throws(Problem) {
        let r = reference.trimmingSpaces()
        // The SEPA character set (EPC rulebook): Latin letters, digits and a few signs.
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-?:().,'+ ")
        guard (1...35).contains(r.count), r.allSatisfy(allowed.contains), !r.hasPrefix("/"), !r.contains("//") else { throw .badReference(reference) }
        guard signedOn <= today else { throw .signedLater(today) }
        self.reference = r
        self.signedOn = signedOn
        self.debtorName = debtorName
        self.iban = iban
        self.bic = bic
    }
}

/// One instalment to collect by direct debit.
public struct DirectDebit: Sendable, Hashable {
    /// Ours, carried back by the bank on the credit and on any return.
    public let endToEndID: String
    public let cents: Int64
    public let mandate: SEPAMandate
    /// The first collection on a mandate is `FRST`, the next ones `RCUR`.
    public let first: Bool
    public let remittance: String

    public init(endToEndID: String, cents: Int64, mandate: SEPAMandate, first: Bool, remittance: String) {
        self.endToEndID = endToEndID
        self.cents = cents
        self.mandate = mandate
        self.first = first
        self.remittance = remittance
    }
}

/// Who collects: the agency, its client-funds account and its SEPA creditor identifier.
public struct DirectDebitCreditor: Sendable, Hashable {
    public let name: String
    public let iban: IBAN
    public let bic: BIC?
    public let identifier: SEPACreditorIdentifier
    public init(name: String, iban: IBAN, bic: BIC?, identifier: SEPACreditorIdentifier) {
        self.name = name
        self.iban = iban
        self.bic = bic
        self.identifier = identifier
    }
}

/// Writes a SEPA Core direct debit initiation, ISO 20022 pain.008.001.02 (the version French banks
/// take), for one collection day: one payment information block per sequence type (first and
/// recurrent collections are presented separately), each with its count and control sum (pure).
public enum Pain008 {
    public static func write(messageID: String, createdAt: Instant, collectOn: Day, creditor: DirectDebitCreditor, debits: [DirectDebit]) -> String {
        func amount(_ c: Int64) -> String { "\(c / 100).\(c % 100 < 10 ? "0" : "")\(c % 100)" }
        let total = debits.reduce(Int64(0)) { $0 + $1.cents }
        var x = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.02" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
            <CstmrDrctDbtInitn>
            <GrpHdr><MsgId>\(esc(messageID))</MsgId><CreDtTm>\(String(createdAt.description.prefix(19)))</CreDtTm><NbOfTxs>\(debits.count)</NbOfTxs>
            <CtrlSum>\(amount(total))</CtrlSum><InitgPty><Nm>\(esc(text(creditor.name, 70)))</Nm></InitgPty></GrpHdr>

            """
        for (sequence, group) in [("FRST", debits.filter(\.first)), ("RCUR", debits.filter { !$0.first })] where !group.isEmpty {
            x += "<PmtInf><PmtInfId>\(esc(messageID))-\(sequence)</PmtInfId><PmtMtd>DD</PmtMtd><BtchBookg>true</BtchBookg>"
            x += "<NbOfTxs>\(group.count)</NbOfTxs><CtrlSum>\(amount(group.reduce(0) { $0 + $1.cents }))</CtrlSum>"
            x += "<PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl><LclInstrm><Cd>CORE</Cd></LclInstrm><SeqTp>\(sequence)</SeqTp></PmtTpInf>"
            x += "<ReqdColltnDt>\(collectOn.iso)</ReqdColltnDt><Cdtr><Nm>\(esc(text(creditor.name, 70)))</Nm></Cdtr>"
            x += "<CdtrAcct><Id><IBAN>\(creditor.iban.value)</IBAN></Id></CdtrAcct>"
            x += creditor.bic.map { "<CdtrAgt><FinInstnId><BIC>\($0.value)</BIC></FinInstnId></CdtrAgt>" }
                ?? "<CdtrAgt><FinInstnId><Othr><Id>NOTPROVIDED</Id></Othr></FinInstnId></CdtrAgt>"
            x += "<ChrgBr>SLEV</ChrgBr><CdtrSchmeId><Id><PrvtId><Othr><Id>\(creditor.identifier.value)</Id><SchmeNm><Prtry>SEPA</Prtry></SchmeNm></Othr></PrvtId></Id></CdtrSchmeId>\n"
            for d in group {
                x += "<DrctDbtTxInf><PmtId><EndToEndId>\(esc(d.endToEndID))</EndToEndId></PmtId><InstdAmt Ccy=\"EUR\">\(amount(d.cents))</InstdAmt>"
                x += "<DrctDbtTx><MndtRltdInf><MndtId>\(esc(d.mandate.reference))</MndtId><DtOfSgntr>\(d.mandate.signedOn.iso)</DtOfSgntr></MndtRltdInf></DrctDbtTx>"
                x += d.mandate.bic.map { "<DbtrAgt><FinInstnId><BIC>\($0.value)</BIC></FinInstnId></DbtrAgt>" }
                    ?? "<DbtrAgt><FinInstnId><Othr><Id>NOTPROVIDED</Id></Othr></FinInstnId></DbtrAgt>"
                x += "<Dbtr><Nm>\(esc(text(d.mandate.debtorName, 70)))</Nm></Dbtr><DbtrAcct><Id><IBAN>\(d.mandate.iban.value)</IBAN></Id></DbtrAcct>"
                x += "<RmtInf><Ustrd>\(esc(text(d.remittance, 140)))</Ustrd></RmtInf></DrctDbtTxInf>\n"
            }
            x += "</PmtInf>\n"
        }
        return x + "</CstmrDrctDbtInitn>\n</Document>\n"
    }

    /// At most `limit` characters, never empty.
    static func text(_ s: String, _ limit: Int) -> String {
        let t = s.trimmingSpaces()
        return t.isEmpty ? "-" : String(t.prefix(limit))
    }

    static func esc(_ s: String) -> String {
        guard s.contains(where: { $0 == "&" || $0 == "<" || $0 == ">" || $0 == "\"" || $0 == "'" }) else { return s }
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }
}
