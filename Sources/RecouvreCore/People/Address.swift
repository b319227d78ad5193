/// A postal address as written on an envelope (French layout: lines, postcode, city, country).
public struct PostalAddress: Hashable, Sendable, Codable {
    public var line1: String
    public var line2: String
    public var postcode: String
    public var city: String
    /// ISO 3166 alpha-2, "FR" by default.
    public var country: String

    public init(line1: String = "", line2: String = "", postcode: String = "", city: String = "", country: String = "FR") {
        self.line1 = line1
        self.line2 = line2
        self.postcode = postcode
        self.city = city
        self.country = country
    }

    public var isEmpty: Bool { line1.isEmpty && postcode.isEmpty && city.isEmpty }

    /// The lines of the address block, empty lines left out.
    public var lines: [String] {
        [line1, line2, "\(postcode) \(city)".trimmingSpaces(), country == "FR" ? "" : country].filter { !$0.isEmpty }
    }
}

/// Where a contact detail came from and whether it still holds: the agency must be able to say
/// why it wrote to an address or called a number.
public struct ContactPoint: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable { case phone, email, address }
    public enum Status: String, Sendable, Codable, CaseIterable {
        case unverified, valid, invalid
    }

    public var kind: Kind
    public var value: String
    /// e.g. "import #12 (creditor file)", "agent call 2026-03-02", "registry".
    public var source: String
    public var status: Status
    public var validFrom: Day?
    public var validUntil: Day?

    public init(kind: Kind, value: String, source: String, status: Status = .unverified, validFrom: Day? = nil, validUntil: Day? = nil) {
        self.kind = kind
        self.value = value
        self.source = source
        self.status = status
        self.validFrom = validFrom
        self.validUntil = validUntil
    }

    /// Usable on `day`: not marked invalid and within its validity window.
    public func isUsable(on day: Day) -> Bool {
        status != .invalid && (validFrom.map { $0 <= day } ?? true) && (validUntil.map { day <= $0 } ?? true)
    }
}
