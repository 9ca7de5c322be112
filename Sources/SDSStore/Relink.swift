import Glibc
import SDSCatalog
import SDSCore

/// One file of a tracked path's version: where it goes and which object it is.
public struct TrackedFile: Sendable {
    public var path: String
    public var kind: Tree.Kind
    public var id: ObjectID
    public var size: Int64
}

extension Workspace {
    /// Every file (not folder) of a pointer's version, with paths relative to the root.
    /// Trees come from `known` when there (a fresh scan), else from the store, checked.
    public func trackedFiles(_ rel: String, _ pointer: Pointer, known: [ObjectID: Tree] = [:]) throws -> [TrackedFile] {
        guard pointer.kind == .dir else { return [TrackedFile(path: rel, kind: .file, id: pointer.id, size: pointer.size)] }
        var out: [TrackedFile] = []
        func visit(_ id: ObjectID, _ dir: String) throws {
            let tree = try known[id] ?? Tree(decoding: store.read(id), id: id)
            for e in tree.entries {
                let path = dir + "/" + e.name
                if e.kind == .directory { try visit(e.id, path) } else { out.append(TrackedFile(path: path, kind: e.kind, id: e.id, size: e.size)) }
            }
        }
        try visit(pointer.id, rel)
        return out
    }
}

extension WorkTreeLinker {
    /// After `add`: replaces files just read into the store by links to their objects (when the
    /// configured mode links), so the data is kept once. A file that changed since it was read
    /// is left alone: nothing the user wrote is lost.
    /// - Returns: how many files were replaced.
    @discardableResult
    public func relink(_ files: [TrackedFile], in workspace: Workspace) throws -> Int {
        guard preferred != .copy, !files.isEmpty else { return 0 }
        let index = try workspace.index()
        let mask = umask(0)
        umask(mask)
        var states: [(path: String, state: FileState)] = []
        var dirs = Set<String>()
        defer { try? index.record(states) }
        for f in files where f.kind != .symlink {
            let abs = workspace.absolute(f.path)
            guard let st = try FileIO.lstat(abs), st.kind == .file, let known = try index.fileStates(under: f.path)[f.path],
                  known.id == f.id, known.inode == st.inode, known.device == st.device, known.size == st.size,
                  known.mtimeNs == st.mtimeNs, known.ctimeNs == st.ctimeNs, workspace.store.contains(f.id) else { continue }
            let mode = (f.kind == .executable ? 0o777 : 0o666) & ~mask
            // Never a copy in place of the file: that would cost a write and save nothing.
            guard try replace(abs, with: f.id, executable: f.kind == .executable, mode: mode, copying: false) != nil else { continue }
            if let now = try FileIO.lstat(abs), now.kind == .file {
                states.append((f.path, FileState(stat: now, id: f.id, recordedNs: FileIO.nowNs())))
            }
            dirs.insert(FileIO.parentDirectory(abs))
        }
        for dir in dirs.sorted() { try FileIO.fsyncDirectory(dir) }
        return states.count
    }

    /// Puts object `id` at `abs` through a temp file beside it and a rename.
    func replace(_ abs: String, with id: ObjectID, executable: Bool, mode: mode_t, copying: Bool = true) throws -> LinkMode? {
        let tmp = FileIO.parentDirectory(abs) + "/" + FileIO.tempName(for: FileIO.baseName(abs))
        try FileIO.remove(tmp)
        guard let used = try place(id, executable: executable, at: tmp, mode: mode, copying: copying) else { return nil }
        guard rename(tmp, abs) == 0 else {
            let code = errno
            unlink(tmp)
            throw SDSError.io("cannot move into place", path: abs, errno: code)
        }
        return used
    }
}

/// `sds unprotect`: gives linked work-tree files private, writable copies so they can be edited
/// without touching the store. Idempotent: a file that is already its own is only made writable.
public struct Unprotect {
    let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    /// - Returns: the files that got a copy of their own, relative to the root.
    public func run(_ userPaths: [String]) throws -> [String] {
        let tracked = try workspace.trackedPaths([])
        var selected: [TrackedFile] = []
        for p in userPaths {
            let rel = try workspace.relativePath(p)
            let data = rel.hasSuffix(Pointer.suffix) ? String(rel.dropLast(Pointer.suffix.count)) : rel
            guard let t = tracked.first(where: { data == $0.path || data.hasPrefix($0.path + "/") }) else {
                throw SDSError(.notFound, "'\(p)' is not tracked by sds",
                               hint: "'sds status' lists the tracked paths; 'sds add \(p)' starts tracking it")
            }
            guard workspace.store.contains(t.pointer.id) || t.pointer.kind == .file else {
                throw SDSError(.notFound, "the version of '\(t.path)' is not in the store", hint: "fetch it first ('sds fetch \(t.path)')")
            }
            selected += try workspace.trackedFiles(t.path, t.pointer).filter { $0.path == data || $0.path.hasPrefix(data + "/") }
        }
        let copier = WorkTreeLinker(store: workspace.store, modes: [.reflink, .copy], explicit: false)
        let mask = umask(0)
        umask(mask)
        var done: [String] = []
        var states: [(path: String, state: FileState)] = []
        defer { try? workspace.index().record(states) }
        var seen = Set<String>()
        for f in selected where f.kind != .symlink && seen.insert(f.path).inserted {
            let abs = workspace.absolute(f.path)
            try Confinement.check(root: workspace.root, relative: f.path)
            guard let st = try FileIO.lstat(abs) else { continue }
            let mode = (f.kind == .executable ? 0o777 : 0o666) & ~mask
            let shared = st.kind == .symlink ? WorkTreeLinker.linkedObject(abs, store: workspace.store) == f.id
                : try st.kind == .file && WorkTreeLinker.isHardlink(st, of: f.id, store: workspace.store)
            if shared {
                try workspace.store.verify(f.id)
                _ = try copier.replace(abs, with: f.id, executable: f.kind == .executable, mode: mode)
                try FileIO.fsyncDirectory(FileIO.parentDirectory(abs))
                if let now = try FileIO.lstat(abs) { states.append((f.path, FileState(stat: now, id: f.id, recordedNs: FileIO.nowNs()))) }
                done.append(f.path)
            } else if st.kind == .file && st.mode & 0o200 == 0 {
                // Its own file, only read-only (a copy made before, or by hand): just writable.
                guard chmod(abs, mode) == 0 else { throw SDSError.io("cannot change the mode of", path: abs, errno: errno) }
                done.append(f.path)
            }
        }
        return done
    }
}
