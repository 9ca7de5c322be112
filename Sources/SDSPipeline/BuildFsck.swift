import SDSCatalog
import SDSCore
import SDSStore

/// The part of `sds fsck` that knows builds: tags, every `sds.lock` in the work tree, the
/// manifests they name and everything those reach (step results, partition indexes, trees),
/// and the step cache. `SDSStore.Fsck` has already hashed every object.
public struct BuildFsck {
    public struct Report: Sendable {
        public var problems: [FsckProblem] = []
        public var buildsChecked = 0
        public var locksChecked = 0
        public var cacheRowsChecked = 0
        /// Step-cache rows dropped by `repair`.
        public var cacheRowsDropped = 0
    }

    let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    /// - Parameters:
    ///   - damaged: objects that do not hash to their id (from the object check).
    ///   - repair: drop step-cache rows whose result is missing or damaged.
    public func run(damaged: Set<ObjectID>, repair: Bool) throws -> Report {
        var report = Report()
        var roots: [(id: ObjectID, owner: String)] = []
        let tags = Tags(workspace: workspace)
        for name in try tags.names() {
            do {
                if let id = try tags.get(name) { roots.append((id, "tag \(name)")) }
            } catch {
                report.problems.append(problem(.badTag, "tag \(name)", error))
            }
        }
        for lockPath in try workspace.workTreeFiles(named: { $0 == "sds.lock" || $0.hasSuffix(".sds.lock") }) {
            report.locksChecked += 1
            if let id = checkLock(lockPath, damaged: damaged, into: &report.problems) { roots.append((id, lockPath)) }
        }
        // The log keeps builds gc may since have removed: only those still stored are checked.
        for run in (try? workspace.index().builds()) ?? [] where workspace.store.contains(run.id) { roots.append((run.id, "build log")) }

        let gc = GarbageCollector(workspace: workspace, lockPath: "sds.lock")
        var seen = Set<ObjectID>()
        for (id, owner) in roots where seen.insert(id).inserted {
            report.buildsChecked += 1
            guard workspace.store.contains(id) else {
                report.problems.append(FsckProblem(severity: .error, id: .missingObject, subject: "build \(id.hex)",
                                                   detail: "named by \(owner) but not in the store"))
                continue
            }
            var reach = Set<ObjectID>()
            var bad: [(ObjectID, String)] = []
            try gc.markBuild(id, &reach) { bad.append(($0, $1)) }
            for (obj, what) in bad where !damaged.contains(obj) {
                let kind: FsckProblem.ID = obj == id ? .badManifest : (what.hasPrefix("tree object") ? .badTree : .badRecord)
                report.problems.append(FsckProblem(severity: .error, id: kind, subject: "object \(obj.hex)",
                                                   detail: "needed by build \(id.short) (\(owner)): \(Quoted.cut(what))"))
            }
            for obj in reach.sorted() where !workspace.store.contains(obj) {
                report.problems.append(FsckProblem(severity: .error, id: .missingObject, subject: "object \(obj.hex)",
                                                   detail: "needed by build \(id.short) (\(owner)) but not in the store"))
            }
        }

        let store = workspace.store
        report.cacheRowsChecked = try workspace.index().allStepRows().count
        let bad = try StepCacheRepair.rows(where: { damaged.contains($0) || !store.contains($0) }, workspace: workspace)
        for (key, obj) in bad.sorted(by: { $0.key < $1.key }) {
            let why = store.contains(obj) ? "is damaged" : "is not in the store"
            // A warning: the cache heals itself (such a step runs again), and a killed build may
            // leave rows naming results it never published.
            report.problems.append(FsckProblem(severity: .warning, id: .badCacheRow, subject: "step \(key.hex)",
                                               detail: "its cached result (or object \(obj.hex) behind it) \(why)" + (repair ? "; row dropped" : "")))
        }
        if repair { report.cacheRowsDropped = try workspace.index().forgetSteps(keys: Set(bad.keys)) }
        return report
    }

    /// Checks one lock file; returns the build it names.
    private func checkLock(_ path: String, damaged: Set<ObjectID>, into problems: inout [FsckProblem]) -> ObjectID? {
        let lock: JSON
        do { lock = try JSONReader.parse(FileIO.readFile(workspace.absolute(path))) } catch {
            problems.append(problem(.badLock, path, error))
            return nil
        }
        guard let id = lock["build"]?.string.flatMap({ ObjectID(hex: $0) }) else {
            problems.append(FsckProblem(severity: .error, id: .badLock, subject: path, detail: "names no build (no 64-hex 'build' field)"))
            return nil
        }
        guard workspace.store.contains(id), !damaged.contains(id),
              let build = try? RecordedBuild.load(workspace, id) else { return id }  // reported with the build
        let recorded = Dictionary(VersionCheckout.shards(build).map { ($0.file, $0.id.hex) }, uniquingKeysWith: { a, _ in a })
        let locked = (lock["shards"]?.object ?? [:]).mapValues { $0["id"]?.string ?? "" }
        for file in Set(recorded.keys).union(locked.keys).sorted() where recorded[file] != locked[file] {
            problems.append(FsckProblem(severity: .error, id: .lockMismatch, subject: path,
                                        detail: "shard \(Quoted.cut(file)) is \(locked[file].map { "\($0.prefix(12))" } ?? "absent") in the lock but "
                                            + "\(recorded[file].map { "\($0.prefix(12))" } ?? "absent") in build \(id.short)"))
        }
        return id
    }

    private func problem(_ id: FsckProblem.ID, _ subject: String, _ error: Error) -> FsckProblem {
        FsckProblem(severity: .error, id: id, subject: subject, detail: Quoted.cut((error as? SDSError)?.message ?? "\(error)"))
    }
}
