import Glibc
import SDSCore
import SDSSensors
import SDSStore

/// `sds verify VERSION`: rebuilds a recorded build from the store alone and compares shards.
///
/// The spec and the inputs are copied (hash-checked) from the store into a fresh temporary
/// workspace with an empty store and step cache, so every step runs again; the rebuilt
/// shard ids (SHA-256 of every byte) are compared with the recorded ones. A build recorded
/// with other operator versions than this binary's cannot be reproduced by it, and the
/// outcome says so instead of rebuilding.
public struct Verifier {
    public struct Outcome: Sendable {
        /// Operators whose recorded version differs from this binary's: (name, recorded, here).
        public var operatorMismatches: [(op: String, recorded: Int?, current: Int?)] = []
        public var shards = 0
        public var identical = 0
        /// The first shard (manifest order) whose bytes differ, and the first step that diverged.
        public var firstDifference: (file: String, step: String?)?
        public var reproduced: Bool { operatorMismatches.isEmpty && firstDifference == nil && identical == shards }
    }

    /// Pipeline order of the operators, for naming the first step that diverged.
    static let order = [
                        // Transforms (`frame.NAME#N`) rank after the merge, by N.
                        TableReader.name, TableContracts.name, FrameMerge.name, PartitionStatistics.name, Windowing.name, WindowLabelJoin.name,
                        AttributeJoin.name, WindowFilter.name, WindowCaption.name,
                        RecordChunk.operatorName, ShardAssembly.operatorName, ArrayRecordShard.operatorName]

    /// A step's place in pipeline order, for finding the first one that diverged.
    static func rank(_ op: String) -> Double {
        if let i = order.firstIndex(of: op) { return Double(i) }
        if let hash = op.lastIndex(of: "#"), let n = Int(op[op.index(after: hash)...]), let merge = order.firstIndex(of: FrameMerge.name) {
            return Double(merge) + Double(n) / 10_000
        }
        return 999
    }

