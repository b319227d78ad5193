import Foundation
import Testing
@testable import RecouvreCore

@Suite struct LetterTests {
    let settings = LetterSettings.defaults
    let day = Day(year: 2026, month: 11, day: 24)!

    func context(kind: Debtor.Kind = .company, other: Int64 = 0, paid: Int64 = 0, first: (String, Day)? = nil,
                 language: Language = .fr, address: PostalAddress = PostalAddress(line1: "3 place Bellecour", postcode: "69002", city: "Lyon")) -> LetterContext {
        LetterContext(caseReference: CaseReference(caseID: 42), debtorName: "Durand SARL", debtorKind: kind, debtorAddress: address,
                      creditorName: "ACME SA", creditorAddress: PostalAddress(line1: "1 rue de Rivoli", postcode: "75001", city: "Paris"),
                      claims: [LetterClaim(invoiceReference: "F-001", issuedOn: Day(year: 2026, month: 8, day: 1)!, dueOn: Day(year: 2026, month: 8, day: 31)!,
                                           principal: .eur(cents: 120_000), interest: .eur(cents: 1_234), otherItems: .eur(cents: other)),
                               LetterClaim(invoiceReference: "F-002", issuedOn: Day(year: 2026, month: 9, day: 1)!, dueOn: Day(year: 2026, month: 9, day: 30)!,
                                           principal: .eur(cents: 30_050), interest: .eur(cents: 0), otherItems: .eur(cents: 0))],
                      paid: .eur(cents: paid), letterReference: "RC-0000042/1", letterDate: day,
                      firstLetter: first.map { (reference: $0.0, date: $0.1) }, language: language)
    }

    @Test func theShippedSettingsAreValid() {
        #expect(settings.problems() == [])
    }

    @Test func aFirstTemplateWithoutAMentionIsRefusedNamingIt() {
        var t = settings.templates[0]
        t.body = t.body.replacingOccurrences(of: "{{legal.l111_8}}", with: "")
        #expect(t.missingMentions == [.l111_8])
        #expect(t.problems().map(\.message).contains { $0.contains("alinéas 2 et 3 de l'article L111-8") })
        var email = settings.template(channel: .email, use: .first, language: .fr)!
        email.body = email.body.replacingOccurrences(of: "{{agency.address}}", with: "")
        #expect(email.missingMentions == [.agencyIdentity], "an email has no letterhead: its body must name the agency")
        var later = settings.template(channel: .letter, use: .later, language: .fr)!
        later.body = later.body.replacingOccurrences(of: "{{first_letter.date}}", with: "")
        #expect(later.missingMentions == [.firstLetterReference])
    }

    @Test func blocksMustStandAloneAndVariablesMustExist() {
        var t = settings.templates[0]
        t.body += "\n\nVoir {{claims_table}} et {{debtor.nom}}"
        let messages = t.problems().map(\.message)
        #expect(messages.contains("{{claims_table}} is a block: it must be alone in its paragraph"))
        #expect(messages.contains("unknown variable {{debtor.nom}}"))
        var sms = settings.template(channel: .sms, use: .later, language: .fr)!
        sms.use = .first
        #expect(sms.problems().contains { $0.path == "use" })
    }

    @Test func theFirstLetterCarriesEveryMention() throws {
        let letter = try LetterComposer.compose(context(), channel: .letter, settings: settings).get()
        #expect(letter.templateCode == "first-letter-fr")
        let text = letter.plainText
        #expect(text.contains("exerce une activité de recouvrement amiable"))
        #expect(text.contains("ACME SA, 1 rue de Rivoli, 75001 Paris"))
        #expect(text.contains("Les frais de recouvrement entrepris sans titre exécutoire restent à la charge du créancier"))
        #expect(text.contains("Cependant, le créancier qui justifie"))
        #expect(text.contains("1\u{202F}512,84\u{00A0}€"), "1,200.00 + 12.34 + 300.50 due")
        #expect(letter.sender.first == "Cabinet Recouvre Démo")
        #expect(letter.recipient == ["Durand SARL", "3 place Bellecour", "69002 Lyon"])
        #expect(letter.placeAndDate == "Paris, le 24 novembre 2026")
        guard case let .table(table) = letter.blocks.first(where: { if case .table = $0 { true } else { false } }) else { Issue.record("no table"); return }
        #expect(table.rows[0] == ["F-001", "01/08/2026", "31/08/2026", "1\u{202F}200,00\u{00A0}€", "12,34\u{00A0}€", "0,00\u{00A0}€", "1\u{202F}212,34\u{00A0}€"])
        #expect(table.totals.last == ["Reste dû", "1\u{202F}512,84\u{00A0}€"])
    }

    @Test func aLaterLetterRepeatsTheFirstLettersReferenceAndDate() throws {
        let letter = try LetterComposer.compose(context(paid: 12_84, first: ("RC-0000042/1", Day(year: 2026, month: 10, day: 2)!)),
                                                channel: .registeredLetter, settings: settings).get()
        #expect(letter.templateCode == "formal-notice-fr")
        #expect(letter.plainText.contains("Malgré notre courrier RC-0000042/1 du 02/10/2026"))
        #expect(letter.plainText.contains("la somme de 1\u{202F}500,00\u{00A0}€"))
    }

