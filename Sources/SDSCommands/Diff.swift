import ArgumentParser
import SDSCore
import SDSPipeline
import SDSStore

struct Diff: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what differs between two versions of the dataset.",
        discussion: """
            A VERSION is a tag ('sds tag'), a build id or a unique prefix of one, a git revision (the build its committed sds.lock names), or 'workspace' (the current spec and inputs, built or not). Without arguments, compares the last build (sds.lock) with the workspace; with one, that version with the workspace.

            Sections, in order, each shown only when something differs: inputs (files added, removed, modified, with size and row counts), spec (each changed parameter by its path in sds.yaml), code (sds and operator versions, git commits), work (steps recomputed or reused), outputs (per split: shards changed, example counts), statistics (per split and feature: count, mean, std, min, max, missing ratio, largest relative change first; label distribution), and with --examples the example keys added, removed or changed.

            Only metadata is read (statistics are computed at build time and kept in the manifest), so a diff is fast whatever the dataset's size.

              sds diff                      last build against the work tree
              sds diff v1 v2                two tags
              sds diff HEAD~1 HEAD --json   the builds two commits pinned
              sds diff v1 workspace --examples

            Exit status: 0 when the versions are equal, 1 when they differ.
            """)

    @Argument(help: "The first version (default: the last build).")
    var a: String?

    @Argument(help: "The second version (default: workspace).")
    var b: String?

    @Flag(help: "Also list example keys (ENTITY/DATE) added, removed and changed, per split.")
    var examples = false

    @Option(help: "The pipeline spec, relative to the current folder.")
    var spec: String = "sds.yaml"

    @Flag(help: "Print every section as JSON.")
    var json = false

    @OptionGroup var remote: OfflineOption

    func run() throws {
        var equal = true
        try reporting {
            let ws = try openWorkspace()
            let specPath = try ws.relativePath(spec)
            let resolver = try versionResolver(ws, spec: spec)
            for v in [a, b ?? "workspace"] { try AutoFetch.version(v, ws, lockPath: try lockPath(ws, spec: spec), offline: remote.offline) }
            let va = try a.map(resolver.resolve) ?? resolver.lastBuild()
            let vb = try resolver.resolve(b ?? "workspace")
            let result = try BuildDiff.compare(try VersionSnapshot(va, workspace: ws, specPath: specPath),
                                               try VersionSnapshot(vb, workspace: ws, specPath: specPath),
                                               workspace: ws, examples: examples)
            equal = result["equal"] == .bool(true)
            if json { return Output.line(result.canonicalText) }
            DiffOutput.render(result)
        }
        if !equal { throw ExitCode(ExitStatus.differences) }
    }
}
