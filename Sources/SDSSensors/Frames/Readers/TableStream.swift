import Glibc

/// Reads a CSV table fed in chunks of any size, handing out each partition's frame as soon
/// as the next partition starts (for a file grouped by partition, as sorted exports are).
///
/// Gives exactly what `TableReader.read` gives for the whole file: the same frames (rows in
/// file order, the same lines), the same set-aside rows, the same errors. A partition seen
/// again after it was handed out (the file is not grouped) stops the handing out: its later
/// rows, and every partition after that, come from `finish`, and the caller joins a
/// partition's pieces in order (`Frame.appending`).
///
/// Only what can be cut at line ends is streamed: a small file, a JSON Lines file, or any
/// chunk that holds a quote (a quoted field may hold a line end) makes the stream keep the
/// rest of the input and parse it whole at `finish`.
public struct TableStream {
    public let reader: TableReader
    public let file: String
    public private(set) var quarantine: Quarantine

    /// Bytes not parsed yet: the start of the file until the header is read, then a line cut
    /// by the end of the previous chunk (or, once whole, everything from the last cut).
    private var carry: [UInt8] = []
    /// Parsing state once the header is read (nil before, and when parsing whole).
    private var assembler: TableRowAssembler?
    /// The comment prefix's bytes (none when empty).
    private let comment: [UInt8]
    /// The line the next unparsed byte is on.
    private var line = 1
    /// The rest of the input is kept and parsed at `finish` (see the type's note).
    private var whole = false
    private var failed = false

    /// Bytes gathered before the header is read: enough for any real header (less lets
    /// tests stream small files).
    let headerBytes: Int
    /// The bytes to gather before the next try to read the header (doubled after each).
    private var startAt: Int

    public init(_ reader: TableReader, file: String, quarantine: Quarantine) {
        self.init(reader, file: file, quarantine: quarantine, headerBytes: 1 << 20)
    }

    package init(_ reader: TableReader, file: String, quarantine: Quarantine, headerBytes: Int) {
        self.headerBytes = headerBytes
        startAt = headerBytes
        self.reader = reader
        self.file = file
        self.quarantine = quarantine
        comment = Array((reader.settings.comment ?? "").utf8)
    }

    /// Whether the stream hands out partitions (false once a file is parsed whole, or a
    /// partition was seen again).
    public var streaming: Bool { !whole && !(assembler?.reopened ?? false) }

    /// Parses the complete lines of the next chunk.
    ///
    /// - Returns: the partitions that ended before the last row parsed, in file order.
    /// - Throws: what `TableReader.read` throws for these rows.
    public mutating func consume(_ chunk: UnsafeRawBufferPointer) throws(SensorError) -> [Frame] {
        precondition(!failed, "TableStream used after an error")
        guard let raw = chunk.baseAddress, chunk.count > 0 else { return [] }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        if whole || assembler == nil {
            carry.append(contentsOf: UnsafeBufferPointer(start: base, count: chunk.count))
            if whole || carry.count < startAt { return [] }
            failed = true
            try start()
            failed = false
            return take()
        }
        failed = true
        var p = 0
        if !carry.isEmpty {
            // Finish the cut line with this chunk's first line, parsed on its own.
            var newline = 0
            while newline < chunk.count, base[newline] != CSVTableScanner.newline { newline += 1 }
            carry.append(contentsOf: UnsafeBufferPointer(start: base, count: min(newline + 1, chunk.count)))
            guard newline < chunk.count else {
                failed = false
                return []
            }
            let bytes = carry
            carry = []
            p = newline + 1
            guard try parseRegion(bytes) else {
                carry.append(contentsOf: UnsafeBufferPointer(start: base + p, count: chunk.count - p))
                failed = false
                return []
            }
        }
        var last = chunk.count - 1
        while last >= p, base[last] != CSVTableScanner.newline { last -= 1 }
        if last >= p {
            if try !parse(base + p, count: last + 1 - p) {
                carry = Array(UnsafeBufferPointer(start: base + p, count: chunk.count - p))
                failed = false
                return []
            }
        }
        carry = Array(UnsafeBufferPointer(start: base + max(p, last + 1), count: chunk.count - max(p, last + 1)))
        failed = false
        return take()
    }

    /// Parses the chunk; see the `UnsafeRawBufferPointer` form.
    public mutating func consume(_ chunk: [UInt8]) throws(SensorError) -> [Frame] {
        var me = self
        let result: Result<[Frame], SensorError> = chunk.withUnsafeBytes { buffer in
            do throws(SensorError) { return .success(try me.consume(buffer)) } catch { return .failure(error) }
        }
        self = me
        return try result.get()
    }

