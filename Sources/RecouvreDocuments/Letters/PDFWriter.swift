import CPangoCairo
import Foundation
import RecouvreCore

/// A PDF being written by cairo into memory: fonts embedded as subsets, content streams
/// compressed. Pages are added by drawing on `context`.
final class PDFSurface {
    let surface: OpaquePointer
    let context: OpaquePointer
    private let sink: Sink

    /// Bytes cairo hands over while it writes.
    final class Sink { var bytes: [UInt8] = [] }

    /// A PDF written into memory.
    init(metadata: [cairo_pdf_metadata_t: String]) {
        let sink = Sink()
        self.sink = sink
        surface = cairo_pdf_surface_create_for_stream({ closure, data, length in
            let sink = Unmanaged<Sink>.fromOpaque(closure!).takeUnretainedValue()
            sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
            return CAIRO_STATUS_SUCCESS
        }, Unmanaged.passUnretained(sink).toOpaque(), LetterLayouter.pageWidth, LetterLayouter.pageHeight)
        context = cairo_create(surface)
        set(metadata)
    }

    private func set(_ metadata: [cairo_pdf_metadata_t: String]) {
        // A fixed creation date (the letter's) makes the same letter the same bytes: its archive
        // hash then identifies it.
        for (key, value) in metadata { cairo_pdf_surface_set_metadata(surface, key, value) }
    }

    /// Ends the document and gives its bytes; throws when cairo failed.
    func finish() throws(DocumentError) -> [UInt8] {
        cairo_destroy(context)
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        cairo_surface_destroy(surface)
        guard status == CAIRO_STATUS_SUCCESS else { throw DocumentError(message: "cairo: " + String(cString: cairo_status_to_string(status))) }
        return sink.bytes
    }
}

public struct DocumentError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// A letter as a PDF of its own, the form it is archived, emailed and downloaded in.
public struct RenderedLetter: Sendable {
    public let pdf: [UInt8]
    public let pages: Int
}

/// Renders letters as PDF. One per thread.
public final class LetterRenderer {
    let layouter = LetterLayouter()
    public init() {}

    public func render(_ letter: ComposedLetter, author: String) throws(DocumentError) -> RenderedLetter {
        let pdf = PDFSurface(metadata: Self.metadata(letter, author: author))
        let pages = layouter.draw(letter, on: pdf.context)
        return RenderedLetter(pdf: try pdf.finish(), pages: pages)
    }

    static func metadata(_ letter: ComposedLetter, author: String) -> [cairo_pdf_metadata_t: String] {
        [CAIRO_PDF_METADATA_TITLE: letter.reference, CAIRO_PDF_METADATA_AUTHOR: author, CAIRO_PDF_METADATA_CREATOR: "Recouvre",
         CAIRO_PDF_METADATA_CREATE_DATE: letter.date.iso + "T00:00:00"]
    }
}

/// Renders many letters at once, one `LetterRenderer` per thread: cairo and pango are fast but
/// single-threaded, and letters are independent.
public final class LetterPress: @unchecked Sendable {
    // Renderer i is only used by worker i of a `render` call, and calls do not overlap (`lock`).
    private let renderers: [LetterRenderer]
    private let lock = NSLock()

    /// One for the process: its renderers keep their fonts loaded between runs.
    public static let shared = LetterPress()

    public init(workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        renderers = (0..<max(1, workers)).map { _ in LetterRenderer() }
    }

    /// Each letter as its own PDF, in the order given.
    public func render(_ letters: [ComposedLetter], author: String) -> [Result<RenderedLetter, DocumentError>] {
        lock.lock()
        defer { lock.unlock() }
        let out = Slots<Result<RenderedLetter, DocumentError>>(count: letters.count, filler: .failure(DocumentError(message: "not rendered")))
        let workers = renderers.count
        DispatchQueue.concurrentPerform(iterations: min(workers, letters.count)) { w in
            for i in stride(from: w, to: letters.count, by: workers) {
                out[i] = Result { () throws(DocumentError) in try self.renderers[w].render(letters[i], author: author) }
            }
        }
        return out.values
    }
}

/// Slots written by several threads, each slot by one thread only.
final class Slots<T>: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<T>
    init(count: Int, filler: T) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: filler)
    }
    deinit {
        buffer.deinitialize()
        buffer.deallocate()
    }
    subscript(i: Int) -> T {
        get { buffer[i] }
        set { buffer[i] = newValue }
    }
    var values: [T] { Array(buffer) }
}
