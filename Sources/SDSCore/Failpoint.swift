import Glibc
import Synchronization

/// Named places where a test can make sds die on purpose, to check that a crash there
/// leaves the store consistent and the next command works (design promise 5).
///
/// `SDS_FAILPOINT=NAME:N` ends the process with `_exit(134)` (like an abort, with no
/// cleanup, no atexit handlers, no flushing) at the N-th pass of NAME; `SDS_FAILPOINT=list`
/// prints `failpoint: NAME` on stderr at each pass. The variable is read once; unset, a pass
/// costs one load and a branch. Each point sits just before the step it names happens.
public enum Failpoint: String, CaseIterable, Sendable {
    /// An object's temp file is written, not yet fsynced (`put`, `add`'s copy of a file).
    case objectWritten = "object.written"
    /// Before an object's temp file is renamed to its name.
    case objectRename = "object.rename"
    /// Before an object folder is fsynced after a rename.
    case objectSyncFolder = "object.fsync-folder"
    /// Before the file-system sync that makes a build's staged objects durable.
    case stagedSync = "staged.syncfs"
    /// Before each staged object is published (renamed), in publish order.
    case stagedPublish = "staged.publish"
    /// Before step-cache rows are recorded in the index.
    case stepCacheRecord = "step-cache.record"
    /// A file replaced atomically (pointer, .gitignore, sds.lock, tag, metadata) is written
    /// and fsynced beside its destination, not yet renamed.
    case fileWritten = "file.written"
    /// Renamed into place, its folder not yet fsynced.
    case fileRenamed = "file.renamed"
    /// A build's output folder is complete beside the old one, not yet swapped in.
    case outputSwap = "output.swap"
    /// `checkout` wrote and fsynced a file beside its destination, not yet renamed.
    case checkoutWritten = "checkout.written"
    /// Before `checkout` removes a file or folder it is replacing.
    case checkoutRemove = "checkout.remove"
    /// Before `gc` forgets the step-cache rows of objects it will remove.
    case gcForget = "gc.forget"
    /// Before each object `gc` removes.
    case gcUnlink = "gc.unlink"
    /// Before `tag -d` removes a tag.
    case tagRemove = "tag.remove"
    /// `push` sent every object (packs, their indexes, large objects), before any closure
    /// list, step list or tag names them on the remote.
    case pushObjects = "push.objects"
    /// `fetch` stored every object it fetched, before it writes a tag.
    case fetchObjects = "fetch.objects"
    /// `add --to-remote` sent every object, before the closure list and the pointer name them.
    case addRemoteUploaded = "add-remote.uploaded"

    private final class Armed: Sendable {
        let point: Failpoint?
        let pass: Int
        let passes = Atomic<Int>(0)
        init(point: Failpoint?, pass: Int) { self.point = point; self.pass = pass }
    }

    private static let armed: Armed? = {
        guard let raw = getenv("SDS_FAILPOINT") else { return nil }
        let text = String(cString: raw)
        if text.isEmpty { return nil }
        if text == "list" { return Armed(point: nil, pass: 0) }
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let point = Failpoint(rawValue: parts[0]), let n = Int(parts[1]), n > 0 else {
            // A typo would otherwise make a crash test pass without crashing anything.
            let names = allCases.map(\.rawValue).joined(separator: ", ")
            say("error: SDS_FAILPOINT='\(text)' is not NAME:N or 'list'\nhint: names: \(names)\n")
            exit(64)
        }
        return Armed(point: point, pass: n)
    }()

    /// Reads SDS_FAILPOINT now, so a bad value stops sds before it does anything.
    public static func checkEnvironment() { _ = armed }

    /// Marks one pass of this point: dies here if armed for this pass.
    @inline(__always)
    public func pass() {
        if let armed = Self.armed { Self.passed(self, armed) }
    }

    private static func passed(_ point: Failpoint, _ armed: Armed) {
        guard let target = armed.point else {
            return say("failpoint: \(point.rawValue)\n")
        }
        guard target == point, armed.passes.add(1, ordering: .relaxed).newValue == armed.pass else { return }
        say("sds: stopped at failpoint \(point.rawValue):\(armed.pass)\n")
        _exit(134)
    }

    /// One write(2) to stderr: lines from several threads do not interleave.
    private static func say(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
