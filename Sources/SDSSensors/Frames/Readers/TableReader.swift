/// Reads a whole CSV or JSON Lines file into one `Frame` per partition.
///
/// Rows are parsed straight from the bytes; a wide table (`Steps00 … Steps59`) is unpivoted
/// while reading. Bad rows (wrong field count, bad number or timestamp, a local time the zone
/// skips or repeats, a value out of range, a missing key) go to the quarantine under a short
/// reason, or fail the read at `file:line:column` in strict mode. A header that lacks a
/// declared column fails the read in either mode, with a "did you mean" hint.
public struct TableReader: Sendable {
    public static let name = "read.table"
    /// 2: set-aside rows are located as `file:line:col`.
    public static let version = 2

    public var settings: TableReaderParameters

    public init(_ settings: TableReaderParameters) {
        self.settings = settings
    }

    /// The canonical bytes of the parameters (the delimiter only for CSV, the zone only for
    /// text times, which are all the reader reads).
    public func parameters() -> [UInt8] {
        let s = settings
        return BinaryWriter.parameters(Self.name) { w in
            switch s.format {
            case .csv:
                w.u8(1)
                w.u8(s.delimiter)
                w.u8(s.header == nil ? 0 : 1)
                if let header = s.header {
                    w.count(header.count)
                    for h in header { w.string(h) }
                }
            case .jsonl:
                w.u8(2)
            }
            w.count(s.partition.count)
            for p in s.partition { w.string(p) }
            w.string(s.time.column)
            w.u8(s.time.format.code)
            if case .pattern(let pattern) = s.time.format {
                w.string(pattern.text)
                w.i64(Int64(pattern.century ?? -1))
            }
            w.u8(s.time.timeColumn == nil ? 0 : 1)
            if let t = s.time.timeColumn { w.string(t) }
            if !s.time.format.isEpoch { w.string(s.time.zone) }
            func range(_ r: ClosedRange<Double>?) {
                w.u8(r == nil ? 0 : 1)
                if let r {
                    w.f64(r.lowerBound)
                    w.f64(r.upperBound)
                }
            }
            w.count(s.columns.count)
            for c in s.columns {
                w.string(c.source)
                w.string(c.name)
                w.u8(c.type == .double ? 1 : 2)
                range(c.valid)
                w.u8(c.allowMissing ? 1 : 0)
            }
            w.u8(s.wide == nil ? 0 : 1)
            if let wide = s.wide {
                w.string(wide.pattern)
                w.string(wide.value)
                w.i64(wide.step)
                range(wide.valid)
                w.u8(wide.allowMissing ? 1 : 0)
            }
            w.count(s.missing.count)
            for m in s.missing { w.string(m) }
            // Written only when set, so the parameters of a reader without them are unchanged.
            if s.skipRows != 0 || s.comment != nil || s.decimalComma {
                w.u8(1)
                w.i64(Int64(s.skipRows))
                w.string(s.comment ?? "")
                w.u8(s.decimalComma ? 1 : 0)
            }
        }
    }

    /// Parses a whole file.
    ///
    /// - Parameters:
    ///   - file: the name used in errors, quarantine locations and each frame's `file`.
    ///   - quarantine: collects the rejected rows (strict: the first one throws).
    /// - Returns: every partition's frame, sorted by key bytes, with its rows in file order and
    ///   `lines` holding each row's 1-based line (a wide row's outputs share their line);
    ///   no frames for a header-only file.
    /// - Throws: `SensorError`: `.invalidParameter` for unusable settings, `.badHeader` for an
    ///   empty file or a header that does not fit them, a row's error in strict mode.
    public func read(_ bytes: UnsafeRawBufferPointer, file: String, quarantine: inout Quarantine) throws(SensorError) -> [Frame] {
        try validate()
        guard let raw = bytes.baseAddress, bytes.count > 0 else {
            if settings.format == .csv, let header = settings.header {
                _ = try TableLayout.csv(settings, names: header, columns: [], line: 0, file: file)
                return []
            }
            throw SensorError(.badHeader, "the file is empty", file: file, line: 1, column: 1)
        }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        let end = bytes.count
        // A UTF-8 byte order mark is not part of the first line.
        let start = end >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF ? 3 : 0
        let zone = zone

        switch settings.format {
        case .csv:
            let scanner = csvScanner(base, end)
            let (layout, p, line) = try csvHeader(scanner, from: start, final: true, file: file)!
            var a = TableRowAssembler(base: base, file: file, layout: layout, parameters: settings, zone: zone, quarantine: quarantine)
            defer { a.release() }
            try scanner.rows(from: p, firstLine: line, into: &a)
            quarantine = a.quarantine
            return a.finish()
        case .jsonl:
            guard !Self.onlySpace(base, start, end) else {
                throw SensorError(.badHeader, "the file is empty", file: file, line: 1, column: 1)
            }
            var a = TableRowAssembler(base: base, file: file, layout: TableLayout.json(settings), parameters: settings,
                                      zone: zone, quarantine: quarantine)
            defer { a.release() }
            try JSONLinesScanner(base: base, end: end).rows(from: start, into: &a)
            quarantine = a.quarantine
            return a.finish()
        }
    }

    func csvScanner(_ base: UnsafePointer<UInt8>, _ end: Int) -> CSVTableScanner {
        var scanner = CSVTableScanner(base: base, end: end, delimiter: settings.delimiter)
        scanner.comment = Array((settings.comment ?? "").utf8)
        return scanner
    }

