import ArgumentParser
import SDSCore
import SDSPipeline
import SDSStore

struct Fsck: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every object's hash and everything reachable: pointers, tags, locks, builds, the step cache.",
        discussion: """
            Prints one line per problem: '<severity>: <problem-id>: <subject>: <detail>'. Problem ids are stable: hash-mismatch, bad-object-name, unreadable-object, bad-tree, missing-object, bad-pointer, bad-tag, bad-lock, bad-manifest, bad-record, lock-mismatch, and the warnings bad-cache-row (a step-cache row whose result is missing or damaged: that step runs again) and stale-temp. Every sds.lock in the work tree, every tag and every logged build is followed to its manifest and what it reaches. Exit status 1 if any error was found.

            --repair drops step-cache rows whose result object is missing or damaged (the next build recomputes those steps).
            """)

    @Flag(help: "Drop step-cache rows whose result object is missing or damaged.")
    var repair = false

    func run() throws {
        var failed = false
        try reporting {
            let ws = try openWorkspace()
            var report = try SDSStore.Fsck(workspace: ws).run()
            let builds = try BuildFsck(workspace: ws).run(damaged: report.damaged, repair: repair)
            report.problems += builds.problems
            for p in report.problems { Output.line(p.line) }
            Output.line("checked \(report.objectsChecked) object(s), \(report.pointersChecked) pointer(s), "
                + "\(builds.locksChecked) lock(s), \(builds.buildsChecked) build(s), \(builds.cacheRowsChecked) cache row(s): "
                + "\(report.errorCount) error(s)" + (repair ? ", \(builds.cacheRowsDropped) cache row(s) dropped" : ""))
            let ids = Set(report.problems.map(\.id))
            if ids.contains(.hashMismatch) || ids.contains(.unreadableObject) || ids.contains(.badTree) {
                Output.error("hint: damaged objects cannot be used; delete them (rm .sensorstore/objects/ab/cdef…) and "
                    + "run 'sds add' on the original data, or copy them from another store")
            }
            if ids.contains(.badCacheRow) && !repair {
                Output.error("hint: 'sds fsck --repair' drops the step-cache rows whose results are missing or damaged; the next build recomputes them")
            }
            if ids.contains(.lockMismatch) || ids.contains(.badLock) {
                Output.error("hint: restore sds.lock from git ('git checkout -- sds.lock') or run 'sds build' to write it anew")
            }
            if ids.contains(.missingObject) {
                Output.error("hint: missing objects come from data added elsewhere; run 'sds add' where the data exists")
            }
            failed = report.errorCount > 0
        }
        if failed { throw ExitCode(ExitStatus.differences) }
    }
}
