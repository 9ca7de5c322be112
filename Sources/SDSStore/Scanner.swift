import Dispatch
import Glibc
import SDSCatalog
import SDSCore

/// The content of one work-tree path as sds sees it: its id and the trees below it.
public struct Snapshot {
    public var kind: Pointer.Kind
    public var id: ObjectID
    public var size: Int64
    public var files: Int
    /// Every tree of a folder, by id, for diffs without reading the store.
    public var trees: [ObjectID: Tree]
    /// Files that had to be read (not answered by the file-state cache).
    public var hashedFiles: Int
    public var hashedBytes: Int64
    /// Things skipped, each a sentence.
    public var warnings: [String]
    /// The files that were read (relative paths), in scan order.
    public var readPaths: [String] = []

    public var pointer: Pointer { Pointer(kind: kind, id: id, size: size, files: files) }
}

/// Walks a path, hashing (and optionally storing) what the file-state cache cannot answer.
///
/// Files are hashed on all cores. Defined behaviour: symlinks inside folders are
/// recorded as links (their target text, not followed); empty files and empty
/// folders are kept; sockets, FIFOs and devices are skipped with a warning;
/// non-UTF-8 names are an error.
public struct Scanner {
    public enum Mode { case hashOnly, store }
    let workspace: Workspace
    let mode: Mode

    public init(workspace: Workspace, mode: Mode) {
        self.workspace = workspace
        self.mode = mode
    }

    private final class DirNode {
        var children: [(name: String, child: Child)] = []
    }
    private enum Child {
        case file(Int)
        case link(Int)
        case dir(DirNode)
    }
    private struct Job {
        var relPath: String
        var stat: FileStat
        var isLink: Bool
        var id: ObjectID?
        var size: Int64 = 0
        /// A symlink into the store (`cache.link = symlink`): stands for the object's file.
        var linked: ObjectID?
    }

    /// Scans `rel` (relative to the root); nil when nothing is there.
    public func scan(_ rel: String) throws -> Snapshot? {
        let abs = workspace.absolute(rel)
        guard let top = try FileIO.lstat(abs) else { return nil }
        var jobs: [Job] = []
        var warnings: [String] = []
        let rootNode: DirNode?
        switch top.kind {
        case .file:
            jobs.append(Job(relPath: rel, stat: top, isLink: false))
            rootNode = nil
        case .directory:
            rootNode = try walk(rel, jobs: &jobs, warnings: &warnings)
        case .symlink:
            guard let id = WorkTreeLinker.linkedObject(abs, store: workspace.store) else {
                throw SDSError(.usage, "'\(rel)' is a symbolic link; sds tracks files and folders",
                               hint: "add the file or folder it points to instead")
            }
            jobs.append(try linkedJob(rel, id))
            rootNode = nil
        case .other:
            throw SDSError(.usage, "'\(rel)' is not a regular file or folder")
        }

        let index = try workspace.index()
        let cached = try index.fileStates(under: rel)
        var pending: [Int] = []
        for i in jobs.indices where !jobs[i].isLink {
            if let id = jobs[i].linked {
                jobs[i].id = id
                jobs[i].size = jobs[i].stat.size
            } else if let id = try knownID(cached[jobs[i].relPath], jobs[i].stat),
               mode == .hashOnly || workspace.store.contains(id) {
                jobs[i].id = id
                jobs[i].size = jobs[i].stat.size
            } else {
                pending.append(i)
            }
        }
        try hash(pending, in: &jobs)
        if mode == .store { try workspace.store.syncPendingDirectories() }
        let now = FileIO.nowNs()
        let states = pending.map { (jobs[$0].relPath, FileState(stat: jobs[$0].stat, id: jobs[$0].id!, recordedNs: now)) }
        // A plan's scratch workspace writes nothing to the store, the index included; and the
        // index is a cache: a reader (status) that cannot write it (a full disk) works on without it.
        if workspace.isScratch {
        } else if mode == .hashOnly {
            try? index.record(states)
        } else {
            try index.record(states)
        }
        for i in jobs.indices where jobs[i].isLink {
            let target = Array(try FileIO.readLink(workspace.absolute(jobs[i].relPath)).utf8)
            jobs[i].id = mode == .store ? try workspace.store.put(target) : Hasher256.id(of: target)
            jobs[i].size = Int64(target.count)
        }
        let hashedBytes = pending.reduce(Int64(0)) { $0 + jobs[$1].stat.size }

        guard let rootNode else {
            return Snapshot(kind: .file, id: jobs[0].id!, size: jobs[0].size, files: 1, trees: [:],
                            hashedFiles: pending.count, hashedBytes: hashedBytes, warnings: warnings,
                            readPaths: pending.map { jobs[$0].relPath })
        }
        var trees: [ObjectID: Tree] = [:]
        let (id, size, files) = try buildTree(rootNode, jobs: jobs, trees: &trees)
        return Snapshot(kind: .dir, id: id, size: size, files: files, trees: trees,
                        hashedFiles: pending.count, hashedBytes: hashedBytes, warnings: warnings,
                        readPaths: pending.map { jobs[$0].relPath })
    }

