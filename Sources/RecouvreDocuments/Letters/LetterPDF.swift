import CPangoCairo
import RecouvreCore

/// Lays a composed letter out on A4 pages with pango and draws it with cairo: the letterhead, the
/// address block where a DL window envelope shows it, the body split across pages at line
/// boundaries, the case reference and "page n/N" at the foot of every page, the EPC QR code.
///
/// Not thread-safe: one per thread at a time. Each has its own pango font map (the default one
/// belongs to the thread that asks first, and pango's font maps are not shared safely).
public final class LetterLayouter {
    // Points: A4 is 210 × 297 mm, 72 points to the inch.
    static let mm = 72.0 / 25.4
    static let pageWidth = 210 * mm, pageHeight = 297 * mm
    static let left = 20 * mm, textWidth = 170 * mm
    /// The window of a French DL envelope (220 × 110 mm, window 100 × 45 mm, 20 mm from the right
    /// and 15 mm from the bottom): once the A4 sheet is folded in three, the block starting
    /// 110 mm from the left and 50 mm from the top sits inside it with a margin all round.
    static let addressX = 110 * mm, addressY = 50 * mm, addressWidth = 85 * mm
    static let firstBodyTop = 112 * mm, nextBodyTop = 25 * mm, bodyBottom = 272 * mm, footerY = 283 * mm

    let regular: OpaquePointer, bold: OpaquePointer, small: OpaquePointer, smallBold: OpaquePointer
    /// One pango context for every letter: vector output, so metrics are not hinted and a layout
    /// measured once draws the same on any PDF surface.
    let context: OpaquePointer
    let fontMap: UnsafeMutablePointer<PangoFontMap>
    /// Layouts of text that recurs from letter to letter (the legal text, the template's fixed
    /// paragraphs, the table's header): shaped once, drawn many times.
    var cache: [LayoutKey: OpaquePointer] = [:]
    struct LayoutKey: Hashable {
        let text: String
        let font: OpaquePointer
        let width: Double
        let align: UInt32
        let justify: Bool
    }

    public init() {
        fontMap = pango_cairo_font_map_new()
        context = pango_font_map_create_context(fontMap)
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        pango_cairo_context_set_font_options(context, options)
        cairo_font_options_destroy(options)
        regular = pango_font_description_from_string("DejaVu Sans 9.5")
        bold = pango_font_description_from_string("DejaVu Sans Bold 9.5")
        small = pango_font_description_from_string("DejaVu Sans 7.5")
        smallBold = pango_font_description_from_string("DejaVu Sans Bold 7.5")
    }

    deinit {
        for f in [regular, bold, small, smallBold] { pango_font_description_free(f) }
        cache.values.forEach { g_object_unref(UnsafeMutableRawPointer($0)) }
        g_object_unref(UnsafeMutableRawPointer(context))
        g_object_unref(fontMap)
    }

    /// Draws `letter` on `cr`'s surface, one `cairo_show_page` per page; returns the page count.
    @discardableResult
    public func draw(_ letter: ComposedLetter, on cr: OpaquePointer) -> Int {
        var layouts: [OpaquePointer] = []
        defer { layouts.forEach { g_object_unref(UnsafeMutableRawPointer($0)) } }
        func layout(_ text: String, font: OpaquePointer, width: Double, align: PangoAlignment = PANGO_ALIGN_LEFT, justify: Bool = false) -> OpaquePointer {
            let key = LayoutKey(text: text, font: font, width: width, align: align.rawValue, justify: justify)
            if let hit = cache[key] { return hit }
            let l = pango_layout_new(context)!
            pango_layout_set_font_description(l, font)
            pango_layout_set_width(l, Int32(width * Double(PANGO_SCALE)))
            pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR)
            pango_layout_set_alignment(l, align)
            if justify { pango_layout_set_justify(l, 1) }
            pango_layout_set_text(l, text, -1)
            // Text that is long and the same in every letter is worth keeping; the rest (names,
            // amounts) goes with the letter. The cache is bounded: a new template only adds.
            if text.utf8.count > 120 || text.utf8.count < 24, cache.count < 4_096 { cache[key] = l } else { layouts.append(l) }
            return l
        }

