extension TableReader {
    /// The 1-based byte column where the value of `field` (a header name, or a JSON key)
    /// starts on file line `line`, or nil when the line or field is not found.
    ///
    /// Frames keep a row's line but not its columns; a report that points at one violating
    /// row asks for its column here, once, instead of every row carrying it.
    public func column(of field: String, line: Int64, in bytes: [UInt8]) -> Int? {
        guard line > 0, !bytes.isEmpty else { return nil }
        return bytes.withUnsafeBufferPointer { buffer -> Int? in
            let base = buffer.baseAddress!, end = buffer.count
            let start = end >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF ? 3 : 0
            // The line's start: lines count every newline, as the reader's do.
            var p = start, l: Int64 = 1
            while l < line {
                while p < end, base[p] != UInt8(ascii: "\n") { p += 1 }
                guard p < end else { return nil }
                p += 1
                l += 1
            }
            let lineStart = p
            var lineEnd = p
            while lineEnd < end, base[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            switch settings.format {
            case .jsonl:
                let key = Array("\"\(field)\"".utf8)
                guard key.count <= lineEnd - lineStart else { return nil }
                for q in lineStart...(lineEnd - key.count) where key.indices.allSatisfy({ base[q + $0] == key[$0] }) {
                    return q - lineStart + 1
                }
                return nil
            case .csv:
                guard let k = headerIndex(of: field, base, start, end) else { return nil }
                var q = lineStart
                for _ in 0..<k {
                    if q < end, base[q] == CSVTableScanner.quote {
                        q += 1
                        while q < end {
                            if base[q] == CSVTableScanner.quote {
                                if q + 1 < end, base[q + 1] == CSVTableScanner.quote { q += 2; continue }
                                q += 1
                                break
                            }
                            q += 1
                        }
                    }
                    while q < end, base[q] != settings.delimiter, base[q] != CSVTableScanner.newline { q += 1 }
                    guard q < end, base[q] == settings.delimiter else { return nil }
                    q += 1
                }
                return q - lineStart + 1
            }
        }
    }

    /// The position of `field` among the CSV's header names (the declared header, or the
    /// file's first line after `skip_rows` and comments, as the reader finds it).
    private func headerIndex(of field: String, _ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        if let header = settings.header { return header.firstIndex(of: field) }
        var scanner = CSVTableScanner(base: base, end: end, delimiter: settings.delimiter)
        scanner.comment = Array((settings.comment ?? "").utf8)
        var p = start, line = 1
        for _ in 0..<settings.skipRows where p < end {
            p = scanner.lineEnd(p)
            if p < end { p += 1 }
            line += 1
        }
        p = scanner.skipCommentsAndBlankLines(p, line: &line)
        guard p < end, let names = try? scanner.header(at: p, line: line, file: "").names else { return nil }
        return TableHeader.positional(names).firstIndex(of: field)
    }
}
