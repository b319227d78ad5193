/// The pages' templates: the part of Mustache (mustache(5)) they use — `{{name}}` escaped,
/// `{{{name}}}` and `{{&name}}` as they are, `{{#name}}…{{/name}}`, `{{^name}}…{{/name}}`,
/// `{{> partial}}`, `{{! comment}}`, dotted names and `{{.}}` — with Mustache's rule that a line
/// holding only a section, comment or partial tag leaves no blank line behind.
///
/// Parsed once at start into nodes whose names are already split; rendered into one `HTMLBytes`. The
/// context is what the pages build: `[String: Any]` dictionaries, arrays of them, strings, numbers
/// and booleans. swift-mustache, which this replaces, spent 42 % of the case page's CPU (perf, a
/// million cases) asking each value which of its protocols it conformed to and splitting names.
struct PageTemplate: Sendable {
    indirect enum Node: Sendable {
        case text(String)
        /// `path` empty: the current object (`{{.}}`).
        case variable(path: [String], escaped: Bool)
        case section(path: [String], inverted: Bool, body: [Node])
        case partial(String)
    }

    struct ParseError: Error, CustomStringConvertible {
        let line: Int
        let reason: String
        var description: String { "line \(line): \(reason)" }
    }

    let nodes: [Node]
    /// The partials it names, checked at start by the library.
    let partials: Set<String>

    init(_ text: String) throws {
        var parser = Parser(Array(text.utf8))
        nodes = Self.merged(try parser.parse(section: nil, newLine: true))
        partials = parser.partials
    }

    /// Adjacent texts as one (the parser cuts text at every line end).
    private static func merged(_ nodes: [Node]) -> [Node] {
        var out: [Node] = []
        for node in nodes {
            switch node {
            case let .text(t):
                if case let .text(previous)? = out.last { out[out.count - 1] = .text(previous + t) } else if !t.isEmpty { out.append(node) }
            case let .section(path, inverted, body): out.append(.section(path: path, inverted: inverted, body: merged(body)))
            default: out.append(node)
            }
        }
        return out
    }

