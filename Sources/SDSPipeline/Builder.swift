import Dispatch
import Glibc
import SDSCore
import SDSSensors
import SDSStore
import Synchronization

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
        /// Called after each subject's chain with (done, total, input bytes); total is 0
        /// while the subjects are still being read. From any thread.
        public var progress: (@Sendable (Int, Int, Int64) -> Void)?
        /// Refuse to build when declared code of a run step has uncommitted changes.
        public var requireClean = false
        /// Fail on the first bad row instead of setting bad rows aside (general pipeline).
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
        if let frames = spec.frames {
            return try FrameBuilder(workspace: workspace, spec: spec, frames: frames, specBytes: specBytes,
                                    specDirectory: specDirectory).run(options, read: &read)
        }
        let ops = try WearableOperators(spec: spec)
        let runner = try StepRunner(workspace: workspace, dryRun: options.dryRun, userCode: options.dryRunUserCode,
                                    remoteSteps: options.remoteSteps)
        let store = workspace.store
        // User commands first: their outputs are inputs of the sources and labels that name them.
        let userSteps = try RunSteps(workspace: workspace, spec: spec, specDirectory: specDirectory, runner: runner,
                                     jobs: options.threads, requireClean: options.requireClean, warn: options.warn).run()

        // Inputs are stored like 'sds add' stores them, so a build can always be verified later.
        // A new or changed input is copied into the store and parsed in the same read; a known
        // one is parsed from the store only if its read step is not cached. A dry run stores
        // and reads inputs too: the plan needs their partitions.
        let primary = (path: spec.sources[0].path, source: spec.sources[0].name, schema: ops.hrSchema)
        let secondary: [(path: String, source: String, schema: LongCSVSchema)] =
            [(spec.sources[1].path, spec.sources[1].name, ops.stepsSchema)]
            + spec.labels.prefix(1).map { ($0.path, $0.name, ops.labelSchema!) }
        var inputBytes: Int64 = 0
        for p in [primary.path] + secondary.map(\.path) where Spec.stepReference(p) == nil {
            guard let st = try FileIO.lstat(workspace.absolute(rel(p))) else {
                throw SDSError(.notFound, "input '\(rel(p))' named in \(Spec.fileName) does not exist",
                               hint: "fix the path in \(Spec.fileName), or 'sds checkout' the data")
            }
            guard st.kind == .file else { throw SDSError(.usage, "input '\(rel(p))' must be a file, not a folder") }
            inputBytes += st.size
        }
        var inputs: [String: ObjectID] = userSteps.inputs
        let specID = try store.put(specBytes)
        // What the file-state cache knows, asked here: the index connection stays on this thread.
        // A run step's output is already in the store (a placeholder in a dry run that would
        // run the step: then the partitions that read it are unknown).
        let scanner = Scanner(workspace: workspace, mode: .store)
        let known = try Dictionary(([primary.path] + secondary.map(\.path)).map { p in
            (p, try Spec.stepReference(p) == nil ? scanner.knownFile(rel(p)) : userSteps.output(p, runner: runner))
        }, uniquingKeysWith: { a, _ in a })
        let resolver = InputResolver(
            store: store, root: workspace.root, runner: runner, reader: PartitionReader(store: store, jobs: options.threads),
            readVersion: options.versionOverrides[LongCSVReader.operatorName] ?? LongCSVReader.operatorVersion,
            specDirectory: specDirectory)

        // Per-subject chains, in parallel; a subject is the unit of locality. When the primary
        // input is parsed now, each chain starts as soon as its subject's partition is stored.
        let chain = SubjectChain(runner: runner, store: store, ops: ops, versionOverrides: options.versionOverrides,
                                 sourceNames: [spec.sources[0].name, spec.sources[1].name] + spec.labels.prefix(1).map(\.name))
        let progress = options.progress
        let total = Atomic<Int>(0)
        let pool = ChainPool(chain: chain, runner: runner, serial: options.jobs == 1, limit: options.threads * 2) { [inputBytes] done in
            progress?(done, total.load(ordering: .relaxed), inputBytes)
        }
        // The other sources are read beside the primary one (one after the other with
        // --jobs 1); chains wait for them. Read steps run in a dry run too, so partitions
        // are always known here.
        let readOthers: @Sendable () throws -> [InputResolver.Resolved] = {
            do {
                let others = try secondary.map { try resolver.resolve($0.path, known: known[$0.path] ?? nil, source: $0.source, schema: $0.schema) }
                pool.start(.init(steps: others[0].partitions.mapValues(\.0),
                                 labels: others.count > 1 ? others[1].partitions.mapValues(\.0) : [:]))
                return others
            } catch {
                pool.cancel()
                throw error
            }
        }
        let othersResult = Mutex<Swift.Result<[InputResolver.Resolved], Error>?>(nil)
        let othersDone = DispatchGroup()
        if options.jobs == 1 {
            othersResult.withLock { $0 = Swift.Result { try readOthers() } }
        } else {
            // Its own thread: reading blocks, and blocked workers of the shared pool starve others.
            DispatchQueue(label: "sds.build.others").async(group: othersDone) {
                let r = Swift.Result { try readOthers() }
                othersResult.withLock { $0 = r }
            }
        }
        let primaryResult = Swift.Result {
            try resolver.resolve(primary.path, known: known[primary.path] ?? nil, source: primary.source, schema: primary.schema) { entity, id, partition in
                pool.submit(entity, hr: id, partition: partition)
            }
        }
        othersDone.wait()
        if case .failure = primaryResult {
            // No chain may still be writing when the error leaves this build.
            pool.cancel()
            _ = pool.finish()
        }
        // The other sources' errors first, as when they were read first.
        let others = try othersResult.withLock { $0! }.get()
        let hr = try primaryResult.get()
        for (input, (path, _, _)) in zip([hr] + others, [primary] + secondary) where Spec.stepReference(path) == nil {
            inputs[SpecPaths.recorded(path, root: workspace.root)] = input.id
            SpecPaths.warnIfOutside(path, root: workspace.root, warn: options.warn)
            if let r = input.read { read.append(r) }
        }
        let hrParts = hr.partitions, stepParts = others[0].partitions
        let labelParts = others.count > 1 ? others[1].partitions : [:]
        let entities = hrParts.keys.sorted { FileIO.bytewiseLess($0, $1) }
        total.store(entities.count, ordering: .relaxed)
        for e in entities { pool.submit(e, hr: hrParts[e]!.0) }
        let outcome = pool.finish()
        // The first failure in entity order, so the message does not depend on thread timing.
        if let first = entities.first(where: { outcome.failures[$0] != nil }) { throw outcome.failures[first]! }
        let chunkIDs = outcome.chunks

        let assembled = try ShardAssembler(
            runner: runner, store: store, splits: ops.splits, datasetName: spec.dataset.name,
            version: options.versionOverrides[ShardAssembly.operatorName] ?? ShardAssembly.operatorVersion,
            jobs: options.jobs == 1 ? 1 : options.threads, formats: spec.output
        ).assemble(entities: entities, chunkIDs: chunkIDs)
        let shards = assembled.shards
        if runner.hasPlaceholders {
            // A dry run before a run step: what depends on its output is unknown.
            let unknown = runner.isPlaceholder(hr.id) ? assembled.shards.map(\.file) + assembled.toRewrite : assembled.toRewrite
            return Result(manifest: nil, trace: runner.trace, unknownShards: unknown, dirtyCode: userSteps.dirtyFiles)
        }

        var lineage: [String: [PartitionSource]] = [:]
        for e in entities {
            lineage[e] = [hrParts[e]?.1, stepParts[e]?.1, labelParts[e]?.1].compactMap { $0 }
        }
        var manifest = Manifest(
            dataset: spec.dataset, specID: specID, inputs: inputs, shards: shards, lineage: lineage,
            steps: runner.trace,
            operators: ArrayRecordShard.versions(spec.output).merging(WearableOperators.versions) { $1 }.merging(options.versionOverrides) { $1 },
            runSteps: spec.runSteps.isEmpty ? nil : .object(userSteps.code),
            statistics: DatasetStatistics.combine(assembled.statistics, channelNames: ops.windows.channelNames))
        manifest.report = try report(trace: runner.trace, shards: shards, splits: ops.splits)
        return Result(manifest: manifest, trace: runner.trace, dirtyCode: userSteps.dirtyFiles)
    }

    /// The wearable pipeline's report: one study named after the dataset, summed from each
    /// subject's window-counts step in entity order.
    private func report(trace: [TraceEntry], shards: [Shard], splits: SplitParameters) throws -> BuildReport {
        var study = BuildReport.Study(name: spec.dataset.name)
        let names = [spec.sources[0].name, spec.sources[1].name] + spec.labels.prefix(1).map(\.name)
        var rows: [String: Int] = [:], setAside: [String: Int] = [:]
        var dropped = 0
        for e in trace where e.op == WindowCounts.wearableName {
            let c = try WindowCounts(decoding: try workspace.store.read(e.result))
            study.windows += c.windows
            dropped += c.dropped.reduce(0, +)
            rows.merge(c.rows, uniquingKeysWith: +)
            setAside.merge(c.setAside, uniquingKeysWith: +)
        }
        study.sources = names.map { BuildReport.Source(name: $0, rows: rows[$0] ?? 0, setAside: setAside[$0] ?? 0) }
        study.filters = [BuildReport.Filter(name: "min_coverage \(spec.windows.coverageChannel) \(spec.windows.minCoverageMinutes) minutes",
                                            dropped: dropped)]
        var report = BuildReport()
        report.splits = BuildReport.splits(shards: shards, splits)
        study.splits = report.splits
        report.studies = [study]
        return report
    }
}
