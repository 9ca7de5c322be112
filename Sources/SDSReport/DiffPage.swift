import SDSCore
import SDSPipeline
import SDSStore

/// `sds report A B`: what moved between two versions, as a page: the sections of `sds diff`
/// (inputs, spec, code, work, outputs, example keys) and, per split and feature, the shift of
/// its distribution (overlaid histograms, population stability index, Kolmogorov–Smirnov
/// distance), and the build report's numbers side by side.
public struct DiffPage {
    public struct Side: Sendable, Equatable {
        public var name: String
        public var build: String?
    }
    public struct InputChange: Sendable, Equatable {
        public var change: String
        public var path: String
        public var sizeBefore: Int?
        public var sizeAfter: Int?
        public var rowsBefore: Int?
        public var rowsAfter: Int?
    }
    public struct Change: Sendable, Equatable {
        public var what: String
        public var before: String?
        public var after: String?
    }
    public struct OpWork: Sendable, Equatable {
        public var op: String
        public var recomputed: Int
        public var reused: Int
    }
    public struct OutputSplit: Sendable, Equatable {
        public var split: String
        public var changed: Int
        public var unchanged: Int
        public var examplesBefore: Int
        public var examplesAfter: Int
        public var files: [String]
    }
    public struct ExampleSplit: Sendable, Equatable {
        public var split: String
        public var added: [String]
        public var removed: [String]
        public var changed: [String]
    }

    public var dataset: String
    public var a: Side
    public var b: Side
    /// The sections of `sds diff` that differ, in its order.
    public var differing: [String]
    public var inputs: [InputChange] = []
    public var spec: [Change] = []
    public var code: [Change] = []
    public var workBasis = ""
    public var reused = 0
    public var work: [OpWork] = []
    public var recomputed: [Change] = []
    public var outputsPending = false
    public var shardsToRewrite: [String] = []
    public var outputs: [OutputSplit] = []
    public var examplesAvailable = false
    public var examples: [ExampleSplit] = []
    public var statisticsBefore: [SplitStatistics] = []
    public var statisticsAfter: [SplitStatistics] = []
    public var reportBefore: BuildReport?
    public var reportAfter: BuildReport?

