import BenchSupport
import Foundation
import RecouvreCore
import RecouvreDocuments

// Letter rendering benchmark (issue 5: at least 200 letters/s rendered into a print batch, two
// pages each with the QR code, memory flat over 100,000 letters). Run with a release build:
//   swift build -c release --product RecouvreLetterBench --scratch-path .build-release
//   .build-release/release/RecouvreLetterBench [letters] [workers]
// Each letter is composed from its case (first letter: claims table, payment box with the EPC QR
// code, L111-8), rendered as its own PDF (the archived document) on `workers` threads, and merged
// into one print-batch file in envelope order, as `PrintRun` does; the database part is measured by
// `recouvre print` in the note.

let args = CommandLine.arguments
let count = args.count > 1 ? Int(args[1])! : 100_000
let workers = args.count > 2 ? Int(args[2])! : ProcessInfo.processInfo.activeProcessorCount
let day = Day(year: 2026, month: 11, day: 24)!
let settings = LetterSettings.defaults

func letter(_ i: Int) -> ComposedLetter {
    let c = LetterContext(caseReference: CaseReference(caseID: Int64(i + 1)), debtorName: "Débiteur n° \(i) SARL", debtorKind: .company,
                          debtorAddress: PostalAddress(line1: "\(i % 200 + 1) rue de la République", postcode: String(10000 + (i * 7919) % 85000), city: "Commune \(i % 97)"),
                          creditorName: "ACME SA", creditorAddress: PostalAddress(line1: "1 rue de Rivoli", postcode: "75001", city: "Paris"),
                          claims: [LetterClaim(invoiceReference: "F-2026-\(i)", issuedOn: day.adding(days: -90), dueOn: day.adding(days: -60),
                                               principal: .eur(cents: Int64(10_000 + i)), interest: .eur(cents: Int64(i % 1000)), otherItems: .eur(cents: 4_000))],
                          paid: .eur(cents: 0), letterReference: "RC-\(i + 1)/1", letterDate: day, firstLetter: nil, language: .fr)
    return try! LetterComposer.compose(c, channel: .letter, settings: settings).get()
}

let path = NSTemporaryDirectory() + "recouvre-letter-bench.pdf"
let merger = try PDFMerger(path: path, title: "Lot de test", author: settings.agency.name)
let press = LetterPress(workers: workers)
let chunk = 512
var archived = 0
let start = ContinuousClock.now
var mergeSeconds = 0.0
say("\(count) letters, \(workers) rendering threads")
for from in stride(from: 0, to: count, by: chunk) {
    let n = min(chunk, count - from)
    // Rendered in parallel, one renderer per thread; merged in order.
    let rendered = press.render((from..<(from + n)).map(letter), author: settings.agency.name)
    let m = ContinuousClock.now
    for r in rendered { let pdf = try r.get().pdf; try merger.append(pdf); archived += pdf.count }
    mergeSeconds += elapsed(m)
    let done = from + n
    if done % 10_240 == 0 || done == count || done == 1_024 {
        say(String(format: "%7d letters: %.0f letters/s, peak memory %.0f MB", done, Double(done) / elapsed(start), peakMemoryMB()))
    }
}
try merger.finish()
let seconds = elapsed(start)
let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
say(String(format: "total %.1f s = %.0f letters/s (%.2f of the 200 letters/s floor), %d pages, merge %.1f s, archive %.1f KB/letter, batch %.0f MB",
           seconds, Double(count) / seconds, 200 / (Double(count) / seconds), merger.pages, mergeSeconds, Double(archived) / Double(count) / 1024, Double(size) / 1e6))
try? FileManager.default.removeItem(atPath: path)