    /// Parses what is left and returns every partition's frame (or the rest of it) not
    /// handed out yet, sorted by key bytes.
    public mutating func finish() throws(SensorError) -> [Frame] {
        precondition(!failed, "TableStream used after an error")
        failed = true
        defer { assembler?.release() }
        if assembler == nil {
            // Never started (a small file, JSON Lines, …): one whole read, as `TableReader` does.
            var q = quarantine
            let frames = try reader.read(carry, file: file, quarantine: &q)
            quarantine = q
            carry = []
            failed = false
            return frames
        }
        if !carry.isEmpty {
            let bytes = carry
            carry = []
            whole = false
            _ = try parseRegion(bytes, last: true)
        }
        quarantine = assembler!.quarantine
        let frames = assembler!.finish()
        failed = false
        return frames
    }

    private mutating func take() -> [Frame] {
        guard streaming, assembler != nil else { return [] }
        return assembler!.takeClosed()
    }

    /// Reads the header from `carry` and parses the whole lines after it; a file that cannot
    /// be streamed stays in `carry`, to be read whole.
    private mutating func start() throws(SensorError) {
        let s = reader.settings
        guard s.format == .csv, s.header == nil, !carry.contains(CSVTableScanner.quote) else {
            whole = true
            return
        }
        try reader.validate()
        let bytes = carry
        carry = []
        var keep = false
        try bytes.withUnsafeBufferPointer { (buffer) throws(SensorError) in
            let base = buffer.baseAddress!
            var cut = buffer.count - 1
            while cut >= 0, base[cut] != CSVTableScanner.newline { cut -= 1 }
            let end = cut + 1
            let start = end >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF ? 3 : 0
            var scanner = CSVTableScanner(base: base, end: end, delimiter: s.delimiter)
            scanner.comment = comment
            var p = start
            var line = 1
            for _ in 0..<s.skipRows where p < end {
                p = scanner.lineEnd(p)
                if p < end { p += 1 }
                line += 1
            }
            p = scanner.skipCommentsAndBlankLines(p, line: &line)
            // The header must end on a whole line here, with rows after it.
            guard p < end else {
                keep = true
                return
            }
            let (names, columns, next, nextLine) = try scanner.header(at: p, line: line, file: file)
            guard next < end else {
                keep = true
                return
            }
            let layout = try TableLayout.csv(s, names: TableHeader.positional(names), columns: columns, line: line, file: file)
            let zone = s.time.format.isEpoch || s.time.zone == "UTC" ? nil : ZoneResolver(s.time.zone)
            assembler = TableRowAssembler(base: base, file: file, layout: layout, parameters: s, zone: zone, quarantine: quarantine)
            self.line = nextLine
            carry = Array(UnsafeBufferPointer(start: base + end, count: buffer.count - end))
            guard try parse(base + next, count: end - next) else {
                // Quoted rows: keep them and the rest, from the first row on.
                carry = Array(UnsafeBufferPointer(start: base + next, count: buffer.count - next))
                return
            }
        }
        if keep {
            // The header does not end on a whole line yet: try again with more bytes.
            startAt = bytes.count * 2
            carry = bytes
        }
    }

    /// Parses whole lines held in `bytes` (the last bytes of the input when `last`).
    private mutating func parseRegion(_ bytes: [UInt8], last: Bool = false) throws(SensorError) -> Bool {
        var me = self
        let result: Result<Bool, SensorError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(SensorError) {
                return .success(try me.parse(buffer.baseAddress!, count: buffer.count, last: last))
            } catch {
                return .failure(error)
            }
        }
        self = me
        let parsed = try result.get()
        if !parsed { carry = bytes }
        return parsed
    }

    /// Parses the rows of `count` bytes at `base`, which end a line (or the input, when
    /// `last`); false, parsing nothing, for bytes holding a quote unless they are the last.
    private mutating func parse(_ base: UnsafePointer<UInt8>, count: Int, last: Bool = false) throws(SensorError) -> Bool {
        guard count > 0 else { return true }
        if !last, memchr(base, Int32(CSVTableScanner.quote), count) != nil {
            whole = true
            return false
        }
        var a = assembler!
        assembler = nil
        defer { assembler = a }
        a.rebase(base)
        var scanner = CSVTableScanner(base: base, end: count, delimiter: reader.settings.delimiter)
        scanner.comment = comment
        line = try scanner.rows(from: 0, firstLine: line, into: &a).line
        return true
    }
}

extension Frame {
    /// This frame's rows followed by `other`'s (the later rows of the same partition, with
    /// the same columns).
    public func appending(_ other: Frame) -> Frame {
        var out = self
        out.time.append(contentsOf: other.time)
        if !lines.isEmpty || !other.lines.isEmpty { out.lines.append(contentsOf: other.lines) }
        for (i, c) in other.columns.enumerated() {
            switch (out.columns[i].values, c.values) {
            case (.double(var a), .double(let b)):
                a.append(contentsOf: b)
                out.columns[i].values = .double(a)
            case (.text(var a), .text(let b)):
                a.append(contentsOf: b)
                out.columns[i].values = .text(a)
            default: preconditionFailure("a partition's pieces differ in column kinds")
            }
        }
        return out
    }
}
