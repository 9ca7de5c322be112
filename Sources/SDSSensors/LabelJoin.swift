/// Parameters of `LabelJoin.join`.
public struct LabelParameters: Sendable, Equatable {
    /// The label partition's value column.
    public var column: String
    /// The value of a day without a label row.
    public var missingValue: Double

    public init(column: String, missingValue: Double = -1) {
        self.column = column
        self.missingValue = missingValue
    }

    static let tag = ObjectTag("sLBp", version: 1, name: "LabelParameters")

    /// The canonical bytes of these parameters, for step keys.
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(Self.tag)
        w.string(column)
        w.f64(missingValue)
        return w.bytes
    }
}

/// A label value per day of one entity, and whether a label row existed.
///
/// Invariants: `values`, `present` and `days` have equal counts; `present` is 0 or 1.
public struct DayLabels: Sendable, Equatable {
    public var entity: String
    public var days: ContiguousArray<Int32>
    public var values: ContiguousArray<Double>
    public var present: ContiguousArray<UInt8>

    public init(entity: String, days: ContiguousArray<Int32>, values: ContiguousArray<Double>, present: ContiguousArray<UInt8>) {
        precondition(values.count == days.count && present.count == days.count, "label arrays differ in length")
        self.entity = entity
        self.days = days
        self.values = values
        self.present = ContiguousArray(present.map { $0 == 0 ? UInt8(0) : 1 })
    }

    public static func == (a: DayLabels, b: DayLabels) -> Bool {
        a.entity == b.entity && a.days == b.days && a.present == b.present && bitwiseEqual(a.values, b.values)
    }

    static let tag = ObjectTag("sLBL", version: 1, name: "DayLabels")

    /// The canonical bytes: entity, day count, days (i32), values (f64 bits), presence bitset.
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(Self.tag, capacity: 32 + days.count * 13)
        w.string(entity)
        w.count(days.count)
        w.int32s(days)
        w.doubles(values)
        w.bits(present)
        return w.bytes
    }

    /// Decodes bytes made by `encoded()`.
    ///
    /// - Throws: `SensorError` with code `.corruptObject` if they are not exactly such bytes.
    public init(decoding bytes: [UInt8]) throws(SensorError) {
        var r = try BinaryReader(bytes, Self.tag)
        entity = try r.string()
        let n = try r.count(minimumSize: 12)
        days = try r.int32s(count: n)
        values = try r.doubles(count: n)
        present = try r.bits(count: n)
        try r.finish()
    }
}

/// Looks up a per-day label for each kept day.
public enum LabelJoin {
    public static let operatorName = "sensors.label-join"
    public static let operatorVersion = 1

    /// Joins `labels` (one entity's label rows; nil if it has none) on the UTC day of each row.
    ///
    /// The first row of a day in file order wins. Integer label values become doubles.
    /// - Throws: `SensorError(.invalidParameter)` if the partition lacks the column or is
    ///   another entity's.
    public static func join(entity: String, days: ContiguousArray<Int32>, labels: SensorPartition?,
                            _ parameters: LabelParameters) throws(SensorError) -> DayLabels {
        var byDay: [Int32: Double] = [:]
        if let labels {
            guard labels.entity == entity else {
                throw SensorError.parameter("labels of \(labels.entity) joined to \(entity)")
            }
            guard let column = labels.column(named: parameters.column) else {
                throw SensorError.parameter("label partition has no column \"\(parameters.column)\"")
            }
            for i in 0..<labels.rowCount {
                let day = Int32(truncatingIfNeeded: CivilTime.day(ofMilliseconds: labels.times[i]))
                guard byDay[day] == nil else { continue }
                switch column {
                case .int64(let v): byDay[day] = Double(v[i])
                case .double(let v): byDay[day] = v[i]
                }
            }
        }
        var values = ContiguousArray<Double>()
        var present = ContiguousArray<UInt8>()
        values.reserveCapacity(days.count)
        present.reserveCapacity(days.count)
        for day in days {
            if let v = byDay[day] {
                values.append(v)
                present.append(1)
            } else {
                values.append(parameters.missingValue)
                present.append(0)
            }
        }
        return DayLabels(entity: entity, days: days, values: values, present: present)
    }

    /// Joins labels to the days of `windows`.
    public static func join(_ windows: DayWindows, labels: SensorPartition?, _ parameters: LabelParameters) throws(SensorError) -> DayLabels {
        try join(entity: windows.entity, days: windows.days, labels: labels, parameters)
    }
}
