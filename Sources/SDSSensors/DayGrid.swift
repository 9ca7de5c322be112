/// One channel of one entity on a per-minute grid of whole UTC days.
///
/// Invariants: `days` ascend strictly (day numbers since 1970-01-01); `values` and `present`
/// have `days.count * 1440` entries, day-major (`values[d * 1440 + m]` is minute `m` of
/// `days[d]`); `present` holds 0 or 1; a value whose slot is not present is +0.0.
public struct DayGrid: Sendable, Equatable {
    public var entity: String
    public var days: ContiguousArray<Int32>
    public var values: ContiguousArray<Double>
    public var present: ContiguousArray<UInt8>

    /// Makes a grid, zeroing the values of absent slots.
    ///
    /// - Precondition: the shapes match and `days` ascend strictly.
    public init(entity: String, days: ContiguousArray<Int32>, values: ContiguousArray<Double>, present: ContiguousArray<UInt8>) {
        precondition(values.count == days.count * CivilTime.minutesPerDay && present.count == values.count,
                     "grid arrays must have days.count * 1440 entries")
        precondition(zip(days, days.dropFirst()).allSatisfy { $0 < $1 }, "grid days must ascend")
        self.entity = entity
        self.days = days
        self.values = values
        self.present = present
        for i in 0..<present.count where present[i] == 0 { self.values[i] = 0 }
        for i in 0..<present.count where present[i] > 1 { self.present[i] = 1 }
    }

    public static func == (a: DayGrid, b: DayGrid) -> Bool {
        a.entity == b.entity && a.days == b.days && a.present == b.present && bitwiseEqual(a.values, b.values)
    }

    /// The index of `day` in `days`, if present.
    public func index(of day: Int32) -> Int? {
        var lo = 0, hi = days.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if days[mid] < day { lo = mid + 1 } else { hi = mid }
        }
        return lo < days.count && days[lo] == day ? lo : nil
    }

    /// Number of present minutes of day index `d`.
    public func presentCount(day d: Int) -> Int {
        var n = 0
        let base = d * CivilTime.minutesPerDay
        for m in 0..<CivilTime.minutesPerDay { n &+= Int(present[base + m]) }
        return n
    }

    static let tag = ObjectTag("sGRD", version: 1, name: "DayGrid")

    /// The canonical bytes: entity, day count, days (i32), the presence bitset, then the
    /// values of present slots only (f64 bits), in slot order.
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(Self.tag, capacity: 16 + days.count * (4 + 180) + present.count * 8)
        w.string(entity)
        w.count(days.count)
        w.int32s(days)
        w.bits(present)
        w.doubles(PresentValues(values: values, present: present))
        return w.bytes
    }

    /// Decodes bytes made by `encoded()`.
    ///
    /// - Throws: `SensorError` with code `.corruptObject` if they are not exactly such bytes.
    public init(decoding bytes: [UInt8]) throws(SensorError) {
        var r = try BinaryReader(bytes, Self.tag)
        entity = try r.string()
        let n = try r.count(minimumSize: 4 + 180)
        days = try r.int32s(count: n)
        guard zip(days, days.dropFirst()).allSatisfy({ $0 < $1 }) else { throw r.fail("days do not ascend") }
        present = try r.bits(count: n * CivilTime.minutesPerDay)
        let presentCount = present.reduce(0) { $0 + Int($1) }
        let stored = try r.doubles(count: presentCount)
        values = ContiguousArray(repeating: 0, count: present.count)
        var k = 0
        for i in 0..<present.count where present[i] == 1 {
            values[i] = stored[k]
            k += 1
        }
        try r.finish()
    }
}

/// The values of present slots, in order, without copying them out.
struct PresentValues: Collection {
    let values: ContiguousArray<Double>
    let present: ContiguousArray<UInt8>
    let count: Int
    let startIndex: Int

    init(values: ContiguousArray<Double>, present: ContiguousArray<UInt8>) {
        self.values = values
        self.present = present
        count = present.reduce(0) { $0 + Int($1) }
        startIndex = present.firstIndex(of: 1) ?? present.count
    }

    var endIndex: Int { present.count }
    subscript(i: Int) -> Double { values[i] }

    func index(after i: Int) -> Int {
        var j = i + 1
        while j < present.count, present[j] == 0 { j += 1 }
        return j
    }
}

