import Testing
@testable import RecouvreCore

@Suite struct XMLScannerTests {
    /// Records what the scanner says, one line per event.
    struct Log: XMLScanner.Reader {
        var events: [String] = []
        mutating func start(_ name: String, attributes: [(name: String, value: String)], line: Int) {
            events.append("<\(name)\(attributes.map { " \($0.name)=\($0.value)" }.joined())@\(line)")
        }
        mutating func text(_ text: String) { events.append("'\(text)'") }
        mutating func end(_ name: String) { events.append("</\(name)") }
    }

    func scan(_ text: String) throws(XMLScanner.SyntaxError) -> [String] {
        var log = Log()
        try XMLScanner.scan(Array(text.utf8), into: &log)
        return log.events
    }

    func scan(_ bytes: [UInt8]) throws(XMLScanner.SyntaxError) -> [String] {
        var log = Log()
        try XMLScanner.scan(bytes, into: &log)
        return log.events
    }

    @Test func elementsAttributesTextAndEntities() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a bank's comment -->
            <ns:Doc xmlns:ns="urn:x" a='1'>
              <Nm>Dupont &amp; Fils &lt;SARL&gt; &#233;&#xE9;</Nm><Empty/>
              <Ustrd><![CDATA[RC-0000042 <brut>]]></Ustrd>
            </ns:Doc>
            """
        #expect(try scan(xml) == ["<Doc xmlns:ns=urn:x a=1@3", "<Nm@4", "'Dupont & Fils <SARL> éé'", "</Nm", "<Empty@4", "</Empty",
                                  "<Ustrd@5", "'RC-0000042 <brut>'", "</Ustrd", "</Doc"])
    }

    @Test func latin1IsReadAsDeclared() throws {
        var bytes = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Nm>".utf8)
        bytes += [0x45, 0x43, 0x4C, 0x41, 0x49, 0x52, 0x20, 0xC9] // "ECLAIR É" in ISO-8859-1
        bytes += Array("</Nm>".utf8)
        #expect(try scan(bytes) == ["<Nm@1", "'ECLAIR É'", "</Nm"])
        #expect(throws: XMLScanner.SyntaxError(line: 1, reason: "the file is encoded as utf-16; bank statements are read in UTF-8 or ISO-8859-1")) {
            try scan("<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>")
        }
    }

    @Test func aFileThatIsNotWellFormedIsRefusedWithItsLine() {
        #expect(throws: XMLScanner.SyntaxError(line: 3, reason: "B is closed by the tag of A")) { try scan("<A>\n<B>\n</A>") }
        #expect(throws: XMLScanner.SyntaxError(line: 2, reason: "the file ends before B is closed")) { try scan("<A><B>\n") }
        #expect(throws: XMLScanner.SyntaxError(line: 1, reason: "text outside the document's element")) { try scan("not xml") }
        #expect(throws: XMLScanner.SyntaxError(line: 1, reason: "the value of x in A is not quoted")) { try scan("<A x=1/>") }
        #expect(throws: XMLScanner.SyntaxError(line: 2, reason: "the unknown entity &nbsp;")) { try scan("<A>\na&nbsp;b</A>") }
        #expect(throws: XMLScanner.SyntaxError(line: 1, reason: "a second element after the document's element")) { try scan("<A/><B/>") }
        #expect(throws: XMLScanner.SyntaxError(line: 1, reason: "a DTD with declarations; bank statements have none")) { try scan("<!DOCTYPE a [<!ENTITY x 'y'>]><a/>") }
        #expect(throws: XMLScanner.SyntaxError(line: 1, reason: "no element: the file is empty or not XML")) { try scan("") }
    }
}
