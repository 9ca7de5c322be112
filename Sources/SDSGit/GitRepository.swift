import CGit2
import Glibc
import SDSCore

/// A git repository opened with libgit2; reads history without touching the work tree.
public final class GitRepository {
    private let repo: OpaquePointer
    var repoHandle: OpaquePointer { repo }
    /// The work tree root, with no trailing slash.
    public let workdir: String

    private static let initialized: Bool = {
        git_libgit2_init()
        _ = sds_git_disable_owner_validation()
        return true
    }()

    /// Finds the repository containing `path`, or nil if there is none.
    public static func discover(from path: String) throws -> GitRepository? {
        _ = initialized
        var buf = git_buf()
        defer { git_buf_dispose(&buf) }
        let rc = git_repository_discover(&buf, path, 0, nil)
        if rc == GIT_ENOTFOUND.rawValue { return nil }
        try check(rc, "cannot look for a git repository from '\(path)'")
        let gitPath = String(cString: buf.ptr)
        var repo: OpaquePointer?
        try check(git_repository_open(&repo, gitPath), "cannot open git repository '\(gitPath)'")
        guard let repo, let wd = git_repository_workdir(repo) else {
            if let repo { git_repository_free(repo) }
            return nil
        }
        var w = String(cString: wd)
        while w.count > 1 && w.hasSuffix("/") { w.removeLast() }
        return GitRepository(repo: repo, workdir: w)
    }

    private init(repo: OpaquePointer, workdir: String) {
        self.repo = repo
        self.workdir = workdir
    }

    deinit { git_repository_free(repo) }

    /// The folder holding hooks (`.git/hooks`, or `core.hooksPath` when set).
    public var hooksDirectory: String {
        var config: OpaquePointer?
        if git_repository_config_snapshot(&config, repo) == 0, let config {
            defer { git_config_free(config) }
            var value: UnsafePointer<CChar>?
            if git_config_get_string(&value, config, "core.hooksPath") == 0, let value {
                let p = String(cString: value)
                return p.hasPrefix("/") ? p : "\(workdir)/\(p)"
            }
        }
        var dir = String(cString: git_repository_path(repo))
        while dir.hasSuffix("/") { dir.removeLast() }
        return dir + "/hooks"
    }

    /// A commit, described for output.
    public struct Commit: Sendable {
        public var id: String
        public var time: Int64
        public var timeOffsetMinutes: Int32
        public var summary: String
    }

    /// Resolves a revision (`HEAD~1`, a branch, a tag, an abbreviated id) to a commit.
    public func resolveCommit(_ rev: String) throws -> Commit {
        let commit = try lookupCommit(rev)
        defer { git_commit_free(commit) }
        return describe(commit)
    }

    /// The commit HEAD points at, or nil in a repository with no commits yet.
    public func headCommit() throws -> Commit? {
        var obj: OpaquePointer?
        let rc = git_revparse_single(&obj, repo, "HEAD^{commit}")
        if rc == GIT_ENOTFOUND.rawValue || rc == GIT_EUNBORNBRANCH.rawValue { return nil }
        try check(rc, "cannot resolve HEAD")
        defer { git_object_free(obj) }
        return describe(obj!)
    }

