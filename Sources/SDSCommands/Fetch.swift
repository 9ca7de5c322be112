import ArgumentParser
import SDSCore
import SDSRemote
import SDSStore

struct Fetch: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bring data, builds and tags from a remote into the local store (the work tree is not touched).",
        discussion: """
            Without WHAT, fetches what the work tree's pointer files, its sds.lock files and the local tags name. WHAT may be a tag on the remote (it becomes a local tag), a build id (or prefix), a tracked path or a git revision (its pointer files and sds.lock). Every object is hashed before it enters the store: a damaged one is named and nothing of it is stored (exit 65). A fetched build's steps enter the step cache, so the next 'sds build' reuses them.

              git clone URL && cd REPO
              sds fetch v1 && sds verify v1          reproduce a teammate's training set
              sds fetch --all-tags
              sds pull                                fetch, then checkout the work tree's data
            """)

    @OptionGroup var options: TransferOptions
    @Argument(help: "Tags, build ids, tracked paths or git revisions (default: everything the work tree and the tags name).")
    var what: [String] = []
    @Flag(help: "Fetch every tag of the remote.") var allTags = false
    @Flag(help: "Move a local tag that names another build.") var force = false

    func run() throws {
        try reporting { try options.withRemote("fetch") { _, sync in
            let s = try fetch(sync, what: what, allTags: allTags, force: force, quiet: options.silent)
            if options.json { return Output.line(TransferOutput.json("fetch", s, remote: sync.remote.backend.displayName)) }
            if !options.quiet { Fetch.describe(s, sync) }
        } }
    }

    static func describe(_ s: RemoteSync.Summary, _ sync: RemoteSync) {
        for t in s.tags { Output.line("tag \(t.name): \(t.change)") }
        Output.line(s.objects == 0
            ? "nothing to fetch: the store has all \(s.roots) root(s) need (\(TransferOutput.time(s.seconds)))"
            : "fetched \(s.objects) object(s), \(Output.bytes(s.bytes)) from \(sync.remote.backend.displayName) in \(TransferOutput.time(s.seconds))"
                + (s.stepsLearned > 0 ? "; \(s.stepsLearned) step(s) now in the step cache" : ""))
    }
}

extension StoreCommand {
    func fetch(_ sync: RemoteSync, what: [String], allTags: Bool, force: Bool, quiet: Bool) throws -> RemoteSync.Summary {
        let selection = try sync.fetchSelection(what, allTags: allTags)
        let progress = TransferOutput.progress("fetch", quiet: quiet)
        let s = try sync.fetch(selection, force: force, progress: progress)
        TransferOutput.endProgress(progress, quiet: quiet)
        return s
    }
}
