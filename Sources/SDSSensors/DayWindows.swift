/// Parameters of `DayWindowing.select`.
public struct WindowParameters: Sendable, Equatable {
    /// A name per input grid, in input order (used by caption placeholders such as `{hr_mean}`).
    public var channelNames: [String]
    /// The channel whose mask decides which days are kept.
    public var coverageChannel: Int
    /// Keep a day if at least this many minutes of the coverage channel are present.
    public var minimumCoverage: Int

    public init(channelNames: [String], coverageChannel: Int = 0, minimumCoverage: Int) {
        self.channelNames = channelNames
        self.coverageChannel = coverageChannel
        self.minimumCoverage = minimumCoverage
    }

    static let tag = ObjectTag("sWNp", version: 1, name: "WindowParameters")

    /// The canonical bytes of these parameters, for step keys.
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(Self.tag)
        w.count(channelNames.count)
        for name in channelNames { w.string(name) }
        w.i64(Int64(coverageChannel))
        w.i64(Int64(minimumCoverage))
        return w.bytes
    }
}

/// The kept calendar days of one entity, with every channel's minute values and masks.
///
/// Invariants: `days` ascend strictly; `values` and `masks` have
/// `days.count * channelNames.count * 1440` entries laid out day, channel, minute
/// (`index(day:channel:minute:)`); masks are 0 or 1; a masked-out value is +0.0.
public struct DayWindows: Sendable, Equatable {
    public var entity: String
    public var channelNames: [String]
    public var days: ContiguousArray<Int32>
    public var values: ContiguousArray<Double>
    public var masks: ContiguousArray<UInt8>

    /// Makes windows, zeroing masked-out values.
    ///
    /// - Precondition: the shapes match and `days` ascend strictly.
    public init(entity: String, channelNames: [String], days: ContiguousArray<Int32>,
                values: ContiguousArray<Double>, masks: ContiguousArray<UInt8>) {
        precondition(values.count == days.count * channelNames.count * CivilTime.minutesPerDay && masks.count == values.count,
                     "window arrays must have days * channels * 1440 entries")
        precondition(zip(days, days.dropFirst()).allSatisfy { $0 < $1 }, "window days must ascend")
        self.entity = entity
        self.channelNames = channelNames
        self.days = days
        self.values = values
        self.masks = masks
        for i in 0..<masks.count where masks[i] == 0 { self.values[i] = 0 }
        for i in 0..<masks.count where masks[i] > 1 { self.masks[i] = 1 }
    }

    public var channelCount: Int { channelNames.count }

    /// Where minute `minute` of channel `channel` of day index `day` lives in `values`/`masks`.
    @inline(__always)
    public func index(day: Int, channel: Int, minute: Int) -> Int {
        (day * channelNames.count + channel) * CivilTime.minutesPerDay + minute
    }

    public static func == (a: DayWindows, b: DayWindows) -> Bool {
        a.entity == b.entity && a.channelNames == b.channelNames && a.days == b.days
            && a.masks == b.masks && bitwiseEqual(a.values, b.values)
    }

    static let tag = ObjectTag("sWIN", version: 1, name: "DayWindows")

    /// The canonical bytes: entity, channel names, days (i32), the mask bitset, then the
    /// values of unmasked slots (f64 bits), in layout order.
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(Self.tag, capacity: 64 + masks.count * 8)
        w.string(entity)
        w.count(channelNames.count)
        for name in channelNames { w.string(name) }
        w.count(days.count)
        w.int32s(days)
        w.bits(masks)
        w.doubles(PresentValues(values: values, present: masks))
        return w.bytes
    }

    /// Decodes bytes made by `encoded()`.
    ///
    /// - Throws: `SensorError` with code `.corruptObject` if they are not exactly such bytes.
    public init(decoding bytes: [UInt8]) throws(SensorError) {
        var r = try BinaryReader(bytes, Self.tag)
        entity = try r.string()
        let channels = try r.count(minimumSize: 4)
        var names: [String] = []
        for _ in 0..<channels { names.append(try r.string()) }
        channelNames = names
        let n = try r.count(minimumSize: 4)
        days = try r.int32s(count: n)
        guard zip(days, days.dropFirst()).allSatisfy({ $0 < $1 }) else { throw r.fail("days do not ascend") }
        let (perDay, o1) = channels.multipliedReportingOverflow(by: CivilTime.minutesPerDay)
        let (slots, o2) = n.multipliedReportingOverflow(by: perDay)
        guard !o1, !o2, slots / 8 <= r.remaining else { throw r.fail("\(n) days of \(channels) channels exceed the object's size") }
        masks = try r.bits(count: slots)
        let stored = try r.doubles(count: masks.reduce(0) { $0 + Int($1) })
        values = ContiguousArray(repeating: 0, count: slots)
        var k = 0
        for i in 0..<slots where masks[i] == 1 {
            values[i] = stored[k]
            k += 1
        }
        try r.finish()
    }
}

/// Cuts aligned channel grids into calendar-day windows and keeps the well-covered days.
public enum DayWindowing {
    public static let operatorName = "sensors.day-windows"
    public static let operatorVersion = 1

    /// Keeps the days of the coverage channel's grid with at least `minimumCoverage` present
    /// minutes; other channels contribute their grid's day, or nothing present if they lack it.
    ///
    /// - Throws: `SensorError(.invalidParameter)` if the names do not match the grids, the
    ///   coverage channel does not exist, or the grids belong to different entities.
    public static func select(_ grids: [DayGrid], _ parameters: WindowParameters) throws(SensorError) -> DayWindows {
        let channels = grids.count
        guard channels > 0, parameters.channelNames.count == channels else {
            throw SensorError.parameter("day windows need one name per channel (\(parameters.channelNames.count) names, \(channels) grids)")
        }
        guard Set(parameters.channelNames).count == channels else {
            throw SensorError.parameter("day window channel names repeat: \(parameters.channelNames.joined(separator: ", "))")
        }
        guard (0..<channels).contains(parameters.coverageChannel) else {
            throw SensorError.parameter("coverage channel \(parameters.coverageChannel) is not one of the \(channels) channels")
        }
        let entity = grids[0].entity
        guard grids.allSatisfy({ $0.entity == entity }) else {
            throw SensorError.parameter("day windows mix entities: \(grids.map(\.entity).joined(separator: ", "))")
        }
        let width = CivilTime.minutesPerDay
        let coverage = grids[parameters.coverageChannel]
        var kept = ContiguousArray<Int32>()
        for d in 0..<coverage.days.count where coverage.presentCount(day: d) >= parameters.minimumCoverage {
            kept.append(coverage.days[d])
        }
        let slots = kept.count * channels * width
        var values = ContiguousArray<Double>(repeating: 0, count: slots)
        var masks = ContiguousArray<UInt8>(repeating: 0, count: slots)
        for (k, day) in kept.enumerated() {
            for (c, grid) in grids.enumerated() {
                guard let d = grid.index(of: day) else { continue }
                let to = (k * channels + c) * width
                let from = d * width
                for m in 0..<width {
                    values[to + m] = grid.values[from + m]
                    masks[to + m] = grid.present[from + m]
                }
            }
        }
        return DayWindows(entity: entity, channelNames: parameters.channelNames, days: kept, values: values, masks: masks)
    }
}
