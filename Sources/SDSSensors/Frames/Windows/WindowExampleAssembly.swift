/// The value type of an example feature (tf.train.Feature's three lists).
public enum ExampleFeatureKind: String, Sendable, Equatable, CaseIterable {
    case float, int64, bytes
}

/// A window scalar written as an example feature.
public struct ScalarFeature: Sendable, Equatable {
    /// The window scalar's name.
    public var scalar: String
    /// The feature's name.
    public var feature: String
    /// `.float` and `.int64` take number scalars (int64 only whole ones), `.bytes` text scalars.
    public var kind: ExampleFeatureKind
    /// The value written for a missing scalar (a number for float/int64, text for bytes);
    /// `.missing` leaves the feature out of that example.
    public var missing: WindowScalar

    public init(scalar: String, feature: String? = nil, kind: ExampleFeatureKind = .float, missing: WindowScalar = .missing) {
        self.scalar = scalar
        self.feature = feature ?? scalar
        self.kind = kind
        self.missing = missing
    }
}

/// What an example feature holds, for a features.json declaration.
public struct ExampleFeatureSpec: Sendable, Equatable {
    public var name: String
    public var kind: ExampleFeatureKind
    /// The number of values when every example has the same; nil when it varies.
    public var length: Int?
    /// Whether some examples may lack the feature.
    public var optional: Bool
    /// Values per slot: 1, or the channel count of a stack (`[length, width]`).
    public var width: Int

    public init(name: String, kind: ExampleFeatureKind, length: Int?, optional: Bool = false, width: Int = 1) {
        self.name = name
        self.kind = kind
        self.length = length
        self.optional = optional
        self.width = width
    }
}

/// Turns each window into the features of one example (`frame.examples`).
///
/// Per channel `sensor/<name>` (floats; NaN stays NaN unless `missingValue` replaces it) and,
/// with `masks`, `mask/<name>` (int64 1 where the slot has a value, else 0); the declared
/// scalar features; `caption` (bytes, with `captions`); `dataset` (`source`, so examples of
/// several studies merged into one set keep their origin); `partition` (bytes);
/// `window_start` (int64 ms UTC). Features are sorted by name bytes.
public struct WindowExampleAssembly: Sendable, Equatable {
    public static let name = "frame.examples"
    public static let version = 1

    public var source: String
    public var masks: Bool
    public var missingValue: Float?
    public var scalarFeatures: [ScalarFeature]
    public var captions: Bool
    /// Feature names, constants, presence flags, scaling and stacks (`ExampleLayout`).
    public var layout: ExampleLayout

    public init(source: String, masks: Bool = true, missingValue: Float? = nil,
                scalarFeatures: [ScalarFeature] = [], captions: Bool = true, layout: ExampleLayout = ExampleLayout()) {
        self.source = source
        self.masks = masks
        self.missingValue = missingValue
        self.scalarFeatures = scalarFeatures
        self.captions = captions
        self.layout = layout
    }

    /// The canonical bytes of the parameters `apply` reads, for step keys.
    public func parameters() -> [UInt8] {
        BinaryWriter.parameters(Self.name) { w in
            w.string(source)
            w.u8(masks ? 1 : 0)
            w.u8(missingValue == nil ? 0 : 1)
            if let missingValue { w.u32(missingValue.bitPattern) }
            w.count(scalarFeatures.count)
            for f in scalarFeatures {
                w.string(f.scalar)
                w.string(f.feature)
                w.string(f.kind.rawValue)
                f.missing.write(&w)
            }
            w.u8(captions ? 1 : 0)
            // Only when not the default, so studies written before the layout keep their keys.
            if !layout.isDefault { layout.write(&w) }
        }
    }

