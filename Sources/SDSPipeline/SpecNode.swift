import SDSCore
import Yams

/// A YAML node of the spec with its location, read through typed accessors that
/// report `sds.yaml:line:col: error: …` and suggest the closest known key.
public struct SpecNode {
    let node: Yams.Node
    /// The dotted path of this node in the spec (`grid.channels.hr.fill.max_gap`).
    public let path: String
    let file: String

    init(_ node: Yams.Node, path: String, file: String) {
        self.node = node
        self.path = path
        self.file = file
    }

    /// Parses YAML text; a syntax error carries its line and column.
    public static func parse(_ text: String, file: String) throws -> SpecNode {
        do {
            // The basic resolver: sds reads scalars as text itself, and the default one compiles regexes.
            guard let root = try Yams.compose(yaml: text, .basic) else {
                throw SDSError(.badData, "the spec is empty", hint: "see 'sds help build' for an example spec",
                               path: file, line: 1, column: 1)
            }
            return SpecNode(root, path: "", file: file)
        } catch let e as YamlError {
            if case let .parser(_, problem, mark, _) = e {
                throw SDSError(.badData, "YAML syntax: \(problem)", path: file, line: mark.line, column: mark.column)
            }
            if case let .scanner(_, problem, mark, _) = e {
                throw SDSError(.badData, "YAML syntax: \(problem)", path: file, line: mark.line, column: mark.column)
            }
            throw SDSError(.badData, "YAML: \(e)", path: file, line: 1, column: 1)
        }
    }

    var line: Int { node.mark?.line ?? 1 }
    var column: Int { node.mark?.column ?? 1 }

    /// An error at this node.
    public func error(_ message: String, hint: String? = nil) -> SDSError {
        SDSError(.badData, message, hint: hint, path: file, line: line, column: column)
    }

    private var kindName: String {
        switch node {
        case .scalar(let s): return "\"\(s.string)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    private var label: String { path.isEmpty ? "the spec" : "'\(path)'" }

    // MARK: Mappings

    /// The entries of a mapping, checked against `allowed` keys (with a suggestion for typos).
    public func mapping(allowed: [String], required: [String] = []) throws -> [String: SpecNode] {
        guard case .mapping(let m) = node else { throw shapeError("a mapping") }
        var out: [String: SpecNode] = [:]
        for (k, v) in m {
            guard case .scalar(let ks) = k else { throw error("keys of \(label) must be names") }
            let key = ks.string
            let child = SpecNode(v, path: path.isEmpty ? key : "\(path).\(key)", file: file)
            if !allowed.contains(key) {
                let keyNode = SpecNode(k, path: child.path, file: file)
                let hint = Self.closest(key, in: allowed).map { "did you mean '\($0)'?" }
                    ?? "known keys here: \(allowed.joined(separator: ", "))"
                throw keyNode.error("unknown key '\(key)' in \(label)", hint: hint)
            }
            if out[key] != nil { throw SpecNode(k, path: child.path, file: file).error("duplicate key '\(key)'") }
            out[key] = child
        }
        try requireKeys(required, in: out)
        return out
    }

    /// The node of the key `key` itself in this mapping, for an error about the key; nil if absent.
    func keyNode(_ key: String) -> SpecNode? {
        guard case .mapping(let m) = node else { return nil }
        for (k, _) in m {
            if case .scalar(let s) = k, s.string == key { return SpecNode(k, path: path.isEmpty ? key : "\(path).\(key)", file: file) }
        }
        return nil
    }

    /// Reports every key of `keys` missing from `entries` at once, each with a one-line example.
    func requireKeys(_ keys: [String], in entries: [String: SpecNode]) throws {
        let missing = keys.filter { entries[$0] == nil }
        guard !missing.isEmpty else { return }
        let quoted = missing.map { "'\($0)'" }
        let list = quoted.count == 1 ? quoted[0] : quoted.dropLast().joined(separator: ", ") + " and " + quoted.last!
        let examples = missing.map { key in
            "  " + (SpecExamples.example(for: path.isEmpty ? key : "\(path).\(key)") ?? "\(key): …")
        }
        throw error("\(label) needs the key\(missing.count == 1 ? "" : "s") \(list)",
                    hint: (["for example (every key: 'sds help spec'):"] + examples).joined(separator: "\n"))
    }

    /// "'X' must be SHAPE, found …", with an example of the key when there is one.
    private func shapeError(_ shape: String) -> SDSError {
        error("\(label) must be \(shape), found \(kindName)",
              hint: SpecExamples.example(for: path).map { "write it like \($0)" })
    }

    /// A mapping with free-form keys (names chosen by the user), in document order.
    public func namedEntries() throws -> [(name: String, node: SpecNode)] {
        guard case .mapping(let m) = node else { throw shapeError("a mapping") }
        return try m.map { k, v in
            guard case .scalar(let ks) = k, !ks.string.isEmpty else { throw error("keys of \(label) must be names") }
            return (ks.string, SpecNode(v, path: path.isEmpty ? ks.string : "\(path).\(ks.string)", file: file))
        }
    }

    public func list() throws -> [SpecNode] {
        guard case .sequence(let s) = node else { throw shapeError("a list") }
        return s.enumerated().map { SpecNode($1, path: "\(path)[\($0)]", file: file) }
    }

    // MARK: Scalars

    public func string() throws -> String {
        guard case .scalar(let s) = node else { throw shapeError("text") }
        return s.string
    }

    public func int() throws -> Int64 {
        let s = try string()
        guard let v = Int64(s) else { throw error("\(label) must be a whole number, found \"\(s)\"") }
        return v
    }

    public func double() throws -> Double {
        let s = try string()
        guard let v = Double(s), v.isFinite else { throw error("\(label) must be a number, found \"\(s)\"") }
        return v
    }

    public func oneOf(_ choices: [String]) throws -> String {
        let s = try string()
        guard choices.contains(s) else {
            let hint = Self.closest(s, in: choices).map { "did you mean '\($0)'?" }
            throw error("\(label) must be one of \(choices.joined(separator: ", ")), found \"\(s)\"", hint: hint)
        }
        return s
    }

    /// A duration such as `90s`, `5m`, `1h` or `1d`, in seconds.
    public func durationSeconds() throws -> Int64 {
        let s = try string()
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        guard let u = s.last, let mult = units[u], let n = Int64(s.dropLast()), n > 0 else {
            throw error("\(label) must be a duration like 30s, 5m, 1h or 1d, found \"\(s)\"")
        }
        return n * mult
    }

    // MARK: Suggestions

    static func closest(_ word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word, $0)) }.filter { $0.1 <= max(2, word.count / 3) }
        return scored.min { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }?.0
    }

    /// Levenshtein distance over characters.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var prev = Array(0...b.count)
        for i in 1...a.count {
            var cur = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where j <= b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[b.count]
    }
}
