import Dispatch
import Glibc
import Synchronization

extension Array where Element: Sendable {
    /// `map` on `jobs` threads at most (in order on this one when `jobs` is 1); results in
    /// element order, and the error of the first failing element, whatever the timing.
    public func parallelMap<R: Sendable>(jobs: Int, _ transform: @Sendable (Element) throws -> R) throws -> [R] {
        if jobs <= 1 || count <= 1 { return try map(transform) }
        let results = Mutex<[Int: Result<R, Error>]>([:])
        let next = Atomic<Int>(0)
        // `jobs` workers take the next element until none is left.
        DispatchQueue.concurrentPerform(iterations: Swift.min(jobs, count)) { _ in
            while true {
                let i = next.add(1, ordering: .relaxed).oldValue
                guard i < count else { return }
                let r = Result { try transform(self[i]) }
                results.withLock { $0[i] = r }
            }
        }
        let all = results.withLock { $0 }
        return try indices.map { try all[$0]!.get() }
    }
}

/// The processors online: the default number of worker threads.
public let onlineCores = Swift.max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
