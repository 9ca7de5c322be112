import Dispatch
import Glibc
import SDSCore
import Synchronization

/// Objects a build has made but not yet published (see `ObjectStore.put(_:deferSync:)`).
///
/// `stage` returns at once: a writer thread puts the bytes in a temp file (no fsync) while
/// the caller computes on, so no worker waits on the disk. Until written, an object's bytes
/// stay in memory and are read from there; `budget` bounds how many wait to be written.
final class Staging: Sendable {
    private enum Place {
        case memory([UInt8])
        /// Written, and still held: what was made last is read back soonest (a build's
        /// record chunks, read again to assemble its shards).
        case kept(String, [UInt8])
        case file(String)
    }
    private struct Places {
        var byID: [ObjectID: Place] = [:]
        /// Every object in the order it was staged: the publish order (see `drain`).
        var order: [ObjectID] = []
        /// Kept objects, oldest first, and their bytes in all.
        var kept: [ObjectID] = []
        var keptBytes = 0
    }
    private let places = Mutex(Places())
    static let keepLimit = 64 << 20
    private let writer = DispatchQueue(label: "sds.store.staging")
    private let budget = DispatchSemaphore(value: 0)
    private let failure = Mutex<Error?>(nil)
    private let newTempPath: @Sendable () -> String

    init(budget slots: Int = 32, newTempPath: @escaping @Sendable () -> String) {
        for _ in 0..<slots { budget.signal() }
        self.newTempPath = newTempPath
    }

    func contains(_ id: ObjectID) -> Bool { places.withLock { $0.byID[id] != nil } }

    /// Queues `bytes` for writing; false if the object was staged already.
    func stage(_ id: ObjectID, _ bytes: [UInt8]) throws -> Bool {
        if let error = failure.withLock({ $0 }) { throw error }
        guard places.withLock({ p in
            if p.byID[id] != nil { return false }
            p.byID[id] = .memory(bytes)
            p.order.append(id)
            return true
        }) else { return false }
        budget.wait()
        writer.async { [self] in
            defer { budget.signal() }
            guard failure.withLock({ $0 }) == nil else { return }
            let tmp = newTempPath()
            do {
                try Self.write(bytes, to: tmp)
                places.withLock { p in
                    p.byID[id] = .kept(tmp, bytes)
                    p.kept.append(id)
                    p.keptBytes += bytes.count
                    while p.keptBytes > Self.keepLimit, !p.kept.isEmpty {
                        let old = p.kept.removeFirst()
                        if case .kept(let path, let b)? = p.byID[old] {
                            p.byID[old] = .file(path)
                            p.keptBytes -= b.count
                        }
                    }
                }
            } catch {
                failure.withLock { $0 = error }
            }
        }
        return true
    }

    /// Takes a complete temp file as a staged object; false if the object was staged already.
    func adopt(_ id: ObjectID, file: String) -> Bool {
        places.withLock { p in
            if p.byID[id] != nil { return false }
            p.byID[id] = .file(file)
            p.order.append(id)
            return true
        }
    }

    /// The temp file of a staged object once it is written; nil while it is only in memory.
    func file(of id: ObjectID) -> String? {
        switch places.withLock({ $0.byID[id] }) {
        case .kept(let path, _), .file(let path): path
        case .memory, nil: nil
        }
    }

    /// The bytes of a staged object, or nil if it is not staged.
    func bytes(of id: ObjectID) throws -> [UInt8]? {
        switch places.withLock({ $0.byID[id] }) {
        case .memory(let bytes), .kept(_, let bytes): return bytes
        case .file(let path):
            // Renamed into objects/ since the lookup: the caller reads it there.
            guard let bytes = try FileIO.readFileIfExists(path) else { return nil }
            return bytes
        case nil: return nil
        }
    }

    /// Waits for every write; returns each staged object's temp file, in the order staged.
    ///
    /// That order is children first: an object's bytes can name another object only by the id
    /// `put` returned, after staging it. Published in this order, a name in `objects/` never
    /// names an object that is still a temp file, whenever the process dies.
    func drain() throws -> [(id: ObjectID, path: String)] {
        writer.sync {}
        if let error = failure.withLock({ $0 }) { throw error }
        return places.withLock { p in
            p.order.compactMap { id -> (id: ObjectID, path: String)? in
                switch p.byID[id] {
                case .file(let path)?, .kept(let path, _)?: (id, path)
                case .memory?, nil: nil
                }
            }
        }
    }

    /// Waits for the writer, forgets every staged object and returns their temp files: a
    /// build that cannot publish (a full disk) removes them rather than leave them behind.
    func discard() -> [String] {
        writer.sync {}
        return places.withLock { p in
            defer { p = Places() }
            return p.byID.values.compactMap { place in
                switch place {
                case .file(let path), .kept(let path, _): path
                case .memory: nil
                }
            }
        }
    }

    /// Forgets objects once they are published under their names.
    func remove(_ ids: [ObjectID]) {
        places.withLock { p in
            for id in ids {
                if case .kept(_, let b)? = p.byID.removeValue(forKey: id) { p.keptBytes -= b.count }
            }
            let gone = Set(ids)
            p.kept.removeAll { gone.contains($0) }
            if p.byID.isEmpty { p.order.removeAll() }
        }
    }

    private static func write(_ bytes: [UInt8], to tmp: String) throws {
        let direct = bytes.count >= DirectWriter.threshold ? DirectWriter.open(tmp) : nil
        let fd = try direct ?? FileIO.open(tmp, O_WRONLY | O_CREAT | O_EXCL, mode: 0o444)
        defer { close(fd) }
        do {
            if direct != nil {
                try bytes.withUnsafeBytes { try DirectWriter.write(fd, $0, path: tmp) }
            } else {
                try FileIO.writeAll(fd, bytes, path: tmp)
            }
        } catch {
            unlink(tmp)
            throw error
        }
    }
}
