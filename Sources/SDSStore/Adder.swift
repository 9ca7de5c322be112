import SDSCore

/// `sds add`: store paths and write their pointer files.
public struct Adder {
    public struct Result: Sendable {
        public var path: String
        public var pointer: Pointer
        public var previous: Pointer?
        public var hashedFiles: Int
        public var hashedBytes: Int64
        public var warnings: [String]
        /// Files replaced by links to their objects (`[cache] link`).
        public var linked = 0
    }

    let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    /// Adds each path: objects first, then trees, then the pointer, then `.gitignore`.
    public func add(_ userPaths: [String]) throws -> [Result] {
        var rels: [String] = []
        for p in userPaths {
            var rel = try workspace.relativePath(p)
            if rel.hasSuffix(Pointer.suffix), try FileIO.lstat(workspace.absolute(rel))?.kind == .file {
                let dataRel = String(rel.dropLast(Pointer.suffix.count))
                guard try FileIO.lstat(workspace.absolute(dataRel)) != nil else {
                    throw SDSError(.usage, "'\(p)' is a pointer file; add the data it stands for, not the pointer")
                }
                rel = dataRel
            }
            try checkNotNested(rel)
            rels.append(rel)
        }
        var results: [Result] = []
        let linker = try WorkTreeLinker(workspace: workspace)
        for rel in rels {
            let previous = try? workspace.readPointer(rel)
            guard let snap = try Scanner(workspace: workspace, mode: .store).scan(rel) else {
                throw SDSError(.notFound, "'\(rel)' does not exist", hint: "check the path; 'sds status' lists tracked paths")
            }
            let pointer = snap.pointer
            let pointerPath = workspace.absolute(rel + Pointer.suffix)
            if previous != pointer {
                try FileIO.writeFileAtomically(pointerPath, pointer.encoded())
            }
            try GitIgnore.ensureIgnored(workspace: workspace, rel: rel)
            // Last: the files just copied into the store become links to it, so the data is kept once.
            var linked = 0
            if linker.preferred != .copy && !snap.readPaths.isEmpty {
                let read = Set(snap.readPaths)
                linked = try linker.relink(workspace.trackedFiles(rel, pointer, known: snap.trees).filter { read.contains($0.path) }, in: workspace)
            }
            results.append(Result(path: rel, pointer: pointer, previous: previous, hashedFiles: snap.hashedFiles,
                                  hashedBytes: snap.hashedBytes, warnings: snap.warnings, linked: linked))
        }
        return results
    }

    private func checkNotNested(_ rel: String) throws {
        var parts = rel.split(separator: "/").map(String.init)
        parts.removeLast()
        var prefix = ""
        for part in parts {
            prefix = prefix.isEmpty ? part : prefix + "/" + part
            if try FileIO.lstat(workspace.absolute(prefix + Pointer.suffix)) != nil {
                throw SDSError(.usage, "'\(rel)' is inside the tracked folder '\(prefix)'",
                               hint: "run 'sds add \(prefix)' to record the whole folder again")
            }
        }
    }
}

/// Keeps tracked data out of git: one `/name` line in the `.gitignore` beside it.
package enum GitIgnore {
    package static func ensureIgnored(workspace: Workspace, rel: String) throws {
        let dir = FileIO.parentDirectory(rel)
        let name = FileIO.baseName(rel)
        let ignorePath = (rel.contains("/") ? workspace.absolute(dir) : workspace.root) + "/.gitignore"
        let line = "/" + escape(name)
        let existing = try FileIO.readFileIfExists(ignorePath) ?? []
        let text = String(decoding: existing, as: UTF8.self)
        if text.split(separator: "\n").contains(where: { $0 == line }) { return }
        var out = existing
        if let last = out.last, last != UInt8(ascii: "\n") { out.append(UInt8(ascii: "\n")) }
        out.append(contentsOf: Array((line + "\n").utf8))
        try FileIO.writeFileAtomically(ignorePath, out)
    }

    /// Escapes gitignore pattern characters so the line matches exactly this name.
    static func escape(_ name: String) -> String {
        var out = ""
        for (i, c) in name.enumerated() {
            if "*?[]\\".contains(c) || (i == 0 && (c == "#" || c == "!")) { out.append("\\") }
            out.append(c)
        }
        if out.hasSuffix(" ") { out = String(out.dropLast()) + "\\ " }
        return out
    }
}
