/// Where windows start.
public enum WindowAlignment: Sendable, Equatable {
    /// Windows start at `offset + k * stride` ms UTC for whole numbers k.
    case epoch(offset: Int64)
    /// Windows start at local midnight in an IANA zone and count whole calendar days, so a
    /// day window is 23 or 25 hours long on a daylight saving change day.
    case calendarDay(zone: String = "UTC")
}

/// How a channel's rows inside one grid slot become the slot's value.
///
/// Missing (NaN) rows are ignored; a slot without a present row is NaN for every aggregate
/// (so `count` never yields 0 and coverage means "slots with an observation"). Sums run in
/// time order in float64.
public enum WindowAggregate: String, Sendable, Equatable, CaseIterable {
    case mean, sum, last, min, max, count

    var code: UInt8 {
        switch self {
        case .mean: return 1
        case .sum: return 2
        case .last: return 3
        case .min: return 4
        case .max: return 5
        case .count: return 6
        }
    }
}

/// A channel of each window: frame column `column` resampled onto a grid of `step` ms.
public struct WindowFeature: Sendable, Equatable {
    public typealias Aggregate = WindowAggregate

    public var column: String
    /// Slot width in ms (60_000 gives 1440 slots in a 24-hour window).
    public var step: Int64
    public var aggregate: WindowAggregate
    /// The channel's name; nil means the column's (give one to use a column twice).
    public var name: String?
    /// Forward fill inside each window: a run of empty slots at most this many ms long that
    /// follows a slot with a value takes that value (`WindowFill`); nil fills nothing.
    public var fillGap: Int64?

    public init(column: String, step: Int64 = 60_000, aggregate: WindowAggregate = .mean, name: String? = nil,
                fillGap: Int64? = nil) {
        self.column = column
        self.step = step
        self.aggregate = aggregate
        self.name = name
        self.fillGap = fillGap
    }

    /// The channel's name in each window.
    public var channelName: String { name ?? column }
}

/// Drop windows in which channel `column` has values in fewer than `fraction` of its slots.
public struct CoverageRule: Sendable, Equatable {
    /// A channel name.
    public var column: String
    /// 0...1.
    public var fraction: Double

    public init(column: String, fraction: Double) {
        self.column = column
        self.fraction = fraction
    }
}

/// A channel's slot count in every window, when it is the same for all of them.
public struct WindowChannelSpec: Sendable, Equatable {
    public var name: String
    /// nil when windows differ (whole partitions, calendar days in a zone with clock changes).
    public var length: Int?

    public init(name: String, length: Int?) {
        self.name = name
        self.length = length
    }
}

/// Cuts a partition's frame into windows and resamples the feature columns onto each
/// window's grid (`frame.windows`).
///
/// A window `[start, end)` is produced when at least one row falls in it; its channels have
/// `ceil((end - start) / step)` slots, slot i covering `[start + i*step, start + (i+1)*step)`.
/// Rows need not be sorted (they are taken in time order; equal times keep row order, which
/// decides `.last`). With `whole`, the partition is one window from its first time to its last
/// time + 1 ms whose channels are the columns themselves (`step` 0): the features' columns,
/// or every number column when there are no features.
public struct Windowing: Sendable, Equatable {
    public static let name = "frame.windows"
    public static let version = 1

    /// Window length in ms; for calendar days a multiple of 86_400_000 (a day count).
    public var length: Int64
    /// Distance between window starts in ms (`length` for back-to-back windows, less to
    /// overlap); for calendar days a multiple of 86_400_000.
    public var stride: Int64
    public var alignment: WindowAlignment
    public var features: [WindowFeature]
    public var minCoverage: [CoverageRule]
    public var whole: Bool

    /// - Parameter stride: nil means `length` (windows do not overlap).
    public init(length: Int64 = CivilTime.millisecondsPerDay, stride: Int64? = nil,
                alignment: WindowAlignment = .epoch(offset: 0), features: [WindowFeature] = [],
                minCoverage: [CoverageRule] = [], whole: Bool = false) {
        self.length = length
        self.stride = stride ?? length
        self.alignment = alignment
        self.features = features
        self.minCoverage = minCoverage
        self.whole = whole
    }

    static let maximumLength: Int64 = 1 << 50

