import Glibc
import SDSCatalog
import SDSCore

/// `sds checkout`: makes tracked data match a version, from the store, verified by hash.
///
/// Never loses data: a file whose current content is not in the store is only
/// overwritten with `force`, and files not in the version are only removed with
/// `force`. The whole plan is made (and refused) before anything is written.
public struct Checkout {
    public struct Report: Sendable {
        public var written: [String] = []
        public var removed: [String] = []
        /// Files not in the version, left in place because `force` was off.
        public var keptExtras: [String] = []
        public var unchangedPaths: [String] = []
    }

    let workspace: Workspace
    let force: Bool
    /// How files are placed (`[cache] link`); nil: read from the config when files are written.
    let linker: WorkTreeLinker?

    public init(workspace: Workspace, force: Bool, linker: WorkTreeLinker? = nil) {
        self.workspace = workspace
        self.force = force
        self.linker = linker
    }

    private enum Action {
        case write(String, Tree.Kind, ObjectID)
        case chmod(String, Tree.Kind, ObjectID)
        case mkdir(String)
        case remove(String)
    }

    private struct Plan {
        var actions: [Action] = []
        var conflicts: [String] = []
        var extras: [String] = []
        var missing: Set<ObjectID> = []
        /// Objects that do not hash to their id or do not decode, with what is wrong.
        var damaged: [ObjectID: String] = [:]
    }

    /// Brings each tracked path to its pointer's version.
    public func run(_ targets: [TrackedPath]) throws -> Report {
        var plan = Plan()
        var report = Report()
        var snapshots: [String: Snapshot] = [:]
        for t in targets {
            let before = plan.actions.count
            let snap = try Scanner(workspace: workspace, mode: .hashOnly).scan(t.path)
            snapshots[t.path] = snap
            try planPath(t, current: snap, into: &plan)
            if plan.actions.count == before && snap?.id == t.pointer.id { report.unchangedPaths.append(t.path) }
        }
        try verifyBlobs(&plan)
        if !plan.missing.isEmpty || !plan.damaged.isEmpty {
            throw Self.unavailable(missing: plan.missing, damaged: plan.damaged)
        }
        try checkConfinement(plan)
        let linker = try self.linker ?? WorkTreeLinker(workspace: workspace)
        if !plan.conflicts.isEmpty && !force {
            let list = plan.conflicts.map { "  \($0)" }.joined(separator: "\n")
            throw SDSError(.conflict, "checkout would overwrite local changes that are not in the store:\n\(list)",
                           hint: "save them with 'sds add', or run again with --force to discard them")
        }
        if force {
            plan.actions += plan.extras.sorted(by: >).map { .remove($0) }
        } else {
            report.keptExtras = plan.extras
        }
        try execute(plan.actions, linker: linker, report: &report)
        return report
    }

    /// Every object the version needs that is missing or damaged, in one error (nothing is written).
    static func unavailable(missing: Set<ObjectID>, damaged: [ObjectID: String]) -> SDSError {
        var lines = missing.sorted().map { "  missing  \($0.hex)" }
        lines += damaged.keys.sorted().map { "  damaged  \($0.hex): \(Quoted.cut(damaged[$0]!))" }
        let shown = lines.prefix(50).joined(separator: "\n") + (lines.count > 50 ? "\n  … and \(lines.count - 50) more" : "")
        let what = damaged.isEmpty
            ? "\(missing.count) object(s) needed for this version are not in the store"
            : "\(damaged.count) object(s) needed for this version are damaged" + (missing.isEmpty ? "" : " and \(missing.count) are not in the store")
        return SDSError(damaged.isEmpty ? .notFound : .badData, "\(what); nothing was written:\n\(shown)",
                        hint: "add the data again where it exists ('sds add PATH'), or copy the objects from a store that has them; 'sds fsck' lists every damaged object")
    }

