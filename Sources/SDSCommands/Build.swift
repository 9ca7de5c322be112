import ArgumentParser
import Glibc
import SDSCore
import SDSPipeline
import SDSStore

struct Build: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the dataset described by sds.yaml, reusing every unchanged step.",
        discussion: """
            Reads the spec, stores its input files, and runs the pipeline per partition (one subject of a study). A step whose key (operator name and version, the parameters it reads, the ids of its inputs) is already in the store is reused, from any earlier build. The output is a TFDS folder (OUTPUT/NAME/VERSION/) that tfds.builder_from_directory loads; the build is recorded as a manifest object and named in sds.lock, which git should track.

            User code runs as 'steps:' entries (run: a shell command), keyed by the command, the content ids of its declared code files, its declared environment variables and its input ids; a step whose key is known is not run again. A command that fails (exit 67), changes its inputs or writes no output stops the build. Declared code with uncommitted changes is a warning and marks the build dirty; --require-clean refuses instead.

            Each source is read by its declared reader (CSV, wide CSV, JSON Lines; timestamp formats and zones), each study merges its sources per partition, runs its 'transforms:' (clean, pivot, unpivot, resample, fill, difference, magnitude, rolling, expression), cuts windows, joins labels and attributes point-in-time, filters, captions and encodes examples; 'statistics:' tables go to the output folder as CSV and statistics.sqlite ('sds query'). Bad rows are set aside and counted by reason with their first file:line; --strict fails on the first one instead. See examples/fitbit and examples/robot.

            A failed build leaves the previous output folder and sds.lock untouched. A build of a work tree exactly as the last build left it (spec, lock, input files and output files with the same size, times and inode; the same sds and options) answers from a small record of that build without planning a step.
            """)

    @Option(help: "The pipeline spec, relative to the current folder.")
    var spec: String = "sds.yaml"

    @Option(name: .shortAndLong, help: "Worker threads (default: all cores). The output does not depend on it.")
    var jobs: Int = 0

    @Flag(help: "Print a JSON summary, with every step that ran.")
    var json = false

    @Flag(help: ArgumentHelp("Say exactly what a build would do (steps to run and reuse, output files to write or restore, whether the lock changes), and why; write nothing.",
                             discussion: "The dry run computes the build through a scratch folder outside the store, run steps included (in their own temp folders), and throws it away: its counts are the build's. Exit status 0 when the build would change nothing, 1 otherwise."))
    var dryRun = false

    @Flag(help: "Refuse to build when code declared by a run step has uncommitted changes (exit 73).")
    var requireClean = false

    @Flag(help: "Fail on the first bad row (exit 65) instead of setting bad rows aside and counting them.")
    var strict = false

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    @Option(name: .customLong("output-outside"),
            help: "Allow the spec's output: folder to be PATH, outside the work tree (refused otherwise). Repeatable.")
    var outputOutside: [String] = []

    @OptionGroup var remote: OfflineOption

    @Flag(help: ArgumentHelp("Ask the default remote's shared step cache for each step the local cache lacks, and download its result instead of computing it (also: build.remote_cache = true in .sensorstore/config).",
                             discussion: "Steps of every build pushed to the remote count. A result that cannot be fetched intact is computed instead."))
    var remoteCache = false

    func validate() throws {
        guard jobs >= 0 else { throw ValidationError("--jobs must be 0 (all cores) or more") }
    }

    func run() throws {
        // Like status: a dry run exits 1 when the build would change anything.
        var changes = false
        try reporting {
            let ws = try openWorkspace()
            let held = try lock(ws, "build")
            defer { withExtendedLifetime(held) {} }
            let allowedOutside = outputOutside.map { $0.hasPrefix("/") ? $0 : FileIO.currentDirectory() + "/" + $0 }
            if dryRun {
                // The plan asks the remote's step cache as the build would (its downloads stay in the scratch store).
                let shared = try AutoFetch.stepCache(ws, lockPath: BuildRecorder.lockPath(forSpec: try ws.relativePath(spec)),
                                                     flag: remoteCache, offline: remote.offline)
                let plan = try BuildPlan.make(workspace: ws, specPath: try ws.relativePath(spec), jobs: jobs,
                                              allowedOutside: allowedOutside, remoteSteps: shared)
                PlanOutput.print(plan, json: json)
                changes = !plan.upToDate
                return
            }
            let lockName = BuildRecorder.lockPath(forSpec: try ws.relativePath(spec))
            try AutoFetch.build(ws, lockPath: lockName, offline: remote.offline)
            var options = Builder.Options(jobs: jobs)
            options.requireClean = requireClean
            options.strict = strict
            options.warn = { Output.warning($0) }
            options.versionOverrides = Builder.Options.environmentOverrides()
            if !quiet && !json && isatty(2) != 0 { options.progress = Progress.start() }
            let shared = try AutoFetch.stepCache(ws, lockPath: lockName, flag: remoteCache, offline: remote.offline)
            options.remoteSteps = shared
            // An unchanged work tree: what the last build recorded, without planning a step.
            let specRel = try ws.relativePath(spec)
            let noop = NoopBuild(workspace: ws, specPath: specRel)
            let flags = NoopBuild.Flags(strict: strict, allowedOutside: allowedOutside, versionOverrides: options.versionOverrides)
            if shared == nil, let hit = noop.check(flags) {
                print(hit)
                return
            }
            noop.forget()
            let summary = try BuildRecorder(workspace: ws, specPath: specRel, allowedOutside: allowedOutside)
                .build(options)
            if options.progress != nil { Output.error("\r\u{1B}[K", newline: false) }
            print(render(summary, ran: summary.trace.filter(\.ran), fromRemote: shared?.hits ?? 0, lockName: lockName,
                         remoteCache: shared != nil))
            noop.record(summary, flags: flags, rendering: render(summary, ran: [], fromRemote: 0, lockName: lockName,
                                                                 remoteCache: false, rebuilt: true))
        }
        if changes { throw ExitCode(ExitStatus.differences) }
    }
}

