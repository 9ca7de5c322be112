import SDSCore
import SDSStore

/// Everything a build or a tracked tree needs from the store: what `sds gc` keeps for it,
/// and what `sds push` sends and `sds fetch` brings for it.
public enum ObjectClosure {
    /// The build's manifest and every object it names (spec, inputs, step results and what
    /// they name, shards, output files). Objects not in the store are included but not followed.
    public static func ofBuild(_ id: ObjectID, in workspace: Workspace) throws -> Set<ObjectID> {
        var reach = Set<ObjectID>()
        try GarbageCollector(workspace: workspace, lockPath: "").markBuild(id, &reach)
        return reach
    }

    /// A tree (or blob) and everything below it.
    public static func ofTree(_ id: ObjectID, in workspace: Workspace) throws -> Set<ObjectID> {
        var reach = Set<ObjectID>()
        try GarbageCollector(workspace: workspace, lockPath: "").markTree(id, &reach)
        return reach
    }

    /// The builds the lock files beside `lockPath` name (`sds.lock`, `NAME.sds.lock`).
    public static func lockedBuilds(beside lockPath: String, in workspace: Workspace) throws -> [(lock: String, build: ObjectID)] {
        let folder = lockPath.contains("/") ? FileIO.parentDirectory(lockPath) + "/" : ""
        let names = (try? FileIO.listDirectory(workspace.absolute(folder.isEmpty ? "." : folder))) ?? []
        let locks = Set([lockPath] + names.filter { $0.hasSuffix(".sds.lock") }.map { folder + $0 })
        var out: [(String, ObjectID)] = []
        for lock in locks.sorted() {
            if let b = try FileIO.readFileIfExists(workspace.absolute(lock)), let id = GarbageCollector.buildID(inLock: b) { out.append((lock, id)) }
        }
        return out
    }
}
