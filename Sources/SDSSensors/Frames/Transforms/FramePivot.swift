/// Turns a long frame (one value a row, named by key columns) into a wide one.
///
/// Each row's output column is `name` with every `{key}` replaced by the row's value of that
/// key column, e.g. `"{field}_{robot_id}"` gives `fx_1`. The output has one row per distinct
/// time, ascending, and one column per name (an outer join: NaN where a column has no row at
/// that time). `lines` are dropped (a wide row merges several raw rows), and so are the key,
/// value and every other column: carry a constant per-partition column through the
/// partition key instead.
///
/// Two rows giving the same column a value at the same time are an error (not a guess):
/// clean first with duplicates `.mean` or `.first` and the same keys.
public struct FramePivot: FrameOperator, Equatable {
    public static let name = "frame.pivot"
    public static let version = 1

    /// Text columns naming each row's output column.
    public var keys: [String]
    /// The numeric column holding the values.
    public var value: String
    /// The output column name, with `{key}` placeholders for the key columns' values.
    public var name: String
    /// The expected output columns in order; when non-empty the output has exactly these
    /// (all-NaN when absent) and any other name is a parameter error. When empty, the columns
    /// found are sorted by their UTF-8 bytes.
    public var columns: [String]

    public init(keys: [String], value: String, name: String, columns: [String] = []) {
        self.keys = keys
        self.value = value
        self.name = name
        self.columns = columns
    }

    public func parameters() -> [UInt8] {
        BinaryWriter.parameters(Self.name) { w in
            TransformSupport.strings(&w, keys)
            w.string(value)
            w.string(name)
            TransformSupport.strings(&w, columns)
        }
    }

    /// A piece of the name template: literal text or the index of a key.
    private enum Piece {
        case literal(String)
        case key(Int)
    }

