import SDSCatalog
import SDSCore
import SDSStore

/// The builds this store knows, newest first: `sds log --builds`.
///
/// Times and hosts come from the index (`builds`), never from manifests; tags and
/// example counts from the tag files and manifests. A tagged build the index forgot is
/// still listed (without a time).
public enum BuildLog {
    public struct Entry: Sendable {
        public var id: ObjectID
        public var finishedNs: Int64?
        public var seconds: Double?
        public var host: String?
        public var gitCommit: String?
        public var gitDirty: Bool?
        public var tags: [String]
        /// Split → examples, in manifest (sorted) order; empty when the manifest is gone.
        public var examples: [(split: String, count: Int)]
        public var manifestPresent: Bool

        public var json: JSON {
            .object([
                "build": .string(id.hex), "finished_ns": finishedNs.map { .int($0) } ?? .null,
                "seconds": seconds.map { .double(FeatureMoments.round($0)) } ?? .null, "host": host.map { .string($0) } ?? .null,
                "git_commit": gitCommit.map { .string($0) } ?? .null, "git_dirty": gitDirty.map { .bool($0) } ?? .null,
                "tags": .array(tags.map { .string($0) }),
                "examples": .object(Dictionary(uniqueKeysWithValues: examples.map { ($0.split, JSON.int(Int64($0.count))) })),
                "manifest_present": .bool(manifestPresent),
            ])
        }
    }

    public static func entries(_ workspace: Workspace) throws -> [Entry] {
        var tagsOf: [ObjectID: [String]] = [:]
        for t in try Tags(workspace: workspace).all() { tagsOf[t.id, default: []].append(t.name) }
        var seen = Set<ObjectID>()
        var out: [Entry] = []
        func add(_ id: ObjectID, _ run: StoreIndex.BuildRun?) {
            guard seen.insert(id).inserted else { return }
            let manifest = try? RecordedBuild.load(workspace, id)
            out.append(Entry(id: id, finishedNs: run?.finishedNs, seconds: run?.seconds, host: run?.host,
                             gitCommit: run?.gitCommit, gitDirty: run?.gitDirty,
                             tags: tagsOf[id] ?? [],
                             examples: (manifest?.json["splits"]?.object ?? [:]).sorted { $0.key < $1.key }
                                .map { ($0.key, $0.value["examples"]?.int ?? 0) },
                             manifestPresent: manifest != nil))
        }
        for run in try workspace.index().builds() { add(run.id, run) }
        for id in tagsOf.keys.sorted() { add(id, nil) }
        return out
    }
}
