import SDSCore
import SDSPipeline
import SDSStore

/// Push and fetch of builds, tags and tracked paths between a workspace and a remote.
///
/// A root is a build (its manifest id) or a tracked path's tree; each travels with its
/// closure (`ObjectClosure`). Push sends objects, then each root's closure list, then tags;
/// fetch reads the closure lists, brings what the store lacks (hashed on arrival), checks
/// the closure again locally (so an incomplete list only costs another round), and writes
/// local tags last.
public struct RemoteSync {
    public enum Root: Sendable, Hashable {
        case build(ObjectID)
        case tree(ObjectID)
        public var id: ObjectID { switch self { case .build(let i), .tree(let i): i } }
    }

    /// What a push or fetch was asked for, after resolving names.
    public struct Selection: Sendable {
        public var roots: [Root] = []
        /// Tags to write (remote tags on push, local tags on fetch) and the builds they name.
        public var tags: [(name: String, build: ObjectID)] = []

        public init() {}

        mutating func add(_ r: Root) { if !roots.contains(r) { roots.append(r) } }
    }

    public struct Summary: Sendable {
        public var roots = 0
        public var objects = 0
        public var alreadyThere = 0
        public var bytes: Int64 = 0
        public var packs = 0
        public var tags: [(name: String, change: String)] = []
        public var stepsLearned = 0
        public var seconds: Double = 0
    }

    public let workspace: Workspace
    public let remote: RemoteStore
    /// The spec's lock, relative to the workspace root (its builds are default roots).
    public let lockPath: String

    public init(workspace: Workspace, remote: RemoteStore, lockPath: String) {
        self.workspace = workspace
        self.remote = remote
        self.lockPath = lockPath
    }

    /// Opens the named (or default) remote of a workspace.
    public static func open(_ workspace: Workspace, remote name: String?, lockPath: String) throws -> RemoteSync {
        let settings = try RemoteConfig(storePath: workspace.storePath).remote(name)
        let backend = try RemoteConfig.open(settings)
        let remote = RemoteStore(backend: backend, cacheDirectory: workspace.storePath + "/remotes/" + settings.name)
        return RemoteSync(workspace: workspace, remote: remote, lockPath: lockPath)
    }

    /// The work tree's pointers, the builds its lock files name, and (for push) every local tag.
    public func defaultSelection(localTags: Bool) throws -> Selection {
        var s = Selection()
        for t in try workspace.trackedPaths([]) { s.add(.tree(t.pointer.id)) }
        for (_, b) in try ObjectClosure.lockedBuilds(beside: lockPath, in: workspace) { s.add(.build(b)) }
        if localTags {
            for t in try Tags(workspace: workspace).all() {
                s.add(.build(t.id))
                s.tags.append((t.name, t.id))
            }
        }
        return s
    }

    /// Reads WHAT arguments for push: tracked paths, tags, build ids, git revisions.
    public func pushSelection(_ what: [String], allTags: Bool, builds: Bool) throws -> Selection {
        if what.isEmpty && !allTags && !builds { return try defaultSelection(localTags: true) }
        var s = Selection()
        let tags = try Tags(workspace: workspace)
        if allTags { for t in try tags.all() { s.add(.build(t.id)); s.tags.append((t.name, t.id)) } }
        if builds { for (_, b) in try ObjectClosure.lockedBuilds(beside: lockPath, in: workspace) { s.add(.build(b)) } }
        for w in what {
            if let id = try tags.get(w) {
                s.add(.build(id))
                s.tags.append((w, id))
            } else if let t = try trackedPath(w) {
                s.add(.tree(t))
            } else {
                let v = try VersionResolver(workspace: workspace, lockPath: lockPath).resolve(w)
                guard let b = v.build else { throw SDSError(.usage, "'workspace' is not something to push; name a path, a tag or a build") }
                s.add(.build(b.id))
            }
        }
        return s
    }

