/// JSON written straight into bytes, where `JSONEncoder` costs too much: the API's page of cases
/// (sorted keys, 50 cases of 15 keys: the encoder was 61 % of the server's CPU for that page,
/// perf, SQLite, a million cases) and the audit trail's flat objects (one per payment booked).
/// The writer's user writes the keys in sorted order itself, as the encoder with `.sortedKeys`
/// does; strings are escaped as the encoder escapes them but for "/", kept as it is.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 1_024) { bytes.reserveCapacity(capacity) }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// JSON text written as it is: punctuation and keys (`{"id":`).
    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A string, quoted and escaped as RFC 8259 wants: the quote, the backslash and the control
    /// characters; everything else as its UTF-8.
    public mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(b)
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(b)
            case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0..<0x20:
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), Self.hex(b >> 4), Self.hex(b & 0xF)])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func string(_ s: String?) {
        if let s { string(s) } else { raw("null") }
    }

    public mutating func integer(_ i: some BinaryInteger) {
        bytes.append(contentsOf: String(i).utf8)
    }

    public mutating func integer(_ i: Int64?) {
        if let i { integer(i) } else { raw("null") }
    }

    /// A hexadecimal digit, lowercase as JSONEncoder writes them.
    private static func hex(_ n: UInt8) -> UInt8 { n < 10 ? UInt8(ascii: "0") + n : UInt8(ascii: "a") + n - 10 }
}
