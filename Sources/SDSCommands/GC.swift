import ArgumentParser
import SDSCore
import SDSPipeline
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
            """)

    @Flag(help: "Only count what would be removed.")
    var dryRun = false

    @Flag(help: "Ignore git history: keep only what tags and the work tree need.")
    var onlyCurrent = false

    @Option(help: "The pipeline spec, relative to the current folder (its sds.lock is a root).")
    var spec: String = "sds.yaml"

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        try reporting {
            let ws = try openWorkspace()
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
}
