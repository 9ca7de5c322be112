import ArgumentParser
import SDSCore
import SDSStore

/// Shared steps of verbs that work on a store: find it, and lock it when writing.
protocol StoreCommand {}

extension StoreCommand {
    func openWorkspace() throws -> Workspace { try Workspace.find() }

    func lock(_ ws: Workspace, _ command: String) throws -> StoreLock {
        try StoreLock(workspace: ws, command: command) { Output.error("sds: " + $0) }
    }
}
