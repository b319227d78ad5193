/// JSON written straight into bytes, for the API's longest answer, a page of cases: through
/// `JSONEncoder` (sorted keys, 50 cases of 15 keys) the encoding was 61 % of the server's CPU
/// for that page (perf, SQLite, a million cases). The writer's user writes the keys in sorted
/// order itself, as `jsonResponse` sorts them, so both give the same document.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 1_024) { bytes.reserveCapacity(capacity) }

    /// JSON text written as it is: punctuation and keys (`{"id":`).
    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A string, quoted and escaped as RFC 8259 wants: the quote, the backslash and the control
    /// characters; everything else as its UTF-8.
    mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(b)
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(b)
            case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func string(_ s: String?) {
        if let s { string(s) } else { raw("null") }
    }

    mutating func integer(_ i: some BinaryInteger) {
        bytes.append(contentsOf: String(i).utf8)
    }

    mutating func integer(_ i: Int64?) {
        if let i { integer(i) } else { raw("null") }
    }
}
