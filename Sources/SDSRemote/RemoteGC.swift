import Glibc
import SDSCore
import SDSPipeline
import SDSStore

/// `sds gc --remote`: deletes on the remote what nothing that can still be named needs.
///
/// Kept: every remote and local tag's build; every build an `sds.lock` names and every
/// pointer file, in the work tree and in every commit of every git ref; with each, its whole
/// closure (the remote's list, or the local store's). Never deleted, whatever they hold:
/// anything written less than `grace` seconds ago (default one hour: a push still running,
/// or one that died, may reference it), and nothing at all while another clone's push is
/// running (`locks/`; see `RemoteLock`). A pack goes only when none of its objects is kept
/// (packs are not rewritten). Deletion order is the reverse of the write order: tags are
/// never touched; closure and step lists, then pack indexes, then packs and objects.
public struct RemoteGC {
    public struct Report: Sendable {
        public var roots = 0
        public var keptObjects = 0
        public var removedObjects = 0
        public var removedBytes: Int64 = 0
        public var removedPacks = 0
        public var removedLists = 0
        /// Unneeded, but younger than the grace period.
        public var tooYoung = 0
    }

    public static let defaultGrace: Int64 = 3600

    let sync: RemoteSync

    public init(sync: RemoteSync) { self.sync = sync }

    /// Builds and trees to keep, from tags, locks and pointers everywhere.
    func roots() throws -> Set<RemoteSync.Root> {
        let ws = sync.workspace
        var out = Set(try sync.defaultSelection(localTags: true).roots)
        for name in try sync.remote.tagNames() { if let id = try sync.remote.tag(name) { out.insert(.build(id)) } }
        if let repo = try ws.gitRepository() {
            for commit in try repo.allCommitIDs() {
                for lock in try ws.committedFiles(named: "sds.lock", atRevision: commit) {
                    if let b = try ws.committedFile(lock, atRevision: commit), let id = RemoteSync.buildID(inLock: b) { out.insert(.build(id)) }
                }
                for t in try ws.trackedPaths(atRevision: commit, selection: []) { out.insert(.tree(t.pointer.id)) }
            }
        }
        return out
    }

    public func run(grace: Int64 = defaultGrace, dryRun: Bool, now: Int64 = Int64(time(nil))) throws -> Report {
        let remote = sync.remote, backend = remote.backend
        try remote.checkFormat(create: false)
        let lock = try RemoteLock.acquire(backend, kind: "gc", now: now)
        defer { lock.release() }
        var report = Report()
        let keep = try roots()
        report.roots = keep.count
        let inv = try remote.inventory()
        var needed = Set<ObjectID>()
        for r in keep {
            needed.insert(r.id)
            if inv.closures.contains(r.id), let listed = try remote.closure(of: r.id) {
                needed.formUnion(listed)
            } else {
                needed.formUnion(try sync.closure(r))
            }
        }
        let keptRoots = Set(keep.map(\.id))
        func young(_ e: RemoteEntry) -> Bool { e.modified == 0 || now - e.modified < grace }
        var doomed: [[String]] = [[], [], []]  // lists, indexes, data — deleted in that order
        for prefix in ["closures/", "steps/"] {
            for e in try backend.list(prefix) {
                guard let id = ObjectID(hex: e.key.dropFirst(prefix.count)), !keptRoots.contains(id) else { continue }
                if young(e) { report.tooYoung += 1 } else { doomed[0].append(e.key); report.removedLists += 1 }
            }
        }
        let packs = try backend.list("packs/")
        let packEntries = Dictionary(packs.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        var packObjects: [String: [ObjectID]] = [:]
        for (id, loc) in inv.objects { if case .pack(let key, _, _) = loc { packObjects[key, default: []].append(id) } }
        for e in packs where e.key.hasSuffix(".pack") {
            let ids = packObjects[e.key] ?? []
            let idxKey = String(e.key.dropLast(5)) + ".idx"
            if ids.contains(where: needed.contains) {
                report.keptObjects += ids.count
                continue
            }
            if young(e) || packEntries[idxKey].map(young) == true { report.tooYoung += 1; continue }
            if packEntries[idxKey] != nil { doomed[1].append(idxKey) }
            doomed[2].append(e.key)
            report.removedPacks += 1
            report.removedObjects += ids.count
            report.removedBytes += e.size
        }
        for e in try backend.list("objects/") {
            guard let id = ObjectID(hex: e.key.dropFirst("objects/".count)) else { continue }
            if needed.contains(id) { report.keptObjects += 1; continue }
            if young(e) { report.tooYoung += 1; continue }
            doomed[2].append(e.key)
            report.removedObjects += 1
            report.removedBytes += e.size
        }
        if dryRun { return report }
        for group in doomed { _ = try group.parallelMap(jobs: TransferSizes.parallel) { try backend.delete($0) } }
        return report
    }
}

/// Markers under `locks/` that keep `gc --remote` from deleting what a running push uses.
///
/// Both sides write their marker first, then look for the other kind: whichever looks
/// second sees the first, so a push and a gc never overlap. A push that sees a gc marker
/// waits for it; a gc that sees a push marker refuses. Markers older than `lifetime` (six
/// hours, whatever gc's --grace) were left by killed processes and are ignored.
public struct RemoteLock: Sendable {
    let backend: RemoteBackend
    let key: String
    public static let lifetime: Int64 = 6 * 3600

    public static func acquire(_ backend: RemoteBackend, kind: String, now: Int64 = Int64(time(nil))) throws -> RemoteLock {
        var rnd = SystemRandomNumberGenerator()
        let key = "locks/\(kind)-\(now)-\(getpid())-\(rnd.next() as UInt32)"
        try backend.put(key, Array("\(now)\n".utf8), sha256: nil)
        let lock = RemoteLock(backend: backend, key: key)
        let other = kind == "gc" ? "locks/push-" : "locks/gc-"
        // A push waits up to a minute for a gc to finish; a gc gives way to any push.
        for attempt in 0..<(kind == "gc" ? 1 : 60) {
            let live = try backend.list(other).filter { now - $0.modified < lifetime }
            if live.isEmpty { return lock }
            if kind == "gc" {
                lock.release()
                throw SDSError(.busy, "a push to remote \(backend.displayName) is running (\(live[0].key)); gc deletes nothing while one runs",
                               hint: "run 'sds gc --remote' again when it has finished (a marker left by a killed push expires after 6 hours, or delete it)")
            }
            if attempt == 59 { break }
            sleep(1)
        }
        lock.release()
        throw SDSError(.busy, "a 'gc --remote' of remote \(backend.displayName) is running", hint: "push again when it has finished")
    }

    public func release() { try? backend.delete(key) }
}