    /// The zone local times are read in (nil: UTC or epoch times).
    var zone: ZoneResolver? {
        settings.time.format.isEpoch || settings.time.zone == "UTC" ? nil : ZoneResolver(settings.time.zone)
    }

    /// The layout of a CSV file from `start` (past any byte order mark), and the position and
    /// line of its first record; nil when not `final` and the lines before it may go on past
    /// the scanner's end.
    func csvHeader(_ scanner: CSVTableScanner, from start: Int, final: Bool, file: String) throws(SensorError)
        -> (layout: TableLayout, position: Int, line: Int)? {
        let end = scanner.end
        var p = start
        var line = 1
        for _ in 0..<settings.skipRows where p < end {
            p = scanner.lineEnd(p)
            if p < end { p += 1 } else if !final { return nil }
            line += 1
        }
        p = scanner.skipCommentsAndBlankLines(p, line: &line)
        if let header = settings.header {
            // The comment and blank lines before the rows must be whole too.
            if !final, p == end || scanner.lineEnd(p) == end { return nil }
            return (try TableLayout.csv(settings, names: header, columns: [], line: 0, file: file), p, line)
        }
        if !final, p == end || scanner.lineEnd(p) == end { return nil }
        guard p < end else { throw SensorError(.badHeader, "the file is empty", file: file, line: 1, column: 1) }
        // A quoted name may hold a newline, so a header cut short can look badly quoted: only
        // the whole file's header error is reported.
        let read = final ? try scanner.header(at: p, line: line, file: file) : try? scanner.header(at: p, line: line, file: file)
        guard let (names, columns, next, nextLine) = read, final || next < end else { return nil }
        return (try TableLayout.csv(settings, names: TableHeader.positional(names), columns: columns, line: line, file: file),
                next, nextLine)
    }

    /// Parses a whole file; see the `UnsafeRawBufferPointer` form.
    public func read(_ bytes: [UInt8], file: String, quarantine: inout Quarantine) throws(SensorError) -> [Frame] {
        var q = quarantine
        let result: Result<[Frame], SensorError> = bytes.withUnsafeBytes { buffer in
            do throws(SensorError) {
                return .success(try read(buffer, file: file, quarantine: &q))
            } catch {
                return .failure(error)
            }
        }
        quarantine = q
        return try result.get()
    }

    static func onlySpace(_ base: UnsafePointer<UInt8>, _ p: Int, _ end: Int) -> Bool {
        UnsafeBufferPointer(start: base + p, count: end - p).allSatisfy {
            $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r")
        }
    }

    /// The largest wide `step`: with at most 6 index digits, `index × step` stays far from overflow.
    static let maximumStep: Int64 = 1_000_000_000_000

    /// Throws `.invalidParameter` for settings no file could satisfy.
    public func validate() throws(SensorError) {
        let s = settings
        func fail(_ message: String) -> SensorError { SensorError.parameter("\(Self.name): " + message) }
        switch s.format {
        case .csv:
            guard ![UInt8(ascii: "\""), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(s.delimiter) else {
                throw fail("the delimiter cannot be a quote or a line end")
            }
            if s.decimalComma, s.delimiter == UInt8(ascii: ",") {
                throw fail("with decimal \",\" the delimiter must be another character, such as \";\"")
            }
            if s.comment == "" { throw fail("the comment prefix cannot be empty") }
        case .jsonl:
            guard s.header == nil else { throw fail("a header can only be given for CSV") }
            guard s.skipRows == 0, s.comment == nil, !s.decimalComma else {
                throw fail("skip_rows, comment and decimal apply to CSV only")
            }
            guard s.wide == nil else { throw fail("wide columns need a CSV header") }
        }
        guard s.skipRows >= 0 else { throw fail("skip_rows must be 0 or more, not \(s.skipRows)") }
        if case .pattern(let pattern) = s.time.format {
            if s.time.timeColumn != nil, !pattern.hasTimeOfDay {
                throw fail("with a separate time-of-day column the pattern \"\(pattern.text)\" must read the time too (the date, a space, the time), e.g. \"%m/%d/%Y %H:%M\"")
            }
        } else if s.time.timeColumn != nil, !s.time.format.isDateOnly {
            throw fail("a separate time-of-day column needs a date format (\(FrameTimeFormat.usDate.name), \(FrameTimeFormat.isoDate.name) or a pattern), not \(s.time.format.name)")
        }
        if !s.time.format.isEpoch, s.time.zone != "UTC", ZoneResolver(s.time.zone) == nil {
            throw fail("unknown time zone \"\(s.time.zone)\"")
        }
        var names = Set<String>()
        for c in s.columns {
            guard names.insert(c.name).inserted else { throw fail("two columns are named \"\(c.name)\"") }
            if c.type == .text, c.valid != nil { throw fail("column \"\(c.name)\" holds text, so it cannot have a valid range") }
        }
        if let wide = s.wide {
            guard names.insert(wide.value).inserted else { throw fail("two columns are named \"\(wide.value)\"") }
            guard WidePattern.parts(wide.pattern) != nil else {
                throw fail("the wide pattern \"\(wide.pattern)\" must contain \(WidePattern.placeholder) once")
            }
            guard wide.step > 0, wide.step <= Self.maximumStep else {
                throw fail("the wide step must be between 1 and \(Self.maximumStep) ms, not \(wide.step)")
            }
        }
    }
}
