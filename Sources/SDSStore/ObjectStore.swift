import Glibc
import SDSCore
import Synchronization


/// Immutable objects at `objects/ab/cdef…`, named by the SHA-256 of their bytes.
///
/// Invariants: a name appears only after its bytes are durable (temp file, fsync,
/// link, fsync the folder); objects are read-only and never rewritten; every read
/// is checked against the id (except of objects this process itself created), and a
/// mismatch is an error, never data.
public final class ObjectStore: Sendable {
    public let root: String
    public let objectsDirectory: String
    public let tempDirectory: String
    private let counter = Atomic<Int>(0)
    private let objectsFD = Mutex<Int32>(-1)
    /// Object folders with renames not yet synced (see `syncPendingDirectories`).
    private let pendingDirectories = Mutex<Set<String>>([])
    /// Objects this process wrote: their bytes came from memory moments ago, so reading them
    /// back needs no hash check (a build reads most of what it writes).
    private let written = Mutex<Set<ObjectID>>([])
    /// Objects whose bytes were found not to hash to their id (see `takeDamaged`).
    private let damagedSeen = Mutex<Set<ObjectID>>([])
    /// Objects made but not yet named (see `put(_:deferSync:)`).
    private let staging: Staging
    /// Work waiting for the next publish (see `whenPublished`).
    private let afterPublish = Mutex<[@Sendable () throws -> Void]>([])
    /// A scratch store (see `scratch(in:)`) names nothing: what it makes stays staged in
    /// its own folder outside the store, and is gone with it.
    public let isScratch: Bool

    public convenience init(root: String) {
        self.init(root: root, tempDirectory: root + "/tmp", scratch: false)
    }

    private init(root: String, tempDirectory: String, scratch: Bool) {
        self.root = root
        objectsDirectory = root + "/objects"
        self.tempDirectory = tempDirectory
        isScratch = scratch
        let counter = Atomic<Int>(0)
        staging = Staging { "\(tempDirectory)/\(getpid()).s\(counter.add(1, ordering: .relaxed).newValue).tmp" }
    }

    /// A view of this store that reads its objects but writes none: every object made
    /// through it is kept in `folder` (outside the store) until the caller removes that.
    /// A dry run computes through one, so it can say exactly what a build would do while
    /// leaving the store, its index and its step cache as they were.
    public func scratch(in folder: String) -> ObjectStore {
        ObjectStore(root: root, tempDirectory: folder, scratch: true)
    }

    public func path(of id: ObjectID) -> String {
        // A scratch object has no name in objects/: its temp file stands in.
        if isScratch, let file = staging.file(of: id) { return file }
        let hex = id.hex
        return "\(objectsDirectory)/\(hex.prefix(2))/\(hex.dropFirst(2))"
    }

    public func contains(_ id: ObjectID) -> Bool {
        staging.contains(id) || containsOnDisk(id)
    }

    /// True when the object has its name in `objects/` and is not waiting in staging.
    public func isPublished(_ id: ObjectID) -> Bool { !staging.contains(id) && containsOnDisk(id) }

    /// Runs `body` at the end of the next `syncPendingDirectories()`, once what is staged is
    /// published: the step cache records a row only when its result has its name.
    public func whenPublished(_ body: @escaping @Sendable () throws -> Void) {
        afterPublish.withLock { $0.append(body) }
    }

    /// True when the object has its name in `objects/` (not only staged).
    private func containsOnDisk(_ id: ObjectID) -> Bool {
        // Relative to an open objects/ folder: two path components instead of the whole path.
        let dirFD = objectsFD.withLock { fd -> Int32 in
            if fd < 0 { fd = Glibc.open(objectsDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
            return fd
        }
        guard dirFD >= 0 else { return access(path(of: id), F_OK) == 0 }
        var rel = [UInt8]()
        rel.reserveCapacity(66)
        id.appendHex(to: &rel)
        rel.insert(UInt8(ascii: "/"), at: 2)
        rel.append(0)
        return rel.withUnsafeBufferPointer { faccessat(dirFD, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), F_OK, 0) } == 0
    }

    /// A fresh temp path whose name starts with this process id, so stale ones can be told apart.
    package func newTempPath() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        return "\(tempDirectory)/\(getpid()).\(n).tmp"
    }

