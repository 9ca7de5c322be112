/// Adds the Euclidean norm of several numeric columns, e.g. total force from fx, fy, fz.
///
/// Each row: sqrt(Σ x²), NaN if any input is NaN. The output is replaced if it exists, else
/// appended.
public struct FrameMagnitude: FrameOperator, Equatable {
    public static let name = "frame.magnitude"
    public static let version = 1

    public var columns: [String]
    public var name: String

    public init(columns: [String], name: String) {
        self.columns = columns
        self.name = name
    }

    public func parameters() -> [UInt8] {
        BinaryWriter.parameters(Self.name) { w in
            TransformSupport.strings(&w, columns)
            w.string(name)
        }
    }

    public func apply(_ frame: Frame, quarantine: inout Quarantine) throws(SensorError) -> Frame {
        guard !columns.isEmpty else { throw SensorError.parameter("\(Self.name): columns is empty") }
        var sum = ContiguousArray<Double>(repeating: 0, count: frame.rowCount)
        for c in columns {
            let x = try frame.doubles(c, for: Self.name)
            for i in sum.indices { sum[i] += x[i] * x[i] }
        }
        for i in sum.indices { sum[i] = sum[i].squareRoot() }
        var out = frame
        out.set(FrameColumn(name, .double(sum)))
        return out
    }
}
