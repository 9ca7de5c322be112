import SDSCore
import SDSSensors
import SDSStore
import Synchronization

/// `sds build` for a spec with `studies:`: reads every source into partitions, runs each
/// study's chain per partition on all cores, caps subjects, assembles shards and the
/// per-partition statistics tables.
struct FrameBuilder {
    let workspace: Workspace
    let spec: Spec
    let frames: FrameSpec
    let specBytes: [UInt8]
    let specDirectory: String

    func rel(_ path: String) -> String { SpecPaths.rel(path, specDirectory: specDirectory, root: workspace.root) }

    /// One source read into partitions (cached like any step).
    struct ReadSource {
        var input: ObjectID
        var partitions: [String: Builder.PartitionSource]
        var quarantine: Quarantine
        /// Rows read into partitions (those set aside are in `quarantine`).
        var rows = 0
    }

    func run(_ options: Builder.Options, read: inout [(path: String, stat: FileStat, id: ObjectID)]) throws -> Builder.Result {
        let runner = try StepRunner(workspace: workspace, dryRun: options.dryRun, userCode: options.dryRunUserCode,
                                    remoteSteps: options.remoteSteps)
        let store = workspace.store
        let userSteps = try RunSteps(workspace: workspace, spec: spec, specDirectory: specDirectory, runner: runner,
                                     jobs: options.threads, requireClean: options.requireClean, warn: options.warn).run()
        var inputs = userSteps.inputs
        let specID = try store.put(specBytes)

        var sources: [String: ReadSource] = [:]
        // The largest input is read last, so the studies that read it can start each
        // partition's chain as soon as the read has stored it (`EarlyChains`).
        let order = try readOrder()
        var early: EarlyChains?
        defer { early?.wait() }
        var contracts: [String: JSON] = [:]
        for s in order {
            var streamed: StreamedSourceRead?
            if !options.dryRun, Spec.stepReference(s.path) == nil {
                if s.name == order.last?.name {
                    early = EarlyChains(source: s.name, plans: earlyPlans(s.name, sources: sources, runner: runner, options: options),
                                        serial: options.jobs == 1, limit: options.threads * 2)
                }
                let chains = early?.isEmpty == false ? early : nil
                streamed = StreamedSourceRead(store: workspace.store, reader: s.reader, file: rel(s.path), strict: options.strict) {
                    chains?.submit($0, $1)
                }
            }
            let id = try input(s, userSteps: userSteps, runner: runner, read: &read, tap: streamed.map { r in { try r.consume($0) } })
            if Spec.stepReference(s.path) == nil {
                inputs[SpecPaths.recorded(s.path, root: workspace.root)] = id
                SpecPaths.warnIfOutside(s.path, root: workspace.root, warn: options.warn)
            }
            sources[s.name] = try readSource(s, input: id, runner: runner, strict: options.strict,
                                             version: options.versionOverrides[TableReader.name] ?? TableReader.version,
                                             streamed: streamed)
            if !runner.isPlaceholder(id) {
                try gate(s, sources[s.name]!)
                if let c = s.contracts {
                    let report = try ContractCheck(store: store, runner: runner).check(
                        c, reader: s.reader, source: s.name, file: rel(s.path), input: id,
                        partitions: Array(sources[s.name]!.partitions.values),
                        version: options.versionOverrides[TableContracts.name] ?? TableContracts.version)
                    try BuildGate.check(contracts: report, source: s.name, file: rel(s.path), warn: options.warn)
                    contracts[s.name] = report.json
                }
            }
        }
        early?.wait()

        var total = StudyOutcome()
        for s in frames.sources { total.quarantine.merge(sources[s.name]!.quarantine) }
        for study in frames.studies {
            try runStudy(study, sources: sources, runner: runner, options: options, early: early, into: &total)
        }
        let entities = total.chunkIDs.keys.sorted { FileIO.bytewiseLess($0, $1) }
        let splits = try spec.splits.parameters()
        let assembled = try ShardAssembler(
            runner: runner, store: store, splits: splits, datasetName: spec.dataset.name,
            version: options.versionOverrides[ShardAssembly.operatorName] ?? ShardAssembly.operatorVersion,
            jobs: options.jobs == 1 ? 1 : options.threads,
            // Study names hold no '/', so the subject is what follows the first one.
            splitKey: { e in e.firstIndex(of: "/").map { String(e[e.index(after: $0)...]) } ?? e },
            formats: spec.output
        ).assemble(entities: entities, chunkIDs: total.chunkIDs, decoded: total.chunks)

        if runner.hasPlaceholders {
            // A dry run before a run step: what depends on its output is unknown; a source
            // that the step would make first leaves every shard unknown.
            var unknown = assembled.toRewrite
            if sources.values.contains(where: { runner.isPlaceholder($0.input) }) { unknown += assembled.shards.map(\.file) }
            return Builder.Result(manifest: nil, trace: runner.trace, unknownShards: unknown, dirtyCode: userSteps.dirtyFiles)
        }
        var manifest = Manifest(
            dataset: spec.dataset, specID: specID, inputs: inputs, shards: assembled.shards, lineage: total.lineage,
            steps: runner.trace, operators: ArrayRecordShard.versions(spec.output).merging(FrameSpec.versions) { $1 }
                .merging(frames.contractVersions) { $1 }.merging(options.versionOverrides) { $1 },
            runSteps: spec.runSteps.isEmpty ? nil : .object(userSteps.code),
            statistics: DatasetStatistics.combine(assembled.statistics, channelNames: []))
        manifest.files = try StatisticsTables(store: store, runner: runner).write(total.tables)
        manifest.quarantine = total.quarantine
        manifest.contracts = contracts
        var report = BuildReport()
        report.studies = total.reports
        report.splits = BuildReport.splits(shards: assembled.shards, splits, subject: Lineage.subject)
        manifest.report = report
        return Builder.Result(manifest: manifest, trace: runner.trace, dirtyCode: userSteps.dirtyFiles)
    }

