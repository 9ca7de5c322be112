import ArgumentParser
import SDSCore
import SDSStore

struct Add: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        abstract: "Store files or folders and write their pointer files (PATH.sds).",
        discussion: """
            Each PATH is hashed (SHA-256, on all cores) and copied into the store in one read; then PATH.sds is written and '/PATH' is added to the .gitignore beside it. Commit the .sds file. Files whose size, mtime, ctime and inode are unchanged since sds last read them are not read again. A file that changes while it is being read is reported and nothing is stored for it.

            In folders: symlinks are stored as links (their target text; never followed), empty files and empty folders are kept, the executable bit is kept, sockets/FIFOs/devices are skipped with a warning, and names that are not valid UTF-8 are an error.
            """)

    @Argument(help: "Files or folders to store.")
    var paths: [String]

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    func run() throws {
        try reporting {
            let ws = try openWorkspace()
            let held = try lock(ws, "add")
            defer { withExtendedLifetime(held) {} }
            for r in try Adder(workspace: ws).add(paths) {
                for w in r.warnings { Output.warning(w) }
                if quiet { continue }
                let what = r.pointer.kind == .dir ? "\(r.pointer.files) files, " : ""
                let change = r.previous == nil ? "added" : r.previous == r.pointer ? "unchanged" : "updated"
                Output.line("\(change) \(r.path) (\(what)\(Output.bytes(r.pointer.size)); read \(r.hashedFiles) file(s), \(Output.bytes(r.hashedBytes))) -> \(r.path).sds \(r.pointer.id.short)")
            }
        }
    }
}
