import SDSSensors
import Testing

/// Applies `op` and checks that its output survives the frame encoding unchanged.
func applied<O: FrameOperator>(_ op: O, _ frame: Frame, _ quarantine: inout Quarantine) throws -> Frame {
    let out = try op.apply(frame, quarantine: &quarantine)
    #expect(try Frame(decoding: out.encoded()) == out, "\(O.name) output does not round-trip")
    return out
}

/// Applies `op` leniently, expecting nothing quarantined.
func applied<O: FrameOperator>(_ op: O, _ frame: Frame) throws -> Frame {
    var q = Quarantine()
    let out = try applied(op, frame, &q)
    #expect(q.total == 0)
    return out
}

/// The error `op` raises on `frame`, or nil.
func failure<O: FrameOperator>(_ op: O, _ frame: Frame, strict: Bool = false) -> SensorError? {
    var q = Quarantine(strict: strict)
    return sensorError { () throws(SensorError) in try op.apply(frame, quarantine: &q) }
}

/// The numbers of column `name` (empty if there is none).
func numbers(_ frame: Frame, _ name: String) -> [Double] {
    frame.column(named: name)?.doubles.map(Array.init) ?? []
}

/// The text of column `name` (empty if there is none).
func texts(_ frame: Frame, _ name: String) -> [String] {
    if case .text(let v)? = frame.column(named: name)?.values { return Array(v) }
    return []
}

/// Equal element by element, NaN matching any NaN (computed NaNs differ in sign bits),
/// within `tolerance` relative to the larger magnitude (0: exact).
func same(_ a: [Double], _ b: [Double], tolerance: Double = 0) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in
        if x.isNaN || y.isNaN { return x.isNaN && y.isNaN }
        if x == y { return true }
        return abs(x - y) <= tolerance * max(abs(x), abs(y))
    }
}

/// Whether all the parameter encodings differ.
func allDistinct(_ encodings: [[UInt8]]) -> Bool {
    Set(encodings).count == encodings.count
}

/// A numeric column.
func num(_ name: String, _ values: [Double]) -> FrameColumn { FrameColumn(name, doubles: values) }

/// A text column.
func txt(_ name: String, _ values: [String]) -> FrameColumn { FrameColumn(name, .text(ContiguousArray(values))) }

/// A quarantine report as "reason ×count: locations" lines.
func summary(_ q: Quarantine) -> [String] {
    q.reasons.map { "\($0.reason) ×\($0.count): \($0.locations.joined(separator: " "))" }
}
