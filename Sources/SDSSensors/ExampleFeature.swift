/// One feature's values, mirroring tf.train.Feature without depending on an encoder.
///
/// Equality compares floats by bit pattern.
public enum FeatureValue: Sendable, Equatable {
    case bytes([[UInt8]])
    case floats([Float])
    case int64s([Int64])

    public static func == (a: FeatureValue, b: FeatureValue) -> Bool {
        switch (a, b) {
        case (.bytes(let x), .bytes(let y)): return x == y
        case (.int64s(let x), .int64s(let y)): return x == y
        case (.floats(let x), .floats(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern }
        default: return false
        }
    }
}

/// A named feature.
public struct ExampleFeature: Sendable, Equatable {
    public var name: String
    public var value: FeatureValue

    public init(name: String, value: FeatureValue) {
        self.name = name
        self.value = value
    }
}

/// The features of one (entity, day) example, sorted by name bytes.
public struct DayExample: Sendable, Equatable {
    public var entity: String
    public var day: Int32
    public var features: [ExampleFeature]

    public init(entity: String, day: Int32, features: [ExampleFeature]) {
        self.entity = entity
        self.day = day
        self.features = features.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    /// `YYYY-MM-DD` of `day`.
    public var date: String { CivilTime.dateString(day: Int64(day)) }

    /// The value of the feature called `name`.
    public subscript(name: String) -> FeatureValue? {
        features.first { $0.name == name }?.value
    }
}