        // The body as units that cannot be split: a line of text, a table row, the payment box.
        var units: [Unit] = []
        func lines(of l: OpaquePointer, x: Double, spaceAfter: Double) {
            let iter = pango_layout_get_iter(l)!
            defer { pango_layout_iter_free(iter) }
            repeat {
                var logical = PangoRectangle()
                pango_layout_iter_get_line_extents(iter, nil, &logical)
                let baseline = Double(pango_layout_iter_get_baseline(iter) - logical.y) / Double(PANGO_SCALE)
                let line = pango_layout_iter_get_line_readonly(iter)!
                let dx = Double(logical.x) / Double(PANGO_SCALE)
                units.append(Unit(height: Double(logical.height) / Double(PANGO_SCALE)) { cr, y in
                    cairo_move_to(cr, x + dx, y + baseline)
                    pango_cairo_show_layout_line(cr, line)
                })
            } while pango_layout_iter_next_line(iter) != 0
            units[units.count - 1].spaceAfter = spaceAfter
        }
        lines(of: layout(letter.subject, font: bold, width: Self.textWidth), x: Self.left, spaceAfter: 10)
        for b in letter.blocks {
            switch b {
            case let .paragraph(text):
                lines(of: layout(text, font: regular, width: Self.textWidth, justify: true), x: Self.left, spaceAfter: 7)
            case let .table(table):
                units += tableUnits(table, layout: layout)
            case let .payment(text, payload):
                units.append(paymentUnit(text, payload: payload, layout: layout))
            case let .legal(title, paragraphs):
                lines(of: layout(title, font: smallBold, width: Self.textWidth), x: Self.left, spaceAfter: 2)
                for p in paragraphs { lines(of: layout(p, font: small, width: Self.textWidth, justify: true), x: Self.left, spaceAfter: 4) }
                units[units.count - 1].spaceAfter = 8
            }
        }

        // Pages: units go down the page until the next one would cross the bottom margin.
        var pages: [[(Unit, Double)]] = [[]]
        var y = Self.firstBodyTop
        for u in units {
            if y + u.height > Self.bodyBottom, !pages[pages.count - 1].isEmpty {
                pages.append([])
                y = Self.nextBodyTop
            }
            pages[pages.count - 1].append((u, y))
            y += u.height + u.spaceAfter
        }

