/// What one import has already learnt from the database, so that a debtor named on many rows
/// costs one lookup, one case and one set of contacts, not one per row. The database stays the
/// authority: the cache only skips statements whose answer it knows (inside the import's own
/// transaction nothing else changes these rows). Bounded: past `limit` debtors it starts over,
/// which costs lookups again but never changes a result, so memory stays flat on any file.
struct IntakeCache {
    struct Debtor {
        let id: Int64
        /// The address on record (`ImportRun.addressText`), as `fingerprint` gives it.
        let address: Int
        /// Created by this import: it has no case and no contacts but those this import gave it.
        let createdNow: Bool
    }

    struct OpenCase {
        let id: Int64
        let currency: String
    }

    enum ContactKind: String { case email, phone, address }

    /// A contact of one debtor, its kind and value kept as a fingerprint: two different values of
    /// one debtor would have to share 64 bits of SipHash for one to be skipped.
    struct Contact: Hashable {
        let debtorID: Int64
        let value: Int

        init(debtorID: Int64, kind: ContactKind, value: String) {
            self.debtorID = debtorID
            self.value = IntakeCache.fingerprint(kind.rawValue, value)
        }
    }

    /// A match key as 128 bits of SipHash (two differently salted 64-bit hashes): fixed size and no
    /// allocation per debtor, where the keys themselves took most of the import's memory. Two of a
    /// million keys would collide with a probability near 10⁻²⁷.
    struct Key: Hashable {
        let high: Int
        let low: Int

        init(_ matchKey: String) {
            high = IntakeCache.fingerprint("h", matchKey)
            low = IntakeCache.fingerprint("l", matchKey)
        }
    }

    /// 64 bits of SipHash (seeded per process) over `parts`: what the cache keeps of a text it only
    /// compares, at a tenth of the text's memory.
    static func fingerprint(_ parts: String...) -> Int {
        var h = Hasher()
        for p in parts { h.combine(p) }
        return h.finalize()
    }

    /// Match key (as `Key`) → debtor.
    var debtors: [Key: Debtor] = [:]
    /// Debtor id → the open case with this import's creditor.
    var cases: [Int64: OpenCase] = [:]
    /// Contacts on record or written by this import.
    var contacts = Set<Contact>()
    /// About 150 bytes per debtor with its case and contacts, none of them allocated apart:
    /// 300,000 debtors stay near 45 MB.
    let limit: Int

    /// Called before each batch: forgets everything once the limit is passed.
    mutating func trim() {
        guard debtors.count > limit else { return }
        debtors = [:]
        cases = [:]
        contacts = []
    }
}
