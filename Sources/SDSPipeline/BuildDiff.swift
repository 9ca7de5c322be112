import SDSCore
import SDSStore
import SDSTFRecord

/// `sds diff A B`: what differs between two versions, section by section, as one JSON value
/// (the `--json` output; the command renders it as text). Reads metadata only, except
/// `examples`, which reads the record chunks of subjects whose records changed.
public enum BuildDiff {
    /// The sections, in output order.
    public static let sectionOrder = ["inputs", "spec", "code", "work", "outputs", "statistics", "contracts", "examples"]

    public static func compare(_ a: VersionSnapshot, _ b: VersionSnapshot, workspace: Workspace,
                               examples: Bool = false) throws -> JSON {
        var sections: [String: JSON] = [
            "inputs": inputs(a, b), "spec": spec(a, b), "code": code(a, b), "work": work(a, b),
            "outputs": outputs(a, b), "statistics": statistics(a, b), "contracts": contracts(a, b),
        ]
        if examples { sections["examples"] = try exampleKeys(a, b, workspace: workspace) }
        let differing = sectionOrder.filter { s in sections[s].map(differs) ?? false }
        var out = sections
        out["a"] = side(a)
        out["b"] = side(b)
        out["sections"] = .array(differing.map { .string($0) })
        out["equal"] = .bool(differing.isEmpty)
        return .object(out)
    }

    private static func side(_ s: VersionSnapshot) -> JSON {
        .object(["name": .string(s.name), "build": s.build.map { .string($0.id.hex) } ?? .null])
    }

    /// True when a section holds any difference.
    static func differs(_ section: JSON) -> Bool {
        switch section {
        case .array(let items): !items.isEmpty
        case .object(let o): o["differs"] == .bool(true)
        default: false
        }
    }

    // MARK: Sections

    static func inputs(_ a: VersionSnapshot, _ b: VersionSnapshot) -> JSON {
        func entry(_ path: String, _ i: VersionSnapshot.Input) -> JSON {
            .object(["path": .string(path), "id": .string(i.id), "size": i.size.map { .int($0) } ?? .null,
                     "rows": i.rows.map { .int(Int64($0)) } ?? .null])
        }
        var added: [JSON] = [], removed: [JSON] = [], modified: [JSON] = []
        for p in Set(a.inputs.keys).union(b.inputs.keys).sorted() {
            switch (a.inputs[p], b.inputs[p]) {
            case (nil, let y?): added.append(entry(p, y))
            case (let x?, nil): removed.append(entry(p, x))
            case (let x?, let y?) where x.id != y.id:
                let rowsA = x.rows ?? a.localFiles[p].flatMap(VersionSnapshot.countRows)
                let rowsB = y.rows ?? b.localFiles[p].flatMap(VersionSnapshot.countRows)
                modified.append(.object([
                    "path": .string(p), "id_before": .string(x.id), "id_after": .string(y.id),
                    "size_before": x.size.map { .int($0) } ?? .null, "size_after": y.size.map { .int($0) } ?? .null,
                    "rows_before": rowsA.map { .int(Int64($0)) } ?? .null, "rows_after": rowsB.map { .int(Int64($0)) } ?? .null,
                ]))
            default: break
            }
        }
        return .object(["differs": .bool(!(added.isEmpty && removed.isEmpty && modified.isEmpty)),
                        "added": .array(added), "removed": .array(removed), "modified": .array(modified)])
    }

    static func spec(_ a: VersionSnapshot, _ b: VersionSnapshot) -> JSON {
        .array(SpecDiff.changes(a.specText, b.specText).map { c in
            .object(["path": .string(c.path), "before": c.before.map { .string($0) } ?? .null,
                     "after": c.after.map { .string($0) } ?? .null])
        })
    }

    static func code(_ a: VersionSnapshot, _ b: VersionSnapshot) -> JSON {
        var ops: [JSON] = []
        for op in Set(a.operators.keys).union(b.operators.keys).sorted() where a.operators[op] != b.operators[op] {
            ops.append(.object(["op": .string(op), "before": a.operators[op].map { .int(Int64($0)) } ?? .null,
                                "after": b.operators[op].map { .int(Int64($0)) } ?? .null]))
        }
        let sds: JSON = a.sdsVersion == b.sdsVersion ? .null : .object(["before": .string(a.sdsVersion), "after": .string(b.sdsVersion)])
        var git: JSON = .null
        if let x = a.gitCommit, let y = b.gitCommit, x != y { git = .object(["before": .string(x), "after": .string(y)]) }
        // Code files of run steps, by step and path: added, removed or changed content.
        var files: [JSON] = []
        for k in Set(a.codeFiles.keys).union(b.codeFiles.keys).sorted() where a.codeFiles[k] != b.codeFiles[k] {
            let parts = k.split(separator: " ", maxSplits: 1).map(String.init)
            files.append(.object(["step": .string(parts[0]), "path": .string(parts.count > 1 ? parts[1] : ""),
                                  "before": a.codeFiles[k].map { .string($0) } ?? .null,
                                  "after": b.codeFiles[k].map { .string($0) } ?? .null]))
        }
        return .object(["differs": .bool(!ops.isEmpty || sds != .null || git != .null || !files.isEmpty),
                        "sds": sds, "operators": .array(ops), "git_commit": git, "code_files": .array(files)])
    }

