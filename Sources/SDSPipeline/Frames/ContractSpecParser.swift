import SDSCore
import SDSSensors

extension Spec {
    /// A source's `contracts:` block, its columns resolved against the reader's settings.
    static func contracts(_ node: SpecNode, source: String, settings s: TableReaderParameters) throws -> TableContracts {
        let m = try node.mapping(allowed: ["unique", "not_null", "monotonic", "range", "allowed", "rows", "on_violation"])
        // Every name a rule may use: partition, time, declared columns (file or `as:` name), a wide value.
        var known: [(name: String, column: TableContracts.Column, field: String?, number: Bool)] = []
        for p in s.partition { known.append((p, .partition, p, false)) }
        known.append((s.time.column, .time, s.time.column, true))
        if let t = s.time.timeColumn { known.append((t, .time, t, true)) }
        for c in s.columns {
            known.append((c.source, .values(c.name), c.source, c.type == .double))
            if c.name != c.source { known.append((c.name, .values(c.name), c.source, c.type == .double)) }
        }
        if let w = s.wide { known.append((w.value, .values(w.value), nil, true)) }
        func column(_ n: SpecNode) throws -> (name: String, column: TableContracts.Column, field: String?, number: Bool) {
            try column(try n.string(), at: n)
        }
        func column(_ name: String, at n: SpecNode) throws -> (name: String, column: TableContracts.Column, field: String?, number: Bool) {
            guard let k = known.first(where: { $0.name == name }) else {
                let names = known.map(\.name)
                throw n.error("'\(n.path)': source '\(source)' reads no column '\(name)'",
                              hint: SpecNode.closest(name, in: names).map { "did you mean '\($0)'?" }
                                  ?? "its columns: \(names.joined(separator: ", "))")
            }
            return k
        }
        func names(_ n: SpecNode) throws -> [SpecNode] {
            if case .sequence = n.node { return try n.list() }
            return [n]
        }

        var rules: [TableContracts.Rule] = []
        if let n = m["unique"] {
            let key = try names(n).map(column)
            guard !key.isEmpty else { throw n.error("'\(n.path)' needs at least one column, as in [Id, ActivityHour]") }
            var columns: [TableContracts.Column] = []
            for k in key where !columns.contains(k.column) { columns.append(k.column) }
            rules.append(.init(.unique(columns), label: "unique: [\(key.map(\.name).joined(separator: ", "))]",
                               field: key.first { $0.column != .partition }?.field ?? key[0].field))
        }
        for c in try m["not_null"].map(names) ?? [] {
            let k = try column(c)
            rules.append(.init(.notNull(k.column), label: "not_null: \(k.name)", field: k.field))
        }
        for c in try m["monotonic"].map(names) ?? [] {
            let k = try column(c)
            guard k.number else { throw c.error("'\(c.path)': column '\(k.name)' holds text; monotonic applies to time and number columns") }
            rules.append(.init(.monotonic(k.column), label: "monotonic: \(k.name)", field: k.field))
        }
        for (name, r) in try m["range"]?.namedEntries() ?? [] {
            let k = try column(name, at: r)
            guard k.number, k.column != .time else {
                throw r.error("'\(r.path)': column '\(name)' is not a number column; range applies to numbers")
            }
            let bounds = try r.closedRange()
            rules.append(.init(.range(k.column, bounds), label: "range: \(name) [\(Self.number(bounds.lowerBound)), \(Self.number(bounds.upperBound))]",
                               field: k.field))
        }
        for (name, a) in try m["allowed"]?.namedEntries() ?? [] {
            let k = try column(name, at: a)
            let values = try a.list()
            guard !values.isEmpty else { throw a.error("'\(a.path)' needs at least one value") }
            switch k.column {
            case .time:
                throw a.error("'\(a.path)': allowed applies to text and number columns, not the time")
            case .partition where s.partition.count > 1:
                throw a.error("'\(a.path)': the partition key has \(s.partition.count) columns; allowed applies to a single one")
            default:
                break
            }
            if k.number {
                rules.append(.init(.allowedNumbers(k.column, try values.map { try $0.double() }), label: "allowed: \(name)", field: k.field))
            } else {
                rules.append(.init(.allowedText(k.column, try values.map { try $0.string() }), label: "allowed: \(name)", field: k.field))
            }
        }
        if let n = m["rows"] {
            let r = try n.mapping(allowed: ["min", "max"])
            func count(_ key: String) throws -> Int? {
                guard let c = r[key] else { return nil }
                let v = try c.int()
                guard v >= 0 else { throw c.error("'\(c.path)' must be 0 or more, found \(v)") }
                return Int(clamping: v)
            }
            let lo = try count("min"), hi = try count("max")
            guard lo != nil || hi != nil else { throw n.error("'\(n.path)' needs min, max or both, as in {min: 1000}") }
            if let lo, let hi, lo > hi { throw n.error("'\(n.path)': min \(lo) is above max \(hi)") }
            let parts = [lo.map { "min: \($0)" }, hi.map { "max: \($0)" }].compactMap { $0 }
            rules.append(.init(.rows(min: lo, max: hi), label: "rows: {\(parts.joined(separator: ", "))}", field: nil))
        }
        guard !rules.isEmpty else {
            throw node.error("'\(node.path)' names no rule", hint: "rules: unique, not_null, monotonic, range, allowed, rows")
        }
        let warn = try m["on_violation"]?.oneOf(["fail", "warn"]) == "warn"
        return TableContracts(rules: rules, warnOnly: warn)
    }

    /// A bound as people write it: no `.0` on integers.
    private static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }
}
