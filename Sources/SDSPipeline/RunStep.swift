import Glibc
import SDSCore
import SDSStore

/// Runs the `steps:` of a spec (user commands) before the built-in pipeline, with exact caching.
///
/// A run step's key is `StepRunner.key(op: "run:NAME", version: 1, params, inputs)` with params
/// `{command, code: {path: {id, kind}}, env: {NAME: sha256 of the value | null}, inputs: [names],
/// output, per_partition}` and the input object ids; per partition, each partition has its
/// own key over its input partitions' ids. The command runs in a fresh temporary folder
/// holding only its declared code and its inputs (read-only copies from the store), with
/// an environment of PATH, HOME and the declared variables. Its inputs and code are hashed
/// again after it exits, so a command that changes them is an error, and its output file
/// or folder is stored like `sds add` stores it. Nothing of the output folder or sds.lock
/// changes when a step fails: the error is thrown before the manifest exists.
struct RunSteps {
    struct Outcome {
        /// Step name → its output object (a dry run's stand-in when the command would run).
        var outputs: [String: ObjectID] = [:]
        /// Work-tree inputs of run steps, path (relative to sds.yaml) → id, for the manifest.
        var inputs: [String: ObjectID] = [:]
        /// Step name → {command, files: {path: id}, env: [names]}, for the manifest.
        var code: [String: JSON] = [:]
        /// Declared code files with uncommitted changes (workspace-relative).
        var dirtyFiles: [String] = []
    }

    static let version = 1
    static let splitOperator = "run.split-csv"
    static let splitVersion = 1

    let workspace: Workspace
    let spec: Spec
    let specDirectory: String
    let runner: StepRunner
    let jobs: Int
    let requireClean: Bool
    let warn: @Sendable (String) -> Void

    private var store: ObjectStore { workspace.store }

    /// One staged thing: a code path or an input, with its object.
    struct Staged: Sendable {
        var path: String
        var id: ObjectID
        var kind: Tree.Kind
    }

    func run() throws -> Outcome {
        var outcome = Outcome()
        guard !spec.runSteps.isEmpty else { return outcome }
        let code = CodeFiles(workspace: workspace, specDirectory: specDirectory)
        try checkGit(code, &outcome)
        var undeclared: [String] = []
        for step in spec.runSteps {
            for f in code.undeclaredImports(step) where !undeclared.contains("\(f) (step \(step.name))") {
                undeclared.append("\(f) (step \(step.name))")
            }
        }
        if !undeclared.isEmpty {
            warn("run steps import files not declared under 'code:', so a change to them would not rerun the step: "
                 + undeclared.joined(separator: ", ") + "; add them to the step's 'code:' list")
        }

        for step in spec.runSteps {
            let codeObjects = try step.code.map { p in
                let o = try code.object(p, what: "code of step '\(step.name)'")
                return Staged(path: p, id: o.id, kind: o.kind)
            }
            var staged: [Staged] = []
            for input in step.inputs {
                if let ref = Spec.stepReference(input.path) {
                    let id = outcome.outputs[ref]!
                    let tree = try !runner.isPlaceholder(id) && PathObjects.isTree(id, in: store)
                    staged.append(Staged(path: input.name, id: id, kind: tree ? .directory : .file))
                } else {
                    let o = try code.object(input.path, what: "input of step '\(step.name)'")
                    outcome.inputs[input.path] = o.id
                    staged.append(Staged(path: input.name, id: o.id, kind: o.kind))
                }
            }
            var env: [String: String] = [:]
            for name in step.env { if let v = getenv(name) { env[name] = String(cString: v) } }
            let params = JSON.object([
                "command": .string(step.command),
                "code": .object(Dictionary(uniqueKeysWithValues: codeObjects.map {
                    ($0.path, JSON.object(["id": .string($0.id.hex), "kind": .string($0.kind.rawValue)]))
                })),
                // Values are hashed: the manifest is shared, and a variable may hold a secret.
                "env": .object(Dictionary(uniqueKeysWithValues: step.env.map { name in
                    (name, env[name].map { JSON.string(Hasher256.id(of: Array($0.utf8)).hex) } ?? .null)
                })),
                "inputs": .array(step.inputs.map { .string($0.name) }),
                "output": .string(step.output),
                "per_partition": step.perPartitionEntity.map { .string($0) } ?? .null,
            ])
            let output: ObjectID
            if let entity = step.perPartitionEntity, !staged.contains(where: { runner.isPlaceholder($0.id) }) {
                output = try runPartitions(step, entity: entity, params: params, code: codeObjects, inputs: staged, env: env)
            } else {
                output = try runner.run(op: step.op, version: Self.version, params: params, inputs: staged.map(\.id),
                                        partition: "all") {
                    try RunExecutor(store: store).execute(step, code: codeObjects, inputs: staged, env: env, entity: nil)
                }
            }
            outcome.outputs[step.name] = output
            outcome.code[step.name] = .object([
                "command": .string(step.command),
                "files": .object(Dictionary(uniqueKeysWithValues: codeObjects.map { ($0.path, .string($0.id.hex)) })),
                "env": .array(step.env.map { .string($0) }),
            ])
        }
        return outcome
    }

