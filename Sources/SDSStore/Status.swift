import SDSCore

/// How a tracked path's data compares with its pointer.
public struct PathStatus: Sendable {
    public enum State: String, Sendable {
        case unchanged, modified, missing
        /// The data matches the pointer, but the store lacks some of its objects.
        case notInStore = "not in store"
    }
    public var path: String
    public var state: State
    public var pointer: Pointer
    /// The id the data has now, when present.
    public var currentID: ObjectID?
    /// Whether every object the pointer needs is in the store.
    public var inStore: Bool
    /// For folders: the files that differ from the pointer's version (when it is in the store).
    public var changes: [FileChange]
    public var warnings: [String]
}

/// One file that differs between two versions of a folder.
public struct FileChange: Sendable, Equatable {
    public enum Kind: String, Sendable { case added, removed, modified }
    public var path: String
    public var kind: Kind
}

/// `sds status`: compares tracked data with pointers, reading only what the cache cannot answer.
public struct StatusChecker {
    let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    public func status(_ tracked: [TrackedPath]) throws -> [PathStatus] {
        try tracked.map { t in
            let snap = try Scanner(workspace: workspace, mode: .hashOnly).scan(t.path)
            let inStore = try hasAllObjects(t.pointer.id, kind: t.pointer.kind, knownTrees: snap?.trees ?? [:])
            guard let snap else {
                return PathStatus(path: t.path, state: .missing, pointer: t.pointer, currentID: nil,
                                  inStore: inStore, changes: [], warnings: [])
            }
            if snap.id == t.pointer.id && snap.kind == t.pointer.kind {
                return PathStatus(path: t.path, state: inStore ? .unchanged : .notInStore, pointer: t.pointer,
                                  currentID: snap.id, inStore: inStore, changes: [], warnings: snap.warnings)
            }
            var changes: [FileChange] = []
            if snap.kind == .dir && t.pointer.kind == .dir {
                changes = (try? TreeDiff(store: workspace.store, newTrees: snap.trees)
                    .changes(old: t.pointer.id, new: snap.id, prefix: t.path)) ?? []
            }
            return PathStatus(path: t.path, state: .modified, pointer: t.pointer, currentID: snap.id,
                              inStore: inStore, changes: changes, warnings: snap.warnings)
        }
    }

    /// True if the object and, for a folder, every object below it are stored.
    ///
    /// A folder found complete once is remembered in the index, so an unchanged
    /// folder of 10,000 files costs one lookup instead of 10,000 `access` calls.
    /// A stored tree that does not decode (unsafe names, say) is an error naming it, not "not in store".
    func hasAllObjects(_ id: ObjectID, kind: Pointer.Kind, knownTrees: [ObjectID: Tree]) throws -> Bool {
        guard workspace.store.contains(id) else { return false }
        guard kind == .dir else { return true }
        let index = try? workspace.index()
        if (try? index?.isCompleteTree(id)) == true { return true }
        guard try walkObjects(id, knownTrees: knownTrees) else { return false }
        try? index?.recordCompleteTree(id)
        return true
    }

    private func walkObjects(_ id: ObjectID, knownTrees: [ObjectID: Tree]) throws -> Bool {
        guard workspace.store.contains(id) else { return false }
        let tree: Tree
        if let known = knownTrees[id] {
            tree = known
        } else {
            guard let bytes = try? workspace.store.read(id) else { return false }
            tree = try Tree(decoding: bytes, id: id)
        }
        for e in tree.entries {
            if e.kind == .directory {
                if try !walkObjects(e.id, knownTrees: knownTrees) { return false }
            } else if !workspace.store.contains(e.id) {
                return false
            }
        }
        return true
    }
}

/// Differences between two folder versions, file by file.
struct TreeDiff {
    let store: ObjectStore
    let newTrees: [ObjectID: Tree]

    private func load(_ id: ObjectID) throws -> Tree {
        if let t = newTrees[id] { return t }
        return try Tree(decoding: store.read(id), id: id)
    }

    func changes(old: ObjectID?, new: ObjectID?, prefix: String) throws -> [FileChange] {
        if old == new { return [] }
        let a = try old.map(load)?.entries ?? []
        let b = try new.map(load)?.entries ?? []
        var out: [FileChange] = []
        var byName: [String: Tree.Entry] = [:]
        for e in a { byName[e.name] = e }
        var seen = Set<String>()
        for e in b {
            seen.insert(e.name)
            let path = prefix + "/" + e.name
            let o = byName[e.name]
            switch (o?.kind == .directory, e.kind == .directory) {
            case (true, true): out += try changes(old: o!.id, new: e.id, prefix: path)
            case (false, true):
                if o != nil { out.append(FileChange(path: path, kind: .removed)) }
                out += try changes(old: nil, new: e.id, prefix: path)
            case (true, false):
                out += try changes(old: o!.id, new: nil, prefix: path)
                out.append(FileChange(path: path, kind: .added))
            case (false, false):
                if o == nil { out.append(FileChange(path: path, kind: .added)) }
                else if o!.id != e.id || o!.kind != e.kind { out.append(FileChange(path: path, kind: .modified)) }
            }
        }
        for e in a where !seen.contains(e.name) {
            let path = prefix + "/" + e.name
            if e.kind == .directory { out += try changes(old: e.id, new: nil, prefix: path) }
            else { out.append(FileChange(path: path, kind: .removed)) }
        }
        return out.sorted { $0.path < $1.path }
    }
}
