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

/// Feature names of an assembled example.
public struct ExampleNames: Sendable, Equatable {
    public var sensor = "sensor"
    public var mask = "mask"
    public var entity = "subject_id"
    public var date = "date"
    public var dataset = "dataset"
    public var caption = "caption"
    public var label = "label/minutes_asleep"
    public var labelPresent = "label/has_sleep"

    public init() {}

    var all: [String] { [sensor, mask, entity, date, dataset, caption, label, labelPresent] }
}

/// Parameters of `ExampleAssembly.assemble`.
public struct AssemblyParameters: Sendable, Equatable {
    public var names: ExampleNames
    /// The value of the dataset feature.
    public var dataset: String

    public init(names: ExampleNames = ExampleNames(), dataset: String) {
        self.names = names
        self.dataset = dataset
    }

    static let tag = ObjectTag("sEXp", version: 1, name: "AssemblyParameters")

    /// The canonical bytes of these parameters, for step keys.
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(Self.tag)
        for name in names.all { w.string(name) }
        w.string(dataset)
        return w.bytes
    }
}

/// The examples of one entity, in day order.
public struct DayExamples: Sendable, Equatable {
    public var entity: String
    public var examples: [DayExample]

    public init(entity: String, examples: [DayExample]) {
        self.entity = entity
        self.examples = examples
    }

    static let tag = ObjectTag("sEXM", version: 1, name: "DayExamples")

    /// The canonical bytes: entity, example count, then per example its day (i32), feature
    /// count and features (name, kind 1 bytes / 2 floats / 3 int64s, value count, values:
    /// byte strings, f32 bits or i64).
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(Self.tag, capacity: 64 + examples.count * 24_000)
        w.string(entity)
        w.count(examples.count)
        for example in examples {
            w.i32(example.day)
            w.count(example.features.count)
            for feature in example.features {
                w.string(feature.name)
                switch feature.value {
                case .bytes(let values):
                    w.u8(1)
                    w.count(values.count)
                    for v in values { w.byteString(v) }
                case .floats(let values):
                    w.u8(2)
                    w.count(values.count)
                    w.floats(ContiguousArray(values))
                case .int64s(let values):
                    w.u8(3)
                    w.count(values.count)
                    for v in values { w.i64(v) }
                }
            }
        }
        return w.bytes
    }

    /// Decodes bytes made by `encoded()`.
    ///
    /// - Throws: `SensorError` with code `.corruptObject` if they are not exactly such bytes.
    public init(decoding bytes: [UInt8]) throws(SensorError) {
        var r = try BinaryReader(bytes, Self.tag)
        entity = try r.string()
        let n = try r.count(minimumSize: 12)
        var examples: [DayExample] = []
        for _ in 0..<n {
            let day = try r.i32()
            let featureCount = try r.count(minimumSize: 13)
            var features: [ExampleFeature] = []
            for _ in 0..<featureCount {
                let name = try r.string()
                let kind = try r.u8()
                let value: FeatureValue
                switch kind {
                case 1:
                    let k = try r.count(minimumSize: 4)
                    var values: [[UInt8]] = []
                    for _ in 0..<k { values.append(try r.byteString()) }
                    value = .bytes(values)
                case 2:
                    let k = try r.count(minimumSize: 4)
                    value = .floats(Array(try r.floats(count: k)))
                case 3:
                    let k = try r.count(minimumSize: 8)
                    var values: [Int64] = []
                    for _ in 0..<k { values.append(try r.i64()) }
                    value = .int64s(values)
                default:
                    throw r.fail("unknown feature kind \(kind)")
                }
                if let last = features.last, !last.name.utf8.lexicographicallyPrecedes(name.utf8) {
                    throw r.fail("feature names out of order")
                }
                features.append(ExampleFeature(name: name, value: value))
            }
            examples.append(DayExample(entity: entity, day: day, features: features))
        }
        self.examples = examples
        try r.finish()
    }
}

/// Puts tensors, captions and labels of one entity's days together as examples.
public enum ExampleAssembly {
    public static let operatorName = "sensors.assemble-examples"
    public static let operatorVersion = 1

    /// One example per day with the features `sensor`, `mask` (floats), entity, date,
    /// dataset, caption (bytes), label (one float32) and label presence (one int64, 0/1).
    ///
    /// - Throws: `SensorError(.invalidParameter)` if the inputs disagree on entity or days,
    ///   or feature names repeat.
    public static func assemble(tensors: DayTensors, captions: DayCaptions, labels: DayLabels,
                                _ parameters: AssemblyParameters) throws(SensorError) -> DayExamples {
        let entity = tensors.entity
        guard captions.entity == entity, labels.entity == entity else {
            throw SensorError.parameter("example inputs mix entities: \(entity), \(captions.entity), \(labels.entity)")
        }
        guard captions.days == tensors.days, labels.days == tensors.days else {
            throw SensorError.parameter("example inputs of \(entity) cover different days")
        }
        let names = parameters.names
        guard Set(names.all).count == names.all.count else {
            throw SensorError.parameter("example feature names repeat: \(names.all.joined(separator: ", "))")
        }
        let entityBytes = Array(entity.utf8)
        let datasetBytes = Array(parameters.dataset.utf8)
        var examples: [DayExample] = []
        examples.reserveCapacity(tensors.days.count)
        for d in 0..<tensors.days.count {
            let day = tensors.days[d]
            examples.append(DayExample(entity: entity, day: day, features: [
                ExampleFeature(name: names.sensor, value: .floats(tensors.sensor(day: d))),
                ExampleFeature(name: names.mask, value: .floats(tensors.mask(day: d))),
                ExampleFeature(name: names.entity, value: .bytes([entityBytes])),
                ExampleFeature(name: names.date, value: .bytes([Array(CivilTime.dateString(day: Int64(day)).utf8)])),
                ExampleFeature(name: names.dataset, value: .bytes([datasetBytes])),
                ExampleFeature(name: names.caption, value: .bytes([Array(captions.captions[d].utf8)])),
                ExampleFeature(name: names.label, value: .floats([Float(labels.values[d])])),
                ExampleFeature(name: names.labelPresent, value: .int64s([Int64(labels.present[d])])),
            ]))
        }
        return DayExamples(entity: entity, examples: examples)
    }
}
