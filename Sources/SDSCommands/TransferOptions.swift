import ArgumentParser
import SDSCore
import SDSRemote
import SDSStore

/// The options push, fetch and pull share, and the opening they share: the workspace,
/// its store lock (so gc cannot remove what is being sent or stored) and the remote.
struct TransferOptions: ParsableArguments, StoreCommand {
    @Option(name: .shortAndLong, help: "The remote (default: the default remote).") var remote: String?
    @Option(help: "The pipeline spec, relative to the current folder (its sds.lock names a build).") var spec: String = "sds.yaml"
    @Flag(name: .shortAndLong, help: "Print nothing but errors.") var quiet = false
    @Flag(help: "Print a JSON summary.") var json = false

    /// Progress and messages are off with --quiet or --json.
    var silent: Bool { quiet || json }

    /// Opens the workspace and the remote under the store lock, held until `body` returns.
    func withRemote<T>(_ command: String, _ body: (Workspace, RemoteSync) throws -> T) throws -> T {
        let ws = try openWorkspace()
        let held = try lock(ws, command)
        defer { withExtendedLifetime(held) {} }
        return try body(ws, try RemoteSync.open(ws, remote: remote, lockPath: try lockPath(ws, spec: spec)))
    }
}
