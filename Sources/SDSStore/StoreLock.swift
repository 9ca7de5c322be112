import Glibc
import SDSCore

/// An exclusive `flock` on `.sensorstore/lock`, held while a command changes the store or work tree.
///
/// The kernel releases it when the process dies, so a killed `sds` never leaves
/// the store locked. The file's text (pid and command) is only for messages.
public final class StoreLock {
    private let fd: Int32

    /// Takes the lock, waiting up to `timeout` seconds (env `SDS_LOCK_TIMEOUT`, default 60).
    public init(workspace: Workspace, command: String, timeout: Double? = nil,
                onWait: (String) -> Void = { _ in }) throws {
        let path = workspace.storePath + "/lock"
        fd = try FileIO.open(path, O_RDWR | O_CREAT, mode: 0o644)
        let limit = timeout ?? Double(getenv("SDS_LOCK_TIMEOUT").map { String(cString: $0) } ?? "") ?? 60
        var waited = 0.0
        var told = false
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let code = errno
                close(fd)
                throw SDSError.io("cannot lock the store at", path: path, errno: code)
            }
            let holder = String(decoding: (try? FileIO.readFile(path)) ?? [], as: UTF8.self)
                .trimmingCharacters(in: [" ", "\n"])
            if !told {
                onWait("waiting for the store lock held by \(holder.isEmpty ? "another sds process" : holder)…")
                told = true
            }
            if waited >= limit {
                close(fd)
                throw SDSError(.busy, "the store is locked by \(holder.isEmpty ? "another sds process" : holder); gave up after \(Int(limit)) s",
                               hint: "wait for that command to finish, or set SDS_LOCK_TIMEOUT to wait longer")
            }
            usleep(50_000)
            waited += 0.05
        }
        let text = Array("pid \(getpid()): sds \(command)\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, text, text.count, 0)
        // Whoever holds the lock alone writes temp files, so leftovers of killed runs can go.
        _ = try? workspace.store.removeStaleTemps()
    }

    deinit {
        _ = ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
    }
}

extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
