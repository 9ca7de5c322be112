import SDSCore
import SDSTFRecord

/// Reads JSON written by sds (manifests, locks, chunk summaries) back into `JSON` values.
enum JSONReader {
    static func parse(_ bytes: [UInt8]) throws -> JSON {
        do {
            return convert(try JSONValue.parse(bytes))
        } catch {
            throw SDSError(.badData, "not valid JSON: \(error)")
        }
    }

    private static func convert(_ v: JSONValue) -> JSON {
        switch v {
        case .object(let o): return .object(o.mapValues(convert))
        case .array(let a): return .array(a.map(convert))
        case .string(let s): return .string(s)
        case .number(let text):
            if let i = Int64(text) { return .int(i) }
            return .double(Double(text) ?? .nan)
        case .bool(let b): return .bool(b)
        case .null: return .null
        }
    }
}