    /// What the studies add up to: their partitions' record chunks and lineage, statistics
    /// tables and set-aside rows.
    struct StudyOutcome {
        var chunkIDs: [String: ObjectID] = [:]
        /// The chunks read to count examples, handed to shard assembly so it need not read them again.
        var chunks: [String: RecordChunk] = [:]
        var lineage: [String: [Builder.PartitionSource]] = [:]
        var tables: [StatisticsTables.Table] = []
        var quarantine = Quarantine()
        /// Step results whose set-aside rows are counted (a step two studies share counts once).
        var counted = Set<ObjectID>()
        /// Each study's numbers, in spec order (none while a run step's output is unknown).
        var reports: [BuildReport.Study] = []
    }

    /// Runs one study's chain for each of its partitions, on all cores, and adds the results.
    private func runStudy(_ study: FrameSpec.Study, sources: [String: ReadSource], runner: StepRunner,
                          options: Builder.Options, early: EarlyChains?, into total: inout StudyOutcome) throws {
        var keys = Set<String>()
        for s in study.inputs { keys.formUnion(sources[s]!.partitions.keys) }
        let partitions = keys.sorted { FileIO.bytewiseLess($0, $1) }
        let chain = self.chain(study, runner: runner, options: options)
        let work = partitions.map { p in
            (p, study.inputs.map { sources[$0]!.partitions[p]?.partition ?? .empty },
             study.joins.map { sources[$0.source]!.partitions[p]?.partition ?? .empty })
        }
        let done = Atomic<Int>(0), count = partitions.count, progress = options.progress
        let results = try work.parallelMap(jobs: options.threads) { item in
            defer { progress?(done.add(1, ordering: .relaxed).newValue, count, 0) }
            if let run = early?.take(study.name, item.0, inputs: item.1, sides: item.2, runner: runner) { return run }
            return Result { try chain.run(partition: item.0, inputs: item.1, sides: item.2) }
        }
        // Each partition's sources, once each, in study order (inputs, then joins).
        func from(_ p: String) -> [Builder.PartitionSource] {
            var out: [Builder.PartitionSource] = []
            for s in study.inputs + study.joins.map(\.source) where !out.contains(where: { $0.source == s }) {
                if let part = sources[s]!.partitions[p] { out.append(part) }
            }
            return out
        }
        // Frames count lines from their partition's first one; reports count from the file's.
        func lineBases(_ p: String) -> [String: Int] {
            Dictionary(from(p).map { (rel(frames.source($0.source)!.path), max($0.firstLine - 1, 0)) }, uniquingKeysWith: { a, _ in a })
        }
        // The first failure in partition order, so the message does not depend on timing.
        for (p, r) in zip(partitions, results) {
            if case .failure(let e) = r {
                guard var error = e as? SDSError, let path = error.path, let line = error.line, let base = lineBases(p)[path] else { throw e }
                error.line = line + base
                throw error
            }
        }
        let outcomes = results.map { try! $0.get() }
        var counts: [String: Int] = [:]
        for (p, o) in zip(partitions, outcomes) {
            let bases = lineBases(p)
            for (result, rows) in o.quarantine where total.counted.insert(result).inserted { total.quarantine.merge(rows.shifted(bases)) }
            // A dry run's stand-in chunk counts as non-empty: its shard would be rewritten.
            if runner.isPlaceholder(o.chunk) {
                counts[p] = 1
            } else {
                let chunk = try RecordChunk(decoding: try workspace.store.read(o.chunk))
                counts[p] = chunk.count
                total.chunks[study.name + "/" + p] = chunk
            }
        }
        var chosen = partitions.filter { counts[$0]! > 0 }
        if let cap = study.maxSubjects, chosen.count > cap {
            let keep = SubjectCap.choose(chosen, max: cap, salt: frames.subjectSalt + study.name)
            chosen = chosen.filter { keep.contains($0) }
        }
        if !runner.hasPlaceholders {
            try BuildGate.check(study: study.name, examples: chosen.reduce(0) { $0 + counts[$1]! }, minimum: study.minExamples)
        }
        for (p, o) in zip(partitions, outcomes) where chosen.contains(p) {
            total.chunkIDs[study.name + "/" + p] = o.chunk
            total.lineage[study.name + "/" + p] = from(p)
        }
        // A plan computes the same report as the build (its id depends on it), unless a run
        // step it would run leaves the counts unknown.
        if !runner.hasPlaceholders {
            total.reports.append(try report(study, sources: sources, partitions: partitions, outcomes: outcomes,
                                            examples: counts, chosen: Set(chosen)))
        }
        if let stats = study.statistics {
            total.tables.append(StatisticsTables.Table(study: study.name, statistics: stats, rows: outcomes.compactMap(\.statistics)))
        }
    }

