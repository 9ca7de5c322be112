import SDSCore
import SDSSensors

extension Spec {
    static func parseStudy(_ name: String, _ node: SpecNode, sourceRef: (SpecNode) throws -> String,
                           sources: [FrameSpec.Source]) throws -> FrameSpec.Study {
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
            throw node.error("study names must be letters, digits, '_' and '-', found \"\(name)\"")
        }
        let m = try node.mapping(allowed: ["inputs", "transforms", "statistics", "windows", "labels", "attributes",
                                           "filters", "max_subjects", "caption", "features", "min_examples"],
                                 required: ["inputs", "windows"])
        let inputs = try m["inputs"]!.list().map(sourceRef)
        guard !inputs.isEmpty else { throw m["inputs"]!.error("'\(m["inputs"]!.path)' needs at least one source") }
        guard Set(inputs).count == inputs.count else { throw m["inputs"]!.error("'\(m["inputs"]!.path)' names a source twice") }
        var transforms: [any FrameOperator] = []
        for item in try m["transforms"]?.list() ?? [] {
            transforms.append(try FrameTransformCatalog.make(item))
        }
        let statistics = try m["statistics"].map(parseStatistics)
        let windowing = try parseWindows(m["windows"]!)

        var joins: [FrameSpec.Join] = []
        for (label, n) in try m["labels"]?.namedEntries() ?? [] {
            let j = try n.mapping(allowed: ["source", "column", "match", "zone", "max_age", "ties"], required: ["source", "column"])
            let match: LabelMatch = try j["match"]?.oneOf(["same_day", "as_of"]) == "as_of"
                ? .asOf(maxAge: try j["max_age"]?.durationMilliseconds())
                : .sameDay(zone: try j["zone"]?.string() ?? "UTC")
            let ties = LabelTies(rawValue: try j["ties"]?.oneOf(LabelTies.allCases.map(\.rawValue)) ?? "last")!
            if ties == .first, case .asOf = match, let t = j["ties"] {
                throw t.error("'\(t.path)': ties: first needs match: same_day (as_of takes the latest row)")
            }
            let join = WindowLabelJoin(column: try j["column"]!.string(), name: label, match: match, ties: ties)
            try (j["zone"] ?? n).sensors { () throws(SensorError) in try join.validate() }
            try checkJoinColumn(j["column"]!, of: try sourceRef(j["source"]!), sources: sources)
            joins.append(FrameSpec.Join(source: try sourceRef(j["source"]!), kind: .label(join)))
        }
        for (attribute, n) in try m["attributes"]?.namedEntries() ?? [] {
            let j = try n.mapping(allowed: ["source", "column", "as_of"], required: ["source", "column"])
            try checkJoinColumn(j["column"]!, of: try sourceRef(j["source"]!), sources: sources)
            joins.append(FrameSpec.Join(source: try sourceRef(j["source"]!),
                                        kind: .attribute(AttributeJoin(column: try j["column"]!.string(), name: attribute,
                                                                       asOf: try j["as_of"]?.bool() ?? true))))
        }
        let scalarNames = joins.map(\.scalarName)
        if let dup = scalarNames.enumerated().first(where: { scalarNames[..<$0.offset].contains($0.element) })?.element {
            throw node.error("'\(dup)' names both a label and an attribute (or two of them); give each its own name")
        }
        var rules: [WindowFilterRule] = []
        var ruleNames: [(String, SpecNode, Bool)] = []   // (name, node, is a channel)
        for item in try m["filters"]?.list() ?? [] {
            let (kind, n) = try item.single()
            switch kind {
            case "present":
                rules.append(.present(try n.string()))
                ruleNames.append((try n.string(), n, false))
            case "compare":
                let parts = try n.list()
                guard parts.count == 3 else { throw n.error("'\(n.path)' must be [name, op, value], such as [bmi, \"<\", 40]") }
                let ops: [(String, WindowFilterRule.Comparison)] = [("<", .lt), ("<=", .le), (">", .gt), (">=", .ge), ("==", .eq), ("!=", .ne)]
                let op = try parts[1].oneOf(ops.map(\.0))
                rules.append(.compare(try parts[0].string(), op: ops.first { $0.0 == op }!.1, value: try parts[2].double()))
                ruleNames.append((try parts[0].string(), parts[0], false))
            case "coverage":
                for (column, f) in try n.namedEntries() {
                    rules.append(.coverage(column, fraction: try fraction(f)))
                    ruleNames.append((column, f, true))
                }
            case "min_windows": rules.append(.minWindows(Int(try n.int())))
            default:
                throw item.error("unknown filter '\(kind)'",
                                 hint: SpecNode.closest(kind, in: ["present", "compare", "coverage", "min_windows"]).map { "did you mean '\($0)'?" })
            }
        }
        var caption: WindowCaption?
        if let c = m["caption"] {
            let cm = try c.mapping(allowed: ["template", "zone", "missing", "rounding"], required: ["template"])
            let template = try cm["template"]!.string()
            let zone = try cm["zone"]?.string() ?? "UTC", missing = try cm["missing"]?.string() ?? "n/a"
            let rounding = CaptionRounding(rawValue: try cm["rounding"]?.oneOf(CaptionRounding.allCases.map(\.rawValue)) ?? "half_away")!
            caption = try cm["template"]!.sensors { () throws(SensorError) in
                try WindowCaption(template: template, zone: zone, missing: missing, rounding: rounding)
            }
        }
        let maxSubjects = try m["max_subjects"].map { n -> Int in
            let v = try n.int()
            guard v > 0 else { throw n.error("'\(n.path)' must be 1 or more") }
            return Int(v)
        }
        let f = try m["features"]?.mapping(allowed: ["masks", "missing", "scalars", "scale", "stack", "partition", "date",
                                                     "window_start", "constants", "present"])
        var scalarFeatures: [ScalarFeature] = []
        for (scalar, n) in try f?["scalars"]?.namedEntries() ?? [] {
            guard scalarNames.contains(scalar) else {
                throw n.error("'\(n.path)': no label or attribute '\(scalar)' in this study",
                              hint: SpecNode.closest(scalar, in: scalarNames).map { "did you mean '\($0)'?" })
            }
            // Every example has every feature (TFDS parses fixed-length features), so a missing
            // value is written as a number: -1 unless the spec says otherwise.
            if case .scalar = n.node {
                scalarFeatures.append(ScalarFeature(scalar: scalar, feature: try n.string(), missing: .number(-1)))
            } else {
                // kind: text for text labels and attributes (missing then defaults to "").
                let sm = try n.mapping(allowed: ["feature", "missing", "kind"], required: ["feature"])
                let kind = try sm["kind"]?.oneOf(["float", "int64", "text"]) ?? "float"
                let missing: WindowScalar = kind == "text" ? .text(try sm["missing"]?.string() ?? "")
                    : .number(try sm["missing"]?.double() ?? -1)
                scalarFeatures.append(ScalarFeature(scalar: scalar, feature: try sm["feature"]!.string(),
                                                    kind: kind == "text" ? .bytes : kind == "int64" ? .int64 : .float, missing: missing))
            }
        }
        let missing = try f?["missing"].map { Float(try $0.double()) }
        let channels = windowing.channelSpecs().map(\.name)
        let layout = try f.map { try exampleLayout($0, channels: channels, scalars: scalarNames, windowing: windowing) } ?? ExampleLayout()
        let examples = WindowExampleAssembly(source: name, masks: try f?["masks"]?.bool() ?? false,
                                             missingValue: missing, scalarFeatures: scalarFeatures, captions: caption != nil,
                                             layout: layout)
        for (name, n, isChannel) in ruleNames {
            let known = isChannel ? channels : scalarNames
            guard known.contains(name) else {
                throw n.error("'\(n.path)': no \(isChannel ? "window channel" : "label or attribute") '\(name)' in this study",
                              hint: SpecNode.closest(name, in: known).map { "did you mean '\($0)'?" })
            }
        }
        try (m["features"] ?? m["windows"]!).sensors { () throws(SensorError) in
            try examples.validate(channelSpecs: windowing.channelSpecs())
        }
        if let caption, let c = m["caption"] {
            try c.sensors { () throws(SensorError) in try caption.validate(channels: channels, scalars: scalarNames) }
        }
        return FrameSpec.Study(name: name, inputs: inputs, transforms: transforms, statistics: statistics,
                               windowing: windowing, joins: joins, filter: rules.isEmpty ? nil : WindowFilter(rules: rules),
                               maxSubjects: maxSubjects, caption: caption, examples: examples)
    }

    /// The `features:` keys that name and shape the written features (`ExampleLayout`).
    private static func exampleLayout(_ f: [String: SpecNode], channels: [String], scalars: [String],
                                      windowing: Windowing) throws -> ExampleLayout {
        var layout = ExampleLayout()
        func known(_ n: SpecNode, _ name: String, _ among: [String], _ what: String) throws {
            guard among.contains(name) else {
                throw n.error("'\(n.path)': no \(what) '\(name)' in this study",
                              hint: SpecNode.closest(name, in: among).map { "did you mean '\($0)'?" })
            }
        }
        if let p = f["partition"] { layout.partition = try p.string() }
        if let d = f["date"] {
            layout.date = try d.string()
            if case .calendarDay(let zone) = windowing.alignment { layout.dateZone = zone }
        }
        // `window_start: false` leaves it out; a name renames it.
        if let t = f["window_start"] {
            let v = try t.string()
            layout.windowStart = v == "false" ? nil : v == "true" ? "window_start" : v
        }
        for (name, n) in try f["constants"]?.namedEntries() ?? [] { layout.constants.append((name, try n.string())) }
        for (scalar, n) in try f["present"]?.namedEntries() ?? [] {
            try known(n, scalar, scalars, "label or attribute")
            layout.presence.append((scalar, try n.string()))
        }
        for (channel, n) in try f["scale"]?.namedEntries() ?? [] {
            try known(n, channel, channels, "window channel")
            let sm = try n.mapping(allowed: ["subtract", "divide"], required: ["subtract", "divide"])
            let divide = try sm["divide"]!.double()
            guard divide != 0, divide.isFinite else { throw sm["divide"]!.error("'\(sm["divide"]!.path)' must be a number other than 0") }
            layout.scales.append(ChannelScale(channel: channel, subtract: try sm["subtract"]!.double(), divide: divide))
        }
        for (name, n) in try f["stack"]?.namedEntries() ?? [] {
            let sm = try n.mapping(allowed: ["channels", "mask"], required: ["channels"])
            let list = try sm["channels"]!.list()
            for c in list { try known(c, try c.string(), channels, "window channel") }
            layout.stacks.append(TensorStack(name: name, channels: try list.map { try $0.string() }, mask: try sm["mask"]?.string()))
        }
        return layout
    }

    /// A label or attribute reads a column of its source's rows as read: one of the source's
    /// `columns:` (by their `as:` names) or its wide value, never an undeclared header column.
    private static func checkJoinColumn(_ node: SpecNode, of source: String, sources: [FrameSpec.Source]) throws {
        let column = try node.string()
        guard let settings = sources.first(where: { $0.name == source })?.reader.settings else { return }
        let known = settings.columns.map(\.name) + (settings.wide.map { [$0.value] } ?? [])
        guard !known.contains(column) else { return }
        let listed = known.isEmpty ? "no columns" : "the columns " + known.map { "'\($0)'" }.joined(separator: ", ")
        let hint: String
        if let renamed = settings.columns.first(where: { $0.source == column }) {
            hint = "source '\(source)' reads \"\(column)\" as '\(renamed.name)'; use that name"
        } else if let close = TableHeader.suggestion(for: column, among: known) {
            hint = "did you mean '\(close)'? (source '\(source)' reads \(listed))"
        } else {
            hint = "source '\(source)' reads \(listed); a column must be listed in 'sources.\(source).columns' to be read"
        }
        throw node.error("'\(node.path)': source '\(source)' has no column \"\(column)\"", hint: hint)
    }

    private static func fraction(_ n: SpecNode) throws -> Double {
        let v = try n.double()
        guard (0...1).contains(v) else { throw n.error("'\(n.path)' must be a fraction from 0 to 1, found \(v)") }
        return v
    }

    static let aggregates: [(String, Aggregate)] = [("mean", .mean), ("sum", .sum), ("last", .last), ("min", .min), ("max", .max), ("count", .count)]

    private static func parseWindows(_ node: SpecNode) throws -> Windowing {
        let w = try node.mapping(allowed: ["whole", "length", "stride", "align", "zone", "offset", "features", "min_coverage"])
        if let whole = w["whole"], try whole.bool() {
            // The channels are named so that features.json can declare them before any data is read.
            guard let list = w["features"] else {
                throw node.error("a whole-partition window needs 'features': the list of columns to write, such as [x_1, y_1]")
            }
            let windowing = Windowing(features: try list.names().map { WindowFeature(column: $0) }, whole: true)
            try node.sensors { () throws(SensorError) in try windowing.validate() }
            return windowing
        }
        guard let lengthNode = w["length"] else { throw node.error("'\(node.path)' needs 'length' (such as 1d), or 'whole: true'") }
        let length = try lengthNode.durationMilliseconds()
        let stride = try w["stride"]?.durationMilliseconds()
        let alignment: WindowAlignment = try w["align"]?.oneOf(["calendar_day", "epoch"]) == "calendar_day"
            ? .calendarDay(zone: try w["zone"]?.string() ?? "UTC")
            : .epoch(offset: try w["offset"]?.durationMilliseconds() ?? 0)
        var features: [WindowFeature] = []
        for (column, n) in try w["features"]?.namedEntries() ?? [] {
            let fm = try n.mapping(allowed: ["step", "aggregate", "fill", "max_gap"], required: ["step"])
            let agg = try fm["aggregate"]?.oneOf(WindowAggregate.allCases.map(\.rawValue)) ?? "mean"
            // Forward fill inside the window; max_gap is its only setting, so both go together.
            var gap: Int64?
            if let fill = fm["fill"] {
                _ = try fill.oneOf(["forward"])
                guard let g = fm["max_gap"] else { throw n.error("'\(n.path).fill' needs 'max_gap', such as max_gap: 5m") }
                gap = try g.durationMilliseconds()
            } else if let g = fm["max_gap"] {
                throw g.error("'\(g.path)' needs 'fill: forward' beside it")
            }
            features.append(WindowFeature(column: column, step: try fm["step"]!.durationMilliseconds(),
                                          aggregate: WindowAggregate(rawValue: agg)!, fillGap: gap))
        }
        guard !features.isEmpty else { throw node.error("'\(node.path).features' needs at least one channel, such as steps: {step: 1m, aggregate: sum}") }
        var coverage: [CoverageRule] = []
        for (column, n) in try w["min_coverage"]?.namedEntries() ?? [] {
            coverage.append(CoverageRule(column: column, fraction: try fraction(n)))
        }
        let windowing = Windowing(length: length, stride: stride, alignment: alignment, features: features, minCoverage: coverage)
        try node.sensors { () throws(SensorError) in try windowing.validate() }
        return windowing
    }

    private static func parseStatistics(_ node: SpecNode) throws -> PartitionStatistics {
        var columns: [StatisticColumn] = []
        for (name, n) in try node.namedEntries() {
            let fn: StatisticFunction
            if case .scalar = n.node {
                switch try n.oneOf(["start", "stop", "runtime", "samples"]) {
                case "start": fn = .start
                case "stop": fn = .stop
                case "runtime": fn = .runtimeSeconds
                default: fn = .samples
                }
            } else {
                let (kind, arg) = try n.single()
                switch kind {
                case "missing_ratio": fn = .missingRatio(try arg.string())
                case "mean": fn = .mean(try arg.string())
                case "min": fn = .min(try arg.string())
                case "max": fn = .max(try arg.string())
                case "sum": fn = .sum(try arg.string())
                case "path_length": fn = .pathLength(try arg.names())
                default:
                    throw n.error("unknown statistic '\(kind)'", hint: "known: start, stop, runtime, samples, missing_ratio, mean, min, max, sum, path_length")
                }
            }
            // The columns become an SQLite table, whose names ignore case.
            guard name.lowercased() != "partition", !columns.contains(where: { $0.name.lowercased() == name.lowercased() }) else {
                throw n.error("statistic '\(name)' repeats a column name (SQLite ignores case, and 'partition' is the key)")
            }
            columns.append(StatisticColumn(name: name, function: fn))
        }
        let statistics = PartitionStatistics(columns: columns)
        try node.sensors { () throws(SensorError) in try statistics.validate() }
        return statistics
    }
}
