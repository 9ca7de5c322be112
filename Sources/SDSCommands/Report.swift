import ArgumentParser
import Glibc
import SDSCore
import SDSPipeline
import SDSReport
import SDSStore

struct Report: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a build, or the difference of two versions, as one self-contained HTML page.",
        discussion: """
            With one VERSION (default: the last build), the page shows the build: a summary (dataset, build id, the git commit it was first built at, inputs with their ids, steps run and reused, examples and subjects per split, rows → windows → examples per study); coverage (a heatmap per channel of partitions by window, coloured by the share of slots holding a value, each window a filter dropped marked with that filter); distributions per feature and split (histograms, missing shares); bad rows by reason with their first file:line; the statistics tables (sortable); and lineage (each shard's partitions and the raw input lines they came from).

            With two versions A B, the page shows what moved from A to B: inputs, spec and code changes and the steps redone, as 'sds diff' lists them; shards rewritten; example keys added, removed and changed; the build report's numbers side by side; and per feature and split the two histograms overlaid, the population stability index (PSI) and the Kolmogorov–Smirnov distance (KS).

            A VERSION is a tag, a build id or a unique prefix of one, a git revision (the build its committed sds.lock names), or, as B only, 'workspace'.

            The page reads only what the build recorded (manifest, step results, statistics computed at build time), never the input data, so it takes well under a second. It is one file with no network access and nothing to fetch: styles, charts (SVG written by sds, no chart library) and a few lines of script that sort tables are inline, and a content security policy forbids loading anything else. It follows the light or dark scheme, prints, and has a table beside each chart. The same build gives the same bytes (no clock, no random ids), so a report can itself be versioned.

              sds report                      the last build, to report.html
              sds report v1 -o v1.html
              sds report v1 v2                what moved from v1 to v2, to report-diff.html
              sds report v1 workspace -o -    against the work tree (built or not), to stdout

            More: docs/report.md.
            """)

    @Argument(help: "The version to show, or the first of two to compare (default: the last build).")
    var a: String?

    @Argument(help: "The second version: compare A with it.")
    var b: String?

    @Option(name: .shortAndLong, help: "The file to write ('-' for stdout; default: report.html, or report-diff.html for two versions).")
    var output: String?

    @Option(help: "The pipeline spec, relative to the current folder.")
    var spec: String = "sds.yaml"

    func run() throws {
        try reporting {
            let ws = try openWorkspace()
            let page: String
            if let b {
                let specPath = try ws.relativePath(spec)
                let resolver = try versionResolver(ws, spec: spec)
                let va = try a.map(resolver.resolve) ?? resolver.lastBuild()
                let vb = try resolver.resolve(b)
                guard va.build != nil else {
                    throw SDSError(.usage, "'\(va.name)' is not a build; give the work tree as the second version",
                                   hint: "sds report \(b) workspace")
                }
                page = try DiffPage.load(workspace: ws, a: try VersionSnapshot(va, workspace: ws, specPath: specPath),
                                         b: try VersionSnapshot(vb, workspace: ws, specPath: specPath)).render()
            } else {
                let build = try recordedBuild(a, ws, spec: spec, why: "a report shows a build; 'sds report LAST workspace' compares with the work tree")
                page = try BuildPage.load(workspace: ws, build: build).render()
            }
            let target = output ?? (b == nil ? "report.html" : "report-diff.html")
            if target == "-" {
                var bytes = Array(page.utf8), done = 0
                while done < bytes.count {
                    let n = bytes.withUnsafeMutableBytes { Glibc.write(1, $0.baseAddress! + done, $0.count - done) }
                    if n <= 0 { throw SDSError(.io, "cannot write the report to stdout") }
                    done += n
                }
            } else {
                let path = target.hasPrefix("/") ? target : FileIO.currentDirectory() + "/" + target
                try FileIO.writeFileAtomically(path, Array(page.utf8))
                Output.line("wrote \(target) (\(Output.bytes(Int64(page.utf8.count))))")
            }
        }
    }
}
