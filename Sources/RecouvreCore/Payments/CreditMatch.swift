/// Which case a credit to the client-funds account pays, decided as a pure function of the credit
/// and the cases found for it. In order: the case reference the debtor wrote (letters print it
/// and their payment code carries it), then the debtor's account when the agency has already seen
/// it pay, then the amount owed together with the payer's name. What none of them settles goes to
/// the accountant's reconciliation queue with its reason and the cases worth a look.
public enum CreditMatch {
    /// A case found for a credit.
    public struct Candidate: Sendable, Hashable {
        public let caseID: Int64
        public let lifecycle: CaseLifecycle
        public let debtorName: String
        /// Principal still owed (claimed less principal paid): what a debtor paying "the invoice" sends.
        public let principalBalanceCents: Int64
        public init(caseID: Int64, lifecycle: CaseLifecycle, debtorName: String, principalBalanceCents: Int64) {
            self.caseID = caseID
            self.lifecycle = lifecycle
            self.debtorName = debtorName
            self.principalBalanceCents = principalBalanceCents
        }

        /// Why a payment cannot be booked on this case as it stands, nil if it can.
        public var refusal: String? {
            switch lifecycle.status {
            case .paid, .partiallyPaid: return "le dossier \(CaseReference(caseID: caseID)) est déjà soldé : trop-perçu à rembourser ou à affecter ailleurs"
            case .closed, .returnedToCreditor: return "le dossier \(CaseReference(caseID: caseID)) est clos"
            case .suspended where lifecycle.suspension?.reason == .collectiveProceedings:
                // The opening judgment forbids paying claims born before it (Code de commerce L622-7):
                // the money goes back, through the mandataire, not onto the case.
                return "le débiteur du dossier \(CaseReference(caseID: caseID)) est en procédure collective : paiement interdit (L622-7), à restituer"
            default: return nil
            }
        }
    }

    public enum Decision: Sendable, Equatable {
        case book(caseID: Int64, because: String)
        case queue(reason: String, suggestions: [Int64])
    }

    /// Decides for `credit`: `referenced` are the existing cases its remittance names, `ofAccount`
    /// the open cases of the debtor known to pay from its account, `sameAmount` the open cases whose
    /// principal balance equals its amount.
    public static func decide(_ credit: BankCredit, referenced: [Candidate], ofAccount: [Candidate], sameAmount: [Candidate]) -> Decision {
        let written = caseReferences(in: credit.remittance)
        if referenced.count == 1 {
            let c = referenced[0]
            if let refusal = c.refusal { return .queue(reason: refusal, suggestions: [c.caseID]) }
            return .book(caseID: c.caseID, because: "référence \(CaseReference(caseID: c.caseID)) dans le libellé")
        }
        if referenced.count > 1 {
            let list = referenced.map { CaseReference(caseID: $0.caseID).description }.joined(separator: ", ")
            return .queue(reason: "le libellé cite plusieurs dossiers (\(list)) : à répartir", suggestions: referenced.map(\.caseID))
        }
        let unknown = written.isEmpty ? "" : "référence \(written.map(\.description).joined(separator: ", ")) inconnue ; "
        let payable = ofAccount.filter { $0.refusal == nil }
        if payable.count == 1 { return .book(caseID: payable[0].caseID, because: unknown + "compte du débiteur déjà connu, un seul dossier ouvert") }
        if payable.count > 1 {
            let exact = payable.filter { $0.principalBalanceCents == credit.cents }
            if exact.count == 1 { return .book(caseID: exact[0].caseID, because: unknown + "compte du débiteur déjà connu, montant égal au solde du dossier") }
            return .queue(reason: unknown + "compte connu, mais \(payable.count) dossiers ouverts pour ce débiteur", suggestions: payable.map(\.caseID))
        }
        let named = sameAmount.filter { $0.refusal == nil && sameName(credit.debtorName, $0.debtorName) }
        if named.count == 1 { return .book(caseID: named[0].caseID, because: unknown + "montant égal au solde et nom du payeur identique") }
        if named.count > 1 {
            return .queue(reason: unknown + "\(named.count) dossiers au même montant et au même nom", suggestions: named.map(\.caseID))
        }
        let reason = unknown + (sameAmount.isEmpty ? "aucun dossier trouvé (ni référence, ni compte connu, ni solde égal au montant)"
                                                   : "aucune référence ; \(sameAmount.count) dossier(s) au même montant, nom du payeur différent")
        return .queue(reason: reason, suggestions: Array(sameAmount.prefix(5).map(\.caseID)))
    }

    /// The case references written in a remittance text: `RC-0001234`, `RC 1234`, `rc0001234`,
    /// each once, in order. A reference must stand alone (`SRC123` is not one).
    public static func caseReferences(in text: String) -> [CaseReference] {
        var found: [CaseReference] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i + 2 < bytes.count {
            let startsWord = i == 0 || !(bytes[i - 1].isASCIILetter || bytes[i - 1].isASCIIDigit)
            guard startsWord, bytes[i] | 0x20 == 0x72, bytes[i + 1] | 0x20 == 0x63 else { i += 1; continue }
            var j = i + 2
            if j < bytes.count, bytes[j] == 0x2D || bytes[j] == 0x20 || bytes[j] == 0x2F { j += 1 }
            let digitsStart = j
            while j < bytes.count, bytes[j].isASCIIDigit { j += 1 }
            let endsWord = j == bytes.count || !(bytes[j].isASCIILetter || bytes[j].isASCIIDigit)
            if j > digitsStart, j - digitsStart <= 12, endsWord,
               let id = Int64(String(decoding: bytes[digitsStart..<j], as: UTF8.self)), id > 0 {
                let ref = CaseReference(caseID: id)
                if !found.contains(ref) { found.append(ref) }
            }
            i = max(j, i + 1)
        }
        return found
    }

    /// Whether a bank's payer name and a debtor's name are the same person or company: every
    /// significant word of the shorter is in the longer, accents, case, titles and legal forms
    /// aside ("SARL BOULANGERIE DUPONT" is "Boulangerie Dupont"; "DUPONT JEAN" is "M. Jean Dupont").
    public static func sameName(_ a: String, _ b: String) -> Bool {
        let x = significantWords(a), y = significantWords(b)
        guard !x.isEmpty, !y.isEmpty else { return false }
        return x.count <= y.count ? x.isSubset(of: y) : y.isSubset(of: x)
    }

    private static func significantWords(_ name: String) -> Set<String> {
        Set(DebtorMatchKey.normalise(name).split(separator: " ").map(String.init).filter { $0.count > 1 && !legalForms.contains($0) })
    }

    private static let legalForms: Set<String> = ["sa", "sas", "sasu", "sarl", "eurl", "sci", "snc", "scop", "selarl", "ei", "eirl", "societe", "ets", "etablissements", "et", "cie"]
}
