/// A streaming reader of the XML that bank files are written in: elements, attributes, text with
/// its entities, comments, CDATA and processing instructions; no DTD. It checks that the file is
/// well formed (every element closed by its own tag) and says where it is not.
///
/// Written for the bank statements instead of FoundationXML's `XMLParser`: libxml2 behind it
/// refused statements above 10 MB ("huge input") and read 11,000 credits/s, where a 100,000-credit
/// statement is 63 MB and must be booked in 30 s.
public struct XMLScanner {
    /// What the scanner tells its reader, in document order.
    public protocol Reader {
        /// An element opens: its local name (any `prefix:` dropped), its attributes, its line. Names
        /// are Strings: compared with literals they take the fast path Substrings miss.
        mutating func start(_ name: String, attributes: [(name: String, value: String)], line: Int)
        /// Text inside the current element (entities decoded), possibly in several pieces.
        mutating func text(_ text: String)
        mutating func end(_ name: String)
    }

    public struct SyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// Reads `bytes` (UTF-8, or ISO-8859-1 when its declaration says so) into `reader`.
    public static func scan<R: Reader>(_ bytes: [UInt8], into reader: inout R) throws(SyntaxError) {
        var input = bytes
        if input.starts(with: [0xEF, 0xBB, 0xBF]) { input.removeFirst(3) }
        if let declared = declaredEncoding(input) {
            switch declared {
            case "utf-8", "utf8": break
            case "iso-8859-1", "latin1", "iso-latin-1", "iso8859-1":
                input = Array(String(input.map { Character(Unicode.Scalar($0)) }).utf8)
            default: throw SyntaxError(line: 1, reason: "the file is encoded as \(declared); bank statements are read in UTF-8 or ISO-8859-1")
            }
        }
        try input.withUnsafeBufferPointer { (b: UnsafeBufferPointer<UInt8>) throws(SyntaxError) in try scan(b, into: &reader) }
    }

