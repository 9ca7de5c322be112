import SDSCatalog
import SDSCore
import SDSPipeline
import SDSStore

/// `sds report [VERSION]`: one build as a page. The model holds what the build recorded
/// (manifest, the index's log of its first run, window-count step results, statistics
/// tables); `render()` turns it into HTML and does no I/O.
public struct BuildPage {
    public struct Input: Sendable, Equatable {
        public var path: String
        public var id: String
        public var size: Int64?
        public var rows: Int?
    }

    public var dataset: String
    public var version: String
    public var buildID: String
    public var specID: String?
    public var sdsVersion: String
    /// The git commit HEAD was at when this build was first made, and whether the tree was dirty.
    public var gitCommit: String?
    public var gitDirty: Bool?
    /// Whether the store's log has the build (a build copied from elsewhere is not in it).
    public var logged: Bool
    public var stepsRun: Int?
    public var stepsReused: Int?
    public var steps: [(op: String, count: Int)]
    public var operators: [String: Int]
    public var inputs: [Input]
    public var report: BuildReport?
    public var shards: [Builder.Shard]
    public var partitionSources: [String: [Builder.PartitionSource]]
    public var statistics: [SplitStatistics]
    public var coverage: [PartitionWindows]
    public var badRows: [BadRows]
    public var tables: [StatisticsTableData]

    /// Reads what `build` recorded: its manifest, the log entry of its first run, its
    /// window-count step results and statistics tables. No input data is read.
    public static func load(workspace ws: Workspace, build b: RecordedBuild) throws -> BuildPage {
        let snapshot = try VersionSnapshot(build: b, workspace: ws, name: b.id.hex)
        // The index lists runs newest first: the last one is the run that made the build.
        let run = try ws.index().builds().last { $0.id == b.id }
        var byOp: [String: Int] = [:]
        for s in b.steps { byOp[s.op, default: 0] += 1 }
        // Splits in the spec's order (the report's, else the shards').
        var order: [String] = []
        for n in (b.buildReport?.splits.map(\.name) ?? []) + b.shards.map(\.split) where !order.contains(n) { order.append(n) }
        return BuildPage(
            dataset: b.datasetName, version: b.datasetVersion, buildID: b.id.hex, specID: b.specID, sdsVersion: b.sdsVersion,
            gitCommit: run?.gitCommit, gitDirty: run?.gitDirty, logged: run != nil,
            stepsRun: run?.stepsRun, stepsReused: run?.stepsReused,
            steps: byOp.sorted { FileIO.bytewiseLess($0.key, $1.key) }.map { ($0.key, $0.value) },
            operators: b.operatorVersions,
            inputs: snapshot.inputs.sorted { FileIO.bytewiseLess($0.key, $1.key) }.map {
                Input(path: $0.key, id: $0.value.id, size: $0.value.size, rows: $0.value.rows)
            },
            report: b.buildReport, shards: b.shards, partitionSources: b.partitionSources,
            statistics: SplitStatistics.ordered(b.featureStatistics, order), coverage: try b.windowCoverage(ws.store), badRows: b.badRows,
            tables: try b.statisticsTables(ws.store))
    }

    static let sectionList: [(id: String, title: String)] = [
        ("summary", "Summary"), ("coverage", "Coverage"), ("distributions", "Distributions"),
        ("bad-rows", "Bad rows"), ("tables", "Statistics tables"), ("lineage", "Lineage"),
    ]

    public func render() -> String {
        var body = HTML()
        summary(&body)
        coverageSection(&body)
        distributions(&body)
        badRowsSection(&body)
        tablesSection(&body)
        lineage(&body)
        let examples = shards.reduce(0) { $0 + $1.examples }
        return Page.document(
            title: "\(dataset) \(version): build \(Fmt.short(buildID))",
            heading: "\(dataset) \(version)",
            subtitle: "build \(buildID) · \(Fmt.int(examples)) examples in \(shards.count) shards · made by sds \(sdsVersion)",
            sections: Self.sectionList, body: body.text)
    }

    // MARK: Summary