        let header = letterhead(letter, layout: layout)
        for (i, page) in pages.enumerated() {
            cairo_set_source_rgb(cr, 0, 0, 0)
            if i == 0 { header.forEach { $0(cr) } } else {
                cairo_move_to(cr, Self.left, 12 * Self.mm)
                pango_cairo_show_layout(cr, layout("\(letter.sender.first ?? "") — \(letter.caseReference) — \(letter.reference)", font: small, width: Self.textWidth))
            }
            for (u, y) in page { u.draw(cr, y) }
            let foot = layout(letter.footer + " · " + (letter.language == .fr ? "page" : "page") + " \(i + 1)/\(pages.count)", font: small,
                              width: Self.textWidth, align: PANGO_ALIGN_CENTER)
            cairo_move_to(cr, Self.left, Self.footerY)
            pango_cairo_show_layout(cr, foot)
            cairo_show_page(cr)
        }
        return pages.count
    }

    /// Page one's fixed parts: the letterhead, the address block, the place and date, the references.
    func letterhead(_ letter: ComposedLetter, layout: (String, OpaquePointer, Double, PangoAlignment, Bool) -> OpaquePointer) -> [(OpaquePointer) -> Void] {
        let name = layout(letter.sender.first ?? "", bold, 90 * Self.mm, PANGO_ALIGN_LEFT, false)
        let rest = layout(letter.sender.dropFirst().joined(separator: "\n"), small, 90 * Self.mm, PANGO_ALIGN_LEFT, false)
        let to = layout(letter.recipient.joined(separator: "\n"), regular, Self.addressWidth, PANGO_ALIGN_LEFT, false)
        let date = layout(letter.placeAndDate, regular, Self.addressWidth, PANGO_ALIGN_LEFT, false)
        let refs = layout((letter.language == .fr ? "Dossier " : "Case ") + letter.caseReference + "\n"
                          + (letter.language == .fr ? "Notre référence : " : "Our reference: ") + letter.reference, small, 80 * Self.mm, PANGO_ALIGN_LEFT, false)
        return [
            { cr in cairo_move_to(cr, Self.left, 15 * Self.mm); pango_cairo_show_layout(cr, name) },
            { cr in cairo_move_to(cr, Self.left, 21 * Self.mm); pango_cairo_show_layout(cr, rest) },
            { cr in cairo_move_to(cr, Self.addressX, Self.addressY); pango_cairo_show_layout(cr, to) },
            { cr in cairo_move_to(cr, Self.addressX, 96 * Self.mm); pango_cairo_show_layout(cr, date) },
            { cr in cairo_move_to(cr, Self.left, 96 * Self.mm); pango_cairo_show_layout(cr, refs) },
        ]
    }

    /// The claims table: a shaded header, a row per claim with amounts aligned right, then the totals.
    func tableUnits(_ table: LetterTable, layout: (String, OpaquePointer, Double, PangoAlignment, Bool) -> OpaquePointer) -> [Unit] {
        let widths = [28.0, 21, 21, 25, 21, 28, 26].map { $0 * Self.mm }
        func row(_ cells: [String], font: OpaquePointer, shade: Bool) -> Unit {
            var x = Self.left
            var placed: [(OpaquePointer, Double)] = []
            var height = 0.0
            for (i, cell) in cells.enumerated() {
                let l = layout(cell, font, widths[i] - 2 * Self.mm, i >= 3 ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT, false)
                var logical = PangoRectangle()
                pango_layout_get_extents(l, nil, &logical)
                height = max(height, Double(logical.height) / Double(PANGO_SCALE))
                placed.append((l, x + Self.mm))
                x += widths[i]
            }
            let h = height + 3
            return Unit(height: h) { cr, y in
                if shade {
                    cairo_set_source_rgb(cr, 0.9, 0.9, 0.9)
                    cairo_rectangle(cr, Self.left, y, Self.textWidth, h)
                    cairo_fill(cr)
                    cairo_set_source_rgb(cr, 0, 0, 0)
                }
                for (l, x) in placed { cairo_move_to(cr, x, y + 1.5); pango_cairo_show_layout(cr, l) }
                cairo_set_line_width(cr, 0.3)
                cairo_move_to(cr, Self.left, y + h)
                cairo_line_to(cr, Self.left + Self.textWidth, y + h)
                cairo_stroke(cr)
            }
        }
        var units = [row(table.header, font: smallBold, shade: true)] + table.rows.map { row($0, font: small, shade: false) }
        for (i, total) in table.totals.enumerated() {
            let last = i == table.totals.count - 1
            let label = layout(total[0], last ? bold : regular, 60 * Self.mm, PANGO_ALIGN_RIGHT, false)
            let amount = layout(total[1], last ? bold : regular, 30 * Self.mm, PANGO_ALIGN_RIGHT, false)
            var logical = PangoRectangle()
            pango_layout_get_extents(label, nil, &logical)
            units.append(Unit(height: Double(logical.height) / Double(PANGO_SCALE) + 2, spaceAfter: last ? 10 : 0) { cr, y in
                cairo_move_to(cr, Self.left + Self.textWidth - 92 * Self.mm, y + 1); pango_cairo_show_layout(cr, label)
                cairo_move_to(cr, Self.left + Self.textWidth - 31 * Self.mm, y + 1); pango_cairo_show_layout(cr, amount)
            })
        }
        return units
    }

    /// The payment means in a frame, the EPC QR code on its right.
    func paymentUnit(_ text: [String], payload: String, layout: (String, OpaquePointer, Double, PangoAlignment, Bool) -> OpaquePointer) -> Unit {
        let qrSide = 32 * Self.mm, pad = 3 * Self.mm
        let l = layout(text.joined(separator: "\n"), regular, Self.textWidth - qrSide - 3 * pad, PANGO_ALIGN_LEFT, false)
        var logical = PangoRectangle()
        pango_layout_get_extents(l, nil, &logical)
        let height = max(Double(logical.height) / Double(PANGO_SCALE), qrSide) + 2 * pad
        let qr = QRCode(payload)
        return Unit(height: height, spaceAfter: 10) { cr, y in
            cairo_set_line_width(cr, 0.6)
            cairo_rectangle(cr, Self.left, y, Self.textWidth, height)
            cairo_stroke(cr)
            cairo_move_to(cr, Self.left + pad, y + pad)
            pango_cairo_show_layout(cr, l)
            guard let qr else { return }
            // One rectangle per run of dark modules in a row: fewer path operations than one per module.
            let module = qrSide / Double(qr.width)
            let x0 = Self.left + Self.textWidth - pad - qrSide, y0 = y + pad
            for row in 0..<qr.width {
                var col = 0
                while col < qr.width {
                    guard qr.isDark(x: col, y: row) else { col += 1; continue }
                    let start = col
                    while col < qr.width, qr.isDark(x: col, y: row) { col += 1 }
                    cairo_rectangle(cr, x0 + Double(start) * module, y0 + Double(row) * module, Double(col - start) * module, module)
                }
            }
            cairo_fill(cr)
        }
    }

    struct Unit {
        var height: Double
        var spaceAfter: Double = 0
        var draw: (OpaquePointer, Double) -> Void
    }
}
