/// `sds infer`: a ready `sources:` entry for a CSV file, from a sample of its rows.
///
/// Finds the delimiter (the candidate splitting the sampled lines into the same number of
/// fields), reads the header as the reader does, types each column (number or text), picks
/// the time column with its layout and the evidence for it, and the partition candidates.
/// A date whose day and month cannot be told apart (no field above 12 in the sample) is
/// stated as ambiguous in the notes, never chosen silently.
public struct TableInference: Sendable {
    /// The `sources:` entry, as YAML lines (without a trailing newline).
    public var entry: String
    /// Why: delimiter, time evidence, partition candidates, ambiguities; one line each.
    public var notes: [String]

    /// Rows read from the start of the file.
    public static let sampleRows = 50_000

    /// - Parameters:
    ///   - bytes: the file's text (decompressed).
    ///   - path: the path to write in the entry.
    ///   - name: the source's name.
    public static func infer(_ bytes: [UInt8], path: String, name: String) throws(SensorError) -> TableInference {
        var start = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
        while start < bytes.count, bytes[start] == UInt8(ascii: "\n") || bytes[start] == UInt8(ascii: "\r") { start += 1 }
        guard start < bytes.count else { throw SensorError(.badHeader, "the file is empty", file: path, line: 1, column: 1) }
        var lines: [ArraySlice<UInt8>] = []
        var p = start
        while p < bytes.count, lines.count <= sampleRows {
            var q = p
            while q < bytes.count, bytes[q] != UInt8(ascii: "\n") { q += 1 }
            var e = q
            if e > p, bytes[e - 1] == UInt8(ascii: "\r") { e -= 1 }
            if e > p { lines.append(bytes[p..<e]) }
            p = q + 1
        }
        let delimiter = Self.delimiter(lines.prefix(50))
        let names = TableHeader.positional(Self.split(lines[0], delimiter).map { String(decoding: $0, as: UTF8.self) })
        var seen = Set<String>()
        for n in names where !seen.insert(n).inserted {
            throw SensorError(.badHeader, "column name \"\(n)\" appears twice", file: path, line: 1, column: 1)
        }
        let rows = lines.dropFirst().map { Self.split($0, delimiter) }.filter { $0.count == names.count }
        var notes: [String] = []
        let delimiterName = delimiter == UInt8(ascii: "\t") ? "tab" : "\"\(Character(UnicodeScalar(delimiter)))\""
        notes.append("delimiter \(delimiterName), header on line 1: \(names.count) columns; \(rows.count) rows sampled")
        for (i, n) in names.enumerated() where n == "column_\(i + 1)" {
            notes.append("column \(i + 1) has no name: read as \(n)")
        }

        let columns = names.indices.map { i in Column(name: names[i], values: rows.map { Array($0[i]) }) }
        return try entry(columns, rows: rows.count, notes: notes, path: path, name: name,
                         options: delimiter != UInt8(ascii: ",") ? ["delimiter: \(delimiterName)"] : [])
    }

    /// The entry for sampled `columns` (`rows` each): the time column with its evidence, the
    /// partition candidates and each other column's type, after `options` (`format: jsonl`).
    static func entry(_ columns: [Column], rows: Int, notes: [String], path: String, name: String,
                      options: [String]) throws(SensorError) -> TableInference {
        var notes = notes
        let names = columns.map(\.name)

        // The time: a date-time column, else a date column with a time-of-day column, else a date.
        var time: (column: Int, format: String, timeColumn: Int?)?
        for (i, c) in columns.enumerated() {
            if let f = c.layout(notes: &notes), !f.dateOnly {
                time = (i, f.format, nil)
                break
            }
        }
        if time == nil, let d = columns.indices.first(where: { columns[$0].layout(notes: &notes)?.dateOnly == true }) {
            let clock = columns.indices.first { $0 != d && columns[$0].isTimeOfDay }
            let f = columns[d].layout(notes: &notes)!
            time = (d, f.format, clock)
        }
        if time == nil, let e = columns.indices.first(where: { columns[$0].epoch(notes: &notes) != nil }) {
            time = (e, columns[e].epoch(notes: &notes)!, nil)
        }
        guard let time else {
            throw SensorError(.badValue, "no column holds dates or times in a layout sds knows; give time.format a pattern such as \"%d.%m.%Y %H:%M\"",
                              file: path)
        }
        notes.removeAll { $0.hasPrefix("~") && !$0.hasPrefix("~\(columns[time.column].name):") }
        var once = Set<String>()
        notes = notes.map { $0.hasPrefix("~") ? String($0.dropFirst()) : $0 }.filter { once.insert($0).inserted }
        if let t = time.timeColumn { notes.append("time of day in its own column: \(names[t])") }

        // Partition candidates: id-like columns that repeat (several rows per value).
        let used = Set([time.column] + (time.timeColumn.map { [$0] } ?? []))
        let candidates = columns.indices.filter { i in
            !used.contains(i) && (Self.idRank(names[i]) > 0 || !columns[i].isNumber)
                && columns[i].distinct * 2 <= rows && !columns[i].hasEmpty
                && !columns[i].values.contains { $0.contains(UInt8(ascii: ".")) }
        }.sorted { a, b in
            let ia = Self.idRank(names[a]), ib = Self.idRank(names[b])
            return ia != ib ? ia > ib : columns[a].distinct > columns[b].distinct
        }
        let partition = candidates.first
        notes.append(candidates.isEmpty ? "partition: no column repeats like an id; the source is one partition"
            : "partition candidates: " + candidates.prefix(6).map { "\(names[$0]) (\(columns[$0].distinct) values)" }.joined(separator: ", "))

        var out = ["  \(Self.key(name)):", "    path: \(Self.quoted(path))"]
        out += options.map { "    " + $0 }
        if let partition { out.append("    partition: \(Self.quoted(names[partition]))") }
        var t = "    time: {column: \(Self.quoted(names[time.column])), format: \(Self.quoted(time.format))"
        if let c = time.timeColumn { t += ", time_column: \(Self.quoted(names[c]))" }
        out.append(t + "}")
        let read = columns.indices.filter { !used.contains($0) && $0 != partition }
        if !read.isEmpty {
            out.append("    columns:")
            for i in read { out.append("      \(Self.key(names[i])): \(columns[i].isNumber ? "double" : "text")") }
        }
        return TableInference(entry: out.joined(separator: "\n"), notes: notes)
    }

