import CQRencode

/// A QR code's modules, encoded by libqrencode in byte mode (EPC069-12 asks for byte mode and error
/// correction level M).
public struct QRCode: Sendable {
    public let width: Int
    /// Row-major, true for a dark module.
    public let modules: [Bool]

    public init?(_ text: String, level: QRecLevel = QR_ECLEVEL_M) {
        let bytes = Array(text.utf8)
        guard let code = bytes.withUnsafeBufferPointer({ QRcode_encodeData(Int32($0.count), $0.baseAddress, 0, level) }) else { return nil }
        defer { QRcode_free(code) }
        let w = Int(code.pointee.width)
        width = w
        modules = (0..<(w * w)).map { code.pointee.data[$0] & 1 == 1 }
    }

    public func isDark(x: Int, y: Int) -> Bool { modules[y * width + x] }
}
