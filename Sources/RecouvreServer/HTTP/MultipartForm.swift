/// A `multipart/form-data` body (RFC 7578) split into its parts: the import page's upload.
struct MultipartForm {
    struct Part {
        let name: String
        let fileName: String?
        let contentType: String?
        let data: ArraySlice<UInt8>
        var text: String { String(decoding: data, as: UTF8.self) }
    }

    enum Failure: Error, Equatable, CustomStringConvertible {
        case notMultipart, noBoundary, malformed(String)
        var description: String {
            switch self {
            case .notMultipart: "the body is not multipart/form-data"
            case .noBoundary: "the Content-Type names no boundary"
            case let .malformed(why): "the multipart body cannot be read: \(why)"
            }
        }
    }

    let parts: [Part]

    func field(_ name: String) -> String? { parts.first { $0.name == name && $0.fileName == nil }?.text }
    func file(_ name: String) -> Part? { parts.first { $0.name == name && $0.fileName != nil } }

    /// The boundary of a `multipart/form-data; boundary=…` content type.
    static func boundary(of contentType: String) throws(Failure) -> String {
        let items = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard items.first?.lowercased() == "multipart/form-data" else { throw .notMultipart }
        guard let b = items.dropFirst().first(where: { $0.lowercased().hasPrefix("boundary=") })?.dropFirst("boundary=".count),
              !b.isEmpty else { throw .noBoundary }
        let boundary = b.hasPrefix("\"") && b.hasSuffix("\"") && b.count >= 2 ? String(b.dropFirst().dropLast()) : String(b)
        guard !boundary.isEmpty, boundary.utf8.count <= 70 else { throw .noBoundary }
        return boundary
    }

    init(body: [UInt8], contentType: String) throws(Failure) {
        let boundary = try Self.boundary(of: contentType)
        let delimiter = Array("--\(boundary)".utf8)
        guard var at = Self.find(delimiter, in: body, from: 0) else { throw .malformed("no boundary line") }
        var parts: [Part] = []
        while true {
            at += delimiter.count
            if body[at...].starts(with: [0x2D, 0x2D]) { break } // "--": the closing delimiter
            guard body[at...].starts(with: [0x0D, 0x0A]) else { throw .malformed("a boundary line does not end with CRLF") }
            at += 2
            guard let headerEnd = Self.find([0x0D, 0x0A, 0x0D, 0x0A], in: body, from: at) else { throw .malformed("a part has no header end") }
            let headers = String(decoding: body[at..<headerEnd], as: UTF8.self)
            let dataStart = headerEnd + 4
            guard let next = Self.find([0x0D, 0x0A] + delimiter, in: body, from: dataStart) else { throw .malformed("a part is not closed") }
            var name: String?, fileName: String?, type: String?
            for line in headers.split(separator: "\r\n") {
                let pair = line.split(separator: ":", maxSplits: 1)
                guard pair.count == 2 else { continue }
                let key = pair[0].trimmingCharacters(in: .whitespaces).lowercased(), value = pair[1].trimmingCharacters(in: .whitespaces)
                if key == "content-type" { type = value }
                if key == "content-disposition" {
                    name = Self.parameter("name", in: value)
                    fileName = Self.parameter("filename", in: value)
                }
            }
            guard let name else { throw .malformed("a part has no name") }
            parts.append(Part(name: name, fileName: fileName, contentType: type, data: body[dataStart..<next]))
            at = next + 2
        }
        self.parts = parts
    }

    /// `name="value"` in a Content-Disposition header (quoted or not; a quoted value may hold `;`).
    static func parameter(_ key: String, in header: String) -> String? {
        var items: [String] = [], current = "", quoted = false, escaped = false
        for ch in header {
            if escaped { current.append(ch); escaped = false; continue }
            if quoted && ch == "\\" { escaped = true; continue }
            if ch == "\"" { quoted.toggle(); continue }
            if ch == ";" && !quoted { items.append(current); current = ""; continue }
            current.append(ch)
        }
        items.append(current)
        for item in items.dropFirst() {
            let kv = item.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, kv[0].trimmingCharacters(in: .whitespaces).lowercased() == key else { continue }
            return kv[1].trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// The first index of `needle` in `haystack` at or after `from`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var i = from
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
