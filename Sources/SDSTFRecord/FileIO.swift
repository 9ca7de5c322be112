#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin POSIX wrappers: retry on EINTR, turn errno into `TFRecordError(.io)`.
///
/// Plain file descriptors keep Foundation out of the write path and let the
/// writer hand whole buffers to `write(2)`.
enum POSIX {
    static func message(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    static func ioError(_ what: String, _ path: String, _ code: Int32 = errno) -> TFRecordError {
        TFRecordError(.io, "\(what) failed: \(message(code))", file: path)
    }

    static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) throws -> Int32 {
        let (fd, code) = openOrErrno(path, flags, mode)
        if fd < 0 { throw ioError("open", path, code) }
        return fd
    }

    /// `open(2)` retried on EINTR: the descriptor, or -1 and the errno.
    static func openOrErrno(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> (fd: Int32, errno: Int32) {
        while true {
            let fd = path.withCString { systemOpen($0, flags, mode) }
            if fd >= 0 { return (fd, 0) }
            if errno != EINTR { return (-1, errno) }
        }
    }

    /// Writes all `count` bytes, looping over short writes.
    static func writeAll(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int, path: String) throws {
        var done = 0
        while done < count {
            let n = systemWrite(fd, pointer + done, count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError("write", path)
            }
            done += n
        }
    }

    /// Reads up to `count` bytes; 0 means end of file.
    static func read(_ fd: Int32, _ pointer: UnsafeMutableRawPointer, _ count: Int, path: String) throws -> Int {
        while true {
            let n = systemRead(fd, pointer, count)
            if n >= 0 { return n }
            if errno != EINTR { throw ioError("read", path) }
        }
    }

    static func fileSize(_ fd: Int32, path: String) throws -> UInt64? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ioError("stat", path) }
        // Only regular files have a meaningful size (not pipes or /dev/stdin).
        return (info.st_mode & S_IFMT) == S_IFREG ? UInt64(info.st_size) : nil
    }

    static func close(_ fd: Int32) {
        _ = systemClose(fd)
    }

    /// Creates `path` and its missing parents (like `mkdir -p`).
    static func makeDirectories(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            prefix += part
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw ioError("mkdir", prefix)
            }
            var info = stat()
            if stat(prefix, &info) != 0 || (info.st_mode & S_IFMT) != S_IFDIR {
                throw TFRecordError(.io, "not a directory", file: prefix)
            }
            prefix += "/"
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func lastComponent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

// Module-qualified aliases: inside `POSIX` the names open/read/write/close
// would otherwise resolve to the wrappers themselves.
@inline(__always) private func systemOpen(_ path: UnsafePointer<CChar>, _ flags: Int32, _ mode: mode_t) -> Int32 {
    open(path, flags, mode)
}
@inline(__always) private func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    write(fd, p, n)
}
@inline(__always) private func systemRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int {
    read(fd, p, n)
}
@inline(__always) private func systemClose(_ fd: Int32) -> Int32 {
    close(fd)
}

/// A file being written, created beside its final path and renamed into place.
///
/// Invariant: until `commit` succeeds, the final path is untouched; a writer
/// that is abandoned (error, or dropped without commit) removes its temp file.
final class OutputFile {
    let path: String
    private let tempPath: String?
    private var fd: Int32
    private var committed = false

    /// Opens `path` for writing; with `atomic`, through a temp file in the same directory.
    init(path: String, atomic: Bool) throws {
        self.path = path
        if atomic {
            let dir = POSIX.directory(of: path)
            let base = POSIX.lastComponent(path)
            var attempt = 0
            while true {
                // The name only has to be unique; it never appears in the output.
                let candidate = "\(dir)/.\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
                let (opened, code) = POSIX.openOrErrno(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
                if opened >= 0 {
                    fd = opened
                    tempPath = candidate
                    break
                }
                attempt += 1
                if code != EEXIST || attempt > 100 { throw POSIX.ioError("create", path, code) }
            }
        } else {
            fd = try POSIX.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            tempPath = nil
        }
    }

    func write(_ pointer: UnsafeRawPointer, _ count: Int) throws {
        precondition(fd >= 0, "write after commit")
        try POSIX.writeAll(fd, pointer, count, path: path)  // errors name the file the user asked for
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { (raw) in
            if let base = raw.baseAddress { try write(base, raw.count) }
        }
    }

    /// Closes the file and, if atomic, renames it over `path`.
    ///
    /// With `sync`, the data is fsynced before the rename and the directory after
    /// it, so a crash leaves either the old file or the complete new one.
    func commit(sync: Bool) throws {
        precondition(fd >= 0, "commit twice")
        if sync && fsync(fd) != 0 {
            let code = errno
            abandon()
            throw POSIX.ioError("fsync", path, code)
        }
        if systemClose(fd) != 0 {
            let code = errno
            fd = -1
            abandon()
            throw POSIX.ioError("close", path, code)
        }
        fd = -1
        guard let tempPath else { committed = true; return }
        if rename(tempPath, path) != 0 {
            let code = errno
            unlink(tempPath)
            throw POSIX.ioError("rename", path, code)
        }
        committed = true
        if sync {
            let dirfd = systemOpen(POSIX.directory(of: path), O_RDONLY | O_CLOEXEC, 0)
            if dirfd >= 0 {
                _ = fsync(dirfd)
                POSIX.close(dirfd)
            }
        }
    }

    /// Drops the file: closes it and removes the temp file (never the final path).
    func abandon() {
        if committed { return }
        if fd >= 0 {
            POSIX.close(fd)
            fd = -1
            if let tempPath { unlink(tempPath) }
        } else if let tempPath {
            unlink(tempPath)
        }
    }

    deinit {
        if fd >= 0 { abandon() }
    }
}

/// Writes `bytes` to `path` atomically (temp file, fsync, rename).
func writeFileAtomically(_ path: String, _ bytes: [UInt8], sync: Bool = true) throws {
    let file = try OutputFile(path: path, atomic: true)
    do {
        try file.write(bytes)
        try file.commit(sync: sync)
    } catch {
        file.abandon()
        throw error
    }
}
