import SDSCore
import SDSSensors
import Yams

extension SpecNode {
    /// A duration such as `100ms`, `90s`, `5m`, `1h` or `1d`, in milliseconds.
    func durationMilliseconds() throws -> Int64 {
        let s = try string()
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, mult) in units where s.hasSuffix(suffix) {
            if let n = Int64(s.dropLast(suffix.count)), n > 0, n <= Int64.max / mult { return n * mult }
        }
        throw error("'\(path)' must be a duration like 100ms, 30s, 5m, 1h or 1d, found \"\(s)\"")
    }

    /// The value of `key` in a mapping already checked by `mapping(allowed:)`; nil if absent.
    func entry(_ key: String) -> SpecNode? {
        guard case .mapping(let m) = node, let v = m[Yams.Node(key)] else { return nil }
        return SpecNode(v, path: "\(path).\(key)", file: file)
    }

    /// A name or a list of names.
    func names() throws -> [String] {
        if case .sequence = node { return try list().map { try $0.string() } }
        return [try string()]
    }

    func bool() throws -> Bool {
        try oneOf(["true", "false"]) == "true"
    }

    /// `[min, max]`.
    func closedRange() throws -> ClosedRange<Double> {
        let bounds = try list()
        guard bounds.count == 2 else { throw error("'\(path)' must be [min, max]") }
        let lo = try bounds[0].double(), hi = try bounds[1].double()
        guard lo <= hi else { throw error("'\(path)': min \(lo) is above max \(hi)") }
        return lo...hi
    }

    /// A mapping with exactly one key, as list items like `- clean: {…}` are written.
    func single() throws -> (name: String, node: SpecNode) {
        let entries = try namedEntries()
        guard entries.count == 1 else { throw error("each entry of '\(path)' must have one key, such as '- clean: {…}'") }
        return entries[0]
    }

    /// Runs an operator's throwing initializer, reporting its parameter error at this node.
    func sensors<T>(_ body: () throws(SensorError) -> T) throws -> T {
        do { return try body() } catch { throw self.error(error.message) }
    }
}
