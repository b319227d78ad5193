import Crypto
import Foundation

/// SHA-256 digests as the database keeps them: lower-case hex. One table lookup per nibble:
/// `String(format:)` per byte was most of the cost of a batch of payments' audit entries.
public enum SHA256Hex {
    public static func of(_ data: some DataProtocol) -> String { hex(SHA256.hash(data: data)) }

    /// A text's UTF-8 digested where it lies: through `Data` and the generic `DataProtocol` path,
    /// hashing a session cookie or an API token cost 0.8 % of a case page's server CPU (perf).
    public static func of(_ text: String) -> String {
        var text = text
        var hasher = SHA256()
        text.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return hex(hasher.finalize())
    }

    public static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in digest {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
