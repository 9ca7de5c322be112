import ArgumentParser
import SDSCore
import SDSStore

struct Fsck: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every object's hash and every pointer's objects.",
        discussion: """
            Prints one line per problem: '<severity>: <problem-id>: <subject>: <detail>'. Problem ids are stable: hash-mismatch, bad-object-name, unreadable-object, bad-tree, missing-object, bad-pointer, stale-temp (a warning). Exit status 1 if any error was found.
            """)

    func run() throws {
        var failed = false
        try reporting {
            let ws = try openWorkspace()
            let report = try SDSStore.Fsck(workspace: ws).run()
            for p in report.problems { Output.line(p.line) }
            Output.line("checked \(report.objectsChecked) object(s) and \(report.pointersChecked) pointer(s): "
                + "\(report.errorCount) error(s)")
            let ids = Set(report.problems.map(\.id))
            if ids.contains(.hashMismatch) || ids.contains(.unreadableObject) || ids.contains(.badTree) {
                Output.error("hint: damaged objects cannot be used; delete them (rm .sensorstore/objects/ab/cdef…) and "
                    + "run 'sds add' on the original data, or copy them from another store")
            }
            if ids.contains(.missingObject) {
                Output.error("hint: missing objects come from data added elsewhere; run 'sds add' where the data exists")
            }
            failed = report.errorCount > 0
        }
        if failed { throw ExitCode(ExitStatus.differences) }
    }
}
