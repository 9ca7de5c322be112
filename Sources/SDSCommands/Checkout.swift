import ArgumentParser
import SDSCore
import SDSPipeline
import SDSStore

struct Checkout: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put tracked data back to the version its pointer files name, from the store.",
        discussion: """
            Without REV, uses the pointer files in the work tree (what 'git checkout' left there). With REV (HEAD~1, a branch, a tag, a commit id), reads that commit's pointer files with libgit2 without touching the git work tree, so 'sds status' then shows the data as modified against the work tree's pointers.

            Every byte written is checked against its object id. A file whose current content is not in the store (a local change not saved with 'sds add') is never overwritten without --force: checkout lists such files and writes nothing (exit 73). Files inside a tracked folder that are not in the version are kept (and listed) unless --force removes them.

            Files are placed as '[cache] link' in .sensorstore/config (or config.local) says, trying each mode in turn: 'reflink, copy' by default (a copy-on-write clone where the file system can, else a copy; either is the file's own). 'hardlink' and 'symlink' keep the data once but place read-only links to the store's objects: run 'sds unprotect PATH' before editing one. Executable files are never linked. When the file system refuses a configured mode, one note on stderr says which mode is used instead.

            Version mode (--outputs, --inputs or --to): the first argument is a VERSION (a tag, a build id or prefix, or a git revision whose sds.lock names the build; default: the last build). --outputs restores that build's dataset folder (shards and TFDS metadata), --inputs its input files, both by default; --to DIR puts them under DIR laid out as beside sds.yaml (DIR/out/NAME/VERSION/, DIR/data/…) instead of in place. Objects missing from the store are listed, with how to get them back (exit 66).

              sds checkout v1 --outputs
              sds checkout v1 --to /tmp/v1
              sds checkout HEAD~2 --inputs
            """)

    @Argument(help: "[REV] [PATH…]: an optional git revision, then tracked paths (default: all).")
    var arguments: [String] = []

    @Flag(help: "Overwrite local changes and remove files that are not in the version.")
    var force = false

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    @Flag(help: "Version mode: restore the build's dataset folder.")
    var outputs = false

    @Flag(help: "Version mode: restore the build's input files.")
    var inputs = false

    @Option(help: "Version mode: restore under DIR instead of in place.")
    var to: String?

    @Option(help: "Version mode: the pipeline spec, relative to the current folder.")
    var spec: String = "sds.yaml"

    @OptionGroup var remote: OfflineOption

    var versionMode: Bool { outputs || inputs || to != nil }

    func validate() throws {
        if versionMode && arguments.count > 1 { throw ValidationError("version mode takes one VERSION, not paths") }
    }

    func run() throws {
        try reporting {
            let ws = try openWorkspace()
            let held = try lock(ws, "checkout")
            defer { withExtendedLifetime(held) {} }
            if versionMode { return try checkoutVersion(ws) }
            var args = arguments
            var rev: String?
            if let first = args.first, first != "--", try !isTrackedPath(first, ws) {
                if let repo = try ws.gitRepository(), (try? repo.resolveCommit(first)) != nil {
                    rev = first
                    args.removeFirst()
                }
            }
            args.removeAll { $0 == "--" }
            let targets = try rev.map { try ws.trackedPaths(atRevision: $0, selection: args) } ?? ws.trackedPaths(args)
            try AutoFetch.trackedPaths(targets, ws, lockPath: try lockPath(ws, spec: spec), offline: remote.offline)
            let report = try SDSStore.Checkout(workspace: ws, force: force).run(targets)
            if !report.keptExtras.isEmpty {
                Output.warning("kept \(report.keptExtras.count) path(s) that are not in this version (--force removes them):")
                for p in report.keptExtras.prefix(20) { Output.error("  \(p)") }
            }
            if quiet { return }
            for p in report.removed { Output.line("removed \(p)") }
            if report.written.count <= 20 {
                for p in report.written { Output.line("restored \(p)") }
            }
            Output.line("checked out \(targets.count) tracked path(s)\(rev.map { " at \($0)" } ?? ""): "
                + "\(report.written.count) file(s) written, \(report.removed.count) removed, "
                + "\(report.unchangedPaths.count) path(s) already up to date")
        }
    }

    private func checkoutVersion(_ ws: Workspace) throws {
        let specPath = try ws.relativePath(spec)
        try AutoFetch.version(arguments.first, ws, lockPath: try lockPath(ws, spec: spec), offline: remote.offline)
        let build = try recordedBuild(arguments.first, ws, spec: spec, why: "the work tree is already in place; name a build")
        let both = !outputs && !inputs
        let destination = to.map { $0.hasPrefix("/") ? $0 : FileIO.currentDirectory() + "/" + $0 }
        let r = try VersionCheckout(workspace: ws, force: force)
            .run(build, specDirectory: specPath.contains("/") ? FileIO.parentDirectory(specPath) : "",
                 outputs: outputs || both, inputs: inputs || both, destination: destination)
        if !r.report.keptExtras.isEmpty {
            Output.warning("kept \(r.report.keptExtras.count) path(s) that are not in this version (--force removes them):")
            for p in r.report.keptExtras.prefix(20) { Output.error("  \(p)") }
        }
        if quiet { return }
        var where_ = destination.map { " under \($0)" } ?? ""
        if let out = r.outputPath, destination == nil { where_ += ": outputs at \(out)" }
        if !r.inputPaths.isEmpty { where_ += ", \(r.inputPaths.count) input(s)" }
        Output.line("checked out build \(build.id.short)\(where_); \(r.report.written.count) file(s) written, \(r.report.removed.count) removed")
    }

    private func isTrackedPath(_ arg: String, _ ws: Workspace) throws -> Bool {
        guard let rel = try? ws.relativePath(arg) else { return false }
        let data = rel.hasSuffix(".sds") ? String(rel.dropLast(4)) : rel
        return try FileIO.lstat(ws.absolute(data + ".sds")) != nil || FileIO.lstat(ws.absolute(rel)) != nil
    }
}
