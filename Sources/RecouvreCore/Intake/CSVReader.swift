/// A streaming CSV tokenizer over bytes (RFC 4180 quoting, `;`, `,` or tab separated, CRLF or LF).
/// Fed chunk by chunk, it hands out whole records with the physical line each starts on, so a
/// rejected row can be reported by line even when quoted fields hold line breaks. Memory is one
/// record, whatever the file size.
///
/// Hand-written rather than a CSV library because intake must keep each record's raw bytes
/// (for per-row encoding detection and the rejects file) and its starting line; it is measured
/// in the intake benchmark.
public struct CSVTokenizer: Sendable {
    public struct Record: Sendable {
        /// 1-based physical line where the record starts.
        public let line: Int
        /// The unquoted bytes of all fields, one after the other; `ends[i]` is where field i ends.
        /// One buffer per record rather than one per field: intake reads millions of fields.
        public let content: [UInt8]
        public let ends: [Int]
        /// Raw bytes of each field, unquoted.
        public var fields: [ArraySlice<UInt8>] { ends.indices.map { field($0) } }
        public var fieldCount: Int { ends.count }
        public func field(_ i: Int) -> ArraySlice<UInt8> { content[(i == 0 ? 0 : ends[i - 1])..<ends[i]] }
        /// The record's raw bytes as in the file (without the final line break).
        public let raw: [UInt8]
    }

    public let separator: UInt8
    private var content: [UInt8] = []
    private var ends: [Int] = []
    private var raw: [UInt8] = []
    private var inQuotes = false
    private var quoteSeenInQuotes = false
    private var atFieldStart = true
    private var line = 1
    private var recordLine = 1
    private var pendingCR = false

    public init(separator: UInt8) {
        self.separator = separator
        content.reserveCapacity(256)
        raw.reserveCapacity(256)
    }

    /// Consumes `bytes`, calling `emit` for every complete record.
    public mutating func feed(_ bytes: ArraySlice<UInt8>, emit: (Record) throws -> Void) rethrows {
        try bytes.withUnsafeBufferPointer { buf in
            var i = 0
            let n = buf.count
            while i < n {
                let b = buf[i]
                if !inQuotes, !pendingCR, b != separator, b != 0x22, b != 0x0D, b != 0x0A {
                    // A run of ordinary bytes is copied at once rather than byte by byte.
                    var j = i + 1
                    while j < n {
                        let c = buf[j]
                        if c == separator || c == 0x22 || c == 0x0D || c == 0x0A { break }
                        j += 1
                    }
                    let run = UnsafeBufferPointer(rebasing: buf[i..<j])
                    content.append(contentsOf: run)
                    raw.append(contentsOf: run)
                    atFieldStart = false
                    i = j
                    continue
                }
                try step(b, emit)
                i += 1
            }
        }
    }

    public mutating func feed(_ bytes: [UInt8], emit: (Record) throws -> Void) rethrows { try feed(bytes[...], emit: emit) }

    private mutating func step(_ b: UInt8, _ emit: (Record) throws -> Void) rethrows {
        if pendingCR {
            pendingCR = false
            if b == 0x0A { return } // CRLF: the record already ended at CR
        }
        if inQuotes {
            if quoteSeenInQuotes {
                quoteSeenInQuotes = false
                if b == 0x22 { content.append(0x22); raw.append(b); return } // "" inside quotes
                inQuotes = false // closing quote: fall through to handle b outside quotes
            } else if b == 0x22 {
                quoteSeenInQuotes = true; raw.append(b); return
            } else {
                if b == 0x0A { line += 1 }
                content.append(b); raw.append(b); return
            }
        }
        switch b {
        case 0x22 where atFieldStart:
            inQuotes = true; atFieldStart = false; raw.append(b)
        case separator:
            ends.append(content.count); atFieldStart = true; raw.append(b)
        case 0x0D, 0x0A:
            pendingCR = b == 0x0D
            try endRecord(emit)
            line += 1
            recordLine = line
        default:
            content.append(b); atFieldStart = false; raw.append(b)
        }
    }

    /// Emits the last record when the file does not end with a line break.
    public mutating func finish(emit: (Record) throws -> Void) rethrows {
        if inQuotes && quoteSeenInQuotes { inQuotes = false; quoteSeenInQuotes = false }
        if !raw.isEmpty || !ends.isEmpty { try endRecord(emit) }
    }

    /// The line where the record being read started.
    public var currentRecordLine: Int { recordLine }

    /// True while inside an unterminated quoted field (a broken file when it lasts to the end).
    public var isInsideQuotes: Bool { inQuotes && !quoteSeenInQuotes }

    private mutating func endRecord(_ emit: (Record) throws -> Void) rethrows {
        ends.append(content.count)
        let isBlank = raw.isEmpty
        let record = Record(line: recordLine, content: content, ends: ends, raw: raw)
        content.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        raw.removeAll(keepingCapacity: true)
        atFieldStart = true
        if !isBlank { try emit(record) }
    }

    /// The separator a header line uses: the most frequent of `;`, `,`, tab and `|` outside quotes.
    public static func detectSeparator(headerLine: some Sequence<UInt8>) -> UInt8 {
        var counts: [UInt8: Int] = [0x3B: 0, 0x2C: 0, 0x09: 0, 0x7C: 0]
        var quoted = false
        for b in headerLine {
            if b == 0x22 { quoted.toggle() }
            if !quoted, counts[b] != nil { counts[b]! += 1 }
            if b == 0x0A { break }
        }
        let best = counts.max { a, b in a.value == b.value ? a.key > b.key : a.value < b.value }!
        return best.value == 0 ? 0x3B : best.key
    }
}

/// Turns raw field bytes into text: UTF-8 when the bytes are valid UTF-8, Windows-1252 otherwise.
/// Decided per record, so a file that mixes both (a common result of concatenating exports) loses
/// no character.
public enum TextDecoding: String, Sendable {
    case utf8, windows1252

    public static func detect(_ bytes: [UInt8]) -> TextDecoding {
        var ascii = true
        for b in bytes where b >= 0x80 { ascii = false; break }
        if ascii { return .utf8 }
        var it = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&it) {
            case .scalarValue: continue
            case .emptyInput: return .utf8
            case .error: return .windows1252
            }
        }
    }

    public func decode(_ bytes: some Collection<UInt8>) -> String {
        switch self {
        case .utf8: return String(decoding: bytes, as: UTF8.self)
        case .windows1252:
            var s = String.UnicodeScalarView()
            for b in bytes { s.append(TextDecoding.cp1252(b)) }
            return String(s)
        }
    }

    /// Windows-1252 → Unicode; 0x80–0x9F differ from Latin-1.
    static func cp1252(_ b: UInt8) -> Unicode.Scalar {
        if b >= 0x80 && b <= 0x9F { return Unicode.Scalar(cp1252High[Int(b - 0x80)])! }
        return Unicode.Scalar(b)
    }

    private static let cp1252High: [UInt32] = [0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
                              0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178]
}