    /// Compares two versions as `sds diff --examples` does (metadata, and the record chunks of
    /// subjects whose records changed), and keeps what the page shows.
    public static func load(workspace ws: Workspace, a: VersionSnapshot, b: VersionSnapshot) throws -> DiffPage {
        let d = try BuildDiff.compare(a, b, workspace: ws, examples: true)
        func side(_ j: JSON?) -> Side { Side(name: j?["name"]?.string ?? "?", build: j?["build"]?.string) }
        var page = DiffPage(dataset: a.build?.datasetName ?? b.build?.datasetName ?? "dataset", a: side(d["a"]), b: side(d["b"]),
                            differing: d["sections"]?.array.compactMap(\.string) ?? [])
        for (kind, list) in [("added", d["inputs"]?["added"]), ("removed", d["inputs"]?["removed"])] {
            for i in list?.array ?? [] {
                let size = i["size"]?.int, rows = i["rows"]?.int
                page.inputs.append(InputChange(change: kind, path: i["path"]?.string ?? "?",
                                               sizeBefore: kind == "removed" ? size : nil, sizeAfter: kind == "added" ? size : nil,
                                               rowsBefore: kind == "removed" ? rows : nil, rowsAfter: kind == "added" ? rows : nil))
            }
        }
        for i in d["inputs"]?["modified"]?.array ?? [] {
            page.inputs.append(InputChange(change: "modified", path: i["path"]?.string ?? "?", sizeBefore: i["size_before"]?.int,
                                           sizeAfter: i["size_after"]?.int, rowsBefore: i["rows_before"]?.int, rowsAfter: i["rows_after"]?.int))
        }
        page.spec = (d["spec"]?.array ?? []).map { Change(what: $0["path"]?.string ?? "?", before: $0["before"]?.string, after: $0["after"]?.string) }
        if let c = d["code"] {
            if let s = c["sds"], s != .null { page.code.append(Change(what: "sds", before: s["before"]?.string, after: s["after"]?.string)) }
            for o in c["operators"]?.array ?? [] {
                page.code.append(Change(what: "operator " + (o["op"]?.string ?? "?"), before: o["before"]?.int.map { "v\($0)" },
                                        after: o["after"]?.int.map { "v\($0)" }))
            }
            for f in c["code_files"]?.array ?? [] {
                page.code.append(Change(what: "step \(f["step"]?.string ?? "?") code \(f["path"]?.string ?? "?")",
                                        before: f["before"]?.string.map(Fmt.short), after: f["after"]?.string.map(Fmt.short)))
            }
            if let g = c["git_commit"], g != .null {
                page.code.append(Change(what: "git commit", before: g["before"]?.string.map(Fmt.short), after: g["after"]?.string.map(Fmt.short)))
            }
        }
        if let w = d["work"] {
            page.workBasis = w["basis"]?.string ?? ""
            page.reused = w["reused"]?.int ?? 0
            page.work = (w["by_op"]?.array ?? []).map {
                OpWork(op: $0["op"]?.string ?? "?", recomputed: $0["recomputed"]?.int ?? 0, reused: $0["reused"]?.int ?? 0)
            }
            page.recomputed = (w["recomputed"]?.array ?? []).map {
                Change(what: $0["op"]?.string ?? "?", before: $0["partition"]?.string, after: $0["reason"]?.string)
            }
        }
        if let o = d["outputs"] {
            page.outputsPending = o["pending"] == .bool(true)
            page.shardsToRewrite = o["shards_to_rewrite"]?.array.compactMap(\.string) ?? []
            page.outputs = (o["splits"]?.array ?? []).map {
                OutputSplit(split: $0["split"]?.string ?? "?", changed: $0["shards_changed"]?.int ?? 0,
                            unchanged: $0["shards_unchanged"]?.int ?? 0, examplesBefore: $0["examples_before"]?.int ?? 0,
                            examplesAfter: $0["examples_after"]?.int ?? 0, files: $0["changed_files"]?.array.compactMap(\.string) ?? [])
            }
        }
        if let e = d["examples"] {
            page.examplesAvailable = e["available"] == .bool(true)
            page.examples = (e["splits"]?.array ?? []).map {
                ExampleSplit(split: $0["split"]?.string ?? "?", added: $0["added"]?.array.compactMap(\.string) ?? [],
                             removed: $0["removed"]?.array.compactMap(\.string) ?? [], changed: $0["changed"]?.array.compactMap(\.string) ?? [])
            }
        }
        var order: [String] = []
        for n in (a.build?.buildReport?.splits.map(\.name) ?? []) + (b.build?.buildReport?.splits.map(\.name) ?? [])
            + (a.shards ?? []).map(\.split) + (b.shards ?? []).map(\.split) where !order.contains(n) { order.append(n) }
        page.statisticsBefore = SplitStatistics.ordered(SplitStatistics.parse(a.statistics), order)
        page.statisticsAfter = SplitStatistics.ordered(SplitStatistics.parse(b.statistics), order)
        page.reportBefore = a.build?.buildReport
        page.reportAfter = b.build?.buildReport
        return page
    }

    static let sectionList: [(id: String, title: String)] = [
        ("overview", "Overview"), ("inputs", "Inputs"), ("spec", "Spec"), ("code", "Code"), ("work", "Work"),
        ("outputs", "Outputs"), ("examples", "Examples"), ("build-report", "Build report"), ("shift", "Shift"),
    ]

    func name(_ s: Side) -> String {
        guard let b = s.build else { return s.name }
        return s.name.hasPrefix(b.prefix(4)) ? "build \(Fmt.short(b))" : "\(s.name) (build \(Fmt.short(b)))"
    }

    public func render() -> String {
        var h = HTML()
        overview(&h)
        inputsSection(&h)
        changes(&h, id: "spec", title: "Spec", empty: "The spec is the same.", rows: spec, what: "parameter (path in the spec)")
        changes(&h, id: "code", title: "Code", empty: "sds, operator versions and run-step code are the same.", rows: code, what: "code")
        workSection(&h)
        outputsSection(&h)
        examplesSection(&h)
        buildReportSection(&h)
        shiftSection(&h)
        return Page.document(title: "\(dataset): \(a.name) → \(b.name)", heading: "\(dataset): \(name(a)) → \(name(b))",
                             subtitle: differing.isEmpty ? "The two versions are equal."
                                 : "Differs in: " + differing.joined(separator: ", ") + ".",
                             sections: Self.sectionList, body: h.text)
    }

