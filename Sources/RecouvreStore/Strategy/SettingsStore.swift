import Foundation
import RecouvreCore
import SQLKit

/// A settings document the agency edits as JSON: validated before use, kept in versions (the
/// newest row of its table is in force; older ones stay so that a past run can be explained).
public protocol VersionedSettings: Codable, Hashable, Sendable {
    /// What is in force before anything is saved.
    static var defaults: Self { get }
    /// The table of versions (`id`, `document`, `created_at`, `created_by`).
    static var table: String { get }
    /// The audit trail's action for a new version.
    static var auditAction: String { get }
    func problems() -> [SettingsProblem]
}

extension CollectionSettings: VersionedSettings {
    public static let table = "collection_settings"
    public static let auditAction = "settings.collection"
}

extension LetterSettings: VersionedSettings {
    public static let table = "letter_settings"
    public static let auditAction = "settings.letters"
}

extension RateSettings: VersionedSettings {
    public static let table = "rate_settings"
    public static let auditAction = "settings.rates"
}

/// Settings in force, with the id of their version (stored on each daily run).
public struct StoredVersion<Settings: VersionedSettings>: Sendable {
    /// nil: nothing saved yet, the shipped defaults are in force.
    public let id: Int64?
    public let settings: Settings
    public init(id: Int64?, settings: Settings) {
        self.id = id
        self.settings = settings
    }
}

public typealias StoredSettings = StoredVersion<CollectionSettings>
public typealias SettingsStore = VersionedSettingsStore<CollectionSettings>
public typealias LetterSettingsStore = VersionedSettingsStore<LetterSettings>
public typealias RateSettingsStore = VersionedSettingsStore<RateSettings>

/// Reads, validates and saves one kind of settings.
public struct VersionedSettingsStore<Settings: VersionedSettings>: Sendable {
    let database: Database
    public init(_ database: Database) { self.database = database }

    /// The settings in force: the newest saved version, or the shipped defaults. Kept a few
    /// seconds (`ShortCache`): the case page asks for them at every view.
    public func current() async throws -> StoredVersion<Settings> {
        try await database.shortCache.value(Settings.table) {
            try await database.withConnection { db in
                guard let row = try await db.raw("SELECT id, document FROM \(unsafeRaw: Settings.table) ORDER BY id DESC LIMIT 1").all().first else {
                    return StoredVersion(id: nil, settings: .defaults)
                }
                return StoredVersion(id: try row.decode(column: "id", as: Int64.self),
                                     settings: try Self.parse(try row.decode(column: "document", as: String.self)).get())
            }
        }
    }

    /// Validates `text` and, when it is right, stores it as the version in force.
    public func save(_ text: String, actor: Actor, at: Instant = SystemClock.now()) async throws -> Result<Int64, SettingsErrors> {
        let parsed = Self.parse(text)
        guard case let .success(settings) = parsed else {
            if case let .failure(e) = parsed { return .failure(e) }
            preconditionFailure()
        }
        let document = Self.json(settings)
        let id = try await database.transaction { db in
            let before = try await db.raw("SELECT document FROM \(unsafeRaw: Settings.table) ORDER BY id DESC LIMIT 1").all().first?.decode(column: "document", as: String.self)
            let row = try await db.raw("""
                INSERT INTO \(unsafeRaw: Settings.table) (document, created_at, created_by) VALUES (\(bind: document), \(bind: at.description), \(bind: actor.id)) RETURNING id
                """).all().first!
            let id = try row.decode(column: "id", as: Int64.self)
            try await AuditTrail.append(AuditEntry(at: at, actor: actor, action: Settings.auditAction, entity: Settings.table, entityID: String(id),
                                                   before: before, after: document), db: db)
            return id
        }
        database.shortCache.clear()
        return .success(id)
    }

    /// The settings `text` holds, or every problem with it, each with its JSON path.
    public static func parse(_ text: String) -> Result<Settings, SettingsErrors> {
        let settings: Settings
        do {
            settings = try JSONDecoder().decode(Settings.self, from: Data(text.utf8))
        } catch let error as DecodingError {
            return .failure(SettingsErrors(problems: [explain(error)]))
        } catch {
            return .failure(SettingsErrors(problems: [SettingsProblem(path: "", message: "not JSON: \(error)")]))
        }
        let problems = settings.problems()
        return problems.isEmpty ? .success(settings) : .failure(SettingsErrors(problems: problems))
    }

    /// The settings as the agency edits them: indented JSON, keys sorted (the same text for the
    /// same settings, so two versions compare line by line).
    public static func json(_ settings: Settings) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(settings), as: UTF8.self)
    }

    /// A decoding error as a path and a sentence a person can act on.
    static func explain(_ error: DecodingError) -> SettingsProblem {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce("") { out, key in
                if let i = key.intValue { return out + "[\(i)]" }
                return out.isEmpty ? key.stringValue : out + "." + key.stringValue
            }
        }
        switch error {
        case let .keyNotFound(key, ctx): return SettingsProblem(path: path(ctx.codingPath + [key]), message: "is missing")
        case let .typeMismatch(type, ctx): return SettingsProblem(path: path(ctx.codingPath), message: "expected \(typeName(type))")
        case let .valueNotFound(type, ctx): return SettingsProblem(path: path(ctx.codingPath), message: "expected \(typeName(type)), found null")
        case let .dataCorrupted(ctx):
            if ctx.codingPath.isEmpty {
                let detail = (ctx.underlyingError as NSError?).flatMap { $0.userInfo[NSDebugDescriptionErrorKey] as? String }
                return SettingsProblem(path: "", message: "not valid JSON" + (detail.map { " (\($0))" } ?? ""))
            }
            return SettingsProblem(path: path(ctx.codingPath), message: ctx.debugDescription)
        @unknown default: return SettingsProblem(path: "", message: "\(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type: "a whole number"
        case is String.Type: "a text"
        case is Bool.Type: "true or false"
        default: "\(type)".contains("Array") ? "a list" : "an object"
        }
    }
}

/// Everything wrong with a settings document.
public struct SettingsErrors: Error, Sendable, CustomStringConvertible {
    public let problems: [SettingsProblem]
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

