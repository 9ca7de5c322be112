import SDSCore
import SDSRemote
import SDSStore

/// `sds status --remote`: what the remote lacks and what the local store lacks.
enum RemoteStatus {
    /// Prints the comparison; true when both sides hold everything.
    static func run(_ ws: Workspace, remote: String?, lockPath: String, json: Bool, quiet: Bool) throws -> Bool {
        let sync = try RemoteSync.open(ws, remote: remote, lockPath: lockPath)
        let c = try sync.compare()
        if quiet { return c.inSync }
        if json {
            Output.line(JSON.object([
                "remote": .string(sync.remote.backend.displayName), "in_sync": .bool(c.inSync), "roots": .int(Int64(c.roots)),
                "remote_lacks": .object(["objects": .int(Int64(c.remoteLacks)), "bytes": .int(c.remoteLacksBytes),
                                         "tags": .array(c.tagsToPush.map { .string($0) })]),
                "local_lacks": .object(["objects": .int(Int64(c.localLacks)), "tags": .array(c.tagsToFetch.map { .string($0) })]),
            ]).canonicalText)
            return c.inSync
        }
        let name = sync.remote.backend.displayName
        Output.line("remote \(name) lacks: \(c.remoteLacks) object(s), \(Output.bytes(c.remoteLacksBytes))"
            + (c.tagsToPush.isEmpty ? "" : "; tags " + c.tagsToPush.joined(separator: ", ")))
        Output.line("local store lacks: \(c.localLacks) object(s)" + (c.tagsToFetch.isEmpty ? "" : "; tags " + c.tagsToFetch.joined(separator: ", ")))
        if c.remoteLacks > 0 || !c.tagsToPush.isEmpty { Output.error("hint: 'sds push' sends them") }
        if c.localLacks > 0 || !c.tagsToFetch.isEmpty { Output.error("hint: 'sds fetch' (or 'sds fetch --all-tags') brings them") }
        return c.inSync
    }
}
