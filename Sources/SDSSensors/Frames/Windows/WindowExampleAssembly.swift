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

    public init(name: String, kind: ExampleFeatureKind, length: Int?, optional: Bool = false) {
        self.name = name
        self.kind = kind
        self.length = length
        self.optional = optional
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

    public init(source: String, masks: Bool = true, missingValue: Float? = nil,
                scalarFeatures: [ScalarFeature] = [], captions: Bool = true) {
        self.source = source
        self.masks = masks
        self.missingValue = missingValue
        self.scalarFeatures = scalarFeatures
        self.captions = captions
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
        }
    }

    /// The declarations of the features of windows with these channels, sorted by name bytes.
    ///
    /// `Windowing.channelSpecs()` gives the channels; a channel of unknown length (whole
    /// partitions, calendar days in a zone with clock changes) gives a variable-length feature.
    public func featureSpecs(channels: [WindowChannelSpec]) -> [ExampleFeatureSpec] {
        var specs: [ExampleFeatureSpec] = []
        for c in channels {
            specs.append(ExampleFeatureSpec(name: "sensor/" + c.name, kind: .float, length: c.length))
            if masks { specs.append(ExampleFeatureSpec(name: "mask/" + c.name, kind: .int64, length: c.length)) }
        }
        for f in scalarFeatures {
            specs.append(ExampleFeatureSpec(name: f.feature, kind: f.kind, length: 1, optional: f.missing.isMissing))
        }
        if captions { specs.append(ExampleFeatureSpec(name: "caption", kind: .bytes, length: 1)) }
        specs.append(ExampleFeatureSpec(name: "dataset", kind: .bytes, length: 1))
        specs.append(ExampleFeatureSpec(name: "partition", kind: .bytes, length: 1))
        specs.append(ExampleFeatureSpec(name: "window_start", kind: .int64, length: 1))
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
        let names = featureSpecs(channels: channels.map { WindowChannelSpec(name: $0, length: nil) }).map(\.name)
        for (a, b) in zip(names, names.dropFirst()) where a == b {
            throw SensorError.parameter("\(Self.name): two features are called \"\(a)\"")
        }
    }

    /// One feature list per window of `w`, in window order.
    ///
    /// - Throws: `SensorError(.invalidParameter)` for repeated feature names or a declared
    ///   scalar a window lacks; `SensorError(.badValue)` for a scalar not of its feature's kind.
    public func apply(_ w: WindowedPartition) throws(SensorError) -> [[ExampleFeature]] {
        let sourceBytes = Array(source.utf8), partitionBytes = Array(w.partition.utf8)
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
            for c in window.channels {
                let values = c.values.map { v in v.isNaN ? missingValue ?? Float(v) : Float(v) }
                features.append(ExampleFeature(name: "sensor/" + c.name, value: .floats(values)))
                if masks { features.append(ExampleFeature(name: "mask/" + c.name, value: .int64s(c.values.map { $0.isNaN ? 0 : 1 }))) }
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
            features.append(ExampleFeature(name: "partition", value: .bytes([partitionBytes])))
            features.append(ExampleFeature(name: "window_start", value: .int64s([window.start])))
            examples.append(features.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) })
        }
        return examples
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
