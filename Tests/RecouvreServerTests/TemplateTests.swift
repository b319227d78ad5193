import Foundation
import Testing
@testable import RecouvreServer

/// The pages' template engine: Mustache's rules for the part of it the pages use, and a refusal
/// at start for the rest.
@Suite struct TemplateTests {
    func render(_ text: String, _ context: [String: Any], partials: [String: String] = [:]) throws -> String {
        var templates = try partials.mapValues { try PageTemplate($0) }
        templates["main"] = try PageTemplate(text)
        return try #require(try TemplateLibrary(templates).render(context, template: "main")).string
    }

    @Test func valuesAreEscapedUnlessTripleBracedAndNumbersAndFlagsAreWrittenAsThemselves() throws {
        var options = HTMLBytes(capacity: 64)
        options.raw("<option>a</option>")
        let context: [String: Any] = ["name": "Dupont & Fils <SA> \"l'ami\"", "count": 12, "cents": Int64(-4050), "open": true,
                                      "options": options, "rate": 2.5]
        #expect(try render("{{name}}|{{{name}}}|{{&name}}", context)
            == "Dupont &amp; Fils &lt;SA&gt; &quot;l&#39;ami&quot;|Dupont & Fils <SA> \"l'ami\"|Dupont & Fils <SA> \"l'ami\"")
        #expect(try render("{{count}} {{cents}} {{open}} [{{missing}}] {{ count }}", context) == "12 -4050 true [] 12")
        // Markup goes out as it is, escaped or not; another value as it describes itself.
        #expect(try render("{{{options}}}{{options}} {{rate}}", context) == "<option>a</option><option>a</option> 2.5")
    }

    @Test func sectionsRepeatForListsShowForTrueAndPushOtherValues() throws {
        let context: [String: Any] = [
            "rows": [["invoice": "F-1", "amount": "10,00 €"], ["invoice": "F-2", "amount": "20,00 €"]] as [[String: Any]],
            "tags": ["a&b", "c"], "none": [String](), "yes": true, "no": false, "who": "Léa", "currency": "€",
            "user": ["name": "Léa"] as [String: Any], "form": ["notes": "<b>"] as [String: String],
        ]
        #expect(try render("{{#rows}}{{invoice}}={{amount}}{{currency}};{{/rows}}", context) == "F-1=10,00 €€;F-2=20,00 €€;")
        #expect(try render("{{#tags}}<{{.}}>{{/tags}}{{#none}}x{{/none}}", context) == "<a&amp;b><c>")
        #expect(try render("{{#yes}}Y{{/yes}}{{#no}}N{{/no}}{{#who}}[{{.}}]{{/who}}{{#user}}{{name}}{{/user}}", context) == "Y[Léa]Léa")
        #expect(try render("{{^none}}empty{{/none}}{{^no}}false{{/no}}{{^missing}}missing{{/missing}}{{^yes}}!{{/yes}}{{^rows}}!{{/rows}}{{^who}}!{{/who}}", context)
            == "emptyfalsemissing")
        #expect(try render("{{user.name}} {{#rows}}{{user.name}}{{/rows}}", context) == "Léa LéaLéa")
        #expect(try render("{{#form}}{{notes}}{{who}}{{/form}}{{^form}}!{{/form}}{{form.notes}}", context) == "&lt;b&gt;Léa&lt;b&gt;")
    }

    /// An optional kept in a context (`x as Any`) that is nil counts as missing: swift-mustache
    /// wrote "nil" (a receipt's link went to /documents/nil).
    @Test func anOptionalThatIsNilIsMissing() throws {
        let none: String? = nil, some: String? = "7"
        let context: [String: Any] = ["document": none as Any, "other": some as Any]
        #expect(try render("{{#document}}<a href=\"/documents/{{document}}\">PDF</a>{{/document}}{{^document}}-{{/document}}[{{document}}]", context) == "-[]")
        #expect(try render("{{#other}}/documents/{{other}}{{/other}}", context) == "/documents/7")
    }

    /// A key that is there and nil hides the same key further out; a missing one does not.
    @Test func namesAreLookedForFromTheInnermostContextOut() throws {
        let context: [String: Any] = ["label": "outer", "inner": ["x": 1] as [String: Any], "blank": ["label": Optional<String>.none as Any] as [String: Any]]
        #expect(try render("{{#inner}}{{label}}{{/inner}}|{{#blank}}{{label}}{{/blank}}|{{inner.label}}", context) == "outer||")
    }

    @Test func aLineHoldingOnlyASectionOrCommentTagLeavesNoBlankLine() throws {
        let text = "<ul>\n  {{#items}}\n  <li>{{.}}</li>\n  {{/items}}\n  {{! a comment }}\n</ul>\n{{^items}}none{{/items}} {{#items}}x{{/items}}\n"
        #expect(try render(text, ["items": ["a", "b"]]) == "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n xx\n")
    }

    @Test func partialsRenderInTheContextOfTheirPlace() throws {
        let text = "{{> head}}\n<main>{{#rows}}{{> row}}{{/rows}}</main>\n"
        let partials = ["head": "<title>{{title}}</title>\n", "row": "<p>{{n}} {{title}}</p>"]
        #expect(try render(text, ["title": "Dossiers", "rows": [["n": 1], ["n": 2]] as [[String: Any]]], partials: partials)
            == "<title>Dossiers</title>\n<main><p>1 Dossiers</p><p>2 Dossiers</p></main>\n")
    }

    @Test func whatTheEngineDoesNotReadIsRefusedWithItsLine() throws {
        func problem(_ text: String) -> String? {
            do { _ = try PageTemplate(text); return nil } catch { return "\(error)" }
        }
        #expect(problem("a\n{{#open}}b") == "line 2: {{#open}} is never closed")
        #expect(problem("{{#a}}{{/b}}") == "line 1: {{/b}} closes no open section")
        #expect(problem("{{/a}}") == "line 1: {{/a}} closes no open section")
        #expect(problem("x\n\n{{name") == "line 3: unfinished tag name name")
        #expect(problem("{{upper(name)}}") == "line 1: transforms ({{f(x)}}) are not supported")
        #expect(problem("{{=<% %>=}}") == "line 1: the tag {{=…}} is not supported")
        #expect(problem("{{{raw}}") == "line 1: {{{ without }}}")
        #expect(problem("<div>\n  {{> card}}\n</div>") == "line 2: indented partial {{> card}}: put it at the start of its line")
        #expect(problem("{{}}") == "line 1: a tag without a name")
        #expect(throws: TemplateLibrary.MissingPartial.self) { try TemplateLibrary(["main": try PageTemplate("{{> nowhere}}")]) }
    }

    /// Every page template of both languages parses, and names only partials that exist.
    @Test func thePagesTemplatesAllLoad() throws {
        let views = try Views()
        #expect(views.libraries.count == 2)
    }
}

/// The links' query strings (the case list's pages, the language switch).
@Suite struct PageQueryTests {
    @Test func valuesArePercentEncodedAsFoundationDidAndKeysSorted() {
        let value = "Dupont & Fils/é?x=1+2#3 'a'(b)*,;:@!$-._~"
        let foundation = value.addingPercentEncoding(withAllowedCharacters: {
            var s = CharacterSet.urlQueryAllowed
            s.remove(charactersIn: "&=+?#/")
            return s
        }())!
        #expect(pageQuery(["q": value, "a": "1", "status": "amicable"]) == "a=1&q=\(foundation)&status=amicable")
        #expect(pageQuery(["q": "é"]) == "q=%C3%A9" && pageQuery([:]) == "")
    }

    @Test func selectOptionsEscapeTheirValuesAndLabelsAndMarkTheChosenOne() {
        #expect(HTML.options([("a&b", "Dupont <SA>", false), ("2", "Léa \"L\"", true)]).string
            == "<option value=\"a&amp;b\">Dupont &lt;SA&gt;</option><option value=\"2\" selected>Léa &quot;L&quot;</option>")
    }
}
