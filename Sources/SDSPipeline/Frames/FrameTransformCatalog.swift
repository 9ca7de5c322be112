import SDSCore
import SDSSensors

/// The frame operators a study's `transforms:` list can name, each with its spec binding.
///
/// This table is the only place that knows them by name: the planner just runs whatever
/// `make` returns, so adding an operator is one entry here plus its own file in SDSSensors.
enum FrameTransformCatalog {
    struct Binding: Sendable {
        /// The key in the spec (`- resample: {…}`).
        var key: String
        var operatorName: String
        var version: Int
        var make: @Sendable (SpecNode) throws -> any FrameOperator
    }

    static let all: [Binding] = [
        Binding(key: "clean", operatorName: FrameClean.name, version: FrameClean.version, make: clean),
        Binding(key: "pivot", operatorName: FramePivot.name, version: FramePivot.version, make: pivot),
        Binding(key: "unpivot", operatorName: FrameUnpivot.name, version: FrameUnpivot.version, make: unpivot),
        Binding(key: "resample", operatorName: FrameResample.name, version: FrameResample.version, make: resample),
        Binding(key: "fill", operatorName: FrameFill.name, version: FrameFill.version, make: fill),
        Binding(key: "difference", operatorName: FrameDifference.name, version: FrameDifference.version, make: difference),
        Binding(key: "magnitude", operatorName: FrameMagnitude.name, version: FrameMagnitude.version, make: magnitude),
        Binding(key: "rolling", operatorName: FrameRolling.name, version: FrameRolling.version, make: rolling),
        Binding(key: "expression", operatorName: FrameExpression.name, version: FrameExpression.version, make: expression),
    ]

    /// The operator a `transforms:` entry names, with its parameters checked.
    static func make(_ item: SpecNode) throws -> any FrameOperator {
        let (key, node) = try item.single()
        guard let b = all.first(where: { $0.key == key }) else {
            throw item.error("unknown transform '\(key)'",
                             hint: SpecNode.closest(key, in: all.map(\.key)).map { "did you mean '\($0)'?" }
                                ?? "known transforms: \(all.map(\.key).joined(separator: ", "))")
        }
        return try b.make(node)
    }

    private static func aggregate(_ n: SpecNode) throws -> Aggregate {
        let name = try n.oneOf(Spec.aggregates.map(\.0))
        return Spec.aggregates.first { $0.0 == name }!.1
    }

    private static func clean(_ n: SpecNode) throws -> any FrameOperator { try cleanOperator(n) }

    /// A `clean:` mapping, as a transform or as a source's own cleaning.
    static func cleanOperator(_ n: SpecNode) throws -> FrameClean {
        let m = try n.mapping(allowed: ["columns", "duplicates", "keys", "order"])
        var rules: [CleanColumnRule] = []
        for (column, c) in try m["columns"]?.namedEntries() ?? [] {
            let cm = try c.mapping(allowed: ["valid", "non_finite"])
            // NaN is how a frame says "no value" (text the reader could not parse is already set
            // aside, and a merged row has NaN in the other sources' columns), so it is kept
            // unless the spec asks to drop rows lacking this value.
            rules.append(CleanColumnRule(column: column, valid: try cm["valid"]?.closedRange(),
                                         nonFinite: try cm["non_finite"]?.oneOf(["reject", "keep"]) == "reject" ? .reject : .keep))
        }
        let duplicates: FrameClean.DuplicatePolicy = switch try m["duplicates"]?.oneOf(["all", "first", "last", "mean"]) ?? "all" {
        case "first": .first
        case "last": .last
        case "mean": .mean
        default: .keepAll
        }
        let order: OrderPolicy = try m["order"]?.oneOf(["sort", "reject"]) == "reject" ? .reject : .sort
        return FrameClean(columns: rules, duplicates: duplicates, keys: try m["keys"]?.names() ?? [], order: order)
    }

