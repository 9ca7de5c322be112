import ArgumentParser
import SDSCore
import SDSRemote
import SDSStore

struct Push: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send data, builds and tags to a remote, so another clone can fetch them.",
        discussion: """
            Without WHAT, pushes everything the work tree's pointer files, its sds.lock files and the local tags name. WHAT may be a tracked path, a tag, a build id (or prefix) or a git revision. A build travels with everything 'sds verify' and 'sds checkout --outputs' need: its manifest, spec, inputs, every step result and the shards.

            Only what the remote lacks is sent (one listing, plus each pack index not seen before): small objects in packs of a few MiB, large ones in parts, several at once. Objects land first, then pack indexes, then the list of what each build needs, then tags, so a reader never sees a tag whose objects are not all there, and a push stopped at any point sends only the rest when run again. A tag that names another build on the remote is refused (exit 73) unless --force.

              sds push                  everything the work tree and the tags need
              sds push v1               one tag and its build
              sds push data/            one tracked path
              sds push -r backup --all-tags --json
            """)

    @OptionGroup var options: TransferOptions
    @Argument(help: "Tracked paths, tags, build ids or git revisions (default: everything the work tree and the tags name).")
    var what: [String] = []
    @Flag(help: "Push every local tag.") var allTags = false
    @Flag(help: "Push the builds the lock files name.") var builds = false
    @Flag(help: "Move a remote tag that names another build.") var force = false

    func run() throws {
        // The store lock is shared with builds, so gc cannot remove an object while it is being sent.
        try reporting { try options.withRemote("push") { _, sync in
            let selection = try sync.pushSelection(what, allTags: allTags, builds: builds)
            let progress = TransferOutput.progress("push", quiet: options.silent)
            let s = try sync.push(selection, force: force, progress: progress)
            TransferOutput.endProgress(progress, quiet: options.silent)
            if options.json { return Output.line(TransferOutput.json("push", s, remote: sync.remote.backend.displayName)) }
            if options.quiet { return }
            for t in s.tags { Output.line("tag \(t.name): \(t.change) on the remote") }
            Output.line(s.objects == 0
                ? "remote \(sync.remote.backend.displayName) is up to date (\(s.roots) root(s), \(s.alreadyThere) object(s) there) in \(TransferOutput.time(s.seconds))"
                : "pushed \(s.objects) object(s), \(Output.bytes(s.bytes)) (\(s.packs) pack(s)) to \(sync.remote.backend.displayName) in \(TransferOutput.time(s.seconds)); \(s.alreadyThere) already there")
        } }
    }
}
