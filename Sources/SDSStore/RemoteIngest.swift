import Glibc
import SDSCore

extension ObjectStore {
    /// Takes a downloaded file as object `id` after hashing it: a file whose bytes hash to
    /// anything else is removed and reported, never stored. Named durably by the next
    /// `syncPendingDirectories()`.
    /// - Returns: the id its bytes actually hash to (equal to `id` when stored).
    public func adoptDownload(_ tmp: String, as id: ObjectID) throws -> ObjectID {
        let fd = try FileIO.open(tmp, O_RDONLY)
        let actual: ObjectID
        do {
            actual = try Ingest.hash(fd: fd, path: tmp).0
            close(fd)
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        guard actual == id else {
            unlink(tmp)
            return actual
        }
        chmod(tmp, 0o444)
        // Fsynced with the rest by syncPendingDirectories (syncfs), like staged objects.
        let sync = try FileIO.open(tmp, O_RDONLY)
        defer { close(sync) }
        try FileIO.fsync(sync, path: tmp)
        try publish(tmp, as: id, deferSync: true)
        return actual
    }
}

extension Workspace {
    /// Records the steps of build manifests (fetched from a remote) in the step cache, so the
    /// next build reuses a teammate's results; their objects must already be in the store.
    /// - Returns: the number of step rows written.
    public func learnSteps(fromManifests ids: [ObjectID]) throws -> Int {
        var steps: [(key: ObjectID, result: ObjectID, op: String)] = []
        for id in ids.sorted() { steps += IndexRepair.steps(in: try store.read(id)) }
        try index().recordSteps(steps)
        return steps.count
    }
}
