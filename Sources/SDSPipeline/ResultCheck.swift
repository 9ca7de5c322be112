import SDSCore
import SDSStore

/// `sds status --verify`: hashes what an "up to date" answer rests on, the last build's
/// step results and shard objects, instead of trusting that they are intact.
public enum ResultCheck {
    public struct Problem: Sendable, Equatable {
        public var id: ObjectID
        /// What the object is: "shard FILE" or "result of OP PARTITION".
        public var what: String
        public var missing: Bool
    }

    /// The damaged or missing objects of the build named by `lockPath` (none without a lock).
    ///
    /// Their step-cache rows are forgotten, so the next build recomputes them and writes their
    /// true bytes; the dry-run plan printed beside this report already counts them.
    public static func run(_ workspace: Workspace, lockPath: String) throws -> [Problem] {
        guard let build = try RecordedBuild.fromLock(workspace, lockPath: lockPath) else { return [] }
        var what: [ObjectID: String] = [:]
        for s in build.steps {
            if let id = ObjectID(hex: s.result), what[id] == nil { what[id] = "result of \(s.op) \(s.partition)" }
        }
        for s in VersionCheckout.shards(build) { what[s.id] = "shard \(s.file)" }
        // Objects a result names (a record chunk's data, partitions) are behind it too.
        for s in build.steps {
            guard let r = ObjectID(hex: s.result), workspace.store.contains(r) else { continue }
            for named in GarbageCollector.objectsNamed(byResult: r, of: s.op, in: workspace.store) where what[named] == nil {
                what[named] = "named by the result of \(s.op) \(s.partition)"
            }
        }
        let ids = what.keys.sorted()
        let store = workspace.store
        let outcome = try ids.parallelMap(jobs: onlineCores) { id -> Bool? in
            do { try store.verify(id); return nil } catch let e as SDSError where e.kind == .notFound { return true }
            catch let e as SDSError where e.kind == .badData { return false }
        }
        var problems: [Problem] = []
        for (id, missing) in zip(ids, outcome) { if let missing { problems.append(Problem(id: id, what: what[id]!, missing: missing)) } }
        _ = store.takeDamaged()
        let bad = Set(problems.map(\.id))
        if !bad.isEmpty { try workspace.index().forgetSteps(keys: Set(try StepCacheRepair.rows(where: bad.contains, workspace: workspace).keys)) }
        return problems.sorted { ($0.what, $0.id) < ($1.what, $1.id) }
    }
}