    static func work(_ a: VersionSnapshot, _ b: VersionSnapshot) -> JSON {
        var recomputed: [JSON] = []
        var byOp: [String: (recomputed: Int, reused: Int)] = [:]
        var basis = "step keys"
        if let plan = b.plan {
            basis = "dry-run plan against the last build"
            byOp["", default: (0, 0)].reused = plan.reused
            for s in plan.steps {
                recomputed.append(.object(["op": .string(s.op), "partition": .string(s.partition), "reason": .string(s.reason)]))
                byOp[s.op, default: (0, 0)].recomputed += 1
            }
        } else if let after = b.steps, let before = a.steps {
            let known = Set(before.values)
            for k in after.keys.sorted() {
                let parts = k.split(separator: " ", maxSplits: 1).map(String.init)
                let op = parts[0], partition = parts.count > 1 ? parts[1] : ""
                if known.contains(after[k]!) {
                    byOp[op, default: (0, 0)].reused += 1
                } else {
                    byOp[op, default: (0, 0)].recomputed += 1
                    recomputed.append(.object(["op": .string(op), "partition": .string(partition)]))
                }
            }
        } else {
            basis = "unknown: the first version is not built"
        }
        return .object([
            "differs": .bool(!recomputed.isEmpty), "basis": .string(basis),
            "recomputed": .array(recomputed),
            "reused": .int(Int64(byOp.values.reduce(0) { $0 + $1.reused })),
            "by_op": .array(byOp.keys.sorted().filter { !$0.isEmpty }.map { op in
                .object(["op": .string(op), "recomputed": .int(Int64(byOp[op]!.recomputed)), "reused": .int(Int64(byOp[op]!.reused))])
            }),
        ])
    }

    /// Contract rules added, removed, or whose violation count changed, per source: a list of
    /// `{source, rule, before, after}` (violations; null where the rule is absent).
    static func contracts(_ a: VersionSnapshot, _ b: VersionSnapshot) -> JSON {
        func rules(_ s: VersionSnapshot) -> [String: [String: Int]] {
            (s.build?["contracts"]?.object ?? [:]).mapValues { r in
                Dictionary((ContractCheck.Report(json: r)?.rules ?? []).map { ($0.rule, $0.violations) }) { x, _ in x }
            }
        }
        let x = rules(a), y = rules(b)
        var out: [JSON] = []
        for source in Set(x.keys).union(y.keys).sorted() {
            let before = x[source] ?? [:], after = y[source] ?? [:]
            for rule in Set(before.keys).union(after.keys).sorted() where before[rule] != after[rule] {
                out.append(.object(["source": .string(source), "rule": .string(rule),
                                    "before": before[rule].map { .int(Int64($0)) } ?? .null,
                                    "after": after[rule].map { .int(Int64($0)) } ?? .null]))
            }
        }
        return .array(out)
    }

    static func outputs(_ a: VersionSnapshot, _ b: VersionSnapshot) -> JSON {
        guard let x = a.shards, let y = b.shards else {
            return .object(["differs": .bool(true), "pending": .bool(true),
                            "shards_to_rewrite": .array((b.plan?.shards ?? []).map { .string($0) })])
        }
        var splits: [String] = []
        for s in x.map(\.split) + y.map(\.split) where !splits.contains(s) { splits.append(s) }
        var out: [JSON] = []
        var any = false
        for split in splits {
            let before = Dictionary(x.filter { $0.split == split }.map { ($0.file, $0) }, uniquingKeysWith: { a, _ in a })
            let after = Dictionary(y.filter { $0.split == split }.map { ($0.file, $0) }, uniquingKeysWith: { a, _ in a })
            let files = Set(before.keys).union(after.keys).sorted()
            let changed = files.filter { before[$0]?.id != after[$0]?.id }
            let nBefore = Self.examples(before.values), nAfter = Self.examples(after.values)
            if !changed.isEmpty || nBefore != nAfter { any = true }
            out.append(.object([
                "split": .string(split), "shards_changed": .int(Int64(changed.count)),
                "shards_unchanged": .int(Int64(files.count - changed.count)),
                "examples_before": .int(Int64(nBefore)), "examples_after": .int(Int64(nAfter)),
                "changed_files": .array(changed.map { .string($0) }),
            ]))
        }
        return .object(["differs": .bool(any), "pending": .bool(false), "splits": .array(out)])
    }

    /// A split's examples: once per shard index, whatever the number of formats (a TFRecord
    /// shard and its ArrayRecord twin hold the same examples).
    static func examples(_ shards: some Collection<VersionSnapshot.Shard>) -> Int {
        var seen: Set<String> = []
        return shards.reduce(0) { n, s in seen.insert(s.index.map(String.init) ?? s.file).inserted ? n + s.examples : n }
    }

    static let metrics = ["count", "mean", "std", "min", "max", "missing_ratio"]

