import Glibc
import SDSCore
import SDSStore

/// Files and folders outside the work tree (a run step's temporary folder) as objects.
///
/// A file is a blob and a folder a tree, exactly as `sds add` stores them, so a step's
/// output folder has the id `sds add` would give it.
enum PathObjects {
    /// The id of the file or folder at `abs` and its size; blobs and trees go into `store`
    /// when one is given (staged: `syncPendingDirectories` names them). nil when nothing is there.
    static func id(of abs: String, store: ObjectStore?) throws -> (id: ObjectID, kind: Tree.Kind, size: Int64)? {
        guard let st = try FileIO.lstat(abs) else { return nil }
        switch st.kind {
        case .file:
            return (try Ingest.file(abs, into: store).0, st.isExecutable ? .executable : .file, st.size)
        case .symlink:
            let target = Array(try FileIO.readLink(abs).utf8)
            return (try store?.put(target, deferSync: true) ?? Hasher256.id(of: target), .symlink, Int64(target.count))
        case .directory:
            var entries: [Tree.Entry] = []
            for name in try FileIO.listDirectory(abs) {
                guard let e = try id(of: abs + "/" + name, store: store) else { continue }
                entries.append(Tree.Entry(kind: e.kind, size: e.size, id: e.id, name: name))
            }
            let bytes = Tree(entries: entries).encoded()
            let id = try store?.put(bytes, deferSync: true) ?? Hasher256.id(of: bytes)
            return (id, .directory, entries.reduce(0) { $0 + $1.size })
        case .other:
            throw SDSError(.badData, "'\(abs)' is not a regular file, folder or link")
        }
    }

    /// True when the object is a tree (a folder): its bytes start with the tree header.
    static func isTree(_ id: ObjectID, in store: ObjectStore) throws -> Bool {
        // Blobs can be large: peek at the header of a named object; a staged one is in memory.
        guard try FileIO.lstat(store.path(of: id)) != nil else { return Tree.looksLikeTree(try store.read(id)) }
        return Tree.looksLikeTree(try FileIO.readPrefix(store.path(of: id), count: 11))
    }

    /// Writes the object `id` (a blob, or a tree and everything below it) at `abs`, read-only
    /// files; every byte is checked against its id on the way.
    static func materialize(_ id: ObjectID, kind: Tree.Kind, at abs: String, store: ObjectStore) throws {
        switch kind {
        case .directory:
            try FileIO.makeDirectories(abs)
            for e in try Tree(decoding: try store.read(id), id: id).entries {
                try materialize(e.id, kind: e.kind, at: abs + "/" + e.name, store: store)
            }
        case .symlink:
            let target = String(decoding: try store.read(id), as: UTF8.self)
            guard symlink(target, abs) == 0 else { throw SDSError.io("cannot make link", path: abs, errno: errno) }
        case .file, .executable:
            try FileIO.makeDirectories(FileIO.parentDirectory(abs))
            let fd = try FileIO.open(abs, O_WRONLY | O_CREAT | O_EXCL, mode: kind == .executable ? 0o555 : 0o444)
            defer { close(fd) }
            // An object staged moments ago (not yet named in objects/) is read through the store.
            if try FileIO.lstat(store.path(of: id)) != nil {
                try store.copy(id, to: fd, path: abs)
            } else {
                try FileIO.writeAll(fd, try store.read(id), path: abs)
            }
        }
    }
}
