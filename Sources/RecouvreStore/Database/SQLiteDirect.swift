import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit

/// SQLKit over one `SQLiteHandle` of the pool: the store's queries keep speaking SQLKit; a
/// statement runs on the pool's threads (a long count does not hold a request thread) unless it
/// is a read that was quick last time; rows are read by column without the Codable round trip
/// sqlite-kit makes for every value.
struct SQLiteDirectDatabase: SQLDatabase {
    let connection: SQLiteHandle
    let threadPool: NIOThreadPool
    let logger: Logger
    let eventLoop: any EventLoop
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        eventLoop.makeFutureWithTask { try await self.execute(sql: query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        let (sql, binds) = serialize(query)
        let values = try binds.map(SQLiteBinding.value)
        let connection = self.connection
        let result = connection.isQuick(sql) ? try connection.query(sql, values) : try await threadPool.runIfActive { try connection.query(sql, values) }
        for row in result.rows { onRow(SQLiteDirectRow(columns: result.columns, values: row)) }
    }
}

/// A row read by `SQLiteDirectDatabase`.
struct SQLiteDirectRow: SQLRow {
    let columns: ResultColumns
    let values: [SQLiteValue]

    var allColumns: [String] { columns.names }
    func contains(column: String) -> Bool { columns.index[column] != nil }
    func decodeNil(column: String) throws -> Bool { try value(column) == .null }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        try SQLiteBinding.decode(D.self, from: value(column), column: column)
    }

    private func value(_ column: String) throws -> SQLiteValue {
        guard let i = columns.index[column] else {
            throw DecodingError.keyNotFound(SQLiteBinding.Key(column), .init(codingPath: [], debugDescription: "no column \(column) in \(columns.names)"))
        }
        return values[i]
    }
}

/// How Swift values become SQLite values and back, as sqlite-kit does it: integers, reals, text
/// and blobs as themselves, nil as NULL, numbers read from text and text from numbers, anything
/// else through its single value or, for structures, as JSON text.
enum SQLiteBinding {
    struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static func value(_ bind: any Encodable) throws -> SQLiteValue {
        switch bind {
        case let v as any OptionalBind: return try v.wrappedBind.map(value) ?? .null
        case let v as String: return .text(v)
        case let v as Substring: return .text(String(v))
        case let v as Bool: return .integer(v ? 1 : 0)
        case let v as Int: return .integer(Int64(v))
        case let v as Int64: return .integer(v)
        case let v as Int32: return .integer(Int64(v))
        case let v as Int16: return .integer(Int64(v))
        case let v as Int8: return .integer(Int64(v))
        case let v as UInt8: return .integer(Int64(v))
        case let v as UInt16: return .integer(Int64(v))
        case let v as UInt32: return .integer(Int64(v))
        case let v as UInt:
            guard let i = Int64(exactly: v) else { throw EncodingError.invalidValue(v, .init(codingPath: [], debugDescription: "\(v) is too large for SQLite")) }
            return .integer(i)
        case let v as UInt64:
            guard let i = Int64(exactly: v) else { throw EncodingError.invalidValue(v, .init(codingPath: [], debugDescription: "\(v) is too large for SQLite")) }
            return .integer(i)
        case let v as Double: return .float(v)
        case let v as Float: return .float(Double(v))
        case let v as Data: return .blob([UInt8](v))
        case let v as [UInt8]: return .blob(v)
        default:
            let encoder = SingleValueEncoder()
            do {
                try bind.encode(to: encoder)
            } catch is NeedsJSON {
                return .text(String(decoding: try JSONEncoder().encode(bind), as: UTF8.self))
            }
            guard let captured = encoder.box.value else {
                throw EncodingError.invalidValue(bind, .init(codingPath: [], debugDescription: "\(type(of: bind)) encoded no value"))
            }
            return captured
        }
    }

