import SDSCore
import SDSSensors
import SDSStore

/// One input of a build: stored if new, and split into per-entity partitions by a read
/// step (cached like any step).
struct InputResolver: Sendable {
    let store: ObjectStore
    /// The workspace root, absolute.
    let root: String
    let runner: StepRunner
    let reader: PartitionReader
    let readVersion: Int
    /// Folder of sds.yaml relative to the workspace root ("" at the root).
    let specDirectory: String

    struct Resolved: Sendable {
        var id: ObjectID
        /// Set when the file was read now (to record in the index once durable).
        var read: (path: String, stat: FileStat, id: ObjectID)?
        var partitions: [String: (ObjectID, Builder.PartitionSource)]
    }

    func rel(_ path: String) -> String { SpecPaths.rel(path, specDirectory: specDirectory, root: root) }

    /// A new or changed file is copied into the store and parsed in the same read, and
    /// `onPartition` sees each partition as it is stored; a known one (`known`: its id from
    /// the file-state cache, or a run step's output) is parsed from the store only if its
    /// read step is not cached.
    func resolve(_ path: String, known: ObjectID?, source: String, schema: LongCSVSchema,
                 onPartition: PartitionReader.Handler? = nil) throws -> Resolved {
        var parsed: [PartitionReader.Stored]?
        var read: (path: String, stat: FileStat, id: ObjectID)?
        let input: ObjectID
        if let known {
            // A dry run's stand-in for the output of a run step it would run: nothing to read.
            if runner.isPlaceholder(known) { return Resolved(id: known, read: nil, partitions: [:]) }
            input = known
        } else {
            let (id, stat, parts) = try reader.ingest(root + "/" + rel(path), file: rel(path), schema: schema,
                                                      onPartition: onPartition)
            read = (rel(path), stat, id)
            input = id
            parsed = parts
        }
        let result = try runner.run(op: LongCSVReader.operatorName, version: readVersion,
                                    params: StepCodec.params(schema.encoded()), inputs: [input], partition: source) {
            let parts = try parsed ?? reader.read(input, file: rel(path), schema: schema)
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
        var out: [String: (ObjectID, Builder.PartitionSource)] = [:]
        for case .object(let o) in items {
            guard case .string(let e)? = o["entity"], case .string(let h)? = o["id"], let id = ObjectID(hex: h),
                  case .int(let a)? = o["first_line"], case .int(let b)? = o["last_line"] else {
                throw SDSError(.badData, "partition index \(result.hex) is malformed")
            }
            out[e] = (id, Builder.PartitionSource(source: source, partition: id, input: input, firstLine: Int(a), lastLine: Int(b)))
        }
        return Resolved(id: input, read: read, partitions: out)
    }
}