    /// Reads WHAT arguments for fetch: tags (the remote's), build ids, tracked paths, git revisions.
    public func fetchSelection(_ what: [String], allTags: Bool) throws -> Selection {
        if what.isEmpty && !allTags { return try defaultSelection(localTags: true) }
        var s = Selection()
        if allTags {
            for name in try remote.tagNames() {
                if let id = try remote.tag(name) { s.add(.build(id)); s.tags.append((name, id)) }
            }
        }
        for w in what {
            if (try? Tags.validate(w)) != nil, let id = try remote.tag(w) {
                s.add(.build(id))
                s.tags.append((w, id))
            } else if let t = try trackedPath(w) {
                s.add(.tree(t))
            } else if let id = try remoteBuild(prefix: w) {
                s.add(.build(id))
            } else if let repo = try workspace.gitRepository(), (try? repo.resolveCommit(w)) != nil {
                // A git revision: the builds its committed lock files name.
                var found = false
                for lock in try workspace.committedFiles(named: "sds.lock", atRevision: w) + [] {
                    if let b = try workspace.committedFile(lock, atRevision: w), let id = Self.buildID(inLock: b) { s.add(.build(id)); found = true }
                }
                for t in try workspace.trackedPaths(atRevision: w, selection: []) { s.add(.tree(t.pointer.id)); found = true }
                if !found { throw SDSError(.notFound, "git revision '\(w)' has no pointer files and no sds.lock to fetch") }
            } else {
                throw SDSError(.notFound, "'\(w)' is not a tag on remote \(remote.backend.displayName), a build id there, a tracked path or a git revision",
                               hint: "'sds remote list' shows the remotes; 'sds fetch --all-tags' brings every tag")
            }
        }
        return s
    }

    static func buildID(inLock bytes: [UInt8]) -> ObjectID? {
        guard let text = String(validating: bytes, as: UTF8.self), let r = text.range(of: "\"build\"") else { return nil }
        let rest = text[r.upperBound...].drop { $0 == " " || $0 == ":" || $0 == "\"" }
        return ObjectID(hex: rest.prefix(64))
    }

    /// A build on the remote whose id starts with `prefix` (4+ hex digits), if exactly one does.
    func remoteBuild(prefix: String) throws -> ObjectID? {
        guard prefix.utf8.count >= 4, prefix.utf8.count <= 64,
              prefix.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else { return nil }
        let hits = try remote.backend.list("closures/" + prefix).compactMap { ObjectID(hex: $0.key.dropFirst("closures/".count)) }
        guard hits.count <= 1 else {
            throw SDSError(.usage, "build id prefix '\(prefix)' is ambiguous on remote \(remote.backend.displayName) (\(hits.count) builds)")
        }
        return hits.first
    }

    /// The pointer's object id when `arg` is a tracked path of the work tree.
    func trackedPath(_ arg: String) throws -> ObjectID? {
        guard let rel = try? workspace.relativePath(arg) else { return nil }
        let data = rel.hasSuffix(".sds") ? String(rel.dropLast(4)) : rel
        guard try FileIO.lstat(workspace.absolute(data + Pointer.suffix)) != nil else { return nil }
        return try workspace.trackedPaths([arg]).first?.pointer.id
    }

    public func closure(_ root: Root) throws -> Set<ObjectID> {
        switch root {
        case .build(let id): try ObjectClosure.ofBuild(id, in: workspace)
        case .tree(let id): try ObjectClosure.ofTree(id, in: workspace)
        }
    }

    /// Sends the selection: objects, then closure lists, then tags.
    public func push(_ selection: Selection, force: Bool, progress: TransferProgress) throws -> Summary {
        let start = FileIO.nowNs()
        try remote.checkFormat(create: true)
        var summary = Summary()
        summary.roots = selection.roots.count
        var closures: [(Root, Set<ObjectID>)] = []
        var all = Set<ObjectID>()
        for r in selection.roots {
            let c = try closure(r)
            closures.append((r, c))
            all.formUnion(c)
        }
        var inv = try remote.inventory()
        // Only what the remote lacks must be here: a no-op push touches no local object.
        for (r, c) in closures {
            if let missing = c.first(where: { inv.objects[$0] == nil && !workspace.store.contains($0) }) {
                let what = if case .build = r { "build \(r.id.short)" } else { "tracked data \(r.id.short)" }
                throw SDSError(.notFound, "\(what) needs object \(missing.hex), which is not in the local store",
                               hint: "fetch it first ('sds fetch'), or push from the clone that has it")
            }
        }
        // Nothing to send (the no-op push): no marker, nothing written.
        let complete = all.allSatisfy { inv.objects[$0] != nil } && closures.allSatisfy { inv.closures.contains($0.0.id) }
            && selection.roots.allSatisfy { if case .build(let id) = $0 { inv.stepLists.contains(id) } else { true } }
        if complete, try selection.tags.allSatisfy({ try remote.tag($0.name) == $0.build }) {
            summary.alreadyThere = all.count
            summary.seconds = Double(FileIO.nowNs() - start) / 1e9
            return summary
        }
        // While it is there, 'gc --remote' deletes nothing this push may reuse; what the remote
        // has is read again under it, so nothing a gc removed before is taken as there.
        let marker = try RemoteLock.acquire(remote.backend, kind: "push")
        defer { marker.release() }
        inv = try remote.inventory()
        let moved = try remote.pushObjects(Array(all), from: workspace.store, have: inv, progress: progress)
        summary.objects = moved.objects
        summary.bytes = moved.bytes
        summary.packs = moved.packs
        summary.alreadyThere = all.count - moved.objects
        Failpoint.pushObjects.pass()
        // Closure lists only once every object they name has landed.
        for (r, c) in closures where !inv.closures.contains(r.id) { try remote.writeClosure(r.id, c) }
        // Each build's steps, for the shared step cache (`sds build --remote-cache`).
        for case .build(let id) in selection.roots where !inv.stepLists.contains(id) {
            let steps = try RecordedBuild.load(workspace, id).steps.compactMap { s -> (key: ObjectID, result: ObjectID, op: String)? in
                guard let k = ObjectID(hex: s.key), let r = ObjectID(hex: s.result) else { return nil }
                return (k, r, s.op)
            }
            let bytes = RemoteStepCache.encode(steps)
            try remote.backend.put("steps/\(id.hex)", bytes, sha256: Hasher256.id(of: bytes))
        }
        for t in selection.tags.sorted(by: { $0.name < $1.name }) {
            switch try remote.setTag(t.name, t.build, force: force) {
            case .created: summary.tags.append((t.name, "created"))
            case .moved: summary.tags.append((t.name, "moved"))
            case .unchanged: break
            }
        }
        summary.seconds = Double(FileIO.nowNs() - start) / 1e9
        return summary
    }

