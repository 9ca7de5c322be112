import SDSCore
import SDSSensors
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

    /// The chain of one partition: its sources with line ranges, and its steps in pipeline order.
    /// With a `window`, each source also names the lines of its rows in that window
    /// (`window_lines`: runs `[first, last]`, `window_rows`: how many lines; null if unknown).
    /// `shard`: the object id of the shard file traced (its step ends the steps), or nil for
    /// every shard step holding the partition's records.
    func partition(_ entity: String, window: (start: Int64, end: Int64)? = nil, shard: String? = nil) throws -> JSON {
        var sources: [JSON] = []
        let lines = window.map { _ in WindowLines(store: workspace.store) }
        if case .object(let parts)? = build["partitions"], case .array(let list)? = parts[entity] {
            for case .object(var o) in list {
                if case .string(let input)? = o["input"] { o["path"] = inputPaths[input].map { .string($0) } ?? .null }
                if let window, let lines, let source = Self.partitionSource(o) {
                    let found = try lines.lines(of: source, entity: Self.subject(entity), start: window.start, end: window.end)
                    o["window_rows"] = found.map { .int(Int64($0.count)) } ?? .null
                    o["window_lines"] = found.map { f in
                        .array(WindowLines.ranges(f).map { .array([.int(Int64($0.lowerBound)), .int(Int64($0.upperBound))]) })
                    } ?? .null
                }
                sources.append(.object(o))
            }
        }
        let names = sources.compactMap { if case .object(let o) = $0, case .string(let s)? = o["source"] { s } else { nil } }
        let steps = LineageSteps(store: workspace.store, steps: build.steps).ordered(entity: entity, sources: names, shard: shard).map { s in
            JSON.object(["op": .string(s.op), "partition": .string(s.partition), "version": .int(Int64(s.version)),
                         "key": .string(s.key), "result": .string(s.result), "params": s.params])
        }
        return .object(["entity": .string(entity), "sources": .array(sources), "steps": .array(steps)])
    }

    /// A manifest partition entry as the builder made it.
    static func partitionSource(_ o: [String: JSON]) -> Builder.PartitionSource? {
        guard case .string(let s)? = o["source"], case .string(let p)? = o["partition"], let partition = ObjectID(hex: p),
              case .string(let i)? = o["input"], let input = ObjectID(hex: i),
              case .int(let a)? = o["first_line"], case .int(let b)? = o["last_line"] else { return nil }
        return Builder.PartitionSource(source: s, partition: partition, input: input, firstLine: Int(a), lastLine: Int(b))
    }

    /// The partition key inside an entity: `STUDY/PARTITION` of the general pipeline names `PARTITION`.
    static func subject(_ entity: String) -> String {
        entity.firstIndex(of: "/").map { String(entity[entity.index(after: $0)...]) } ?? entity
    }

    /// The time span `[start, end)` (ms UTC) of the example `date` of a partition: the window
    /// the encode step took (general pipeline), or the UTC day (wearable).
    func window(date: String, chunkStep: RecordedBuild.Step) throws -> (start: Int64, end: Int64) {
        if let input = chunkStep.inputs.first.flatMap(ObjectID.init(hex:)), let bytes = try? workspace.store.read(input),
           let windows = try? WindowedPartition(decoding: bytes) {
            guard let w = windows.windows.first(where: { WindowKey.name(start: $0.start) == date }) else {
                throw SDSError(.internal, "the windows of \(chunkStep.partition) have none named \(date)")
            }
            return (w.start, w.end)
        }
        let parts = date.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { throw SDSError(.usage, "'\(date)' is not a date (YYYY-MM-DD)") }
        let day = CivilTime.day(year: parts[0], month: parts[1], day: parts[2])
        return (day * CivilTime.millisecondsPerDay, (day + 1) * CivilTime.millisecondsPerDay)
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
            "partitions": .array(try entities.map { try partition($0, shard: s["id"]?.string) }),
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
                let window = try self.window(date: date, chunkStep: step)
                // The same record number in each format's shard of this (split, index).
                let files = shards.filter { $0["split"] == s["split"] && $0["index"] == s["index"] }.compactMap { $0["file"]?.string }
                return .object(["build": .string(build.id.hex), "example": .string(key), "file": .string(file),
                                "files": .array((files.isEmpty ? [file] : files).map { .string($0) }),
                                "record": .int(Int64(record + i)),
                                "window": .object(["start": .string(WindowKey.name(start: window.start)),
                                                   "end": .string(WindowKey.name(start: window.end))]),
                                "partition": try partition(entity, window: window)])
            }
            record += chunk.count
        }
        throw SDSError(.notFound, "no example '\(key)' in build \(build.id.short)")
    }
}
