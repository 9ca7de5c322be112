import ArgumentParser
import SDSCore
import SDSStore

struct Unprotect: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        abstract: "Give linked tracked files private, writable copies, so they can be edited.",
        discussion: """
            With '[cache] link = hardlink' or 'symlink' in .sensorstore/config (or config.local), checkout, pull and add place tracked files as read-only links to the store's objects: one copy of the data, and an edit cannot damage the store. Before editing such a file, unprotect it: it is replaced by a copy of its own (a reflink where the file system can clone, else a copy, checked against its id) that is writable. A file that is already its own is only made writable, so running it twice is harmless. After the edit, 'sds status' shows the path as modified and 'sds add' records it (and links it again).

            PATH may be a tracked file or folder, or a file or folder inside a tracked folder.

              sds unprotect data/day1.csv
              $EDITOR data/day1.csv && sds add data      # data/ is the tracked folder
            """)

    @Argument(help: "Tracked paths (or paths inside tracked folders) to make editable.")
    var paths: [String]

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    func run() throws {
        try reporting {
            let ws = try openWorkspace()
            let held = try lock(ws, "unprotect")
            defer { withExtendedLifetime(held) {} }
            let done = try SDSStore.Unprotect(workspace: ws).run(paths)
            if quiet { return }
            for p in done.prefix(20) { Output.line("unprotected \(p)") }
            Output.line(done.isEmpty ? "nothing to do: the files are already editable copies"
                                     : "\(done.count) file(s) are now editable copies")
        }
    }
}