    /// Hashes every blob the plan writes, on all cores, so damage is found before the first write.
    private func verifyBlobs(_ plan: inout Plan) throws {
        var ids = Set<ObjectID>()
        for case .write(_, _, let id) in plan.actions { ids.insert(id) }
        let store = workspace.store
        let list = ids.sorted()
        let damage = try list.parallelMap(jobs: onlineCores) { id -> String? in
            do { try store.verify(id); return nil } catch let e as SDSError where e.kind == .badData { return e.message }
        }
        for (id, why) in zip(list, damage) { if let why { plan.damaged[id] = why } }
    }

    /// Refuses a plan that would write through a symbolic link: one on disk, or one the plan itself makes.
    private func checkConfinement(_ plan: Plan) throws {
        var links = Set<String>(), removed = Set<String>(), checkedFolders = Set<String>()
        for action in plan.actions {
            switch action {
            case .write(let rel, .symlink, _): links.insert(rel)
            case .remove(let rel): removed.insert(rel)
            default: break
            }
        }
        for action in plan.actions {
            let rel: String
            switch action {
            case .write(let r, _, _), .chmod(let r, _, _), .mkdir(let r), .remove(let r): rel = r
            }
            var prefix = ""
            for part in rel.split(separator: "/").dropLast() {
                prefix = prefix.isEmpty ? String(part) : prefix + "/" + part
                if links.contains(prefix) { throw Confinement.refusal(prefix, writing: rel, kind: .badData) }
            }
            if checkedFolders.insert(FileIO.parentDirectory(rel)).inserted,
               let link = try Confinement.linkOnTheWay(root: workspace.root, to: rel), !removed.contains(link) {
                throw Confinement.refusal(link, writing: rel)
            }
        }
    }

    // MARK: Planning

    private func planPath(_ t: TrackedPath, current: Snapshot?, into plan: inout Plan) throws {
        let target = t.pointer
        guard workspace.store.contains(target.id) else {
            plan.missing.insert(target.id)
            return
        }
        switch (target.kind, current?.kind) {
        case (.file, nil):
            plan.actions.append(.write(t.path, .file, target.id))
        case (.file, .file):
            if current!.id != target.id {
                if !workspace.store.contains(current!.id) { plan.conflicts.append(t.path) }
                plan.actions.append(.write(t.path, .file, target.id))
            }
        case (.file, .dir):
            plan.conflicts.append(t.path + "/ (a folder where the version has a file)")
            plan.actions.append(.remove(t.path))
            plan.actions.append(.write(t.path, .file, target.id))
        case (.dir, .file):
            if !workspace.store.contains(current!.id) { plan.conflicts.append(t.path) }
            plan.actions.append(.remove(t.path))
            plan.actions.append(.mkdir(t.path))
            try planTree(target.id, current: nil, currentTrees: [:], dir: t.path, into: &plan)
        case (.dir, nil):
            plan.actions.append(.mkdir(t.path))
            try planTree(target.id, current: nil, currentTrees: [:], dir: t.path, into: &plan)
        case (.dir, .dir):
            try planTree(target.id, current: current!.id, currentTrees: current!.trees, dir: t.path, into: &plan)
        }
    }