    private func chain(_ study: FrameSpec.Study, runner: StepRunner, options: Builder.Options) -> FrameChain {
        FrameChain(runner: runner, store: workspace.store, study: study, strict: options.strict,
                   versionOverrides: options.versionOverrides, sources: study.inputs.map { frames.source($0)! },
                   joinSources: Dictionary(study.joins.map { ($0.source, frames.source($0.source)!) }) { a, _ in a })
    }

    /// The sources in spec order, but the one with the largest input file last.
    private func readOrder() throws -> [FrameSpec.Source] {
        var order = frames.sources
        var largest: (index: Int, size: Int64)?
        for (i, s) in order.enumerated() where Spec.stepReference(s.path) == nil {
            guard let st = try FileIO.lstat(workspace.absolute(rel(s.path))), st.kind == .file else { continue }
            if st.size > (largest?.size ?? -1) { largest = (i, st.size) }
        }
        if let largest { order.append(order.remove(at: largest.index)) }
        return order
    }

    /// The studies that take `source` as an input and whose other sources are read (in `sources`): their
    /// chains can start as the source's partitions are stored.
    private func earlyPlans(_ source: String, sources: [String: ReadSource], runner: StepRunner,
                            options: Builder.Options) -> [EarlyChains.Plan] {
        frames.studies.compactMap { study in
            let used = study.inputs + study.joins.map(\.source)
            // A source a study only joins has partitions the study may not have.
            guard study.inputs.contains(source), used.allSatisfy({ $0 == source || sources[$0] != nil }) else { return nil }
            var others: [String: [String: ObjectID]] = [:]
            for s in used where s != source { others[s] = sources[s]!.partitions.mapValues(\.partition) }
            return EarlyChains.Plan(study: study, chain: chain(study, runner: runner, options: options), others: others)
        }
    }