    /// Warns about (or, with `--require-clean`, refuses) declared code that git has uncommitted changes to.
    private func checkGit(_ code: CodeFiles, _ outcome: inout Outcome) throws {
        let declared = spec.runSteps.flatMap(\.code)
        if try requireClean && workspace.gitRepository() == nil {
            throw SDSError(.usage, "--require-clean needs a git repository, and '\(workspace.root)' is not in one")
        }
        let dirty = try code.uncommitted(declared)
        outcome.dirtyFiles = dirty
        guard !dirty.isEmpty else { return }
        if requireClean {
            throw SDSError(.conflict, "--require-clean: declared code has uncommitted changes: " + dirty.joined(separator: ", "),
                           hint: "commit them (git add, git commit), then build again")
        }
        warn("declared code has uncommitted changes: \(dirty.joined(separator: ", ")); "
             + "the build is recorded as made from a dirty tree (commit them for a reproducible build)")
    }

    // MARK: Per partition

    /// Splits every input by the entity column (a cached step per input), runs the command once
    /// per entity, and concatenates the outputs in entity order under one header.
    private func runPartitions(_ step: Spec.RunStep, entity column: String, params: JSON, code: [Staged],
                               inputs: [Staged], env: [String: String]) throws -> ObjectID {
        var found: [(header: ObjectID, parts: [String: ObjectID])] = []
        for input in inputs {
            guard input.kind != .directory else {
                throw SDSError(.usage, "step '\(step.name)': per-partition mode splits CSV files, and input '\(input.path)' is a folder")
            }
            let index = try runner.run(op: Self.splitOperator, version: Self.splitVersion, params: .object(["entity": .string(column)]),
                                       inputs: [input.id], partition: "\(step.name)/\(input.path)") {
                try CSVPartitions.split(try store.read(input.id), column: column, what: "input '\(input.path)' of step '\(step.name)'",
                                        store: store)
            }
            found.append(try CSVPartitions.index(try store.read(index)))
        }
        let splits = found
        let entities = Set(splits.flatMap { $0.parts.keys }).sorted { FileIO.bytewiseLess($0, $1) }
        let runner = runner, executor = RunExecutor(store: store)
        let results = try entities.parallelMap(jobs: jobs) { e in
            // An input without rows for this entity is staged as its header alone.
            let parts = zip(inputs, splits).map { Staged(path: $0.path, id: $1.parts[e] ?? $1.header, kind: .file) }
            return try runner.run(op: step.op, version: Self.version, params: params, inputs: parts.map(\.id), partition: e) {
                try executor.execute(step, code: code, inputs: parts, env: env, entity: e)
            }
        }
        if let placeholder = results.first(where: runner.isPlaceholder) { return placeholder }
        return try CSVPartitions.concatenate(results, entities: entities, step: step.name, store: store)
    }
}

