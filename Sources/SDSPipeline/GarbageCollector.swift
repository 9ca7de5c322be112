import Glibc
import SDSCore
import SDSSensors
import SDSStore

/// `sds gc`: removes the objects no root reaches. Run under the store lock.
///
/// Roots: tags; the work tree's `sds.lock` and pointer files; and, unless `onlyCurrent`,
/// every `sds.lock` and pointer file of every commit in git history (all refs). From a
/// build: its manifest, spec, inputs, partitions, every step result (a record chunk's data
/// blob, a partition index's partitions) and shards; from a tree: everything below it.
/// So no raw input of a build that can still be named is ever dropped. Step-cache rows
/// whose result is removed are forgotten first, then the objects are unlinked.
public struct GarbageCollector {
    public struct Report: Sendable {
        public var roots = 0
        public var reachable = 0
        public var removed = 0
        public var removedBytes: Int64 = 0
        public var kept = 0
        public var keptBytes: Int64 = 0
        public var stepsForgotten = 0
    }

    let workspace: Workspace
    /// The work tree's lock file, relative to the workspace root.
    let lockPath: String

    public init(workspace: Workspace, lockPath: String) {
        self.workspace = workspace
        self.lockPath = lockPath
    }

    public func run(onlyCurrent: Bool, dryRun: Bool) throws -> Report {
        var report = Report()
        var builds = Set<ObjectID>()
        var pointers = Set<ObjectID>()
        for t in try Tags(workspace: workspace).all() { builds.insert(t.id) }
        // The spec's lock and every other spec's lock beside it (`NAME.sds.lock`).
        let folder = lockPath.contains("/") ? FileIO.parentDirectory(lockPath) + "/" : ""
        let locks = Set([lockPath] + ((try? FileIO.listDirectory(workspace.absolute(folder.isEmpty ? "." : folder))) ?? [])
            .filter { $0.hasSuffix(".sds.lock") }.map { folder + $0 })
        for lock in locks.sorted() {
            if let b = try FileIO.readFileIfExists(workspace.absolute(lock)), let id = Self.buildID(inLock: b) { builds.insert(id) }
        }
        for t in try workspace.trackedPaths([]) { pointers.insert(t.pointer.id) }
        if !onlyCurrent, try workspace.gitRepository() != nil {
            let repo = try workspace.requireGit()
            for commit in try repo.allCommitIDs() {
                for lock in try workspace.committedFiles(named: "sds.lock", atRevision: commit) {
                    if let b = try workspace.committedFile(lock, atRevision: commit), let id = Self.buildID(inLock: b) { builds.insert(id) }
                }
                for t in try workspace.trackedPaths(atRevision: commit, selection: []) { pointers.insert(t.pointer.id) }
            }
        }
        report.roots = builds.count + pointers.count

        var reach = Set<ObjectID>()
        for id in pointers { try markTree(id, &reach) }
        for id in builds { try markBuild(id, &reach) }
        report.reachable = reach.count

        var doomed: [(ObjectID, String)] = []
        for (name, id) in try workspace.store.listObjects() {
            guard let id else { continue }
            let size = (try? FileIO.lstat(workspace.store.objectsDirectory + "/" + name))??.size ?? 0
            if reach.contains(id) {
                report.kept += 1
                report.keptBytes += size
            } else {
                doomed.append((id, name))
                report.removed += 1
                report.removedBytes += size
            }
        }
        if dryRun { return report }
        // Reverse of the write order: forget what names the objects, then remove them.
        let index = try workspace.index()
        Failpoint.gcForget.pass()
        report.stepsForgotten = try index.forgetSteps(withResults: Set(doomed.map(\.0)))
        try index.forgetCompleteTrees()
        var folders = Set<String>()
        for (id, _) in doomed {
            let p = workspace.store.path(of: id)
            Failpoint.gcUnlink.pass()
            try FileIO.remove(p)
            folders.insert(FileIO.parentDirectory(p))
        }
        for f in folders.sorted() { try FileIO.fsyncDirectory(f) }
        return report
    }

    static func buildID(inLock bytes: [UInt8]) -> ObjectID? {
        (try? JSONReader.parse(bytes))?["build"]?.string.flatMap { ObjectID(hex: $0) }
    }