    /// The declarations of the features of windows with these channels, sorted by name bytes.
    ///
    /// `Windowing.channelSpecs()` gives the channels; a channel of unknown length (whole
    /// partitions, calendar days in a zone with clock changes) gives a variable-length feature.
    public func featureSpecs(channels: [WindowChannelSpec]) -> [ExampleFeatureSpec] {
        var specs: [ExampleFeatureSpec] = []
        let stacked = layout.stacked
        for c in channels where !stacked.contains(c.name) {
            specs.append(ExampleFeatureSpec(name: "sensor/" + c.name, kind: .float, length: c.length))
            if masks { specs.append(ExampleFeatureSpec(name: "mask/" + c.name, kind: .int64, length: c.length)) }
        }
        for s in layout.stacks {
            let length = channels.first { $0.name == s.channels.first }?.length
            specs.append(ExampleFeatureSpec(name: s.name, kind: .float, length: length, width: s.channels.count))
            if let m = s.mask { specs.append(ExampleFeatureSpec(name: m, kind: .float, length: length, width: s.channels.count)) }
        }
        for f in scalarFeatures {
            specs.append(ExampleFeatureSpec(name: f.feature, kind: f.kind, length: 1, optional: f.missing.isMissing))
        }
        for p in layout.presence { specs.append(ExampleFeatureSpec(name: p.feature, kind: .int64, length: 1)) }
        if captions { specs.append(ExampleFeatureSpec(name: "caption", kind: .bytes, length: 1)) }
        specs.append(ExampleFeatureSpec(name: "dataset", kind: .bytes, length: 1))
        for c in layout.constants where c.name != "dataset" { specs.append(ExampleFeatureSpec(name: c.name, kind: .bytes, length: 1)) }
        specs.append(ExampleFeatureSpec(name: layout.partition, kind: .bytes, length: 1))
        if let d = layout.date { specs.append(ExampleFeatureSpec(name: d, kind: .bytes, length: 1)) }
        if let t = layout.windowStart { specs.append(ExampleFeatureSpec(name: t, kind: .int64, length: 1)) }
        return specs.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    /// Checks that feature names are distinct and each missing value fits its feature's kind.
    ///
    /// - Throws: `SensorError(.invalidParameter)` saying which.
    public func validate(channels: [String]) throws(SensorError) {
        for f in scalarFeatures {
            switch (f.kind, f.missing) {
            case (_, .missing), (.float, .number), (.bytes, .text): continue
            case (.int64, .number(let v)) where Self.int64(v) != nil: continue
            default:
                throw SensorError.parameter("\(Self.name): the missing value of \"\(f.feature)\" does not fit its kind \(f.kind.rawValue)")
            }
        }
        try validate(channelSpecs: channels.map { WindowChannelSpec(name: $0, length: nil) }, lengths: false)
    }

    /// `validate(channels:)` with the channels' slot counts, which stacks must share.
    public func validate(channelSpecs: [WindowChannelSpec], lengths: Bool = true) throws(SensorError) {
        if lengths || layout.stacks.isEmpty {
            try layout.validate(channels: channelSpecs, op: Self.name)
        }
        let names = featureSpecs(channels: channelSpecs).map(\.name)
        for (a, b) in zip(names, names.dropFirst()) where a == b {
            throw SensorError.parameter("\(Self.name): two features are called \"\(a)\"")
        }
    }

    /// One feature list per window of `w`, in window order.
    ///
    /// - Throws: `SensorError(.invalidParameter)` for repeated feature names or a declared
    ///   scalar a window lacks; `SensorError(.badValue)` for a scalar not of its feature's kind.
    public func apply(_ w: WindowedPartition) throws(SensorError) -> [[ExampleFeature]] {
        let sourceBytes = Array(layout.datasetName(source).utf8), partitionBytes = Array(w.partition.utf8)
        var days: WindowDays?
        if layout.date != nil { days = try WindowDays(zone: layout.dateZone, for: Self.name) }
        let stacked = layout.stacked
        var examples: [[ExampleFeature]] = []
        examples.reserveCapacity(w.windows.count)
        var checked: [String]?
        for window in w.windows {
            let channelNames = window.channels.map(\.name)
            if checked != channelNames {
                try validate(channels: channelNames)
                checked = channelNames
            }
            var features: [ExampleFeature] = []
            for c in window.channels where !stacked.contains(c.name) {
                let scale = layout.scale(of: c.name)
                let values = c.values.map { v in value(v, scale) }
                features.append(ExampleFeature(name: "sensor/" + c.name, value: .floats(values)))
                if masks { features.append(ExampleFeature(name: "mask/" + c.name, value: .int64s(c.values.map { $0.isNaN ? 0 : 1 }))) }
            }
            for s in layout.stacks { features += try stack(s, window, partition: w.partition) }
            for p in layout.presence {
                let present = window.scalar(named: p.scalar).map { !$0.isMissing } ?? false
                features.append(ExampleFeature(name: p.feature, value: .int64s([present ? 1 : 0])))
            }
            for c in layout.constants where c.name != "dataset" {
                features.append(ExampleFeature(name: c.name, value: .bytes([Array(c.value.utf8)])))
            }
            if let d = layout.date, let days {
                features.append(ExampleFeature(name: d, value: .bytes([Array(CivilTime.dateString(day: days.day(of: window.start)).utf8)])))
            }
            for f in scalarFeatures {
                guard let scalar = window.scalar(named: f.scalar) else {
                    throw SensorError.parameter("\(Self.name): windows of \(w.partition) have no scalar \"\(f.scalar)\""
                                                + WindowSupport.didYouMean(f.scalar, among: window.scalars.map(\.name)))
                }
                if let value = try featureValue(scalar.isMissing ? f.missing : scalar, f, window, partition: w.partition) {
                    features.append(ExampleFeature(name: f.feature, value: value))
                }
            }
            if captions { features.append(ExampleFeature(name: "caption", value: .bytes([Array(window.caption.utf8)]))) }
            features.append(ExampleFeature(name: "dataset", value: .bytes([sourceBytes])))
            features.append(ExampleFeature(name: layout.partition, value: .bytes([partitionBytes])))
            if let t = layout.windowStart { features.append(ExampleFeature(name: t, value: .int64s([window.start]))) }
            examples.append(features.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) })
        }
        return examples
    }

    /// A slot's value as written: scaled in float64 and rounded once; a missing slot takes
    /// `missingValue` (not scaled) or stays NaN.
    @inline(__always)
    private func value(_ v: Double, _ scale: ChannelScale?) -> Float {
        if v.isNaN { return missingValue ?? Float(v) }
        guard let scale else { return Float(v) }
        return Float((v - scale.subtract) / scale.divide)
    }

    /// A stack's tensor and mask, interleaved slot by slot.
    private func stack(_ s: TensorStack, _ window: FrameWindow, partition: String) throws(SensorError) -> [ExampleFeature] {
        var columns: [(ContiguousArray<Double>, ChannelScale?)] = []
        for name in s.channels {
            guard let c = window.channel(named: name) else {
                throw SensorError.parameter("\(Self.name): windows of \(partition) have no channel \"\(name)\" for stack \"\(s.name)\"")
            }
            guard c.values.count == columns.first?.0.count ?? c.values.count else {
                throw SensorError.parameter("\(Self.name): stack \"\(s.name)\" of \(partition) has channels of different lengths")
            }
            columns.append((c.values, layout.scale(of: name)))
        }
        let slots = columns[0].0.count, k = columns.count
        var values = [Float](repeating: 0, count: slots * k)
        var mask = [Float](repeating: 0, count: s.mask == nil ? 0 : slots * k)
        for (c, (column, scale)) in columns.enumerated() {
            for m in 0..<slots {
                let v = column[m]
                values[k * m + c] = value(v, scale)
                if !mask.isEmpty && !v.isNaN { mask[k * m + c] = 1 }
            }
        }
        var out = [ExampleFeature(name: s.name, value: .floats(values))]
        if let m = s.mask { out.append(ExampleFeature(name: m, value: .floats(mask))) }
        return out
    }

    private func featureValue(_ scalar: WindowScalar, _ f: ScalarFeature, _ window: FrameWindow,
                              partition: String) throws(SensorError) -> FeatureValue? {
        switch (f.kind, scalar) {
        case (_, .missing): return nil
        case (.float, .number(let v)): return .floats([Float(v)])
        case (.int64, .number(let v)):
            if let i = Self.int64(v) { return .int64s([i]) }
        case (.bytes, .text(let s)): return .bytes([Array(s.utf8)])
        default: break
        }
        let what: String
        switch scalar {
        case .number(let v): what = "the number \(v)"
        case .text(let s): what = "the text \"\(s)\""
        case .missing: what = "missing"
        }
        throw SensorError(.badValue, "\(Self.name): scalar \"\(f.scalar)\" of \(partition) at \(WindowSupport.isoTimestamp(window.start)) is \(what), "
                          + "which feature \"\(f.feature)\" (\(f.kind.rawValue)) cannot hold")
    }

    /// `v` if it is a whole number within Int64.
    static func int64(_ v: Double) -> Int64? {
        guard v.rounded() == v, v >= -9.223_372_036_854_775_808e18, v < 9.223_372_036_854_775_808e18 else { return nil }
        return Int64(v)
    }
}
