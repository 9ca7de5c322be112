import ArgumentParser
import SDSCatalog
import SDSCore
import SDSPipeline
import SDSStore

struct Show: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a build's manifest, readably.",
        discussion: """
            VERSION is a tag, a build id (or a unique prefix), a git revision, or omitted for the last build. Prints the dataset, spec and code versions, the inputs, each split's shards and examples, the feature statistics computed at build time, the rows set aside (with their first file:line:col) and each source's contract rules (rows checked, violations, the first one). --json prints the manifest object itself (canonical JSON; its SHA-256 is the build id).

              sds show            the last build
              sds show v1
              sds show HEAD~3 --json
            """)

    @Argument(help: "The version (default: the last build).")
    var version: String?

    @Option(help: "The pipeline spec, relative to the current folder.")
    var spec: String = "sds.yaml"

    @Flag(help: "Print the manifest as JSON.")
    var json = false

    func run() throws {
        try reporting {
            let ws = try openWorkspace()
            let b = try recordedBuild(version, ws, spec: spec, why: "'sds status' shows the work tree")
            if json { return Output.line(b.json.canonicalText) }
            // Where and at which commit it was built is recorded beside the build, in this store's index.
            let run = try ws.index().builds().last { $0.id == b.id }
            render(b, tags: try Tags(workspace: ws).all().filter { $0.id == b.id }.map(\.name), run: run)
        }
    }

    private func render(_ b: RecordedBuild, tags: [String], run: StoreIndex.BuildRun?) {
        let m = b.json
        let code = m["code"]
        Output.line("build \(b.id.hex)" + (tags.isEmpty ? "" : "  (tag: \(tags.joined(separator: ", ")))"))
        var t = Table()
        t.add("dataset", "\(m["dataset"]?["name"]?.string ?? "?") \(m["dataset"]?["version"]?.string ?? "?")")
        t.add("spec", m["spec"]?.string.map { String($0.prefix(12)) } ?? "?")
        if let run {
            let dirty = run.gitDirty == true ? " (dirty: uncommitted changes)" : ""
            t.add("first built", "at git commit " + (run.gitCommit.map { String($0.prefix(12)) } ?? "none") + dirty
                + " on " + run.host)
        } else {
            t.add("first built", "not in this store's log (built elsewhere)")
        }
        t.add("sds", code?["sds"]?.string ?? "?")
        t.add("operators", (code?["operators"]?.object ?? [:]).sorted { $0.key < $1.key }
            .map { "\($0.key) v\($0.value.int ?? 0)" }.joined(separator: ", "))
        t.print(indent: "")
        if let steps = code?["run_steps"]?.object, !steps.isEmpty {
            Table.header("run steps")
            var r = Table()
            for (name, s) in steps.sorted(by: { $0.key < $1.key }) {
                r.add(name, s["command"]?.string ?? "?")
                for (path, id) in (s["files"]?.object ?? [:]).sorted(by: { $0.key < $1.key }) {
                    r.add("", "code " + path, String((id.string ?? "?").prefix(12)))
                }
            }
            r.print()
        }
        Table.header("inputs")
        var i = Table()
        for (path, id) in b.inputs.sorted(by: { $0.key < $1.key }) { i.add(path, String(id.prefix(12))) }
        i.print()
        Table.header("splits")
        var s = Table()
        let shards = m["shards"]?.array ?? []
        for (split, v) in (m["splits"]?.object ?? [:]).sorted(by: { $0.key < $1.key }) {
            let mine = shards.filter { $0["split"]?.string == split }
            // With two formats a shard is two files (same index, same examples).
            let indexes = Set(mine.compactMap { $0["index"]?.int })
            let formats = ["tfrecord", "array_record"].filter { f in mine.contains { $0["file"]?.string?.contains(".\(f)-") == true } }
            let count = indexes.isEmpty ? mine.count : indexes.count
            s.add(split, "\(v["examples"]?.int ?? 0) examples", "\(count) shards" + (formats.count > 1 ? ", each as " + formats.joined(separator: " and ") : ""))
        }
        s.print()
        if let report = BuildReport(json: m["report"]) {
            Table.header("report")
            for l in ReportOutput.lines(report) { Output.line("  " + l) }
        }
        Table.header("statistics")
        var st = Table()
        st.add("split", "feature", "count", "mean", "std", "min", "max", "missing")
        for (split, v) in (m["statistics"]?.object ?? [:]).sorted(by: { $0.key < $1.key }) {
            for (f, x) in (v["features"]?.object ?? [:]).sorted(by: { $0.key < $1.key }) {
                st.add(split, f, Table.number(x["count"]), Table.number(x["mean"]), Table.number(x["std"]),
                       Table.number(x["min"]), Table.number(x["max"]), Table.number(x["missing_ratio"]))
            }
        }
        st.print()
        if let files = m["files"]?.object, !files.isEmpty {
            Table.header("other output files")
            var f = Table()
            for (name, id) in files.sorted(by: { $0.key < $1.key }) { f.add(name, String((id.string ?? "?").prefix(12))) }
            f.print()
        }
        if let q = m["quarantine"]?.object, !q.isEmpty {
            Table.header("bad rows set aside")
            var t = Table()
            for (reason, v) in q.sorted(by: { $0.key < $1.key }) {
                t.add(reason, "\(v["rows"]?.int ?? 0) rows", "first at " + (v["first"]?.array.compactMap(\.string) ?? []).joined(separator: ", "))
            }
            t.print()
        }
        if let c = m["contracts"]?.object, !c.isEmpty {
            Table.header("contracts")
            var t = Table()
            for (source, v) in c.sorted(by: { $0.key < $1.key }) {
                let warn = v["on_violation"]?.string == "warn" ? " (warn)" : ""
                for r in v["rules"]?.array ?? [] {
                    let bad = r["violations"]?.int ?? 0, checked = r["checked"]?.int ?? 0
                    let rule = r["rule"]?.string ?? "?"
                    let outcome = bad == 0 ? "kept (\(checked) rows)" : rule.hasPrefix("rows:") ? "broken: \(checked) rows"
                        : "broken: \(bad) of \(checked) rows"
                    t.add(source + warn, rule, outcome, bad == 0 ? "" : "first at " + (r["first"]?.string ?? "?"))
                }
            }
            t.print()
        }
    }
}
