/// One resampled series of a window: a value per grid slot, NaN where the slot has none.
///
/// `step` is the slot width in ms; 0 marks a whole-partition channel, whose values are the
/// frame's rows as they are. Equality compares values by bit pattern.
public struct WindowChannel: Sendable, Equatable {
    public var name: String
    public var step: Int64
    public var values: ContiguousArray<Double>

    public init(name: String, step: Int64, values: ContiguousArray<Double>) {
        self.name = name
        self.step = step
        self.values = values
    }

    public static func == (a: WindowChannel, b: WindowChannel) -> Bool {
        a.name == b.name && a.step == b.step && a.values.count == b.values.count
            && zip(a.values, b.values).allSatisfy { $0.bitPattern == $1.bitPattern }
    }

    /// Slots holding a value (not NaN).
    public var presentCount: Int { values.reduce(0) { $1.isNaN ? $0 : $0 + 1 } }

    /// The fraction of slots holding a value; 0 for a channel without slots.
    public var coverage: Double { values.isEmpty ? 0 : Double(presentCount) / Double(values.count) }
}

/// A per-window value joined from another table (a label, an attribute).
///
/// Equality compares numbers by bit pattern.
public enum WindowScalar: Sendable, Equatable {
    case number(Double)
    case text(String)
    case missing

    public static func == (a: WindowScalar, b: WindowScalar) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x.bitPattern == y.bitPattern
        case (.text(let x), .text(let y)): return x == y
        case (.missing, .missing): return true
        default: return false
        }
    }

    /// The number, or nil for text and missing.
    public var number: Double? {
        if case .number(let v) = self { return v }
        return nil
    }

    var isMissing: Bool {
        if case .missing = self { return true }
        return false
    }

    func write(_ w: inout BinaryWriter) {
        switch self {
        case .missing: w.u8(0)
        case .number(let v): w.u8(1); w.f64(v)
        case .text(let s): w.u8(2); w.string(s)
        }
    }

    static func read(_ r: inout BinaryReader) throws(SensorError) -> WindowScalar {
        switch try r.u8() {
        case 0: return .missing
        case 1: return .number(try r.f64())
        case 2: return .text(try r.string())
        case let k: throw r.fail("unknown scalar kind \(k)")
        }
    }
}

/// A named scalar of a window.
public struct NamedScalar: Sendable, Equatable {
    public var name: String
    public var value: WindowScalar

    public init(name: String, value: WindowScalar) {
        self.name = name
        self.value = value
    }
}

/// One window of a partition: its time span, channels, joined scalars and caption.
public struct FrameWindow: Sendable, Equatable {
    /// First instant, ms UTC (inclusive).
    public var start: Int64
    /// End instant, ms UTC (exclusive).
    public var end: Int64
    public var channels: [WindowChannel]
    /// In the order the joins added them.
    public var scalars: [NamedScalar]
    /// Empty until a caption step writes it.
    public var caption: String

    public init(start: Int64, end: Int64, channels: [WindowChannel], scalars: [NamedScalar] = [], caption: String = "") {
        self.start = start
        self.end = end
        self.channels = channels
        self.scalars = scalars
        self.caption = caption
    }

    /// The channel called `name`, if any.
    public func channel(named name: String) -> WindowChannel? {
        channels.first { $0.name == name }
    }

    /// The scalar called `name`, or nil if no join added it.
    public func scalar(named name: String) -> WindowScalar? {
        scalars.first { $0.name == name }?.value
    }

    /// Replaces the scalar called `name` (keeping its place) or appends it.
    public mutating func setScalar(_ name: String, _ value: WindowScalar) {
        if let i = scalars.firstIndex(where: { $0.name == name }) {
            scalars[i].value = value
        } else {
            scalars.append(NamedScalar(name: name, value: value))
        }
    }
}

/// The windows of one partition, in start order: what windowing, joins, filters and captions
/// pass along.
public struct WindowedPartition: Sendable, Equatable {
    public var partition: String
    public var windows: [FrameWindow]

    public init(partition: String, windows: [FrameWindow]) {
        self.partition = partition
        self.windows = windows
    }

    static let tag = ObjectTag("sWNP", version: 1, name: "WindowedPartition")

    /// The canonical bytes: partition, window count, then per window start, end (i64),
    /// channels (name, step, value count, f64 bits), scalars (name, kind 0 missing / 1 number
    /// f64 / 2 text string) and caption.
    public func encoded() -> [UInt8] {
        let size = windows.reduce(64) { $0 + 64 + $1.channels.reduce(0) { $0 + 32 + 8 * $1.values.count } }
        var w = BinaryWriter(Self.tag, capacity: size)
        w.string(partition)
        w.count(windows.count)
        for window in windows {
            w.i64(window.start)
            w.i64(window.end)
            w.count(window.channels.count)
            for c in window.channels {
                w.string(c.name)
                w.i64(c.step)
                w.count(c.values.count)
                w.doubles(c.values)
            }
            w.count(window.scalars.count)
            for s in window.scalars {
                w.string(s.name)
                s.value.write(&w)
            }
            w.string(window.caption)
        }
        return w.bytes
    }

    /// Decodes bytes made by `encoded()`.
    ///
    /// - Throws: `SensorError(.corruptObject)` if they are not exactly such bytes.
    public init(decoding bytes: [UInt8]) throws(SensorError) {
        var r = try BinaryReader(bytes, Self.tag)
        partition = try r.string()
        let n = try r.count(minimumSize: 36)
        var windows: [FrameWindow] = []
        windows.reserveCapacity(n)
        for _ in 0..<n {
            let start = try r.i64()
            let end = try r.i64()
            let k = try r.count(minimumSize: 20)
            var channels: [WindowChannel] = []
            for _ in 0..<k {
                let name = try r.string()
                let step = try r.i64()
                let m = try r.count(minimumSize: 8)
                channels.append(WindowChannel(name: name, step: step, values: try r.doubles(count: m)))
            }
            let s = try r.count(minimumSize: 5)
            var scalars: [NamedScalar] = []
            for _ in 0..<s {
                let name = try r.string()
                scalars.append(NamedScalar(name: name, value: try WindowScalar.read(&r)))
            }
            windows.append(FrameWindow(start: start, end: end, channels: channels, scalars: scalars, caption: try r.string()))
        }
        self.windows = windows
        try r.finish()
    }
}
