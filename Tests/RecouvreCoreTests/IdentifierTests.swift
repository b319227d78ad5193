import Testing
@testable import RecouvreCore

@Suite struct IdentifierTests {
    // Real, published numbers: Danone, Google France, Renault, La Poste.
    @Test(arguments: ["552032534", "443061841", "441639465", "356000000", "732 829 320"])
    func validSIREN(_ s: String) throws { _ = try SIREN(s) }

    @Test(arguments: [("552032535", "Luhn"), ("12345678", "9 digits"), ("55203253A", "digits only")])
    func invalidSIREN(_ s: String, reason: String) {
        #expect { try SIREN(s) } throws: { ($0 as? IdentifierError)?.reason.contains(reason) == true }
    }

    @Test func siret() throws {
        _ = try SIRET("443 061 841 00047")
        _ = try SIRET("35600000000048") // La Poste head office: plain Luhn
        _ = try SIRET("35600000049837") // a La Poste establishment: digit sum 45, a multiple of 5
        #expect(throws: IdentifierError.self) { try SIRET("35600000049838") }
        #expect(throws: IdentifierError.self) { try SIRET("44306184100048") }
        #expect(try SIRET("44306184100047").siren.value == "443061841")
    }

    @Test func frenchVAT() throws {
        #expect(FrenchVATNumber(siren: try SIREN("443061841")).value == "FR64443061841")
        _ = try FrenchVATNumber("FR 64 443 061 841")
        #expect { try FrenchVATNumber("FR65443061841") } throws: { ($0 as? IdentifierError)?.reason.contains("expected 64") == true }
        #expect(throws: IdentifierError.self) { try FrenchVATNumber("DE64443061841") }
    }

    @Test func iban() throws {
        _ = try IBAN("FR76 3000 6000 0112 3456 7890 189")
        _ = try IBAN("DE89370400440532013000")
        _ = try IBAN("GB82 WEST 1234 5698 7654 32")
        #expect(try IBAN("fr7630006000011234567890189").printed == "FR76 3000 6000 0112 3456 7890 189")
        #expect { try IBAN("FR7630006000011234567890188") } throws: { ($0 as? IdentifierError)?.reason.contains("mod 97") == true }
        #expect { try IBAN("FR763000600001123456789018") } throws: { ($0 as? IdentifierError)?.reason.contains("27 characters") == true }
        #expect(throws: IdentifierError.self) { try IBAN("XX7630006000011234567890189") }
    }

    @Test func bic() throws {
        _ = try BIC("BNPAFRPP")
        _ = try BIC("BNPAFRPPXXX")
        #expect(throws: IdentifierError.self) { try BIC("BNPAFRP") }
        #expect(throws: IdentifierError.self) { try BIC("BNP1FRPP") }
    }

    @Test func sepaCreditorIdentifier() throws {
        _ = try SEPACreditorIdentifier("FR72ZZZ123456")
        _ = try SEPACreditorIdentifier("FR 72 ZZZ 123456")
        #expect { try SEPACreditorIdentifier("FR73ZZZ123456") } throws: { ($0 as? IdentifierError)?.reason.contains("expected 72") == true }
        #expect(throws: IdentifierError.self) { try SEPACreditorIdentifier("FR72ZZZ12345") }
    }
}
