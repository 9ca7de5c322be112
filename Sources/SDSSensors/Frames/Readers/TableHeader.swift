/// A CSV file's column names read from its first record alone, so a spec can be checked
/// against its inputs before a build reads them (see `InputHeaderCheck` in SDSPipeline).
public enum TableHeader {
    /// The names of the header record at the start of `prefix`, parsed as the reader parses
    /// them (byte order mark, blank lines, quoting); nil when the prefix ends inside the header
    /// (unless `complete`: the prefix is the whole file) or the header does not parse, which
    /// the reader reports with its line when it reads the file.
    public static func names(_ prefix: [UInt8], delimiter: UInt8 = UInt8(ascii: ","), complete: Bool) -> [String]? {
        prefix.withUnsafeBufferPointer { buf -> [String]? in
            guard let base = buf.baseAddress, buf.count > 0 else { return nil }
            let end = buf.count
            let start = end >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF ? 3 : 0
            let scanner = CSVTableScanner(base: base, end: end, delimiter: delimiter)
            var line = 1
            let p = scanner.skipBlankLines(start, line: &line)
            guard p < end, let h = try? scanner.header(at: p, line: line, file: "") else { return nil }
            // A header that runs to the prefix's end without its newline may be cut short.
            guard complete || (h.next > 0 && base[h.next - 1] == CSVTableScanner.newline) else { return nil }
            return positional(h.names)
        }
    }

    /// The names with each empty one replaced by its position, `column_3` for the third field,
    /// as the reader names them (a re-export often leaves the index column unnamed).
    public static func positional(_ names: [String]) -> [String] {
        guard names.contains("") else { return names }
        return names.enumerated().map { $1.isEmpty ? "column_\($0 + 1)" : $1 }
    }

    /// The 1-based positions of the empty names in the header at the start of `prefix`
    /// (see `names`), for a warning; empty when it has none or cannot be read.
    public static func unnamedFields(_ prefix: [UInt8], delimiter: UInt8 = UInt8(ascii: ","), complete: Bool) -> [Int] {
        prefix.withUnsafeBufferPointer { buf -> [Int] in
            guard let base = buf.baseAddress, buf.count > 0 else { return [] }
            let start = buf.count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF ? 3 : 0
            let scanner = CSVTableScanner(base: base, end: buf.count, delimiter: delimiter)
            var line = 1
            let p = scanner.skipBlankLines(start, line: &line)
            guard p < buf.count, let h = try? scanner.header(at: p, line: line, file: "") else { return [] }
            return h.names.enumerated().filter { $1.isEmpty }.map { $0.0 + 1 }
        }
    }

    /// Whether some name matches a wide pattern such as `Steps{index}` as the reader matches it.
    public static func matchesWide(_ pattern: String, names: [String]) -> Bool {
        guard let (prefix, suffix) = WidePattern.parts(pattern) else { return false }
        return names.contains { WidePattern.index(of: $0, prefix: prefix, suffix: suffix) != nil }
    }

    /// The name among `names` closest to `name` ("did you mean …?"), as the reader suggests it.
    public static func suggestion(for name: String, among names: [String]) -> String? {
        ColumnHint.suggestion(for: name, among: names)
    }
}