/// How `MinuteGrid` combines the samples of one minute.
public enum Aggregation: UInt8, Sendable, Equatable {
    /// Sum / count as one float64 division (integer sums are exact).
    case mean = 1
    /// The sum of the values.
    case sum = 2
}

/// Parameters of `MinuteGrid.resample`.
public struct GridParameters: Sendable, Equatable {
    public var aggregation: Aggregation

    public init(aggregation: Aggregation) { self.aggregation = aggregation }

    static let tag = ObjectTag("sGRp", version: 1, name: "GridParameters")

    /// The canonical bytes of these parameters, for step keys.
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(Self.tag)
        w.u8(aggregation.rawValue)
        return w.bytes
    }
}

/// Bins a cleaned series into the minutes of the UTC days it touches.
public enum MinuteGrid {
    public static let operatorName = "sensors.minute-grid"
    public static let operatorVersion = 1

    /// Aggregates `series` per minute (`floor(time to the minute)`).
    ///
    /// - Parameters:
    ///   - days: the days to grid; nil means every UTC day with at least one sample.
    ///     Samples on other days are ignored.
    /// - Returns: a grid where a slot is present iff at least one sample fell in it. Integer
    ///   values are summed exactly in Int64; doubles are summed in float64 in series order.
    public static func resample(_ series: CleanedSeries, _ parameters: GridParameters,
                                days: ContiguousArray<Int32>? = nil) -> DayGrid {
        let times = series.times
        let gridDays = days.map { Array(Set($0)).sorted() }.map(ContiguousArray.init) ?? observedDays(times)
        let slots = gridDays.count * CivilTime.minutesPerDay
        var counts = ContiguousArray<Int32>(repeating: 0, count: slots)
        var values = ContiguousArray<Double>(repeating: 0, count: slots)
        var locator = DayLocator(days: gridDays)
        switch series.values {
        case .int64(let v):
            var sums = ContiguousArray<Int64>(repeating: 0, count: slots)
            for i in 0..<times.count {
                guard let slot = locator.slot(times[i]) else { continue }
                sums[slot] &+= v[i]
                counts[slot] += 1
            }
            for s in 0..<slots where counts[s] > 0 {
                values[s] = parameters.aggregation == .mean ? Double(sums[s]) / Double(counts[s]) : Double(sums[s])
            }
        case .double(let v):
            for i in 0..<times.count {
                guard let slot = locator.slot(times[i]) else { continue }
                values[slot] += v[i]
                counts[slot] += 1
            }
            if parameters.aggregation == .mean {
                for s in 0..<slots where counts[s] > 0 { values[s] /= Double(counts[s]) }
            }
        }
        var present = ContiguousArray<UInt8>(repeating: 0, count: slots)
        for s in 0..<slots where counts[s] > 0 { present[s] = 1 }
        return DayGrid(entity: series.entity, days: gridDays, values: values, present: present)
    }

    /// The distinct UTC days of `times`, ascending.
    public static func observedDays(_ times: ContiguousArray<Int64>) -> ContiguousArray<Int32> {
        var days = ContiguousArray<Int32>()
        var last: Int64?
        var sorted = true
        for t in times {
            let day = CivilTime.day(ofMilliseconds: t)
            if day != last {
                if let last, day < last { sorted = false }
                days.append(Int32(truncatingIfNeeded: day))
                last = day
            }
        }
        if !sorted { days = ContiguousArray(Set(days).sorted()) }
        return days
    }
}

/// Maps times to grid slots, remembering the last day found (times are usually sorted).
struct DayLocator {
    let days: ContiguousArray<Int32>
    var cachedDay: Int64 = .min
    var cachedIndex = -1

    init(days: ContiguousArray<Int32>) { self.days = days }

    @inline(__always)
    mutating func slot(_ t: Int64) -> Int? {
        let day = CivilTime.day(ofMilliseconds: t)
        if day != cachedDay {
            cachedDay = day
            cachedIndex = -1
            var lo = 0, hi = days.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if Int64(days[mid]) < day { lo = mid + 1 } else { hi = mid }
            }
            if lo < days.count, Int64(days[lo]) == day { cachedIndex = lo }
        }
        guard cachedIndex >= 0 else { return nil }
        let minute = Int((t - day * CivilTime.millisecondsPerDay) / CivilTime.millisecondsPerMinute)
        return cachedIndex * CivilTime.minutesPerDay + minute
    }
}