    static func decode<D: Decodable>(_ type: D.Type, from v: SQLiteValue, column: String) throws -> D {
        // The common types first, compared by metatype: no dynamic cast, no decoder.
        if D.self == String.self { return try string(v, column) as! D }
        if D.self == Int64.self { return try integer(v, column) as! D }
        if D.self == Int.self { return Int(try integer(v, column)) as! D }
        if D.self == Bool.self { return (try integer(v, column) != 0) as! D }
        if D.self == Double.self { return try double(v, column) as! D }
        if D.self == String?.self { return (v == .null ? nil : try string(v, column)) as! D }
        if D.self == Int64?.self { return (v == .null ? nil : try integer(v, column)) as! D }
        if D.self == Int?.self { return (v == .null ? nil : Int(try integer(v, column))) as! D }
        if D.self == Bool?.self { return (v == .null ? nil : try integer(v, column) != 0) as! D }
        if D.self == Double?.self { return (v == .null ? nil : try double(v, column)) as! D }
        if D.self == Data.self, case let .blob(b) = v { return Data(b) as! D }
        if D.self == [UInt8].self, case let .blob(b) = v { return b as! D }
        do {
            return try D(from: SingleValueDecoder(value: v, column: column))
        } catch is NeedsJSON {
            let json: Data = switch v {
            case let .text(s): Data(s.utf8)
            case let .blob(b): Data(b)
            default: throw mismatch(D.self, v, column)
            }
            return try JSONDecoder().decode(D.self, from: json)
        }
    }

    static func string(_ v: SQLiteValue, _ column: String) throws -> String {
        switch v {
        case let .text(s): return s
        case let .integer(i): return String(i)
        case let .float(d): return String(d)
        case let .blob(b): return String(decoding: b, as: UTF8.self)
        case .null: throw missing(String.self, column)
        }
    }

    static func integer(_ v: SQLiteValue, _ column: String) throws -> Int64 {
        switch v {
        case let .integer(i): return i
        case let .float(d): if let i = Int64(exactly: d) { return i }
        case let .text(s): if let i = Int64(s) { return i }
        case .blob: break
        case .null: throw missing(Int64.self, column)
        }
        throw mismatch(Int64.self, v, column)
    }

    static func double(_ v: SQLiteValue, _ column: String) throws -> Double {
        switch v {
        case let .float(d): return d
        case let .integer(i): return Double(i)
        case let .text(s): if let d = Double(s) { return d }
        case .blob: break
        case .null: throw missing(Double.self, column)
        }
        throw mismatch(Double.self, v, column)
    }

    static func missing(_ type: Any.Type, _ column: String) -> DecodingError {
        .valueNotFound(type, .init(codingPath: [Key(column)], debugDescription: "column \(column) is NULL"))
    }

    static func mismatch(_ type: Any.Type, _ v: SQLiteValue, _ column: String) -> DecodingError {
        .typeMismatch(type, .init(codingPath: [Key(column)], debugDescription: "column \(column) holds \(v), not \(type)"))
    }

    /// Thrown when a value asks for a keyed or unkeyed container: it travels as JSON text.
    struct NeedsJSON: Error {}

    protocol OptionalBind { var wrappedBind: (any Encodable)? { get } }

    /// Captures the one value a type encodes in a single value container (an enum's raw value,
    /// a wrapper's inner value).
    final class SingleValueEncoder: Encoder {
        final class Box { var value: SQLiteValue? }
        let box = Box()
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }
        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> { KeyedEncodingContainer(Refusing<Key>()) }
        func unkeyedContainer() -> any UnkeyedEncodingContainer { Refusing<Key>() }
        func singleValueContainer() -> any SingleValueEncodingContainer { Container(box: box) }

        struct Container: SingleValueEncodingContainer {
            let box: Box
            var codingPath: [any CodingKey] { [] }
            mutating func encodeNil() throws { box.value = .null }
            mutating func encode(_ value: Bool) throws { box.value = .integer(value ? 1 : 0) }
            mutating func encode(_ value: String) throws { box.value = .text(value) }
            mutating func encode(_ value: Double) throws { box.value = .float(value) }
            mutating func encode(_ value: Float) throws { box.value = .float(Double(value)) }
            mutating func encode(_ value: Int) throws { box.value = .integer(Int64(value)) }
            mutating func encode(_ value: Int8) throws { box.value = .integer(Int64(value)) }
            mutating func encode(_ value: Int16) throws { box.value = .integer(Int64(value)) }
            mutating func encode(_ value: Int32) throws { box.value = .integer(Int64(value)) }
            mutating func encode(_ value: Int64) throws { box.value = .integer(value) }
            mutating func encode(_ value: UInt) throws { box.value = try SQLiteBinding.value(value) }
            mutating func encode(_ value: UInt8) throws { box.value = .integer(Int64(value)) }
            mutating func encode(_ value: UInt16) throws { box.value = .integer(Int64(value)) }
            mutating func encode(_ value: UInt32) throws { box.value = .integer(Int64(value)) }
            mutating func encode(_ value: UInt64) throws { box.value = try SQLiteBinding.value(value) }
            mutating func encode<T: Encodable>(_ value: T) throws { box.value = try SQLiteBinding.value(value) }
        }

