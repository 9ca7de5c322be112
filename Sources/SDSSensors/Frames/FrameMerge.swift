/// Puts the same partition of several sources into one frame: all rows, in time order.
///
/// Rows are stacked, not joined: a row keeps its own source's columns and has NaN (or "")
/// in the others'. Sources on separate clocks stay exact this way; windows and resampling
/// align them later, each channel on its own grid. Ties in time keep source order, then
/// row order, so the result does not depend on anything but the inputs.
public enum FrameMerge {
    public static let name = "frame.merge"
    public static let version = 1

    /// - Throws: `.invalidParameter` when two sources have a column of the same name.
    public static func merge(_ frames: [Frame], partition: String) throws(SensorError) -> Frame {
        if frames.count == 1 { return frames[0] }
        var names = Set<String>()
        for f in frames {
            for c in f.columns where !names.insert(c.name).inserted {
                throw SensorError.parameter("two sources of partition \(partition) both have a column \"\(c.name)\"; rename one with 'as:'")
            }
        }
        // (time, source, row) order.
        var order: [(Int64, Int, Int)] = []
        order.reserveCapacity(frames.reduce(0) { $0 + $1.rowCount })
        for (s, f) in frames.enumerated() {
            for i in 0..<f.rowCount { order.append((f.time[i], s, i)) }
        }
        order.sort { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
        var columns: [FrameColumn] = []
        for (s, f) in frames.enumerated() {
            for c in f.columns {
                switch c.values {
                case .double(let v):
                    columns.append(FrameColumn(c.name, .double(ContiguousArray(order.lazy.map { $0.1 == s ? v[$0.2] : .nan }))))
                case .text(let v):
                    columns.append(FrameColumn(c.name, .text(ContiguousArray(order.lazy.map { $0.1 == s ? v[$0.2] : "" }))))
                }
            }
        }
        // Rows keep their raw place: the file's index goes into the line's top bits.
        let located = frames.allSatisfy { !$0.lines.isEmpty || $0.rowCount == 0 } && frames.count < 1 << 15
        let lines: ContiguousArray<Int64> = located
            ? ContiguousArray(order.lazy.map { (Int64($0.1) << Frame.fileIndexShift) | frames[$0.1].lines[$0.2] }) : []
        return Frame(partition: partition, time: ContiguousArray(order.lazy.map(\.0)), columns: columns,
                     file: located ? frames.map(\.file).joined(separator: "\n") : "", lines: lines)
    }
}