    let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    public func run(_ build: RecordedBuild, jobs: Int = 0) throws -> Outcome {
        var outcome = Outcome()
        let recorded = (build.json["code"]?["operators"]?.object ?? [:]).compactMapValues(\.int)
        // A build of the removed wearable engine (before sds 0.1.0) differs in every operator.
        var here = FrameSpec.versions
        // Recorded only by builds that write ArrayRecord shards.
        if recorded[ArrayRecordShard.operatorName] != nil { here[ArrayRecordShard.operatorName] = ArrayRecordShard.operatorVersion }
        // Recorded only by builds whose sources have contracts.
        if recorded[TableContracts.name] != nil { here[TableContracts.name] = TableContracts.version }
        for op in Set(recorded.keys).union(here.keys).sorted() where recorded[op] != here[op] {
            outcome.operatorMismatches.append((op, recorded[op], here[op]))
        }
        if !outcome.operatorMismatches.isEmpty { return outcome }

        guard let specID = build.json["spec"]?.string.flatMap({ ObjectID(hex: $0) }) else {
            throw SDSError(.badData, "build \(build.id.short) names no spec")
        }
        let inputs = build.inputs.compactMapValues { ObjectID(hex: $0) }
        let absent = ([specID] + inputs.values).filter { !workspace.store.contains($0) }
        if !absent.isEmpty {
            throw VersionCheckout(workspace: workspace, force: false).missing(Array(Set(absent)).sorted())
        }

        let root = try FileIO.makeTempFolder("verify")
        defer { try? FileIO.removeTree(root) }
        let (temp, _) = try Workspace.initialize(at: root)
        // Inputs may lie above the spec's folder (`../../shared/x.csv`): the spec goes that many
        // folders deep, so every input lands inside the temporary workspace.
        let codePaths = (build.json["code"]?["run_steps"]?.object ?? [:]).values.flatMap { ($0["files"]?.object ?? [:]).keys }
        let output = (try? Spec.parse(String(decoding: try workspace.store.read(specID), as: UTF8.self)))?.outputDirectory ?? ""
        let depth = (inputs.keys + codePaths + [output]).map(Self.levelsUp).max() ?? 0
        let specDir = Array(repeating: "spec", count: depth).joined(separator: "/")
        let base = specDir.isEmpty ? root : root + "/" + specDir
        try FileIO.makeDirectories(base)
        try FileIO.writeFileAtomically(base + "/" + Spec.fileName, try workspace.store.read(specID))
        for (path, id) in inputs {
            let dest = base + "/" + path
            try FileIO.makeDirectories(FileIO.parentDirectory(dest))
            let fd = try FileIO.open(dest, O_WRONLY | O_CREAT | O_EXCL, mode: 0o644)
            defer { close(fd) }
            try workspace.store.copy(id, to: fd, path: dest)
        }
        // The code of run steps, as it was when the build ran (a file or a folder).
        for (_, step) in build.json["code"]?["run_steps"]?.object ?? [:] {
            for (path, v) in step["files"]?.object ?? [:] {
                guard let id = v.string.flatMap({ ObjectID(hex: $0) }), try FileIO.lstat(base + "/" + path) == nil else { continue }
                let tree = try PathObjects.isTree(id, in: workspace.store)
                let kind: Tree.Kind = tree ? .directory : .file
                try PathObjects.materialize(id, kind: kind, at: base + "/" + path, store: workspace.store)
            }
        }
        let specPath = specDir.isEmpty ? Spec.fileName : specDir + "/" + Spec.fileName
        let rebuilt = try BuildRecorder(workspace: temp, specPath: specPath).build(Builder.Options(jobs: jobs))

        let now = Dictionary(rebuilt.manifest.shards.map { ($0.file, $0.id.hex) }, uniquingKeysWith: { a, _ in a })
        let shards = build.json["shards"]?.array ?? []
        outcome.shards = shards.count
        for s in shards {
            guard let file = s["file"]?.string else { continue }
            if now[file] == s["id"]?.string {
                outcome.identical += 1
            } else if outcome.firstDifference == nil {
                let partitions = s["partitions"]?.array.compactMap(\.string) ?? []
                outcome.firstDifference = (file, Self.divergedStep(build, rebuilt.trace, partitions: partitions))
            }
        }
        if outcome.firstDifference == nil && now.count != shards.count {
            outcome.firstDifference = (now.keys.sorted().first { k in !shards.contains { $0["file"]?.string == k } } ?? "?", nil)
        }
        return outcome
    }

    /// How many folders above its start a relative path reaches (`../../a/../b` reaches 2).
    static func levelsUp(_ path: String) -> Int {
        var depth = 0, deepest = 0
        for c in path.split(separator: "/") where c != "." {
            depth += c == ".." ? -1 : 1
            deepest = min(deepest, depth)
        }
        return -deepest
    }

    /// The first step, in pipeline order, whose result differs from the recorded one.
    static func divergedStep(_ build: RecordedBuild, _ trace: [TraceEntry], partitions: [String]) -> String? {
        var recorded: [String: RecordedBuild.Step] = [:]
        for s in build.steps { recorded[s.op + " " + s.partition] = s }
        let relevant = trace.filter {
            partitions.contains($0.partition) || [TableReader.name, TableContracts.name, ShardAssembly.operatorName, ArrayRecordShard.operatorName].contains($0.op)
        }
        let sorted = relevant.sorted { (Self.rank($0.op), $0.partition) < (Self.rank($1.op), $1.partition) }
        for t in sorted {
            guard let r = recorded[t.op + " " + t.partition] else { return "\(t.op) \(t.partition) (not in the recorded build)" }
            if r.result != t.result.hex { return "\(t.op) \(t.partition)" + (r.key == t.key.hex ? " (same key, different result)" : " (its inputs differ)") }
        }
        return nil
    }
}