    /// The template's pieces, or a parameter error at the first bad brace or unknown key.
    private func template() throws(SensorError) -> [Piece] {
        let bytes = Array(name.utf8)
        var pieces: [Piece] = []
        var literal: [UInt8] = []
        var i = 0
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "{"):
                guard let close = bytes[(i + 1)...].firstIndex(where: { $0 == UInt8(ascii: "}") || $0 == UInt8(ascii: "{") }),
                      bytes[close] == UInt8(ascii: "}") else {
                    throw SensorError.parameter("\(Self.name): name template \"\(name)\" has an unclosed \"{\" at byte offset \(i)")
                }
                let key = String(decoding: bytes[(i + 1)..<close], as: UTF8.self)
                guard let k = keys.firstIndex(of: key) else {
                    throw SensorError.parameter("\(Self.name): name template \"\(name)\" uses {\(key)}, which is not one of the keys (\(keys.joined(separator: ", ")))")
                }
                if !literal.isEmpty { pieces.append(.literal(String(decoding: literal, as: UTF8.self))) }
                literal = []
                pieces.append(.key(k))
                i = close + 1
            case UInt8(ascii: "}"):
                throw SensorError.parameter("\(Self.name): name template \"\(name)\" has a \"}\" without \"{\" at byte offset \(i)")
            case let b:
                literal.append(b)
                i += 1
            }
        }
        if !literal.isEmpty { pieces.append(.literal(String(decoding: literal, as: UTF8.self))) }
        return pieces
    }

    public func apply(_ frame: Frame, quarantine: inout Quarantine) throws(SensorError) -> Frame {
        guard !keys.isEmpty else { throw SensorError.parameter("\(Self.name): keys is empty; name at least one text column") }
        guard !name.isEmpty else { throw SensorError.parameter("\(Self.name): the name template is empty") }
        try TransformSupport.requireUnique(keys, "keys", for: Self.name)
        try TransformSupport.requireUnique(columns, "columns", for: Self.name)
        let pieces = try template()
        var keyColumns: [ContiguousArray<String>] = []
        for k in keys { keyColumns.append(try TransformSupport.text(frame, k, for: Self.name)) }
        let values = try frame.doubles(value, for: Self.name)
        let n = frame.rowCount

        // Each row's key combination as a dense code, by interning one key column at a time:
        // code < n after every step, so code * width + id never overflows.
        var code = ContiguousArray<Int>(repeating: 0, count: n)
        for column in keyColumns {
            var ids: [String: Int] = [:]
            var id = ContiguousArray<Int>(repeating: 0, count: n)
            for i in 0..<n {
                if let j = ids[column[i]] { id[i] = j } else { id[i] = ids.count; ids[column[i]] = ids.count }
            }
            let width = ids.count
            var renumbered: [Int: Int] = [:]
            for i in 0..<n {
                let c = code[i] * width + id[i]
                if let j = renumbered[c] { code[i] = j } else { code[i] = renumbered.count; renumbered[c] = renumbered.count }
            }
        }
        // Codes are numbered by first appearance, so each code's first row is found in order.
        var firstRow: [Int] = []
        for i in 0..<n where code[i] == firstRow.count { firstRow.append(i) }
        let codeNames = firstRow.map { row in
            pieces.map { piece -> String in
                switch piece {
                case .literal(let s): return s
                case .key(let k): return keyColumns[k][row]
                }
            }.joined()
        }

        let outputNames: [String]
        if columns.isEmpty {
            outputNames = Set(codeNames).sorted(by: TransformSupport.bytesPrecede)
        } else {
            let expected = Set(columns)
            let unexpected = Set(codeNames.filter { !expected.contains($0) }).sorted(by: TransformSupport.bytesPrecede)
            if !unexpected.isEmpty {
                throw SensorError.parameter("\(Self.name): partition \(frame.partition) has columns missing from columns: "
                                            + unexpected.joined(separator: ", ") + " (expected \(columns.joined(separator: ", ")))")
            }
            outputNames = columns
        }
        var indexOfName: [String: Int] = [:]
        for (j, s) in outputNames.enumerated() { indexOfName[s] = j }
        let columnOfCode = codeNames.map { indexOfName[$0] ?? 0 }

        let (times, slot) = Self.distinctTimes(frame.time)
        let width = times.count
        var out = [ContiguousArray<Double>](repeating: ContiguousArray(repeating: .nan, count: width), count: outputNames.count)
        var owner = ContiguousArray<Int>(repeating: -1, count: outputNames.count * width)
        for i in 0..<n {
            let c = columnOfCode[code[i]]
            let cell = c * width + slot[i]
            if owner[cell] >= 0 {
                let first = owner[cell]
                let (a, b) = (frame.location(ofRow: first).line, frame.location(ofRow: i).line)
                let rows = if let a, let b { "lines \(a) and \(b)" } else { "rows \(first + 1) and \(i + 1)" }
                throw SensorError(.badValue, "\(Self.name): \(rows) both give column \"\(outputNames[c])\" a value at \(frame.time[i]) ms; "
                                  + "add a frame.clean step before it with duplicates: mean or first and keys: \(keys.joined(separator: ", "))",
                                  file: frame.location(ofRow: i).file, line: frame.location(ofRow: i).line)
            }
            owner[cell] = i
            out[c][slot[i]] = values[i]
        }
        return Frame(partition: frame.partition, time: times,
                     columns: zip(outputNames, out).map { FrameColumn($0, .double($1)) }, file: frame.file)
    }

    /// The distinct times ascending, and each row's index among them.
    private static func distinctTimes(_ time: ContiguousArray<Int64>) -> (ContiguousArray<Int64>, ContiguousArray<Int>) {
        var order = Array(time.indices)
        if zip(time, time.dropFirst()).contains(where: { $0 > $1 }) {
            order.sort { (time[$0], $0) < (time[$1], $1) }
        }
        var times = ContiguousArray<Int64>()
        var slot = ContiguousArray<Int>(repeating: 0, count: time.count)
        for i in order {
            if times.last != time[i] { times.append(time[i]) }
            slot[i] = times.count - 1
        }
        return (times, slot)
    }
}
