import Glibc

/// Crash tests: `SDS_REMOTE_KILL_AT=NAME` kills the process (SIGKILL) when it reaches the
/// point NAME (`push-objects`: objects sent, nothing published; `fetch-objects`: objects
/// stored, no tag written), so a test can prove the rerun finishes the job.
enum KillPoint {
    static func reached(_ name: String) {
        guard let v = getenv("SDS_REMOTE_KILL_AT"), String(cString: v) == name else { return }
        kill(getpid(), SIGKILL)
    }
}
