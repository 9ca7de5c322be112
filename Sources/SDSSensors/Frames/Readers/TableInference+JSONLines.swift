extension TableInference {
    /// Whether `bytes` look like JSON Lines: the first non-blank byte (past a byte order mark) is `{`.
    public static func isJSONLines(_ bytes: [UInt8]) -> Bool {
        var p = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while p < bytes.count, [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(bytes[p]) { p += 1 }
        return p < bytes.count && bytes[p] == UInt8(ascii: "{")
    }

    /// The entry for a JSON Lines file: each key seen in the sample is a column (in the order
    /// keys first appear), `null` or a missing key an empty value, `true`/`false` 1 and 0 as
    /// the reader reads them; keys holding objects or arrays are left out, with a note.
    public static func inferJSONLines(_ bytes: [UInt8], path: String, name: String) throws(SensorError) -> TableInference {
        var keys: [String] = []
        var index: [String: Int] = [:]
        var values: [[[UInt8]]] = []
        var nested = Set<Int>()
        var rows = 0, bad = 0, firstBad = 0, line = 0
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let scanner = JSONLinesScanner(base: base, end: buffer.count)
            var scratch = ScratchBytes()
            defer { scratch.release() }
            var p = buffer.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            while p < buffer.count, rows < sampleRows {
                line += 1
                var q = p
                while q < buffer.count, buffer[q] != UInt8(ascii: "\n") { q += 1 }
                var e = q
                if e > p, buffer[e - 1] == UInt8(ascii: "\r") { e -= 1 }
                let start = p
                p = q + 1
                if buffer[start..<e].allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
                let (entries, complete) = scanner.objectEntries(start, e)
                guard complete else {
                    bad += 1
                    if firstBad == 0 { firstBad = line }
                    continue
                }
                for (key, value) in entries {
                    scratch.count = 0
                    if key.escaped, JSONStrings.unescape(base + key.start, key.count, into: &scratch) {} else { scratch.append(base + key.start, key.count) }
                    let k = String(decoding: UnsafeBufferPointer(start: scratch.base, count: scratch.count), as: UTF8.self)
                    let column: Int
                    if let c = index[k] {
                        column = c
                    } else {
                        column = keys.count
                        index[k] = column
                        keys.append(k)
                        values.append([[UInt8]](repeating: [], count: rows))
                    }
                    // Keys repeated in one object: the reader keeps the last, so does this.
                    if values[column].count > rows { values[column].removeLast() }
                    switch value.kind {
                    case .nested: nested.insert(column); values[column].append([])
                    case .null: values[column].append([])
                    case .jsonTrue: values[column].append(Array("1".utf8))
                    case .jsonFalse: values[column].append(Array("0".utf8))
                    case .jsonEscaped:
                        scratch.count = 0
                        _ = JSONStrings.unescape(base + value.start, value.end - value.start, into: &scratch)
                        values[column].append(Array(UnsafeBufferPointer(start: scratch.base, count: scratch.count)))
                    default: values[column].append(Array(buffer[value.start..<value.end]))
                    }
                }
                rows += 1
                for c in values.indices where values[c].count < rows { values[c].append([]) }
            }
        }
        guard rows > 0 else {
            throw SensorError(.badHeader, bad > 0 ? "no line holds one flat JSON object" : "the file is empty",
                              file: path, line: max(firstBad, 1), column: 1)
        }
        var notes = ["JSON Lines: \(keys.count) keys; \(rows) objects sampled"]
        if bad > 0 { notes.append("\(bad) lines are not one JSON object (first: line \(firstBad)); the build sets them aside") }
        for c in nested.sorted() { notes.append("key \(keys[c]) holds objects or arrays: not read") }
        let columns = keys.indices.filter { !nested.contains($0) }.map { Column(name: keys[$0], values: values[$0]) }
        return try entry(columns, rows: rows, notes: notes, path: path, name: name, options: ["format: jsonl"])
    }
}