    /// Each split: (name, percent asked, examples, subjects), from the report or the shards.
    var splits: [BuildReport.Split] {
        if let r = report, !r.splits.isEmpty { return r.splits }
        var names: [String] = []
        for s in shards where !names.contains(s.split) { names.append(s.split) }
        return names.map { n in
            let mine = shards.filter { $0.split == n }
            return BuildReport.Split(name: n, percent: 0, examples: mine.reduce(0) { $0 + $1.examples },
                                     subjects: Set(mine.flatMap(\.partitions)).count)
        }
    }

    private func summary(_ h: inout HTML) {
        h.raw("<section id=\"summary\">\n")
        h.element("h2", "Summary")
        var commit = "not in this store's log (built elsewhere)"
        if logged {
            commit = gitCommit.map { "at git commit " + Fmt.short($0) } ?? "outside a git commit"
            if gitDirty == true { commit += " (with uncommitted changes)" }
        }
        var stepsText = Fmt.count(steps.reduce(0) { $0 + $1.count }, "step") + " in the manifest"
        if let r = stepsRun, let u = stepsReused { stepsText += "; the run that made it ran \(Fmt.int(r)) and reused \(Fmt.int(u))" }
        let rows: [[Cell]] = [
            [Cell("dataset", rowHeader: true), Cell("\(dataset) \(version)")],
            [Cell("build id", rowHeader: true), .code(buildID)],
            [Cell("first built", rowHeader: true), Cell(commit, title: gitCommit)],
            [Cell("steps", rowHeader: true), Cell(stepsText)],
            [Cell("spec", rowHeader: true), .code(specID.map(Fmt.short) ?? "?", title: specID)],
            [Cell("code", rowHeader: true), Cell("sds \(sdsVersion), \(operators.count) operators")],
        ]
        h.table(nil, kind: "summary", header: ["", ""], rows: rows)

        h.element("h3", "Examples per split")
        let total = splits.reduce(0) { $0 + $1.examples }
        let shardCount = Dictionary(grouping: shards, by: \.split).mapValues(\.count)
        let bytes = Dictionary(grouping: shards, by: \.split).mapValues { $0.reduce(0) { $0 + $1.exampleBytes } }
        h.raw("<div class=\"grid\">")
        h.table(nil, kind: "splits", header: ["split", "asked", "examples", "share", "subjects", "shards", "bytes"],
                rows: splits.map { s in
                    [Cell(s.name, rowHeader: true), Cell(s.percent > 0 ? "\(s.percent)%" : "–"), .int(s.examples),
                     .percent(total > 0 ? Double(s.examples) / Double(total) : 0), .int(s.subjects),
                     .int(shardCount[s.name] ?? 0), Cell(Fmt.bytes(bytes[s.name] ?? 0), sort: Double(bytes[s.name] ?? 0))]
                }, numericColumns: [2, 3, 4, 5, 6])
        h.raw(Charts.bars(label: "Examples per split", rows: splits.map { s in
            (s.name, Double(s.examples), Fmt.count(s.examples, "example") + ", " + Fmt.count(s.subjects, "subject"), "bar")
        }, width: 460))
        h.raw("</div>\n")
        for w in report?.warnings ?? [] { h.element("p", [("class", "warn")], "warning: " + w) }

        for study in report?.studies ?? [] {
            h.element("h3", "Study \(study.name): from rows to examples")
            h.raw("<div class=\"grid\">")
            var rows: [[Cell]] = study.sources.map { s in
                [Cell("source \(s.name)", rowHeader: true), .int(s.rows), Cell("rows read, \(Fmt.int(s.setAside)) set aside")]
            }
            if study.transformSetAside > 0 {
                rows.append([Cell("transforms", rowHeader: true), .int(study.transformSetAside), Cell("rows set aside")])
            }
            rows.append([Cell("windows", rowHeader: true), .int(study.windows), Cell("made")])
            for f in study.filters { rows.append([Cell("filter \(f.name)", rowHeader: true), .int(f.dropped), Cell("dropped")]) }
            if study.cappedSubjects > 0 {
                rows.append([Cell("max_subjects", rowHeader: true), .int(study.cappedExamples),
                             Cell("examples of \(study.cappedSubjects) subjects left out")])
            }
            let kept = study.splits.reduce(0) { $0 + $1.examples }
            rows.append([Cell("examples", rowHeader: true), .int(kept), Cell("kept")])
            h.table(nil, kind: "funnel", header: ["step", "count", ""], rows: rows, numericColumns: [1])
            var bars: [(String, Double, String, String)] = [("windows made", Double(study.windows), Fmt.int(study.windows), "bar")]
            for f in study.filters { bars.append((f.name, Double(f.dropped), "−\(Fmt.int(f.dropped))", "bar-b")) }
            if study.cappedSubjects > 0 { bars.append(("max_subjects", Double(study.cappedExamples), "−\(Fmt.int(study.cappedExamples))", "bar-b")) }
            bars.append(("examples kept", Double(kept), Fmt.int(kept), "bar"))
            h.raw(Charts.bars(label: "Windows made, dropped by each filter, and kept, in study \(study.name)", rows: bars, width: 460))
            h.raw("</div>\n")
        }

        h.element("h3", "Inputs")
        h.table(nil, kind: "inputs", sortable: true, header: ["path", "id", "size"], rows: inputs.map { i in
            [.code(i.path), .code(Fmt.short(i.id), title: i.id), i.size.map { Cell(Fmt.bytes(Int($0)), sort: Double($0)) } ?? Cell("–")]
        }, numericColumns: [2])
        h.raw("<details><summary>Steps by operator</summary>")
        h.table(nil, kind: "steps", sortable: true, header: ["operator", "version", "steps"], rows: steps.map { s in
            let base = s.op.split(separator: "#").first.map(String.init) ?? s.op
            return [.code(s.op), Cell(operators[base].map { "v\($0)" } ?? "–"), .int(s.count)]
        }, numericColumns: [2])
        h.raw("</details>\n</section>\n")
    }