        /// Keyed and unkeyed containers: the value is a structure, sent as JSON instead.
        struct Refusing<K: CodingKey>: KeyedEncodingContainerProtocol, UnkeyedEncodingContainer {
            typealias Key = K
            var codingPath: [any CodingKey] { [] }
            var count: Int { 0 }
            mutating func encodeNil() throws { throw NeedsJSON() }
            mutating func encodeNil(forKey key: K) throws { throw NeedsJSON() }
            mutating func encode<T: Encodable>(_ value: T) throws { throw NeedsJSON() }
            mutating func encode<T: Encodable>(_ value: T, forKey key: K) throws { throw NeedsJSON() }
            mutating func nestedContainer<N: CodingKey>(keyedBy keyType: N.Type) -> KeyedEncodingContainer<N> { KeyedEncodingContainer(Refusing<N>()) }
            mutating func nestedContainer<N: CodingKey>(keyedBy keyType: N.Type, forKey key: K) -> KeyedEncodingContainer<N> { KeyedEncodingContainer(Refusing<N>()) }
            mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { self }
            mutating func nestedUnkeyedContainer(forKey key: K) -> any UnkeyedEncodingContainer { self }
            mutating func superEncoder() -> any Encoder { SingleValueEncoder() }
            mutating func superEncoder(forKey key: K) -> any Encoder { SingleValueEncoder() }
        }
    }

    /// Gives one value to a type that decodes from a single value container.
    struct SingleValueDecoder: Decoder, SingleValueDecodingContainer {
        let value: SQLiteValue
        let column: String
        var codingPath: [any CodingKey] { [Key(column)] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }
        func container<K: CodingKey>(keyedBy type: K.Type) throws -> KeyedDecodingContainer<K> { throw NeedsJSON() }
        func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw NeedsJSON() }
        func singleValueContainer() throws -> any SingleValueDecodingContainer { self }
        func decodeNil() -> Bool { value == .null }
        func decode(_ type: Bool.Type) throws -> Bool { try SQLiteBinding.integer(value, column) != 0 }
        func decode(_ type: String.Type) throws -> String { try SQLiteBinding.string(value, column) }
        func decode(_ type: Double.Type) throws -> Double { try SQLiteBinding.double(value, column) }
        func decode(_ type: Float.Type) throws -> Float { Float(try SQLiteBinding.double(value, column)) }
        func decode(_ type: Int.Type) throws -> Int { try exactly(Int.self) }
        func decode(_ type: Int8.Type) throws -> Int8 { try exactly(Int8.self) }
        func decode(_ type: Int16.Type) throws -> Int16 { try exactly(Int16.self) }
        func decode(_ type: Int32.Type) throws -> Int32 { try exactly(Int32.self) }
        func decode(_ type: Int64.Type) throws -> Int64 { try SQLiteBinding.integer(value, column) }
        func decode(_ type: UInt.Type) throws -> UInt { try exactly(UInt.self) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try exactly(UInt8.self) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try exactly(UInt16.self) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try exactly(UInt32.self) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try exactly(UInt64.self) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try SQLiteBinding.decode(T.self, from: value, column: column) }

        private func exactly<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
            guard let i = I(exactly: try SQLiteBinding.integer(value, column)) else { throw SQLiteBinding.mismatch(I.self, value, column) }
            return i
        }
    }
}

extension Optional: SQLiteBinding.OptionalBind where Wrapped: Encodable {
    var wrappedBind: (any Encodable)? { self.map { $0 } }
}
