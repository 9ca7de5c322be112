import SDSCore
import SDSGit

/// Pointer files as committed in git, read with libgit2 without touching the work tree.
extension Workspace {
    /// The workspace root relative to the git work tree ("" when they are the same).
    func prefixInGit(_ repo: GitRepository) -> String {
        root == repo.workdir ? "" : String(root.dropFirst(repo.workdir.count + 1))
    }

    /// Opens the git repository or explains that a revision needs one.
    public func requireGit() throws -> GitRepository {
        guard let repo = try gitRepository() else {
            throw SDSError(.notFound, "the workspace at '\(root)' is not in a git repository",
                           hint: "run 'git init' and commit the pointer files to get versions")
        }
        return repo
    }

    /// The tracked paths recorded at git revision `rev`, filtered by `selection` (all when empty).
    public func trackedPaths(atRevision rev: String, selection: [String]) throws -> [TrackedPath] {
        let repo = try requireGit()
        let prefix = prefixInGit(repo)
        let wanted = try selection.map { arg -> String in
            var rel = try relativePath(arg)
            if rel.hasSuffix(Pointer.suffix) { rel.removeLast(Pointer.suffix.count) }
            return rel
        }
        var out: [TrackedPath] = []
        for gitPath in try repo.files(at: rev, withSuffix: Pointer.suffix) {
            guard prefix.isEmpty || gitPath.hasPrefix(prefix + "/") else { continue }
            let rel = String(gitPath.dropFirst(prefix.isEmpty ? 0 : prefix.count + 1).dropLast(Pointer.suffix.count))
            if !wanted.isEmpty && !wanted.contains(where: { rel == $0 || rel.hasPrefix($0 + "/") }) { continue }
            guard let bytes = try repo.readFile(at: rev, path: gitPath) else { continue }
            let pointer = try Pointer(decoding: bytes, path: "\(rev):\(gitPath)")
            out.append(TrackedPath(path: rel, pointer: pointer))
        }
        for w in wanted where !out.contains(where: { $0.path == w || $0.path.hasPrefix(w + "/") }) {
            throw SDSError(.notFound, "'\(w)' is not tracked at revision \(rev)",
                           hint: "'sds log \(w)' lists the commits where it is")
        }
        return out
    }

    /// The committed bytes of `rel` (relative to the workspace root) at revision `rev`; nil when absent.
    public func committedFile(_ rel: String, atRevision rev: String) throws -> [UInt8]? {
        let repo = try requireGit()
        let prefix = prefixInGit(repo)
        return try repo.readFile(at: rev, path: (prefix.isEmpty ? "" : prefix + "/") + rel)
    }

    /// Every file named `name` at revision `rev`, as paths relative to the workspace root.
    public func committedFiles(named name: String, atRevision rev: String) throws -> [String] {
        let repo = try requireGit()
        let prefix = prefixInGit(repo)
        return try repo.files(at: rev, withSuffix: name).compactMap { p in
            // `sds.lock` also finds the locks of other specs (`NAME.sds.lock`).
            let base = FileIO.baseName(p)
            guard base == name || (name == "sds.lock" && base.hasSuffix(".sds.lock")),
                  prefix.isEmpty || p.hasPrefix(prefix + "/") else { return nil }
            return String(p.dropFirst(prefix.isEmpty ? 0 : prefix.count + 1))
        }
    }

    /// One version of a tracked path in git history.
    public struct PathVersion: Sendable {
        public var commit: GitRepository.Commit
        /// nil where the pointer was removed in that commit.
        public var pointer: Pointer?
    }

    /// The versions of every path tracked at HEAD, newest commit first (by path within a commit).
    public func versionsOfTrackedPaths() throws -> [(path: String, version: PathVersion)] {
        let repo = try requireGit()
        guard try repo.headCommit() != nil else { return [] }
        let order = Dictionary(try repo.allCommitIDs().enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [(path: String, version: PathVersion)] = []
        for tracked in try trackedPaths(atRevision: "HEAD", selection: []) {
            out += try versions(of: absolute(tracked.path)).map { (tracked.path, $0) }
        }
        return out.sorted {
            let a = order[$0.version.commit.id] ?? Int.max, b = order[$1.version.commit.id] ?? Int.max
            return a != b ? a < b : FileIO.bytewiseLess($0.path, $1.path)
        }
    }

    /// The versions of tracked path `userPath` through history, newest first.
    public func versions(of userPath: String) throws -> [PathVersion] {
        let repo = try requireGit()
        var rel = try relativePath(userPath)
        if rel.hasSuffix(Pointer.suffix) { rel.removeLast(Pointer.suffix.count) }
        let prefix = prefixInGit(repo)
        let gitPath = (prefix.isEmpty ? "" : prefix + "/") + rel + Pointer.suffix
        return try repo.history(of: gitPath).map { v in
            PathVersion(commit: v.commit,
                        pointer: try v.bytes.map { try Pointer(decoding: $0, path: "\(v.commit.id.prefix(12)):\(gitPath)") })
        }
    }
}
