/// Values quoted in messages, cut to a readable length.
///
/// Input can be anything: a 50 MB line without a newline would otherwise be echoed whole
/// into an error. Every message that quotes input goes through `cut` (and the line sink
/// of the command-line tool through `capLines`), so none can flood a terminal or a log.
public enum Quoted {
    /// Bytes of a value kept before the ellipsis.
    public static let limit = 300

    /// `value`, or its first `limit` bytes (on a character boundary) with `…` and the total length.
    public static func cut(_ value: some StringProtocol, limit: Int = limit) -> String {
        let total = value.utf8.count
        guard total > limit else { return String(value) }
        var kept = 0
        var end = value.startIndex
        for ch in value {
            let n = ch.utf8.count
            if kept + n > limit { break }
            kept += n
            end = value.index(after: end)
        }
        return String(value[..<end]) + "… (\(total) bytes in all)"
    }

    /// `text` with every line longer than `limit` bytes cut as `cut` does.
    ///
    /// The safety net for messages built elsewhere: a long line in a diagnostic is always a
    /// quoted value, since sentences, hints and listed paths are far shorter.
    public static func capLines(_ text: String, limit: Int = 500) -> String {
        guard text.utf8.count > limit else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.utf8.count > limit ? cut($0, limit: limit) : String($0) }
            .joined(separator: "\n")
    }
}