    /// The files at `rev` whose path ends in `suffix`, sorted.
    public func files(at rev: String, withSuffix suffix: String) throws -> [String] {
        let commit = try lookupCommit(rev)
        defer { git_commit_free(commit) }
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, commit), "cannot read the tree of '\(rev)'")
        defer { git_tree_free(tree) }
        final class Box { var paths: [String] = []; let suffix: String; init(_ s: String) { suffix = s } }
        let box = Box(suffix)
        let rc = git_tree_walk(tree, GIT_TREEWALK_PRE, { root, entry, payload in
            let box = Unmanaged<Box>.fromOpaque(payload!).takeUnretainedValue()
            guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return 0 }
            let name = String(cString: git_tree_entry_name(entry))
            if name.hasSuffix(box.suffix) { box.paths.append(String(cString: root!) + name) }
            return 0
        }, Unmanaged.passUnretained(box).toOpaque())
        try check(rc, "cannot walk the tree of '\(rev)'")
        return box.paths.sorted()
    }

    /// The bytes of `path` at `rev`, or nil when the file is not there.
    public func readFile(at rev: String, path: String) throws -> [UInt8]? {
        let commit = try lookupCommit(rev)
        defer { git_commit_free(commit) }
        return try blob(in: commit, path: path)?.bytes
    }

    /// One version of a file through history.
    public struct FileVersion: Sendable {
        public var commit: Commit
        public var bytes: [UInt8]?
    }

    /// The commits from HEAD (newest first, first-parent) where `path`'s blob changed.
    /// `bytes` is nil where the file was removed.
    public func history(of path: String) throws -> [FileVersion] {
        var walk: OpaquePointer?
        try check(git_revwalk_new(&walk, repo), "cannot walk history")
        defer { git_revwalk_free(walk) }
        git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue)
        git_revwalk_simplify_first_parent(walk)
        let rc = git_revwalk_push_head(walk)
        if rc == GIT_ENOTFOUND.rawValue || rc == GIT_EUNBORNBRANCH.rawValue { return [] }
        try check(rc, "cannot walk history from HEAD")
        var out: [FileVersion] = []
        var oid = git_oid()
        while git_revwalk_next(&oid, walk) == 0 {
            var commit: OpaquePointer?
            try check(git_commit_lookup(&commit, repo, &oid), "cannot read a commit")
            defer { git_commit_free(commit) }
            let mine = try blob(in: commit!, path: path)
            var parentBlob: (oid: git_oid, bytes: [UInt8])?
            if git_commit_parentcount(commit) > 0 {
                var parent: OpaquePointer?
                try check(git_commit_parent(&parent, commit, 0), "cannot read a parent commit")
                defer { git_commit_free(parent) }
                parentBlob = try blob(in: parent!, path: path)
            }
            let changed: Bool
            switch (mine, parentBlob) {
            case (nil, nil): changed = false
            case (var a?, var b?): changed = git_oid_equal(&a.oid, &b.oid) == 0
            default: changed = true
            }
            if changed { out.append(FileVersion(commit: describe(commit!), bytes: mine?.bytes)) }
        }
        return out
    }

    /// Every commit reachable from HEAD, branches and tags (all parents), newest first.
    public func allCommitIDs() throws -> [String] {
        var walk: OpaquePointer?
        try check(git_revwalk_new(&walk, repo), "cannot walk history")
        defer { git_revwalk_free(walk) }
        git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue)
        // A repository without commits yet (an unborn HEAD) has no history to walk from it.
        if git_repository_head_unborn(repo) != 1 {
            let head = git_revwalk_push_head(walk)
            if head != 0 && head != GIT_ENOTFOUND.rawValue && head != GIT_EUNBORNBRANCH.rawValue {
                try check(head, "cannot walk history from HEAD")
            }
        }
        // Non-commit references (a tag of a blob) are skipped by libgit2 for globs.
        _ = git_revwalk_push_glob(walk, "refs")
        var out: [String] = []
        var oid = git_oid()
        var idBuf = [CChar](repeating: 0, count: 41)
        while git_revwalk_next(&oid, walk) == 0 {
            git_oid_tostr(&idBuf, 41, &oid)
            out.append(String(decoding: idBuf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return out
    }

    // MARK: - Helpers

    private func lookupCommit(_ rev: String) throws -> OpaquePointer {
        var obj: OpaquePointer?
        let rc = git_revparse_single(&obj, repo, rev + "^{commit}")
        if rc != 0 {
            throw SDSError(.notFound, "'\(rev)' is not a commit in the git repository at '\(workdir)'",
                           hint: "use a revision git knows, such as HEAD~1, a branch, a tag or a commit id")
        }
        return obj!
    }

    private func blob(in commit: OpaquePointer, path: String) throws -> (oid: git_oid, bytes: [UInt8])? {
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, commit), "cannot read a commit's tree")
        defer { git_tree_free(tree) }
        var entry: OpaquePointer?
        guard git_tree_entry_bypath(&entry, tree, path) == 0 else { return nil }
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return nil }
        let oid = git_tree_entry_id(entry)!.pointee
        var blob: OpaquePointer?
        var oidCopy = oid
        try check(git_blob_lookup(&blob, repo, &oidCopy), "cannot read blob for '\(path)'")
        defer { git_blob_free(blob) }
        let n = Int(git_blob_rawsize(blob))
        let bytes = n == 0 ? [] : Array(UnsafeRawBufferPointer(start: git_blob_rawcontent(blob), count: n))
        return (oid, bytes)
    }

    private func describe(_ commit: OpaquePointer) -> Commit {
        var idBuf = [CChar](repeating: 0, count: 41)
        git_oid_tostr(&idBuf, 41, git_commit_id(commit))
        let summary = git_commit_summary(commit).map { String(cString: $0) } ?? ""
        let id = String(decoding: idBuf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return Commit(id: id, time: Int64(git_commit_time(commit)),
                      timeOffsetMinutes: git_commit_time_offset(commit), summary: summary)
    }

    private static func check(_ rc: Int32, _ what: String) throws {
        guard rc < 0 else { return }
        let detail = git_error_last().map { String(cString: $0.pointee.message) } ?? "code \(rc)"
        throw SDSError(.io, "\(what): \(detail)")
    }

    private func check(_ rc: Int32, _ what: String) throws { try Self.check(rc, what) }
}