    private static func pivot(_ n: SpecNode) throws -> any FrameOperator {
        let m = try n.mapping(allowed: ["keys", "value", "name", "columns"], required: ["keys", "value", "name"])
        let keys = try m["keys"]!.names(), name = try m["name"]!.string()
        guard !keys.isEmpty else { throw m["keys"]!.error("'\(m["keys"]!.path)' needs at least one key column") }
        // Checked here so the mistake points at its line, not at a partition mid-build.
        var rest = Substring(name)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { throw m["name"]!.error("'\(m["name"]!.path)': '{' without '}'") }
            let key = String(rest[rest.index(after: open)..<close])
            guard keys.contains(key) else {
                throw m["name"]!.error("'\(m["name"]!.path)': {\(key)} is not one of the keys (\(keys.joined(separator: ", ")))")
            }
            rest = rest[rest.index(after: close)...]
        }
        return FramePivot(keys: keys, value: try m["value"]!.string(), name: name, columns: try m["columns"]?.names() ?? [])
    }

    private static func unpivot(_ n: SpecNode) throws -> any FrameOperator {
        let m = try n.mapping(allowed: ["columns", "key", "value", "keep_missing"], required: ["columns", "key", "value"])
        return FrameUnpivot(columns: try m["columns"]!.names(), key: try m["key"]!.string(), value: try m["value"]!.string(),
                            keepMissing: try m["keep_missing"]?.bool() ?? false)
    }

    private static func resample(_ n: SpecNode) throws -> any FrameOperator {
        let m = try n.mapping(allowed: ["step", "origin", "aggregate", "columns"], required: ["step"])
        var rules: [ResampleRule] = []
        for (column, a) in try m["columns"]?.namedEntries() ?? [] { rules.append(ResampleRule(column: column, aggregate: try aggregate(a))) }
        return FrameResample(step: try m["step"]!.durationMilliseconds(), origin: try m["origin"]?.durationMilliseconds() ?? 0,
                             rules: rules, defaultAggregate: try m["aggregate"].map(aggregate))
    }

    private static func fill(_ n: SpecNode) throws -> any FrameOperator {
        let m = try n.mapping(allowed: ["columns"], required: ["columns"])
        var rules: [FillRule] = []
        for (column, c) in try m["columns"]!.namedEntries() {
            let cm = try c.mapping(allowed: ["method", "max_gap", "mask"], required: ["max_gap"])
            rules.append(FillRule(column: column, method: try cm["method"]?.oneOf(["forward", "linear"]) == "linear" ? .linear : .forward,
                                  maxGap: try cm["max_gap"]!.durationMilliseconds(), mask: try cm["mask"]?.bool() ?? false))
        }
        return FrameFill(rules: rules)
    }

    private static func difference(_ n: SpecNode) throws -> any FrameOperator {
        let m = try n.mapping(allowed: ["columns", "names", "order"], required: ["columns", "names"])
        let columns = try m["columns"]!.names(), names = try m["names"]!.names()
        guard columns.count == names.count else { throw m["names"]!.error("'\(m["names"]!.path)' needs one name per column (\(columns.count))") }
        let order = Int(try m["order"]?.int() ?? 1)
        guard order == 1 || order == 2 else { throw m["order"]!.error("'\(m["order"]!.path)' must be 1 (velocity) or 2 (acceleration)") }
        return FrameDifference(columns: columns, names: names, order: order)
    }

    private static func magnitude(_ n: SpecNode) throws -> any FrameOperator {
        let m = try n.mapping(allowed: ["columns", "name"], required: ["columns", "name"])
        let columns = try m["columns"]!.names()
        guard !columns.isEmpty else { throw m["columns"]!.error("'\(m["columns"]!.path)' needs at least one column") }
        return FrameMagnitude(columns: columns, name: try m["name"]!.string())
    }

    private static func rolling(_ n: SpecNode) throws -> any FrameOperator {
        let m = try n.mapping(allowed: ["column", "name", "window", "statistic", "min_count"], required: ["column", "name", "window"])
        return FrameRolling(column: try m["column"]!.string(), name: try m["name"]!.string(),
                            window: try m["window"]!.durationMilliseconds(),
                            statistic: try m["statistic"]?.oneOf(["mean", "std"]) == "std" ? .std : .mean,
                            minCount: try minCount(m["min_count"]))
    }

    private static func minCount(_ n: SpecNode?) throws -> Int {
        guard let n else { return 1 }
        let v = try n.int()
        guard (1...1_000_000_000).contains(v) else { throw n.error("'\(n.path)' must be 1 or more") }
        return Int(v)
    }

    private static func expression(_ n: SpecNode) throws -> any FrameOperator {
        let m = try n.mapping(allowed: ["name", "expression"], required: ["name", "expression"])
        let name = try m["name"]!.string(), text = try m["expression"]!.string()
        return try m["expression"]!.sensors { () throws(SensorError) in try FrameExpression(name: name, expression: text) }
    }
}
