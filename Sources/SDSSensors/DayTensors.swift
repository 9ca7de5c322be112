/// How one channel's values become tensor values.
public enum ChannelScaling: Sendable, Equatable {
    /// The value itself, rounded once to float32.
    case identity
    /// `float32((value - mean) / std)`, computed in float64 and rounded once.
    case standardize(mean: Double, std: Double)
}

/// Parameters of `TensorBuilder.build`: a scaling per channel.
public struct TensorParameters: Sendable, Equatable {
    public var scaling: [ChannelScaling]

    public init(scaling: [ChannelScaling]) { self.scaling = scaling }

    static let tag = ObjectTag("sTNp", version: 1, name: "TensorParameters")

    /// The canonical bytes of these parameters, for step keys.
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(Self.tag)
        w.count(scaling.count)
        for s in scaling {
            switch s {
            case .identity:
                w.u8(0)
            case .standardize(let mean, let std):
                w.u8(1)
                w.f64(mean)
                w.f64(std)
            }
        }
        return w.bytes
    }
}

/// Float32 `[1440, channels]` sensor and mask tensors per kept day of one entity.
///
/// Invariants: `sensor` and `mask` have `days.count * 1440 * channelCount` entries; day `d`'s
/// tensor starts at `d * 1440 * channelCount` and is row-major (minute, channel); masks are
/// 1.0 or 0.0, and a sensor value is 0.0 where its mask is 0.
public struct DayTensors: Sendable, Equatable {
    public var entity: String
    public var days: ContiguousArray<Int32>
    public var channelCount: Int
    public var sensor: ContiguousArray<Float>
    public var mask: ContiguousArray<Float>

    public init(entity: String, days: ContiguousArray<Int32>, channelCount: Int,
                sensor: ContiguousArray<Float>, mask: ContiguousArray<Float>) {
        precondition(sensor.count == days.count * CivilTime.minutesPerDay * channelCount && mask.count == sensor.count,
                     "tensor arrays must have days * 1440 * channels entries")
        self.entity = entity
        self.days = days
        self.channelCount = channelCount
        self.sensor = sensor
        self.mask = mask
    }

    /// Elements in one day's tensor.
    public var dayStride: Int { CivilTime.minutesPerDay * channelCount }

    /// Day index `d`'s sensor tensor.
    public func sensor(day d: Int) -> [Float] {
        Array(sensor[(d * dayStride)..<((d + 1) * dayStride)])
    }

    /// Day index `d`'s mask tensor.
    public func mask(day d: Int) -> [Float] {
        Array(mask[(d * dayStride)..<((d + 1) * dayStride)])
    }

    public static func == (a: DayTensors, b: DayTensors) -> Bool {
        a.entity == b.entity && a.days == b.days && a.channelCount == b.channelCount
            && bitwiseEqual(a.sensor, b.sensor) && bitwiseEqual(a.mask, b.mask)
    }

    static let tag = ObjectTag("sTEN", version: 1, name: "DayTensors")

    /// The canonical bytes: entity, channel count, days (i32), sensor then mask as f32 bits.
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(Self.tag, capacity: 32 + days.count * 4 + sensor.count * 8)
        w.string(entity)
        w.count(channelCount)
        w.count(days.count)
        w.int32s(days)
        w.floats(sensor)
        w.floats(mask)
        return w.bytes
    }

    /// Decodes bytes made by `encoded()`.
    ///
    /// - Throws: `SensorError` with code `.corruptObject` if they are not exactly such bytes.
    public init(decoding bytes: [UInt8]) throws(SensorError) {
        var r = try BinaryReader(bytes, Self.tag)
        entity = try r.string()
        channelCount = Int(truncatingIfNeeded: try r.u64())
        guard channelCount >= 0, channelCount < 1 << 20 else { throw r.fail("bad channel count") }
        let n = try r.count(minimumSize: 4 + 8 * CivilTime.minutesPerDay * max(channelCount, 0))
        days = try r.int32s(count: n)
        let count = n * CivilTime.minutesPerDay * channelCount
        sensor = try r.floats(count: count)
        mask = try r.floats(count: count)
        try r.finish()
    }
}

/// Turns day windows into normalised float32 tensors.
public enum TensorBuilder {
    public static let operatorName = "sensors.tensors"
    public static let operatorVersion = 1

    /// Builds `sensor[m, c]` (scaled value, 0 where masked out) and `mask[m, c]` per day.
    ///
    /// - Throws: `SensorError(.invalidParameter)` if there is not one scaling per channel or a
    ///   standard deviation is zero or not finite.
    public static func build(_ windows: DayWindows, _ parameters: TensorParameters) throws(SensorError) -> DayTensors {
        let channels = windows.channelCount
        guard parameters.scaling.count == channels else {
            throw SensorError.parameter("tensors need one scaling per channel (\(parameters.scaling.count) for \(channels))")
        }
        for case .standardize(let mean, let std) in parameters.scaling where !(std.isFinite && std != 0 && mean.isFinite) {
            throw SensorError.parameter("standardisation needs a finite mean and a finite non-zero std (mean \(mean), std \(std))")
        }
        let width = CivilTime.minutesPerDay
        let count = windows.days.count * width * channels
        var sensor = ContiguousArray<Float>(repeating: 0, count: count)
        var mask = ContiguousArray<Float>(repeating: 0, count: count)
        for d in 0..<windows.days.count {
            for c in 0..<channels {
                let scaling = parameters.scaling[c]
                let from = windows.index(day: d, channel: c, minute: 0)
                let to = d * width * channels + c
                for m in 0..<width where windows.masks[from + m] != 0 {
                    let v = windows.values[from + m]
                    switch scaling {
                    case .identity: sensor[to + m * channels] = Float(v)
                    case .standardize(let mean, let std): sensor[to + m * channels] = Float((v - mean) / std)
                    }
                    mask[to + m * channels] = 1
                }
            }
        }
        return DayTensors(entity: windows.entity, days: windows.days, channelCount: channels, sensor: sensor, mask: mask)
    }
}
