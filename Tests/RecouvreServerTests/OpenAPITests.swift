import Foundation
import Hummingbird
import HummingbirdTesting
import RecouvreCore
import RecouvreStore
import Testing
import Yams
@testable import RecouvreServer

/// The OpenAPI document against the code: the same routes, examples that validate against their
/// schemas, enums that are the code's, and the server's real answers valid too.
extension ServerTests {
    /// A small JSON Schema (2020-12) checker: the keywords the document uses.
    struct SchemaChecker: @unchecked Sendable { // immutable after init
        let root: [String: Any]

        /// The schema the document gives for `status` of `method path`; nil when that answer is not documented.
        func responseSchema(_ method: String, _ path: String, _ status: Int) -> [String: Any]? {
            guard let op = (root["paths"] as? [String: Any])?[path].flatMap({ ($0 as? [String: Any])?[method] }) as? [String: Any],
                  let responses = op["responses"] as? [String: Any],
                  let response = responses[String(status)] as? [String: Any] else { return nil }
            let content = resolve(response)["content"] as? [String: Any]
            return (content?.values.first as? [String: Any])?["schema"] as? [String: Any] ?? [:]
        }

        func resolve(_ schema: [String: Any]) -> [String: Any] {
            guard let ref = schema["$ref"] as? String, ref.hasPrefix("#/") else { return schema }
            var node: Any = root
            for part in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] ?? [:] }
            return resolve(node as? [String: Any] ?? [:])
        }

        func typeName(_ v: Any) -> String {
            switch v {
            case is NSNull: "null"
            case is Bool: "boolean"
            case is Int: "integer"
            case is Double: "number"
            case is String: "string"
            case is [Any]: "array"
            case is [String: Any]: "object"
            default: "\(type(of: v))"
            }
        }

        /// The problems of `value` against `schema`, each with where it is.
        func problems(_ value: Any, _ schemaIn: [String: Any], at path: String = "$") -> [String] {
            let schema = resolve(schemaIn)
            var out: [String] = []
            if let options = schema["oneOf"] as? [[String: Any]] {
                let passing = options.filter { problems(value, $0, at: path).isEmpty }.count
                if passing != 1 { out.append("\(path): matches \(passing) of oneOf") }
            }
            if let t = schema["type"] {
                let allowed = (t as? [String]) ?? [t as? String ?? ""]
                let actual = typeName(value)
                if !(allowed.contains(actual) || (actual == "integer" && allowed.contains("number"))) {
                    out.append("\(path): \(actual) where \(allowed) expected")
                    return out
                }
            }
            if let e = schema["enum"] as? [Any], !e.contains(where: { "\($0)" == "\(value)" }) { out.append("\(path): \(value) not in enum") }
            if let c = schema["const"], "\(c)" != "\(value)" { out.append("\(path): \(value) is not \(c)") }
            if let s = value as? String {
                if let p = schema["pattern"] as? String, s.range(of: p, options: .regularExpression) == nil { out.append("\(path): '\(s)' does not match \(p)") }
                if let n = schema["minLength"] as? Int, s.count < n { out.append("\(path): shorter than \(n)") }
                if let n = schema["maxLength"] as? Int, s.count > n { out.append("\(path): longer than \(n)") }
            }
            if let i = value as? Int {
                if let m = schema["minimum"] as? Int, i < m { out.append("\(path): below \(m)") }
                if let m = schema["maximum"] as? Int, i > m { out.append("\(path): above \(m)") }
            }
            if let a = value as? [Any], let items = schema["items"] as? [String: Any] {
                for (i, v) in a.enumerated() { out += problems(v, items, at: "\(path)[\(i)]") }
            }
            if let o = value as? [String: Any] {
                for key in schema["required"] as? [String] ?? [] where o[key] == nil { out.append("\(path): missing \(key)") }
                let properties = schema["properties"] as? [String: Any] ?? [:]
                for (k, v) in o {
                    if let p = properties[k] as? [String: Any] { out += problems(v, p, at: "\(path).\(k)") }
                    else if let extra = schema["additionalProperties"] as? [String: Any] { out += problems(v, extra, at: "\(path).\(k)") }
                    else if schema["additionalProperties"] as? Bool == false { out.append("\(path): unexpected \(k)") }
                }
            }
            return out
        }
    }

    func openAPI() throws -> [String: Any] {
        try #require(try Yams.load(yaml: OpenAPIDocument.yaml) as? [String: Any])
    }

    /// Every (media type, schema, example) of the document: request bodies and responses.
    func examples(_ doc: [String: Any]) -> [(String, [String: Any], Any)] {
        var out: [(String, [String: Any], Any)] = []
        func walk(_ node: Any, _ path: String) {
            if let o = node as? [String: Any] {
                if let schema = o["schema"] as? [String: Any], let example = o["example"] { out.append((path, schema, example)) }
                for (k, v) in o { walk(v, path + "/" + k) }
            } else if let a = node as? [Any] {
                for (i, v) in a.enumerated() { walk(v, path + "/\(i)") }
            }
        }
        walk(doc, "")
        return out
    }

    @Test func theOpenAPIDocumentListsExactlyTheRoutesAndItsExamplesValidate() throws {
        let doc = try openAPI()
        #expect(doc["openapi"] as? String == "3.1.0")
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, ops in ops.keys.map { "\($0.uppercased()) \(path)" } })
        let served = Set(API.table.map { "\($0.route.method.rawValue) \($0.route.path)" })
        #expect(documented == served)

        let checker = SchemaChecker(root: doc)
        let all = examples(doc)
        #expect(all.count >= 15)
        for (path, schema, example) in all where !(example is String) {
            #expect(checker.problems(example, schema) == [], "\(path)")
        }
        // The enums are the code's.
        let schemas = try #require((doc["components"] as? [String: Any])?["schemas"] as? [String: Any])
        func enumValues(_ schema: Any?) -> Set<String> { Set(((schema as? [String: Any])?["enum"] as? [String]) ?? []) }
        #expect(enumValues(schemas["CaseStatus"]) == Set(CaseStatus.allCases.map(\.rawValue)))
        let action = (schemas["ActionRequest"] as? [String: Any])?["properties"] as? [String: Any]
        #expect(enumValues(action?["channel"]) == Set(CaseAction.Channel.allCases.map(\.rawValue)))
        #expect(enumValues(action?["outcome"]) == Set(CaseAction.Outcome.allCases.map(\.rawValue)))
        let event = ((((schemas["CaseDetail"] as? [String: Any])?["properties"] as? [String: Any])?["events"] as? [String: Any])?["items"] as? [String: Any])?["properties"] as? [String: Any]
        #expect(enumValues(event?["kind"]) == Set(CaseEvent.Kind.allCases.map(\.rawValue)))
        #expect(Set(((doc["paths"] as? [String: Any])?["/cases"] as? [String: Any]).map { _ in BalanceBand.allCases.map(\.rawValue) } ?? []) == enumValues(
            ((((paths["/cases"]?["get"] as? [String: Any])?["parameters"] as? [[String: Any]])?.first { $0["name"] as? String == "balance" })?["schema"])))
    }

    @Test func theServersAnswersValidateAgainstTheDocument() async throws {
        let doc = try openAPI()
        let checker = SchemaChecker(root: doc)
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        let importExample = try #require(((((paths["/claims/import"]?["post"] as? [String: Any])?["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/json"] as? [String: Any])?["example"])
        let importBody = try JSONSerialization.data(withJSONObject: importExample)
        try await withDemo { db in
            let app = try await buildApplication(ServerConfiguration(port: 0, now: callHours), database: db)
            try await app.test(.router) { client in
                let admin = try await apiToken(db, as: .admin)
                let c = try #require(try await CaseStore(db).list(scope: .agency, filter: CaseFilter(status: .amicable), limit: 1).cases.first)
                let actionBody = Data(#"{"channel": "call", "outcome": "promise", "report": "Promet 500 € le 15/12 par virement"}"#.utf8)
                let calls: [(String, String, String, Data?)] = [
                    ("post", "/claims/import", "/api/v1/claims/import", importBody),
                    ("get", "/cases", "/api/v1/cases?limit=3&sort=balance", nil),
                    ("get", "/cases/{id}", "/api/v1/cases/\(c.reference)", nil),
                    ("post", "/cases/{id}/actions", "/api/v1/cases/\(c.id)/actions", actionBody),
                    ("post", "/cases/{id}/payments", "/api/v1/cases/\(c.id)/payments", Data(#"{"amount_cents": 12345, "received_on": "2026-11-20", "method": "cheque", "reference": "chèque 7"}"#.utf8)),
                    ("get", "/cases/{id}/payments", "/api/v1/cases/\(c.id)/payments", nil),
                    ("get", "/creditors", "/api/v1/creditors?limit=3", nil),
                    ("get", "/creditors/{id}", "/api/v1/creditors/1", nil),
                    ("get", "/documents", "/api/v1/documents", nil),
                ]
                for (method, path, uri, data) in calls {
                    try await client.execute(uri: uri, method: method == "get" ? .get : .post,
                                             headers: [.authorization: "Bearer \(admin)", .contentType: "application/json"],
                                             body: data.map { ByteBuffer(bytes: $0) }) { r in
                        let text = String(buffer: r.body)
                        let expected = try #require(checker.responseSchema(method, path, Int(r.status.code)), "\(method) \(path) answered \(r.status.code), not documented: \(text)")
                        let value = try #require(try Yams.load(yaml: text), "\(text)")
                        #expect(checker.problems(value, expected) == [], "\(method) \(path): \(text)")
                        #expect(r.status.code < 300, "\(method) \(path): \(text)")
                    }
                }
                // Every route but the document itself refuses an anonymous caller with a documented problem.
                for route in API.table.map(\.route) where route.path != "/openapi.yaml" {
                    let uri = "/api/v1" + route.path.replacingOccurrences(of: "{id}", with: "1")
                    try await client.execute(uri: uri, method: route.method) { r in
                        #expect(r.status == .unauthorized && r.headers[.contentType] == "application/problem+json", "\(route)")
                        let expected = try #require(checker.responseSchema(route.method.rawValue.lowercased(), route.path, 401), "\(route) documents no 401")
                        #expect(checker.problems(try Yams.load(yaml: String(buffer: r.body)) as Any, expected) == [])
                    }
                }
                try await client.execute(uri: "/api/v1/openapi.yaml", method: .get) { r in
                    #expect(r.status == .ok && String(buffer: r.body) == OpenAPIDocument.yaml)
                }
            }
        }
    }
}
