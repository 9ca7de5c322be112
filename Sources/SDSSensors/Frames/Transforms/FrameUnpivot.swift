/// Turns a wide frame into a long one: one row per (row, listed column).
///
/// Output rows come in row order, then in `columns` order. Each carries the row's time and
/// line, the values of every column not listed (repeated), a text column `key` holding the
/// listed column's name and a numeric column `value` holding its value; these two come last.
/// A NaN value gives no row unless `keepMissing`. With `offsets`, each column's rows are
/// stamped with the row's time plus that column's offset, e.g. 60 000 ms × k for the
/// `Steps00 … Steps59` columns of an hourly wide table, which makes a per-minute series.
public struct FrameUnpivot: FrameOperator, Equatable {
    public static let name = "frame.unpivot"
    public static let version = 1

    /// The numeric columns to turn into rows.
    public var columns: [String]
    /// The output text column holding the old column name.
    public var key: String
    /// The output numeric column holding the value.
    public var value: String
    /// Whether a NaN value still gives a row.
    public var keepMissing: Bool
    /// Milliseconds added to the time of each column's rows; empty for none, else one a column.
    public var offsets: [Int64]

    public init(columns: [String], key: String, value: String, keepMissing: Bool = false, offsets: [Int64] = []) {
        self.columns = columns
        self.key = key
        self.value = value
        self.keepMissing = keepMissing
        self.offsets = offsets
    }

    public func parameters() -> [UInt8] {
        BinaryWriter.parameters(Self.name) { w in
            TransformSupport.strings(&w, columns)
            w.string(key)
            w.string(value)
            w.u8(keepMissing ? 1 : 0)
            w.count(offsets.count)
            for o in offsets { w.i64(o) }
        }
    }

    public func apply(_ frame: Frame, quarantine: inout Quarantine) throws(SensorError) -> Frame {
        guard !columns.isEmpty else { throw SensorError.parameter("\(Self.name): columns is empty") }
        try TransformSupport.requireUnique(columns, "columns", for: Self.name)
        try TransformSupport.requireUnique([key, value], "key and value", for: Self.name)
        guard offsets.isEmpty || offsets.count == columns.count else {
            throw SensorError.parameter("\(Self.name): \(columns.count) columns but \(offsets.count) offsets")
        }
        var wide: [ContiguousArray<Double>] = []
        for c in columns { wide.append(try frame.doubles(c, for: Self.name)) }
        let listed = Set(columns)
        let carried = frame.columns.filter { !listed.contains($0.name) }
        if let clash = carried.first(where: { $0.name == key || $0.name == value }) {
            throw SensorError.parameter("\(Self.name): output column \"\(clash.name)\" is already a column of partition \(frame.partition)")
        }

        var rows: [Int] = []
        var which = ContiguousArray<Int>()
        rows.reserveCapacity(frame.rowCount * columns.count)
        which.reserveCapacity(frame.rowCount * columns.count)
        for i in 0..<frame.rowCount {
            for c in wide.indices where keepMissing || !wide[c][i].isNaN {
                rows.append(i)
                which.append(c)
            }
        }
        var out = Frame(partition: frame.partition, time: frame.time, columns: carried, file: frame.file,
                        lines: frame.lines).gathered(rows)
        if !offsets.isEmpty {
            for (r, c) in which.enumerated() {
                let (t, overflow) = out.time[r].addingReportingOverflow(offsets[c])
                guard !overflow else {
                    throw SensorError(.badTimestamp, "\(Self.name): \(out.time[r]) ms + offset \(offsets[c]) ms overflows",
                                      file: frame.location(ofRow: rows[r]).file, line: frame.location(ofRow: rows[r]).line)
                }
                out.time[r] = t
            }
        }
        out.columns.append(FrameColumn(key, .text(ContiguousArray(which.lazy.map { columns[$0] }))))
        out.columns.append(FrameColumn(value, doubles: zip(rows, which).lazy.map { wide[$1][$0] }))
        return out
    }
}
