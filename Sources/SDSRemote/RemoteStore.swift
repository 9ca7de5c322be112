import Glibc
import SDSCore
import SDSStore
import Synchronization

/// The sds layout on a remote, over any `RemoteBackend`.
///
/// ```
/// sds-remote               "sds remote 1": the format
/// packs/PACK.pack          small objects, one after another (PACK = SHA-256 of the file)
/// packs/PACK.idx           their ids, offsets and lengths (`PackIndex`)
/// objects/ID               a large object, as itself
/// closures/ROOT            every object a build or tree ROOT needs, one hex id a line
/// refs/tags/NAME           the build id a tag names
/// steps/KEY                a step-cache entry: the result id of a step key (shared cache)
/// ```
/// Write order (restic's): objects and packs, then pack indexes, then closures, then refs.
/// A reader trusts an index only with its pack listed, a closure only as a list of names
/// (every object is hashed on arrival), and a ref only once its closure is there; so a push
/// killed anywhere leaves nothing a reader can half-see, and its rerun sends only what is
/// missing. Names are content-addressed, except refs, which are created with a conditional
/// write: concurrent pushes never lose each other's objects.
public final class RemoteStore: @unchecked Sendable {
    public let backend: RemoteBackend
    /// Pack indexes already read (immutable, so cached for good): `.sensorstore/remotes/NAME/`.
    let cacheDirectory: String

    public enum Location: Sendable {
        case pack(key: String, offset: Int64, length: Int64)
        case loose(key: String, size: Int64)
    }

    public struct Inventory: Sendable {
        public var objects: [ObjectID: Location] = [:]
        public var closures: Set<ObjectID> = []
        /// Builds whose step lists (`steps/BUILD`) are there.
        public var stepLists: Set<ObjectID> = []
        public var packs = 0
    }

    public init(backend: RemoteBackend, cacheDirectory: String) {
        self.backend = backend
        self.cacheDirectory = cacheDirectory
    }

    static let formatMarker = Array("sds remote 1\n".utf8)

    /// Checks the remote's format marker (absent on an empty remote: `create` writes it).
    public func checkFormat(create: Bool) throws {
        if let marker = try backend.get("sds-remote") {
            guard marker == Self.formatMarker else {
                throw SDSError(.badData, "remote \(backend.displayName) has an sds layout this sds does not know ('sds-remote' says \(Quoted.cut(String(decoding: marker.prefix(40), as: UTF8.self))))",
                               hint: "use a newer sds, or another prefix")
            }
        } else if create {
            _ = try backend.putIfAbsent("sds-remote", Self.formatMarker)
        }
    }

    /// What the remote holds: a few listings, plus each pack index not read before.
    public func inventory() throws -> Inventory {
        let listings = try ["packs/", "objects/", "closures/", "steps/"].parallelMap(jobs: 4) { try self.backend.list($0) }
        var inv = Inventory()
        var packSizes: [String: Int64] = [:]
        var indexes: [String] = []
        for e in listings[0] {
            let name = String(e.key.dropFirst("packs/".count))
            if name.hasSuffix(".pack") { packSizes[String(name.dropLast(5))] = e.size }
            if name.hasSuffix(".idx") { indexes.append(String(name.dropLast(4))) }
        }
        // An index counts only beside its pack (objects are written before indexes).
        let sizes = packSizes
        let usable = indexes.filter { sizes[$0] != nil && ObjectID(hex: $0) != nil }
        try FileIO.makeDirectories(cacheDirectory + "/packs")
        let decoded = try usable.parallelMap(jobs: TransferSizes.parallel) { pack -> PackIndex in
            let cached = self.cacheDirectory + "/packs/" + pack + ".idx"
            if let bytes = try FileIO.readFileIfExists(cached), let idx = try? PackIndex(decoding: bytes, packSize: sizes[pack], name: cached) {
                return idx
            }
            guard let bytes = try self.backend.get("packs/\(pack).idx") else {
                throw SDSError(.io, "remote \(self.backend.displayName): 'packs/\(pack).idx' vanished while being read", hint: "run the command again")
            }
            let idx = try PackIndex(decoding: bytes, packSize: sizes[pack], name: "packs/\(pack).idx on remote \(self.backend.displayName)")
            try FileIO.writeFileAtomically(cached, bytes)
            return idx
        }
        inv.objects.reserveCapacity(decoded.reduce(listings[1].count) { $0 + $1.entries.count })
        for (pack, idx) in zip(usable, decoded) {
            inv.packs += 1
            let key = "packs/\(pack).pack"   // one string per pack, shared by its entries
            for e in idx.entries where inv.objects[e.id] == nil {
                inv.objects[e.id] = .pack(key: key, offset: e.offset, length: e.length)
            }
        }
        for e in listings[1] {
            if let id = ObjectID(hex: e.key.dropFirst("objects/".count)) { inv.objects[id] = .loose(key: e.key, size: e.size) }
        }
        for e in listings[2] {
            if let id = ObjectID(hex: e.key.dropFirst("closures/".count)) { inv.closures.insert(id) }
        }
        for e in listings[3] {
            if let id = ObjectID(hex: e.key.dropFirst("steps/".count)) { inv.stepLists.insert(id) }
        }
        return inv
    }