    private func overview(_ h: inout HTML) {
        h.raw("<section id=\"overview\">\n")
        h.element("h2", "Overview")
        let before = outputs.reduce(0) { $0 + $1.examplesBefore }, after = outputs.reduce(0) { $0 + $1.examplesAfter }
        let added = examples.reduce(0) { $0 + $1.added.count }, removed = examples.reduce(0) { $0 + $1.removed.count }
        let changed = examples.reduce(0) { $0 + $1.changed.count }
        let rewritten = outputs.reduce(0) { $0 + $1.changed }
        let shifts = shiftRows()
        let moved = shifts.filter { $0.shift.map { $0.psi >= 0.1 } ?? false }.count
        let rows: [[Cell]] = [
            [Cell("before", rowHeader: true), Cell(name(a), title: a.build)],
            [Cell("after", rowHeader: true), Cell(name(b), title: b.build)],
            [Cell("inputs", rowHeader: true), Cell(inputs.isEmpty ? "same" : "\(inputs.count) changed")],
            [Cell("spec", rowHeader: true), Cell(spec.isEmpty ? "same" : "\(spec.count) parameters changed")],
            [Cell("code", rowHeader: true), Cell(code.isEmpty ? "same" : "\(code.count) changes")],
            [Cell("work", rowHeader: true), Cell("\(Fmt.int(recomputed.count)) steps recomputed, \(Fmt.int(reused)) reused")],
            [Cell("examples", rowHeader: true), Cell(outputsPending ? "not built yet"
                : "\(Fmt.int(before)) → \(Fmt.int(after))" + (examplesAvailable ? ": \(Fmt.int(added)) added, \(Fmt.int(removed)) removed, \(Fmt.int(changed)) changed" : ""))],
            [Cell("shards", rowHeader: true), Cell(outputsPending ? "\(shardsToRewrite.count) to rewrite" : "\(rewritten) rewritten")],
            [Cell("distributions", rowHeader: true), Cell("\(shifts.count) feature/split pairs compared, \(moved) with PSI ≥ 0.1")],
        ]
        h.table(nil, kind: "overview", header: ["", ""], rows: rows)
        h.raw("</section>\n")
    }

    private func inputsSection(_ h: inout HTML) {
        h.raw("<section id=\"inputs\">\n")
        h.element("h2", "Inputs")
        if inputs.isEmpty {
            h.element("p", "The inputs are the same.")
        } else {
            func size(_ v: Int?) -> String { v.map { Fmt.bytes($0) } ?? "–" }
            func rows(_ v: Int?) -> String { v.map(Fmt.int) ?? "–" }
            h.table(nil, kind: "inputs-diff", header: ["change", "path", "size", "rows"], rows: inputs.map { i in
                [Cell(i.change), .code(i.path), Cell(arrow(size(i.sizeBefore), size(i.sizeAfter), i.change)),
                 Cell(arrow(rows(i.rowsBefore), rows(i.rowsAfter), i.change))]
            })
        }
        h.raw("</section>\n")
    }

    private func arrow(_ x: String, _ y: String, _ change: String) -> String {
        change == "added" ? y : change == "removed" ? x : "\(x) → \(y)"
    }

    private func changes(_ h: inout HTML, id: String, title: String, empty: String, rows: [Change], what: String) {
        h.raw("<section id=\"\(id)\">\n")
        h.element("h2", title)
        if rows.isEmpty {
            h.element("p", empty)
        } else {
            h.table(nil, kind: id, header: [what, "before", "after"], rows: rows.map { c in
                [.code(c.what), Cell(c.before ?? "(none)"), Cell(c.after ?? "(none)")]
            })
        }
        h.raw("</section>\n")
    }

    private func workSection(_ h: inout HTML) {
        h.raw("<section id=\"work\">\n")
        h.element("h2", "Work")
        h.element("p", [("class", "note")], "Steps of the second version that the first did not have (\(workBasis)); the rest were reused.")
        if work.isEmpty && recomputed.isEmpty {
            h.element("p", "No step differs.")
        } else {
            h.table(nil, kind: "work", sortable: true, header: ["operator", "recomputed", "reused"], rows: work.map { w in
                [.code(w.op), .int(w.recomputed), .int(w.reused)]
            }, numericColumns: [1, 2])
            h.raw("<details><summary>Every recomputed step (\(recomputed.count))</summary>")
            h.table(nil, kind: "recomputed", header: ["operator", "partition", "why"], rows: recomputed.prefix(500).map { r in
                [.code(r.what), Cell(r.before ?? ""), Cell(r.after ?? "")]
            })
            if recomputed.count > 500 { h.element("p", "… and \(recomputed.count - 500) more.") }
            h.raw("</details>")
        }
        h.raw("</section>\n")
    }