    /// Checks the parameters (the planner may call this before any data is read).
    ///
    /// - Throws: `SensorError(.invalidParameter)` with a sentence saying what to change.
    public func validate() throws(SensorError) {
        let op = Self.name
        let names = features.map(\.channelName)
        if let dup = names.enumerated().first(where: { names[..<$0.offset].contains($0.element) }) {
            throw SensorError.parameter("\(op): two features are called \"\(dup.element)\"; give one a name")
        }
        for rule in minCoverage {
            guard rule.fraction >= 0, rule.fraction <= 1 else {
                throw SensorError.parameter("\(op): coverage of \"\(rule.column)\" must be a fraction from 0 to 1 (is \(rule.fraction))")
            }
            guard names.isEmpty && whole || names.contains(rule.column) else {
                throw SensorError.parameter("\(op): coverage rule names \"\(rule.column)\", which is not a channel"
                                            + WindowSupport.didYouMean(rule.column, among: names))
            }
        }
        if whole { return }
        guard !features.isEmpty else {
            throw SensorError.parameter("\(op): give at least one feature to resample, or whole: true for the partition as it is")
        }
        guard length > 0, length <= Self.maximumLength, stride > 0, stride <= Self.maximumLength else {
            throw SensorError.parameter("\(op): length and stride must be positive milliseconds below 2^50 (are \(length) and \(stride))")
        }
        guard length / stride <= 100_000 else {
            throw SensorError.parameter("\(op): a stride of \(stride) ms puts each row in over 100000 windows of \(length) ms; use a larger stride")
        }
        for f in features where f.step <= 0 || f.step > length {
            throw SensorError.parameter("\(op): step of \"\(f.channelName)\" must be from 1 ms to the window length (is \(f.step))")
        }
        for f in features {
            guard let gap = f.fillGap else { continue }
            guard gap >= f.step, gap <= length else {
                throw SensorError.parameter("\(op): max_gap of \"\(f.channelName)\" must be from one step (\(f.step) ms) to the window length (is \(gap))")
            }
        }
        switch alignment {
        case .epoch(let offset):
            guard offset.magnitude <= UInt64(Self.maximumLength) else {
                throw SensorError.parameter("\(op): offset \(offset) is beyond ±2^50 ms")
            }
            for f in features where length % f.step != 0 {
                throw SensorError.parameter("\(op): step \(f.step) of \"\(f.channelName)\" does not divide the window length \(length)")
            }
        case .calendarDay(let zone):
            let day = CivilTime.millisecondsPerDay
            guard length % day == 0, stride % day == 0 else {
                throw SensorError.parameter("\(op): calendar-day windows count whole days (a local day is 23, 24 or 25 hours), "
                                            + "so length and stride must be multiples of 86400000 ms (are \(length) and \(stride))")
            }
            _ = try WindowDays(zone: zone, for: op)
        }
    }

    /// The canonical bytes of the parameters `apply` reads (a whole-partition window reads no
    /// length, stride, alignment, step or aggregate).
    public func parameters() -> [UInt8] {
        BinaryWriter.parameters(Self.name) { w in
            w.u8(whole ? 1 : 0)
            if !whole {
                w.i64(length)
                w.i64(stride)
                switch alignment {
                case .epoch(let offset): w.u8(1); w.i64(offset)
                case .calendarDay(let zone): w.u8(2); w.string(zone)
                }
            }
            w.count(features.count)
            for f in features {
                w.string(f.column)
                w.string(f.channelName)
                if !whole {
                    w.i64(f.step)
                    w.u8(f.aggregate.code)
                }
            }
            w.count(minCoverage.count)
            for rule in minCoverage {
                w.string(rule.column)
                w.f64(rule.fraction)
            }
            // Written only when a feature fills, so specs without fill keep their step keys.
            if !whole, features.contains(where: { $0.fillGap != nil }) {
                w.u8(0xF1)
                for f in features { w.i64(f.fillGap ?? -1) }
            }
        }
    }

    /// The slot count of each channel, for fixed-length feature declarations.
    public func channelSpecs() -> [WindowChannelSpec] {
        features.map { f in
            if whole { return WindowChannelSpec(name: f.channelName, length: nil) }
            switch alignment {
            case .epoch: return WindowChannelSpec(name: f.channelName, length: Int(length / f.step))
            case .calendarDay(let zone):
                let fixed = zone == "UTC" ? Int((length + f.step - 1) / f.step) : nil
                return WindowChannelSpec(name: f.channelName, length: fixed)
            }
        }
    }

