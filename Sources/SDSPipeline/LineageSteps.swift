import SDSCore
import SDSSensors
import SDSStore

/// A partition's steps in the order the pipeline runs them, recovered from the manifest
/// (which lists steps sorted by name): the read steps of its sources, then its own steps, each
/// after the steps whose results it takes, then the shard step that holds its records.
struct LineageSteps {
    let store: ObjectStore
    let steps: [RecordedBuild.Step]

    /// The steps that write shard files: TFRecord (the chunks concatenated) and ArrayRecord.
    static let shardOps: Set<String> = [ShardAssembly.operatorName, ArrayRecordShard.operatorName]

    /// - Parameter shard: the object id of the shard file traced, whose step ends the list;
    ///   nil: every shard step holding the partition's records (one a format).
    func ordered(entity: String, sources: [String], shard: String? = nil) -> [RecordedBuild.Step] {
        let readers: Set<String> = [LongCSVReader.operatorName, TableReader.name]
        let reads = sources.compactMap { s in steps.first { readers.contains($0.op) && $0.partition == s } }
        let own = steps.filter { $0.partition == entity }
        // What each step hands on: its result, or for a frame transform the frame its small
        // result record names.
        let produced: [Set<String>] = own.map { s in
            var ids: Set<String> = [s.result]
            if s.op.contains("#"), let id = ObjectID(hex: s.result), let bytes = try? store.read(id),
               let r = try? TransformResult(decoding: bytes) { ids.insert(r.frame.hex) }
            return ids
        }
        // A transform that changes nothing hands on its input's frame: no edge to itself.
        var before: [Set<Int>] = own.indices.map { b in
            Set(own.indices.filter { a in a != b && own[b].inputs.contains { produced[a].contains($0) } })
        }
        var order: [Int] = []
        var left = Array(own.indices)
        // Kahn's algorithm; among ready steps the manifest's (name) order decides.
        while let next = left.firstIndex(where: { before[$0].isEmpty }) ?? left.indices.first {
            let i = left.remove(at: next)
            order.append(i)
            for j in before.indices { before[j].remove(i) }
        }
        var out = reads + order.map { own[$0] }
        if let chunk = own.first(where: { $0.op == RecordChunk.operatorName }), let id = ObjectID(hex: chunk.result),
           let bytes = try? store.read(id), let c = try? RecordChunk(decoding: bytes) {
            let holding = steps.filter { Self.shardOps.contains($0.op) && $0.inputs.contains(c.data.hex) }
            if let shard {
                out += holding.first { $0.result == shard }.map { [$0] } ?? []
            } else {
                // One step a format, TFRecord first (a format's shards of other splits or
                // indexes never hold this partition's chunk).
                for op in [ShardAssembly.operatorName, ArrayRecordShard.operatorName] {
                    out += holding.first { $0.op == op }.map { [$0] } ?? []
                }
            }
        }
        return out
    }
}
