import Glibc
import SDSCore
import Synchronization

/// Counts what a push or fetch moved, for the summary and the TTY progress line.
///
/// Thread-safe; `render`, when set, is called at most every 200 ms with a snapshot.
public final class TransferProgress: Sendable {
    public struct Snapshot: Sendable {
        public var objects = 0
        public var totalObjects = 0
        public var bytes: Int64 = 0
        public var totalBytes: Int64 = 0
        public var elapsedNs: Int64 = 0
    }

    private let state = Mutex(Snapshot())
    private let start = FileIO.nowNs()
    private let lastRender = Atomic<Int64>(0)
    private let render: (@Sendable (Snapshot) -> Void)?

    public init(render: (@Sendable (Snapshot) -> Void)? = nil) { self.render = render }

    public func expect(objects: Int, bytes: Int64) {
        state.withLock { $0.totalObjects += objects; $0.totalBytes += bytes }
    }

    public func add(objects: Int = 0, bytes: Int64) {
        let s = state.withLock { s -> Snapshot in
            s.objects += objects
            s.bytes += bytes
            return s
        }
        guard let render else { return }
        let now = FileIO.nowNs()
        let last = lastRender.load(ordering: .relaxed)
        if now - last > 200_000_000, lastRender.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged {
            var snap = s
            snap.elapsedNs = now - start
            render(snap)
        }
    }

    public var snapshot: Snapshot {
        var s = state.withLock { $0 }
        s.elapsedNs = FileIO.nowNs() - start
        return s
    }
}
