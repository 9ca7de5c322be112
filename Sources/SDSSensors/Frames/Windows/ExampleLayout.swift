/// A channel written scaled: `(v - subtract) / divide`, computed in float64 and rounded once
/// to float32 (a z-score with constants from the spec, never statistics of the data).
public struct ChannelScale: Sendable, Equatable {
    public var channel: String
    public var subtract: Double
    public var divide: Double

    public init(channel: String, subtract: Double, divide: Double) {
        self.channel = channel
        self.subtract = subtract
        self.divide = divide
    }
}

/// Channels written side by side as one float tensor `[slots, channels]`, row-major (element
/// `k*m + c` is slot m of channel c), with an optional float mask of the same shape (1.0 where
/// the slot holds a value). Its channels are not written one by one as well.
public struct TensorStack: Sendable, Equatable {
    public var name: String
    public var channels: [String]
    /// The mask's feature name; nil writes none.
    public var mask: String?

    public init(name: String, channels: [String], mask: String? = nil) {
        self.name = name
        self.channels = channels
        self.mask = mask
    }
}

/// Which bookkeeping features an example carries, and under which names.
///
/// The defaults are the features every study wrote before these options existed.
public struct ExampleLayout: Sendable, Equatable {
    /// The partition key's feature (a subject id).
    public var partition = "partition"
    /// The window start's feature (int64 ms UTC); nil writes none.
    public var windowStart: String? = "window_start"
    /// The window start's local date (`YYYY-MM-DD` in `dateZone`) as text; nil writes none.
    public var date: String?
    public var dateZone = "UTC"
    /// Text features with the same value in every example; one called `dataset` replaces the
    /// study name in the `dataset` feature.
    public var constants: [(name: String, value: String)] = []
    /// int64 features: 1 where the scalar (a label) is present, 0 where it is missing.
    public var presence: [(scalar: String, feature: String)] = []
    public var scales: [ChannelScale] = []
    public var stacks: [TensorStack] = []

    public init() {}

    public static func == (a: ExampleLayout, b: ExampleLayout) -> Bool {
        a.partition == b.partition && a.windowStart == b.windowStart && a.date == b.date && a.dateZone == b.dateZone
            && a.constants.map(\.name) == b.constants.map(\.name) && a.constants.map(\.value) == b.constants.map(\.value)
            && a.presence.map(\.scalar) == b.presence.map(\.scalar) && a.presence.map(\.feature) == b.presence.map(\.feature)
            && a.scales == b.scales && a.stacks == b.stacks
    }

    var isDefault: Bool { self == ExampleLayout() }

    func write(_ w: inout BinaryWriter) {
        w.string(partition)
        w.string(windowStart ?? "")
        w.string(date ?? "")
        w.string(dateZone)
        w.count(constants.count)
        for c in constants { w.string(c.name); w.string(c.value) }
        w.count(presence.count)
        for p in presence { w.string(p.scalar); w.string(p.feature) }
        w.count(scales.count)
        for s in scales { w.string(s.channel); w.f64(s.subtract); w.f64(s.divide) }
        w.count(stacks.count)
        for s in stacks {
            w.string(s.name)
            w.count(s.channels.count)
            for c in s.channels { w.string(c) }
            w.string(s.mask ?? "")
        }
    }

    /// The `dataset` feature's text: the `dataset` constant, else the study's name.
    func datasetName(_ source: String) -> String { constants.first { $0.name == "dataset" }?.value ?? source }

    func scale(of channel: String) -> ChannelScale? { scales.first { $0.channel == channel } }

    /// Channels written inside a stack.
    var stacked: Set<String> { Set(stacks.flatMap(\.channels)) }

    /// Checks what can be checked without data: positive finite divisors, known channels,
    /// stacks of equal-length channels, each channel in one stack at most.
    func validate(channels: [WindowChannelSpec], op: String) throws(SensorError) {
        let names = channels.map(\.name)
        for s in scales {
            guard s.divide.isFinite, s.divide != 0, s.subtract.isFinite else {
                throw SensorError.parameter("\(op): the scale of \"\(s.channel)\" needs a finite subtract and a non-zero divide")
            }
            guard names.contains(s.channel) else {
                throw SensorError.parameter("\(op): scale names \"\(s.channel)\", which is not a window channel"
                                            + WindowSupport.didYouMean(s.channel, among: names))
            }
        }
        var seen: Set<String> = []
        for s in stacks {
            guard !s.channels.isEmpty else { throw SensorError.parameter("\(op): stack \"\(s.name)\" needs at least one channel") }
            for c in s.channels {
                guard let spec = channels.first(where: { $0.name == c }) else {
                    throw SensorError.parameter("\(op): stack \"\(s.name)\" names \"\(c)\", which is not a window channel"
                                                + WindowSupport.didYouMean(c, among: names))
                }
                guard seen.insert(c).inserted else { throw SensorError.parameter("\(op): channel \"\(c)\" is in two stacks") }
                let first = channels.first { $0.name == s.channels[0] }!
                guard spec.length == first.length, spec.length != nil else {
                    throw SensorError.parameter("\(op): stack \"\(s.name)\" needs channels of one fixed slot count; \"\(c)\" and \"\(first.name)\" differ")
                }
            }
        }
    }
}
