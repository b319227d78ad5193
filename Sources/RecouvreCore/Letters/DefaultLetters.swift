extension LetterSettings {
    /// What a new agency starts from: a demonstration identity to replace, French and English
    /// templates for each channel, and La Poste's prices as the tariff.
    public static let defaults = LetterSettings(
        agency: AgencyIdentity(
            name: "Cabinet Recouvre Démo", address: PostalAddress(line1: "12 rue de la Banque", postcode: "75002", city: "Paris"),
            siren: try? SIREN("443061841"), phone: "01 23 45 67 89", email: "contact@recouvre.example",
            clientFundsIBAN: try! IBAN("FR7630006000011234567890189"), bic: try? BIC("AGRIFRPP"),
            sepaCreditorID: try? SEPACreditorIdentifier("FR72ZZZ123456")),
        templates: [
            LetterTemplate(code: "first-letter-fr", channel: .letter, language: .fr, use: .first,
                           subject: "Objet : demande de règlement amiable — dossier {{case.reference}}", body: """
                Madame, Monsieur,

                {{statement.amicable_collection}}

                Nous intervenons pour le compte de {{creditor.name}}, {{creditor.address}}, qui nous a confié le recouvrement des factures suivantes, restées impayées à leur échéance :

                {{claims_table}}

                Nous vous demandons de régler la somme de {{amount.due}} au plus tard le {{payment.deadline}}. Si vous avez déjà réglé, ou si vous contestez tout ou partie de cette somme, merci de nous le faire savoir en rappelant la référence {{case.reference}} : nous en informerons le créancier.

                {{payment_means}}

                Conformément à l'article R124-4 du code des procédures civiles d'exécution, nous reproduisons ci-dessous le texte des alinéas 2 et 3 de l'article L111-8 de ce code.

                {{legal.l111_8}}

                Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.

                Le service recouvrement — {{agency.name}}, {{agency.phone}}
                """),
            LetterTemplate(code: "first-letter-en", channel: .letter, language: .en, use: .first,
                           subject: "Request for amicable payment — case {{case.reference}}", body: """
                Dear Sir or Madam,

                {{statement.amicable_collection}}

                We act on behalf of {{creditor.name}}, {{creditor.address}}, who has entrusted us with the collection of the following invoices, unpaid at their due date:

                {{claims_table}}

                We ask you to pay {{amount.due}} by {{payment.deadline}} at the latest. If you have already paid, or if you dispute all or part of this amount, please tell us, quoting the reference {{case.reference}}: we will inform the creditor.

                {{payment_means}}

                As article R124-4 of the French code of civil enforcement procedures requires, the text of paragraphs 2 and 3 of its article L111-8 follows.

                {{legal.l111_8}}

                Yours faithfully,

                Collections department — {{agency.name}}, {{agency.phone}}
                """),
            LetterTemplate(code: "reminder-fr", channel: .letter, language: .fr, use: .later,
                           subject: "Objet : relance — dossier {{case.reference}}", body: """
                Madame, Monsieur,

                Notre courrier {{first_letter.reference}} du {{first_letter.date}}, adressé pour le compte de {{creditor.name}}, est resté sans suite. À ce jour, la somme de {{amount.due}} reste due :

                {{claims_table}}

                Nous vous demandons de la régler au plus tard le {{payment.deadline}}, ou de nous appeler au {{agency.phone}} pour convenir d'une solution.

                {{payment_means}}

                Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.

                Le service recouvrement — {{agency.name}}
                """),
            LetterTemplate(code: "reminder-en", channel: .letter, language: .en, use: .later,
                           subject: "Reminder — case {{case.reference}}", body: """
                Dear Sir or Madam,

                Our letter {{first_letter.reference}} of {{first_letter.date}}, sent on behalf of {{creditor.name}}, has had no answer. To date, {{amount.due}} remains due:

                {{claims_table}}

                Please pay it by {{payment.deadline}} at the latest, or call us on {{agency.phone}} to agree on a solution.

                {{payment_means}}

                Yours faithfully,

                Collections department — {{agency.name}}
                """),
            LetterTemplate(code: "formal-notice-fr", channel: .registeredLetter, language: .fr, use: .later,
                           subject: "Objet : mise en demeure — dossier {{case.reference}} — lettre recommandée avec accusé de réception", body: """
                Madame, Monsieur,

                Malgré notre courrier {{first_letter.reference}} du {{first_letter.date}} et nos relances, la somme de {{amount.due}} due à {{creditor.name}} n'a pas été réglée :

                {{claims_table}}

                Nous vous mettons en demeure de régler cette somme au plus tard le {{payment.deadline}}. À défaut, le créancier pourra saisir la juridiction compétente.

                {{payment_means}}

                Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.

                Le service recouvrement — {{agency.name}}
                """),
            LetterTemplate(code: "formal-notice-en", channel: .registeredLetter, language: .en, use: .later,
                           subject: "Formal notice — case {{case.reference}} — registered letter with acknowledgment of receipt", body: """
                Dear Sir or Madam,

                Despite our letter {{first_letter.reference}} of {{first_letter.date}} and our reminders, {{amount.due}} owed to {{creditor.name}} has not been paid:

                {{claims_table}}

                We hereby give you formal notice to pay this amount by {{payment.deadline}} at the latest. Failing that, the creditor may bring the matter before the competent court.

                {{payment_means}}

                Yours faithfully,

                Collections department — {{agency.name}}
                """),
            LetterTemplate(code: "email-first-fr", channel: .email, language: .fr, use: .first,
                           subject: "Dossier {{case.reference}} : demande de règlement amiable", body: """
                Madame, Monsieur,

                {{agency.name}}, {{agency.address}}. {{statement.amicable_collection}}

                Nous intervenons pour le compte de {{creditor.name}}, {{creditor.address}}.

                {{claims_table}}

                Nous vous demandons de régler la somme de {{amount.due}} au plus tard le {{payment.deadline}}.

                {{payment_means}}

                {{legal.l111_8}}

                {{agency.name}} — {{agency.phone}}
                """),
            LetterTemplate(code: "email-reminder-fr", channel: .email, language: .fr, use: .later,
                           subject: "Dossier {{case.reference}} : relance", body: """
                Madame, Monsieur,

                Suite à notre courrier {{first_letter.reference}} du {{first_letter.date}}, la somme de {{amount.due}} due à {{creditor.name}} reste impayée. Vous trouverez notre courrier en pièce jointe.

                {{payment_means}}

                {{agency.name}} — {{agency.phone}}
                """),
            LetterTemplate(code: "email-reminder-en", channel: .email, language: .en, use: .later,
                           subject: "Case {{case.reference}}: reminder", body: """
                Dear Sir or Madam,

                Further to our letter {{first_letter.reference}} of {{first_letter.date}}, {{amount.due}} owed to {{creditor.name}} remains unpaid. Our letter is attached.

                {{payment_means}}

                {{agency.name}} — {{agency.phone}}
                """),
            LetterTemplate(code: "sms-reminder-fr", channel: .sms, language: .fr, use: .later, subject: "", body: """
                {{agency.name}} : dossier {{case.reference}}, courrier {{first_letter.reference}} du {{first_letter.date}}. Reste dû {{amount.due}}. Appelez le {{agency.phone}}.
                """),
            LetterTemplate(code: "sms-reminder-en", channel: .sms, language: .en, use: .later, subject: "", body: """
                {{agency.name}}: case {{case.reference}}, letter {{first_letter.reference}} of {{first_letter.date}}. {{amount.due}} due. Call {{agency.phone}}.
                """),
        ],
        postage: PostageTariff(
            rates: [
                PostageRate(channel: .letter, maxGrams: 20, cents: 152), PostageRate(channel: .letter, maxGrams: 100, cents: 304),
                PostageRate(channel: .letter, maxGrams: 250, cents: 608),
                PostageRate(channel: .registeredLetter, maxGrams: 20, cents: 738), PostageRate(channel: .registeredLetter, maxGrams: 100, cents: 885),
                PostageRate(channel: .registeredLetter, maxGrams: 250, cents: 1_155),
            ],
            source: "La Poste, lettre verte et lettre recommandée avec AR (R1) : chiffres indicatifs à vérifier par l'agence sur la grille en vigueur"))
}
