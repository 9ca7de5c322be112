/// How a path length treats rows lacking a coordinate.
public enum PathGaps: String, Sendable, Equatable, CaseIterable {
    /// Skip such rows and measure straight from the last complete row to the next. A wide
    /// table whose sensors report on their own clocks (the robot's encoder rows between its
    /// load-cell rows) keeps its whole path; a real outage counts as a straight line, which
    /// underestimates a curved path through it.
    case bridge
    /// Count only steps between consecutive rows that are both complete. Never invents
    /// movement, but loses every step next to a gap, nearly all of an interleaved table.
    case drop
}

/// One statistic of a partition.
public enum StatisticFunction: Sendable, Equatable {
    /// First time, as `2022-11-23T20:40:00.444Z` (TEXT).
    case start
    /// Last time, as `start` (TEXT).
    case stop
    /// (last time - first time) / 1000 (REAL).
    case runtimeSeconds
    /// Rows (INTEGER).
    case samples
    /// Missing values (NaN, or empty text) over rows (REAL).
    case missingRatio(String)
    /// Over the present values, summed in time order (REAL).
    case mean(String)
    case min(String)
    case max(String)
    case sum(String)
    /// Sum of the Euclidean distances between successive rows in time order over these
    /// coordinate columns (REAL; 0 with fewer than two complete rows).
    case pathLength([String], gaps: PathGaps = .bridge)

    var type: StatisticType {
        switch self {
        case .start, .stop: return .text
        case .samples: return .integer
        default: return .real
        }
    }
}

/// A named statistics column.
public struct StatisticColumn: Sendable, Equatable {
    public var name: String
    public var function: StatisticFunction

    public init(name: String, function: StatisticFunction) {
        self.name = name
        self.function = function
    }
}

/// The SQLite type of a statistics column (prints as `REAL`, `TEXT` or `INTEGER`).
public enum StatisticType: String, Sendable, Equatable, CustomStringConvertible {
    case real = "REAL"
    case text = "TEXT"
    case integer = "INTEGER"

    public var description: String { rawValue }
}

/// One partition's statistics, in column order; undefined ones (an empty partition's start,
/// the mean of a column without values) are `.missing`.
public struct StatisticsRow: Sendable, Equatable {
    public var partition: String
    public var values: [WindowScalar]

    public init(partition: String, values: [WindowScalar]) {
        self.partition = partition
        self.values = values
    }

    static let tag = ObjectTag("sSTR", version: 1, name: "StatisticsRow")

    /// The canonical bytes: partition, value count, values (kind 0 missing / 1 number / 2 text).
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(Self.tag)
        w.string(partition)
        w.count(values.count)
        for v in values { v.write(&w) }
        return w.bytes
    }

    /// Decodes bytes made by `encoded()`.
    ///
    /// - Throws: `SensorError(.corruptObject)` if they are not exactly such bytes.
    public init(decoding bytes: [UInt8]) throws(SensorError) {
        var r = try BinaryReader(bytes, Self.tag)
        partition = try r.string()
        let n = try r.count(minimumSize: 1)
        var values: [WindowScalar] = []
        for _ in 0..<n { values.append(try WindowScalar.read(&r)) }
        self.values = values
        try r.finish()
    }
}

/// One row of statistics per partition frame (`frame.statistics`): run start, stop, runtime,
/// samples, distance travelled, missing ratios.
public struct PartitionStatistics: Sendable, Equatable {
    public static let name = "frame.statistics"
    public static let version = 1

    public var columns: [StatisticColumn]

    public init(columns: [StatisticColumn]) {
        self.columns = columns
    }

    /// The statistics columns' names and SQLite types, in row order.
    public var columnNames: [String] { columns.map(\.name) }
    public var columnTypes: [StatisticType] { columns.map(\.function.type) }

    /// The canonical bytes of the parameters `apply` reads, for step keys.
    public func parameters() -> [UInt8] {
        BinaryWriter.parameters(Self.name) { w in
            w.count(columns.count)
            for c in columns {
                w.string(c.name)
                switch c.function {
                case .start: w.u8(1)
                case .stop: w.u8(2)
                case .runtimeSeconds: w.u8(3)
                case .samples: w.u8(4)
                case .missingRatio(let x): w.u8(5); w.string(x)
                case .mean(let x): w.u8(6); w.string(x)
                case .min(let x): w.u8(7); w.string(x)
                case .max(let x): w.u8(8); w.string(x)
                case .sum(let x): w.u8(9); w.string(x)
                case .pathLength(let xs, let gaps):
                    w.u8(10)
                    w.count(xs.count)
                    for x in xs { w.string(x) }
                    w.u8(gaps == .bridge ? 1 : 2)
                }
            }
        }
    }

    /// Checks the column names (distinct, not empty, not `partition`) and path coordinates.
    ///
    /// - Throws: `SensorError(.invalidParameter)` saying which.
    public func validate() throws(SensorError) {
        var seen: Set<String> = ["partition"]
        for c in columns {
            guard !c.name.isEmpty, seen.insert(c.name).inserted else {
                throw SensorError.parameter("\(Self.name): column name \"\(c.name)\" is empty, repeated or \"partition\"")
            }
            if case .pathLength(let xs, _) = c.function, xs.isEmpty {
                throw SensorError.parameter("\(Self.name): path length \"\(c.name)\" needs at least one coordinate column")
            }
        }
    }

