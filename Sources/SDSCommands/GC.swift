import ArgumentParser
import SDSCore
import SDSPipeline
import SDSRemote
import SDSStore

struct GC: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove objects that no tag, lock file, pointer file or commit needs.",
        discussion: """
            Keeps every object reachable from: tags; the work tree's sds.lock and pointer files; and every sds.lock and pointer file of every commit in git history (all branches and tags), unless --only-current. From a build it keeps the manifest, spec, raw inputs, partitions, every step result and the shards, so any build that can still be named stays reproducible ('sds verify'). Step-cache rows whose result is removed are forgotten.

            gc takes the store lock, so it waits for a running build (and a build waits for it): a build never sees a half-deleted store.

              sds gc --dry-run        what would go: counts and bytes
              sds gc
              sds gc --only-current   keep only what tags and the work tree need
              sds gc --remote --dry-run

            --remote cleans the default remote (or -r NAME) instead: it keeps every build a tag (the remote's or a local one) or an sds.lock in any commit of any branch names, and every pointer file of any commit, each with all it needs; nothing written in the last --grace seconds (default 3600) is deleted, since a push still running (or killed) may reference it, and nothing at all while another clone's push is running. Packs are deleted whole, when none of their objects is needed. See docs/remotes.md.
            """)

    @Flag(help: "Only count what would be removed.")
    var dryRun = false

    @Flag(help: "Ignore git history: keep only what tags and the work tree need.")
    var onlyCurrent = false

    @Option(help: "The pipeline spec, relative to the current folder (its sds.lock is a root).")
    var spec: String = "sds.yaml"

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Clean the remote instead of the local store.")
    var remote = false

    @Option(name: .customShort("r"), help: "The remote for --remote (default: the default remote).")
    var remoteName: String?

    @Option(help: "With --remote: never delete what was written less than this many seconds ago.")
    var grace: Int64 = RemoteGC.defaultGrace

    func run() throws {
        try reporting {
            let ws = try openWorkspace()
            if remote { return try remoteGC(ws) }
            let held = try lock(ws, "gc")
            defer { withExtendedLifetime(held) {} }
            let r = try GarbageCollector(workspace: ws, lockPath: try lockPath(ws, spec: spec)).run(onlyCurrent: onlyCurrent, dryRun: dryRun)
            if json {
                return Output.line(JSON.object([
                    "dry_run": .bool(dryRun), "roots": .int(Int64(r.roots)), "reachable": .int(Int64(r.reachable)),
                    "removed": .int(Int64(r.removed)), "removed_bytes": .int(r.removedBytes),
                    "kept": .int(Int64(r.kept)), "kept_bytes": .int(r.keptBytes), "steps_forgotten": .int(Int64(r.stepsForgotten)),
                ]).canonicalText)
            }
            Output.line("\(dryRun ? "would remove" : "removed") \(r.removed) object(s), \(Output.bytes(r.removedBytes)); "
                + "kept \(r.kept), \(Output.bytes(r.keptBytes))" + (dryRun ? "" : "; forgot \(r.stepsForgotten) cached step(s)"))
        }
    }

    private func remoteGC(_ ws: Workspace) throws {
        let sync = try RemoteSync.open(ws, remote: remoteName, lockPath: try lockPath(ws, spec: spec))
        let r = try RemoteGC(sync: sync).run(grace: grace, dryRun: dryRun)
        if json {
            return Output.line(JSON.object([
                "dry_run": .bool(dryRun), "remote": .string(sync.remote.backend.displayName), "roots": .int(Int64(r.roots)),
                "kept_objects": .int(Int64(r.keptObjects)), "removed_objects": .int(Int64(r.removedObjects)),
                "removed_bytes": .int(r.removedBytes), "removed_packs": .int(Int64(r.removedPacks)),
                "removed_lists": .int(Int64(r.removedLists)), "within_grace": .int(Int64(r.tooYoung)),
            ]).canonicalText)
        }
        Output.line("\(dryRun ? "would remove" : "removed") \(r.removedObjects) object(s) (\(r.removedPacks) pack(s)), \(Output.bytes(r.removedBytes)) "
            + "from \(sync.remote.backend.displayName); kept \(r.keptObjects) for \(r.roots) root(s)"
            + (r.tooYoung > 0 ? "; \(r.tooYoung) unneeded file(s) younger than \(grace) s kept" : ""))
    }
}