    public struct Moved: Sendable {
        public var objects = 0
        public var bytes: Int64 = 0
        public var packs = 0
    }

    /// Sends the objects the remote lacks: small ones in packs, large ones as themselves.
    /// Every object is read through the store, so a damaged local object is never sent.
    public func pushObjects(_ ids: [ObjectID], from store: ObjectStore, have inv: Inventory, progress: TransferProgress) throws -> Moved {
        var small: [(ObjectID, Int64)] = []
        var large: [(ObjectID, Int64)] = []
        var missingLocally: [ObjectID] = []
        for id in Set(ids).sorted() where inv.objects[id] == nil {
            guard let st = try FileIO.lstat(store.path(of: id)) else {
                if store.contains(id) { small.append((id, 0)) } else { missingLocally.append(id) }
                continue
            }
            if st.size >= TransferSizes.packThreshold { large.append((id, st.size)) } else { small.append((id, st.size)) }
        }
        if let first = missingLocally.first {
            throw SDSError(.notFound, "\(missingLocally.count) object(s) to push are not in the local store, e.g. \(first.hex)",
                           hint: "fetch them first ('sds fetch'), or push from the clone that built them")
        }
        // Packs: ids in order, cut at the target size, so a rerun after a kill makes the same packs.
        var groups: [[(ObjectID, Int64)]] = [[]]
        var groupBytes: Int64 = 0
        for o in small {
            if groupBytes + o.1 > Int64(TransferSizes.packTarget), !groups[groups.count - 1].isEmpty {
                groups.append([])
                groupBytes = 0
            }
            groups[groups.count - 1].append(o)
            groupBytes += o.1
        }
        groups.removeAll { $0.isEmpty }
        progress.expect(objects: small.count + large.count, bytes: small.reduce(0) { $0 + $1.1 } + large.reduce(0) { $0 + $1.1 })
        var moved = Moved()
        let packResults = try groups.parallelMap(jobs: TransferSizes.parallel) { group -> Int64 in
            var pack: [UInt8] = []
            var entries: [PackIndex.Entry] = []
            for (id, _) in group {
                let bytes = try store.read(id)
                entries.append(.init(id: id, offset: Int64(pack.count), length: Int64(bytes.count)))
                pack += bytes
            }
            let packID = Hasher256.id(of: pack)
            try self.backend.put("packs/\(packID.hex).pack", pack, sha256: packID)
            let index = PackIndex(pack: packID, entries: entries).encoded()
            try self.backend.put("packs/\(packID.hex).idx", index, sha256: Hasher256.id(of: index))
            progress.add(objects: group.count, bytes: Int64(pack.count))
            return Int64(pack.count)
        }
        moved.packs = groups.count
        moved.objects += small.count
        moved.bytes += packResults.reduce(0, +)
        for (id, size) in large {
            try store.verify(id)
            try backend.putFile("objects/\(id.hex)", path: store.path(of: id), size: size) { progress.add(bytes: $0) }
            progress.add(objects: 1, bytes: 0)
            moved.objects += 1
            moved.bytes += size
        }
        return moved
    }

