/// How `FrameResample` combines the non-NaN values of one bin.
public enum Aggregate: UInt8, Sendable, Equatable {
    case mean = 1
    case sum = 2
    /// The value of the latest row (ties: the last in input order).
    case last = 3
    /// The value of the earliest row (ties: the first in input order).
    case first = 4
    case min = 5
    case max = 6
    /// How many values; 0 for an empty bin.
    case count = 7
}

/// One output column of `FrameResample`.
public struct ResampleRule: Sendable, Equatable {
    /// The numeric input column.
    public var column: String
    public var aggregate: Aggregate
    /// The output column's name; nil keeps the input's (name it to aggregate a column twice).
    public var name: String?

    public init(column: String, aggregate: Aggregate, name: String? = nil) {
        self.column = column
        self.aggregate = aggregate
        self.name = name
    }
}

/// Aggregates rows into fixed time bins on a regular grid.
///
/// Bin k covers [origin + k·step, origin + (k+1)·step) and is stamped with its start. The
/// output has every bin from the earliest row's to the latest row's, so a gap in the input
/// stays visible as NaN: an empty bin is NaN for every aggregate but `.count`, which gives 0.
/// In particular `.sum` of an empty bin is NaN, not 0: "no data" is not "zero".
/// NaN inputs are ignored inside a bin (a bin of only NaN is empty).
///
/// Output columns, in input column order: each rule of a column in rule order, else
/// `defaultAggregate` under the column's own name (nil drops columns without a rule). Text
/// columns and `lines` are dropped. An empty frame gives an empty frame with those columns.
public struct FrameResample: FrameOperator, Equatable {
    public static let name = "frame.resample"
    public static let version = 1
    /// The most bins one partition may span, so a stray timestamp cannot exhaust memory.
    public static let maxBins: Int64 = 50_000_000

    /// The bin width in milliseconds (> 0).
    public var step: Int64
    /// A bin boundary, in milliseconds since the epoch.
    public var origin: Int64
    public var rules: [ResampleRule]
    public var defaultAggregate: Aggregate?

    public init(step: Int64, origin: Int64 = 0, rules: [ResampleRule] = [], defaultAggregate: Aggregate? = nil) {
        self.step = step
        self.origin = origin
        self.rules = rules
        self.defaultAggregate = defaultAggregate
    }

    public func parameters() -> [UInt8] {
        BinaryWriter.parameters(Self.name) { w in
            w.i64(step)
            w.i64(origin)
            w.count(rules.count)
            for r in rules {
                w.string(r.column)
                w.u8(r.aggregate.rawValue)
                w.string(r.name ?? r.column)  // nil and the column's own name are the same output
            }
            w.u8(defaultAggregate?.rawValue ?? 0)
        }
    }

    /// The output columns: (name, input values, aggregate).
    private func outputs(_ frame: Frame) throws(SensorError) -> [(String, ContiguousArray<Double>, Aggregate)] {
        for r in rules { _ = try frame.doubles(r.column, for: Self.name) }
        var out: [(String, ContiguousArray<Double>, Aggregate)] = []
        for c in frame.columns {
            guard let v = c.doubles else { continue }
            let own = rules.filter { $0.column == c.name }
            if own.isEmpty {
                if let d = defaultAggregate { out.append((c.name, v, d)) }
            } else {
                for r in own { out.append((r.name ?? c.name, v, r.aggregate)) }
            }
        }
        try TransformSupport.requireUnique(out.map(\.0), "the output", for: Self.name)
        return out
    }

    /// The bin of time `t`: floor((t - origin) / step), or nil on overflow.
    private func bin(_ t: Int64) -> Int64? {
        guard let d = TransformSupport.elapsed(origin, t) else { return nil }
        let q = d / step
        return d % step < 0 ? q - 1 : q
    }

    public func apply(_ frame: Frame, quarantine: inout Quarantine) throws(SensorError) -> Frame {
        guard step > 0 else { throw SensorError.parameter("\(Self.name): step must be positive (it is \(step) ms)") }
        let outputs = try outputs(frame)
        let n = frame.rowCount
        guard n > 0 else {
            return Frame(partition: frame.partition, time: [], columns: outputs.map { FrameColumn($0.0, .double([])) }, file: frame.file)
        }
        let time = frame.time
        var lo = time[0], hi = time[0]
        for t in time {
            lo = Swift.min(lo, t)
            hi = Swift.max(hi, t)
        }
        guard let kLo = bin(lo), let kHi = bin(hi) else {
            throw SensorError.parameter("\(Self.name): partition \(frame.partition): times \(lo)…\(hi) ms are too far from origin \(origin) ms")
        }
        let (span, o1) = (kHi - kLo).addingReportingOverflow(1)
        guard !o1, span <= Self.maxBins else {
            throw SensorError.parameter("\(Self.name): partition \(frame.partition) spans \(lo)…\(hi) ms, more than \(Self.maxBins) bins of \(step) ms; "
                                        + "is the step too small or a timestamp wrong?")
        }
        let (first, o2) = kLo.multipliedReportingOverflow(by: step)
        let (start, o3) = first.addingReportingOverflow(origin)
        guard !o2, !o3 else {
            throw SensorError.parameter("\(Self.name): partition \(frame.partition): the first bin of \(lo) ms is out of range")
        }
        let bins = Int(span)

        // Rows in time order (stable), so first/last and the summation order are by time.
        var order = Array(time.indices)
        if zip(time, time.dropFirst()).contains(where: { $0 > $1 }) {
            order.sort { (time[$0], $0) < (time[$1], $1) }
        }
        // Wrapping arithmetic is exact here: every true result (an offset below 2^64, a bin
        // start at most `hi`) is in range even when an intermediate is not.
        let binOf = ContiguousArray(order.lazy.map { Int(UInt64(bitPattern: time[$0] &- start) / UInt64(step)) })
        let times = ContiguousArray((0..<bins).lazy.map { start &+ Int64($0) &* step })
        let columns = outputs.map { name, values, aggregate in
            FrameColumn(name, .double(Self.aggregate(aggregate, ContiguousArray(order.lazy.map { values[$0] }), binOf, bins)))
        }
        return Frame(partition: frame.partition, time: times, columns: columns, file: frame.file)
    }

    /// The aggregate of `values` (time-ordered) into `bins` bins.
    private static func aggregate(_ aggregate: Aggregate, _ values: ContiguousArray<Double>,
                                  _ binOf: ContiguousArray<Int>, _ bins: Int) -> ContiguousArray<Double> {
        var out = ContiguousArray<Double>(repeating: .nan, count: bins)
        var count = ContiguousArray<Double>(repeating: 0, count: bins)
        for (k, x) in zip(binOf, values) where !x.isNaN {
            let empty = count[k] == 0
            count[k] += 1
            switch aggregate {
            case .mean, .sum: out[k] = empty ? x : out[k] + x
            case .first: if empty { out[k] = x }
            case .last: out[k] = x
            case .min: if empty || x < out[k] { out[k] = x }
            case .max: if empty || x > out[k] { out[k] = x }
            case .count: break
            }
        }
        switch aggregate {
        case .count: return count
        case .mean:
            for k in 0..<bins where count[k] > 0 { out[k] /= count[k] }
            return out
        default: return out
        }
    }
}
