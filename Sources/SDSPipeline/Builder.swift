import Glibc
import SDSCore
import SDSSensors
import SDSStore

/// `sds build`: plans the steps of every partition, reuses each step whose key is known,
/// runs the rest on all cores, assembles shards, and records the build.
public struct Builder {
    public struct Options: Sendable {
        public var jobs: Int
        public var dryRun: Bool
        /// A dry run runs `run:` steps (in their temp folders) to know exactly what follows them;
        /// false leaves them, and what depends on them, unknown (quick, for `sds status`).
        public var dryRunUserCode = true
        /// Operator versions to use instead of the built-in ones (tests simulate a version bump).
        package var versionOverrides: [String: Int] = [:]
        /// Called after each partition's chain with (done, total, input bytes); total is 0
        /// while the partitions are still being read. From any thread.
        public var progress: (@Sendable (Int, Int, Int64) -> Void)?
        /// Refuse to build when declared code of a run step has uncommitted changes.
        public var requireClean = false
        /// Fail on the first bad row instead of setting bad rows aside.
        public var strict = false
        /// Called with each warning (undeclared imports, dirty code) as it is found.
        public var warn: @Sendable (String) -> Void = { _ in }
        /// A shared step cache on a remote, asked before a step whose key is not cached runs.
        public var remoteSteps: (any RemoteStepLookup)?

        /// The worker threads to use: `jobs`, or every online core when it is 0.
        public var threads: Int { jobs > 0 ? jobs : onlineCores }

        public init(jobs: Int = 0, dryRun: Bool = false) {
            self.jobs = jobs
            self.dryRun = dryRun
        }

        /// Tests simulate an operator version bump with `SDS_OPERATOR_VERSIONS=op=N,op=N` (not for
        /// users: the manifest records the versions used, so 'sds verify' then reports the difference).
        /// Builds and dry runs both read it, so a plan sees the versions the build will use.
        package static func environmentOverrides() -> [String: Int] {
            guard let text = getenv("SDS_OPERATOR_VERSIONS").map({ String(cString: $0) }) else { return [:] }
            var out: [String: Int] = [:]
            for pair in text.split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                if kv.count == 2, let n = Int(kv[1]) { out[String(kv[0])] = n }
            }
            return out
        }
    }

    /// One shard of the output.
    public struct Shard: Sendable, Equatable {
        public var split: String
        public var index: Int
        public var count: Int
        public var file: String
        public var id: ObjectID
        public var examples: Int
        public var exampleBytes: Int
        /// Entities whose examples the shard holds, in order.
        public var partitions: [String]
    }

    /// Where one partition's data came from, for lineage.
    public struct PartitionSource: Sendable, Equatable {
        public var source: String
        /// The partition object (this entity's rows of the input).
        public var partition: ObjectID
        public var input: ObjectID
        public var firstLine: Int
        public var lastLine: Int
    }

    public struct Result: Sendable {
        /// nil only for a dry run before a `run:` step it would run (the rest is unknown then).
        public var manifest: Manifest?
        public var trace: [TraceEntry]
        /// Dry run before such a step: shard files whose content is unknown.
        public var unknownShards: [String] = []
        /// Code files of run steps with uncommitted changes (recorded beside the build).
        public var dirtyCode: [String] = []
    }

    let workspace: Workspace
    let spec: Spec
    let specBytes: [UInt8]
    /// Folder of sds.yaml, relative to the workspace root ("" at the root).
    let specDirectory: String

    public init(workspace: Workspace, spec: Spec, specBytes: [UInt8], specDirectory: String) {
        self.workspace = workspace
        self.spec = spec
        self.specBytes = specBytes
        self.specDirectory = specDirectory
    }

    func rel(_ path: String) -> String { SpecPaths.rel(path, specDirectory: specDirectory, root: workspace.root) }

    public func run(_ options: Options) throws -> Result {
        try InputHeaderCheck(workspace: workspace, specDirectory: specDirectory).check(spec, warn: options.warn)
        // Inputs read by this build, recorded in the index once their objects are durable.
        var read: [(path: String, stat: FileStat, id: ObjectID)] = []
        // A dry run stores nothing it read: its objects are the scratch store's, gone after.
        let record = !options.dryRun
        do {
            let result = try runSteps(options, read: &read)
            try workspace.store.syncPendingDirectories()
            if record { try Scanner(workspace: workspace, mode: .store).record(read) }
            return result
        } catch {
            // Finished results stay useful to the next build, whatever stopped this one.
            if record, (try? workspace.store.syncPendingDirectories()) != nil {
                try? Scanner(workspace: workspace, mode: .store).record(read)
            } else {
                workspace.store.discardStaged()
            }
            throw error
        }
    }

    private func runSteps(_ options: Options, read: inout [(path: String, stat: FileStat, id: ObjectID)]) throws -> Result {
        guard let frames = spec.frames else {
            throw SDSError(.internal, "a spec without studies reached the builder")
        }
        return try FrameBuilder(workspace: workspace, spec: spec, frames: frames, specBytes: specBytes,
                                specDirectory: specDirectory).run(options, read: &read)
    }
}