    // MARK: Coverage

    private func coverageSection(_ h: inout HTML) {
        h.raw("<section id=\"coverage\">\n")
        h.element("h2", "Coverage")
        h.element("p", [("class", "note")],
                  "Each cell is one window of one partition; its colour is the share of the channel's slots that hold a value. "
                  + "A mark in a cell means a filter dropped that window: each filter has its own mark, named in the legend and in the cell's tooltip.")
        if coverage.isEmpty {
            h.element("p", "This build recorded no windows.")
        } else if !coverage.contains(where: \.detailed) {
            h.element("p", "This build was made before sds kept each window's coverage; build it again with this sds to see them.")
        }
        var studies: [String] = []
        for p in coverage { let s = p.study ?? dataset; if !studies.contains(s) { studies.append(s) } }
        let splitOf = Dictionary(shards.flatMap { s in s.partitions.map { ($0, s.split) } }, uniquingKeysWith: { a, _ in a })
        for study in studies {
            let parts = coverage.filter { ($0.study ?? dataset) == study }
            let rules = report?.studies.first { $0.name == study }?.filters.map(\.name) ?? []
            if studies.count > 1 || report?.studies.count ?? 0 > 1 { h.element("h3", "Study \(study)") }
            var heat = Heatmap(study: study, partitions: parts, rules: rules)
            heat.splitOf = splitOf
            if parts.contains(where: \.detailed) { h.raw(heat.render()) }
            h.raw(heat.table())
        }
        h.raw("</section>\n")
    }

    // MARK: Distributions

    /// Features in a reading order: sensors, then labels, attributes, the rest; by name within.
    static func featureOrder(_ names: Set<String>) -> [String] {
        func rank(_ n: String) -> Int {
            if n.hasPrefix("sensor/") { return 0 }
            if n.hasPrefix("label/") { return 2 }
            if n.hasPrefix("attr/") { return 3 }
            return n.contains("/") ? 4 : 1
        }
        return names.sorted { (rank($0), $0) < (rank($1), $1) }
    }

