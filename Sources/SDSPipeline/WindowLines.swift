import SDSCore
import SDSSensors
import SDSStore

/// The raw lines behind one example: of each source partition, the rows whose time falls in
/// the example's window `[start, end)`, found in the stored partition object (read step output).
///
/// A frame keeps each row's line, relative to the partition's first line. A partition of a
/// build made by sds before 0.1.0 (the removed wearable engine) keeps only its line span: its
/// rows are the lines of that span when the span holds nothing else, else they are unknown.
struct WindowLines {
    let store: ObjectStore

    /// The 1-based file lines of the window's rows, ascending and distinct (a wide row that
    /// became several timed rows is one line); nil when they cannot be told exactly.
    func lines(of source: Builder.PartitionSource, entity: String, start: Int64, end: Int64) throws -> [Int]? {
        let bytes = try store.read(source.partition)
        if let frame = try? Frame(decoding: bytes) {
            guard !frame.lines.isEmpty else { return nil }
            let base = Int64(max(source.firstLine - 1, 0))
            var out = Set<Int>()
            for (i, t) in frame.time.enumerated() where t >= start && t < end { out.insert(Int(frame.lines[i] + base)) }
            return out.sorted()
        }
        let partition = try StepCodec.sensors { () throws(SensorError) in try SensorPartition(decoding: bytes) }
        let rows = partition.times.indices.filter { partition.times[$0] >= start && partition.times[$0] < end }
        if partition.rowCount == partition.lastLine - partition.firstLine + 1 { return rows.map { partition.firstLine + $0 } }
        return nil
    }

    /// Ascending lines as runs of consecutive lines (`[[first, last], …]`).
    static func ranges(_ lines: [Int]) -> [ClosedRange<Int>] {
        var out: [ClosedRange<Int>] = []
        for l in lines {
            if let last = out.last, last.upperBound + 1 == l { out[out.count - 1] = last.lowerBound...l } else { out.append(l...l) }
        }
        return out
    }
}
