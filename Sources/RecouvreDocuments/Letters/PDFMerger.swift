#if canImport(Glibc)
import Glibc
#endif

/// Joins PDFs written by cairo (`LetterRenderer`) into one file, page order kept, without drawing
/// anything again: each letter is rendered once, archived as its own PDF, and the print batch is
/// made of those same bytes.
///
/// It reads what cairo writes: a classic cross-reference table, objects in plain text with their
/// streams after `stream`. Each input's objects are copied with their numbers shifted and each
/// input's page tree hung under one root page tree; its catalog and information dictionary are
/// left out. The output goes to the file as it comes and the cross-reference entries to a second
/// file, so memory stays flat whatever the number of letters.
public final class PDFMerger {
    private let out: UnsafeMutablePointer<FILE>
    private let xref: UnsafeMutablePointer<FILE>
    private let xrefPath: String
    private var offset = 0
    /// Objects 1–3 are the root page tree, the catalog and the information dictionary, written last.
    private var nextObject = 4
    private var kids: [Int32] = []
    public private(set) var pages = 0
    private let info: String

    public init(path: String, title: String, author: String) throws(DocumentError) {
        guard let f = fopen(path, "wb") else { throw DocumentError(message: "cannot write \(path)") }
        xrefPath = path + ".xref"
        guard let x = fopen(xrefPath, "w+b") else { fclose(f); throw DocumentError(message: "cannot write \(xrefPath)") }
        out = f
        xref = x
        info = "<< /Title \(Self.pdfString(title)) /Author \(Self.pdfString(author)) /Producer (Recouvre) >>"
        write(Array("%PDF-1.5\n%\u{B5}\u{ED}\u{AE}\u{FB}\n".unicodeScalars.map { UInt8($0.value) }))
    }

