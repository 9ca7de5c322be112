import Glibc
import SDSCore
import SDSSensors
import SDSStore

/// What `sds diff` compares of one version, read from metadata only (the manifest and
/// the sizes of stored inputs); for `workspace`, from the work tree and a dry-run plan.
public struct VersionSnapshot {
    public struct Input: Sendable, Equatable {
        public var id: String
        public var size: Int64?
        /// Data lines (the header excluded), when known.
        public var rows: Int?
    }

    public struct Shard: Sendable, Equatable {
        public var file: String
        public var split: String
        public var id: String
        public var examples: Int
        public var partitions: [String]
        /// The shard's number in its split: with two formats, two files share it (and their examples).
        public var index: Int?
    }

    public var name: String
    public var build: RecordedBuild?
    public var inputs: [String: Input] = [:]
    public var specText: String?
    public var sdsVersion = SDSVersion.current
    public var operators: [String: Int] = [:]
    /// nil for the work tree (only recorded builds are compared by commit).
    public var gitCommit: String?
    /// "op partition" → step key; nil when not built.
    public var steps: [String: String]?
    /// The dry-run plan of an unbuilt work tree.
    public var plan: BuildPlan?
    /// nil when not built.
    public var shards: [Shard]?
    public var statistics: JSON?
    /// Code files of run steps: "STEP PATH" → content id.
    public var codeFiles: [String: String] = [:]
    /// Work-tree inputs: spec path → absolute file path (to count rows of changed files).
    var localFiles: [String: String] = [:]

    /// The snapshot of a recorded build.
    public init(_ version: ResolvedVersion, workspace: Workspace, specPath: String) throws {
        if let b = version.build {
            self = try VersionSnapshot(build: b, workspace: workspace, name: version.name)
        } else {
            self = try VersionSnapshot.workTree(workspace: workspace, specPath: specPath, name: version.name)
        }
    }

    init(name: String) { self.name = name }

    public init(build b: RecordedBuild, workspace: Workspace, name: String) throws {
        self.name = name
        build = b
        let json = b.json
        var rows: [String: Int] = [:]
        for (_, sources) in json["partitions"]?.object ?? [:] {
            for s in sources.array {
                if let input = s["input"]?.string, let last = s["last_line"]?.int { rows[input] = max(rows[input] ?? 0, last - 1) }
            }
        }
        for (path, id) in b.inputs {
            let size = ObjectID(hex: id).flatMap { try? FileIO.lstat(workspace.store.path(of: $0))?.size }
            inputs[path] = Input(id: id, size: size, rows: rows[id])
        }
        if let spec = json["spec"]?.string.flatMap({ ObjectID(hex: $0) }), let bytes = try? workspace.store.read(spec) {
            specText = String(decoding: bytes, as: UTF8.self)
        }
        let code = json["code"]
        sdsVersion = code?["sds"]?.string ?? "?"
        operators = (code?["operators"]?.object ?? [:]).compactMapValues(\.int)
        // The commit is recorded beside the build (the index), not in it.
        gitCommit = (try? workspace.index().builds())?.first { $0.id == b.id }?.gitCommit
        for (step, s) in code?["run_steps"]?.object ?? [:] {
            for (path, id) in s["files"]?.object ?? [:] { codeFiles[step + " " + path] = id.string ?? "" }
        }
        var steps: [String: String] = [:]
        for s in json["steps"]?.array ?? [] {
            if let op = s["op"]?.string, let p = s["partition"]?.string, let k = s["key"]?.string { steps[op + " " + p] = k }
        }
        self.steps = steps
        shards = json["shards"]?.array.map { s in
            Shard(file: s["file"]?.string ?? "?", split: s["split"]?.string ?? "?", id: s["id"]?.string ?? "",
                  examples: s["examples"]?.int ?? 0, partitions: s["partitions"]?.array.compactMap(\.string) ?? [],
                  index: s["index"]?.int)
        }
        statistics = json["statistics"]
    }

    /// The work tree: the build it would make, as a dry run computes it (the last build when
    /// that is up to date), with the plan of what a build would redo. Before a `run:` step
    /// a dry run does not run, the build is unknown: then its inputs, spec and this binary's code.
    static func workTree(workspace: Workspace, specPath: String, name: String) throws -> VersionSnapshot {
        let lockPath = BuildRecorder(workspace: workspace, specPath: specPath).lockPath
        let plan = try BuildPlan.make(workspace: workspace, specPath: specPath)
        let last = try RecordedBuild.fromLock(workspace, lockPath: lockPath)
        if plan.upToDate, let last {
            var s = try VersionSnapshot(build: last, workspace: workspace, name: name)
            s.gitCommit = nil
            return s
        }
        let bytes = try FileIO.readFile(workspace.absolute(specPath))
        let text = String(decoding: bytes, as: UTF8.self)
        if let id = plan.buildID, let manifest = plan.manifest {
            var s = try VersionSnapshot(build: RecordedBuild(id: id, json: manifest), workspace: workspace, name: name)
            s.build = nil
            s.gitCommit = nil
            s.specText = text
            s.plan = plan
            return s
        }
        var s = VersionSnapshot(name: name)
        s.plan = plan
        s.specText = text
        let spec = try Spec.parse(text, file: specPath)
        let dir = specPath.contains("/") ? FileIO.parentDirectory(specPath) + "/" : ""
        let scanner = Scanner(workspace: workspace, mode: .hashOnly)
        let runInputs = spec.runSteps.flatMap { $0.inputs.map(\.path) }.filter { Spec.stepReference($0) == nil }
        for p in spec.sources.map(\.path) + runInputs {
            guard let snap = try scanner.scan(dir + p) else { continue }
            s.inputs[p] = Input(id: snap.id.hex, size: snap.size, rows: nil)
            s.localFiles[p] = workspace.absolute(dir + p)
        }
        s.operators = ArrayRecordShard.versions(spec.output).merging(FrameSpec.versions) { $1 }
        for step in spec.runSteps {
            for p in step.code { if let snap = try scanner.scan(dir + p) { s.codeFiles[step.name + " " + p] = snap.id.hex } }
        }
        return s
    }

    /// Counts the data lines of a work-tree file (lines after the header), streaming.
    static func countRows(_ path: String) -> Int? {
        guard let fd = try? FileIO.open(path, O_RDONLY) else { return nil }
        defer { close(fd) }
        let size = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        var lines = 0, last: UInt8 = 10
        while let n = try? FileIO.read(fd, buffer, size, path: path), n > 0 {
            let bytes = UnsafeRawBufferPointer(start: buffer, count: n)
            for b in bytes where b == 10 { lines += 1 }
            last = bytes[n - 1]
        }
        if last != 10 { lines += 1 }
        return max(0, lines - 1)
    }
}
