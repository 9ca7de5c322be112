/// A small INI reader and editor: `[section]` headers and `key = value` lines.
///
/// Edits keep every other line (comments, other sections) as it was, so `sds remote add`
/// changes only its own lines of the committed `.sensorstore/config`.
public struct INIFile: Sendable {
    private(set) var lines: [String]

    public init(text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
    }

    public var text: String { lines.map { $0 + "\n" }.joined() }

    static func header(_ line: String) -> String? {
        let t = line.trimmingSpaces
        guard t.hasPrefix("["), t.hasSuffix("]") else { return nil }
        return String(t.dropFirst().dropLast()).trimmingSpaces
    }

    static func pair(_ line: String) -> (String, String)? {
        let t = line.trimmingSpaces
        guard !t.hasPrefix("#"), !t.hasPrefix(";"), let eq = t.firstIndex(of: "=") else { return nil }
        return (String(t[..<eq]).trimmingSpaces, String(t[t.index(after: eq)...]).trimmingSpaces)
    }

    /// Every section name, in file order.
    public var sections: [String] { lines.compactMap(Self.header) }

    /// The key-value pairs of `section`, in file order (a key set twice keeps its last value).
    public func values(in section: String) -> [(String, String)] {
        var current: String?
        var out: [(String, String)] = []
        for line in lines {
            if let h = Self.header(line) { current = h; continue }
            if current == section, let p = Self.pair(line) {
                out.removeAll { $0.0 == p.0 }
                out.append(p)
            }
        }
        return out
    }

    public func value(_ key: String, in section: String) -> String? {
        values(in: section).last { $0.0 == key }?.1
    }

    /// Sets `key` in `section` (nil removes it), adding the section at the end if needed.
    public mutating func set(_ key: String, _ value: String?, in section: String) {
        var current: String?
        var found: Int?
        var lastInSection: Int?
        for (i, line) in lines.enumerated() {
            if let h = Self.header(line) { current = h; if h == section { lastInSection = i }; continue }
            guard current == section else { continue }
            if !line.trimmingSpaces.isEmpty { lastInSection = i }
            if let p = Self.pair(line), p.0 == key { found = i }
        }
        if let found {
            if let value { lines[found] = "\t\(key) = \(value)" } else { lines.remove(at: found) }
            return
        }
        guard let value else { return }
        if let end = lastInSection {
            lines.insert("\t\(key) = \(value)", at: end + 1)
        } else {
            lines.append("[\(section)]")
            lines.append("\t\(key) = \(value)")
        }
    }

    /// Removes a section and its lines.
    public mutating func removeSection(_ section: String) {
        var current: String?
        lines = lines.filter { line in
            if let h = Self.header(line) { current = h }
            return current != section
        }
    }
}
