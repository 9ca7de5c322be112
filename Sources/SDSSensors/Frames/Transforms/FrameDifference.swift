/// Adds time derivatives of numeric columns (velocity, acceleration) by backward differences.
///
/// Order 1: d[i] = (x[i] − x[i−1]) / ((t[i] − t[i−1]) / 1000), per second of real elapsed
/// time, so irregular sampling is handled; d[0] is NaN, and so is d[i] when either value is
/// NaN or the two times are equal. Order n is the backward difference of order n − 1 (the
/// first n rows are NaN). Rows must be in time order.
///
/// Trade-off: a backward difference only uses past samples, so it can be computed as data
/// arrives and never mixes in a future sample, but it estimates the derivative half a sample
/// back (a lag of Δt/2) and is only first-order accurate. A central difference
/// (x[i+1] − x[i−1]) / (t[i+1] − t[i−1]) would be second-order accurate and lag-free on a
/// regular grid, at the price of reading the next sample. Both amplify noise by about 1/Δt
/// per order; smooth (frame.rolling) or resample first when the signal is noisy.
public struct FrameDifference: FrameOperator, Equatable {
    public static let name = "frame.difference"
    public static let version = 1

    public var columns: [String]
    /// The output column of each input column (replaced if it exists, else appended).
    public var names: [String]
    /// 1 = velocity, 2 = acceleration, …
    public var order: Int

    public init(columns: [String], names: [String], order: Int = 1) {
        self.columns = columns
        self.names = names
        self.order = order
    }

    public func parameters() -> [UInt8] {
        BinaryWriter.parameters(Self.name) { w in
            TransformSupport.strings(&w, columns)
            TransformSupport.strings(&w, names)
            w.i64(Int64(order))
        }
    }

    public func apply(_ frame: Frame, quarantine: inout Quarantine) throws(SensorError) -> Frame {
        guard names.count == columns.count else {
            throw SensorError.parameter("\(Self.name): \(columns.count) columns but \(names.count) names")
        }
        guard order >= 1 else { throw SensorError.parameter("\(Self.name): order must be at least 1 (it is \(order))") }
        try TransformSupport.requireUnique(names, "names", for: Self.name)
        var inputs: [ContiguousArray<Double>] = []
        for c in columns { inputs.append(try frame.doubles(c, for: Self.name)) }
        try TransformSupport.requireTimeOrder(frame, for: Self.name)
        // All inputs are read before any output is set, so a name may replace an input.
        var out = frame
        for (x, name) in zip(inputs, names) {
            var d = x
            for _ in 0..<order { d = Self.backward(d, frame.time) }
            out.set(FrameColumn(name, .double(d)))
        }
        return out
    }

    static func backward(_ x: ContiguousArray<Double>, _ t: ContiguousArray<Int64>) -> ContiguousArray<Double> {
        var d = ContiguousArray<Double>(repeating: .nan, count: x.count)
        for i in x.indices.dropFirst() where t[i] > t[i - 1] {
            // The true elapsed time is positive and below 2^64, so the wrapped bits are exact.
            let elapsed = Double(UInt64(bitPattern: t[i] &- t[i - 1]))
            d[i] = (x[i] - x[i - 1]) / (elapsed / 1000)
        }
        return d
    }
}