    /// The id the file-state cache gives a file: its fingerprint matches, or (a hardlink
    /// whose ctime moved when another link to the object was made) it is the object's inode.
    private func knownID(_ state: FileState?, _ st: FileStat) throws -> ObjectID? {
        guard let state else { return nil }
        if let id = state.id(ifMatching: st) { return id }
        guard st.kind == .file, st.size == state.size, st.mtimeNs == state.mtimeNs,
              try WorkTreeLinker.isHardlink(st, of: state.id, store: workspace.store) else { return nil }
        return state.id
    }

    /// A symlink into the store, taken as the object's file (its size from the object).
    private func linkedJob(_ rel: String, _ id: ObjectID) throws -> Job {
        var s = Glibc.stat()
        guard fstatat(AT_FDCWD, workspace.store.path(of: id), &s, 0) == 0 else {
            if mode == .store {
                throw SDSError(.notFound, "'\(rel)' is a link to object \(id.hex), which is not in the store",
                               hint: "fetch it ('sds fetch'), or put the file itself in its place")
            }
            // Status: the data is the pointer's object, which the store lacks ("not in store").
            return Job(relPath: rel, stat: FileStat(Glibc.stat()), isLink: false, linked: id)
        }
        var st = FileStat(s)
        st.mode &= ~0o111
        return Job(relPath: rel, stat: st, isLink: false, linked: id)
    }

    /// The id of a single file when the file-state cache answers for it (and, when storing,
    /// its object is present); nil when the file must be read.
    public func knownFile(_ rel: String) throws -> ObjectID? {
        guard let st = try FileIO.lstat(workspace.absolute(rel)), st.kind == .file,
              let id = try workspace.index().fileStates(under: rel)[rel]?.id(ifMatching: st) else { return nil }
        return mode == .hashOnly || workspace.store.contains(id) ? id : nil
    }

    /// Records what a caller that read files itself (see `Ingest.file(_:into:tap:)`) found.
    /// When storing, the caller has made their objects durable (`syncPendingDirectories`).
    public func record(_ files: [(path: String, stat: FileStat, id: ObjectID)]) throws {
        if workspace.isScratch { return }
        let now = FileIO.nowNs()
        try workspace.index().record(files.map { ($0.path, FileState(stat: $0.stat, id: $0.id, recordedNs: now)) })
    }

    private func walk(_ rel: String, jobs: inout [Job], warnings: inout [String]) throws -> DirNode {
        let node = DirNode()
        let listing = try FileIO.listDirectoryWithStats(workspace.absolute(rel))
        for (name, st) in listing {
            let childRel = rel + "/" + name
            if FileIO.isTempName(name) {
                warnings.append("skipped '\(childRel)': a temp file left by an interrupted sds command; delete it")
                continue
            }
            switch st.kind {
            case .file:
                if name.hasSuffix(Pointer.suffix), listing.contains(where: { $0.name == name.dropLast(Pointer.suffix.count) }) {
                    throw SDSError(.usage, "'\(rel)' contains the tracked path '\(childRel.dropLast(Pointer.suffix.count))'",
                                   hint: "a tracked path cannot be inside another; remove '\(childRel)' first")
                }
                node.children.append((name, .file(jobs.count)))
                jobs.append(Job(relPath: childRel, stat: st, isLink: false))
            case .symlink:
                if let id = WorkTreeLinker.linkedObject(workspace.absolute(childRel), store: workspace.store) {
                    node.children.append((name, .file(jobs.count)))
                    jobs.append(try linkedJob(childRel, id))
                    continue
                }
                node.children.append((name, .link(jobs.count)))
                jobs.append(Job(relPath: childRel, stat: st, isLink: true))
            case .directory:
                node.children.append((name, .dir(try walk(childRel, jobs: &jobs, warnings: &warnings))))
            case .other:
                warnings.append("skipped '\(childRel)': not a regular file, folder or symlink")
            }
        }
        return node
    }

    /// Reads every pending file once, in parallel.
    private func hash(_ pending: [Int], in jobs: inout [Job]) throws {
        guard !pending.isEmpty else { return }
        let store = mode == .store ? workspace.store : nil
        let root = workspace.root
        let paths = pending.map { root + "/" + jobs[$0].relPath }
        let results = try paths.parallelMap(jobs: onlineCores) { try Ingest.file($0, into: store) }
        for (k, i) in pending.enumerated() {
            let (id, stat) = results[k]
            jobs[i].id = id
            jobs[i].stat = stat
            jobs[i].size = stat.size
        }
    }

    private func buildTree(_ node: DirNode, jobs: [Job], trees: inout [ObjectID: Tree]) throws -> (ObjectID, Int64, Int) {
        var entries: [Tree.Entry] = []
        var files = 0
        for (name, child) in node.children {
            switch child {
            case .file(let i):
                let j = jobs[i]
                entries.append(.init(kind: j.stat.isExecutable ? .executable : .file, size: j.size, id: j.id!, name: name))
                files += 1
            case .link(let i):
                entries.append(.init(kind: .symlink, size: jobs[i].size, id: jobs[i].id!, name: name))
                files += 1
            case .dir(let sub):
                let (id, size, n) = try buildTree(sub, jobs: jobs, trees: &trees)
                entries.append(.init(kind: .directory, size: size, id: id, name: name))
                files += n
            }
        }
        let tree = Tree(entries: entries)
        let bytes = tree.encoded()
        let id = mode == .store ? try workspace.store.put(bytes) : Hasher256.id(of: bytes)
        trees[id] = tree
        return (id, tree.totalSize, files)
    }
}