    /// Mustache's parsing, byte by byte, with its whitespace rules: a tag alone on its line
    /// ("standalone") takes the line's indentation and end with it.
    private struct Parser {
        let bytes: [UInt8]
        var at = 0
        var partials: Set<String> = []

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { at >= bytes.count }
        var current: UInt8 { bytes[at] }
        var line: Int { bytes[..<min(at, bytes.count)].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) } }

        func fail(_ reason: String) -> ParseError { ParseError(line: line, reason: reason) }

        mutating func parse(section: [String]?, newLine startsLine: Bool) throws -> [Node] {
            var nodes: [Node] = []
            var newLine = startsLine
            var indentation = ""
            while !atEnd {
                if newLine { indentation = read(while: { $0 == 0x20 || $0 == 0x09 }) }
                let text = readText()
                if !atEnd, current == 0x0A {
                    nodes.append(.text(indentation + text + "\n"))
                    at += 1
                    newLine = true
                    continue
                }
                if !text.isEmpty {
                    nodes.append(.text(indentation + text))
                    indentation = ""
                    newLine = false
                }
                if atEnd { break }
                // `readText` stopped just past an opening `{{`.
                var standalone = false
                let sigil = current
                switch sigil {
                case UInt8(ascii: "#"), UInt8(ascii: "^"):
                    at += 1
                    let path = try name()
                    standalone = lineFinished(newLine)
                    if !standalone, !indentation.isEmpty { nodes.append(.text(indentation)); indentation = "" }
                    let body = try parse(section: path, newLine: standalone)
                    nodes.append(.section(path: path, inverted: sigil == UInt8(ascii: "^"), body: body))
                case UInt8(ascii: "/"):
                    at += 1
                    let path = try name()
                    guard let section, path == section else { throw fail("{{/\(path.joined(separator: "."))}} closes no open section") }
                    if !lineFinished(newLine), !indentation.isEmpty { nodes.append(.text(indentation)) }
                    return nodes
                case UInt8(ascii: "!"):
                    guard let close = find("}}") else { throw fail("unclosed comment") }
                    at = close + 2
                    standalone = lineFinished(newLine)
                case UInt8(ascii: "{"), UInt8(ascii: "&"):
                    if !indentation.isEmpty { nodes.append(.text(indentation)); indentation = "" }
                    at += 1
                    let path = try name()
                    if sigil == UInt8(ascii: "{") {
                        guard !atEnd, current == UInt8(ascii: "}") else { throw fail("{{{ without }}}") }
                        at += 1
                    }
                    nodes.append(.variable(path: path, escaped: false))
                case UInt8(ascii: ">"):
                    at += 1
                    _ = read(while: Self.isSpace)
                    let partial = read(while: { Self.isNameByte($0) || $0 == UInt8(ascii: "/") })
                    _ = read(while: Self.isSpace)
                    guard expect("}}") else { throw fail("unfinished partial name") }
                    if !indentation.isEmpty { nodes.append(.text(indentation)) }
                    let tagLine = line
                    standalone = lineFinished(newLine)
                    // Mustache indents every line of an indented standalone partial; no page needs it.
                    if standalone, !indentation.isEmpty {
                        throw ParseError(line: tagLine, reason: "indented partial {{> \(partial)}}: put it at the start of its line")
                    }
                    indentation = ""
                    partials.insert(partial)
                    nodes.append(.partial(partial))
                case UInt8(ascii: "="), UInt8(ascii: "<"), UInt8(ascii: "$"), UInt8(ascii: "%"):
                    throw fail("the tag {{\(Character(Unicode.Scalar(sigil)))…}} is not supported")
                default:
                    if !indentation.isEmpty { nodes.append(.text(indentation)); indentation = "" }
                    nodes.append(.variable(path: try name(), escaped: true))
                }
                newLine = standalone
            }
            if let section { throw fail("{{#\(section.joined(separator: "."))}} is never closed") }
            return nodes
        }

        /// Text up to a line end (not taken) or past the next `{{`.
        mutating func readText() -> String {
            let start = at
            while !atEnd {
                if current == 0x0A { return String(decoding: bytes[start..<at], as: UTF8.self) }
                if current == UInt8(ascii: "{"), at + 1 < bytes.count, bytes[at + 1] == UInt8(ascii: "{") {
                    let text = String(decoding: bytes[start..<at], as: UTF8.self)
                    at += 2
                    return text
                }
                at += 1
            }
            return String(decoding: bytes[start..<at], as: UTF8.self)
        }

        /// A tag's name up to its `}}`, split at its dots ("." alone: the current object).
        mutating func name() throws -> [String] {
            _ = read(while: Self.isSpace)
            let text = read(while: Self.isNameByte)
            _ = read(while: Self.isSpace)
            guard expect("}}") else {
                if !atEnd, current == UInt8(ascii: "(") { throw fail("transforms ({{f(x)}}) are not supported") }
                throw fail("unfinished tag name \(text)")
            }
            guard !text.isEmpty else { throw fail("a tag without a name") }
            return text == "." ? [] : text.split(separator: ".").map(String.init)
        }

        /// After a tag: when the tag began its line and nothing but blanks follows it, that line
        /// end is taken with it (Mustache's standalone tags).
        mutating func lineFinished(_ newLine: Bool) -> Bool {
            guard newLine else { return false }
            if atEnd { return true }
            var probe = at
            while probe < bytes.count, bytes[probe] == 0x20 || bytes[probe] == 0x09 { probe += 1 }
            if probe < bytes.count, bytes[probe] == 0x0A {
                at = probe + 1
                return true
            }
            return false
        }

        mutating func read(while accept: (UInt8) -> Bool) -> String {
            let start = at
            while !atEnd, accept(current) { at += 1 }
            return String(decoding: bytes[start..<at], as: UTF8.self)
        }

        mutating func expect(_ literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard at + count <= bytes.count else { return false }
            for i in 0..<count where bytes[at + i] != literal.utf8Start[i] { return false }
            at += count
            return true
        }

        func find(_ literal: StaticString) -> Int? {
            let count = literal.utf8CodeUnitCount
            var i = at
            while i + count <= bytes.count {
                if (0..<count).allSatisfy({ bytes[i + $0] == literal.utf8Start[$0] }) { return i }
                i += 1
            }
            return nil
        }

        static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        static func isNameByte(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: "?") || b == UInt8(ascii: "*")
        }
    }
}

/// The templates of one language, each rendered with its partials.
struct TemplateLibrary: Sendable {
    struct MissingPartial: Error, CustomStringConvertible {
        let template: String, partial: String
        var description: String { "template \(template) includes the unknown partial \(partial)" }
    }

    private let templates: [String: PageTemplate]

    init(_ templates: [String: PageTemplate]) throws {
        for (name, template) in templates {
            if let missing = template.partials.first(where: { templates[$0] == nil }) { throw MissingPartial(template: name, partial: missing) }
        }
        self.templates = templates
    }

    /// The page as UTF-8 bytes, sent as they are: rendered into a String, a page was checked
    /// again as UTF-8 when the rows written as bytes joined it, and copied into the response.
    func render(_ context: Any, template name: String) -> HTMLBytes? {
        guard let template = templates[name] else { return nil }
        var out = HTMLBytes(capacity: 32_768)
        var stack: [Any] = [context]
        render(template.nodes, &stack, into: &out)
        return out
    }