    /// Brings `ids` the local store lacks, hashing each before it enters the store.
    /// - Parameter syncStore: false leaves the objects staged for the caller's own
    ///   `syncPendingDirectories()` (a build, which syncs once at its end).
    public func fetchObjects(_ ids: Set<ObjectID>, into store: ObjectStore, have inv: Inventory, progress: TransferProgress,
                             syncStore: Bool = true) throws -> Moved {
        let need = ids.filter { !store.contains($0) }.sorted()
        var absent: [ObjectID] = []
        var byPack: [String: [(ObjectID, Int64, Int64)]] = [:]
        var loose: [(ObjectID, String, Int64)] = []
        var total: Int64 = 0
        for id in need {
            switch inv.objects[id] {
            case .pack(let key, let offset, let length)?: byPack[key, default: []].append((id, offset, length)); total += length
            case .loose(let key, let size)?: loose.append((id, key, size)); total += size
            case nil: absent.append(id)
            }
        }
        if let first = absent.first {
            throw SDSError(.notFound, "\(absent.count) object(s) are neither in the local store nor on remote \(backend.displayName), e.g. \(first.hex)",
                           hint: "push them from the clone that has them ('sds push'), then fetch again")
        }
        progress.expect(objects: need.count, bytes: total)
        // Neighbouring objects of one pack come in one ranged GET.
        var ranges: [(key: String, start: Int64, end: Int64, items: [(ObjectID, Int64, Int64)])] = []
        for key in byPack.keys.sorted() {
            for item in byPack[key]!.sorted(by: { $0.1 < $1.1 }) {
                if var last = ranges.last, last.key == key, item.1 - last.end <= 1 << 20, item.1 + item.2 - last.start <= 32 << 20 {
                    last.end = max(last.end, item.1 + item.2)
                    last.items.append(item)
                    ranges[ranges.count - 1] = last
                } else {
                    ranges.append((key, item.1, item.1 + item.2, [item]))
                }
            }
        }
        var moved = Moved()
        _ = try ranges.parallelMap(jobs: TransferSizes.parallel) { r -> Int in
            guard let bytes = try self.backend.get(r.key, range: r.start..<r.end) else {
                throw SDSError(.notFound, "remote \(self.backend.displayName): '\(r.key)' is listed but cannot be read", hint: "run the command again")
            }
            for (id, offset, length) in r.items {
                let slice = Array(bytes[Int(offset - r.start)..<Int(offset - r.start + length)])
                let actual = Hasher256.id(of: slice)
                guard actual == id else { throw self.corrupt(id, actual: actual, at: "\(r.key) at offset \(offset)") }
                try store.put(slice, deferSync: true)
                progress.add(objects: 1, bytes: length)
            }
            return r.items.count
        }
        moved.objects += ranges.reduce(0) { $0 + $1.items.count }
        moved.bytes += ranges.reduce(0) { $0 + $1.items.reduce(0) { $0 + $1.2 } }
        for (id, key, size) in loose {
            let tmp = store.newTempPath()
            let fd = try FileIO.open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode: 0o644)
            do {
                try backend.getToFile(key, size: size, fd: fd, path: tmp) { progress.add(bytes: $0) }
                close(fd)
            } catch {
                close(fd)
                unlink(tmp)
                throw error
            }
            let actual = try store.adoptDownload(tmp, as: id)
            guard actual == id else { throw corrupt(id, actual: actual, at: key) }
            progress.add(objects: 1, bytes: 0)
            moved.objects += 1
            moved.bytes += size
        }
        if syncStore { try store.syncPendingDirectories() }
        return moved
    }

    func corrupt(_ id: ObjectID, actual: ObjectID, at place: String) -> SDSError {
        SDSError(.badData, "object \(id.hex) on remote \(backend.displayName) is corrupt (\(place)): its bytes hash to \(actual.hex)",
                 hint: "nothing damaged was stored; push the object again from a clone that has it intact ('sds push'), "
                     + "after removing the damaged copy on the remote")
    }

    // MARK: Closures and refs

    /// The objects a root needs, as the remote recorded them; nil when it has no list.
    public func closure(of root: ObjectID) throws -> [ObjectID]? {
        guard let bytes = try backend.get("closures/\(root.hex)") else { return nil }
        var out: [ObjectID] = []
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            guard let id = ObjectID(hex: String(decoding: line, as: UTF8.self)) else {
                throw SDSError(.badData, "remote \(backend.displayName): 'closures/\(root.hex)' holds a line that is not an object id")
            }
            out.append(id)
        }
        return out
    }

    public func writeClosure(_ root: ObjectID, _ ids: Set<ObjectID>) throws {
        var text: [UInt8] = []
        text.reserveCapacity(ids.count * 65)
        for id in ids.sorted() { id.appendHex(to: &text); text.append(10) }
        try backend.put("closures/\(root.hex)", text, sha256: Hasher256.id(of: text))
    }

    public func tag(_ name: String) throws -> ObjectID? {
        try Tags.validate(name)
        guard let bytes = try backend.get("refs/tags/\(name)") else { return nil }
        guard let id = ObjectID(hex: String(decoding: bytes, as: UTF8.self).trimmingSpaces.split(separator: "\n").first ?? "") else {
            throw SDSError(.badData, "remote \(backend.displayName): tag '\(name)' does not hold a build id")
        }
        return id
    }

    public func tagNames() throws -> [String] {
        try backend.list("refs/tags/").map { String($0.key.dropFirst("refs/tags/".count)) }.filter { (try? Tags.validate($0)) != nil }
    }

    public enum TagResult: Sendable { case created, unchanged, moved }

    /// Names `id` on the remote as tag `name`; a tag naming another build needs `force`.
    public func setTag(_ name: String, _ id: ObjectID, force: Bool) throws -> TagResult {
        let bytes = Array((id.hex + "\n").utf8)
        if try backend.putIfAbsent("refs/tags/\(name)", bytes) { return .created }
        let old = try tag(name)
        if old == id { return .unchanged }
        guard force else {
            throw SDSError(.conflict, "tag '\(name)' on remote \(backend.displayName) names build \(old?.short ?? "?"), not \(id.short)",
                           hint: "fetch it and pick another name, or push with --force to move it")
        }
        try backend.put("refs/tags/\(name)", bytes, sha256: nil)
        return .moved
    }
}
