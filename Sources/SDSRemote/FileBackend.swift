import Glibc
import SDSCore

/// A remote that is a folder: a shared file system (NFS, Lustre) or a local disk.
///
/// Writes go to `ROOT/tmp/` first, are fsynced, then renamed (or linked, for
/// `putIfAbsent`) into place and the folder fsynced: a reader sees a whole file or none.
public struct FileBackend: RemoteBackend {
    public let root: String
    public let name: String

    public init(name: String, root: String) {
        self.name = name
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    public var displayName: String { "'\(name)' (\(root))" }

    private func path(_ key: String) -> String { root + "/" + key }

    private func failure(_ what: String, _ key: String, _ code: Int32) -> SDSError {
        SDSError(.io, "cannot \(what) '\(key)' on remote \(displayName): \(errnoText(code))",
                 hint: "check that \(root) is mounted and writable")
    }

    public func list(_ prefix: String) throws -> [RemoteEntry] {
        // The prefix names a folder (ends in '/') or the start of names inside one.
        let dir = prefix.hasSuffix("/") || prefix.isEmpty ? String(prefix.dropLast(prefix.isEmpty ? 0 : 1)) : FileIO.parentDirectory(prefix)
        var out: [RemoteEntry] = []
        func walk(_ rel: String) throws {
            let abs = rel.isEmpty ? root : path(rel)
            guard try FileIO.lstat(abs)?.kind == .directory else { return }
            for (name, st) in try FileIO.listDirectoryWithStats(abs) {
                let key = rel.isEmpty ? name : rel + "/" + name
                if rel.isEmpty && name == "tmp" { continue }
                if st.kind == .directory { try walk(key) } else if st.kind == .file, key.hasPrefix(prefix) {
                    out.append(RemoteEntry(key: key, size: st.size, modified: st.mtimeNs / 1_000_000_000))
                }
            }
        }
        try walk(dir == "." ? "" : dir)
        return out.sorted { FileIO.bytewiseLess($0.key, $1.key) }
    }

    public func get(_ key: String, range: Range<Int64>?) throws -> [UInt8]? {
        let fd = Glibc.open(path(key), O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw failure("read", key, errno)
        }
        defer { close(fd) }
        let st = try FileIO.fstat(fd, path: path(key))
        let r = range ?? 0..<st.size
        guard r.lowerBound >= 0, r.upperBound <= st.size else {
            throw SDSError(.badData, "remote \(displayName): '\(key)' is \(st.size) bytes, shorter than the range \(r) its index names")
        }
        var out = [UInt8](repeating: 0, count: Int(r.count))
        var done = 0
        while done < out.count {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(r.lowerBound) + off_t(done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw failure("read", key, n == 0 ? EIO : errno) }
            done += n
        }
        return out
    }

    /// A temp file in ROOT/tmp/ holding `write`'s bytes, fsynced.
    private func temp(_ key: String, _ write: (Int32, String) throws -> Void) throws -> String {
        try FileIO.makeDirectories(root + "/tmp")
        var rnd = SystemRandomNumberGenerator()
        let tmp = "\(root)/tmp/\(getpid()).\(rnd.next() as UInt64).tmp"
        let fd = try FileIO.open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode: 0o444)
        do {
            try write(fd, tmp)
            try FileIO.fsync(fd, path: tmp)
            close(fd)
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        return tmp
    }

    private func place(_ tmp: String, _ key: String, replace: Bool) throws -> Bool {
        let dest = path(key)
        let dir = FileIO.parentDirectory(dest)
        try FileIO.makeDirectories(dir)
        defer { unlink(tmp) }
        if replace {
            guard rename(tmp, dest) == 0 else { throw failure("write", key, errno) }
        } else if link(tmp, dest) != 0 {
            if errno == EEXIST { return false }
            throw failure("write", key, errno)
        }
        try FileIO.fsyncDirectory(dir)
        return true
    }

    public func put(_ key: String, _ bytes: [UInt8], sha256: ObjectID?) throws {
        let tmp = try temp(key) { fd, p in try FileIO.writeAll(fd, bytes, path: p) }
        _ = try place(tmp, key, replace: true)
    }

    public func putIfAbsent(_ key: String, _ bytes: [UInt8]) throws -> Bool {
        let tmp = try temp(key) { fd, p in try FileIO.writeAll(fd, bytes, path: p) }
        return try place(tmp, key, replace: false)
    }

    public func putFile(_ key: String, path src: String, size: Int64, progress: @Sendable (Int64) -> Void) throws {
        let tmp = try temp(key) { fd, p in
            let sfd = try FileIO.open(src, O_RDONLY)
            defer { close(sfd) }
            let n = 1 << 20
            let buf = UnsafeMutableRawPointer.allocate(byteCount: n, alignment: 4096)
            defer { buf.deallocate() }
            while true {
                let got = try FileIO.readFull(sfd, buf, n, path: src)
                if got == 0 { break }
                try FileIO.writeAll(fd, buf, got, path: p)
                progress(Int64(got))
            }
        }
        _ = try place(tmp, key, replace: true)
    }

    public func getToFile(_ key: String, size: Int64, fd: Int32, path dest: String, progress: @Sendable (Int64) -> Void) throws {
        let sfd = Glibc.open(path(key), O_RDONLY | O_CLOEXEC)
        guard sfd >= 0 else { throw failure("read", key, errno) }
        defer { close(sfd) }
        let n = 1 << 20
        let buf = UnsafeMutableRawPointer.allocate(byteCount: n, alignment: 4096)
        defer { buf.deallocate() }
        var total: Int64 = 0
        while true {
            let got = try FileIO.readFull(sfd, buf, n, path: path(key))
            if got == 0 { break }
            try FileIO.writeAll(fd, buf, got, path: dest)
            total += Int64(got)
            progress(Int64(got))
        }
        guard total == size else {
            throw SDSError(.badData, "remote \(displayName): '\(key)' holds \(total) bytes, not the \(size) listed")
        }
    }

    public func delete(_ key: String) throws {
        if unlink(path(key)) != 0 && errno != ENOENT { throw failure("delete", key, errno) }
    }
}