    /// One column's sampled values.
    struct Column {
        var name: String
        var values: [[UInt8]]

        var nonEmpty: [[UInt8]] { values.filter { !$0.isEmpty && $0 != Array("NA".utf8) && $0 != Array("NaN".utf8) } }
        var hasEmpty: Bool { values.contains { $0.isEmpty } }
        var distinct: Int { Set(values).count }

        /// Numbers a Double holds exactly enough: an integer of more than 15 digits (a 64-bit id) is text.
        var isNumber: Bool {
            let v = nonEmpty
            return !v.isEmpty && v.allSatisfy { b in
                b.withUnsafeBufferPointer { NumberSyntax.double(field: $0) != nil }
                    && !(b.count > 15 && b.allSatisfy { TimeFieldParser.digit($0) != nil })
            }
        }

        /// Whether every value is a time of day such as `0:00:00` or `1:00:00 PM`.
        var isTimeOfDay: Bool {
            let v = nonEmpty
            var why = ""
            return !v.isEmpty && v.allSatisfy { b in
                b.contains(UInt8(ascii: ":")) && b.withUnsafeBufferPointer {
                    TimeFieldParser.timeOfDay($0.baseAddress!, $0.count, meridiem: .optional, secondsRequired: false, failure: &why) != nil
                }
            }
        }

        /// `epoch_ms` or `epoch_s` for a number column named like a time (`ts`, `time`, `ms`,
        /// `timestamp`…) whose values all fall in 1973–2286 in that unit (the magnitude tells
        /// the unit: milliseconds are 1000 times larger); the evidence goes to `notes`.
        func epoch(notes: inout [String]) -> String? {
            let n = name.lowercased()
            guard isNumber, ["time", "ts", "ms", "stamp", "epoch", "date", "t"].contains(where: { n == $0 || n.hasPrefix($0 + "_") || n.hasSuffix("_" + $0) || ($0.count > 2 && n.contains($0)) })
            else { return nil }
            let v = nonEmpty.compactMap { b in b.withUnsafeBufferPointer { NumberSyntax.double(field: $0) } }
            guard let low = v.min(), let high = v.max() else { return nil }
            let unit: (String, Double)
            if low >= 1e11, high < 1e13 { unit = ("epoch_ms", 1) } else if low >= 1e8, high < 1e10 { unit = ("epoch_s", 1000) } else { return nil }
            func iso(_ x: Double) -> String { WindowSupport.isoTimestamp(Int64(x * unit.1)) }
            notes.append("~\(name): numbers from \(Int64(low)) to \(Int64(high)) read as \(unit.0) (\(iso(low)) to \(iso(high))); "
                         + "the size tells the unit: seconds since 1970 would be 1000 times smaller")
            return unit.0
        }

        /// The layout every value parses in, and whether it is a date alone; notes prefixed
        /// `~NAME:` carry the evidence (kept for the chosen column only).
        func layout(notes: inout [String]) -> (format: String, dateOnly: Bool)? {
            let v = nonEmpty
            guard !v.isEmpty, !isNumber else { return nil }
            for f in TableInference.named where TableInference.all(v, f) {
                if f == .usDate || f == .usDateTime12 || f == .usDateTime24 {
                    let (first, second) = TableInference.above12(v)
                    if first > 0 { continue }   // day-first: the patterns below
                    notes.append("~\(name): month-first: \(second) rows have a second field above 12; day-first: 0"
                                 + (second == 0 ? " (AMBIGUOUS: no field above 12 in the sample; month-first is assumed, check it)" : ""))
                }
                return (f.name, f.isDateOnly)
            }
            for text in TableInference.patterns {
                guard let f = try? FrameTimeFormat(text), TableInference.all(v, f) else { continue }
                let (first, second) = TableInference.above12(v)
                let dayFirst = text.hasPrefix("%d")
                if text.hasPrefix("%d") || text.hasPrefix("%m") {
                    guard dayFirst ? second == 0 : first == 0 else { continue }
                    notes.append("~\(name): day-first: \(first) rows have a first field above 12; month-first: \(second)"
                                 + (first == 0 && second == 0 ? " (AMBIGUOUS: no field above 12 in the sample; check it)" : ""))
                }
                if case .pattern(let p) = f { return (text, !p.hasTimeOfDay) }
            }
            return nil
        }
    }