    private func render(_ nodes: [PageTemplate.Node], _ stack: inout [Any], into out: inout HTMLBytes) {
        for node in nodes {
            switch node {
            case let .text(text):
                out.raw(text)
            case let .variable(path, escaped):
                guard let value = Self.lookup(path, stack) else { continue }
                Self.write(value, escaped: escaped, into: &out)
            case let .section(path, inverted, body):
                let value = Self.lookup(path, stack)
                if inverted {
                    if Self.isEmpty(value) { render(body, &stack, into: &out) }
                    continue
                }
                guard let value else { continue }
                // A list renders once per element, true once in place, false and [] not at all;
                // any other value renders once with itself on top of the context. The pages' own
                // types are told by their identity first: a cast asked of a list of another
                // element type converts it element by element.
                let type = ObjectIdentifier(Swift.type(of: value))
                if type == Self.dictionaryList {
                    for element in value as! [[String: Any]] { stack.append(element); render(body, &stack, into: &out); stack.removeLast() }
                } else if type == Self.stringList {
                    for element in value as! [String] { stack.append(element); render(body, &stack, into: &out); stack.removeLast() }
                } else if type == Self.anyDictionary || type == Self.stringDictionary {
                    stack.append(value)
                    render(body, &stack, into: &out)
                    stack.removeLast()
                } else if let flag = value as? Bool {
                    if flag { render(body, &stack, into: &out) }
                } else if let list = value as? [[String: Any]] {
                    for element in list { stack.append(element); render(body, &stack, into: &out); stack.removeLast() }
                } else if let list = value as? [Any] {
                    for element in list { stack.append(element); render(body, &stack, into: &out); stack.removeLast() }
                } else if !Self.isNil(value) {
                    stack.append(value)
                    render(body, &stack, into: &out)
                    stack.removeLast()
                }
            case let .partial(name):
                if let partial = templates[name] { render(partial.nodes, &stack, into: &out) }
            }
        }
    }

    /// `{{^name}}`'s test: missing, nil, false or an empty list.
    private static func isEmpty(_ value: Any?) -> Bool {
        guard let value else { return true }
        let type = ObjectIdentifier(Swift.type(of: value))
        if type == dictionaryList { return (value as! [[String: Any]]).isEmpty }
        if type == stringList { return (value as! [String]).isEmpty }
        if type == anyDictionary || type == stringDictionary { return false }
        if let flag = value as? Bool { return !flag }
        if let list = value as? [Any] { return list.isEmpty }
        return isNil(value)
    }

    /// The first name is looked for from the innermost context out; the others inside what it
    /// names. A key holding nil is found, and stops the search, as a missing one does not.
    private static func lookup(_ path: [String], _ stack: [Any]) -> Any? {
        guard let first = path.first else { return stack.last }
        for object in stack.reversed() {
            guard let found = child(first, of: object) else { continue }
            var value = found
            for name in path.dropFirst() {
                guard let object = value, let next = child(name, of: object) else { return nil }
                value = next
            }
            return value
        }
        return nil
    }

    /// The value under `name`, which may be an optional holding nil; `nil`: no such key, or
    /// `object` is not a dictionary.
    private static func child(_ name: String, of object: Any) -> Any?? {
        let type = ObjectIdentifier(Swift.type(of: object))
        let found: Any?
        if type == anyDictionary {
            found = (object as! [String: Any])[name]
        } else if type == stringDictionary {
            found = (object as! [String: String])[name]
        } else if let dictionary = object as? [String: Any] {
            found = dictionary[name]
        } else {
            return nil
        }
        guard let found else { return nil }
        return .some(found)
    }

    /// The dictionaries' types, fetched once: naming a generic type asks the runtime for its
    /// metadata at each use (2 % of the case page's CPU, in this lookup).
    private static let anyDictionary = ObjectIdentifier([String: Any].self)
    private static let stringDictionary = ObjectIdentifier([String: String].self)
    private static let dictionaryList = ObjectIdentifier([[String: Any]].self)
    private static let stringList = ObjectIdentifier([String].self)

    /// An optional kept in `Any` (`x as Any` with `x: T?`) that holds nil. Asked last: a cast to
    /// a protocol is the slow kind, and `as? String` and the like already see through `.some`.
    private static func isNil(_ value: Any) -> Bool {
        (value as? any OptionalValue)?.isNone ?? false
    }

    private static func write(_ value: Any, escaped: Bool, into out: inout HTMLBytes) {
        let text: String
        switch value {
        case let s as String: text = s
        case let i as Int: out.integer(Int64(i)); return
        case let i as Int64: out.integer(i); return
        case let b as Bool: out.raw(b ? "true" : "false"); return
        case let markup as HTMLBytes: out.raw(markup); return
        default:
            if isNil(value) { return }
            text = String(describing: value)
        }
        if escaped { out.text(text) } else { out.raw(text) }
    }
}

private protocol OptionalValue { var isNone: Bool { get } }
extension Optional: OptionalValue {
    fileprivate var isNone: Bool { self == nil }
}