    private func planTree(_ targetID: ObjectID, current currentID: ObjectID?, currentTrees: [ObjectID: Tree],
                          dir: String, into plan: inout Plan) throws {
        if targetID == currentID { return }
        let target: Tree
        do {
            target = try Tree(decoding: workspace.store.read(targetID), id: targetID)
        } catch let e as SDSError where e.kind == .badData {
            plan.damaged[targetID] = e.message
            return
        }
        let current = currentID.flatMap { currentTrees[$0] }?.entries ?? []
        var byName: [String: Tree.Entry] = [:]
        for e in current { byName[e.name] = e }
        var seen = Set<String>()
        for t in target.entries {
            seen.insert(t.name)
            let path = dir + "/" + t.name
            let c = byName[t.name]
            if t.kind == .directory {
                guard workspace.store.contains(t.id) else { plan.missing.insert(t.id); continue }
                if let c, c.kind == .directory {
                    try planTree(t.id, current: c.id, currentTrees: currentTrees, dir: path, into: &plan)
                    continue
                }
                if let c {
                    if !workspace.store.contains(c.id) { plan.conflicts.append(path) }
                    plan.actions.append(.remove(path))
                }
                plan.actions.append(.mkdir(path))
                try planTree(t.id, current: nil, currentTrees: currentTrees, dir: path, into: &plan)
                continue
            }
            guard workspace.store.contains(t.id) else { plan.missing.insert(t.id); continue }
            switch c {
            case nil:
                plan.actions.append(.write(path, t.kind, t.id))
            case let c? where c.kind == .directory:
                plan.conflicts.append(path + "/ (a folder where the version has a file)")
                plan.actions.append(.remove(path))
                plan.actions.append(.write(path, t.kind, t.id))
            case let c?:
                if c.id == t.id && c.kind == t.kind { continue }
                if c.id == t.id && c.kind != .symlink && t.kind != .symlink {
                    plan.actions.append(.chmod(path, t.kind, t.id))
                    continue
                }
                if !workspace.store.contains(c.id) { plan.conflicts.append(path) }
                plan.actions.append(.write(path, t.kind, t.id))
            }
        }
        for c in current where !seen.contains(c.name) {
            collectExtras(c, dir: dir, currentTrees: currentTrees, into: &plan.extras)
        }
    }

    private func collectExtras(_ e: Tree.Entry, dir: String, currentTrees: [ObjectID: Tree], into extras: inout [String]) {
        let path = dir + "/" + e.name
        if e.kind == .directory, let sub = currentTrees[e.id] {
            for c in sub.entries { collectExtras(c, dir: path, currentTrees: currentTrees, into: &extras) }
        }
        extras.append(path)
    }

    // MARK: Doing

    private func execute(_ actions: [Action], linker: WorkTreeLinker, report: inout Report) throws {
        var states: [(path: String, state: FileState)] = []
        var touchedDirs = Set<String>()
        var safeFolders = Set<String>()
        var cleanedFolders = Set<String>()
        defer { try? workspace.index().record(states) }
        let pending = PendingFiles(root: workspace.root)
        defer { pending.discard() }
        let mask = umask(0)
        umask(mask)
        for action in actions {
            switch action {
            case .write(let rel, _, _), .chmod(let rel, _, _), .mkdir(let rel), .remove(let rel):
                // Again as the actions run (once per folder): the disk may have changed since the plan.
                if safeFolders.insert(FileIO.parentDirectory(rel)).inserted {
                    try Confinement.check(root: workspace.root, relative: rel)
                }
            }
            switch action {
            case .remove(let rel):
                Failpoint.checkoutRemove.pass()
                try FileIO.removeTree(workspace.absolute(rel))
                report.removed.append(rel)
                touchedDirs.insert(FileIO.parentDirectory(workspace.absolute(rel)))
            case .mkdir(let rel):
                try FileIO.makeDirectories(workspace.absolute(rel))
                touchedDirs.insert(FileIO.parentDirectory(workspace.absolute(rel)))
            case .chmod(let rel, let kind, let id):
                let abs = workspace.absolute(rel)
                // A file that is the object itself (a hardlink or symlink) gets a file of its own:
                // a chmod would change the object's mode for every work tree that shares it.
                if try WorkTreeLinker.isShared(abs, id: id, store: workspace.store) {
                    let tmp = try write(id, kind: kind, to: abs, mode: fileMode(kind) & ~mask)
                    pending.add(tmp: tmp, abs: abs, rel: rel, id: id, kind: kind)
                    report.written.append(rel)
                    continue
                }
                guard Glibc.chmod(abs, fileMode(kind) & ~mask) == 0 else {
                    throw SDSError.io("cannot change the mode of", path: abs, errno: errno)
                }
                report.written.append(rel)
            case .write(let rel, let kind, let id):
                let abs = workspace.absolute(rel)
                try FileIO.makeDirectories(FileIO.parentDirectory(abs))
                // A killed checkout's temps go once per folder (one listing), not once per file.
                if cleanedFolders.insert(FileIO.parentDirectory(abs)).inserted { FileIO.removeStaleTemps(in: FileIO.parentDirectory(abs)) }
                let tmp = try write(id, kind: kind, to: abs, mode: fileMode(kind) & ~mask, linker: linker)
                pending.add(tmp: tmp, abs: abs, rel: rel, id: id, kind: kind)
                report.written.append(rel)
                touchedDirs.insert(FileIO.parentDirectory(abs))
                if pending.isFull { try pending.place(into: &states) }
            }
        }
        try pending.place(into: &states)
        // Folders removed later in the plan need no sync.
        for dir in touchedDirs.sorted() where try FileIO.lstat(dir) != nil { try FileIO.fsyncDirectory(dir) }
    }

