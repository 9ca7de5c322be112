/// What to do with rows that share a timestamp.
public enum DuplicatePolicy: UInt8, Sendable, Equatable {
    /// Keep every row.
    case keepAll = 0
    /// Keep the first row in file order (after range filtering).
    case keepFirst = 1
}

/// Parameters of `SeriesCleaner.clean`.
public struct CleanParameters: Sendable, Equatable {
    /// The partition column to clean.
    public var column: String
    /// Inclusive lower bound; nil for none.
    public var validMin: Double?
    /// Inclusive upper bound; nil for none.
    public var validMax: Double?
    public var duplicates: DuplicatePolicy

    public init(column: String, validMin: Double? = nil, validMax: Double? = nil, duplicates: DuplicatePolicy = .keepAll) {
        self.column = column
        self.validMin = validMin
        self.validMax = validMax
        self.duplicates = duplicates
    }

    static let tag = ObjectTag("sCLp", version: 1, name: "CleanParameters")

    /// The canonical bytes of these parameters, for step keys.
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(Self.tag)
        w.string(column)
        w.u8(validMin == nil ? 0 : 1)
        w.f64(validMin ?? 0)
        w.u8(validMax == nil ? 0 : 1)
        w.f64(validMax ?? 0)
        w.u8(duplicates.rawValue)
        return w.bytes
    }
}

/// How many rows cleaning dropped, by reason (each row counts once, for the first reason).
public struct CleanCounts: Sendable, Equatable {
    public var belowMin = 0
    public var aboveMax = 0
    /// NaN values, dropped when either bound is set.
    public var notANumber = 0
    public var duplicateTime = 0

    public init(belowMin: Int = 0, aboveMax: Int = 0, notANumber: Int = 0, duplicateTime: Int = 0) {
        self.belowMin = belowMin
        self.aboveMax = aboveMax
        self.notANumber = notANumber
        self.duplicateTime = duplicateTime
    }

    public var total: Int { belowMin + aboveMax + notANumber + duplicateTime }
}

/// One channel of one entity after cleaning: times and values in file order.
///
/// Invariant: `values.count == times.count`.
public struct CleanedSeries: Sendable, Equatable {
    public var entity: String
    public var times: ContiguousArray<Int64>
    public var values: ColumnValues
    public var dropped: CleanCounts

    public init(entity: String, times: ContiguousArray<Int64>, values: ColumnValues, dropped: CleanCounts = CleanCounts()) {
        precondition(values.count == times.count, "values and times differ in length")
        self.entity = entity
        self.times = times
        self.values = values
        self.dropped = dropped
    }

    static let tag = ObjectTag("sCLN", version: 1, name: "CleanedSeries")

    /// The canonical bytes: entity, the four drop counts, times (delta varints), values.
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(Self.tag, capacity: 48 + times.count * 4)
        w.string(entity)
        for n in [dropped.belowMin, dropped.aboveMax, dropped.notANumber, dropped.duplicateTime] { w.count(n) }
        w.count(times.count)
        w.int64Deltas(times)
        values.write(to: &w)
        return w.bytes
    }

    /// Decodes bytes made by `encoded()`.
    ///
    /// - Throws: `SensorError` with code `.corruptObject` if they are not exactly such bytes.
    public init(decoding bytes: [UInt8]) throws(SensorError) {
        var r = try BinaryReader(bytes, Self.tag)
        entity = try r.string()
        dropped = CleanCounts(belowMin: Int(try r.u64()), aboveMax: Int(try r.u64()),
                              notANumber: Int(try r.u64()), duplicateTime: Int(try r.u64()))
        let n = try r.count(minimumSize: 1)
        times = try r.int64Deltas(count: n)
        values = try ColumnValues.read(from: &r)
        guard values.count == n else { throw r.fail("\(values.count) values for \(n) times") }
        try r.finish()
    }
}

/// Selects one column of a partition, drops out-of-range values, then duplicate timestamps.
public enum SeriesCleaner {
    public static let operatorName = "sensors.clean"
    public static let operatorVersion = 1

