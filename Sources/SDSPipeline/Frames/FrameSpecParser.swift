import SDSCore
import SDSSensors

extension Spec {
    /// The general pipeline: `sources` read by declared readers, `studies` of frame operators.
    static func parseFrames(_ top: [String: SpecNode], dataset: Dataset, runSteps: [RunStep]) throws -> Spec {
        var sources: [FrameSpec.Source] = []
        var inputColumns: [InputColumns] = []
        for (name, node) in try top["sources"]!.namedEntries() {
            let m = try node.mapping(allowed: ["path", "format", "delimiter", "header", "partition", "time", "columns", "wide", "clean",
                                               "max_bad_rows", "skip_rows", "comment", "decimal", "contracts"],
                                     required: ["path", "time"])
            let path = try m["path"]!.string()
            try checkStepReference(m["path"]!, path, steps: runSteps)
            let reader = TableReader(try readerSettings(m))
            try node.sensors { () throws(SensorError) in try reader.validate() }
            let clean = try m["clean"].map(FrameTransformCatalog.cleanOperator)
            var source = FrameSpec.Source(name: name, path: path, reader: reader, clean: clean)
            if let n = m["max_bad_rows"] { source.maxBadRows = try badRowLimit(n) }
            if let n = m["contracts"] { source.contracts = try contracts(n, source: name, settings: reader.settings) }
            sources.append(source)
            // Lines skipped before the header are the reader's to skip: the header check reads the first line.
            if reader.settings.format == .csv, reader.settings.skipRows == 0, reader.settings.comment == nil {
                inputColumns.append(try csvColumns(name, m, reader.settings))
            }
        }
        let sourceNames = sources.map(\.name)
        func sourceRef(_ n: SpecNode) throws -> String {
            let s = try n.string()
            guard sourceNames.contains(s) else {
                throw n.error("'\(n.path)': no source '\(s)' in 'sources'",
                              hint: SpecNode.closest(s, in: sourceNames).map { "did you mean '\($0)'?" })
            }
            return s
        }
        var studies: [FrameSpec.Study] = []
        for (name, node) in try top["studies"]!.namedEntries() {
            // A study with statistics names an SQLite table: no 'sqlite_' names, and case is ignored.
            guard !name.lowercased().hasPrefix("sqlite_"), !studies.contains(where: { $0.name.lowercased() == name.lowercased() }) else {
                throw node.error("study '\(name)' clashes with another study's name or SQLite's own tables (names ignore case)")
            }
            var study = try parseStudy(name, node, sourceRef: sourceRef, sources: sources)
            if let n = node.entry("min_examples") {
                let v = try n.int()
                guard v >= 0 else { throw n.error("'\(n.path)' must be 0 or more, found \(v)") }
                study.minExamples = Int(clamping: v)
            }
            studies.append(study)
        }
        guard !studies.isEmpty else { throw top["studies"]!.error("'studies' needs at least one study") }
        for s in studies.dropFirst() where s.featureSpecs != studies[0].featureSpecs {
            throw top["studies"]!.error("studies '\(studies[0].name)' and '\(s.name)' write different features; one dataset needs one set of features",
                                        hint: "give them the same window features and scalar features")
        }

        let splits = try parseSplits(top["splits"]!)
        let output = try parseOutput(top["output"])
        let frames = FrameSpec(sources: sources, studies: studies, subjectSalt: splits.salt)
        var spec = Spec(dataset: dataset, sources: sources.map { Source(name: $0.name, path: $0.path) },
                        splits: splits, outputDirectory: output.directory, runSteps: runSteps)
        spec.frames = frames
        spec.inputColumns = inputColumns
        spec.output = output.formats
        return spec
    }

    /// The header columns a CSV source reads: partition, time, the declared columns, a wide pattern.
    private static func csvColumns(_ name: String, _ m: [String: SpecNode], _ settings: TableReaderParameters) throws -> InputColumns {
        var refs = try m["partition"]?.columnReferences() ?? []
        let time = m["time"]!
        if case .scalar = time.node {
            refs += try time.columnReferences()
        } else {
            refs += try [time.entry("column"), time.entry("time_column")].compactMap { $0 }.flatMap { try $0.columnReferences() }
        }
        for (column, n) in try m["columns"]?.namedEntries() ?? [] { refs.append(ColumnReference(column, at: n)) }
        let wide = try m["wide"]?.entry("pattern").map { ColumnReference(try $0.string(), at: $0) }
        return InputColumns(input: try m["path"]!.string(), reader: "source '\(name)'", delimiter: settings.delimiter,
                            header: settings.header, columns: refs, widePattern: wide)
    }

