/// Texts the law requires word for word on what the agency sends.
public enum LegalTexts {
    /// Code des procédures civiles d'exécution, article L111-8, paragraphs 2 and 3 (version in force
    /// since 19 March 2014, loi n° 2014-344). R124-4 requires their text in the first letter.
    public static let l111_8Paragraphs2And3 = [
        "Les frais de recouvrement entrepris sans titre exécutoire restent à la charge du créancier, sauf s'ils concernent un acte dont l'accomplissement est prescrit par la loi au créancier. Toute stipulation contraire est réputée non écrite, sauf disposition législative contraire.",
        "Cependant, le créancier qui justifie du caractère nécessaire des démarches entreprises pour recouvrer sa créance peut demander au juge de l'exécution de laisser tout ou partie des frais ainsi exposés à la charge du débiteur de mauvaise foi.",
    ]

    /// An English rendering printed after the French text in English letters (the French text is
    /// the one that counts).
    public static let l111_8English = [
        "Collection costs incurred without an enforceable title remain payable by the creditor, unless they relate to an act the law requires of the creditor. Any stipulation to the contrary is deemed unwritten, unless a statute provides otherwise.",
        "However, a creditor who shows that the steps taken to collect the claim were necessary may ask the enforcement judge to leave all or part of these costs to a debtor acting in bad faith.",
    ]

    /// The statement R124-4 requires: the agency does amicable collection for others.
    public static func amicableCollection(agency: String, language: Language) -> String {
        switch language {
        case .fr: "\(agency) exerce une activité de recouvrement amiable de créances pour le compte d'autrui (articles L124-1 et R124-1 à R124-7 du code des procédures civiles d'exécution)."
        case .en: "\(agency) collects debts amicably on behalf of others (articles L124-1 and R124-1 to R124-7 of the French code of civil enforcement procedures)."
        }
    }
}
