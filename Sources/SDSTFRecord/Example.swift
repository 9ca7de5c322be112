/// A `tf.train.Example`: named features, each a list of bytes, float32 or int64.
///
/// Invariants: equality compares floats by bit pattern (so NaN equals the same
/// NaN and -0 differs from +0), because an Example stands for the bytes it
/// encodes to. Feature names are Swift strings; two names that differ in bytes
/// but are canonically equivalent Unicode count as one name.
public struct Example: Sendable, Equatable, CustomStringConvertible {
    /// One feature's values.
    public enum Feature: Sendable, Equatable, CustomStringConvertible {
        case bytes([[UInt8]])
        case float([Float])
        case int64([Int64])

        /// A `bytes` feature holding UTF-8 strings.
        public static func text(_ values: String...) -> Feature {
            .bytes(values.map { Array($0.utf8) })
        }

        /// The kind's name as in the proto (`bytes_list` etc. without `_list`).
        public var kind: Kind {
            switch self {
            case .bytes: return .bytes
            case .float: return .float
            case .int64: return .int64
            }
        }

        /// Number of values in the list.
        public var count: Int {
            switch self {
            case .bytes(let v): return v.count
            case .float(let v): return v.count
            case .int64(let v): return v.count
            }
        }

        public static func == (a: Feature, b: Feature) -> Bool {
            switch (a, b) {
            case (.bytes(let x), .bytes(let y)):
                return x == y
            case (.int64(let x), .int64(let y)):
                return x == y
            case (.float(let x), .float(let y)):
                return x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern }
            default:
                return false
            }
        }

        public var description: String {
            switch self {
            case .bytes(let v): return "bytes\(v.map { String(decoding: $0, as: UTF8.self) })"
            case .float(let v): return "float\(v)"
            case .int64(let v): return "int64\(v)"
            }
        }
    }

    /// The three value kinds of a Feature.
    public enum Kind: String, Sendable, CaseIterable {
        case bytes, float, int64
    }

    public var features: [String: Feature]

    public init(_ features: [String: Feature] = [:]) {
        self.features = features
    }

    public subscript(name: String) -> Feature? {
        get { features[name] }
        set { features[name] = newValue }
    }

    /// Feature names in encoding order: raw UTF-8 bytes, a prefix before its extensions.
    public var sortedNames: [String] {
        features.keys.sorted(by: Example.precedes)
    }

    /// The key order of the encoder: bytewise over UTF-8, shorter prefix first.
    ///
    /// Not `String.<`, which compares canonically-equivalent forms rather than bytes.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    public var description: String {
        "Example(" + sortedNames.map { "\($0): \(features[$0]!)" }.joined(separator: ", ") + ")"
    }
}
