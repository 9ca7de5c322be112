import Glibc
import SDSCore
import SDSStore

/// `sds add --to-remote`: tracks a file or folder whose bytes go to a remote, never into the
/// local store, so a work tree of terabytes is kept once here and once on the remote.
///
/// Order (as push's): objects (packs, then their indexes; large files as themselves), then the
/// closure list that lets `fetch` find them, then, locally, the trees and the pointer last. A
/// kill anywhere leaves no pointer naming objects the remote lacks; a rerun sends only the rest.
public struct RemoteAdd {
    public struct Result: Sendable {
        public var path: String
        public var pointer: Pointer
        public var previous: Pointer?
        public var objects = 0
        public var bytes: Int64 = 0
        public var alreadyThere = 0
        public var warnings: [String] = []
    }

    let sync: RemoteSync

    public init(sync: RemoteSync) { self.sync = sync }

    public func add(_ userPath: String, progress: TransferProgress) throws -> Result {
        let ws = sync.workspace
        var rel = try ws.relativePath(userPath)
        if rel.hasSuffix(Pointer.suffix), try FileIO.lstat(ws.absolute(String(rel.dropLast(Pointer.suffix.count)))) != nil {
            rel = String(rel.dropLast(Pointer.suffix.count))
        }
        let previous = try? ws.readPointer(rel)
        // Hashed in one streaming read per file (the file-state cache answers for unchanged ones).
        guard let snap = try Scanner(workspace: ws, mode: .hashOnly).scan(rel) else {
            throw SDSError(.notFound, "'\(rel)' does not exist", hint: "check the path; 'sds status' lists tracked paths")
        }
        let pointer = snap.pointer
        let files = try ws.trackedFiles(rel, pointer, known: snap.trees)
        // Folders and link targets are small and kept locally too: status and checkout need their shape.
        var local: [ObjectID: [UInt8]] = [:]
        for (id, tree) in snap.trees { local[id] = tree.encoded() }
        var blobs: [ObjectID: TrackedFile] = [:]
        for f in files {
            if f.kind == .symlink { local[f.id] = Array(try FileIO.readLink(ws.absolute(f.path)).utf8) } else { blobs[f.id] = f }
        }
        var result = Result(path: rel, pointer: pointer, previous: previous, warnings: snap.warnings)
        let all = Set(local.keys).union(blobs.keys)
        let remote = sync.remote
        try remote.checkFormat(create: true)
        let marker = try RemoteLock.acquire(remote.backend, kind: "push")
        defer { marker.release() }
        let inv = try remote.inventory()
        var small: [(ObjectID, source: TrackedFile?)] = []
        var large: [TrackedFile] = []
        for id in all.sorted() where inv.objects[id] == nil {
            if let f = blobs[id] {
                if f.size >= TransferSizes.packThreshold { large.append(f) } else { small.append((id, f)) }
            } else {
                small.append((id, nil))
            }
        }
        result.alreadyThere = all.count - small.count - large.count
        progress.expect(objects: small.count + large.count,
                        bytes: small.reduce(0) { $0 + ($1.source?.size ?? 0) } + large.reduce(0) { $0 + $1.size })
        // Packs: ids in order, cut at the target size, so a rerun after a kill makes the same packs.
        var pack: [UInt8] = [], entries: [PackIndex.Entry] = []
        func flush() throws {
            guard !entries.isEmpty else { return }
            let packID = Hasher256.id(of: pack)
            try remote.backend.put("packs/\(packID.hex).pack", pack, sha256: packID)
            let index = PackIndex(pack: packID, entries: entries).encoded()
            try remote.backend.put("packs/\(packID.hex).idx", index, sha256: Hasher256.id(of: index))
            progress.add(objects: entries.count, bytes: Int64(pack.count))
            result.objects += entries.count
            result.bytes += Int64(pack.count)
            pack = []
            entries = []
        }
        for (id, source) in small {
            let bytes = try source.map { try readChecked($0, ws) } ?? local[id]!
            if !entries.isEmpty && pack.count + bytes.count > TransferSizes.packTarget { try flush() }
            entries.append(.init(id: id, offset: Int64(pack.count), length: Int64(bytes.count)))
            pack += bytes
        }
        try flush()
        for f in large {
            let key = "objects/\(f.id.hex)"
            try remote.backend.putFile(key, path: ws.absolute(f.path), size: f.size) { progress.add(bytes: $0) }
            // The upload read the file again: it must be the file that was hashed.
            guard try unchangedSinceScan(f, ws) else {
                try? remote.backend.delete(key)
                throw changed(f.path)
            }
            progress.add(objects: 1, bytes: 0)
            result.objects += 1
            result.bytes += f.size
        }
        Failpoint.addRemoteUploaded.pass()
        if !inv.closures.contains(pointer.id) { try remote.writeClosure(pointer.id, all) }
        for id in local.keys.sorted() { try ws.store.put(local[id]!) }
        if previous != pointer { try FileIO.writeFileAtomically(ws.absolute(rel + Pointer.suffix), pointer.encoded()) }
        try GitIgnore.ensureIgnored(workspace: ws, rel: rel)
        return result
    }

    /// A small file's bytes, refused unless they still hash to the id the scan found.
    private func readChecked(_ f: TrackedFile, _ ws: Workspace) throws -> [UInt8] {
        let bytes = try FileIO.readFile(ws.absolute(f.path))
        guard Hasher256.id(of: bytes) == f.id else { throw changed(f.path) }
        return bytes
    }

    /// Whether the file still has the fingerprint the scan recorded in the file-state cache.
    private func unchangedSinceScan(_ f: TrackedFile, _ ws: Workspace) throws -> Bool {
        guard let st = try FileIO.lstat(ws.absolute(f.path)), let known = try ws.index().fileStates(under: f.path)[f.path] else { return false }
        return known.id == f.id && known.inode == st.inode && known.size == st.size && known.mtimeNs == st.mtimeNs && known.ctimeNs == st.ctimeNs
    }

    private func changed(_ path: String) -> SDSError {
        SDSError(.busy, "'\(path)' changed while it was being sent; no pointer was written for it",
                 hint: "wait until whatever writes it has finished, then run the command again")
    }
}