    /// `max_bad_rows`: a count (`0`, `25`) or a fraction (`0.05`, `5%`).
    private static func badRowLimit(_ n: SpecNode) throws -> BadRowLimit {
        let text = try n.string()
        let shape = "'\(n.path)' must be a count of rows (25) or a fraction (0.05 or 5%), found \"\(text)\""
        if let count = Int(text) {
            guard count >= 0 else { throw n.error(shape) }
            return .count(count)
        }
        let percent = text.hasSuffix("%")
        guard let v = Double(percent ? String(text.dropLast()) : text), v.isFinite else { throw n.error(shape) }
        let f = percent ? v / 100 : v
        guard f >= 0, f <= 1 else { throw n.error(shape) }
        return .fraction(f)
    }

    private static func readerSettings(_ m: [String: SpecNode]) throws -> TableReaderParameters {
        let format: FrameFileFormat = try m["format"]?.oneOf(["csv", "jsonl"]) == "jsonl" ? .jsonl : .csv
        var delimiter = UInt8(ascii: ",")
        if let d = m["delimiter"] {
            let s = try d.string()
            if s == "tab" {
                delimiter = UInt8(ascii: "\t")
            } else {
                guard s.utf8.count == 1, let b = s.utf8.first else { throw d.error("'\(d.path)' must be one character, such as ';', or tab") }
                delimiter = b
            }
        }
        let time = try timeSpec(m["time"]!)
        var columns: [FrameReadColumn] = []
        for (column, node) in try m["columns"]?.namedEntries() ?? [] {
            if case .scalar = node.node {
                let t = try node.oneOf(["double", "text"])
                columns.append(FrameReadColumn(source: column, name: column, type: t == "text" ? .text : .double, valid: nil, allowMissing: true))
                continue
            }
            let c = try node.mapping(allowed: ["as", "type", "valid", "missing"])
            let type = try c["type"]?.oneOf(["double", "text"]) ?? "double"
            columns.append(FrameReadColumn(source: column, name: try c["as"]?.string() ?? column,
                                           type: type == "text" ? .text : .double, valid: try c["valid"]?.closedRange(),
                                           allowMissing: try c["missing"]?.oneOf(["allow", "reject"]) != "reject"))
        }
        var wide: WideTimeColumns?
        if let w = m["wide"] {
            let wm = try w.mapping(allowed: ["pattern", "value", "step"], required: ["pattern", "value", "step"])
            let pattern = try wm["pattern"]!.string()
            guard pattern.contains("{index}") else { throw wm["pattern"]!.error("'\(wm["pattern"]!.path)' must contain {index}, as in Steps{index}") }
            wide = WideTimeColumns(pattern: pattern, value: try wm["value"]!.string(), step: try wm["step"]!.durationMilliseconds())
        }
        var settings = TableReaderParameters(format: format, delimiter: delimiter, header: try m["header"]?.names(),
                                             partition: try m["partition"]?.names() ?? [], time: time, columns: columns, wide: wide)
        if let n = m["skip_rows"] {
            let v = try n.int()
            guard v >= 0 else { throw n.error("'\(n.path)' must be 0 or more, found \(v)") }
            settings.skipRows = Int(clamping: v)
        }
        if let n = m["comment"] {
            let c = try n.string()
            guard !c.isEmpty else { throw n.error("'\(n.path)' must be the text comment lines start with, such as '#'") }
            settings.comment = c
        }
        settings.decimalComma = try m["decimal"]?.oneOf([".", ","]) == ","
        return settings
    }

    private static func timeSpec(_ node: SpecNode) throws -> FrameTimeSpec {
        if case .scalar = node.node { return FrameTimeSpec(column: try node.string(), format: .iso8601, timeColumn: nil, zone: "UTC") }
        let t = try node.mapping(allowed: ["column", "format", "century", "time_column", "zone"], required: ["column"])
        let century = try t["century"].map { Int(clamping: try $0.int()) }
        var format = FrameTimeFormat.iso8601
        if let f = t["format"] {
            // A `%` makes a strptime-style pattern; anything else must be a name.
            let text = try f.string()
            if TimePattern.looksLikePattern(text) {
                format = try f.sensors { () throws(SensorError) in try FrameTimeFormat(text, century: century) }
            } else {
                format = FrameTimeFormat(name: try f.oneOf(FrameTimeFormat.named.map(\.name)))!
            }
        }
        if let c = t["century"] {
            guard case .pattern = format else { throw c.error("'\(c.path)' applies only to a format pattern with a two-digit year (%y)") }
        }
        let zone = try t["zone"]?.string() ?? "UTC"   // checked with the reader's other settings
        return FrameTimeSpec(column: try t["column"]!.string(), format: format,
                             timeColumn: try t["time_column"]?.string(), zone: zone)
    }
}