extension GitRepository {
    /// True when a tracked file differs from HEAD (untracked and ignored files do not count).
    public func isDirty() throws -> Bool {
        var opts = git_status_options()
        git_status_options_init(&opts, UInt32(GIT_STATUS_OPTIONS_VERSION))
        opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        opts.flags = 0
        var list: OpaquePointer?
        guard git_status_list_new(&list, repoHandle, &opts) == 0 else {
            throw SDSError(.io, "cannot read the git status of '\(workdir)'")
        }
        defer { git_status_list_free(list) }
        return git_status_list_entrycount(list) > 0
    }
}

extension GitRepository {
    /// The files at or below `paths` (relative to the work tree) that differ from HEAD, in the
    /// index or the work tree, or are not tracked at all (ignored files excepted), sorted.
    public func uncommittedFiles(under paths: [String]) throws -> [String] {
        guard !paths.isEmpty else { return [] }
        var opts = git_status_options()
        git_status_options_init(&opts, UInt32(GIT_STATUS_OPTIONS_VERSION))
        opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
            | GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH.rawValue
        // With pathspec matching off, a path names a file or a folder prefix, never a glob.
        var cPaths: [UnsafeMutablePointer<CChar>?] = paths.map { strdup($0) }
        defer { cPaths.forEach { free($0) } }
        var list: OpaquePointer?
        let rc = cPaths.withUnsafeMutableBufferPointer { buf -> Int32 in
            opts.pathspec = git_strarray(strings: buf.baseAddress, count: buf.count)
            return git_status_list_new(&list, repoHandle, &opts)
        }
        guard rc == 0 else { throw SDSError(.io, "cannot read the git status of '\(workdir)'") }
        defer { git_status_list_free(list) }
        var out: [String] = []
        for i in 0..<git_status_list_entrycount(list) {
            guard let e = git_status_byindex(list, i)?.pointee else { continue }
            let delta = e.index_to_workdir ?? e.head_to_index
            guard let d = delta?.pointee, let p = d.new_file.path ?? d.old_file.path else { continue }
            out.append(String(cString: p))
        }
        return out.sorted()
    }
}
