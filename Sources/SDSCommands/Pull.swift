import ArgumentParser
import SDSCore
import SDSRemote
import SDSStore

struct Pull: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fetch from a remote, then check out the work tree's data ('sds fetch' + 'sds checkout').",
        discussion: """
            Fetches what the work tree's pointer files, sds.lock files and local tags name (or WHAT), then puts the tracked data in place as 'sds checkout' does: a file with local changes that are not in the store is never overwritten without --force (exit 73).

              git pull && sds pull
            """)

    @OptionGroup var options: TransferOptions
    @Argument(help: "Tags, build ids, tracked paths or git revisions to fetch (default: everything the work tree names).")
    var what: [String] = []
    @Flag(help: "Overwrite local changes in tracked paths; move local tags.") var force = false

    func run() throws {
        try reporting { try options.withRemote("pull") { ws, sync in
            let s = try fetch(sync, what: what, allTags: false, force: force, quiet: options.silent)
            let report = try SDSStore.Checkout(workspace: ws, force: force).run(try ws.trackedPaths([]))
            if options.json { return Output.line(TransferOutput.json("pull", s, remote: sync.remote.backend.displayName)) }
            if options.quiet { return }
            Fetch.describe(s, sync)
            Output.line("checked out: \(report.written.count) file(s) written, \(report.unchangedPaths.count) path(s) already up to date")
        } }
    }
}
