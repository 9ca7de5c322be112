/// Typed reads of `JSON` values (manifests, chunk summaries, locks): nil where the shape differs.
extension JSON {
    public subscript(_ key: String) -> JSON? { if case .object(let o) = self { o[key] } else { nil } }

    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var int: Int? { if case .int(let n) = self { Int(n) } else { nil } }
    /// Integers and floats alike, as a Double.
    public var number: Double? {
        switch self {
        case .int(let n): Double(n)
        case .double(let d): d
        default: nil
        }
    }
    public var array: [JSON] { if case .array(let a) = self { a } else { [] } }
    public var object: [String: JSON] { if case .object(let o) = self { o } else { [:] } }

    /// The compact canonical text, for output.
    public var canonicalText: String { String(decoding: canonical(), as: UTF8.self) }
}
