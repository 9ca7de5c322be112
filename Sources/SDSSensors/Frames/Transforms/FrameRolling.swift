/// The statistic `FrameRolling` computes over its window.
public enum RollingStatistic: UInt8, Sendable, Equatable {
    case mean = 1
    /// The sample standard deviation (divides by n − 1).
    case std = 2
}

/// Adds a trailing-window statistic of a numeric column, e.g. a 1 s moving average.
///
/// Row i's window holds the rows with times in (t[i] − window, t[i]], so rows at the same
/// time share one window. NaN values are ignored; fewer than `minCount` values give NaN, and
/// so does the std of a single value. One pass with two pointers (O(n)), keeping a running
/// mean and sum of squared deviations (Welford's update, applied in reverse when a value
/// leaves the window), which avoids the cancellation of a plain sum of squares. Rows must be
/// in time order.
public struct FrameRolling: FrameOperator, Equatable {
    public static let name = "frame.rolling"
    public static let version = 1

    public var column: String
    public var name: String
    /// The window length in milliseconds (> 0).
    public var window: Int64
    public var statistic: RollingStatistic
    /// The fewest non-NaN values a window needs to give a value (≥ 1).
    public var minCount: Int

    public init(column: String, name: String, window: Int64, statistic: RollingStatistic, minCount: Int = 1) {
        self.column = column
        self.name = name
        self.window = window
        self.statistic = statistic
        self.minCount = minCount
    }

    public func parameters() -> [UInt8] {
        BinaryWriter.parameters(Self.name) { w in
            w.string(column)
            w.string(name)
            w.i64(window)
            w.u8(statistic.rawValue)
            w.i64(Int64(minCount))
        }
    }

    public func apply(_ frame: Frame, quarantine: inout Quarantine) throws(SensorError) -> Frame {
        guard window > 0 else { throw SensorError.parameter("\(Self.name): window must be positive (it is \(window) ms)") }
        guard minCount >= 1 else { throw SensorError.parameter("\(Self.name): minCount must be at least 1 (it is \(minCount))") }
        let x = try frame.doubles(column, for: Self.name)
        try TransformSupport.requireTimeOrder(frame, for: Self.name)
        let t = frame.time
        let n = x.count
        var out = ContiguousArray<Double>(repeating: .nan, count: n)
        var count = 0
        var mean = 0.0
        var m2 = 0.0
        var enter = 0, leave = 0
        for i in 0..<n {
            while enter < n, t[enter] <= t[i] {
                let v = x[enter]
                enter += 1
                guard !v.isNaN else { continue }
                count += 1
                let d = v - mean
                mean += d / Double(count)
                m2 += d * (v - mean)
            }
            // Leaves when t[leave] <= t[i] - window, written without overflow.
            while leave < enter, TransformSupport.elapsed(t[leave], t[i]).map({ $0 >= window }) ?? true {
                let v = x[leave]
                leave += 1
                guard !v.isNaN else { continue }
                if count == 1 {
                    // An empty window restarts exactly, so rounding cannot build up across gaps.
                    count = 0
                    mean = 0
                    m2 = 0
                    continue
                }
                let d = v - mean
                let before = mean - d / Double(count - 1)
                m2 = Swift.max(0, m2 - d * (v - before))
                mean = before
                count -= 1
            }
            guard count >= minCount else { continue }
            switch statistic {
            case .mean: out[i] = mean
            case .std: if count >= 2 { out[i] = (m2 / Double(count - 1)).squareRoot() }
            }
        }
        var result = frame
        result.set(FrameColumn(name, .double(out)))
        return result
    }
}