    private func outputsSection(_ h: inout HTML) {
        h.raw("<section id=\"outputs\">\n")
        h.element("h2", "Outputs")
        if outputsPending {
            h.element("p", "The second version is not built: a build would rewrite \(shardsToRewrite.count) shard file(s).")
        } else {
            h.table(nil, kind: "outputs", header: ["split", "shards rewritten", "unchanged", "examples before", "examples after"],
                    rows: outputs.map { o in
                        [Cell(o.split, rowHeader: true), .int(o.changed), .int(o.unchanged), .int(o.examplesBefore), .int(o.examplesAfter)]
                    }, numericColumns: [1, 2, 3, 4])
            let files = outputs.flatMap(\.files)
            if !files.isEmpty {
                h.element("h3", "Shards rewritten")
                h.raw("<ul>")
                for f in files { h.raw("<li><code>" + HTML.escape(f) + "</code></li>") }
                h.raw("</ul>\n")
            }
        }
        h.raw("</section>\n")
    }

    private func examplesSection(_ h: inout HTML) {
        h.raw("<section id=\"examples\">\n")
        h.element("h2", "Examples")
        if !examplesAvailable {
            h.element("p", "Example keys are compared between built versions only.")
        } else if examples.isEmpty {
            h.element("p", "No example was added, removed or changed.")
        } else {
            h.table(nil, kind: "examples", header: ["split", "added", "removed", "changed"], rows: examples.map { e in
                [Cell(e.split, rowHeader: true), .int(e.added.count), .int(e.removed.count), .int(e.changed.count)]
            }, numericColumns: [1, 2, 3])
            for e in examples {
                for (kind, keys) in [("added", e.added), ("removed", e.removed), ("changed", e.changed)] where !keys.isEmpty {
                    h.raw("<details><summary>")
                    h.text("\(e.split): \(keys.count) \(kind)")
                    h.raw("</summary><p>")
                    h.raw(keys.prefix(300).map { "<code>" + HTML.escape($0) + "</code>" }.joined(separator: " "))
                    if keys.count > 300 { h.text(" … and \(keys.count - 300) more") }
                    h.raw("</p></details>\n")
                }
            }
        }
        h.raw("</section>\n")
    }

    private func buildReportSection(_ h: inout HTML) {
        h.raw("<section id=\"build-report\">\n")
        h.element("h2", "Build report")
        guard let x = reportBefore, let y = reportAfter else {
            h.element("p", "Both versions need to be built, by an sds that keeps the build report.")
            return h.raw("</section>\n")
        }
        var names: [String] = []
        for s in x.studies + y.studies where !names.contains(s.name) { names.append(s.name) }
        for n in names {
            let p = x.studies.first { $0.name == n }, q = y.studies.first { $0.name == n }
            var rows: [[Cell]] = []
            func row(_ label: String, _ u: Int?, _ v: Int?) {
                rows.append([Cell(label, rowHeader: true), u.map(Cell.int) ?? Cell("–"), v.map(Cell.int) ?? Cell("–"),
                             u != nil && v != nil ? Cell(signed(v! - u!), sort: Double(v! - u!)) : Cell("–")])
            }
            var sources: [String] = []
            for s in (p?.sources ?? []) + (q?.sources ?? []) where !sources.contains(s.name) { sources.append(s.name) }
            for s in sources {
                row("source \(s): rows read", p?.sources.first { $0.name == s }?.rows, q?.sources.first { $0.name == s }?.rows)
                row("source \(s): set aside", p?.sources.first { $0.name == s }?.setAside, q?.sources.first { $0.name == s }?.setAside)
            }
            row("windows made", p?.windows, q?.windows)
            var filters: [String] = []
            for f in (p?.filters ?? []) + (q?.filters ?? []) where !filters.contains(f.name) { filters.append(f.name) }
            for f in filters { row("dropped by \(f)", p?.filters.first { $0.name == f }?.dropped, q?.filters.first { $0.name == f }?.dropped) }
            var splits: [String] = []
            for s in (p?.splits ?? []) + (q?.splits ?? []) where !splits.contains(s.name) { splits.append(s.name) }
            for s in splits {
                row("\(s) examples", p?.splits.first { $0.name == s }?.examples, q?.splits.first { $0.name == s }?.examples)
                row("\(s) subjects", p?.splits.first { $0.name == s }?.subjects, q?.splits.first { $0.name == s }?.subjects)
            }
            h.table("Study \(n)", kind: "report-diff", header: ["", "before", "after", "change"], rows: rows, numericColumns: [1, 2, 3])
        }
        h.raw("</section>\n")
    }

    private func signed(_ n: Int) -> String { n > 0 ? "+" + Fmt.int(n) : n == 0 ? "0" : "−" + Fmt.int(-n) }

