import SDSCore
import SDSSensors
import SDSStore

/// The raw lines behind one example: of each source partition, the rows whose time falls in
/// the example's window `[start, end)`, found in the stored partition object (read step output).
///
/// A frame (general pipeline) keeps each row's line, relative to the partition's first line.
/// A wearable partition keeps only its line span: its rows are the lines of that span when
/// the span holds nothing else; otherwise the raw input is scanned for the entity's lines.
struct WindowLines {
    let store: ObjectStore
    /// The entity column of each wearable source (by source name), to scan interleaved files.
    let entityColumns: [String: String]

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
        guard let column = entityColumns[source.source],
              let all = try entityLines(input: source.input, entity: entity, column: column, within: partition.firstLine...partition.lastLine),
              all.count == partition.rowCount else { return nil }
        return rows.map { all[$0] }
    }

    /// The lines in `span` of the input whose field `column` is `entity`, in file order (the
    /// wearable reader's rows: unquoted CSV, blank lines skipped).
    private func entityLines(input: ObjectID, entity: String, column: String, within span: ClosedRange<Int>) throws -> [Int]? {
        let bytes = try store.read(input)
        let want = Array(entity.utf8)
        var out: [Int] = []
        var index: Int?
        var line = 1, start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            var text = bytes[start..<end]
            if text.last == UInt8(ascii: "\r") { text = text.dropLast() }
            let fields = text.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
            if line == 1 {
                index = fields.firstIndex { Array($0) == Array(column.utf8) }
                guard index != nil else { return nil }
            } else if span.contains(line), !text.isEmpty, let index, index < fields.count, Array(fields[index]) == want {
                out.append(line)
            }
            if line >= span.upperBound { break }
            line += 1
            start = end + 1
        }
        return out
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
