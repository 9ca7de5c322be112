/// "Did you mean …?" for a column name that is not in a header.
enum ColumnHint {
    /// The header name closest to `name`: equal ignoring case, spaces, `_` and `-`, or within a
    /// small edit distance (a third of the name, at least 1 and at most 3). The first such name in
    /// header order wins a tie; nil if none is close.
    static func suggestion(for name: String, among names: [String]) -> String? {
        let wanted = Array(name.lowercased().unicodeScalars)
        let squeezed = squeeze(name)
        var best: (distance: Int, name: String)?
        for candidate in names where candidate != name {
            if squeeze(candidate) == squeezed { return candidate }
            let d = distance(wanted, Array(candidate.lowercased().unicodeScalars))
            if best == nil || d < best!.distance { best = (d, candidate) }
        }
        guard let best, best.distance <= min(3, max(1, wanted.count / 3)) else { return nil }
        return best.name
    }

    /// The error text for a missing column (or key): a hint, or the names there are.
    static func missing(_ name: String, among names: [String], in place: String, noun: String = "column") -> String {
        if let s = suggestion(for: name, among: names) {
            return "no \(noun) \"\(name)\" in \(place); did you mean '\(s)'?"
        }
        let listed = names.prefix(8).map { "\"\($0)\"" }.joined(separator: ", ")
        return "no \(noun) \"\(name)\" in \(place) (it has \(listed.isEmpty ? "none" : listed)\(names.count > 8 ? ", …" : ""))"
    }

    private static func squeeze(_ s: String) -> String {
        String(s.lowercased().unicodeScalars.filter { $0 != " " && $0 != "_" && $0 != "-" })
    }

    /// Edit distance counting a swap of neighbours as one edit ("bmp" is 1 from "bpm").
    private static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
