import ArgumentParser
import SDSCore
import SDSPipeline
import SDSStore

struct LineageCommand: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "Trace a shard file or an example back to its partitions, raw input rows and steps.",
        discussion: """
            Reads the build named by the spec's lock (sds.lock beside sds.yaml, or --spec), or the one --build names (a tag, a build id or a unique prefix of it, or a git revision whose committed sds.lock names it). For a shard: its partitions (subjects), each with the input file objects and line ranges its rows came from, and every step (operator, version, key, result) in pipeline order, from the read step to the shard. For --example S0001/2016-04-12: the shard file and record number holding that example (with two formats, both shard files: the record number is the same), its window, and for each source the raw lines of the rows whose time falls in that window, then the same steps.

              sds lineage --example S0001/2016-04-12
              sds lineage --example fitbit/1503960366/2016-04-12 --build v1
              sds lineage out/wearable/1.0.0/wearable-train.tfrecord-00003-of-00008 --json
            """)

    @Argument(help: "A shard file of the output folder.")
    var shard: String?

    @Option(help: "An example key: ENTITY/DATE, e.g. S0001/2016-04-12 (studies: STUDY/PARTITION/DATE, or the window's start time for windows shorter than a day).")
    var example: String?

    @Option(help: "The pipeline spec, relative to the current folder (its lock names the last build).")
    var spec: String = "sds.yaml"

    @Option(help: "The build to trace: a tag, a build id or unique prefix, or a git revision (default: the build the spec's lock names).")
    var build: String?

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard (shard == nil) != (example == nil) else { throw ValidationError("give a shard file or --example KEY") }
    }

    func run() throws {
        try reporting {
            let ws = try openWorkspace()
            let build = try recordedBuild(self.build, ws, spec: spec, why: "lineage traces a recorded build")
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
            // Each format's shard holds the example at the same record number.
            var files = str(o["file"])
            if case .array(let all)? = o["files"], all.count > 1 { files = all.map { str($0) }.joined(separator: " and ") }
            Output.line("example \(str(ex)): record \(str(o["record"])) of \(files) (build \(short(o["build"])))")
            if case .object(let w)? = o["window"] { Output.line("window \(str(w["start"])) to \(str(w["end"])) (end excluded)") }
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
                var inWindow = ""
                if case .array(let runs)? = s["window_lines"] {
                    let text = runs.map { r -> String in
                        guard case .array(let ab) = r, ab.count == 2 else { return "?" }
                        return ab[0] == ab[1] ? str(ab[0]) : "\(str(ab[0]))-\(str(ab[1]))"
                    }
                    inWindow = runs.isEmpty ? ": no rows in the window" : ": window rows at lines " + text.joined(separator: ", ")
                        + " (\(str(s["window_rows"])) lines)"
                } else if s["window_lines"] == .null {
                    inWindow = ": window rows not known exactly"
                }
                Output.line("  \(str(s["source"]).padding(12)) \(str(s["path"])) lines \(str(s["first_line"]))-\(str(s["last_line"])) (input \(short(s["input"])))" + inWindow)
            }
        }
        if case .array(let steps)? = o["steps"] {
            for case .object(let s) in steps {
                let part = str(s["partition"]) == str(o["entity"]) ? "" : " (\(str(s["partition"])))"
                Output.line("  \(str(s["op"])) v\(str(s["version"]))\(part): key \(short(s["key"])) -> \(short(s["result"]))")
            }
        }
    }
}