extension Build {
    /// Prints a build's summary: its warnings, then the JSON line or the human lines.
    func print(_ r: NoopBuild.Rendering) {
        for w in r.warnings { Output.warning(w) }
        if json { return Output.line(r.json) }
        if quiet { return }
        for l in r.lines { Output.line(l) }
    }

    /// What a build prints; `rebuilt`: as a rebuild with nothing changed would print it
    /// (nothing ran, output and lock unchanged), for the no-op fast path.
    func render(_ summary: BuildRecorder.Summary, ran: [TraceEntry], fromRemote: Int, lockName: String,
                remoteCache: Bool, rebuilt: Bool = false) -> NoopBuild.Rendering {
        let report = summary.manifest.report ?? BuildReport()
        let j = JSON.object([
            "build": .string(summary.buildID.hex),
            // The rendering recorded for the no-op fast path is only printed by it.
            "fast_path": .bool(rebuilt),
            "output": .string(summary.outputPath),
            "steps_run": .int(Int64(ran.count)),
            "steps_reused": .int(Int64(summary.trace.count - ran.count)),
            "steps_from_remote": .int(Int64(fromRemote)),
            "ran": .array(ran.map { .string("\($0.op) \($0.partition)") }),
            "quarantined": .object(Dictionary(uniqueKeysWithValues: summary.manifest.quarantine.reasons.map {
                ($0.reason, JSON.object(["rows": .int(Int64($0.count)), "first": .array($0.locations.map { .string($0) })]))
            })),
            "report": report.json,
            "warnings": .array(report.warnings.map { .string($0) }),
            "shards": .array(summary.manifest.shards.map {
                .object(["file": .string($0.file), "id": .string($0.id.hex), "examples": .int(Int64($0.examples))])
            }),
        ])
        var lines: [String] = []
        var perSplit: [(String, Int)] = []
        // A shard index once, whatever the number of formats writing it.
        var counted: Set<[String]> = []
        for s in summary.manifest.shards where counted.insert([s.split, String(s.index)]).inserted {
            if let i = perSplit.firstIndex(where: { $0.0 == s.split }) { perSplit[i].1 += s.examples } else { perSplit.append((s.split, s.examples)) }
        }
        let total = perSplit.reduce(0) { $0 + $1.1 }
        lines.append("built \(summary.manifest.dataset.name) \(summary.manifest.dataset.version): \(total) examples ("
            + perSplit.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + ") in \(counted.count) shards"
            + (counted.count < summary.manifest.shards.count ? " (\(summary.manifest.shards.count) files, \(summary.manifest.shards.count / max(1, counted.count)) formats)" : ""))
        lines += ReportOutput.lines(report)
        lines.append("steps: \(ran.count) run, \(summary.trace.count - ran.count) reused"
            + (remoteCache ? " (\(fromRemote) from the remote's step cache)" : "") + "; output \(summary.outputPath)"
            + (summary.wroteOutput && !rebuilt ? "" : " (unchanged)"))
        let q = summary.manifest.quarantine
        if q.total > 0 {
            lines.append("set aside \(q.total) bad row\(q.total == 1 ? "" : "s") (--strict fails instead):")
            for r in q.reasons {
                lines.append("  \(r.count) \(r.reason), first at " + r.locations.joined(separator: ", "))
            }
        }
        lines.append("build \(summary.buildID.short)" + (summary.lockChanged && !rebuilt ? " (\(lockName) updated)" : ""))
        return NoopBuild.Rendering(json: String(decoding: j.canonical(), as: UTF8.self), lines: lines, warnings: report.warnings)
    }
}

/// A one-line progress display on a terminal (stderr); silent when piped.
enum Progress {
    static func start() -> @Sendable (Int, Int, Int64) -> Void {
        let started = FileIO.nowNs()
        return { done, total, bytes in
            guard total > 0 else {
                return Output.error("\r\u{1B}[Kbuilding: \(done) partitions done, reading input", newline: false)
            }
            let seconds = Double(FileIO.nowNs() - started) / 1e9
            let mbps = seconds > 0 ? Double(bytes) * Double(done) / Double(total) / seconds / 1e6 : 0
            Output.error("\r\u{1B}[Kbuilding: \(done)/\(total) partitions" + (bytes > 0 ? ", \(Int(mbps)) MB/s" : ""), newline: false)
        }
    }
}