    static let named: [FrameTimeFormat] = [.iso8601, .isoDate, .usDateTime12, .usDateTime24, .usDate]
    /// Layouts tried after the named ones, day-first before month-first.
    static let patterns = [
        "%d/%m/%Y %I:%M:%S %p", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y",
        "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y",
        "%m/%d/%y %I:%M:%S %p", "%m/%d/%y %I:%M %p", "%m/%d/%y %H:%M:%S", "%m/%d/%y %H:%M", "%m/%d/%y",
        "%d/%m/%y %H:%M", "%d/%m/%y", "%m-%d-%Y %H:%M:%S", "%m-%d-%Y", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d",
        "%Y-%m-%d %H:%M", "%Y%m%d",
    ]

    static func all(_ values: [[UInt8]], _ f: FrameTimeFormat) -> Bool {
        var parser = TimeFieldParser(format: f)
        return values.allSatisfy { b in b.withUnsafeBufferPointer { parser.parse($0.baseAddress!, $0.count) != nil } }
    }

    /// Rows whose first (second) number is above 12: the day, when a date is `D/M` (`M/D`).
    static func above12(_ values: [[UInt8]]) -> (first: Int, second: Int) {
        var first = 0, second = 0
        for v in values {
            var numbers: [Int] = []
            var n = 0, digits = 0
            for b in v.prefix(12) {
                if let d = TimeFieldParser.digit(b) { n = n * 10 + d; digits += 1 } else {
                    if digits > 0 { numbers.append(n) }
                    n = 0
                    digits = 0
                    if numbers.count == 2 { break }
                }
            }
            guard numbers.count == 2 else { continue }
            if numbers[0] > 12 { first += 1 }
            if numbers[1] > 12 { second += 1 }
        }
        return (first, second)
    }

    /// 2 for a name that says it is the id (`Id`, `run_uuid`, `subject`), 1 for `cell_id`-like, else 0.
    static func idRank(_ name: String) -> Int {
        let n = name.lowercased()
        if n == "id" || n.contains("uuid") || n.contains("subject") || n.contains("user") { return 2 }
        return n.hasSuffix("id") ? 1 : 0
    }

    /// The candidate splitting the first lines into the most fields, the same number on each.
    static func delimiter(_ lines: ArraySlice<ArraySlice<UInt8>>) -> UInt8 {
        var best = UInt8(ascii: ","), bestCount = 0
        for d in [UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: ";"), UInt8(ascii: "|")] {
            let counts = Set(lines.map { split($0, d).count })
            if counts.count == 1, let c = counts.first, c > bestCount {
                best = d
                bestCount = c
            }
        }
        return best
    }

    /// A line's fields, unquoted (`""` inside quotes is a quote).
    static func split(_ line: ArraySlice<UInt8>, _ delimiter: UInt8) -> [ArraySlice<UInt8>] {
        var fields: [ArraySlice<UInt8>] = []
        var p = line.startIndex
        while true {
            if p < line.endIndex, line[p] == UInt8(ascii: "\"") {
                var value: [UInt8] = []
                var q = p + 1
                while q < line.endIndex {
                    if line[q] == UInt8(ascii: "\"") {
                        if q + 1 < line.endIndex, line[q + 1] == UInt8(ascii: "\"") { value.append(line[q]); q += 2; continue }
                        break
                    }
                    value.append(line[q])
                    q += 1
                }
                fields.append(value[...])
                p = q + 1
                while p < line.endIndex, line[p] != delimiter { p += 1 }
            } else {
                var q = p
                while q < line.endIndex, line[q] != delimiter { q += 1 }
                fields.append(line[p..<q])
                p = q
            }
            guard p < line.endIndex else { return fields }
            p += 1
        }
    }

    /// A YAML mapping key: plain when it is a simple name, else double-quoted.
    static func key(_ s: String) -> String { quoted(s) }

    static func quoted(_ s: String) -> String {
        let plain = !s.isEmpty && s.utf8.allSatisfy { b in
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_") || b == UInt8(ascii: "/")
                || b == UInt8(ascii: ".") || b == UInt8(ascii: "-")
        } && !["true", "false", "null", "yes", "no", "on", "off", "y", "n"].contains(s.lowercased())
            && Double(s) == nil
        if plain { return s }
        return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