    /// One study's numbers: its sources' rows, the windows its partitions made and its filter
    /// rules dropped (each partition's window-counts step), subjects left out by max_subjects,
    /// and examples and subjects per split.
    private func report(_ study: FrameSpec.Study, sources: [String: ReadSource], partitions: [String],
                        outcomes: [FrameChain.Outcome], examples: [String: Int], chosen: Set<String>) throws -> BuildReport.Study {
        var out = BuildReport.Study(name: study.name)
        for s in study.inputs + study.joins.map(\.source) where !out.sources.contains(where: { $0.name == s }) {
            out.sources.append(BuildReport.Source(name: s, rows: sources[s]!.rows, setAside: sources[s]!.quarantine.total))
        }
        let rules = study.filter?.rules ?? []
        var dropped = [Int](repeating: 0, count: rules.count)
        for (p, o) in zip(partitions, outcomes) {
            let c = try WindowCounts(decoding: try workspace.store.read(o.counts))
            out.windows += c.windows
            for (i, n) in c.dropped.enumerated() where i < dropped.count { dropped[i] += n }
            out.transformSetAside += o.quarantine.reduce(0) { $0 + $1.rows.total }
            if !chosen.contains(p), let n = examples[p], n > 0 {
                out.cappedSubjects += 1
                out.cappedExamples += n
            }
        }
        out.filters = zip(rules, dropped).map { BuildReport.Filter(name: $0.name, dropped: $1) }
        out.splits = BuildReport.splits(partitions.filter(chosen.contains).map { ($0, examples[$0] ?? 0) }, try spec.splits.parameters())
        return out
    }

    /// Fails the build when a source read no good row or set aside more than its
    /// `max_bad_rows` (see `BuildGate`).
    private func gate(_ s: FrameSpec.Source, _ read: ReadSource) throws {
        var good = read.rows
        if s.reader.settings.wide != nil, read.quarantine.total > 0 {
            // Set-aside rows count source rows; a wide source's rows are its distinct lines.
            let store = workspace.store
            good = BuildGate.sourceRows(try read.partitions.values.map { p in
                let bytes = try store.read(p.partition)
                return try StepCodec.sensors { () throws(SensorError) in try Frame(decoding: bytes) }
            })
        }
        try BuildGate.check(source: s.name, file: rel(s.path), limit: s.maxBadRows, bad: read.quarantine, good: good) {
            var q = Quarantine()
            _ = try InputDecompression.readTable(s.reader, stored: read.input, in: workspace.store, file: rel(s.path), quarantine: &q)
            return q
        }
    }