    static func statistics(_ a: VersionSnapshot, _ b: VersionSnapshot) -> JSON {
        guard let x = a.statistics, let y = b.statistics else { return .object(["differs": .bool(false), "features": .array([]), "labels": .array([])]) }
        var rows: [(rel: Double, json: JSON)] = []
        var labels: [JSON] = []
        for split in Set(x.object.keys).union(y.object.keys).sorted() {
            let fa = x[split]?["features"]?.object ?? [:], fb = y[split]?["features"]?.object ?? [:]
            for f in Set(fa.keys).union(fb.keys).sorted() where fa[f] != fb[f] {
                var rel = 0.0
                for m in metrics {
                    let p = fa[f]?[m]?.number ?? 0, q = fb[f]?[m]?.number ?? 0
                    let scale = max(abs(p), abs(q))
                    if scale > 0 { rel = max(rel, abs(q - p) / scale) }
                }
                rows.append((rel, .object(["split": .string(split), "feature": .string(f),
                                           "relative_change": .double(FeatureMoments.round(rel)),
                                           "before": fa[f] ?? .null, "after": fb[f] ?? .null])))
            }
            let ha = x[split]?["label_histogram"]?.object ?? [:], hb = y[split]?["label_histogram"]?.object ?? [:]
            for bin in Set(ha.keys).union(hb.keys).sorted(by: { (Int($0) ?? 0) < (Int($1) ?? 0) }) where ha[bin] != hb[bin] {
                labels.append(.object(["split": .string(split), "bin": .int(Int64(Int(bin) ?? 0)),
                                       "bin_width": .int(Int64(ChunkStatistics.labelBin)),
                                       "before": .int(Int64(ha[bin]?.int ?? 0)), "after": .int(Int64(hb[bin]?.int ?? 0))]))
            }
        }
        // Largest relative change first; ties keep split and feature order (the sort is stable).
        let sorted = rows.enumerated().sorted { ($0.element.rel, -$0.offset) > ($1.element.rel, -$1.offset) }.map(\.element.json)
        return .object(["differs": .bool(!rows.isEmpty || !labels.isEmpty), "features": .array(sorted), "labels": .array(labels)])
    }

    // MARK: Examples

    /// Example keys (`ENTITY/DATE`) per split: added, removed, and changed by content.
    static func exampleKeys(_ a: VersionSnapshot, _ b: VersionSnapshot, workspace: Workspace) throws -> JSON {
        guard let x = a.build, let y = b.build else {
            return .object(["differs": .bool(false), "available": .bool(false), "splits": .array([])])
        }
        let before = try records(x, workspace), after = try records(y, workspace)
        var splits: [String: (added: [String], removed: [String], changed: [String])] = [:]
        for e in Set(before.keys).union(after.keys).sorted() {
            let p = before[e], q = after[e]
            if p?.data == q?.data && p?.split == q?.split { continue }
            let old = try p.map { try $0.examples(workspace) } ?? [:]
            let new = try q.map { try $0.examples(workspace) } ?? [:]
            for date in Set(old.keys).union(new.keys).sorted() {
                let key = e + "/" + date
                switch (old[date], new[date]) {
                case (nil, _?): splits[q!.split, default: ([], [], [])].added.append(key)
                case (_?, nil): splits[p!.split, default: ([], [], [])].removed.append(key)
                case (let u?, let v?) where u != v || p!.split != q!.split: splits[q!.split, default: ([], [], [])].changed.append(key)
                default: break
                }
            }
        }
        let list = splits.keys.sorted().map { s in
            JSON.object(["split": .string(s), "added": .array(splits[s]!.added.map { .string($0) }),
                         "removed": .array(splits[s]!.removed.map { .string($0) }),
                         "changed": .array(splits[s]!.changed.map { .string($0) })])
        }
        return .object(["differs": .bool(!splits.isEmpty), "available": .bool(true), "splits": .array(list)])
    }

    struct SubjectRecords {
        var split: String
        var chunk: ObjectID
        var data: ObjectID

        /// Date → the example's serialized bytes.
        func examples(_ workspace: Workspace) throws -> [String: [UInt8]] {
            let c = try RecordChunk(decoding: try workspace.store.read(chunk))
            let reader = try TFRecordReader(bytes: try workspace.store.read(c.data))
            var out: [String: [UInt8]] = [:]
            for date in c.dates { out[date] = try reader.next() ?? [] }
            return out
        }
    }

    /// Entity → its record chunk and split, from a manifest.
    static func records(_ build: RecordedBuild, _ workspace: Workspace) throws -> [String: SubjectRecords] {
        var split: [String: String] = [:]
        for s in build.json["shards"]?.array ?? [] {
            for p in s["partitions"]?.array ?? [] { if let e = p.string { split[e] = s["split"]?.string ?? "?" } }
        }
        var out: [String: SubjectRecords] = [:]
        for s in build.steps where s.op == RecordChunk.operatorName {
            guard let sp = split[s.partition], let id = ObjectID(hex: s.result) else { continue }
            let c = try RecordChunk(decoding: try workspace.store.read(id))
            out[s.partition] = SubjectRecords(split: sp, chunk: id, data: c.data)
        }
        return out
    }
}
