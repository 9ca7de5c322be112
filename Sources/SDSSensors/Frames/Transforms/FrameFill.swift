/// How `FrameFill` fills a missing value.
public enum FillMethod: UInt8, Sendable, Equatable {
    /// The last known value, if it is recent enough.
    case forward = 1
    /// Linear in time between the known neighbours, if they are close enough.
    case linear = 2
}

/// How `FrameFill` fills one numeric column.
public struct FillRule: Sendable, Equatable {
    public var column: String
    public var method: FillMethod
    /// The longest time span, in milliseconds, a fill may bridge (see `FrameFill`).
    public var maxGap: Int64
    /// Whether to append a `<column>_mask` column: 1 where observed, 0 where filled or missing.
    public var mask: Bool

    public init(column: String, method: FillMethod, maxGap: Int64, mask: Bool = false) {
        self.column = column
        self.method = method
        self.maxGap = maxGap
        self.mask = mask
    }
}

/// Fills missing (NaN) values of numeric columns over short gaps; never extrapolates.
///
/// For a missing value at time t:
/// - `.forward`: the last known value before it, at t_last, if t − t_last ≤ maxGap.
/// - `.linear`: with known neighbours at t0 < t < t1 (or equal times),
///   x0 + (x1 − x0)·(t − t0)/(t1 − t0), if t1 − t0 ≤ maxGap (x0 when t1 = t0).
///   Values before the first or after the last known value stay missing.
/// "Known" means non-NaN before this rule runs: a rule's own fills never feed it, so a long
/// gap is not bridged step by step. Rules run in order on the current column, so a second
/// rule for a column (say forward after linear) sees the first's fills. A mask column is
/// appended after the existing columns, in rule order, and is computed from the column as it
/// came in (1.0 observed, 0.0 filled or still missing). Rows, times and lines are kept; rows
/// must be in time order.
public struct FrameFill: FrameOperator, Equatable {
    public static let name = "frame.fill"
    public static let version = 1

    public var rules: [FillRule]

    public init(rules: [FillRule]) { self.rules = rules }

    public func parameters() -> [UInt8] {
        BinaryWriter.parameters(Self.name) { w in
            w.count(rules.count)
            for r in rules {
                w.string(r.column)
                w.u8(r.method.rawValue)
                w.i64(r.maxGap)
                w.u8(r.mask ? 1 : 0)
            }
        }
    }

    public func apply(_ frame: Frame, quarantine: inout Quarantine) throws(SensorError) -> Frame {
        let masks = rules.filter(\.mask).map { $0.column + "_mask" }
        try TransformSupport.requireUnique(masks, "the mask columns", for: Self.name)
        for m in masks where frame.column(named: m) != nil {
            throw SensorError.parameter("\(Self.name): mask column \"\(m)\" is already a column of partition \(frame.partition)")
        }
        for r in rules where r.maxGap < 0 {
            throw SensorError.parameter("\(Self.name): maxGap of \"\(r.column)\" is negative (\(r.maxGap) ms)")
        }
        for r in rules { _ = try frame.doubles(r.column, for: Self.name) }
        try TransformSupport.requireTimeOrder(frame, for: Self.name)

        var out = frame
        var appended: [FrameColumn] = []
        for r in rules {
            let current = try out.doubles(r.column, for: Self.name)
            let filled = r.method == .forward
                ? Self.forward(current, frame.time, r.maxGap)
                : Self.linear(current, frame.time, r.maxGap)
            out.set(FrameColumn(r.column, .double(filled)))
            if r.mask {
                let observed = try frame.doubles(r.column, for: Self.name)
                appended.append(FrameColumn(r.column + "_mask", doubles: observed.lazy.map { $0.isNaN ? 0.0 : 1.0 }))
            }
        }
        out.columns.append(contentsOf: appended)
        return out
    }

    static func forward(_ x: ContiguousArray<Double>, _ t: ContiguousArray<Int64>, _ maxGap: Int64) -> ContiguousArray<Double> {
        var out = x
        var last: (time: Int64, value: Double)?
        for i in x.indices {
            if !x[i].isNaN {
                last = (t[i], x[i])
            } else if let last, let gap = TransformSupport.elapsed(last.time, t[i]), gap <= maxGap {
                out[i] = last.value
            }
        }
        return out
    }

    static func linear(_ x: ContiguousArray<Double>, _ t: ContiguousArray<Int64>, _ maxGap: Int64) -> ContiguousArray<Double> {
        var out = x
        var previous: Int?
        for k in x.indices where !x[k].isNaN {
            defer { previous = k }
            guard let j = previous, k - j > 1,
                  let span = TransformSupport.elapsed(t[j], t[k]), span <= maxGap else { continue }
            for i in (j + 1)..<k {
                out[i] = span == 0 ? x[j] : x[j] + (x[k] - x[j]) * (Double(t[i] - t[j]) / Double(span))
            }
        }
        return out
    }
}