    /// The statistics of `frame`.
    ///
    /// - Throws: `SensorError(.invalidParameter)` for bad columns, or a statistic naming a
    ///   column the frame lacks or (other than `missingRatio`) a text column.
    public func apply(_ frame: Frame) throws(SensorError) -> StatisticsRow {
        try validate()
        let order = WindowSupport.ascendingOrder(frame.time)
        let n = frame.rowCount
        var values: [WindowScalar] = []
        for c in columns {
            switch c.function {
            case .start, .stop, .runtimeSeconds:
                guard let lo = frame.time.min(), let hi = frame.time.max() else { values.append(.missing); continue }
                switch c.function {
                case .start: values.append(.text(WindowSupport.isoTimestamp(lo)))
                case .stop: values.append(.text(WindowSupport.isoTimestamp(hi)))
                default: values.append(.number(Double(hi - lo) / 1000))
                }
            case .samples:
                values.append(.number(Double(n)))
            case .missingRatio(let x):
                guard let column = frame.column(named: x) else {
                    throw SensorError.parameter("\(Self.name): partition \(frame.partition) has no column \"\(x)\""
                                                + WindowSupport.didYouMean(x, among: frame.columns.map(\.name)))
                }
                let missing: Int
                switch column.values {
                case .double(let v): missing = v.reduce(0) { $1.isNaN ? $0 + 1 : $0 }
                case .text(let v): missing = v.reduce(0) { $1.isEmpty ? $0 + 1 : $0 }
                }
                values.append(n == 0 ? .missing : .number(Double(missing) / Double(n)))
            case .mean(let x), .min(let x), .max(let x), .sum(let x):
                let v = try frame.doubles(x, for: Self.name)
                values.append(Self.reduce(order.map { o in ContiguousArray(o.lazy.map { v[$0] }) } ?? v, c.function))
            case .pathLength(let xs, let gaps):
                var coordinates: [ContiguousArray<Double>] = []
                for x in xs {
                    let v = try frame.doubles(x, for: Self.name)
                    coordinates.append(order.map { o in ContiguousArray(o.lazy.map { v[$0] }) } ?? v)
                }
                values.append(.number(Self.pathLength(coordinates, rows: n, gaps: gaps)))
            }
        }
        return StatisticsRow(partition: frame.partition, values: values)
    }

    private static func reduce(_ v: ContiguousArray<Double>, _ function: StatisticFunction) -> WindowScalar {
        var count = 0
        var sum = 0.0
        var lo = Double.infinity, hi = -Double.infinity
        for x in v where !x.isNaN {
            count += 1
            sum += x
            if x < lo { lo = x }
            if x > hi { hi = x }
        }
        guard count > 0 else { return .missing }
        switch function {
        case .mean: return .number(sum / Double(count))
        case .min: return .number(lo)
        case .max: return .number(hi)
        default: return .number(sum)
        }
    }

    /// Distance along the rows; see `PathGaps` for rows lacking a coordinate.
    static func pathLength(_ coordinates: [ContiguousArray<Double>], rows: Int, gaps: PathGaps) -> Double {
        var total = 0.0
        var previous: Int?
        for i in 0..<rows {
            guard coordinates.allSatisfy({ !$0[i].isNaN }) else {
                if gaps == .drop { previous = nil }
                continue
            }
            if let p = previous {
                var squares = 0.0
                for c in coordinates {
                    let d = c[i] - c[p]
                    squares += d * d
                }
                total += squares.squareRoot()
            }
            previous = i
        }
        return total
    }
}

/// Statistics rows as CSV text.
public enum StatisticsTable {
    /// A CSV with header `partition,<names>` and one line per row, `\n`-terminated.
    ///
    /// Numbers print as Swift's `description` of the Double (the shortest text that reads back
    /// exactly, e.g. `0.5`, `5.0`, `1e-05`; locale-free, as it is computed by the standard
    /// library's own algorithm), except in `INTEGER` columns of `types`, where whole numbers
    /// print without a fraction. Missing values are empty fields. A field holding a comma,
    /// quote, CR or LF is quoted, its quotes doubled (RFC 4180).
    public static func csv(names: [String], rows: [StatisticsRow], types: [StatisticType]? = nil) -> [UInt8] {
        var out: [UInt8] = []
        func field(_ s: String) { appendField(s, to: &out) }
        field("partition")
        for name in names {
            out.append(UInt8(ascii: ","))
            field(name)
        }
        out.append(0x0A)
        for row in rows {
            field(row.partition)
            for (i, value) in row.values.enumerated() {
                out.append(UInt8(ascii: ","))
                switch value {
                case .missing: break
                case .text(let s): field(s)
                case .number(let x):
                    if x.isNaN { break }
                    if let types, i < types.count, types[i] == .integer, let whole = WindowExampleAssembly.int64(x) {
                        field(String(whole))
                    } else {
                        field(x.description)
                    }
                }
            }
            out.append(0x0A)
        }
        return out
    }

    /// Appends one CSV field: as it is, or quoted with its quotes doubled when it holds a
    /// comma, quote, CR or LF (RFC 4180).
    public static func appendField(_ s: String, to out: inout [UInt8]) {
        let needsQuotes = s.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0D || $0 == 0x0A }
        guard needsQuotes else { out.append(contentsOf: s.utf8); return }
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            out.append(b)
            if b == UInt8(ascii: "\"") { out.append(b) }
        }
        out.append(UInt8(ascii: "\""))
    }
}
