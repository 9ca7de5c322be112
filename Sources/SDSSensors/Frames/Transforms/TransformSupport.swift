/// Checks and parameter encodings shared by the per-partition transforms.
enum TransformSupport {
    /// The text values of column `name`, or a parameter error naming the columns there are.
    static func text(_ frame: Frame, _ name: String, for op: String) throws(SensorError) -> ContiguousArray<String> {
        guard let c = frame.column(named: name) else {
            throw SensorError.parameter("\(op): partition \(frame.partition) has no column \"\(name)\" (it has \(frame.columns.map(\.name).joined(separator: ", ")))")
        }
        guard case .text(let v) = c.values else { throw SensorError.parameter("\(op): column \"\(name)\" holds numbers, not text") }
        return v
    }

    /// A parameter error if `names` repeats one (`what` says which parameter).
    static func requireUnique(_ names: [String], _ what: String, for op: String) throws(SensorError) {
        var seen = Set<String>()
        for n in names where !seen.insert(n).inserted {
            throw SensorError.parameter("\(op): \(what) names \"\(n)\" twice")
        }
    }

    /// A data error at the first row whose time is before the previous row's.
    ///
    /// Operators that look at neighbours in time (fill, difference, rolling) need sorted rows;
    /// they fail rather than guess, since `frame.clean` sorts or quarantines such rows.
    static func requireTimeOrder(_ frame: Frame, for op: String) throws(SensorError) {
        let t = frame.time
        guard t.count > 1 else { return }
        for i in 1..<t.count where t[i] < t[i - 1] {
            throw SensorError(.badTimestamp,
                              "\(op): partition \(frame.partition) has a row at \(t[i]) ms after one at \(t[i - 1]) ms; "
                              + "sort the rows first (frame.clean with order: sort)",
                              file: frame.location(ofRow: i).file, line: frame.location(ofRow: i).line)
        }
    }

    /// Whether `a` sorts before `b` by UTF-8 bytes (locale- and normalisation-free).
    static func bytesPrecede(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// `b - a`, or nil if it overflows (times so far apart that no gap limit can reach).
    @inline(__always) static func elapsed(_ a: Int64, _ b: Int64) -> Int64? {
        let (d, o) = b.subtractingReportingOverflow(a)
        return o ? nil : d
    }

    static func strings(_ w: inout BinaryWriter, _ values: [String]) {
        w.count(values.count)
        for v in values { w.string(v) }
    }

    /// A double with -0 written as +0, so equal bounds give equal keys.
    static func number(_ w: inout BinaryWriter, _ v: Double) {
        w.f64(v == 0 ? 0 : v)
    }
}
