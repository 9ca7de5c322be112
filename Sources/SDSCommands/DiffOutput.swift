import SDSCore

/// Renders the JSON of `sds diff` as compact aligned tables, one per differing section.
enum DiffOutput {
    static func render(_ d: JSON) {
        func name(_ side: JSON?) -> String {
            let n = side?["name"]?.string ?? "?"
            guard let b = side?["build"]?.string else { return n }
            return n.hasPrefix(b.prefix(4)) ? "build \(b.prefix(12))" : "\(n) (build \(b.prefix(12)))"
        }
        let sections = d["sections"]?.array.compactMap(\.string) ?? []
        if sections.isEmpty { return Output.line("\(name(d["a"])) and \(name(d["b"])) are equal") }
        Output.line("diff \(name(d["a"])) → \(name(d["b"]))")
        for s in sections {
            Table.header(s)
            guard let section = d[s] else { continue }
            switch s {
            case "inputs": inputs(section)
            case "spec": spec(section)
            case "code": code(section)
            case "work": work(section)
            case "outputs": outputs(section)
            case "statistics": statistics(section)
            case "contracts": contracts(section)
            case "examples": examples(section)
            default: break
            }
        }
    }

    private static func size(_ v: JSON?) -> String { v?.int.map { Output.bytes(Int64($0)) } ?? "?" }
    private static func rows(_ v: JSON?) -> String { v?.int.map { "\($0) rows" } ?? "? rows" }

    static func inputs(_ s: JSON) {
        var t = Table()
        for i in s["added"]?.array ?? [] { t.add("added", i["path"]?.string ?? "", size(i["size"]), rows(i["rows"])) }
        for i in s["removed"]?.array ?? [] { t.add("removed", i["path"]?.string ?? "", size(i["size"]), rows(i["rows"])) }
        for i in s["modified"]?.array ?? [] {
            t.add("modified", i["path"]?.string ?? "", Table.arrow(size(i["size_before"]), size(i["size_after"])),
                  Table.arrow(i["rows_before"]?.int.map(String.init) ?? "?", rows(i["rows_after"])))
        }
        t.print()
    }

    /// Per source and rule: violations before → after ("(none)" where the rule is absent).
    static func contracts(_ s: JSON) {
        var t = Table()
        for c in s.array {
            func side(_ v: JSON?) -> String { v?.int.map { "\($0) violation\($0 == 1 ? "" : "s")" } ?? "(none)" }
            let what = c["before"] == .null ? "added" : c["after"] == .null ? "removed" : "changed"
            t.add(what, "\(c["source"]?.string ?? "?") \(c["rule"]?.string ?? "?")", Table.arrow(side(c["before"]), side(c["after"])))
        }
        t.print()
    }

    static func spec(_ s: JSON) {
        var t = Table()
        for c in s.array { t.add(c["path"]?.string ?? "", Table.arrow(c["before"]?.string ?? "(none)", c["after"]?.string ?? "(none)")) }
        t.print()
    }

    static func code(_ s: JSON) {
        var t = Table()
        if let v = s["sds"], v != .null { t.add("sds", Table.arrow(v["before"]?.string ?? "?", v["after"]?.string ?? "?")) }
        for o in s["operators"]?.array ?? [] {
            t.add("operator " + (o["op"]?.string ?? ""), Table.arrow(Table.number(o["before"]), Table.number(o["after"])))
        }
        for f in s["code_files"]?.array ?? [] {
            func id(_ v: JSON?) -> String { v?.string.map { String($0.prefix(12)) } ?? "(none)" }
            t.add("step \(f["step"]?.string ?? "") code \(f["path"]?.string ?? "")", Table.arrow(id(f["before"]), id(f["after"])))
        }
        if let g = s["git_commit"], g != .null {
            t.add("git commit", Table.arrow(String((g["before"]?.string ?? "?").prefix(12)), String((g["after"]?.string ?? "?").prefix(12))))
        }
        t.print()
    }

    static func work(_ s: JSON) {
        var t = Table()
        var partitions: [String: [String]] = [:]
        var reasons: [String: String] = [:]
        for r in s["recomputed"]?.array ?? [] {
            let op = r["op"]?.string ?? ""
            partitions[op, default: []].append(r["partition"]?.string ?? "")
            if let reason = r["reason"]?.string { reasons[op] = reason }
        }
        for o in s["by_op"]?.array ?? [] {
            let op = o["op"]?.string ?? "", n = o["recomputed"]?.int ?? 0, reused = o["reused"]?.int ?? 0
            guard n > 0 else { continue }
            let parts = partitions[op] ?? []
            let shown = parts.count <= 4 ? parts.joined(separator: ", ") : parts.prefix(3).joined(separator: ", ") + " and \(parts.count - 3) more"
            t.add(op, "\(n) recomputed" + (reused > 0 ? ", \(reused) reused" : ""), shown + (reasons[op].map { ": " + $0 } ?? ""))
        }
        t.print()
        Output.line("  \(s["reused"]?.int ?? 0) step(s) reused (\(s["basis"]?.string ?? ""))")
    }

    static func outputs(_ s: JSON) {
        if s["pending"] == .bool(true) {
            let files = s["shards_to_rewrite"]?.array.compactMap(\.string) ?? []
            return Output.line("  not built yet: a build would rewrite \(files.count) shard file(s) (run 'sds build')")
        }
        var t = Table()
        t.add("split", "shards changed", "unchanged", "examples")
        for x in s["splits"]?.array ?? [] {
            t.add(x["split"]?.string ?? "", Table.number(x["shards_changed"]), Table.number(x["shards_unchanged"]),
                  Table.arrow(Table.number(x["examples_before"]), Table.number(x["examples_after"])))
        }
        t.print()
    }

    static func statistics(_ s: JSON) {
        var t = Table()
        for r in s["features"]?.array ?? [] {
            var changes: [String] = []
            for m in ["count", "mean", "std", "min", "max", "missing_ratio"] where r["before"]?[m] != r["after"]?[m] {
                changes.append("\(m == "missing_ratio" ? "missing" : m) \(Table.arrow(Table.number(r["before"]?[m]), Table.number(r["after"]?[m])))")
            }
            let rel = r["relative_change"]?.number.map { Table.number(.double($0 * 100)) + "%" } ?? ""
            t.add(r["split"]?.string ?? "", r["feature"]?.string ?? "", rel, changes.joined(separator: ", "))
        }
        t.print()
        let labels = s["labels"]?.array ?? []
        if !labels.isEmpty {
            var l = Table()
            for b in labels {
                let lo = b["bin"]?.int ?? 0, w = b["bin_width"]?.int ?? 0
                l.add(b["split"]?.string ?? "", "label [\(lo), \(lo + w))", Table.arrow(Table.number(b["before"]), Table.number(b["after"])))
            }
            l.print()
        }
    }

    static func examples(_ s: JSON) {
        var t = Table()
        for x in s["splits"]?.array ?? [] {
            for kind in ["added", "removed", "changed"] {
                let keys = x[kind]?.array.compactMap(\.string) ?? []
                if keys.isEmpty { continue }
                let shown = keys.count <= 6 ? keys.joined(separator: " ") : keys.prefix(5).joined(separator: " ") + " and \(keys.count - 5) more"
                t.add(x["split"]?.string ?? "", kind, String(keys.count), shown)
            }
        }
        t.print()
    }
}