    @Test func englishLettersAndFallbacks() throws {
        let en = try LetterComposer.compose(context(language: .en), channel: .letter, settings: settings).get()
        #expect(en.templateCode == "first-letter-en")
        #expect(en.placeAndDate == "Paris, 24 November 2026")
        #expect(en.plainText.contains("Les frais de recouvrement"), "the French text of L111-8 is the one that counts")
        #expect(en.plainText.contains("Collection costs incurred without an enforceable title"))
        // No English registered letter for a first letter: the English letter template serves.
        #expect(settings.template(channel: .registeredLetter, use: .first, language: .en)?.code == "first-letter-en")
    }

    @Test func nothingIsAskedOfAConsumerBeyondPrincipalAndInterest() {
        #expect(LetterComposer.compose(context(kind: .consumer, other: 4_000), channel: .letter, settings: settings).failure == .consumerCharged(invoice: "F-001"))
        #expect(LetterComposer.compose(context(kind: .company, other: 4_000), channel: .letter, settings: settings).failure == nil)
    }

    @Test func lettersNeedAnAddressAndSomethingDue() {
        #expect(LetterComposer.compose(context(address: PostalAddress()), channel: .letter, settings: settings).failure == .missingValue("the debtor's postal address"))
        #expect(LetterComposer.compose(context(paid: 151_284), channel: .letter, settings: settings).failure == .nothingDue)
        var noAgencyAddress = settings
        noAgencyAddress.agency.address = PostalAddress()
        #expect(LetterComposer.compose(context(), channel: .letter, settings: noAgencyAddress).failure == .missingValue("the agency's address"))
        #expect(noAgencyAddress.problems().map(\.path) == ["agency.address"])
    }

    @Test func textMessagesRespectTheLengthLimit() throws {
        let first = ("RC-0000042/1", Day(year: 2026, month: 10, day: 2)!)
        let sms = try LetterComposer.compose(context(first: first), channel: .sms, settings: settings).get()
        #expect(sms.plainText.count <= 160)
        #expect(sms.plainText.hasPrefix("Cabinet Recouvre Démo : dossier RC-0000042, courrier RC-0000042/1 du 02/10/2026."))
        var short = settings
        short.smsMaxLength = 70
        #expect(LetterComposer.compose(context(first: first), channel: .sms, settings: short).failure == .smsTooLong(length: sms.plainText.count, limit: 70))
    }

    @Test func theEPCPayloadFollowsEPC069() throws {
        let code = try EPCPaymentCode(beneficiary: "Cabinet Recouvre Démo", iban: IBAN("FR7630006000011234567890189"), bic: BIC("AGRIFRPP"),
                                      amount: .eur(cents: 151_284), remittance: "RC-0000042")
        #expect(code.payload == "BCD\n002\n1\nSCT\nAGRIFRPP\nCabinet Recouvre Démo\nFR7630006000011234567890189\nEUR1512.84\n\n\nRC-0000042")
        #expect(code.payload.utf8.count <= 331)
        #expect(throws: EPCPaymentCode.Problem.amountOutOfRange) {
            try EPCPaymentCode(beneficiary: "X", iban: IBAN("FR7630006000011234567890189"), bic: nil, amount: .eur(cents: 0), remittance: "")
        }
        #expect(throws: EPCPaymentCode.Problem.notEuro) {
            try EPCPaymentCode(beneficiary: "X", iban: IBAN("FR7630006000011234567890189"), bic: nil, amount: Money(minorUnits: 100, currency: Currency(code: "CHF")!), remittance: "")
        }
    }

    @Test func postageFollowsWeightBands() {
        let tariff = settings.postage
        #expect(PostageTariff.grams(pages: 2) == 15)
        #expect(tariff.postage(channel: .letter, pages: 2) == Postage(grams: 15, weightClass: 20, cents: 152))
        #expect(tariff.postage(channel: .letter, pages: 4)?.weightClass == 100, "4 sheets and an envelope weigh 25 g")
        #expect(tariff.postage(channel: .registeredLetter, pages: 1)?.cents == 738)
        #expect(tariff.postage(channel: .letter, pages: 60) == nil)
    }

    @Test func aStepMayNameItsTemplateWithinTheRules() {
        var settings = settings
        settings.templates.append(LetterTemplate(code: "last-reminder-fr", channel: .letter, language: .fr, use: .later,
                                                 subject: "Dernière relance — {{case.reference}}", body: "Dernier rappel de notre courrier {{first_letter.reference}} du {{first_letter.date}}."))
        #expect(settings.problems() == [])
        #expect(settings.template(code: "last-reminder-fr", channel: .letter, use: .later, language: .fr)?.code == "last-reminder-fr")
        #expect(settings.template(code: "last-reminder-fr", channel: .registeredLetter, use: .later, language: .fr)?.code == "last-reminder-fr",
                "a registered letter may use a letter's template")
        #expect(settings.template(code: "last-reminder-fr", channel: .letter, use: .first, language: .fr)?.code == "first-letter-fr",
                "the case's first letter keeps R124-4's mentions whatever the step names")
        #expect(settings.template(code: "last-reminder-fr", channel: .email, use: .later, language: .fr) == nil, "not a template for emails")
        #expect(settings.template(code: "nowhere", channel: .letter, use: .later, language: .fr) == nil)
        let strategy = Strategy(code: "s", name: "S", tier: Tier(), steps: [StrategyStep(channel: .letter, delayDays: 0),
                                                                           StrategyStep(channel: .letter, delayDays: 10, template: "last-reminder-fr")], escalation: .supervisorReview)
        #expect(strategy.template(variant: .champion, step: 1) == "last-reminder-fr" && strategy.template(variant: .champion, step: 0) == nil)
        #expect(strategy.template(variant: .champion, step: 7) == nil)
    }
}
