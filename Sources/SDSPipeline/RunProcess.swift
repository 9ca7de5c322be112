import Glibc
import SDSCore
import Synchronization

/// Glibc declares it only under _GNU_SOURCE (glibc 2.29+).
@_silgen_name("posix_spawn_file_actions_addchdir_np")
private func sds_addchdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: UnsafePointer<CChar>) -> Int32

/// Runs `/bin/sh -c COMMAND` in a folder with a given environment, stdin from /dev/null,
/// stdout discarded (sds's own stdout stays machine-readable), and the tail of stderr kept.
enum RunProcess {
    struct Outcome {
        /// The exit status, or 128 + the signal number when a signal ended it (as the shell reports it).
        var status: Int32
        var signal: Int32?
        /// The last lines of stderr (at most `tailLines`).
        var stderrTail: [String]
    }

    static let tailLines = 20
    /// Held from pipe() to posix_spawn: a command started meanwhile on another thread would
    /// inherit the write end before it is close-on-exec, and the read here would wait for it.
    private static let spawning = Mutex<Void>(())

    static func run(_ command: String, in directory: String, environment: [String: String]) throws -> Outcome {
        let (pid, fd) = try spawning.withLock { _ in try start(command, in: directory, environment: environment) }
        return try finish(pid, stderr: fd, command: command)
    }

    private static func start(_ command: String, in directory: String, environment: [String: String]) throws -> (pid_t, Int32) {
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else { throw SDSError.io("cannot make a pipe for", path: command, errno: errno) }
        // Close-on-exec, so no other process this build starts holds the write end open.
        for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)
        _ = sds_addchdir(&actions, directory)
        let argv = ["/bin/sh", "-c", command]
        let envp = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var cArgs = argv.map { strdup($0) } + [nil]
        var cEnv = envp.map { strdup($0) } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, nil, &cArgs, &cEnv)
        close(pipeFDs[1])
        guard rc == 0 else {
            close(pipeFDs[0])
            throw SDSError.io("cannot start /bin/sh for", path: command, errno: rc)
        }
        return (pid, pipeFDs[0])
    }

    private static func finish(_ pid: pid_t, stderr fd: Int32, command: String) throws -> Outcome {
        // Only the end of stderr is kept: a chatty command cannot fill sds's memory.
        var tail: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, 65536) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            tail += buffer[0..<n]
            if tail.count > 262_144 { tail.removeFirst(tail.count - 131_072) }
        }
        close(fd)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw SDSError.io("cannot wait for", path: command, errno: errno) }
        }
        let lines = String(decoding: tail, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
        let trimmed = Array((lines.last == "" ? lines.dropLast() : lines[...]).suffix(tailLines))
        // WIFEXITED / WTERMSIG by hand: the C macros are not imported into Swift.
        let signal = status & 0x7f
        if signal != 0 { return Outcome(status: 128 + signal, signal: signal, stderrTail: trimmed) }
        return Outcome(status: (status >> 8) & 0xff, signal: nil, stderrTail: trimmed)
    }
}
