import SDSCore
import SDSStore

/// A past build, read back from its manifest object (named by `sds.lock`).
public struct RecordedBuild: Sendable {
    public var id: ObjectID
    public var json: JSON

    public struct Step: Sendable {
        public var op: String
        public var partition: String
        public var version: Int
        public var params: JSON
        public var inputs: [String]
        public var key: String
        public var result: String
    }

    /// Reads the build named by the lock file at `lockPath`; nil when there is none yet.
    public static func fromLock(_ workspace: Workspace, lockPath: String) throws -> RecordedBuild? {
        guard let bytes = try FileIO.readFileIfExists(workspace.absolute(lockPath)) else { return nil }
        guard case .object(let lock) = try JSONReader.parse(bytes), case .string(let hex)? = lock["build"],
              let id = ObjectID(hex: hex) else {
            throw SDSError(.badData, "'\(lockPath)' does not name a build", hint: "restore it from git, or run 'sds build'")
        }
        return RecordedBuild(id: id, json: try JSONReader.parse(try workspace.store.read(id)))
    }

    subscript(_ key: String) -> JSON? { if case .object(let o) = json { o[key] } else { nil } }

    public var steps: [Step] {
        guard case .array(let items)? = self["steps"] else { return [] }
        let params: [String: JSON] = { if case .object(let p)? = self["params"] { p } else { [:] } }()
        return items.compactMap { item in
            guard case .object(let o) = item, case .string(let op)? = o["op"], case .string(let p)? = o["partition"],
                  case .string(let k)? = o["key"], case .string(let r)? = o["result"] else { return nil }
            let version: Int = { if case .int(let v)? = o["version"] { Int(v) } else { 0 } }()
            let inputs: [String] = { if case .array(let a)? = o["inputs"] { a.compactMap { if case .string(let s) = $0 { s } else { nil } } } else { [] } }()
            var stepParams = o["params"] ?? .null
            if case .string(let ref) = stepParams, let full = params[ref] { stepParams = full }
            return Step(op: op, partition: p, version: version, params: stepParams, inputs: inputs, key: k, result: r)
        }
    }

    /// Partition object id → (source name, entity).
    public var partitionObjects: [String: (source: String, entity: String)] {
        guard case .object(let parts)? = self["partitions"] else { return [:] }
        var out: [String: (String, String)] = [:]
        for (entity, list) in parts {
            guard case .array(let items) = list else { continue }
            for case .object(let o) in items {
                if case .string(let id)? = o["partition"], case .string(let src)? = o["source"] { out[id] = (src, entity) }
            }
        }
        return out
    }

    /// Input path → object id.
    public var inputs: [String: String] {
        guard case .object(let o)? = self["inputs"] else { return [:] }
        return o.compactMapValues { if case .string(let s) = $0 { s } else { nil } }
    }
}

/// What a build would redo, and why: the answer of `sds build --dry-run` and `sds status`.
public struct BuildPlan: Sendable {
    public struct Redo: Sendable, Equatable {
        public var op: String
        public var partition: String
        public var reason: String
    }
    public var steps: [Redo]
    public var shards: [String]
    public var upToDate: Bool { steps.isEmpty && shards.isEmpty }

    /// Plans a build without running it and explains each step that would run.
    public static func make(workspace: Workspace, specPath: String) throws -> BuildPlan {
        let recorder = BuildRecorder(workspace: workspace, specPath: specPath)
        guard let bytes = try FileIO.readFileIfExists(workspace.absolute(specPath)) else {
            throw SDSError(.notFound, "no pipeline spec at '\(specPath)'")
        }
        let spec = try Spec.parse(String(decoding: bytes, as: UTF8.self), file: specPath)
        let result = try Builder(workspace: workspace, spec: spec, specBytes: bytes, specDirectory: recorder.specDirectory)
            .run(.init(jobs: 0, dryRun: true))
        let previous = try RecordedBuild.fromLock(workspace, lockPath: recorder.lockPath)
        var before: [String: RecordedBuild.Step] = [:]
        var producedBy: [String: String] = [:]
        for s in previous?.steps ?? [] {
            before["\(s.op) \(s.partition)"] = s
            producedBy[s.result] = s.op
        }
        let inputNames = Dictionary((previous?.inputs ?? [:]).map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let partitionNames = previous?.partitionObjects ?? [:]
        let sourcePaths = Dictionary(uniqueKeysWithValues: (spec.sources.map { ($0.name, $0.path) } + spec.labels.map { ($0.name, $0.path) }))
        var redo: [Redo] = []
        for t in result.trace where t.ran {
            let reason: String
            if let old = before["\(t.op) \(t.partition)"] {
                if old.version != t.version {
                    reason = "operator version \(old.version) -> \(t.version)"
                } else if old.params != t.params {
                    reason = t.op.hasPrefix("run:") ? RunSteps.reason(old.params, t.params) : "parameters changed in \(Spec.fileName)"
                } else {
                    let changed = zip(old.inputs, t.inputs.map(\.hex)).first { $0 != $1 }
                    if let (was, _) = changed {
                        reason = inputNames[was].map { "input \($0) changed" }
                            ?? partitionNames[was].map { "its rows in \(sourcePaths[$0.source] ?? $0.source) changed" }
                            ?? producedBy[was].map { "its input from \($0) changed" } ?? "an input changed"
                    } else {
                        reason = "its inputs changed"
                    }
                }
            } else {
                reason = previous == nil ? "no build yet" : "new partition"
            }
            redo.append(Redo(op: t.op, partition: t.partition, reason: reason))
        }
        return BuildPlan(steps: redo, shards: result.shardsToRewrite.sorted())
    }
}
