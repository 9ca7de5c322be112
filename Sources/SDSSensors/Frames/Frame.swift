/// The values of one frame column, in row order.
///
/// Numbers are doubles with NaN for a missing value; text (ids, pivot keys, units) stays text.
/// Equality compares doubles by bit pattern, because a column stands for its encoding.
public enum FrameValues: Sendable, Equatable {
    case double(ContiguousArray<Double>)
    case text(ContiguousArray<String>)

    public var count: Int {
        switch self {
        case .double(let v): return v.count
        case .text(let v): return v.count
        }
    }

    public static func == (a: FrameValues, b: FrameValues) -> Bool {
        switch (a, b) {
        case (.text(let x), .text(let y)): return x == y
        case (.double(let x), .double(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern }
        default: return false
        }
    }

    /// The rows at `indices`, in that order.
    public func gathered<S: Sequence<Int>>(_ indices: S) -> FrameValues {
        switch self {
        case .double(let v): return .double(ContiguousArray(indices.lazy.map { v[$0] }))
        case .text(let v): return .text(ContiguousArray(indices.lazy.map { v[$0] }))
        }
    }
}

/// A named column of a frame.
public struct FrameColumn: Sendable, Equatable {
    public var name: String
    public var values: FrameValues

    public init(_ name: String, _ values: FrameValues) {
        self.name = name
        self.values = values
    }

    public init(_ name: String, doubles: some Sequence<Double>) {
        self.init(name, .double(ContiguousArray(doubles)))
    }

    /// The numbers of this column, or nil for a text column.
    public var doubles: ContiguousArray<Double>? {
        if case .double(let v) = values { return v }
        return nil
    }
}

/// One partition's rows: a subject, a robot run. The unit every frame operator works on.
///
/// Invariants: every column has `time.count` rows; `lines` is empty or has one entry a row.
/// Times are milliseconds since 1970-01-01 UTC. `lines` holds each row's 1-based line in
/// `file` (the raw input), so cleaning can report `file:line` and lineage can name raw rows;
/// operators that merge rows (resample, pivot) drop it. A frame merged from several files
/// (`FrameMerge`) lists them in `file`, one a line, and keeps the file's index in the top
/// bits of each line number: read a row's place with `location(ofRow:)`, never `lines` raw.
public struct Frame: Sendable, Equatable {
    /// The partition key, e.g. a subject id or a run uuid, as text.
    public var partition: String
    public var time: ContiguousArray<Int64>
    public var columns: [FrameColumn]
    public var file: String
    public var lines: ContiguousArray<Int64>

    public init(partition: String, time: ContiguousArray<Int64>, columns: [FrameColumn],
                file: String = "", lines: ContiguousArray<Int64> = []) {
        precondition(columns.allSatisfy { $0.values.count == time.count }, "a column's length differs from time's")
        precondition(lines.isEmpty || lines.count == time.count, "lines must be empty or one a row")
        self.partition = partition
        self.time = time
        self.columns = columns
        self.file = file
        self.lines = lines
    }

    public var rowCount: Int { time.count }

    /// Bits of a line number that hold the row's file index in a merged frame.
    public static let fileIndexShift: Int64 = 48

    /// The raw file and line of row `i`, as far as known (nil for rows an operator made).
    public func location(ofRow i: Int) -> (file: String?, line: Int?) {
        let raw = lines.isEmpty ? 0 : lines[i]
        if file.contains("\n") {
            // Rows an operator made in a merged frame have no single file.
            if lines.isEmpty { return (nil, nil) }
            let files = file.split(separator: "\n", omittingEmptySubsequences: false)
            let index = Int(raw >> Self.fileIndexShift)
            let line = raw & ((1 << Self.fileIndexShift) - 1)
            return (index < files.count ? String(files[index]) : nil, line > 0 ? Int(line) : nil)
        }
        return (file.isEmpty ? nil : file, raw > 0 ? Int(raw) : nil)
    }

    public func column(named name: String) -> FrameColumn? {
        columns.first { $0.name == name }
    }

    /// The numbers of column `name`, or an `.invalidParameter` error naming the columns there are.
    public func doubles(_ name: String, for op: String) throws(SensorError) -> ContiguousArray<Double> {
        guard let c = column(named: name) else {
            throw SensorError.parameter("\(op): partition \(partition) has no column \"\(name)\" (it has \(columns.map(\.name).joined(separator: ", ")))")
        }
        guard let v = c.doubles else { throw SensorError.parameter("\(op): column \"\(name)\" holds text, not numbers") }
        return v
    }

    /// The rows at `indices` (in that order) of every column, time and lines.
    public func gathered(_ indices: [Int]) -> Frame {
        Frame(partition: partition, time: ContiguousArray(indices.lazy.map { time[$0] }),
              columns: columns.map { FrameColumn($0.name, $0.values.gathered(indices)) },
              file: file, lines: lines.isEmpty ? [] : ContiguousArray(indices.lazy.map { lines[$0] }))
    }

    /// Replaces the column named like `column`, or appends it.
    public mutating func set(_ column: FrameColumn) {
        precondition(column.values.count == time.count, "a column's length differs from time's")
        if let i = columns.firstIndex(where: { $0.name == column.name }) { columns[i] = column } else { columns.append(column) }
    }

    static let tag = ObjectTag("sFRM", version: 1, name: "Frame")

    /// The canonical bytes: partition, file, row count, times and lines as delta varints, columns.
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(Self.tag, capacity: 64 + time.count * (4 + 8 * columns.count))
        w.string(partition)
        w.string(file)
        w.count(time.count)
        w.int64Deltas(time)
        w.u8(lines.isEmpty ? 0 : 1)
        if !lines.isEmpty { w.int64Deltas(lines) }
        w.count(columns.count)
        for c in columns {
            w.string(c.name)
            switch c.values {
            case .double(let v):
                w.u8(1)
                w.doubles(v)
            case .text(let v):
                w.u8(2)
                for s in v { w.string(s) }
            }
        }
        return w.bytes
    }

    /// Decodes bytes made by `encoded()`.
    ///
    /// - Throws: `SensorError(.corruptObject)` if they are not exactly such bytes.
    public init(decoding bytes: [UInt8]) throws(SensorError) {
        var r = try BinaryReader(bytes, Self.tag)
        partition = try r.string()
        file = try r.string()
        let n = try r.count(minimumSize: 1)
        time = try r.int64Deltas(count: n)
        lines = try r.flag() ? try r.int64Deltas(count: n) : []
        let k = try r.count(minimumSize: 6)
        var columns: [FrameColumn] = []
        columns.reserveCapacity(k)
        for _ in 0..<k {
            let name = try r.string()
            switch try r.u8() {
            case 1: columns.append(FrameColumn(name, .double(try r.doubles(count: n))))
            case 2:
                var v = ContiguousArray<String>()
                v.reserveCapacity(n)
                for _ in 0..<n { v.append(try r.string()) }
                columns.append(FrameColumn(name, .text(v)))
            case let t: throw r.fail("unknown column kind \(t)")
            }
        }
        self.columns = columns
        try r.finish()
    }
}
