import SDSCore

extension Spec {
    /// A `steps:` entry: user code run as a pipeline step (`run:` a shell command).
    ///
    /// Its key holds the command text, the ids of its declared code files, the values of
    /// its declared environment variables and the ids of its inputs (see `RunStepExecutor`),
    /// so a code change is never missed and an unchanged script is never rerun.
    public struct RunStep: Sendable, Equatable {
        public struct Input: Sendable, Equatable {
            /// The name it is staged under (`in/NAME`) and its placeholder (`{inputs.NAME}`).
            public var name: String
            /// A work-tree file or folder (relative to sds.yaml), or `steps.OTHER`.
            public var path: String
        }

        public var name: String
        public var command: String
        public var inputs: [Input]
        /// The file or folder the command writes, inside `out/` of its temporary folder.
        public var output: String
        /// Files or folders (relative to sds.yaml) whose content ids enter the key.
        public var code: [String]
        /// Environment variables whose values enter the key (and the only ones passed, with PATH and HOME).
        public var env: [String]
        /// Per-partition mode: every CSV input is split by this column and the command runs once per value.
        public var perPartitionEntity: String?

        public var op: String { "run:" + name }
    }

    /// The prefix of a path that names a run step's output instead of a work-tree file.
    public static let stepReferencePrefix = "steps."

    /// The run step named by `path` (`steps.NAME`, or `steps.NAME/FILE` for a file inside a
    /// step's output folder), or nil for a work-tree path.
    public static func stepReference(_ path: String) -> String? {
        guard path.hasPrefix(stepReferencePrefix) else { return nil }
        return String(path.dropFirst(stepReferencePrefix.count).prefix { $0 != "/" })
    }

    /// The file inside a step's output folder that `path` names (`steps.NAME/FILE` → `FILE`).
    public static func stepOutputFile(_ path: String) -> String? {
        guard stepReference(path) != nil, let slash = path.firstIndex(of: "/") else { return nil }
        return String(path[path.index(after: slash)...])
    }

    /// Parses the top-level `steps:` mapping; a step may only name the outputs of steps above it,
    /// so the steps run in document order and can never form a cycle.
    /// `columns` receives the entity column each per-partition step's inputs must have.
    static func parseRunSteps(_ node: SpecNode?, columns: inout [InputColumns]) throws -> [RunStep] {
        var steps: [RunStep] = []
        for (name, n) in try node?.namedEntries() ?? [] {
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw n.error("step names must be letters, digits, '_' and '-', found \"\(name)\"")
            }
            let m = try n.mapping(allowed: ["run", "inputs", "outputs", "code", "env", "per_partition"],
                                  required: ["run", "outputs"])
            var inputs: [RunStep.Input] = []
            if let i = m["inputs"] {
                let entries: [(String?, SpecNode)]
                if case .mapping = i.node {
                    entries = try i.namedEntries().map { ($0.name, $0.node) }
                } else {
                    entries = try i.list().map { (nil, $0) }
                }
                for (given, pnode) in entries {
                    let path = try pnode.string()
                    if stepOutputFile(path) != nil {
                        throw pnode.error("'\(pnode.path)': a step's input is a whole output (steps.NAME), found \"\(path)\"",
                                          hint: "the command can open the file inside it: {inputs.NAME}/FILE")
                    }
                    if let ref = stepReference(path), !steps.contains(where: { $0.name == ref }) {
                        throw pnode.error("'\(pnode.path)': no step '\(ref)' above this one",
                                          hint: SpecNode.closest(ref, in: steps.map(\.name)).map { "did you mean 'steps.\($0)'?" }
                                              ?? "a step can use the outputs of the steps listed before it")
                    }
                    try checkRelative(path, pnode)
                    let inputName = given ?? stepReference(path) ?? FileIO.baseName(path)
                    guard !inputs.contains(where: { $0.name == inputName }) else {
                        throw pnode.error("'\(pnode.path)': two inputs are named '\(inputName)'",
                                          hint: "give them names: inputs: {a: PATH, b: PATH}")
                    }
                    inputs.append(RunStep.Input(name: inputName, path: path))
                }
            }
            let outNode = m["outputs"]!
            let output = try outNode.string()
            try checkRelative(output, outNode)
            var code: [String] = []
            for c in try m["code"]?.list() ?? [] {
                let p = try c.string()
                try checkRelative(p, c)
                code.append(p)
            }
            var env: [String] = []
            for e in try m["env"]?.list() ?? [] {
                let v = try e.string()
                guard let first = v.first, !first.isNumber, v.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                    throw e.error("'\(e.path)' must be an environment variable name, found \"\(v)\"")
                }
                env.append(v)
            }
            var entity: String?
            if let p = m["per_partition"] {
                let entityNode = try p.mapping(allowed: ["entity"], required: ["entity"])["entity"]!
                entity = try entityNode.string()
                guard !inputs.isEmpty else { throw p.error("per-partition mode needs inputs to split") }
                columns += inputs.map { InputColumns(input: $0.path, reader: "step '\(name)'", delimiter: UInt8(ascii: ","),
                                                     header: nil, columns: [ColumnReference(entity!, at: entityNode)]) }
            }
            let step = RunStep(name: name, command: try m["run"]!.string(), inputs: inputs, output: output,
                               code: code, env: env, perPartitionEntity: entity)
            do {
                _ = try RunCommand.render(step, inputs: inputs.map { "in/" + $0.name }, entity: entity.map { _ in "x" })
            } catch let e as SDSError {
                throw m["run"]!.error(e.message, hint: e.hint)
            }
            steps.append(step)
        }
        return steps
    }

    /// Checks a `steps.NAME` reference from `sources` or `labels`.
    static func checkStepReference(_ node: SpecNode, _ path: String, steps: [RunStep]) throws {
        guard let ref = stepReference(path) else { return }
        guard steps.contains(where: { $0.name == ref }) else {
            throw node.error("'\(node.path)': no step '\(ref)' in 'steps'",
                             hint: SpecNode.closest(ref, in: steps.map(\.name)).map { "did you mean 'steps.\($0)'?" })
        }
    }

    private static func checkRelative(_ path: String, _ node: SpecNode) throws {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
            throw node.error("'\(node.path)' must be a path inside the workspace, relative to \(Spec.fileName), found \"\(path)\"")
        }
    }
}

