import SDSCore
import SDSStore

/// Where a shard or an example came from: partitions, input objects with line ranges, steps.
public struct Lineage {
    let workspace: Workspace
    let build: RecordedBuild

    public init(workspace: Workspace, build: RecordedBuild) {
        self.workspace = workspace
        self.build = build
    }

    private var inputPaths: [String: String] { Dictionary(build.inputs.map { ($1, $0) }, uniquingKeysWith: { a, _ in a }) }

    /// The chain of one partition: its sources with line ranges, and its steps in order.
    func partition(_ entity: String) -> JSON {
        var sources: [JSON] = []
        if case .object(let parts)? = build["partitions"], case .array(let list)? = parts[entity] {
            for case .object(var o) in list {
                if case .string(let input)? = o["input"] { o["path"] = inputPaths[input].map { .string($0) } ?? .null }
                sources.append(.object(o))
            }
        }
        let steps = build.steps.filter { $0.partition == entity }.map { s in
            JSON.object(["op": .string(s.op), "version": .int(Int64(s.version)), "key": .string(s.key),
                         "result": .string(s.result), "params": s.params])
        }
        return .object(["entity": .string(entity), "sources": .array(sources), "steps": .array(steps)])
    }

    private var shards: [[String: JSON]] {
        guard case .array(let items)? = build["shards"] else { return [] }
        return items.compactMap { if case .object(let o) = $0 { o } else { nil } }
    }

    /// The lineage of a shard file (its name, with or without a folder).
    public func shard(_ fileName: String) throws -> JSON {
        let name = FileIO.baseName(fileName)
        guard let s = shards.first(where: { $0["file"] == .string(name) }) else {
            throw SDSError(.notFound, "'\(name)' is not a shard of build \(build.id.short)",
                           hint: "'sds inspect' the output folder to list its shards")
        }
        let entities: [String] = { if case .array(let a)? = s["partitions"] { a.compactMap { if case .string(let e) = $0 { e } else { nil } } } else { [] } }()
        return .object([
            "build": .string(build.id.hex), "file": .string(name), "id": s["id"] ?? .null,
            "split": s["split"] ?? .null, "examples": s["examples"] ?? .null,
            "spec": build["spec"] ?? .null, "code": build["code"] ?? .null,
            "partitions": .array(entities.map(partition)),
        ])
    }

    /// The lineage of one example, named `ENTITY/DATE` (e.g. `S0001/2016-04-12`); an entity of
    /// the general pipeline is `STUDY/PARTITION`, so the date is what follows the last `/`.
    public func example(_ key: String) throws -> JSON {
        guard let slash = key.lastIndex(of: "/"), slash != key.startIndex, key.index(after: slash) != key.endIndex else {
            throw SDSError(.usage, "an example key looks like S0001/2016-04-12, found '\(key)'")
        }
        let (entity, date) = (String(key[..<slash]), String(key[key.index(after: slash)...]))
        guard let s = shards.first(where: {
            if case .array(let a)? = $0["partitions"] { a.contains(.string(entity)) } else { false }
        }), case .string(let file)? = s["file"], case .array(let members)? = s["partitions"] else {
            throw SDSError(.notFound, "no example of '\(entity)' is in build \(build.id.short)")
        }
        // Records of a shard are its partitions' chunks in order; count the ones before.
        var record = 0
        for case .string(let e) in members {
            guard let step = build.steps.first(where: { $0.op == RecordChunk.operatorName && $0.partition == e }),
                  let id = ObjectID(hex: step.result) else { continue }
            let chunk = try RecordChunk(decoding: try workspace.store.read(id))
            if e == entity {
                guard let i = chunk.dates.firstIndex(of: date) else {
                    throw SDSError(.notFound, "'\(entity)' has no example for \(date) in build \(build.id.short)",
                                   hint: "its days: \(chunk.dates.joined(separator: ", "))")
                }
                return .object(["build": .string(build.id.hex), "example": .string(key), "file": .string(file),
                                "record": .int(Int64(record + i)), "partition": partition(entity)])
            }
            record += chunk.count
        }
        throw SDSError(.notFound, "no example '\(key)' in build \(build.id.short)")
    }
}