    /// Brings the selection into the local store, then writes local tags.
    public func fetch(_ selection: Selection, force: Bool, progress: TransferProgress) throws -> Summary {
        let start = FileIO.nowNs()
        try remote.checkFormat(create: false)
        var summary = Summary()
        summary.roots = selection.roots.count
        let store = workspace.store
        var wanted = Set(selection.roots.map(\.id))
        for r in selection.roots where !store.contains(r.id) {
            if let listed = try remote.closure(of: r.id) { wanted.formUnion(listed) }
        }
        var inv: RemoteStore.Inventory?
        // Each round brings what the local closures name and the store lacks; a complete
        // closure list makes it one round, a missing one costs a round per level.
        for _ in 0..<64 {
            let missing = wanted.filter { !store.contains($0) }
            if missing.isEmpty { break }
            if inv == nil { inv = try remote.inventory() }
            let moved = try remote.fetchObjects(missing, into: store, have: inv!, progress: progress)
            summary.objects += moved.objects
            summary.bytes += moved.bytes
            for r in selection.roots { wanted.formUnion(try closure(r)) }
        }
        for r in selection.roots { wanted.formUnion(try closure(r)) }
        if let missing = wanted.first(where: { !store.contains($0) }) {
            throw SDSError(.notFound, "object \(missing.hex) is still missing after fetching from \(remote.backend.displayName)")
        }
        Failpoint.fetchObjects.pass()
        let builds = selection.roots.compactMap { if case .build(let id) = $0 { id } else { nil } }
        summary.stepsLearned = try workspace.learnSteps(fromManifests: builds)
        let tags = Tags(workspace: workspace)
        for t in selection.tags.sorted(by: { $0.name < $1.name }) {
            let old = try tags.get(t.name)
            if old == t.build { continue }
            try tags.set(t.name, to: t.build, force: force)
            summary.tags.append((t.name, old == nil ? "created" : "moved"))
        }
        summary.seconds = Double(FileIO.nowNs() - start) / 1e9
        return summary
    }
}

extension RemoteSync {
    /// The default remote of a workspace, or nil when none is configured (then nothing is fetched).
    public static func openDefault(_ workspace: Workspace, lockPath: String) throws -> RemoteSync? {
        let config = try RemoteConfig(storePath: workspace.storePath)
        guard config.defaultName != nil else { return nil }
        return try open(workspace, remote: nil, lockPath: lockPath)
    }

    /// Whether the store lacks something `root` needs.
    public func isIncomplete(_ root: Root) throws -> Bool {
        try closure(root).contains { !workspace.store.contains($0) }
    }

    /// The build a version name means locally (tag, build id, git revision, nil: the lock's),
    /// without reading its manifest; nil when it names nothing here (maybe a remote tag).
    public func localBuild(_ version: String?) throws -> ObjectID? {
        guard let version else {
            guard let bytes = try FileIO.readFileIfExists(workspace.absolute(lockPath)) else { return nil }
            return Self.buildID(inLock: bytes)
        }
        if version == "workspace" { return nil }
        if let id = try Tags(workspace: workspace).get(version) { return id }
        if version.utf8.count == 64, let id = ObjectID(hex: version) { return id }
        if let repo = try workspace.gitRepository(), (try? repo.resolveCommit(version)) != nil,
           let bytes = try workspace.committedFile(lockPath, atRevision: version) {
            return Self.buildID(inLock: bytes)
        }
        return nil
    }
}
