import SDSCore
import Yams

/// Parameter-level differences between two specs, named by their dotted path in the spec
/// (`grid.channels.hr.max_gap: 5m → 10m`).
public enum SpecDiff {
    public struct Change: Sendable, Equatable {
        public var path: String
        /// nil where the parameter is absent on that side.
        public var before: String?
        public var after: String?
    }

    /// Every scalar of a YAML document by dotted path; a list of scalars is one value `[a, b]`,
    /// other lists are indexed (`sources.0.path`). Text that does not parse is one value at "".
    public static func flatten(_ text: String) -> [String: String] {
        guard let root = try? Yams.compose(yaml: text, .basic) else { return ["": text] }
        var out: [String: String] = [:]
        func visit(_ node: Node, _ path: String) {
            switch node {
            case .scalar(let s): out[path] = s.string
            case .mapping(let m):
                for (k, v) in m { visit(v, path.isEmpty ? k.string ?? "?" : path + "." + (k.string ?? "?")) }
            case .sequence(let seq):
                if seq.allSatisfy({ if case .scalar = $0 { true } else { false } }) {
                    out[path] = "[" + seq.map { $0.string ?? "" }.joined(separator: ", ") + "]"
                } else {
                    for (i, v) in seq.enumerated() { visit(v, path + "." + String(i)) }
                }
            case .alias: out[path] = "*alias"
            }
        }
        visit(root, "")
        return out
    }

    /// The changed parameters, sorted by path.
    public static func changes(_ a: String?, _ b: String?) -> [Change] {
        let x = a.map(flatten) ?? [:], y = b.map(flatten) ?? [:]
        return Set(x.keys).union(y.keys).sorted { FileIO.bytewiseLess($0, $1) }.compactMap { k in
            x[k] == y[k] ? nil : Change(path: k, before: x[k], after: y[k])
        }
    }
}
