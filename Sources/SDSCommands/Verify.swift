import ArgumentParser
import SDSCore
import SDSPipeline
import SDSStore

struct Verify: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prove a build is reproducible: rebuild it from the store alone and compare every shard.",
        discussion: """
            Copies the build's spec and inputs out of the store (each checked against its id) into a fresh temporary workspace with an empty store and step cache, runs every step again, and compares each rebuilt shard's id (the SHA-256 of its bytes) with the recorded one. Prints 'reproduced: N shards identical', or the first differing shard and the first step whose result diverged (exit 1).

            A build recorded with operator versions other than this binary's cannot be reproduced by it: verify lists the differing versions and exits 69 without rebuilding. Objects missing from the store are listed (exit 66).

              sds verify          the last build
              sds verify v1
              sds verify HEAD~2
            """)

    @Argument(help: "The version (default: the last build).")
    var version: String?

    @Option(help: "The pipeline spec, relative to the current folder.")
    var spec: String = "sds.yaml"

    @Option(name: .shortAndLong, help: "Worker threads for the rebuild (default: all cores).")
    var jobs: Int = 0

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var remote: OfflineOption

    func run() throws {
        var status: Int32 = 0
        try reporting {
            let ws = try openWorkspace()
            try AutoFetch.version(version, ws, lockPath: try lockPath(ws, spec: spec), offline: remote.offline)
            let build = try recordedBuild(version, ws, spec: spec, why: "run 'sds build' first")
            let o = try Verifier(workspace: ws).run(build, jobs: jobs)
            status = !o.operatorMismatches.isEmpty ? ExitStatus.otherCodeVersions : o.reproduced ? 0 : ExitStatus.differences
            if json {
                return Output.line(JSON.object([
                    "build": .string(build.id.hex), "reproduced": .bool(o.reproduced),
                    "shards": .int(Int64(o.shards)), "identical": .int(Int64(o.identical)),
                    "first_difference": o.firstDifference.map { .object(["file": .string($0.file), "step": $0.step.map { .string($0) } ?? .null]) } ?? .null,
                    "operator_mismatches": .array(o.operatorMismatches.map {
                        .object(["op": .string($0.op), "recorded": $0.recorded.map { .int(Int64($0)) } ?? .null,
                                 "current": $0.current.map { .int(Int64($0)) } ?? .null])
                    }),
                ]).canonicalText)
            }
            if !o.operatorMismatches.isEmpty {
                Output.line("cannot verify build \(build.id.short): it was recorded with other operator versions than this sds has:")
                for m in o.operatorMismatches {
                    Output.line("  \(m.op): recorded v\(m.recorded.map(String.init) ?? "none"), this sds v\(m.current.map(String.init) ?? "none")")
                }
                Output.line("rebuild it with the sds release that made it, or compare outputs with 'sds diff'")
            } else if let d = o.firstDifference {
                Output.line("not reproduced: \(o.identical) of \(o.shards) shards identical; first difference: \(d.file)"
                    + (d.step.map { ", diverged at step \($0)" } ?? ""))
            } else {
                Output.line("reproduced: \(o.shards) shards identical (build \(build.id.short))")
            }
        }
        if status != 0 { throw ExitCode(status) }
    }
}
