import SDSCore
import SDSSensors
import SDSStore

/// The record of one build: a canonical JSON object in the store; its id is the build id.
///
/// It holds everything that determines the output (spec, inputs, steps, operator and
/// run-step code versions) and nothing that does not (no git commit, wall clock or
/// machine: the index records those beside it), so the same inputs, spec and code give
/// the same build id anywhere, before and after a commit.
public struct Manifest: Sendable {
    public var dataset: Spec.Dataset
    public var specID: ObjectID
    public var inputs: [String: ObjectID]
    public var shards: [Builder.Shard]
    public var lineage: [String: [Builder.PartitionSource]]
    public var steps: [TraceEntry]
    public var operators: [String: Int]
    /// Run steps' code: name → {command, files: {path: id}, env: [names]}; nil without run steps.
    public var runSteps: JSON?
    /// Per split and feature: count, mean, std, min, max, missing ratio; label histogram.
    public var statistics: JSON = .object([:])
    /// Other files of the output folder (statistics tables), by name; only the general pipeline has them.
    public var files: [String: ObjectID] = [:]
    /// Rows set aside as bad data, by reason (general pipeline).
    public var quarantine = Quarantine()
    /// Each source's contracts report, by source name (only sources with `contracts:`).
    public var contracts: [String: JSON] = [:]
    /// Rows, windows, filters, examples and subjects per split, by study (`sds build` prints it).
    public var report: BuildReport?

    /// Parameters appear once, in `params`, keyed by the first 16 hex digits of their
    /// canonical bytes' SHA-256; steps name them by that key (most steps of an operator share them).
    static func paramsKey(_ params: JSON) -> String { String(Hasher256.id(of: params.canonical()).hex.prefix(16)) }

    /// The code section; the run-step keys appear only with run steps, so builds without
    /// them keep their ids.
    private var code: [String: JSON] {
        var code: [String: JSON] = [
            "sds": .string(SDSVersion.current),
            "operators": .object(operators.mapValues { .int(Int64($0)) }),
        ]
        if let runSteps { code["run_steps"] = runSteps }
        return code
    }

    public var json: JSON {
        var top = baseJSON
        // Only the general pipeline has these; wearable builds keep their ids.
        if case .object(var o) = top {
            if !files.isEmpty { o["files"] = .object(files.mapValues { .string($0.hex) }) }
            if quarantine.total > 0 {
                o["quarantine"] = .object(Dictionary(uniqueKeysWithValues: quarantine.reasons.map {
                    ($0.reason, JSON.object(["rows": .int(Int64($0.count)), "first": .array($0.locations.map { .string($0) })]))
                }))
            }
            if !contracts.isEmpty { o["contracts"] = .object(contracts) }
            if let report { o["report"] = report.json }
            top = .object(o)
        }
        return top
    }

    private var baseJSON: JSON {
        var params: [String: JSON] = [:]
        var keyOf: [JSON: String] = [:]
        for s in steps where keyOf[s.params] == nil {
            let k = Self.paramsKey(s.params)
            keyOf[s.params] = k
            params[k] = s.params
        }
        var splits: [String: JSON] = [:]
        // A split's examples once per shard index: with two formats, two files hold them.
        var counted: Set<[String]> = []
        for s in shards where counted.insert([s.split, String(s.index)]).inserted {
            var entry: [String: JSON] = [:]
            if case .object(let old)? = splits[s.split] { entry = old }
            let examples: Int64 = { if case .int(let n)? = entry["examples"] { n } else { 0 } }()
            entry["examples"] = .int(examples + Int64(s.examples))
            splits[s.split] = .object(entry)
        }
        return .object([
            "format": .string("sds-build 1"),
            "dataset": .object(["name": .string(dataset.name), "version": .string(dataset.version)]),
            "spec": .string(specID.hex),
            "inputs": .object(inputs.mapValues { .string($0.hex) }),
            "splits": .object(splits),
            "shards": .array(shards.map { s in
                .object(["file": .string(s.file), "split": .string(s.split), "index": .int(Int64(s.index)),
                         "id": .string(s.id.hex), "examples": .int(Int64(s.examples)),
                         "example_bytes": .int(Int64(s.exampleBytes)),
                         "partitions": .array(s.partitions.map { .string($0) })])
            }),
            "partitions": .object(lineage.mapValues { sources in
                .array(sources.map { p in
                    .object(["source": .string(p.source), "input": .string(p.input.hex), "partition": .string(p.partition.hex),
                             "first_line": .int(Int64(p.firstLine)), "last_line": .int(Int64(p.lastLine))])
                })
            }),
            "params": .object(params),
            "statistics": statistics,
            "steps": .array(steps.sorted { ($0.op, $0.partition, $0.key) < ($1.op, $1.partition, $1.key) }.map { s in
                .object(["op": .string(s.op), "partition": .string(s.partition), "version": .int(Int64(s.version)),
                         "params": .string(keyOf[s.params]!), "inputs": .array(s.inputs.map { .string($0.hex) }),
                         "key": .string(s.key.hex), "result": .string(s.result.hex)])
            }),
            "code": .object(code),
        ])
    }
}
