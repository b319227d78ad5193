import SQLKit

/// A name search on PostgreSQL's list of the names' words (migration 21): the text cut at its
/// spaces, each piece with what a word of a name holding the text must be. A name holds
/// "rin SAS 77735" only if one of its words ends with "rin", one is "sas" and one begins with
/// "77735" (names and words compared in lower case, as ILIKE does); the words found for one
/// piece are a superset of the names holding the text, which are then checked whole.
struct NameWords: Equatable {
    enum Fit: Equatable {
        /// The piece is a whole word (spaces on both sides in the text).
        case whole
        /// A word begins with it (a space before it, the text's end after).
        case start
        /// A word ends with it.
        case end
        /// A word contains it (the text has no space).
        case inside
    }

    struct Piece: Equatable {
        let text: String
        let fit: Fit

        /// A whole word or a word's beginning: a range of the words' b-tree, on both databases.
        var isWordRange: Bool { fit == .whole || fit == .start }
    }

    let pieces: [Piece]
    /// The text has a space: its pieces' words do not say that the name holds the text as
    /// written (in that order, those words side by side), so the names found are checked.
    let needsCheck: Bool

    init(_ text: String) {
        // A space only: the triggers cut names at it, and a name with another blank between
        // two words has one word there, which a text with that blank finds inside it.
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        pieces = parts.indices.compactMap { i in
            guard !parts[i].isEmpty else { return nil }
            let afterSpace = i > parts.startIndex, beforeSpace = i < parts.index(before: parts.endIndex)
            let fit: Fit = afterSpace ? (beforeSpace ? .whole : .start) : (beforeSpace ? .end : .inside)
            return Piece(text: String(parts[i]), fit: fit)
        }
        needsCheck = parts.count > 1
    }

    /// The pieces an index finds: a word or a word's beginning is a range of the words' b-tree;
    /// the end or a part of a word is looked up in the distinct words' trigram index, which
    /// needs three letters or digits in a row.
    var searchable: [Piece] {
        pieces.filter { piece in
            guard !piece.isWordRange else { return true }
            var run = 0
            for c in piece.text {
                run = c.isLetter || c.isNumber ? run + 1 : 0
                if run == 3 { return true }
            }
            return false
        }
    }

    /// A name's words as SQLite's triggers write them (migration 23): `lower(name)`, which folds
    /// ASCII letters only, cut at spaces, each once. The intake writes its new debtors' words so.
    static func sqliteWords(ofName name: String) -> Set<String> {
        // Bytes, as SQLite cuts them: a space followed by a combining accent is one Character.
        let lowered = name.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
        return Set(lowered.split(separator: 0x20).map { String(decoding: $0, as: UTF8.self) })
    }

    /// `text` inside a PostgreSQL LIKE pattern: its escape character `\` doubled (a search text
    /// has lost its % and _ already).
    static func likeEscaped(_ text: String) -> String {
        // Foundation's replacingOccurrences cost 1.4 % of a rare name's search (perf), on texts
        // that hold no backslash.
        guard text.utf8.contains(UInt8(ascii: "\\")) else { return text }
        return text.replacing("\\", with: "\\\\")
    }

    /// The debtors (`id`) of the first `limit` words' rows that may hold `piece`, in the words'
    /// order: a debtor with two such words comes twice.
    static func debtors(_ piece: Piece, limit: Int) -> SQLQueryString {
        "SELECT w.debtor_id AS id FROM debtor_name_words w WHERE \(condition(piece)) LIMIT \(literal: limit)"
    }

    /// The condition on `debtor_name_words w` for the words that may hold `piece`. lower() runs
    /// in the database, in the names' collation, as the triggers' does. SQLite's table (migration
    /// 23) answers the whole words and beginnings; the ends and parts need PostgreSQL's `name_words`.
    static func condition(_ piece: Piece) -> SQLQueryString {
        switch piece.fit {
        case .whole: return "w.word = lower(\(bind: piece.text))"
        // A range rather than LIKE: with the pattern a parameter, LIKE's range in the index is
        // known only to a plan made for the value. The words are in byte order ("C" on
        // PostgreSQL, SQLite's own): those beginning with the piece sort between it and it
        // followed by the last character. The bounds are scalar subqueries, which the planner does not read even when it plans for
        // the values: its estimate is then the same for every search, so PostgreSQL keeps one
        // plan for the statement instead of planning each search anew (psql, the check of "rin
        // SAS 77735": 0.73-1.15 ms with LIKE, 0.43-0.60 with the bounds as values, 0.31-0.38 so).
        case .start: return "w.word >= (SELECT lower(\(bind: piece.text))) AND w.word < (SELECT lower(\(bind: piece.text)) || \(bind: "\u{10FFFF}"))"
        // A pattern through a scalar subquery for the same reason (psql, "fontaine": 1.4 ms of
        // planning, 0.54 to run, against 0.35 to run the kept plan).
        case .end: return "w.word IN (SELECT word FROM name_words WHERE word LIKE (SELECT '%' || lower(\(bind: likeEscaped(piece.text)))))"
        case .inside: return "w.word IN (SELECT word FROM name_words WHERE word LIKE (SELECT '%' || lower(\(bind: likeEscaped(piece.text))) || '%'))"
        }
    }
}
