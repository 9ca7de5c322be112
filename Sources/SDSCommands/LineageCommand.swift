import ArgumentParser
import SDSCore
import SDSPipeline
import SDSStore

struct LineageCommand: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "Trace a shard file or an example back to its partitions, raw input rows and steps.",
        discussion: """
            Reads the build named by sds.lock (or --build). For a shard: its partitions (subjects), each with the input file objects and line ranges its rows came from, and every step (operator, version, key, result). For --example S0001/2016-04-12: the shard file and record number holding that example, and the same chain for its subject.
            """)

    @Argument(help: "A shard file of the output folder.")
    var shard: String?

    @Option(help: "An example key: ENTITY/DATE, e.g. S0001/2016-04-12 (studies: STUDY/PARTITION/DATE, or the window's start time for windows shorter than a day).")
    var example: String?

    @Option(help: "The lock file naming the build.")
    var lock: String = "sds.lock"

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard (shard == nil) != (example == nil) else { throw ValidationError("give a shard file or --example KEY") }
    }

    func run() throws {
        try reporting {
            let ws = try openWorkspace()
            guard let build = try RecordedBuild.fromLock(ws, lockPath: try ws.relativePath(lock)) else {
                throw SDSError(.notFound, "no build recorded yet ('\(lock)' is missing)", hint: "run 'sds build' first")
            }
            let lineage = Lineage(workspace: ws, build: build)
            let result = try shard.map { try lineage.shard($0) } ?? lineage.example(example!)
            if json { return Output.line(String(decoding: result.canonical(), as: UTF8.self)) }
            render(result)
        }
    }

    private func render(_ j: JSON) {
        func str(_ v: JSON?) -> String {
            switch v {
            case .string(let s)?: s
            case .int(let n)?: String(n)
            default: "?"
            }
        }
        func short(_ v: JSON?) -> String { String(str(v).prefix(12)) }
        guard case .object(let o) = j else { return }
        if let ex = o["example"] {
            Output.line("example \(str(ex)): record \(str(o["record"])) of \(str(o["file"])) (build \(short(o["build"])))")
            if let p = o["partition"] { renderPartition(p, str: str, short: short) }
        } else {
            Output.line("\(str(o["file"])): \(str(o["examples"])) examples, split \(str(o["split"])), id \(short(o["id"])) (build \(short(o["build"])), spec \(short(o["spec"])))")
            if case .array(let parts)? = o["partitions"] { for p in parts { renderPartition(p, str: str, short: short) } }
        }
    }

    private func renderPartition(_ p: JSON, str: (JSON?) -> String, short: (JSON?) -> String) {
        guard case .object(let o) = p else { return }
        Output.line("partition \(str(o["entity"]))")
        if case .array(let sources)? = o["sources"] {
            for case .object(let s) in sources {
                Output.line("  \(str(s["source"]).padding(12)) \(str(s["path"])) lines \(str(s["first_line"]))-\(str(s["last_line"])) (input \(short(s["input"])))")
            }
        }
        if case .array(let steps)? = o["steps"] {
            for case .object(let s) in steps {
                Output.line("  \(str(s["op"])) v\(str(s["version"])): key \(short(s["key"])) -> \(short(s["result"]))")
            }
        }
    }
}
