import Hummingbird
import RecouvreCore

/// The product speaks French by default; `?lang=en` (remembered in a cookie) switches to English.
enum Locale {
    static func language(of request: Request) -> Language {
        if let q = request.uri.queryParameters.get("lang"), let l = Language(rawValue: q) { return l }
        if let c = request.cookies["lang"]?.value, let l = Language(rawValue: c) { return l }
        return .fr
    }

    /// Keeps an explicit `?lang=` choice for the next pages.
    static func remember(_ request: Request, in response: inout Response) {
        if let q = request.uri.queryParameters.get("lang"), Language(rawValue: q) != nil {
            response.setCookie(Cookie(name: "lang", value: q, maxAge: 365 * 86_400, path: "/", httpOnly: true, sameSite: .lax))
        }
    }
}

/// Every label of the pages, in both languages. One table, so that a missing translation is
/// caught by the test that renders each page in each language.
struct Strings {
    let language: Language

    private static let table: [String: (fr: String, en: String)] = [
        "app.tagline": ("Recouvrement amiable de créances", "Amicable debt collection"),
        "nav.cases": ("Dossiers", "Cases"),
        "nav.logout": ("Se déconnecter", "Log out"),
        "nav.imports": ("Imports", "Imports"),
        "imports.title": ("Import de créances", "Claim import"),
        "imports.new": ("Importer un fichier", "Import a file"),
        "imports.file": ("Fichier", "File"),
        "imports.hint": ("CSV séparé par ; ou , ; colonnes reconnues par leur nom (invoice_ref, debtor_name, issued_on, due_on, amount…). Un fichier importé deux fois ne crée rien de plus.",
                         "CSV separated by ; or ,; columns found by name (invoice_ref, debtor_name, issued_on, due_on, amount…). A file imported twice creates nothing more."),
        "imports.submit": ("Importer", "Import"),
        "imports.done": ("Import", "Import"),
        "imports.read": ("Lignes lues", "Rows read"),
        "imports.rejected": ("Rejetées", "Rejected"),
        "imports.created": ("Créances créées", "Claims created"),
        "imports.updated": ("Modifiées", "Updated"),
        "imports.unchanged": ("Inchangées", "Unchanged"),
        "imports.debtors": ("Débiteurs créés", "Debtors created"),
        "imports.cases": ("Dossiers ouverts", "Cases opened"),
        "imports.windows": ("Lignes lues en Windows-1252 :", "Rows read as Windows-1252:"),
        "imports.download": ("Télécharger les lignes rejetées (CSV)", "Download the rejected rows (CSV)"),
        "imports.line": ("Ligne", "Line"),
        "imports.column": ("Colonne", "Column"),
        "imports.reason": ("Motif", "Reason"),
        "imports.seeCases": ("Voir les dossiers du créancier", "See the creditor's cases"),
        "imports.latest": ("Derniers imports", "Latest imports"),
        "imports.when": ("Date", "Date"),
        "imports.rejectsFile": ("rejets", "rejects"),
        "imports.chooseCreditor": ("Choisissez le créancier.", "Choose the creditor."),
        "imports.chooseFile": ("Choisissez un fichier non vide.", "Choose a non-empty file."),
        "imports.refused": ("Fichier refusé, rien n'a été importé :", "File refused, nothing was imported:"),
        "cases.agent": ("Agent", "Agent"),
        "cases.allAgents": ("Tous", "All"),
        "cases.unassigned": ("Non attribués", "Unassigned"),
        "cases.balance": ("Solde", "Balance"),
        "cases.age": ("Retard", "Overdue"),
        "cases.due": ("Action à faire", "Action due"),
        "cases.sort": ("Tri", "Sort"),
        "balance.under500": ("moins de 500 €", "under €500"),
        "balance.from500to2000": ("500 à 2 000 €", "€500 to €2,000"),
        "balance.from2000to10000": ("2 000 à 10 000 €", "€2,000 to €10,000"),
        "balance.from10000to50000": ("10 000 à 50 000 €", "€10,000 to €50,000"),
        "balance.over50000": ("plus de 50 000 €", "over €50,000"),
        "age.upTo30": ("30 jours au plus", "up to 30 days"),
        "age.from31to90": ("31 à 90 jours", "31 to 90 days"),
        "age.from91to180": ("91 à 180 jours", "91 to 180 days"),
        "age.from181to365": ("181 à 365 jours", "181 to 365 days"),
        "age.over365": ("plus d'un an", "over a year"),
        "sort.newest": ("plus récents", "newest"),
        "sort.balance": ("solde décroissant", "largest balance"),
        "sort.oldestDue": ("échéance la plus ancienne", "oldest due date"),
        "case.agent": ("Agent", "Agent"),
        "case.nobody": ("personne", "nobody"),
        "case.assign": ("Attribuer", "Assign"),
        "nav.users": ("Utilisateurs", "Users"),
        "users.title": ("Utilisateurs", "Users"),
        "users.name": ("Nom", "Name"),
        "users.role": ("Rôle", "Role"),
        "users.team": ("Équipe", "Team"),
        "users.disabled": ("désactivé", "disabled"),
        "users.disable": ("Désactiver", "Disable"),
        "users.new": ("Nouvel utilisateur", "New user"),
        "users.password": ("Mot de passe initial (12 caractères au moins)", "Initial password (12 characters at least)"),
        "users.create": ("Créer", "Create"),
        "users.newPassword": ("nouveau mot de passe", "new password"),
        "users.reset": ("Réinitialiser", "Reset"),
        "debtor.cases": ("Dossiers de ce débiteur", "This debtor's cases"),
        "creditor.signed": ("Signé le", "Signed on"),
        "creditor.covered": ("Créances confiées", "Claims covered"),
        "creditor.guarantee": ("Garantie", "Guarantee"),
        "creditor.remittance": ("Reversement des fonds", "Remittance of funds"),
        "creditor.days": ("jours", "days"),
        "remittance.sepaTransfer": ("virement SEPA", "SEPA transfer"),
        "remittance.cheque": ("chèque", "cheque"),
        "creditor.figures": ("Chiffres", "Figures"),
        "creditor.latest": ("Derniers dossiers", "Latest cases"),
        "creditor.allCases": ("Tous ses dossiers", "All its cases"),
        "account.title": ("Mon compte", "My account"),
        "account.password": ("Changer de mot de passe", "Change password"),
        "account.current": ("Mot de passe actuel", "Current password"),
        "account.new": ("Nouveau mot de passe (12 caractères au moins)", "New password (12 characters at least)"),
        "account.confirm": ("Le nouveau, encore", "The new one again"),
        "account.change": ("Changer", "Change"),
        "account.wrongPassword": ("Le mot de passe actuel n'est pas le bon.", "The current password is wrong."),
        "account.weakPassword": ("Mot de passe refusé :", "Password refused:"),
        "account.mismatch": ("Les deux saisies du nouveau mot de passe diffèrent.", "The two entries of the new password differ."),
        "account.tokens": ("Jetons d'API", "API tokens"),
        "account.tokenName": ("Nom du jeton", "Token name"),
        "account.create": ("Créer", "Create"),
        "account.revoke": ("Révoquer", "Revoke"),
        "account.revoked": ("révoqué le", "revoked on"),
        "account.newToken": ("Copiez ce jeton maintenant, il ne sera plus affiché :", "Copy this token now, it will not be shown again:"),
        "act.title": ("Enregistrer une action", "Record an action"),
        "act.channel": ("Canal", "Channel"),
        "act.outcome": ("Résultat", "Outcome"),
        "act.report": ("Compte rendu (lu par le créancier)", "Report (read by the creditor)"),
        "act.submit": ("Enregistrer", "Record"),
        "phase.title": ("Changer de phase", "Change phase"),
        "phase.to": ("Nouvelle phase", "New phase"),
        "phase.suspension": ("Motif de suspension", "Suspension reason"),
        "phase.reason": ("Pourquoi", "Why"),
        "phase.submit": ("Changer", "Change"),
        "inv.notes": ("Précisions", "Notes"),
        "inv.submit": ("Enregistrer l'enquête", "Save the investigation"),
        "login.title": ("Connexion", "Log in"),
        "login.login": ("Identifiant", "Login"),
        "login.password": ("Mot de passe", "Password"),
        "login.submit": ("Se connecter", "Log in"),
        "login.failed": ("Identifiant ou mot de passe incorrect.", "Wrong login or password."),
        "login.locked": ("Trop d'essais pour cet identifiant : réessayez dans un quart d'heure.", "Too many attempts for this login: try again in a quarter of an hour."),
        "login.expired": ("Le formulaire a expiré : recommencez.", "The form has expired: please try again."),
        "role.agent": ("Chargé de recouvrement", "Collection agent"),
        "role.supervisor": ("Superviseur", "Supervisor"),
        "role.lawyer": ("Juriste", "Lawyer"),
        "role.accountant": ("Comptable", "Accountant"),
        "role.riskAnalyst": ("Analyste risque", "Risk analyst"),
        "role.admin": ("Administrateur", "Administrator"),
        "role.creditorUser": ("Créancier", "Creditor"),
        "lang.switch": ("English", "Français"),
        "cases.title": ("Dossiers", "Cases"),
        "cases.filter": ("Filtrer", "Filter"),
        "cases.all": ("Tous", "All"),
        "cases.allCreditors": ("Tous les créanciers", "All creditors"),
        "cases.search": ("Débiteur, n° de facture ou de dossier", "Debtor, invoice or case number"),
        "cases.next": ("Page suivante", "Next page"),
        "cases.first": ("Première page", "First page"),
        "cases.none": ("Aucun dossier ne correspond.", "No case matches."),
        "col.reference": ("Dossier", "Case"),
        "col.creditor": ("Créancier", "Creditor"),
        "col.debtor": ("Débiteur", "Debtor"),
        "col.status": ("Statut", "Status"),
        "col.claims": ("Créances", "Claims"),
        "col.balance": ("Solde", "Balance"),
        "col.oldestDue": ("Échéance la plus ancienne", "Oldest due date"),
        "col.invoice": ("Facture", "Invoice"),
        "col.issued": ("Émise le", "Issued"),
        "col.due": ("Échue le", "Due"),
        "col.amount": ("Montant TTC", "Amount incl. VAT"),
        "col.vat": ("dont TVA", "of which VAT"),
        "col.interest": ("Intérêts", "Interest"),
        "col.opened": ("Ouvert le", "Opened"),
        "case.debtor": ("Débiteur", "Debtor"),
        "case.creditor": ("Créancier", "Creditor"),
        "case.claims": ("Créances", "Claims"),
        "case.claimed": ("Total réclamé", "Total claimed"),
        "case.paid": ("Déjà payé", "Paid"),
        "case.balance": ("Reste dû", "Balance"),
        "case.timeline": ("Historique", "History"),
        "case.investigation": ("Enquête", "Investigation"),
        "case.noInvestigation": ("Pas encore d'enquête.", "No investigation yet."),
        "case.reason": ("Motif du non-paiement", "Reason for non-payment"),
        "case.solvency": ("Solvabilité", "Solvency"),
        "case.sources": ("Sources", "Sources"),
        "case.history": ("Autres dossiers de ce débiteur", "This debtor's other cases"),
        "case.noHistory": ("Aucun autre dossier.", "No other case."),
        "case.repeat": ("Débiteur connu pour d'autres impayés", "Debtor known for other unpaid debts"),
        "case.contacts": ("Coordonnées", "Contacts"),
        "case.next": ("Étapes possibles", "Possible next steps"),
        "case.mandate": ("Mandat", "Mandate"),
        "case.commission": ("Commission", "Commission"),
        "case.contractual": ("contractuel", "contractual"),
        "case.statutory": ("légal", "statutory"),
        "kind.company": ("Entreprise", "Company"),
        "kind.consumer": ("Particulier", "Consumer"),
        "notfound.title": ("Introuvable", "Not found"),
        "notfound.text": ("Ce dossier n'existe pas ou vous n'y avez pas accès.", "This case does not exist or you may not see it."),
        "status.intake": ("Réception", "Intake"),
        "status.investigation": ("Enquête", "Investigation"),
        "status.amicable": ("Amiable", "Amicable"),
        "status.decision_pending": ("Décision à prendre", "Decision pending"),
        "status.paid": ("Payé", "Paid"),
        "status.partially_paid": ("Payé en partie", "Partially paid"),
        "status.payment_plan": ("Échéancier", "Payment plan"),
        "status.litigation": ("Contentieux", "Litigation"),
        "status.irrecoverable": ("Irrécouvrable", "Irrecoverable"),
        "status.suspended": ("Suspendu", "Suspended"),
        "status.closed": ("Clos", "Closed"),
        "status.returned_to_creditor": ("Restitué au créancier", "Returned to creditor"),
        "solvency.solvent": ("Solvable", "Solvent"),
        "solvency.fragile": ("Fragile", "Fragile"),
        "solvency.insolvent": ("Insolvable", "Insolvent"),
        "solvency.unknown": ("Inconnue", "Unknown"),
        "reason.cash_flow_difficulty": ("Difficultés de trésorerie", "Cash-flow difficulty"),
        "reason.dispute_goods_service": ("Litige sur la prestation", "Dispute over goods or service"),
        "reason.invoice_not_received": ("Facture non reçue", "Invoice not received"),
        "reason.oversight": ("Oubli", "Oversight"),
        "reason.bad_faith": ("Mauvaise foi", "Bad faith"),
        "reason.insolvency": ("Insolvabilité", "Insolvency"),
        "reason.collective_proceedings": ("Procédure collective", "Collective proceedings"),
        "reason.unreachable": ("Injoignable", "Unreachable"),
        "reason.deceased": ("Décédé", "Deceased"),
        "reason.other": ("Autre", "Other"),
    ]

    subscript(_ key: String) -> String {
        guard let entry = Strings.table[key] else { return key }
        return language == .fr ? entry.fr : entry.en
    }

    /// All labels as a dictionary for the templates (`{{t.cases_title}}` is `t["cases.title"]`),
    /// built once per language: every page passes it, and building it per request was a sixth of
    /// the case page's time.
    var all: [String: String] { language == .fr ? Self.allFrench : Self.allEnglish }

    private static func labels(_ language: Language) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in table { out[k.replacingOccurrences(of: ".", with: "_")] = language == .fr ? v.fr : v.en }
        return out
    }
    private static let allFrench = labels(.fr)
    private static let allEnglish = labels(.en)

    static var keys: [String] { Array(table.keys) }

    func money(_ m: Money) -> String { m.formatted(locale: language) }
    func day(_ d: Day) -> String { language == .fr ? d.french : d.iso }
    func status(_ s: CaseStatus) -> String { self["status.\(s.rawValue)"] }
}