    /// The stored input of a source: a run step's output, a file the index vouches for, or
    /// the file stored now (and noted in `read`, to record once it is durable).
    /// `tap` sees the file's bytes when it is stored now.
    private func input(_ s: FrameSpec.Source, userSteps: RunSteps.Outcome, runner: StepRunner,
                       read: inout [(path: String, stat: FileStat, id: ObjectID)],
                       tap: ((UnsafeRawBufferPointer) throws -> Void)? = nil) throws -> ObjectID {
        if Spec.stepReference(s.path) != nil { return try userSteps.output(s.path, runner: runner) }
        if let known = try Scanner(workspace: workspace, mode: .store).knownFile(rel(s.path)) { return known }
        let abs = workspace.absolute(rel(s.path))
        guard let st = try FileIO.lstat(abs) else {
            throw SDSError(.notFound, "input '\(rel(s.path))' of source '\(s.name)' does not exist",
                           hint: "fix the path in \(Spec.fileName), or 'sds checkout' the data")
        }
        guard st.kind == .file else { throw SDSError(.usage, "input '\(rel(s.path))' must be a file, not a folder") }
        let (stored, seen) = try Ingest.file(abs, into: workspace.store, tap: tap)
        read.append((rel(s.path), seen, stored))
        return stored
    }

    /// Reads one source's input into partition frames, each its own object.
    ///
    /// `streamed`: a chunked parse of the input, fed its bytes already when it was stored now;
    /// else it reads the stored object, if the read step runs.
    private func readSource(_ s: FrameSpec.Source, input: ObjectID, runner: StepRunner, strict: Bool, version: Int,
                            streamed: StreamedSourceRead? = nil) throws -> ReadSource {
        let store = workspace.store
        let file = rel(s.path)
        if runner.isPlaceholder(input) { return ReadSource(input: input, partitions: [:], quarantine: Quarantine()) }
        // The file's name is written into every frame (for file:line), so it is a parameter too.
        let params = s.reader.parameters() + [0] + Array(file.utf8)
        let result = try runner.run(op: TableReader.name, version: version, params: StepCodec.params(params),
                                    inputs: [input], partition: s.name) {
            if let streamed {
                if !streamed.fed {
                    // The stored object is hashed beside the parse and compared once both are done.
                    let (actual, _) = try Ingest.file(store.path(of: input), into: nil, tap: { try streamed.consume($0) })
                    guard actual == input else {
                        throw SDSError(.badData, "object \(input.hex) is corrupt: its content hashes to \(actual.hex)",
                                       hint: "run 'sds fsck'; re-add the input to restore it")
                    }
                }
                if let (entries, q) = try streamed.finish() {
                    return StreamedSourceRead.index(entries, quarantine: try store.put(q.encoded(), deferSync: true))
                }
            }
            var q = Quarantine(strict: strict)
            let parts = try InputDecompression.readTable(s.reader, stored: input, in: store, file: file, quarantine: &q)
            // Lines are kept relative to the partition's first line (the index keeps that), so
            // rows added for one subject do not change every later subject's frame (locality).
            let entries = try parts.map { try StreamedSourceRead.stored($0, store: store) }
            return StreamedSourceRead.index(entries, quarantine: try store.put(q.encoded(), deferSync: true))
        }
        guard case .object(let o) = try JSONReader.parse(try store.read(result)), case .array(let items)? = o["partitions"],
              case .string(let qh)? = o["quarantine"], let qid = ObjectID(hex: qh) else {
            throw SDSError(.badData, "partition index \(result.hex) is malformed")
        }
        let qbytes = try store.read(qid)
        let q = try StepCodec.sensors { () throws(SensorError) in try Quarantine(decoding: qbytes) }
        if strict, let error = q.strictError { throw error }
        var partitions: [String: Builder.PartitionSource] = [:]
        var rows = 0
        for case .object(let p) in items {
            if case .int(let n)? = p["rows"] { rows += Int(n) }
            guard case .string(let e)? = p["entity"], case .string(let h)? = p["id"], let id = ObjectID(hex: h),
                  case .int(let a)? = p["first_line"], case .int(let b)? = p["last_line"] else {
                throw SDSError(.badData, "partition index \(result.hex) is malformed")
            }
            partitions[e] = Builder.PartitionSource(source: s.name, partition: id, input: input, firstLine: Int(a), lastLine: Int(b))
        }
        return ReadSource(input: input, partitions: partitions, quarantine: q, rows: rows)
    }
}