/// The shell text of a run step's command with its placeholders filled in.
enum RunCommand {
    /// Quotes a word for `/bin/sh` (single quotes; a quote inside becomes `'\''`).
    static func quote(_ s: String) -> String {
        if !s.isEmpty, s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/._-+=:,@".contains($0)) }) { return s }
        return "'" + s.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }

    /// Replaces `{in}` (every input), `{inputs.NAME}`, `{out}` and, per partition, `{entity}`;
    /// `{{` and `}}` are literal braces. Paths are relative to the step's folder, shell-quoted.
    static func render(_ step: Spec.RunStep, inputs staged: [String], entity: String?) throws -> String {
        var out = ""
        var i = step.command.startIndex
        let text = step.command
        while i < text.endIndex {
            let c = text[i]
            let next = text.index(after: i)
            if (c == "{" || c == "}") && next < text.endIndex && text[next] == c {
                out.append(c)
                i = text.index(after: next)
                continue
            }
            guard c == "{" else {
                guard c != "}" else { throw SDSError(.badData, "a lone '}' in the command", hint: "write '}}' for a literal brace") }
                out.append(c)
                i = next
                continue
            }
            guard let close = text[next...].firstIndex(of: "}") else {
                throw SDSError(.badData, "an unclosed '{' in the command", hint: "write '{{' for a literal brace")
            }
            let name = String(text[next..<close])
            switch name {
            case "in": out += staged.map(quote).joined(separator: " ")
            case "out": out += quote("out/" + step.output)
            case "entity" where entity != nil: out += quote(entity!)
            default:
                let names = step.inputs.map(\.name)
                if name.hasPrefix("inputs."), let k = names.firstIndex(of: String(name.dropFirst(7))) {
                    out += quote(staged[k])
                } else {
                    let known = ["in", "out"] + (entity != nil ? ["entity"] : []) + names.map { "inputs." + $0 }
                    throw SDSError(.badData, "unknown placeholder {\(name)} in the command",
                                   hint: SpecNode.closest(name, in: known).map { "did you mean {\($0)}?" }
                                       ?? "known here: " + known.map { "{\($0)}" }.joined(separator: " "))
                }
            }
            i = text.index(after: close)
        }
        return out
    }
}
