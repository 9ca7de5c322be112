import ArgumentParser
import SDSCore
import SDSStore

struct Checkout: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put tracked data back to the version its pointer files name, from the store.",
        discussion: """
            Without REV, uses the pointer files in the work tree (what 'git checkout' left there). With REV (HEAD~1, a branch, a tag, a commit id), reads that commit's pointer files with libgit2 without touching the git work tree, so 'sds status' then shows the data as modified against the work tree's pointers.

            Every byte written is checked against its object id. A file whose current content is not in the store (a local change not saved with 'sds add') is never overwritten without --force: checkout lists such files and writes nothing (exit 73). Files inside a tracked folder that are not in the version are kept (and listed) unless --force removes them.

            Files are placed as copies, not hardlinks: an editor that writes in place through a hardlink would silently corrupt the stored object for every version that shares it.
            """)

    @Argument(help: "[REV] [PATH…]: an optional git revision, then tracked paths (default: all).")
    var arguments: [String] = []

    @Flag(help: "Overwrite local changes and remove files that are not in the version.")
    var force = false

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    func run() throws {
        try reporting {
            let ws = try openWorkspace()
            let held = try lock(ws, "checkout")
            defer { withExtendedLifetime(held) {} }
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

    private func isTrackedPath(_ arg: String, _ ws: Workspace) throws -> Bool {
        guard let rel = try? ws.relativePath(arg) else { return false }
        let data = rel.hasSuffix(".sds") ? String(rel.dropLast(4)) : rel
        return try FileIO.lstat(ws.absolute(data + ".sds")) != nil || FileIO.lstat(ws.absolute(rel)) != nil
    }
}
