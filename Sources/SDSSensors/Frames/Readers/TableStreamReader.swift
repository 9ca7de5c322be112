/// Reads a CSV or JSON Lines file handed over in pieces (say, as a decompressor produces
/// them), with the same frames, quarantine and errors as `TableReader` reading it whole.
///
/// Memory stays bounded by the pieces: the reader keeps the bytes of the record not yet
/// complete (plus the next piece) and parses every complete record as it arrives. A record
/// longer than a piece grows the buffer to hold it.
public final class TableStreamReader {
    private let reader: TableReader
    private let file: String
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    /// Bytes fed so far.
    private var total = 0
    /// Whether every byte fed so far is white space (a JSON Lines file of only that is empty).
    private var onlySpace = true
    private var assembler: TableRowAssembler?
    private var quarantine: Quarantine
    /// Where the next record starts in `buffer` and its line (CSV).
    private var position = 0
    private var line = 1
    private var json = JSONLinesScanner.State()
    private var finished = false

    /// - Throws: `.invalidParameter` for settings no file could satisfy.
    public init(_ reader: TableReader, file: String, quarantine: Quarantine, capacity: Int = 1 << 16) throws(SensorError) {
        try reader.validate()
        self.reader = reader
        self.file = file
        self.quarantine = quarantine
        self.capacity = max(capacity, 16)
        buffer = .allocate(capacity: self.capacity)
    }

    deinit {
        assembler?.release()
        buffer.deallocate()
    }

    /// Parses the complete records `bytes` end, keeping the rest for the next piece.
    /// - Throws: as `TableReader.read`, as soon as the bytes show the error.
    public func feed(_ bytes: UnsafeRawBufferPointer) throws(SensorError) {
        guard bytes.count > 0 else { return }
        if count + bytes.count > capacity {
            capacity = max(capacity * 2, count + bytes.count)
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            grown.update(from: buffer, count: count)
            buffer.deallocate()
            buffer = grown
        }
        UnsafeMutableRawPointer(buffer + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        if onlySpace { onlySpace = TableReader.onlySpace(buffer, count, count + bytes.count) }
        count += bytes.count
        total += bytes.count
        try parse(final: false)
    }

    /// Parses what is left as the file's end.
    /// - Returns: the frames and quarantine `TableReader.read` gives for the whole file.
    public func finish() throws(SensorError) -> (frames: [Frame], quarantine: Quarantine) {
        precondition(!finished, "TableStreamReader.finish called twice")
        finished = true
        if total == 0 {
            // No bytes at all: the whole-file reader's answer (empty, or no rows under a given header).
            var q = quarantine
            return (try reader.read([], file: file, quarantine: &q), q)
        }
        try parse(final: true)
        guard var a = assembler else {
            // Nothing but space or header lines: the whole-file reader says why.
            var q = quarantine
            return (try reader.read(UnsafeRawBufferPointer(start: buffer, count: count), file: file, quarantine: &q), q)
        }
        if reader.settings.format == .jsonl { try JSONLinesScanner.finish(json, a) }
        let q = a.quarantine
        let frames = a.finish()
        a.release()
        assembler = nil
        return (frames, q)
    }

    private func parse(final: Bool) throws(SensorError) {
        if assembler == nil {
            guard try start(final: final) else { return }
        }
        assembler!.rebase(buffer)
        switch reader.settings.format {
        case .csv:
            let scanner = reader.csvScanner(buffer, count)
            let (stop, next) = try scanner.rows(from: position, firstLine: line, final: final, into: &assembler!)
            position = stop
            line = next
        case .jsonl:
            position = try JSONLinesScanner(base: buffer, end: count).rows(from: position, final: final, state: &json, into: &assembler!)
        }
        // Keep only the record not yet complete.
        if position > 0 {
            buffer.update(from: buffer + position, count: count - position)
            count -= position
            position = 0
        }
    }

    /// Reads the header once enough bytes are in; false while they are not.
    private func start(final: Bool) throws(SensorError) -> Bool {
        // A UTF-8 byte order mark is not part of the first line.
        if !final, count < 3 { return false }
        let skip = count >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF ? 3 : 0
        let layout: TableLayout
        switch reader.settings.format {
        case .csv:
            guard let (l, p, n) = try reader.csvHeader(reader.csvScanner(buffer, count), from: skip, final: final, file: file) else { return false }
            (layout, position, line) = (l, p, n)
        case .jsonl:
            // Left to `finish` (the file is empty) while there is only space.
            guard !onlySpace else { return false }
            layout = TableLayout.json(reader.settings)
            position = skip
        }
        assembler = TableRowAssembler(base: buffer, file: file, layout: layout, parameters: reader.settings, zone: reader.zone,
                                      quarantine: quarantine)
        if reader.settings.format == .jsonl { JSONLinesScanner(base: buffer, end: count).rowsStart(&json, assembler!) }
        return true
    }
}
