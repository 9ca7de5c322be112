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
        report.stepsForgotten = try index.forgetSteps(withResults: Set(doomed.map(\.0)))
        try index.forgetCompleteTrees()
        var folders = Set<String>()
        for (id, _) in doomed {
            let p = workspace.store.path(of: id)
            try FileIO.remove(p)
            folders.insert(FileIO.parentDirectory(p))
        }
        for f in folders.sorted() { try FileIO.fsyncDirectory(f) }
        return report
    }

    static func buildID(inLock bytes: [UInt8]) -> ObjectID? {
        (try? JSONReader.parse(bytes))?["build"]?.string.flatMap { ObjectID(hex: $0) }
    }

    /// Marks an object and, for a tree, everything below it.
    private func markTree(_ id: ObjectID, _ reach: inout Set<ObjectID>) throws {
        guard reach.insert(id).inserted, workspace.store.contains(id) else { return }
        // Only a tree needs reading; blobs can be large, so peek at the header first.
        guard let head = try? FileIO.readPrefix(workspace.store.path(of: id), count: 11), Tree.looksLikeTree(head),
              let tree = try? Tree(decoding: workspace.store.read(id)) else { return }
        for e in tree.entries { try markTree(e.id, &reach) }
    }

    private func markBuild(_ id: ObjectID, _ reach: inout Set<ObjectID>) throws {
        guard reach.insert(id).inserted, workspace.store.contains(id) else { return }
        let build = try RecordedBuild.load(workspace, id)
        let json = build.json
        func mark(_ hex: String?) { if let h = hex, let i = ObjectID(hex: h) { reach.insert(i) } }
        mark(json["spec"]?.string)
        // Inputs of run steps may be folders (trees); a file input is marked by itself.
        for (_, v) in build.inputs { if let i = ObjectID(hex: v) { try markTree(i, &reach) } }
        for (_, s) in json["code"]?["run_steps"]?.object ?? [:] {
            for (_, v) in s["files"]?.object ?? [:] { if let i = v.string.flatMap({ ObjectID(hex: $0) }) { try markTree(i, &reach) } }
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
            if s.op == RecordChunk.operatorName {
                if let c = try? RecordChunk(decoding: workspace.store.read(r)) { reach.insert(c.data) }
            } else if s.op.hasPrefix("run:") {
                // A run step's output may be a folder: keep what is below it too.
                reach.remove(r)
                try markTree(r, &reach)
            } else if s.op == RunSteps.splitOperator {
                if let index = try? CSVPartitions.index(workspace.store.read(r)) {
                    reach.insert(index.header)
                    reach.formUnion(index.parts.values)
                }
            } else if s.op.hasPrefix("frame."), s.op.contains("#") {
                // A transform's result names the frame it made.
                if let t = try? TransformResult(decoding: workspace.store.read(r)) { reach.insert(t.frame) }
            } else if s.op == StatisticsTables.operatorName {
                for (_, v) in (try? JSONReader.parse(workspace.store.read(r)))?.object ?? [:] { mark(v.string) }
            } else if s.op == TableReader.name {
                // The partition index names every partition frame and the quarantine report.
                let index = try? JSONReader.parse(workspace.store.read(r))
                for p in index?["partitions"]?.array ?? [] { mark(p["id"]?.string) }
                mark(index?["quarantine"]?.string)
            } else if s.op == LongCSVReader.operatorName {
                for p in (try? JSONReader.parse(workspace.store.read(r)))?.array ?? [] { mark(p["id"]?.string) }
            }
        }
    }
}

extension FileIO {
    /// The first `count` bytes of a file (fewer if it is shorter).
    static func readPrefix(_ path: String, count: Int) throws -> [UInt8] {
        let fd = try open(path, O_RDONLY)
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: count)
        let n = try buf.withUnsafeMutableBytes { try readFull(fd, $0.baseAddress!, count, path: path) }
        return Array(buf.prefix(n))
    }
}