    /// Stores an object held in memory.
    ///
    /// With `deferSync`, the object is only staged (see `Staging`): written to a temp file
    /// without an fsync by a writer thread, readable through this store at once, and named by
    /// `syncPendingDirectories()`, which makes every staged object durable with one
    /// file-system sync and then links them into place. A build stages hundreds of results;
    /// one sync costs far less than an fsync each.
    @discardableResult
    public func put(_ bytes: [UInt8], deferSync: Bool = false) throws -> ObjectID {
        let id = Hasher256.id(of: bytes)
        if (deferSync || isScratch) && staging.contains(id) { return id }
        // An object already named is kept only when sound: writing its true bytes repairs it.
        if containsOnDisk(id) && isSoundOnDisk(id) { return id }
        if deferSync || isScratch {
            if try staging.stage(id, bytes) { written.withLock { _ = $0.insert(id) } }
            return id
        }
        let tmp = newTempPath()
        let direct = bytes.count >= DirectWriter.threshold ? DirectWriter.open(tmp) : nil
        let fd = try direct ?? FileIO.open(tmp, O_WRONLY | O_CREAT | O_EXCL, mode: 0o444)
        do {
            if direct != nil {
                try bytes.withUnsafeBytes { try DirectWriter.write(fd, $0, path: tmp) }
            } else {
                try FileIO.writeAll(fd, bytes, path: tmp)
            }
            Failpoint.objectWritten.pass()
            try FileIO.fsync(fd, path: tmp)
            close(fd)
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        try publish(tmp, as: id)
        return id
    }

    /// Moves a complete, synced temp file into place; an existing object is a success.
    ///
    /// With `deferSync`, the folder's fsync waits for `syncPendingDirectories()`, which
    /// must run before anything that names the object (a tree, a pointer) is written:
    /// one fsync per folder instead of one per object when adding many files.
    func publish(_ tmp: String, as id: ObjectID, deferSync: Bool = false) throws {
        if isScratch {
            if !staging.adopt(id, file: tmp) { unlink(tmp) }
            return
        }
        let dest = path(of: id)
        let dir = FileIO.parentDirectory(dest)
        // rename() names the object in one step, never half-made. An existing name is
        // replaced: the new bytes hash to the id, so that changes nothing for an intact
        // object and restores a damaged one (re-adding its file repairs it).
        Failpoint.objectRename.pass()
        var placed = rename(tmp, dest) == 0
        if !placed && errno == ENOENT && access(tmp, F_OK) == 0 {
            // The fan-out folder is missing (a store made before they were all created).
            if mkdir(dir, 0o755) != 0 && errno != EEXIST {
                let code = errno
                unlink(tmp)
                throw SDSError.io("cannot create object folder", path: dir, errno: code)
            }
            try FileIO.fsyncDirectory(objectsDirectory)
            placed = rename(tmp, dest) == 0
        }
        guard placed else {
            let code = errno
            unlink(tmp)
            throw SDSError.io("cannot place object", path: dest, errno: code)
        }
        written.withLock { _ = $0.insert(id) }
        if deferSync {
            pendingDirectories.withLock { _ = $0.insert(dir) }
        } else {
            Failpoint.objectSyncFolder.pass()
            try FileIO.fsyncDirectory(dir)
        }
    }

    /// Makes every staged object and deferred object name durable.
    public func syncPendingDirectories() throws {
        let batch = try staging.drain()
        if isScratch {
            afterPublish.withLock { $0.removeAll() }
            return
        }
        if !batch.isEmpty {
            Failpoint.stagedSync.pass()
            try FileIO.syncFileSystem(containing: tempDirectory)
            for (id, tmp) in batch {
                Failpoint.stagedPublish.pass()
                try publish(tmp, as: id, deferSync: true)
                // Forgotten once named: a retry after a failure here starts after it.
                staging.remove([id])
            }
        }
        let dirs = pendingDirectories.withLock { d -> Set<String> in
            defer { d.removeAll() }
            return d
        }
        if !dirs.isEmpty { Failpoint.objectSyncFolder.pass() }
        if dirs.count > 8 {
            // One sync of the file system beats an fsync per folder (up to 256 of them).
            try FileIO.syncFileSystem(containing: objectsDirectory)
        } else {
            for dir in dirs.sorted() { try FileIO.fsyncDirectory(dir) }
        }
        for body in afterPublish.withLock({ a in defer { a.removeAll() }; return a }) { try body() }
    }

    /// Removes the temp files of every staged object, unpublished: after a failure that
    /// `syncPendingDirectories` cannot get past, so a failed build leaves no temp files.
    public func discardStaged() {
        for path in staging.discard() { unlink(path) }
        afterPublish.withLock { $0.removeAll() }
    }

    /// Reads a whole object and checks its hash.
    public func read(_ id: ObjectID) throws -> [UInt8] {
        if let bytes = try staging.bytes(of: id) { return bytes }
        let p = path(of: id)
        guard access(p, F_OK) == 0 else {
            throw SDSError(.notFound, "object \(id.hex) is not in the store",
                           hint: "re-add the data it came from with 'sds add', or fetch it from where it was built")
        }
        let bytes = try FileIO.readFile(p)
        if written.withLock({ $0.contains(id) }) { return bytes }
        let actual = Hasher256.id(of: bytes)
        guard actual == id else { throw corrupt(id, actual: actual) }
        return bytes
    }

    /// Hashes an object as it is on disk; throws if it is missing or damaged.
    ///
    /// A verified object is then read and copied without a second hash (objects never
    /// change once named), so checking everything up front costs one pass, not two.
    public func verify(_ id: ObjectID) throws {
        if staging.contains(id) || written.withLock({ $0.contains(id) }) { return }
        let p = path(of: id)
        guard access(p, F_OK) == 0 else { throw SDSError(.notFound, "object \(id.hex) is not in the store") }
        let actual = try hashOnDisk(id)
        guard actual == id else { throw corrupt(id, actual: actual) }
        written.withLock { _ = $0.insert(id) }
    }

    /// Whether the named object hashes to its id (then trusted from here on); false when damaged or unreadable.
    private func isSoundOnDisk(_ id: ObjectID) -> Bool {
        if written.withLock({ $0.contains(id) }) { return true }
        guard (try? hashOnDisk(id)) == id else { return false }
        written.withLock { _ = $0.insert(id) }
        return true
    }

    /// The error for a damaged object; the id is remembered for `takeDamaged`.
    func corrupt(_ id: ObjectID, actual: ObjectID) -> SDSError {
        damagedSeen.withLock { _ = $0.insert(id) }
        return SDSError(.badData, "object \(id.hex) is corrupt: its content hashes to \(actual.hex)",
                 hint: "run 'sds fsck' to list every damaged object; re-add or rebuild the data to restore it")
    }

    /// Streams an object into `fd` while hashing; throws (after writing) if the hash differs.
    ///
    /// The caller writes into a temp file and publishes it only on success. Whole blocks
    /// are written with O_DIRECT (see `DirectWriter`), the tail through the page cache.
    public func copy(_ id: ObjectID, to fd: Int32, path destPath: String) throws {
        if let bytes = try staging.bytes(of: id) { return try FileIO.writeAll(fd, bytes, path: destPath) }
        let p = path(of: id)
        guard access(p, F_OK) == 0 else {
            throw SDSError(.notFound, "object \(id.hex) is not in the store")
        }
        let src = try FileIO.open(p, O_RDONLY)
        defer { close(src) }
        let size = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4096)
        defer { buffer.deallocate() }
        let trusted = written.withLock { $0.contains(id) }
        var hasher = Hasher256()
        let flags = fcntl(fd, F_GETFL)
        var direct = fcntl(fd, F_SETFL, flags | Ingest.O_DIRECT) == 0
        defer { if direct { _ = fcntl(fd, F_SETFL, flags) } }
        while true {
            let n = try FileIO.readFull(src, buffer, size, path: p)
            if n == 0 { break }
            if !trusted { hasher.update(UnsafeRawBufferPointer(start: buffer, count: n)) }
            if direct && n & 4095 != 0 {
                _ = fcntl(fd, F_SETFL, flags)
                direct = false
            }
            try FileIO.writeAll(fd, buffer, n, path: destPath)
        }
        if trusted { return }
        let actual = hasher.finalize()
        guard actual == id else { throw corrupt(id, actual: actual) }
    }

