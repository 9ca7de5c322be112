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

/// What a build of the work tree would do, and why: the answer of `sds build --dry-run`,
/// `sds status` and `sds diff` against the work tree.
///
/// It is computed by the build itself, through a scratch store (see `ObjectStore.scratch`),
/// up to the first write: the steps it lists are the steps the build runs, and "up to
/// date" means the build id equals the lock's and the output folder holds its bytes.
/// Without `userCode`, a `run:` step it would run is not run: then what depends on its
/// output is unknown, and `unknown` says so.
public struct BuildPlan: Sendable {
    public struct Redo: Sendable, Equatable {
        public var op: String
        public var partition: String
        public var reason: String
    }
    /// Steps that would run, with why.
    public var steps: [Redo]
    public var reused: Int
    /// Output files that would be written (missing or different), and removed.
    public var shards: [String]
    public var removed: [String] = []
    /// Of `shards`, those whose bytes the store already holds (restored, not computed).
    public var restored: [String] = []
    /// The build id a build would record; nil when unknown.
    public var buildID: ObjectID?
    /// The lock a build would write differs from the one there (or there is none).
    public var lockWouldChange: Bool
    public var lockPath: String
    /// A `run:` step would run first: the steps after it are counted as if its output changed.
    public var unknown: Bool
    /// The manifest a build would record (nil when unknown).
    public var manifest: JSON?
    public var upToDate: Bool { steps.isEmpty && shards.isEmpty && removed.isEmpty && !lockWouldChange && !unknown }

    /// Plans a build without writing anything, and explains each step that would run.
    ///
    /// `userCode` false leaves `run:` steps unrun (see `Builder.Options.dryRunUserCode`).
    public static func make(workspace: Workspace, specPath: String, jobs: Int = 0, userCode: Bool = true,
                            allowedOutside: [String] = [], remoteSteps: (any RemoteStepLookup)? = nil) throws -> BuildPlan {
        let recorder = BuildRecorder(workspace: workspace, specPath: specPath, allowedOutside: allowedOutside)
        let scratch = try workspace.scratch()
        var options = Builder.Options(jobs: jobs, dryRun: true)
        options.dryRunUserCode = userCode
        options.remoteSteps = remoteSteps
        options.versionOverrides = Builder.Options.environmentOverrides()
        let prepared = try recorder.prepare(options, in: scratch)
        let result = prepared.result
        let previous = try RecordedBuild.fromLock(workspace, lockPath: recorder.lockPath)
        let lockBytes = try FileIO.readFileIfExists(workspace.absolute(recorder.lockPath))
        var plan = BuildPlan(steps: reasons(result.trace, spec: prepared.spec, previous: previous),
                             reused: result.trace.filter { !$0.ran }.count, shards: [], buildID: prepared.buildID,
                             lockWouldChange: prepared.lockBytes == nil || prepared.lockBytes != lockBytes,
                             lockPath: recorder.lockPath, unknown: result.manifest == nil,
                             manifest: result.manifest?.json)
        if let manifest = result.manifest {
            let diff = try OutputFolder(workspace: scratch, path: prepared.outputPath)
                .differences(manifest, info: OutputFolder.info(prepared.spec))
            plan.shards = diff.write
            plan.removed = diff.remove
            let byFile = Dictionary(manifest.shards.map { ($0.file, $0.id) }, uniquingKeysWith: { a, _ in a })
                .merging(manifest.files, uniquingKeysWith: { a, _ in a })
            plan.restored = diff.write.filter { byFile[$0].map(workspace.store.contains) ?? false }
        } else {
            plan.shards = result.unknownShards.sorted { FileIO.bytewiseLess($0, $1) }
        }
        return plan
    }

    /// Why each step that ran, ran: against the same step of the last build.
    static func reasons(_ trace: [TraceEntry], spec: Spec, previous: RecordedBuild?) -> [Redo] {
        var before: [String: RecordedBuild.Step] = [:]
        var producedBy: [String: String] = [:]
        for s in previous?.steps ?? [] {
            before["\(s.op) \(s.partition)"] = s
            producedBy[s.result] = s.op
        }
        let inputNames = Dictionary((previous?.inputs ?? [:]).map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let partitionNames = previous?.partitionObjects ?? [:]
        let sourcePaths = Dictionary(spec.sources.map { ($0.name, $0.path) },
                                     uniquingKeysWith: { a, _ in a })
        var redo: [Redo] = []
        for t in trace where t.ran {
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
                    } else if old.inputs.count != t.inputs.count {
                        reason = "its inputs changed"
                    } else {
                        reason = "its cached result is not in the store"
                    }
                }
            } else {
                reason = previous == nil ? "no build yet" : "not in the last build"
            }
            redo.append(Redo(op: t.op, partition: t.partition, reason: reason))
        }
        return redo
    }
}
