import ArgumentParser
import SDSCore
import SDSStore

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a store (.sensorstore/) in the current folder.",
        discussion: """
            Works in a git repository (usually at its root) or a plain folder. The store's config and .gitignore are meant to be committed; objects, index, temp files and the lock stay local. Running it again in an existing workspace changes nothing.
            """)

    func run() throws {
        try reporting {
            let cwd = FileIO.currentDirectory()
            let (ws, created) = try Workspace.initialize(at: cwd)
            let git = try ws.gitRepository() != nil
            Output.line(created
                ? "Initialized an sds store in \(ws.storePath)" + (git ? "" : " (not a git repository: versions need git)")
                : "The sds store in \(ws.storePath) already exists; nothing changed")
        }
    }
}
