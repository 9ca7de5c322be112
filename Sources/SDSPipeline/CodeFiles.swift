import SDSCore
import SDSGit
import SDSStore

/// The declared code of run steps: content ids for keys, git state, and Python imports of
/// sibling files that were not declared.
struct CodeFiles {
    let workspace: Workspace
    /// Folder of sds.yaml, relative to the workspace root ("" at the root).
    let specDirectory: String

    func rel(_ path: String) -> String { SpecPaths.rel(path, specDirectory: specDirectory, root: workspace.root) }

    /// The id and kind of a work-tree file or folder (relative to sds.yaml), stored like `sds add`
    /// stores it (blobs and trees), through the file-state cache: an unchanged file is not read
    /// again, and a file rewritten with the same bytes keeps its id.
    func object(_ path: String, what: String) throws -> (id: ObjectID, kind: Tree.Kind) {
        guard let st = try FileIO.lstat(workspace.absolute(rel(path))) else {
            throw SDSError(.notFound, "\(what) '\(rel(path))' named in \(Spec.fileName) does not exist",
                           hint: "fix the path in \(Spec.fileName), or 'sds checkout' the data")
        }
        guard let snap = try Scanner(workspace: workspace, mode: .store).scan(rel(path)) else {
            throw SDSError(.notFound, "\(what) '\(rel(path))' disappeared while it was read")
        }
        // Children first, the order staged objects are published in (see `Staging.drain`).
        var trees = snap.trees
        func stage(_ id: ObjectID) throws {
            guard let tree = trees.removeValue(forKey: id) else { return }
            for e in tree.entries where e.kind == .directory { try stage(e.id) }
            try workspace.store.put(tree.encoded(), deferSync: true)
        }
        try stage(snap.id)
        return (snap.id, snap.kind == .dir ? .directory : st.isExecutable ? .executable : .file)
    }

    /// Declared code paths (relative to sds.yaml) with files that git sees as modified, staged,
    /// or untracked; workspace-relative, sorted. Empty outside a git repository.
    func uncommitted(_ paths: [String]) throws -> [String] {
        guard let git = try workspace.gitRepository() else { return [] }
        let prefix: String
        if workspace.root == git.workdir {
            prefix = ""
        } else if workspace.root.hasPrefix(git.workdir + "/") {
            prefix = String(workspace.root.dropFirst(git.workdir.count + 1)) + "/"
        } else {
            return []
        }
        return try git.uncommittedFiles(under: paths.map { prefix + rel($0) }).map { String($0.dropFirst(prefix.count)) }
    }

    // MARK: Undeclared Python imports

    /// Files of the repository that the step's Python script (or its declared `.py` files)
    /// imports but `code:` does not cover, relative to sds.yaml. A simple static check:
    /// `import X` and `from X import …` where `X.py` or `X/__init__.py` sits next to the
    /// importing file or beside sds.yaml.
    func undeclaredImports(_ step: Spec.RunStep) -> [String] {
        var scripts = step.code.filter { $0.hasSuffix(".py") }
        if let s = Self.pythonScript(step.command), !scripts.contains(s) { scripts.append(s) }
        var missing: [String] = []
        func covered(_ p: String) -> Bool { step.code.contains { p == $0 || p.hasPrefix($0 + "/") } }
        for script in scripts {
            guard let bytes = try? FileIO.readFile(workspace.absolute(rel(script))) else { continue }
            let dir = script.contains("/") ? FileIO.parentDirectory(script) + "/" : ""
            for module in Self.importedModules(String(decoding: bytes, as: UTF8.self)) {
                for base in Set([dir, ""]).sorted() {
                    let candidates = [base + module + ".py", base + module]
                    guard let found = candidates.first(where: { c in
                        c.hasSuffix(".py") ? (try? FileIO.lstat(workspace.absolute(rel(c))))??.kind == .file
                            : (try? FileIO.lstat(workspace.absolute(rel(c + "/__init__.py"))))??.kind == .file
                    }) else { continue }
                    if !covered(found) && !missing.contains(found) { missing.append(found) }
                    break
                }
            }
        }
        return missing.sorted()
    }

    /// The script a command runs with Python: `python3 path/x.py …` or `path/x.py …`; nil otherwise.
    static func pythonScript(_ command: String) -> String? {
        let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let first = words.first else { return nil }
        func clean(_ w: String) -> String { w.hasPrefix("./") ? String(w.dropFirst(2)) : w }
        if first.hasSuffix(".py") { return clean(first) }
        let interpreter = FileIO.baseName(first)
        guard interpreter == "python" || interpreter.hasPrefix("python3") else { return nil }
        for w in words.dropFirst() {
            if w == "-m" || w == "-c" { return nil }
            if w.hasPrefix("-") { continue }
            return w.hasSuffix(".py") ? clean(w) : nil
        }
        return nil
    }

    /// Top-level module names a Python source imports (`import a.b, c as d`, `from a import b`,
    /// `from . import b`, `from .a import b`), in order of first appearance.
    static func importedModules(_ source: String) -> [String] {
        var out: [String] = []
        func add(_ name: Substring) {
            let top = String(name.split(separator: ".").first ?? "")
            if !top.isEmpty, top.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), !out.contains(top) { out.append(top) }
        }
        for raw in source.split(separator: "\n") {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == "(" || $0 == ")" })
            guard let first = words.first else { continue }
            if first == "import" {
                var skipNext = false
                for w in words.dropFirst() {
                    if w.hasPrefix("#") { break }
                    if skipNext { skipNext = false; continue }
                    if w == "as" { skipNext = true; continue }
                    add(w)
                }
            } else if first == "from", words.count >= 3 {
                let module = words[1]
                if module.allSatisfy({ $0 == "." }) {
                    // `from . import a, b`: each name is a sibling module.
                    for w in words.dropFirst(3) where w != "as" {
                        if w.hasPrefix("#") { break }
                        add(w)
                    }
                } else {
                    add(module.drop { $0 == "." })
                }
            }
        }
        return out
    }
}
