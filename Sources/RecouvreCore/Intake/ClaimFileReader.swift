/// Reads a claim file fed chunk by chunk: byte order mark, separator (off the header line),
/// records, per-row encoding, header mapping, then every row as a valid `ClaimLine` or the
/// reasons it is refused. Pure and synchronous: the importer feeds it from disk or an upload and
/// the benchmark measures it alone.
public struct ClaimFileReader {
    /// A data row as it was in the file, kept for the rejects file.
    public struct Source: Sendable {
        public let bytes: [UInt8]
        public let decoding: TextDecoding
        public var text: String { decoding.decode(bytes) }
    }

    public enum Row: Sendable {
        case claim(ClaimLine, Source)
        case rejected([RowError], Source)
    }

    public let mapping: ColumnMapping
    public let today: Day
    private var tokenizer: CSVTokenizer?
    private var parser: ClaimRowParser?
    private var pendingHeader: [UInt8] = []
    private var atFileStart = true
    public private(set) var rowsRead = 0
    public private(set) var rowsDecodedAsWindows1252 = 0

    public init(mapping: ColumnMapping, today: Day) {
        self.mapping = mapping
        self.today = today
    }

    /// The separator, once the header line has been read.
    public var separator: UInt8? { parser == nil ? nil : tokenizer?.separator }

    /// Consumes `chunk`, calling `onRow` for every data row; `separator` is set once the header is mapped.
    public mutating func feed(_ chunk: [UInt8], onRow: (Row) throws -> Void) throws {
        var bytes = chunk[...]
        if atFileStart {
            // The separator is read off the header line, which may span chunks; the BOM is dropped.
            pendingHeader += bytes
            if pendingHeader.starts(with: [0xEF, 0xBB, 0xBF]) { pendingHeader.removeFirst(3) }
            guard pendingHeader.contains(0x0A) || pendingHeader.count > (1 << 20) else { return }
            atFileStart = false
            tokenizer = CSVTokenizer(separator: CSVTokenizer.detectSeparator(headerLine: pendingHeader))
            bytes = pendingHeader[...]
            pendingHeader = []
        }
        try feedRecords(bytes, onRow: onRow)
    }

    /// Ends the file: the last record without a line break, and the file-level checks.
    public mutating func finish(onRow: (Row) throws -> Void) throws {
        if atFileStart, !pendingHeader.isEmpty {
            atFileStart = false
            tokenizer = CSVTokenizer(separator: CSVTokenizer.detectSeparator(headerLine: pendingHeader))
            let rest = pendingHeader
            pendingHeader = []
            try feedRecords(rest[...], onRow: onRow)
        }
        guard var tk = tokenizer else { throw ClaimFileError.emptyFile }
        if tk.isInsideQuotes { throw ClaimFileError.unterminatedQuote(line: tk.currentRecordLine) }
        var records: [CSVTokenizer.Record] = []
        tk.finish { records.append($0) }
        tokenizer = tk
        for r in records { try handle(r, onRow: onRow) }
        if parser == nil { throw ClaimFileError.emptyFile }
    }

    private mutating func feedRecords(_ bytes: ArraySlice<UInt8>, onRow: (Row) throws -> Void) throws {
        var records: [CSVTokenizer.Record] = []
        tokenizer!.feed(bytes) { records.append($0) }
        for r in records { try handle(r, onRow: onRow) }
    }

    private mutating func handle(_ record: CSVTokenizer.Record, onRow: (Row) throws -> Void) throws {
        let decoding = TextDecoding.detect(record.raw)
        let fields = (0..<record.fieldCount).map { decoding.decode(record.field($0)) }
        guard let p = parser else {
            switch mapping.resolve(header: fields) {
            case let .success(columns): parser = ClaimRowParser(columns: columns, today: today)
            case let .failure(e): throw ClaimFileError.badHeader(e)
            }
            return
        }
        rowsRead += 1
        if decoding == .windows1252 { rowsDecodedAsWindows1252 += 1 }
        let source = Source(bytes: record.raw, decoding: decoding)
        switch p.parse(fields: fields, line: record.line) {
        case let .success(line): try onRow(.claim(line, source))
        case let .failure(e): try onRow(.rejected(e.errors, source))
        }
    }
}

/// A file that cannot be read as a claim list at all: nothing of it is imported.
public enum ClaimFileError: Error, Equatable, Sendable {
    case emptyFile
    case badHeader(HeaderError)
    case unterminatedQuote(line: Int)
}
