/// Element types a TFDS `Tensor` or `Scalar` can declare, and how each is stored.
///
/// Integers and bool are stored as int64, floats as float32 (so float64 loses
/// precision), strings as bytes — TFDS's own mapping.
public enum TFDSDType: String, Sendable, CaseIterable {
    case bool, int8, int16, int32, int64, uint8, uint16, uint32
    case float16, float32, float64
    case string

    /// The Example list kind that holds values of this type.
    public var kind: Example.Kind {
        switch self {
        case .float16, .float32, .float64: return .float
        case .string: return .bytes
        default: return .int64
        }
    }

    /// The range an int64-stored value must lie in to survive TFDS's cast.
    var integerRange: ClosedRange<Int64>? {
        switch self {
        case .bool: return 0...1
        case .int8: return Int64(Int8.min)...Int64(Int8.max)
        case .int16: return Int64(Int16.min)...Int64(Int16.max)
        case .int32: return Int64(Int32.min)...Int64(Int32.max)
        case .uint8: return 0...Int64(UInt8.max)
        case .uint16: return 0...Int64(UInt16.max)
        case .uint32: return 0...Int64(UInt32.max)
        default: return nil
        }
    }
}

/// One top-level feature of a TFDS dataset (the connectors sds writes).
public enum TFDSFeature: Sendable, Equatable {
    /// `tfds.features.Tensor`: values flattened row-major into one list.
    /// `shape` may start with -1 (variable length, e.g. `[-1, C]` sensor rows);
    /// other dimensions must be positive.
    case tensor(shape: [Int], dtype: TFDSDType)
    /// `tfds.features.Scalar`: exactly one value.
    case scalar(TFDSDType)
    /// `tfds.features.Text`: one UTF-8 bytes value.
    case text
    /// `tfds.features.ClassLabel`: one int64 in `0..<names.count`; the names go
    /// to `<feature>.labels.txt`.
    case classLabel(names: [String])

    /// Checks the declaration itself (shape, label names).
    func validate(name: String) throws {
        switch self {
        case .tensor(let shape, _):
            for (i, dim) in shape.enumerated() where !(dim > 0 || (i == 0 && dim == -1)) {
                throw TFRecordError(.invalidArgument,
                                    "feature '\(name)': shape \(shape) must have positive dimensions, with -1 only first")
            }
        case .classLabel(let names):
            guard !names.isEmpty else {
                throw TFRecordError(.invalidArgument, "feature '\(name)': a class label needs at least one name")
            }
            for label in names where label.isEmpty || label.contains(where: \.isNewline) {
                throw TFRecordError(.invalidArgument,
                                    "feature '\(name)': label name \(label.debugDescription) must be non-empty and on one line")
            }
        case .scalar, .text:
            break
        }
    }

    /// Throws `.featureMismatch` unless `value` is what TFDS will decode as this feature.
    func check(_ value: Example.Feature, name: String) throws {
        func fail(_ why: String) -> TFRecordError {
            TFRecordError(.featureMismatch, "feature '\(name)': \(why)")
        }
        let (dtype, shape): (TFDSDType, [Int])
        switch self {
        case .tensor(let s, let d): (dtype, shape) = (d, s)
        case .scalar(let d): (dtype, shape) = (d, [])
        case .text: (dtype, shape) = (.string, [])
        case .classLabel: (dtype, shape) = (.int64, [])
        }
        guard value.kind == dtype.kind else {
            throw fail("expected a \(dtype.kind) list for \(dtype.rawValue), found \(value.kind)")
        }
        if shape.first == -1 {
            let row = shape.dropFirst().reduce(1, *)
            guard value.count % row == 0 else {
                throw fail("\(value.count) values are not a whole number of rows of \(row) for shape \(shape)")
            }
        } else {
            let expected = shape.reduce(1, *)
            guard value.count == expected else {
                throw fail("expected \(expected) values for shape \(shape), found \(value.count)")
            }
        }
        if case .int64(let values) = value {
            if let range = dtype.integerRange, let bad = values.first(where: { !range.contains($0) }) {
                throw fail("value \(bad) does not fit \(dtype.rawValue)")
            }
            if case .classLabel(let names) = self, let bad = values.first(where: { $0 < 0 || $0 >= Int64(names.count) }) {
                throw fail("class \(bad) is outside 0..<\(names.count)")
            }
        }
    }

    /// The `features.json` node.
    var json: JSONValue {
        let prefix = "tensorflow_datasets.core.features."
        func tensor(_ shape: [Int], _ dtype: TFDSDType) -> JSONValue {
            .object([
                "dtype": .string(dtype.rawValue),
                "encoding": .string("none"),
                "shape": shape.isEmpty ? .object([:]) : .object(["dimensions": .array(shape.map { .string(String($0)) })]),
            ])
        }
        switch self {
        case .tensor(let shape, let dtype):
            return .object(["pythonClassName": .string(prefix + "tensor_feature.Tensor"), "tensor": tensor(shape, dtype)])
        case .scalar(let dtype):
            return .object(["pythonClassName": .string(prefix + "scalar.Scalar"), "tensor": tensor([], dtype)])
        case .text:
            return .object(["pythonClassName": .string(prefix + "text_feature.Text"), "text": .object([:])])
        case .classLabel(let names):
            return .object([
                "pythonClassName": .string(prefix + "class_label_feature.ClassLabel"),
                "classLabel": .object(["numClasses": .string(String(names.count))]),
            ])
        }
    }
}
