import ArgumentParser
import SDSCore
import SDSRemote
import SDSStore

/// `--offline` for the verbs that fetch what they miss from the default remote.
struct OfflineOption: ParsableArguments {
    @Flag(help: "Never fetch missing objects from the default remote.")
    var offline = false
}

/// Checkout, build, verify and diff bring what the store lacks from the default remote
/// (saying so on stderr) before they run, unless --offline or no remote is configured.
/// Nothing touches the network when the store already has everything.
enum AutoFetch {
    static func remote(_ ws: Workspace, lockPath: String, offline: Bool) throws -> RemoteSync? {
        if offline || ws.isScratch { return nil }
        return try RemoteSync.openDefault(ws, lockPath: lockPath)
    }

    /// Fetches the roots the store cannot complete.
    static func roots(_ roots: [RemoteSync.Root], tags: [(name: String, build: ObjectID)] = [], _ sync: RemoteSync, why: String) throws {
        let missing = try roots.filter { try sync.isIncomplete($0) }
        guard !missing.isEmpty || !tags.isEmpty else { return }
        Output.error("sds: fetching \(why) from remote \(sync.remote.backend.displayName) (--offline to skip)")
        var selection = RemoteSync.Selection()
        selection.roots = missing
        selection.tags = tags
        let s = try sync.fetch(selection, force: false, progress: TransferOutput.progress("fetch", quiet: false))
        Output.error("sds: fetched \(s.objects) object(s), \(Output.bytes(s.bytes)) in \(TransferOutput.time(s.seconds))")
    }

    /// Makes a VERSION (tag, build id, git revision; nil: the last build) complete in the store,
    /// fetching a tag the store does not know from the remote.
    static func version(_ version: String?, _ ws: Workspace, lockPath: String, offline: Bool) throws {
        guard version != "workspace", let sync = try remote(ws, lockPath: lockPath, offline: offline) else { return }
        if let id = try sync.localBuild(version) {
            return try roots([.build(id)], sync, why: "build \(id.short)" + (version.map { " (\($0))" } ?? ""))
        }
        guard let version else { return }
        // Not known here: a tag or build id of the remote, perhaps.
        let selection = try sync.fetchSelection([version], allTags: false)
        try roots(selection.roots, tags: selection.tags, sync, why: "'\(version)'")
    }

    /// Tracked paths whose objects the store lacks.
    static func trackedPaths(_ targets: [TrackedPath], _ ws: Workspace, lockPath: String, offline: Bool) throws {
        guard let sync = try remote(ws, lockPath: lockPath, offline: offline) else { return }
        try roots(targets.map { .tree($0.pointer.id) }, sync, why: "the data of \(targets.count) tracked path(s)")
    }
}

extension AutoFetch {
    /// Before a build: the last build's objects (so its steps are reused, even on a fresh
    /// clone), and tracked paths that are absent from the work tree, fetched and checked out.
    static func build(_ ws: Workspace, lockPath: String, offline: Bool) throws {
        guard let sync = try remote(ws, lockPath: lockPath, offline: offline) else { return }
        if let id = try sync.localBuild(nil), try sync.isIncomplete(.build(id)) {
            try roots([.build(id)], sync, why: "the last build \(id.short) (its steps are reused)")
            _ = try ws.learnSteps(fromManifests: [id])
        }
        let absent = try ws.trackedPaths([]).filter { try FileIO.lstat(ws.absolute($0.path)) == nil }
        guard !absent.isEmpty else { return }
        try roots(absent.map { .tree($0.pointer.id) }, sync, why: "\(absent.count) tracked path(s) absent from the work tree")
        let r = try SDSStore.Checkout(workspace: ws, force: false).run(absent)
        Output.error("sds: checked out \(absent.map(\.path).joined(separator: ", ")) (\(r.written.count) file(s))")
    }
}

extension AutoFetch {
    /// The default remote's shared step cache, when `--remote-cache` or `build.remote_cache` asks for it.
    static func stepCache(_ ws: Workspace, lockPath: String, flag: Bool, offline: Bool) throws -> RemoteStepCache? {
        let configured = try RemoteConfig(storePath: ws.storePath).remoteCache
        guard flag || configured else { return nil }
        guard let sync = try remote(ws, lockPath: lockPath, offline: offline) else {
            if !offline { Output.warning("the remote step cache is on, but no default remote is configured") }
            return nil
        }
        return RemoteStepCache(remote: sync.remote)
    }
}
