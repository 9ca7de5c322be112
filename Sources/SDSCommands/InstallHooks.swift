import ArgumentParser
import SDSCore
import SDSStore

struct InstallHooks: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        commandName: "install-hooks",
        abstract: "Install sds's git hooks (pre-commit, post-checkout) into this repository.",
        discussion: """
            pre-commit refuses a commit while tracked data differs from its pointer (changed without 'sds add'); post-checkout runs 'sds checkout' after switching branches. Running it again updates them in place. A hook you already had is kept as '<hook>.pre-sds' and run first. The hooks call 'sds' from PATH.
            """)

    func run() throws {
        try reporting {
            let ws = try openWorkspace()
            let repo = try ws.requireGit()
            for (name, outcome) in try HookInstaller(hooksDirectory: repo.hooksDirectory).install() {
                let note = outcome == .chained ? " (your existing hook is kept as \(name).pre-sds and runs first)" : ""
                Output.line("\(outcome.rawValue) \(name)\(note)")
            }
        }
    }
}