    /// Every (split, feature) present in either version, with its shift when both have histograms.
    func shiftRows() -> [(split: String, feature: String, before: FeatureSummary?, after: FeatureSummary?, shift: Shift?)] {
        var out: [(String, String, FeatureSummary?, FeatureSummary?, Shift?)] = []
        var splits: [String] = []
        for s in statisticsBefore.map(\.split) + statisticsAfter.map(\.split) where !splits.contains(s) { splits.append(s) }
        for split in splits {
            let x = statisticsBefore.first { $0.split == split }?.features ?? [:]
            let y = statisticsAfter.first { $0.split == split }?.features ?? [:]
            for f in BuildPage.featureOrder(Set(x.keys).union(y.keys)) {
                var shift: Shift?
                if let p = x[f]?.histogram, let q = y[f]?.histogram { shift = Shift(p, q) }
                out.append((split, f, x[f], y[f], shift))
            }
        }
        return out
    }

    private func shiftSection(_ h: inout HTML) {
        h.raw("<section id=\"shift\">\n")
        h.element("h2", "Shift per feature and split")
        h.element("p", [("class", "note")],
                  "PSI, the population stability index, sums (q − p)·ln(q/p) over at most 40 common bins (an empty bin counts as a share of 0.0001): "
                  + "below 0.1 is usually read as stable, 0.1–0.25 as a moderate shift, above 0.25 as a large one. "
                  + "KS is the Kolmogorov–Smirnov distance, the largest gap between the two cumulative distributions (0 to 1). "
                  + "Both are computed from the histograms each build recorded; the charts overlay them (before: outline, after: filled).")
        let rows = shiftRows()
        if rows.isEmpty { h.element("p", "Neither version recorded feature statistics.") }
        let sorted = rows.enumerated().sorted { x, y in
            let p = x.element.shift?.psi ?? -1, q = y.element.shift?.psi ?? -1
            return p != q ? p > q : x.offset < y.offset
        }.map(\.element)
        func pair(_ u: Double?, _ v: Double?, percent: Bool = false) -> Cell {
            func t(_ x: Double?) -> String { x.map { percent ? Fmt.percent($0) : Fmt.number($0) } ?? "–" }
            return Cell("\(t(u)) → \(t(v))", sort: (v ?? 0) - (u ?? 0))
        }
        h.table(nil, kind: "shift", sortable: true, header: ["split", "feature", "PSI", "KS", "count", "mean", "std", "missing"],
                rows: sorted.map { r in
                    [Cell(r.split), .code(r.feature), r.shift.map { Cell(Fmt.number($0.psi, digits: 3), sort: $0.psi, title: $0.level) } ?? Cell("–"),
                     r.shift.map { Cell(Fmt.number($0.ks, digits: 3), sort: $0.ks) } ?? Cell("–"),
                     pair(r.before.map { Double($0.count) }, r.after.map { Double($0.count) }), pair(r.before?.mean, r.after?.mean),
                     pair(r.before?.std, r.after?.std), pair(r.before?.missingRatio, r.after?.missingRatio, percent: true)]
                }, numericColumns: [2, 3])
        h.raw("<p class=\"note\"><svg width=\"14\" height=\"12\" viewBox=\"0 0 14 12\" aria-hidden=\"true\"><path class=\"line-a\" d=\"M1 12V2H13V12\"/></svg> ")
        h.text("before: \(name(a))")
        h.raw(" &nbsp; <svg width=\"14\" height=\"12\" viewBox=\"0 0 14 12\" aria-hidden=\"true\"><rect class=\"sw-b\" x=\"1\" y=\"2\" width=\"12\" height=\"10\"/></svg> ")
        h.text("after: \(name(b)) · largest PSI first")
        h.raw("</p>\n<div class=\"grid\">")
        for r in sorted {
            guard let s = r.shift else { continue }
            h.raw("<figure class=\"card\">")
            h.element("figcaption", "\(r.feature) · \(r.split) · PSI \(Fmt.number(s.psi, digits: 3)) (\(s.level)) · KS \(Fmt.number(s.ks, digits: 3))")
            h.raw(Charts.histogram(label: "Histograms of \(r.feature) in split \(r.split), before and after", series: [(a.name, s.before), (b.name, s.after)],
                                   width: 300, height: 120))
            h.raw("<details><summary>Table</summary>")
            let na = Double(max(1, s.before.total)), nb = Double(max(1, s.after.total))
            h.table(nil, kind: "shift-bins", header: ["bin", "before", "after"], rows: s.before.counts.indices.map { i in
                [Cell("[\(Fmt.number(s.before.edge(i))), \(Fmt.number(s.before.edge(i + 1))))", rowHeader: true),
                 .percent(Double(s.before.counts[i]) / na), .percent(Double(s.after.counts[i]) / nb)]
            }, numericColumns: [1, 2])
            h.raw("</details></figure>\n")
        }
        h.raw("</div>\n</section>\n")
    }
}
