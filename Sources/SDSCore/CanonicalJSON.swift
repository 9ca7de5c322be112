/// A JSON value with one canonical byte form: keys sorted by UTF-8 bytes, no spaces,
/// integers in decimal, floats from their shortest round-trip form (never the locale).
///
/// Used for everything that is hashed: step keys and build manifests.
public indirect enum JSON: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    /// The canonical bytes.
    public func canonical() -> [UInt8] {
        var out: [UInt8] = []
        write(to: &out, indent: nil, level: 0)
        return out
    }

    /// Sorted keys with two-space indentation and a final newline, for humans and git diffs.
    public func pretty() -> String {
        var out: [UInt8] = []
        write(to: &out, indent: 2, level: 0)
        out.append(10)
        return String(decoding: out, as: UTF8.self)
    }

    private func write(to out: inout [UInt8], indent: Int?, level: Int) {
        func newline(_ l: Int) {
            guard let indent else { return }
            out.append(10)
            out.append(contentsOf: repeatElement(32, count: indent * l))
        }
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let n): out.append(contentsOf: String(n).utf8)
        case .double(let d):
            // Non-finite values have no JSON form; they are written as strings.
            if d.isFinite { out.append(contentsOf: d.description.utf8) } else { JSON.string(d.description).write(to: &out, indent: indent, level: level) }
        case .string(let s): Self.writeString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1)
                item.write(to: &out, indent: indent, level: level + 1)
            }
            if !items.isEmpty { newline(level) }
            out.append(UInt8(ascii: "]"))
        case .object(let dict):
            out.append(UInt8(ascii: "{"))
            let keys = dict.keys.sorted { FileIO.bytewiseLess($0, $1) }
            for (i, key) in keys.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1)
                Self.writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                if indent != nil { out.append(32) }
                dict[key]!.write(to: &out, indent: indent, level: level + 1)
            }
            if !keys.isEmpty { newline(level) }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case 10: out.append(contentsOf: "\\n".utf8)
            case 13: out.append(contentsOf: "\\r".utf8)
            case 9: out.append(contentsOf: "\\t".utf8)
            case 0..<32:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 15)])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