/// One process of a run step: a fresh folder, the command, the checks after it.
struct RunExecutor: Sendable {
    typealias Staged = RunSteps.Staged
    let store: ObjectStore

    /// Runs the command once in a fresh folder and returns its stored output.
    func execute(_ step: Spec.RunStep, code: [Staged], inputs: [Staged], env: [String: String],
                         entity: String?) throws -> ObjectID {
        let dir = try FileIO.makeTempFolder("run")
        defer { try? FileIO.removeTree(dir) }
        for c in code { try PathObjects.materialize(c.id, kind: c.kind, at: dir + "/" + c.path, store: store) }
        try FileIO.makeDirectories(dir + "/in")
        try FileIO.makeDirectories(FileIO.parentDirectory(dir + "/out/" + step.output))
        for i in inputs { try PathObjects.materialize(i.id, kind: i.kind, at: dir + "/in/" + i.path, store: store) }

        let command = try RunCommand.render(step, inputs: inputs.map { "in/" + $0.path }, entity: entity)
        var environment = env
        environment["PATH"] = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        environment["HOME"] = getenv("HOME").map { String(cString: $0) } ?? dir
        // Python would write __pycache__ next to the staged code; nothing else should appear there.
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        let result = try RunProcess.run(command, in: dir, environment: environment)
        let which = "step '\(step.name)'" + (entity.map { " (partition \($0))" } ?? "")
        guard result.status == 0 else {
            let how = result.signal.map { "was killed by signal \($0)" } ?? "exited with status \(result.status)"
            let tail = result.stderrTail.isEmpty ? "  (stderr was empty)"
                : result.stderrTail.map { "  " + $0 }.joined(separator: "\n")
            throw SDSError(.commandFailed, "\(which) failed: the command \(how)\n  command: \(command)\n"
                           + "stderr (last \(result.stderrTail.count) lines):\n\(tail)",
                           hint: "sds.lock and the output folder are unchanged; fix the step and run 'sds build' again")
        }
        for (what, items, base) in [("input", inputs, dir + "/in/"), ("code file", code, dir + "/")] {
            for i in items where try PathObjects.id(of: base + i.path, store: nil)?.id != i.id {
                throw SDSError(.commandFailed, "\(which) changed its \(what) '\(i.path)' (command: \(command))",
                               hint: "a step must not modify its inputs or code; write results under {out} instead")
            }
        }
        guard let out = try PathObjects.id(of: dir + "/out/" + step.output, store: store) else {
            throw SDSError(.commandFailed, "\(which) wrote no output: 'out/\(step.output)' is missing after the command\n  command: \(command)",
                           hint: "the command must write the file or folder named by 'outputs' (its path is {out})")
        }
        if step.perPartitionEntity != nil && out.kind == .directory {
            throw SDSError(.commandFailed, "\(which) wrote a folder; per-partition steps write one CSV file each")
        }
        return out.id
    }
}

extension RunSteps {
    /// Why a run step's key changed, from its recorded and current parameters (`sds status`, `--dry-run`).
    static func reason(_ old: JSON, _ new: JSON) -> String {
        func changed(_ key: String) -> [String] {
            let a = old[key]?.object ?? [:], b = new[key]?.object ?? [:]
            return Set(a.keys).union(b.keys).sorted().filter { a[$0] != b[$0] }
        }
        if !changed("code").isEmpty { return "code " + changed("code").joined(separator: ", ") + " changed" }
        if !changed("env").isEmpty { return "environment variable " + changed("env").joined(separator: ", ") + " changed" }
        if old["command"] != new["command"] { return "its command changed in \(Spec.fileName)" }
        return "parameters changed in \(Spec.fileName)"
    }
}