    private func distributions(_ h: inout HTML) {
        h.raw("<section id=\"distributions\">\n")
        h.element("h2", "Distributions")
        h.element("p", [("class", "note")],
                  "Per feature and split, from statistics the build computed from the examples it wrote (values where the mask is 1; "
                  + "masked or absent values count as missing). Histograms show each split's share of values per bin, on one scale; "
                  + "their bins are exact sums of the partitions' fixed-grid histograms.")
        let names = Self.featureOrder(Set(statistics.flatMap { $0.features.keys }))
        if names.isEmpty { h.element("p", "This build recorded no feature statistics.") }
        // Missing shares first: one table for all features.
        if !names.isEmpty {
            h.element("h3", "Missing values")
            h.table(nil, kind: "missing", sortable: true, header: ["feature"] + statistics.map { "\($0.split) missing" },
                    rows: names.map { f in
                        [.code(f)] + statistics.map { s in s.features[f].map { Cell.percent($0.missingRatio) } ?? Cell("–") }
                    }, numericColumns: Set(1...max(1, statistics.count)))
        }
        for (n, f) in names.enumerated() {
            h.raw("<div class=\"card\" id=\"feature-\(n)\">")
            h.element("h3", f)
            let present = statistics.compactMap { s in s.features[f].map { (s.split, $0) } }
            h.table(nil, kind: "feature", header: ["split", "count", "mean", "std", "min", "max", "missing"], rows: present.map { split, x in
                [Cell(split, rowHeader: true), .int(x.count), .number(x.mean), .number(x.std), .number(x.min), .number(x.max),
                 .percent(x.missingRatio)]
            }, numericColumns: [1, 2, 3, 4, 5, 6])
            let hists = present.compactMap { s, x in x.histogram.map { (s, $0) } }
            if let aligned = Histogram.aligned(hists.map(\.1), maxBins: 60), !aligned.isEmpty {
                // One share scale for every split, so their shapes compare.
                let ymax = Charts.shareTop(aligned.map { h in h.counts.map { Double($0) / Double(max(1, h.total)) } })
                h.raw("<div class=\"grid\">")
                for (i, (split, _)) in hists.enumerated() {
                    h.raw("<figure>")
                    h.element("figcaption", "\(split): \(Fmt.int(aligned[i].total)) values")
                    h.raw(Charts.histogram(label: "Histogram of \(f) in split \(split)", series: [(split, aligned[i])], ymax: ymax,
                                           width: 300, height: 120))
                    h.raw("</figure>")
                }
                h.raw("</div><details><summary>Histogram table</summary>")
                let bins = aligned[0].counts.indices
                h.table("\(f): values per bin", kind: "histogram", header: ["bin"] + hists.map { "\($0.0) values" },
                        rows: bins.map { i in
                            [Cell("[\(Fmt.number(aligned[0].edge(i))), \(Fmt.number(aligned[0].edge(i + 1))))", rowHeader: true)]
                                + aligned.map { Cell.int($0.counts[i]) }
                        }, numericColumns: Set(1...hists.count))
                h.raw("</details>")
            } else if present.contains(where: { $0.1.count > 0 }) {
                h.element("p", [("class", "note")], "No histogram: this build was made before sds kept histograms.")
            }
            h.raw("</div>\n")
        }
        h.raw("</section>\n")
    }

    // MARK: Bad rows, statistics tables

    private func badRowsSection(_ h: inout HTML) {
        h.raw("<section id=\"bad-rows\">\n")
        h.element("h2", "Bad rows")
        let total = badRows.reduce(0) { $0 + $1.rows }
        if badRows.isEmpty {
            h.element("p", "No row was set aside: every row of every input was read and kept.")
        } else {
            h.element("p", "\(Fmt.int(total)) rows were set aside, by reason, with where the first ones are (file:line).")
            h.table(nil, kind: "bad-rows", sortable: true, header: ["reason", "rows", "first at"], rows: badRows.map { r in
                [Cell(r.reason, rowHeader: true), .int(r.rows), .html(r.first.map { "<code>" + HTML.escape($0) + "</code>" }.joined(separator: ", "),
                                                                        text: r.first.joined(separator: ", "))]
            }, numericColumns: [1])
        }
        h.raw("</section>\n")
    }