    static func declaredEncoding(_ b: [UInt8]) -> String? {
        guard b.starts(with: Array("<?xml".utf8)), let end = b.firstIndex(of: 0x3E) else { return nil }
        let decl = Array(String(decoding: b[..<end], as: UTF8.self).lowercased())
        let word = Array("encoding")
        guard let at = (0...max(0, decl.count - word.count)).first(where: { decl.count >= word.count && Array(decl[$0..<($0 + word.count)]) == word }) else { return nil }
        let rest = decl[(at + word.count)...].drop { $0 == " " || $0 == "=" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        return String(rest.dropFirst().prefix { $0 != quote })
    }

    private static func scan<R: Reader>(_ b: UnsafeBufferPointer<UInt8>, into reader: inout R) throws(SyntaxError) {
        let n = b.count
        var i = 0
        var line = 1
        var open: [String] = []
        var sawRoot = false
        func fail(_ reason: String) -> SyntaxError { SyntaxError(line: line, reason: reason) }
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }
        func isNameByte(_ c: UInt8) -> Bool {
            !(isSpace(c) || c == 0x3E || c == 0x2F || c == 0x3D || c == 0x3C || c == 0x22 || c == 0x27)
        }
        /// Moves `i` past `pattern`, counting lines; false at the end of the input.
        func skip(past pattern: [UInt8]) -> Bool {
            while i + pattern.count <= n {
                if b[i] == 0x0A { line += 1 }
                if b[i] == pattern[0] {
                    var k = 1
                    while k < pattern.count && b[i + k] == pattern[k] { k += 1 }
                    if k == pattern.count { i += pattern.count; return true }
                }
                i += 1
            }
            return false
        }
        while i < n {
            if b[i] != 0x3C {
                // Text up to the next tag: only what is not blank reaches the reader.
                let start = i
                var blank = true
                while i < n && b[i] != 0x3C {
                    if b[i] == 0x0A { line += 1 }
                    if blank && !isSpace(b[i]) { blank = false }
                    i += 1
                }
                if !blank {
                    guard !open.isEmpty else { throw fail("text outside the document's element") }
                    reader.text(try decodeEntities(UnsafeBufferPointer(rebasing: b[start..<i]), line: line))
                }
                continue
            }
            // A tag of some kind.
            guard i + 1 < n else { throw fail("the file ends inside a tag") }
            switch b[i + 1] {
            case 0x3F: // <? … ?>
                i += 2
                guard skip(past: [0x3F, 0x3E]) else { throw fail("a processing instruction is not closed") }
            case 0x21: // <!-- … -->, <![CDATA[ … ]]>, <!DOCTYPE …>
                if i + 3 < n && b[i + 2] == 0x2D && b[i + 3] == 0x2D {
                    i += 4
                    guard skip(past: [0x2D, 0x2D, 0x3E]) else { throw fail("a comment is not closed") }
                } else if i + 8 < n && Array(b[(i + 2)..<(i + 9)]) == Array("[CDATA[".utf8) {
                    i += 9
                    let start = i
                    guard skip(past: [0x5D, 0x5D, 0x3E]) else { throw fail("a CDATA section is not closed") }
                    guard !open.isEmpty else { throw fail("CDATA outside the document's element") }
                    reader.text(String(decoding: UnsafeBufferPointer(rebasing: b[start..<(i - 3)]), as: UTF8.self))
                } else {
                    guard !sawRoot else { throw fail("a declaration inside the document") }
                    i += 2
                    while i < n && b[i] != 0x3E {
                        if b[i] == 0x5B { throw fail("a DTD with declarations; bank statements have none") }
                        if b[i] == 0x0A { line += 1 }
                        i += 1
                    }
                    guard i < n else { throw fail("a declaration is not closed") }
                    i += 1
                }
            case 0x2F: // </name>
                i += 2
                let start = i
                while i < n && isNameByte(b[i]) { i += 1 }
                let name = localName(b, start, i)
                while i < n && isSpace(b[i]) { if b[i] == 0x0A { line += 1 }; i += 1 }
                guard i < n && b[i] == 0x3E else { throw fail("the closing tag of \(name) is not closed") }
                i += 1
                guard let top = open.popLast() else { throw fail("\(name) is closed but was never opened") }
                guard top == name else { throw fail("\(top) is closed by the tag of \(name)") }
                reader.end(name)
            default: // <name attributes… > or />
                i += 1
                let start = i
                while i < n && isNameByte(b[i]) { i += 1 }
                guard i > start else { throw fail("a '<' that opens no element") }
                let name = localName(b, start, i)
                guard !sawRoot || !open.isEmpty else { throw fail("a second element after the document's element") }
                sawRoot = true
                let tagLine = line
                var attributes: [(name: String, value: String)] = []
                var selfClosing = false
                while true {
                    while i < n && isSpace(b[i]) { if b[i] == 0x0A { line += 1 }; i += 1 }
                    guard i < n else { throw fail("the tag of \(name) is not closed") }
                    if b[i] == 0x3E { i += 1; break }
                    if b[i] == 0x2F {
                        guard i + 1 < n && b[i + 1] == 0x3E else { throw fail("a '/' inside the tag of \(name)") }
                        i += 2
                        selfClosing = true
                        break
                    }
                    let aStart = i
                    while i < n && isNameByte(b[i]) { i += 1 }
                    guard i > aStart else { throw fail("an unexpected character in the tag of \(name)") }
                    let aName = String(decoding: UnsafeBufferPointer(rebasing: b[aStart..<i]), as: UTF8.self)
                    while i < n && isSpace(b[i]) { i += 1 }
                    guard i < n && b[i] == 0x3D else { throw fail("the attribute \(aName) of \(name) has no value") }
                    i += 1
                    while i < n && isSpace(b[i]) { i += 1 }
                    guard i < n, b[i] == 0x22 || b[i] == 0x27 else { throw fail("the value of \(aName) in \(name) is not quoted") }
                    let quote = b[i]
                    i += 1
                    let vStart = i
                    while i < n && b[i] != quote { if b[i] == 0x0A { line += 1 }; i += 1 }
                    guard i < n else { throw fail("the value of \(aName) in \(name) is not closed") }
                    attributes.append((aName, try decodeEntities(UnsafeBufferPointer(rebasing: b[vStart..<i]), line: line)))
                    i += 1
                }
                reader.start(name, attributes: attributes, line: tagLine)
                if selfClosing { reader.end(name) } else { open.append(name) }
            }
        }
        if let top = open.last { throw fail("the file ends before \(top) is closed") }
        guard sawRoot else { throw fail("no element: the file is empty or not XML") }
    }

    /// The name after any `prefix:`.
    private static func localName(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        var s = start
        for k in start..<end where b[k] == 0x3A { s = k + 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: b[s..<end]), as: UTF8.self)
    }

    /// Text with `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;` and character references decoded.
    static func decodeEntities(_ b: UnsafeBufferPointer<UInt8>, line: Int) throws(SyntaxError) -> String {
        guard b.contains(0x26) else { return String(decoding: b, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            guard b[i] == 0x26 else { out.append(b[i]); i += 1; continue }
            guard let semi = b[i...].firstIndex(of: 0x3B), semi - i <= 10 else { throw SyntaxError(line: line, reason: "an '&' that starts no entity") }
            let entity = String(decoding: UnsafeBufferPointer(rebasing: b[(i + 1)..<semi]), as: UTF8.self)
            switch entity {
            case "amp": out.append(0x26)
            case "lt": out.append(0x3C)
            case "gt": out.append(0x3E)
            case "quot": out.append(0x22)
            case "apos": out.append(0x27)
            default:
                let code: UInt32? = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16) : entity.hasPrefix("#") ? UInt32(entity.dropFirst()) : nil
                guard let code, let scalar = Unicode.Scalar(code) else { throw SyntaxError(line: line, reason: "the unknown entity &\(entity);") }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            }
            i = semi + 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
