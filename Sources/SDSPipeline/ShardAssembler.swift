import SDSArrayRecord
import SDSCore
import SDSSensors
import SDSStore

/// Shards: a subject's examples all go to one shard of its split, subjects in entity order.
/// A TFRecord shard is the concatenation of its subjects' record chunks; an ArrayRecord
/// shard holds the same records, written by its own step from the same chunks.
struct ShardAssembler: Sendable {
    let runner: StepRunner
    let store: ObjectStore
    let splits: SplitParameters
    let datasetName: String
    let version: Int
    let jobs: Int
    /// What the split is chosen by: the entity, or (general pipeline) the subject inside
    /// `STUDY/PARTITION`, so one subject lands in one split whatever study it is in.
    var splitKey: @Sendable (String) -> String = { $0 }
    /// The shard files written for each (split, index), in this order.
    var formats = OutputFormats()

    struct Outcome {
        var shards: [Builder.Shard] = []
        /// A dry run: shards whose subjects' chunks are not known yet.
        var toRewrite: [String] = []
        /// Each subject's statistics, in shard then entity order.
        var statistics: [(split: String, entity: String, stats: ChunkStatistics)] = []
    }

    private struct Plan: Sendable {
        var split: String
        var index: Int
        var count: Int
        var file: String
        var format: OutputFormats.Format
        var chunks: [(entity: String, chunk: RecordChunk)]
        var inputs: [ObjectID] { chunks.map(\.chunk.data) }
    }

    /// `decoded`: chunks the caller has already read, by entity (they are not read again).
    func assemble(entities: [String], chunkIDs: [String: ObjectID], decoded: [String: RecordChunk] = [:]) throws -> Outcome {
        var members: [[Int]: [String]] = [:]
        for e in entities {
            let a = SplitAssigner.assign(entity: splitKey(e), splits)
            members[[a.splitIndex, a.shard], default: []].append(e)
        }
        var out = Outcome()
        var plans: [Plan] = []
        for (s, rule) in splits.rules.enumerated() {
            for index in 0..<rule.shardCount {
                let subjects = members[[s, index]] ?? []
                let files = formats.formats.map {
                    ($0, "\(datasetName)-\(rule.name).\($0.rawValue)-\(Self.pad5(index))-of-\(Self.pad5(rule.shardCount))")
                }
                if subjects.contains(where: { runner.isPlaceholder(chunkIDs[$0]!) }) {
                    out.toRewrite += files.map(\.1)
                    continue
                }
                let chunks = try subjects.map { e in (e, try decoded[e] ?? RecordChunk(decoding: try store.read(chunkIDs[e]!))) }
                for (format, file) in files {
                    plans.append(Plan(split: rule.name, index: index, count: rule.shardCount, file: file, format: format,
                                      chunks: chunks.filter { $0.1.count > 0 }))
                }
            }
        }
        // Shards with distinct inputs run in parallel; one whose inputs repeat an earlier
        // shard's (empty shards, say) runs after, and reuses it, as a serial build would.
        struct Inputs: Hashable { var format: OutputFormats.Format; var ids: [ObjectID] }
        var firstWith: [Inputs: Int] = [:]
        for (i, p) in plans.enumerated() where firstWith[Inputs(format: p.format, ids: p.inputs)] == nil {
            firstWith[Inputs(format: p.format, ids: p.inputs)] = i
        }
        let firsts = plans.indices.filter { firstWith[Inputs(format: plans[$0].format, ids: plans[$0].inputs)] == $0 }
        let plansCopy = plans
        var ids = Dictionary(uniqueKeysWithValues: zip(firsts, try firsts.parallelMap(jobs: jobs) { try shard(plansCopy[$0]) }))
        for i in plans.indices where ids[i] == nil { ids[i] = try shard(plans[i]) }
        for (i, p) in plans.enumerated() {
            out.shards.append(Builder.Shard(split: p.split, index: p.index, count: p.count, file: p.file, id: ids[i]!,
                                            examples: p.chunks.reduce(0) { $0 + $1.chunk.count },
                                            exampleBytes: p.chunks.reduce(0) { $0 + $1.chunk.exampleBytes },
                                            partitions: p.chunks.map(\.entity)))
            // Once per (split, index), whatever the number of formats.
            if p.format == formats.formats[0] { out.statistics += p.chunks.map { (p.split, $0.entity, $0.chunk.statistics) } }
        }
        return out
    }

    private func shard(_ p: Plan) throws -> ObjectID {
        if p.format == .arrayRecord {
            return try runner.run(op: ArrayRecordShard.operatorName, version: ArrayRecordShard.operatorVersion,
                                  params: formats.arrayRecordParams, inputs: p.inputs, partition: "\(p.split)-\(p.index)") {
                try ArrayRecordShard.write(p.chunks.map(\.chunk.data), store: store, options: formats.arrayRecord)
            }
        }
        return try runner.run(op: ShardAssembly.operatorName, version: version, params: .null, inputs: p.inputs,
                       partition: "\(p.split)-\(p.index)") {
            var bytes: [UInt8] = []
            for c in p.chunks { bytes += try store.read(c.chunk.data) }
            return bytes
        }
    }

    static func pad5(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 5 - s.count)) + s
    }
}