    /// The objects found damaged since the last call (a build recomputes those that are cached results).
    public func takeDamaged() -> Set<ObjectID> {
        damagedSeen.withLock { d in defer { d.removeAll() }; return d }
    }

    /// Every name under `objects/`, as (two-level name, id if the name is well formed).
    public func listObjects() throws -> [(name: String, id: ObjectID?)] {
        var out: [(String, ObjectID?)] = []
        for dir in try FileIO.listDirectory(objectsDirectory) {
            let dirPath = "\(objectsDirectory)/\(dir)"
            guard try FileIO.lstat(dirPath)?.kind == .directory else {
                out.append((dir, nil))
                continue
            }
            for name in try FileIO.listDirectory(dirPath) {
                let id = dir.utf8.count == 2 ? ObjectID(hex: dir + name) : nil
                out.append(("\(dir)/\(name)", id))
            }
        }
        return out
    }

    /// Hashes an object file as it is on disk.
    public func hashOnDisk(_ relativeName: String) throws -> ObjectID {
        let p = "\(objectsDirectory)/\(relativeName)"
        let fd = try FileIO.open(p, O_RDONLY)
        defer { close(fd) }
        return try Ingest.hash(fd: fd, path: p).0
    }

    /// Hashes the object named `id` as it is on disk.
    func hashOnDisk(_ id: ObjectID) throws -> ObjectID {
        let hex = id.hex
        return try hashOnDisk("\(hex.prefix(2))/\(hex.dropFirst(2))")
    }

    /// Removes temp files left by processes that no longer run (killed mid-write).
    public func removeStaleTemps() throws -> [String] {
        var removed: [String] = []
        for name in (try? FileIO.listDirectory(tempDirectory)) ?? [] {
            let pidText = name.split(separator: ".").first.map(String.init) ?? ""
            if let pid = Int32(pidText), pid != getpid(), kill(pid, 0) == 0 || errno == EPERM { continue }
            if Int32(pidText) == getpid() { continue }
            try FileIO.remove("\(tempDirectory)/\(name)")
            removed.append(name)
        }
        return removed
    }
}