    private func fileMode(_ kind: Tree.Kind) -> mode_t { kind == .executable ? 0o777 : 0o666 }

    /// Writes an object to a temp file beside `abs`, checking every byte; `PendingFiles` syncs
    /// and renames it into place.
    private func write(_ id: ObjectID, kind: Tree.Kind, to abs: String, mode: mode_t,
                       linker: WorkTreeLinker? = nil) throws -> (path: String, size: Int64) {
        let tmp = FileIO.parentDirectory(abs) + "/" + FileIO.tempName(for: FileIO.baseName(abs))
        try FileIO.remove(tmp)
        var size: Int64 = 0
        if kind == .symlink {
            let target = String(decoding: try workspace.store.read(id), as: UTF8.self)
            guard symlink(target, tmp) == 0 else { throw SDSError.io("cannot create link", path: tmp, errno: errno) }
        } else {
            // A private copy unless a linker says otherwise (a chmod'ed shared file gets one).
            let linker = linker ?? WorkTreeLinker(store: workspace.store, modes: [.copy])
            do {
                // Not fsynced one by one: `PendingFiles` syncs the file system once for many.
                try linker.place(id, executable: kind == .executable, at: tmp, mode: mode, syncing: false)
                size = try FileIO.lstat(tmp)?.size ?? 0
            } catch {
                unlink(tmp)
                throw error
            }
        }
        Failpoint.checkoutWritten.pass()
        return (tmp, size)
    }
}

/// Checked-out files written to temp names, waiting to be made durable together (one
/// `syncfs`, not an fsync per file: thousands of small files cost one sync) and then renamed
/// into place, so a crash leaves each path old or new, never half-written.
private final class PendingFiles {
    let root: String
    private var items: [(tmp: String, abs: String, rel: String, id: ObjectID, kind: Tree.Kind)] = []
    private var bytes: Int64 = 0

    init(root: String) { self.root = root }

    /// Placed every few thousand files or 256 MiB, so replaced files do not pile up on disk.
    var isFull: Bool { items.count >= 4096 || bytes >= 256 << 20 }

    func add(tmp: (path: String, size: Int64), abs: String, rel: String, id: ObjectID, kind: Tree.Kind) {
        items.append((tmp.path, abs, rel, id, kind))
        bytes += tmp.size
    }

    /// Syncs the temp files, renames them into place and notes their states for the index.
    func place(into states: inout [(path: String, state: FileState)]) throws {
        guard !items.isEmpty else { return }
        try FileIO.syncFileSystem(containing: root)
        for (n, p) in items.enumerated() {
            guard rename(p.tmp, p.abs) == 0 else {
                let code = errno
                items.removeFirst(n)
                throw SDSError.io("cannot move into place", path: p.abs, errno: code)
            }
            // A work-tree symlink (link mode 'symlink') is the object's name, not a file to stat.
            if p.kind != .symlink, let st = try FileIO.lstat(p.abs), st.kind == .file {
                states.append((p.rel, FileState(stat: st, id: p.id, recordedNs: FileIO.nowNs())))
            }
        }
        items.removeAll()
        bytes = 0
    }

    /// Removes the temp files not placed (after a failure: nothing half-done stays behind).
    func discard() {
        for p in items { unlink(p.tmp) }
        items.removeAll()
    }
}
