import ArgumentParser
import SDSCore
import SDSPipeline
import SDSStore

struct Status: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each tracked path as unchanged, modified, missing or not in store.",
        discussion: """
            Compares the data in the work tree with its pointer file. Only files whose stat changed are read. 'not in store' means the data matches the pointer but the store lacks some of its objects (run 'sds add' to store them again). Exit status: 0 when every path is unchanged, 1 otherwise. --porcelain prints '<state> <path>' lines (state: unchanged, modified, missing, not-in-store) that stay stable across versions.

            With a pipeline spec (sds.yaml in the current folder, or --spec) and no PATH given, status also computes the build the work tree would make, without writing anything, and compares it with the spec's lock: 'up to date' means a build would record the same build id and the output folder already holds its bytes. Otherwise it lists the steps a build would run and why, and the output files it would write or restore; the exit status is then 1. To stay quick, status does not run 'run:' steps: when one would run, what follows it is counted as changed ('at least'); 'sds build --dry-run' runs them and gives the build's exact counts. --porcelain leaves the build out, so git hooks stay fast.
            """)

    @Option(help: "The pipeline spec, relative to the current folder (its lock is the last build).")
    var spec: String = "sds.yaml"

    @Argument(help: "Tracked paths, pointer files or folders holding them (default: all).")
    var paths: [String] = []

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Print stable '<state> <path>' lines for scripts.")
    var porcelain = false

    @Flag(name: .shortAndLong, help: "List the changed files inside modified folders.")
    var verbose = false

    @Flag(name: .shortAndLong, help: "Print nothing; only set the exit status.")
    var quiet = false

    @Flag(help: "Also hash the last build's step results and shards; damaged ones are listed and the next build recomputes them.")
    var verify = false

    @Flag(help: "Compare with the remote instead: what a push would send, what a fetch would bring (exit 1 if anything).")
    var remote = false

    @Option(name: .customShort("r"), help: "The remote for --remote (default: the default remote).")
    var remoteName: String?

    func run() throws {
        var clean = true
        try reporting {
            let ws = try openWorkspace()
            if remote {
                clean = try RemoteStatus.run(ws, remote: remoteName, lockPath: BuildRecorder.lockPath(forSpec: try ws.relativePath(spec)),
                                             json: json, quiet: quiet)
                return
            }
            let results = try StatusChecker(workspace: ws).status(try ws.trackedPaths(paths))
            clean = results.allSatisfy { $0.state == .unchanged }
            // With a pipeline spec here, also say what a build would redo.
            let specPath = try ws.relativePath(spec)
            let specExists = try FileIO.lstat(ws.absolute(specPath)) != nil
            let hasSpec = paths.isEmpty && specExists && !porcelain
            // A spec that cannot be planned (bad YAML, a missing input) does not hide the data's status.
            var plan: BuildPlan?
            var planError: SDSError?
            // Before planning: what is found damaged leaves the step cache, so the plan counts it.
            let damaged = hasSpec && verify ? try ResultCheck.run(ws, lockPath: BuildRecorder.lockPath(forSpec: specPath)) : []
            if !damaged.isEmpty {
                clean = false
                if !quiet {
                    for d in damaged { Output.line((d.missing ? "missing:" : "damaged:").padding(14) + "\(d.what) (object \(d.id.hex))") }
                    Output.error("hint: 'sds build' recomputes them and writes their true bytes")
                }
            }
            if hasSpec {
                // build.remote_cache: the plan asks the remote's step cache, as the build will.
                let shared = try AutoFetch.stepCache(ws, lockPath: BuildRecorder.lockPath(forSpec: specPath), flag: false, offline: false)
                do {
                    do {
                        plan = try BuildPlan.make(workspace: ws, specPath: specPath, userCode: false, remoteSteps: shared)
                    } catch let e as SDSError where e.kind == .badData && Workspace.takeIndexDamage() {
                        // The index was damaged: a fresh open moves it aside and rebuilds it.
                        plan = try BuildPlan.make(workspace: try openWorkspace(), specPath: specPath, userCode: false, remoteSteps: shared)
                    }
                } catch let e as SDSError { planError = e }
            }
            if let plan, !plan.upToDate { clean = false }
            if planError != nil { clean = false }
            defer { if let planError, !quiet { Output.error("build: cannot plan a build\n" + planError.description) } }
            defer { if let plan, !quiet, !json, !porcelain { PlanOutput.print(plan, json: false) } }
            if quiet { return }
            if json { return Output.line(Self.json(results, clean: clean, plan: plan.map(PlanOutput.json))) }
            for r in results {
                for w in r.warnings { Output.warning(w) }
                if porcelain {
                    Output.line("\(r.state.rawValue.replacingOccurrences(" ", "-")) \(r.path)")
                    continue
                }
                var line = (r.state.rawValue + ":").padding(14) + r.path
                if r.state == .modified && !r.changes.isEmpty {
                    let added = r.changes.filter { $0.kind == .added }.count
                    let removed = r.changes.filter { $0.kind == .removed }.count
                    let modified = r.changes.count - added - removed
                    line += " (\(modified) modified, \(added) added, \(removed) removed)"
                }
                if r.state != .notInStore && !r.inStore { line += " [not in store]" }
                Output.line(line)
                if verbose { for c in r.changes { Output.line("    \(c.kind.rawValue): \(c.path)") } }
            }
            if results.isEmpty && !hasSpec { Output.line("nothing tracked yet; 'sds add PATH' starts tracking a file or folder") }
            if !clean && !porcelain { Self.hint(results, plan: plan, planFailed: planError != nil, spec: spec) }
        }
        if !clean { throw ExitCode(ExitStatus.differences) }
    }

    /// The next command, as git's status suggests one (on stderr, after the build's lines).
    static func hint(_ results: [PathStatus], plan: BuildPlan?, planFailed: Bool, spec: String) {
        let specArg = spec == Spec.fileName ? "" : " --spec \(spec)"
        var hints: [String] = []
        if results.contains(where: { $0.state == .modified }) { hints.append("'sds add PATH' records changed data (then commit its .sds file)") }
        if results.contains(where: { $0.state == .missing || $0.state == .notInStore || !$0.inStore }) {
            hints.append("'sds checkout PATH' restores missing data from the store")
        }
        if planFailed { hints.append("fix the spec or its inputs, then 'sds build\(specArg) --dry-run'") }
        if let plan, !plan.upToDate { hints.append("'sds build\(specArg)' brings \(plan.lockPath) and the output up to date") }
        for h in hints { Output.error("hint: " + h) }
    }

    static func json(_ results: [PathStatus], clean: Bool, plan: JSON?) -> String {
        var top: [String: JSON] = [
            "clean": .bool(clean),
            "paths": .array(results.map { r in
                .object([
                    "path": .string(r.path), "state": .string(r.state.rawValue), "kind": .string(r.pointer.kind.rawValue),
                    "id": .string(r.pointer.id.hex), "current_id": r.currentID.map { .string($0.hex) } ?? .null,
                    "in_store": .bool(r.inStore),
                    "changes": .array(r.changes.map { .object(["change": .string($0.kind.rawValue), "path": .string($0.path)]) }),
                ])
            }),
        ]
        if let plan { top["build"] = plan }
        return String(decoding: JSON.object(top).canonical(), as: UTF8.self)
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }

    func replacingOccurrences(_ a: Character, _ b: Character) -> String { String(map { $0 == a ? b : $0 }) }
}