    /// Marks an object and, for a tree, everything below it. `bad` hears of each stored
    /// record that does not decode (fsck reports them; gc keeps what it can reach).
    func markTree(_ id: ObjectID, _ reach: inout Set<ObjectID>, bad: ((ObjectID, String) -> Void)? = nil) throws {
        guard reach.insert(id).inserted, workspace.store.contains(id) else { return }
        // Only a tree needs reading; blobs can be large, so peek at the header first.
        guard let head = try? FileIO.readPrefix(workspace.store.path(of: id), count: 11), Tree.looksLikeTree(head) else { return }
        let tree: Tree
        do { tree = try Tree(decoding: workspace.store.read(id), id: id) } catch {
            bad?(id, (error as? SDSError)?.message ?? "\(error)")
            return
        }
        // A file entry is a blob by what the tree says: no need to open it (a tree of 10,000
        // files costs one read, not 10,000 peeks).
        for e in tree.entries {
            if e.kind == .directory { try markTree(e.id, &reach, bad: bad) } else { reach.insert(e.id) }
        }
    }

    func markBuild(_ id: ObjectID, _ reach: inout Set<ObjectID>, bad: ((ObjectID, String) -> Void)? = nil) throws {
        guard reach.insert(id).inserted, workspace.store.contains(id) else { return }
        let build: RecordedBuild
        do { build = try RecordedBuild.load(workspace, id) } catch {
            guard let bad else { throw error }
            return bad(id, "build manifest: " + ((error as? SDSError)?.message ?? "\(error)"))
        }
        let json = build.json
        func mark(_ hex: String?) { if let h = hex, let i = ObjectID(hex: h) { reach.insert(i) } }
        mark(json["spec"]?.string)
        // Inputs of run steps may be folders (trees); a file input is marked by itself.
        for (_, v) in build.inputs { if let i = ObjectID(hex: v) { try markTree(i, &reach, bad: bad) } }
        for (_, s) in json["code"]?["run_steps"]?.object ?? [:] {
            for (_, v) in s["files"]?.object ?? [:] { if let i = v.string.flatMap({ ObjectID(hex: $0) }) { try markTree(i, &reach, bad: bad) } }
        }
        for (_, list) in json["partitions"]?.object ?? [:] {
            for p in list.array { mark(p["partition"]?.string); mark(p["input"]?.string) }
        }
        for s in json["shards"]?.array ?? [] { mark(s["id"]?.string) }
        for (_, v) in json["files"]?.object ?? [:] { mark(v.string) }
        for s in build.steps {
            s.inputs.forEach(mark)
            mark(s.result)
            guard let r = ObjectID(hex: s.result), workspace.store.contains(r) else { continue }
            if s.op.hasPrefix("run:") {
                // A run step's output may be a folder: keep what is below it too.
                reach.remove(r)
                try markTree(r, &reach, bad: bad)
            } else {
                reach.formUnion(Self.objectsNamed(byResult: r, of: s.op, in: workspace.store, bad: bad))
            }
        }
    }

    /// The objects a step's result names besides itself: a record chunk's data blob, a
    /// partition index's partitions, a transform's frame, statistics tables. (A run step's
    /// output folder is a tree; `markTree` follows it.) `bad` hears of a result that does not decode.
    static func objectsNamed(byResult r: ObjectID, of op: String, in store: ObjectStore,
                             bad: ((ObjectID, String) -> Void)? = nil) -> [ObjectID] {
        func decoded<T>(_ what: String, _ body: () throws -> T) -> T? {
            do { return try body() } catch {
                bad?(r, "\(what): " + ((error as? SDSError)?.message ?? "\(error)"))
                return nil
            }
        }
        let ids: [String?]
        if op == RecordChunk.operatorName {
            return decoded("record chunk", { try RecordChunk(decoding: store.read(r)) }).map { [$0.data] } ?? []
        } else if op == RunSteps.splitOperator {
            guard let index = decoded("partition index", { try CSVPartitions.index(store.read(r)) }) else { return [] }
            return [index.header] + index.parts.values
        } else if op.hasPrefix("frame."), op.contains("#") {
            return decoded("transform result", { try TransformResult(decoding: store.read(r)) }).map { [$0.frame] } ?? []
        } else if op == StatisticsTables.operatorName {
            ids = (decoded("statistics tables", { try JSONReader.parse(store.read(r)) })?.object ?? [:]).values.map(\.string)
        } else if op == TableReader.name {
            // The partition index names every partition frame and the quarantine report.
            let index = decoded("partition index", { try JSONReader.parse(store.read(r)) })
            ids = (index?["partitions"]?.array ?? []).map { $0["id"]?.string } + [index?["quarantine"]?.string]
        } else if op == LongCSVReader.operatorName {
            ids = (decoded("partition index", { try JSONReader.parse(store.read(r)) })?.array ?? []).map { $0["id"]?.string }
        } else {
            return []
        }
        return ids.compactMap { $0.flatMap { ObjectID(hex: $0) } }
    }
}
