import ArgumentParser
import SDSCore
import SDSRemote
import SDSStore

struct Add: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        abstract: "Store files or folders and write their pointer files (PATH.sds).",
        discussion: """
            Each PATH is hashed (SHA-256, on all cores) and copied into the store in one read; then PATH.sds is written and '/PATH' is added to the .gitignore beside it. Commit the .sds file. Files whose size, mtime, ctime and inode are unchanged since sds last read them are not read again. A file that changes while it is being read is reported and nothing is stored for it.

            In folders: symlinks are stored as links (their target text; never followed), empty files and empty folders are kept, the executable bit is kept, sockets/FIFOs/devices are skipped with a warning, and names that are not valid UTF-8 are an error.

            With '[cache] link = hardlink' (or symlink) in .sensorstore/config, each file just read is then replaced by a read-only link to its object, so the data is kept once ('sds unprotect PATH' before editing it). See 'sds help unprotect' and docs/remotes.md.

            --to-remote sends the data to a remote instead of the local store (one read to hash, one to send; small files in packs, large ones as themselves) and then writes PATH.sds: the work tree keeps its one copy, the store none. Another clone gets it with 'sds pull'; here 'sds status' says "not in store". Objects land before the pointer, so a command stopped midway leaves no pointer to missing data, and a rerun sends only the rest.

              sds add data/raw
              sds add --to-remote -r s3 recordings/2026-11.bin
            """)

    @Argument(help: "Files or folders to store.")
    var paths: [String]

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    @Flag(help: "Send the data to a remote instead of the local store, then write the pointer.")
    var toRemote = false

    @Option(name: .shortAndLong, help: "With --to-remote: the remote (default: the default remote).")
    var remote: String?

    func validate() throws {
        if remote != nil && !toRemote { throw ValidationError("-r/--remote goes with --to-remote") }
    }

    func run() throws {
        try reporting {
            let ws = try openWorkspace()
            let held = try lock(ws, "add")
            defer { withExtendedLifetime(held) {} }
            if toRemote { return try addToRemote(ws) }
            for r in try Adder(workspace: ws).add(paths) {
                for w in r.warnings { Output.warning(w) }
                if quiet { continue }
                let what = r.pointer.kind == .dir ? "\(r.pointer.files) files, " : ""
                let change = r.previous == nil ? "added" : r.previous == r.pointer ? "unchanged" : "updated"
                Output.line("\(change) \(r.path) (\(what)\(Output.bytes(r.pointer.size)); read \(r.hashedFiles) file(s), \(Output.bytes(r.hashedBytes))) -> \(r.path).sds \(r.pointer.id.short)")
                if r.linked > 0 { Output.line("  linked \(r.linked) file(s) to the store (read-only; 'sds unprotect' to edit)") }
            }
        }
    }

    private func addToRemote(_ ws: Workspace) throws {
        let sync = try RemoteSync.open(ws, remote: remote, lockPath: "sds.lock")
        for p in paths {
            let progress = TransferOutput.progress("add", quiet: quiet)
            let r = try RemoteAdd(sync: sync).add(p, progress: progress)
            TransferOutput.endProgress(progress, quiet: quiet)
            for w in r.warnings { Output.warning(w) }
            if quiet { continue }
            let change = r.previous == nil ? "added" : r.previous == r.pointer ? "unchanged" : "updated"
            Output.line("\(change) \(r.path) (\(Output.bytes(r.pointer.size))) to remote \(sync.remote.backend.displayName): "
                + "sent \(r.objects) object(s), \(Output.bytes(r.bytes)); \(r.alreadyThere) already there -> \(r.path).sds \(r.pointer.id.short)")
        }
    }
}
