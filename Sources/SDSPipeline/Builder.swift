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
        /// Operator versions to use instead of the built-in ones (tests simulate a version bump).
        package var versionOverrides: [String: Int] = [:]
        /// Called after each partition with (done, total, input bytes); from any thread.
        public var progress: (@Sendable (Int, Int, Int64) -> Void)?

        /// The worker threads to use: `jobs`, or every online core when it is 0.
        public var threads: Int { jobs > 0 ? jobs : max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

        public init(jobs: Int = 0, dryRun: Bool = false) {
            self.jobs = jobs
            self.dryRun = dryRun
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
        /// nil for a dry run.
        public var manifest: Manifest?
        public var trace: [TraceEntry]
        /// Dry run: shard files that would be rewritten.
        public var shardsToRewrite: [String] = []
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

    func rel(_ path: String) -> String { specDirectory.isEmpty ? path : specDirectory + "/" + path }

    public func run(_ options: Options) throws -> Result {
        let ops = try WearableOperators(spec: spec)
        let runner = try StepRunner(workspace: workspace, dryRun: options.dryRun)
        let store = workspace.store

        // Inputs are stored like 'sds add' stores them, so a build can always be verified later.
        var inputs: [String: ObjectID] = [:]
        // A dry run stores and reads inputs too: the plan needs their partitions.
        let scanner = Scanner(workspace: workspace, mode: .store)
        let inputPaths = spec.sources.map(\.path) + spec.labels.map(\.path)
        for p in inputPaths {
            guard let snap = try scanner.scan(rel(p)) else {
                throw SDSError(.notFound, "input '\(rel(p))' named in \(Spec.fileName) does not exist",
                               hint: "fix the path in \(Spec.fileName), or 'sds checkout' the data")
            }
            guard snap.kind == .file else { throw SDSError(.usage, "input '\(rel(p))' must be a file, not a folder") }
            inputs[p] = snap.id
        }
        let specID = try store.put(specBytes)

        // Read and partition each input file (one step per file).
        func partitions(_ path: String, _ source: String, _ schema: LongCSVSchema) throws -> [String: (ObjectID, PartitionSource)] {
            let input = inputs[path]!
            let result = try runner.run(op: LongCSVReader.operatorName,
                                        version: options.versionOverrides[LongCSVReader.operatorName] ?? LongCSVReader.operatorVersion,
                                        params: StepCodec.params(schema.encoded()), inputs: [input], partition: source,
                                        evenInDryRun: true) {
                let parts = try PartitionReader(store: store, jobs: options.threads)
                    .read(input, file: rel(path), schema: schema)
                var index: [JSON] = []
                for p in parts {
                    index.append(.object(["entity": .string(p.entity), "id": .string(p.id.hex),
                                          "first_line": .int(Int64(p.firstLine)), "last_line": .int(Int64(p.lastLine))]))
                }
                return JSON.array(index).canonical()
            }
            guard case .array(let items) = try JSONReader.parse(try store.read(result)) else {
                throw SDSError(.badData, "partition index \(result.hex) is malformed")
            }
            var out: [String: (ObjectID, PartitionSource)] = [:]
            for case .object(let o) in items {
                guard case .string(let e)? = o["entity"], case .string(let h)? = o["id"], let id = ObjectID(hex: h),
                      case .int(let a)? = o["first_line"], case .int(let b)? = o["last_line"] else {
                    throw SDSError(.badData, "partition index \(result.hex) is malformed")
                }
                out[e] = (id, PartitionSource(source: source, partition: id, input: input, firstLine: Int(a), lastLine: Int(b)))
            }
            return out
        }
        // Read steps run in a dry run too, so partitions are always known here.
        let hrParts = try partitions(spec.sources[0].path, spec.sources[0].name, ops.hrSchema)
        let stepParts = try partitions(spec.sources[1].path, spec.sources[1].name, ops.stepsSchema)
        let labelParts = try spec.labels.first.map { try partitions($0.path, $0.name, ops.labelSchema!) } ?? [:]

        // Per-subject chains, in parallel; a subject is the unit of locality.
        let entities = hrParts.keys.sorted { FileIO.bytewiseLess($0, $1) }
        let chunks = Mutex<[String: ObjectID]>([:])
        let failures = Mutex<[String: Error]>([:])
        let chain = SubjectChain(runner: runner, store: store, ops: ops, versionOverrides: options.versionOverrides)
        let done = Atomic<Int>(0)
        let inputBytes = try inputs.values.reduce(Int64(0)) { try $0 + (FileIO.lstat(store.path(of: $1))?.size ?? 0) }
        let progress = options.progress
        let work: @Sendable (Int) -> Void = { i in
            let e = entities[i]
            do {
                let id = try chain.run(entity: e, hr: hrParts[e]!.0, steps: stepParts[e]?.0, labels: labelParts[e]?.0)
                chunks.withLock { $0[e] = id }
            } catch { failures.withLock { $0[e] = error } }
            progress?(done.add(1, ordering: .relaxed).newValue, entities.count, inputBytes)
        }
        if options.jobs == 1 {
            for i in entities.indices { work(i) }
        } else {
            DispatchQueue.concurrentPerform(iterations: entities.count, execute: work)
        }
        // The first failure in entity order, so the message does not depend on thread timing.
        if let first = failures.withLock({ f in entities.first { f[$0] != nil }.map { f[$0]! } }) { throw first }
        let chunkIDs = chunks.withLock { $0 }

        // Shards: a subject's examples all go to one shard of its split, subjects in entity order.
        struct Slot: Hashable { var split: Int, index: Int }
        var members: [Slot: [String]] = [:]
        for e in entities {
            let a = SplitAssigner.assign(entity: e, ops.splits)
            members[Slot(split: a.splitIndex, index: a.shard), default: []].append(e)
        }
        let slots = ops.splits.rules.indices.flatMap { s in (0..<ops.splits.rules[s].shardCount).map { Slot(split: s, index: $0) } }
        var shards: [Shard] = []
        var shardsToRewrite: [String] = []
        var statistics: [(split: String, entity: String, stats: ChunkStatistics)] = []
        for slot in slots {
            let rule = ops.splits.rules[slot.split]
            let subjects = members[slot] ?? []
            let file = "\(spec.dataset.name)-\(rule.name).tfrecord-\(pad5(slot.index))-of-\(pad5(rule.shardCount))"
            if subjects.contains(where: { runner.isPlaceholder(chunkIDs[$0]!) }) {
                shardsToRewrite.append(file)
                continue
            }
            let subjectChunks = try subjects.map { e in (e, try RecordChunk(decoding: try store.read(chunkIDs[e]!))) }
            let nonEmpty = subjectChunks.filter { $0.1.count > 0 }
            statistics += nonEmpty.map { (rule.name, $0.0, $0.1.statistics) }
            let id = try runner.run(op: ShardAssembly.operatorName,
                                    version: options.versionOverrides[ShardAssembly.operatorName] ?? ShardAssembly.operatorVersion,
                                    params: .null, inputs: nonEmpty.map { $0.1.data },
                                    partition: "\(rule.name)-\(slot.index)") {
                var bytes: [UInt8] = []
                for (_, c) in nonEmpty { bytes += try store.read(c.data) }
                return bytes
            }
            shards.append(Shard(split: rule.name, index: slot.index, count: rule.shardCount,
                                file: file,
                                id: id, examples: nonEmpty.reduce(0) { $0 + $1.1.count },
                                exampleBytes: nonEmpty.reduce(0) { $0 + $1.1.exampleBytes },
                                partitions: nonEmpty.map(\.0)))
        }
        if options.dryRun {
            shardsToRewrite += runner.trace.filter { $0.ran && $0.op == ShardAssembly.operatorName }.map(\.partition)
            return Result(manifest: nil, trace: runner.trace, shardsToRewrite: shardsToRewrite)
        }

        var lineage: [String: [PartitionSource]] = [:]
        for e in entities {
            lineage[e] = [hrParts[e]?.1, stepParts[e]?.1, labelParts[e]?.1].compactMap { $0 }
        }
        let git = try? workspace.gitRepository()
        let manifest = Manifest(
            dataset: spec.dataset, specID: specID, inputs: inputs, shards: shards, lineage: lineage,
            steps: runner.trace,
            operators: WearableOperators.versions.merging(options.versionOverrides) { $1 },
            gitCommit: (try? git?.headCommit())??.id, gitDirty: try? git?.isDirty(),
            statistics: DatasetStatistics.combine(statistics, channelNames: ops.windows.channelNames))
        return Result(manifest: manifest, trace: runner.trace)
    }

    private func pad5(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 5 - s.count)) + s
    }
}
