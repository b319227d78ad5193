import Foundation
import RecouvreCore
import RecouvreDocuments
import RecouvreStore

/// What a receipt run did.
public struct ReceiptRunSummary: Sendable, Equatable {
    public var emailed = 0
    public var posted = 0
    /// Neither email nor usable address: archived on the case only.
    public var kept = 0
    /// The day's post file of paper receipts, when there were some.
    public var postFile: String?
    /// The mail server could not be reached: the rest waits for the next run.
    public var retryLater: String?
    /// Payment plan schedules sent (counted in emailed, posted and kept too).
    public var schedules = 0
}

/// Renders the pending receipts (R124-6) and the schedules of the plans come into force, archives
/// each with its case and sends it to the debtor:
/// by email when they have a usable address, else by post, merged into one file a run with its
/// manifest in the post's drop folder (`RECOUVRE_POST_OUTBOX/DAY/quittances-…`). A receipt is
/// archived right after it is sent, so a crash resends at most the one in flight.
public struct ReceiptRun: Sendable {
    let database: Database
    let mailer: any Mailer
    let postRoot: URL
    let press: LetterPress
    let actor = Actor("system:receipts")

    public init(_ database: Database, mailer: any Mailer, postRoot: URL = FolderPostal.fromEnvironment().root, press: LetterPress = .shared) {
        self.database = database
        self.mailer = mailer
        self.postRoot = postRoot
        self.press = press
    }

    public func run(at: Instant = SystemClock.now()) async throws -> ReceiptRunSummary {
        let store = ReceiptStore(database)
        let agency = try await LetterSettingsStore(database).current().settings.agency
        let rates = try await RateSettingsStore(database).current().settings.interestRates
        let day = ParisTime(at).day
        var summary = ReceiptRunSummary()
        var merger: PDFMerger?
        var manifest = "position;receipt;case_reference;addressee;address_line_1;address_line_2;address_line_3;address_line_4;pages\n"
        let stamp = "\(at.millisecondsSinceEpoch)"
        let folder = postRoot.appendingPathComponent(day.iso)
        /// Sends one rendered document: by email when the debtor has an address, else into the run's
        /// post file (with its manifest line), else kept; says which.
        func deliver(_ letter: ComposedLetter, pdf: RenderedLetter, fileName: String, email: String?, addressUsable: Bool, addressee: String) async throws -> ReceiptStore.Delivery {
            if let address = email {
                do {
                    try await mailer.send(MailMessage(to: address, subject: letter.subject, body: letter.plainText,
                                                      attachments: [MailAttachment(fileName: fileName, contentType: "application/pdf", data: pdf.pdf)]))
                } catch { throw Unsent(reason: "\(error)") }
                summary.emailed += 1
                return .email(address)
            }
            guard addressUsable else {
                summary.kept += 1
                return .kept
            }
            if merger == nil {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                merger = try PDFMerger(path: folder.appendingPathComponent("quittances-\(stamp).pdf.part").path, title: "Quittances \(day.iso)", author: agency.name)
            }
            try merger!.append(pdf.pdf)
            summary.posted += 1
            let lines = letter.recipient.dropFirst().map { $0.replacingOccurrences(of: ";", with: ",") }
            manifest += ([String(summary.posted), letter.reference, letter.caseReference, addressee.replacingOccurrences(of: ";", with: ",")]
                         + (0..<4).map { $0 < lines.count ? lines[$0] : "" } + [String(pdf.pages)]).joined(separator: ";") + "\n"
            return .post("quittances-\(stamp).pdf")
        }
        var after: Int64 = 0
        loop: while true {
            let pending = try await store.pending(after: after, limit: 64, rates: rates)
            guard let last = pending.last else { break }
            after = last.paymentID
            let letters = pending.map { ReceiptComposer.compose($0.context, agency: agency) }
            for ((receipt, letter), rendered) in zip(zip(pending, letters), press.render(letters, author: agency.name)) {
                let delivery: ReceiptStore.Delivery
                do {
                    delivery = try await deliver(letter, pdf: try rendered.get(), fileName: receipt.context.number + ".pdf", email: receipt.email,
                                                 addressUsable: receipt.addressUsable, addressee: receipt.context.debtorName)
                } catch let unsent as Unsent {
                    summary.retryLater = unsent.reason
                    break loop
                }
                try await store.archive(receipt, pdf: try rendered.get().pdf, delivery: delivery, actor: actor, at: at)
            }
        }
        // The schedules of the plans that came into force, the same way.
        let plans = PlanStore(database)
        while summary.retryLater == nil {
            let pending = try await plans.pendingLetters(limit: 64, at: at)
            guard !pending.isEmpty else { break }
            let letters = pending.map { PlanLetterComposer.compose($0.context, agency: agency) }
            for ((plan, letter), rendered) in zip(zip(pending, letters), press.render(letters, author: agency.name)) {
                let delivery: ReceiptStore.Delivery
                do {
                    delivery = try await deliver(letter, pdf: try rendered.get(), fileName: "echeancier-\(plan.context.planID).pdf", email: plan.email,
                                                 addressUsable: plan.addressUsable, addressee: plan.context.debtorName)
                } catch let unsent as Unsent {
                    summary.retryLater = unsent.reason
                    break
                }
                try await plans.archiveLetter(plan, pdf: try rendered.get().pdf, delivery: delivery, actor: actor, at: at)
                summary.schedules += 1
            }
        }
        if let merger {
            try merger.finish()
            let pdf = folder.appendingPathComponent("quittances-\(stamp).pdf")
            try FileManager.default.moveItem(at: folder.appendingPathComponent("quittances-\(stamp).pdf.part"), to: pdf)
            try Data(manifest.utf8).write(to: folder.appendingPathComponent("quittances-\(stamp).csv"), options: .atomic)
            summary.postFile = pdf.path
        }
        return summary
    }
}

/// The mail server did not take a message: the run stops there and the rest waits for the next.
private struct Unsent: Error {
    let reason: String
}