    private func tablesSection(_ h: inout HTML) {
        h.raw("<section id=\"tables\">\n")
        h.element("h2", "Statistics tables")
        if tables.isEmpty {
            h.element("p", "This build has no statistics tables (a study's 'statistics:' makes one, a row per partition).")
        }
        for t in tables {
            h.element("p", [("class", "note")], "Study \(t.study): one row per partition, as 'sds query \"SELECT * FROM \(t.study)\"' prints it. Click a column to sort.")
            let numeric = Set(t.columns.indices.filter { i in t.rows.contains { if case .number = $0[i] { true } else { false } } })
            h.table("\(t.study)", kind: "statistics", sortable: true, header: t.columns, rows: t.rows.map { r in
                r.enumerated().map { i, c in
                    switch c {
                    case .number(let v): return Cell.number(v, digits: 6)
                    case .text(let s): return i == 0 ? Cell(s, rowHeader: true) : Cell(s)
                    case .missing: return Cell("–")
                    }
                }
            }, numericColumns: numeric)
        }
        h.raw("</section>\n")
    }

    // MARK: Lineage

    private func lineage(_ h: inout HTML) {
        h.raw("<section id=\"lineage\">\n")
        h.element("h2", "Lineage")
        h.element("p", [("class", "note")],
                  "For each shard, the partitions whose examples it holds, in record order, and the lines of each raw input their rows "
                  + "came from. 'sds lineage --example PARTITION/WINDOW' follows one example to its lines and steps.")
        let pathOf = Dictionary(inputs.map { ($0.id, $0.path) }, uniquingKeysWith: { a, _ in a })
        // The sources, in the order partitions list them, each with its input file.
        var sources: [(name: String, input: String)] = []
        for s in shards {
            for p in s.partitions {
                for src in partitionSources[p] ?? [] where !sources.contains(where: { $0.name == src.source }) {
                    sources.append((src.source, src.input.hex))
                }
            }
        }
        h.table(nil, kind: "lineage-sources", header: ["source", "input", "id"], rows: sources.map { s in
            [Cell(s.name, rowHeader: true), .code(pathOf[s.input] ?? "output of a run step"), .code(Fmt.short(s.input), title: s.input)]
        })
        h.raw("<div class=\"scroll\"><table data-table=\"lineage\"><thead><tr><th scope=\"col\">partition</th>")
        for s in sources { h.element("th", [("scope", "col"), ("class", "n")], "\(s.name) lines") }
        h.raw("</tr></thead>\n")
        for s in shards {
            h.raw("<tbody><tr class=\"group\"><th colspan=\"\(sources.count + 1)\" scope=\"rowgroup\">")
            h.raw("<code>" + HTML.escape(s.file) + "</code> ")
            h.text("· \(s.split) · \(Fmt.count(s.examples, "example")) · \(Fmt.bytes(s.exampleBytes)) · "
                   + "\(Fmt.count(s.partitions.count, "partition")) · id \(Fmt.short(s.id.hex))")
            h.raw("</th></tr>\n")
            for p in s.partitions {
                let mine = partitionSources[p] ?? []
                h.raw("<tr><th scope=\"row\">")
                h.text(p)
                h.raw("</th>")
                for src in sources {
                    if let m = mine.first(where: { $0.source == src.name }) {
                        h.raw("<td class=\"n\">\(Fmt.int(m.firstLine))–\(Fmt.int(m.lastLine))</td>")
                    } else {
                        h.raw("<td class=\"n\">–</td>")
                    }
                }
                h.raw("</tr>\n")
            }
            h.raw("</tbody>\n")
        }
        h.raw("</table></div>\n</section>\n")
    }
}

extension Fmt {
    /// `1 example`, `3 examples`.
    static func count(_ n: Int, _ noun: String) -> String { "\(int(n)) \(noun)\(n == 1 ? "" : "s")" }

    /// Bytes in binary units, one decimal: `3.2 MiB`.
    static func bytes(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(n), u = 0
        while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
        if u == 0 { return "\(n) B" }
        let tenths = Int((v * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[u])"
    }
}
