import Glibc
import SDSCore
import SDSRemote

/// Progress lines and summaries of push, fetch and pull.
enum TransferOutput {
    /// A progress counter that redraws one stderr line on a TTY (objects, bytes, rate).
    static func progress(_ verb: String, quiet: Bool) -> TransferProgress {
        guard !quiet, isatty(2) != 0 else { return TransferProgress() }
        return TransferProgress { s in
            let rate = s.elapsedNs > 0 ? Int64(Double(s.bytes) / (Double(s.elapsedNs) / 1e9)) : 0
            Output.error("\r\(verb): \(s.objects)/\(s.totalObjects) objects, \(Output.bytes(s.bytes)) of \(Output.bytes(s.totalBytes)), \(Output.bytes(rate))/s\u{1B}[K", newline: false)
        }
    }

    static func endProgress(_ p: TransferProgress, quiet: Bool) {
        if !quiet, isatty(2) != 0, p.snapshot.totalObjects > 0 { Output.error("\r\u{1B}[K", newline: false) }
    }

    static func json(_ verb: String, _ s: RemoteSync.Summary, remote: String) -> String {
        JSON.object([
            "command": .string(verb), "remote": .string(remote), "roots": .int(Int64(s.roots)),
            "objects": .int(Int64(s.objects)), "bytes": .int(s.bytes), "packs": .int(Int64(s.packs)),
            "already_there": .int(Int64(s.alreadyThere)), "steps_learned": .int(Int64(s.stepsLearned)),
            "tags": .array(s.tags.map { .object(["name": .string($0.name), "change": .string($0.change)]) }),
            "seconds": .double((s.seconds * 1000).rounded() / 1000),
        ]).canonicalText
    }

    static func time(_ s: Double) -> String {
        let ms = Int((s * 1000).rounded())
        return ms < 1000 ? "\(ms) ms" : "\(ms / 1000).\(ms % 1000 / 100) s"
    }
}
