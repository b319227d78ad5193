import Foundation
import RecouvreCore

/// A small deterministic random generator (SplitMix64), so that a demo or a benchmark file is the
/// same on every machine.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Writes realistic claim files in the layout of `ClaimField` (`;`-separated, French dates and
/// decimal commas), for the demo portfolio and the intake benchmark.
public struct ClaimFileGenerator: Sendable {
    public let debtorCount: Int
    public let consumerShare: Double
    public let seed: UInt64
    public let invoicePrefix: String
    public let today: Day

    public init(debtorCount: Int, consumerShare: Double = 0.4, seed: UInt64 = 42, invoicePrefix: String = "F", today: Day) {
        self.debtorCount = debtorCount
        self.consumerShare = consumerShare
        self.seed = seed
        self.invoicePrefix = invoicePrefix
        self.today = today
    }

    public static let header = "invoice_ref;debtor_name;debtor_kind;siren;address_line1;postcode;city;email;phone;issued_on;due_on;amount;vat_amount;currency"

    static let companyWords = ["Atelier", "Boulangerie", "Garage", "Transports", "Menuiserie", "Imprimerie", "Pharmacie", "Hôtel", "Bureau", "Cabinet", "Électricité", "Plomberie", "Jardins", "Café", "Librairie", "Fromagerie"]
    static let companyNames = ["Dupont", "Martin", "Lefèvre", "Moreau", "Garnier", "Rousseau", "Chevalier", "Fontaine", "Mercier", "Blanc", "Guérin", "Boyer", "Gauthier", "Perrin", "Robin", "Clément"]
    static let forms = ["SARL", "SAS", "SA", "EURL", "SASU"]
    static let firstNames = ["Jean", "Marie", "Pierre", "Sophie", "Luc", "Camille", "Hélène", "François", "Élodie", "Noël", "Zoé", "Benoît", "Chloé", "Jérôme", "Inès", "Loïc"]
    static let lastNames = ["Bernard", "Petit", "Durand", "Leroy", "Roux", "David", "Bertrand", "Morel", "Girard", "André", "Lefebvre", "Mercier", "Faure", "Bonnet", "François", "Lambert"]
    static let streets = ["rue de la République", "avenue Jean Jaurès", "boulevard Victor Hugo", "place de l'Église", "chemin des Vignes", "rue Pasteur", "allée des Tilleuls", "rue du Moulin", "impasse des Lilas", "quai de la Loire"]
    static let cities: [(String, String)] = [("75011", "Paris"), ("69003", "Lyon"), ("13006", "Marseille"), ("31000", "Toulouse"), ("33000", "Bordeaux"), ("44000", "Nantes"), ("59000", "Lille"), ("67000", "Strasbourg"), ("34000", "Montpellier"), ("35000", "Rennes"), ("06000", "Nice"), ("21000", "Dijon")]

    /// The debtor at index `i`: stable for a given seed, so that claims spread over files match.
    public func debtorFields(_ i: Int) -> String {
        var rng = SplitMix64(seed: seed &+ UInt64(i) &* 7919)
        let consumer = Double(rng.next() % 1000) / 1000 < consumerShare
        let (postcode, city) = Self.cities[Int(rng.next() % UInt64(Self.cities.count))]
        let street = "\(1 + rng.next() % 180) \(Self.streets[Int(rng.next() % UInt64(Self.streets.count))])"
        if consumer {
            let first = Self.firstNames[Int(rng.next() % 16)], last = Self.lastNames[Int(rng.next() % 16)]
            let email = "\(Self.ascii(first)).\(Self.ascii(last))\(i)@exemple.fr"
            let phone = "06 \(10 + rng.next() % 89) \(10 + rng.next() % 89) \(10 + rng.next() % 89) \(10 + rng.next() % 89)"
            return "\(first) \(last.uppercased()) \(i);particulier;;\(street);\(postcode);\(city);\(email);\(phone)"
        }
        let name = "\(Self.companyWords[Int(rng.next() % 16)]) \(Self.companyNames[Int(rng.next() % 16)]) \(Self.forms[Int(rng.next() % 5)]) \(i)"
        let siren = Self.siren(for: UInt64(i) &+ seed &* 1_000_003)
        let phone = "01 \(10 + rng.next() % 89) \(10 + rng.next() % 89) \(10 + rng.next() % 89) \(10 + rng.next() % 89)"
        return "\(name);entreprise;\(siren);\(street);\(postcode);\(city);compta\(i)@entreprise.fr;\(phone)"
    }

    /// A valid SIREN (8 digits from `n`, then the Luhn check digit).
    public static func siren(for n: UInt64) -> String {
        let body = String(100_000_00 + n % 899_999_99)
        var sum = 0
        for (i, ch) in body.reversed().enumerated() {
            var v = ch.wholeNumberValue!
            if i % 2 == 0 { v *= 2; if v > 9 { v -= 9 } } // positions that get doubled once the check digit is appended
            sum += v
        }
        return body + String((10 - sum % 10) % 10)
    }

    static func ascii(_ s: String) -> String { DebtorMatchKey.normalise(s).replacingOccurrences(of: " ", with: "") }

    /// The claim row `k`: its debtor drawn at random (or the one given: one case per debtor for
    /// the page benchmark), dates in the last two years, amounts with cents.
    public func row(_ k: Int, debtor chosen: Int? = nil) -> (debtorIndex: Int, line: String) {
        var rng = SplitMix64(seed: seed ^ (UInt64(k) &* 0x2545_F491_4F6C_DD1D))
        let drawn = Int(rng.next() % UInt64(debtorCount))
        let debtor = chosen ?? drawn
        let issued = today.adding(days: -Int(30 + rng.next() % 700))
        let due = issued.adding(days: [0, 30, 45, 60][Int(rng.next() % 4)])
        let cents = Int64(5_000 + rng.next() % 1_500_000)
        let vat = cents / 6 // 20 % VAT included
        func frenchAmount(_ c: Int64) -> String { "\(c / 100),\(String(format2(c % 100)))" }
        return (debtor, "\(invoicePrefix)\(k);\(debtorFields(debtor));\(issued.french);\(due.french);\(frenchAmount(cents));\(frenchAmount(vat));EUR")
    }

    private func format2(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
}