    private func write(_ bytes: some Collection<UInt8>) {
        let n = bytes.withContiguousStorageIfAvailable { fwrite($0.baseAddress, 1, $0.count, out) } ?? Array(bytes).withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, out) }
        offset += n
    }

    private func recordObject() {
        var entry = String(offset)
        entry = String(repeating: "0", count: 10 - entry.count) + entry + " 00000 n \n"
        _ = entry.utf8CString.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, 20, xref) }
    }

    /// Appends every page of `pdf`; throws, naming what it could not read, when `pdf` is not a
    /// file of the kind cairo writes.
    public func append(_ pdf: [UInt8]) throws(DocumentError) {
        let parsed = try ParsedPDF(pdf)
        var renumbered: [Int: Int] = [:]
        var next = nextObject
        for k in parsed.objects.keys.sorted() where k != parsed.root && k != parsed.info {
            renumbered[k] = next
            next += 1
        }
        for k in parsed.objects.keys.sorted() where k != parsed.root && k != parsed.info {
            let (start, end) = parsed.objects[k]!
            var body = Array(pdf[start..<end])
            // The object's own number, then the references in its dictionary (a stream's bytes are
            // copied as they are).
            guard let headerEnd = body.firstIndex(of: 0x0A) else { throw DocumentError(message: "object \(k) has no header line") }
            let streamAt = Self.find(Array("\nstream\n".utf8), in: body, from: headerEnd) ?? body.count
            var text = Self.renumber(body[(headerEnd + 1)..<streamAt], renumbered)
            if k == parsed.pages {
                // The input's page tree hangs under the root page tree (object 1).
                guard let at = Self.find(Array("/Type /Pages".utf8), in: text, from: 0) else { throw DocumentError(message: "page tree without /Type /Pages") }
                text.insert(contentsOf: Array(" /Parent 1 0 R".utf8), at: at + 12)
                kids.append(Int32(renumbered[k]!))
            }
            body = Array("\(renumbered[k]!) 0 obj\n".utf8) + text + body[streamAt...]
            recordObject()
            write(body)
        }
        nextObject = next
        pages += parsed.pageCount
    }

    /// Writes the root page tree, the catalog, the information dictionary and the cross-reference
    /// table, and closes the file.
    public func finish() throws(DocumentError) {
        var offsets: [Int] = []
        for object in ["<< /Type /Pages /Kids [" + kids.map { "\($0) 0 R" }.joined(separator: " ") + "] /Count \(pages) >>",
                       "<< /Type /Catalog /Pages 1 0 R >>", info].enumerated() {
            offsets.append(offset)
            write(Array("\(object.offset + 1) 0 obj\n\(object.element)\nendobj\n".utf8))
        }
        let xrefStart = offset
        func entry(_ o: Int) -> String { let s = String(o); return String(repeating: "0", count: 10 - s.count) + s + " 00000 n \n" }
        write(Array(("xref\n0 4\n0000000000 65535 f \n" + offsets.map(entry).joined() + "4 \(nextObject - 4)\n").utf8))
        rewind(xref)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = fread(&buffer, 1, buffer.count, xref)
            if n == 0 { break }
            write(buffer[0..<n])
        }
        write(Array("trailer\n<< /Size \(nextObject) /Root 2 0 R /Info 3 0 R >>\nstartxref\n\(xrefStart)\n%%EOF\n".utf8))
        fclose(xref)
        unlink(xrefPath)
        let failed = ferror(out) != 0
        if fclose(out) != 0 || failed { throw DocumentError(message: "writing the merged PDF failed") }
    }

    /// A PDF text string in UTF-16BE with its byte-order mark, as hex: any character, nothing to escape.
    static func pdfString(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF")
        var out = "<FEFF"
        for unit in s.utf16 { for shift in [12, 8, 4, 0] { out.append(hex[Int(unit >> UInt16(shift)) & 0xF]) } }
        return out + ">"
    }

    /// Rewrites every `N 0 R` in `text` with N's new number.
    static func renumber(_ text: ArraySlice<UInt8>, _ map: [Int: Int]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count + 16)
        var i = text.startIndex
        let end = text.endIndex
        while i < end {
            let b = text[i]
            let startsNumber = b >= 0x30 && b <= 0x39 && (i == text.startIndex || !(text[i - 1] >= 0x30 && text[i - 1] <= 0x39))
            if startsNumber {
                var j = i, n = 0
                while j < end, text[j] >= 0x30, text[j] <= 0x39 { n = n * 10 + Int(text[j] - 0x30); j += 1 }
                if j + 4 <= end, text[j] == 0x20, text[j + 1] == 0x30, text[j + 2] == 0x20, text[j + 3] == 0x52, let m = map[n] {
                    out.append(contentsOf: Array(String(m).utf8))
                    i = j
                    continue
                }
                out.append(contentsOf: text[i..<j])
                i = j
                continue
            }
            out.append(b)
            i += 1
        }
        return out
    }

    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
        guard needle.count <= hay.count else { return nil }
        var i = from
        let last = hay.count - needle.count
        while i <= last {
            if hay[i] == needle[0] {
                var k = 1
                while k < needle.count, hay[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}

/// Where each object of a cairo PDF lies, from its cross-reference table.
struct ParsedPDF {
    var objects: [Int: (Int, Int)] = [:]
    var root = 0, info = 0, pages = 0, pageCount = 0

    init(_ pdf: [UInt8]) throws(DocumentError) {
        func fail(_ why: String) -> DocumentError { DocumentError(message: "not a PDF this merger reads: \(why)") }
        guard let sx = PDFMerger.find(Array("startxref\n".utf8), in: pdf, from: max(0, pdf.count - 64)) else { throw fail("no startxref") }
        guard let xrefAt = Self.number(pdf, at: sx + 10)?.value, xrefAt < pdf.count,
              pdf[xrefAt...].starts(with: Array("xref\n".utf8)) else { throw fail("no cross-reference table") }
        guard let first = Self.number(pdf, at: xrefAt + 5), first.value == 0,
              let count = Self.number(pdf, at: first.end + 1) else { throw fail("cross-reference table header") }
        var entry = count.end + 1
        var starts: [(object: Int, offset: Int)] = []
        for k in 0..<count.value {
            guard entry + 20 <= pdf.count, let o = Self.number(pdf, at: entry) else { throw fail("cross-reference entry \(k)") }
            if pdf[entry + 17] == UInt8(ascii: "n") { starts.append((k, o.value)) }
            entry += 20
        }
        starts.sort { $0.offset < $1.offset }
        for (i, s) in starts.enumerated() { objects[s.object] = (s.offset, i + 1 < starts.count ? starts[i + 1].offset : xrefAt) }
        let trailer = Array(pdf[entry...])
        func ref(_ key: String, in bytes: [UInt8]) -> Int? {
            PDFMerger.find(Array(key.utf8), in: bytes, from: 0).flatMap { Self.number(bytes, at: $0 + key.utf8.count + 1)?.value }
        }
        guard let r = ref("/Root", in: trailer), let i = ref("/Info", in: trailer), let catalog = objects[r] else { throw fail("trailer") }
        root = r
        info = i
        guard let p = ref("/Pages", in: Array(pdf[catalog.0..<catalog.1])), let tree = objects[p] else { throw fail("catalog without pages") }
        pages = p
        guard let c = ref("/Count", in: Array(pdf[tree.0..<tree.1])) else { throw fail("page tree without /Count") }
        pageCount = c
    }

    /// The decimal number at `at` (leading spaces skipped) and where it ends.
    static func number(_ bytes: [UInt8], at: Int) -> (value: Int, end: Int)? {
        var i = at
        while i < bytes.count, bytes[i] == 0x20 { i += 1 }
        var n = 0, digits = 0
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { n = n * 10 + Int(bytes[i] - 0x30); i += 1; digits += 1 }
        return digits > 0 ? (n, i) : nil
    }
}