    /// Cuts `frame` into windows.
    ///
    /// - Throws: `SensorError(.invalidParameter)` for bad parameters or a missing or text
    ///   feature column, `SensorError(.badTimestamp)` for a time beyond ±2^52 ms.
    public func apply(_ frame: Frame) throws(SensorError) -> WindowedPartition {
        try validate()
        var columns: [ContiguousArray<Double>] = []
        var channelNames: [String] = []
        if whole && features.isEmpty {
            for c in frame.columns {
                if let v = c.doubles { columns.append(v); channelNames.append(c.name) }
            }
        } else {
            for f in features {
                columns.append(try frame.doubles(f.column, for: Self.name))
                channelNames.append(f.channelName)
            }
        }
        for rule in minCoverage where !channelNames.contains(rule.column) {
            throw SensorError.parameter("\(Self.name): coverage rule names \"\(rule.column)\", which is not a number column of \(frame.partition)"
                                        + WindowSupport.didYouMean(rule.column, among: channelNames))
        }
        var time = frame.time
        if let order = WindowSupport.ascendingOrder(time) {
            time = ContiguousArray(order.lazy.map { time[$0] })
            columns = columns.map { c in ContiguousArray(order.lazy.map { c[$0] }) }
        }
        guard let first = time.first, let last = time.last else {
            return WindowedPartition(partition: frame.partition, windows: [])
        }
        guard first >= -WindowSupport.timeLimit, last <= WindowSupport.timeLimit else {
            let row = frame.time.firstIndex { $0.magnitude > UInt64(WindowSupport.timeLimit) }
            let place = row.map { frame.location(ofRow: $0) }
            throw SensorError(.badTimestamp, "\(Self.name): partition \(frame.partition) has a time beyond ±2^52 ms",
                              file: place?.file ?? (frame.file.isEmpty ? nil : frame.file), line: place?.line)
        }
        if whole {
            let channels = zip(channelNames, columns).map { WindowChannel(name: $0, step: 0, values: $1) }
            let window = FrameWindow(start: first, end: last + 1, channels: channels)
            return WindowedPartition(partition: frame.partition, windows: covered(window) ? [window] : [])
        }
        let spans = try windowSpans(time)
        var windows: [FrameWindow] = []
        windows.reserveCapacity(spans.count)
        for (start, end) in spans {
            let from = Self.lowerBound(time, start), to = Self.lowerBound(time, end)
            guard from < to else { continue }
            var channels: [WindowChannel] = []
            channels.reserveCapacity(features.count)
            for (i, f) in features.enumerated() {
                var values = Self.resample(time, columns[i], rows: from..<to, start: start, end: end, step: f.step, f.aggregate)
                if let gap = f.fillGap { WindowFill.forward(&values, maxSlots: Int(gap / f.step)) }
                channels.append(WindowChannel(name: f.channelName, step: f.step, values: values))
            }
            let window = FrameWindow(start: start, end: end, channels: channels)
            if covered(window) { windows.append(window) }
        }
        return WindowedPartition(partition: frame.partition, windows: windows)
    }

    private func covered(_ window: FrameWindow) -> Bool {
        minCoverage.allSatisfy { rule in (window.channel(named: rule.column)?.coverage ?? 0) >= rule.fraction }
    }

    /// `[start, end)` of every window holding a row of ascending `time`, in order.
    ///
    /// A window k covers positions `[k*stride, k*stride + length)`, in ms after the offset or
    /// in local days, so a row at position p lies in windows
    /// `floor((p - length) / stride) + 1 ... floor(p / stride)`.
    private func windowSpans(_ time: ContiguousArray<Int64>) throws(SensorError) -> [(Int64, Int64)] {
        var positions: ContiguousArray<Int64>
        var unitLength = length, unitStride = stride
        var days: WindowDays?
        switch alignment {
        case .epoch(let offset):
            positions = ContiguousArray(time.lazy.map { $0 - offset })
        case .calendarDay(let zone):
            let calendar = try WindowDays(zone: zone, for: Self.name)
            positions = calendar.days(ofAscending: time)
            unitLength /= CivilTime.millisecondsPerDay
            unitStride /= CivilTime.millisecondsPerDay
            days = calendar
        }
        var ks: [Int64] = []
        for p in positions {
            let hi = WindowSupport.floorDivide(p, unitStride)
            var k = WindowSupport.floorDivide(p - unitLength, unitStride) + 1
            if let previous = ks.last, k <= previous { k = previous + 1 }
            while k <= hi {
                ks.append(k)
                k += 1
            }
        }
        return ks.map { k in
            switch alignment {
            case .epoch(let offset): return (offset + k * stride, offset + k * stride + length)
            case .calendarDay:
                let first = k * unitStride
                guard let days else { return (0, 0) }
                return (days.midnight(first), days.midnight(first + unitLength))
            }
        }
    }

    /// The first index whose time is at least `t`.
    static func lowerBound(_ time: ContiguousArray<Int64>, _ t: Int64) -> Int {
        var lo = 0, hi = time.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if time[mid] < t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// One value a slot from the present rows of `rows` (ascending times within the window).
    static func resample(_ time: ContiguousArray<Int64>, _ column: ContiguousArray<Double>, rows: Range<Int>,
                         start: Int64, end: Int64, step: Int64, _ aggregate: WindowAggregate) -> ContiguousArray<Double> {
        let slots = Int((end - start + step - 1) / step)
        var acc = ContiguousArray<Double>(repeating: 0, count: slots)
        var counts = ContiguousArray<Int32>(repeating: 0, count: slots)
        for i in rows {
            let v = column[i]
            if v.isNaN { continue }
            let s = Int((time[i] - start) / step)
            let first = counts[s] == 0
            counts[s] &+= 1
            switch aggregate {
            case .mean, .sum: acc[s] += v
            case .last: acc[s] = v
            case .min: if first || v < acc[s] { acc[s] = v }
            case .max: if first || v > acc[s] { acc[s] = v }
            case .count: break
            }
        }
        for s in 0..<slots {
            let n = counts[s]
            if n == 0 { acc[s] = .nan; continue }
            switch aggregate {
            case .mean: acc[s] /= Double(n)
            case .count: acc[s] = Double(n)
            default: break
            }
        }
        return acc
    }
}