    /// Cleans `parameters.column` of `partition`.
    ///
    /// Rows outside `[validMin, validMax]` go first; then, with `.keepFirst`, a row whose time
    /// an earlier kept row already has. Kept rows stay in file order.
    /// - Throws: `SensorError(.invalidParameter)` if the column is missing or the bounds are NaN
    ///   or crossed.
    public static func clean(_ partition: SensorPartition, _ parameters: CleanParameters) throws(SensorError) -> CleanedSeries {
        guard let column = partition.column(named: parameters.column) else {
            throw SensorError.parameter("partition \(partition.entity) has no column \"\(parameters.column)\"")
        }
        if parameters.validMin?.isNaN == true || parameters.validMax?.isNaN == true {
            throw SensorError.parameter("clean bounds of \"\(parameters.column)\" must be numbers")
        }
        if let lo = parameters.validMin, let hi = parameters.validMax, lo > hi {
            throw SensorError.parameter("clean range of \"\(parameters.column)\" is empty: \(lo) > \(hi)")
        }
        var counts = CleanCounts()
        var keep = ContiguousArray<Bool>(repeating: true, count: partition.rowCount)
        switch column {
        case .int64(let values):
            // Integer bounds equivalent to the real ones: v >= lo  <=>  v >= ceil(lo).
            let lo = parameters.validMin.map { integerBound($0.rounded(.up)) } ?? .min
            let hi = parameters.validMax.map { integerBound($0.rounded(.down)) } ?? .max
            for i in 0..<values.count {
                let v = values[i]
                if v < lo { keep[i] = false; counts.belowMin += 1 }
                else if v > hi { keep[i] = false; counts.aboveMax += 1 }
            }
        case .double(let values):
            let bounded = parameters.validMin != nil || parameters.validMax != nil
            let lo = parameters.validMin ?? -.infinity
            let hi = parameters.validMax ?? .infinity
            for i in 0..<values.count {
                let v = values[i]
                if v.isNaN {
                    if bounded { keep[i] = false; counts.notANumber += 1 }
                } else if v < lo { keep[i] = false; counts.belowMin += 1 }
                else if v > hi { keep[i] = false; counts.aboveMax += 1 }
            }
        }
        if parameters.duplicates == .keepFirst {
            counts.duplicateTime = dropDuplicateTimes(partition.times, &keep)
        }
        let kept = partition.rowCount - counts.total
        var times = ContiguousArray<Int64>()
        times.reserveCapacity(kept)
        for i in 0..<keep.count where keep[i] { times.append(partition.times[i]) }
        let values: ColumnValues
        switch column {
        case .int64(let v): values = .int64(select(v, keep, kept))
        case .double(let v): values = .double(select(v, keep, kept))
        }
        return CleanedSeries(entity: partition.entity, times: times, values: values, dropped: counts)
    }

    /// Clears `keep` for every kept row whose time an earlier kept row has; returns how many.
    static func dropDuplicateTimes(_ times: ContiguousArray<Int64>, _ keep: inout ContiguousArray<Bool>) -> Int {
        var dropped = 0
        var sorted = true
        var last = Int64.min
        var haveLast = false
        for i in 0..<times.count where keep[i] {
            if haveLast && times[i] < last { sorted = false; break }
            if haveLast && times[i] == last { keep[i] = false; dropped += 1 }
            last = times[i]
            haveLast = true
        }
        if sorted { return dropped }
        return dropDuplicatesUnsorted(times, &keep, alreadyDropped: dropped)
    }

    private static func dropDuplicatesUnsorted(_ times: ContiguousArray<Int64>, _ keep: inout ContiguousArray<Bool>,
                                               alreadyDropped: Int) -> Int {
        // Rows dropped by the sorted prefix scan were true duplicates of an earlier row, so
        // they stay dropped; the stable sort finds the rest.
        var order = ContiguousArray<Int>()
        for i in 0..<times.count where keep[i] { order.append(i) }
        order.sort { times[$0] != times[$1] ? times[$0] < times[$1] : $0 < $1 }
        var dropped = alreadyDropped
        for k in 1..<max(order.count, 1) where times[order[k]] == times[order[k - 1]] {
            keep[order[k]] = false
            dropped += 1
        }
        return dropped
    }

    private static func integerBound(_ v: Double) -> Int64 {
        if v >= 9.2e18 { return .max }
        if v <= -9.2e18 { return .min }
        return Int64(v)
    }

    private static func select<T>(_ v: ContiguousArray<T>, _ keep: ContiguousArray<Bool>, _ n: Int) -> ContiguousArray<T> {
        var out = ContiguousArray<T>()
        out.reserveCapacity(n)
        for i in 0..<v.count where keep[i] { out.append(v[i]) }
        return out
    }
}
