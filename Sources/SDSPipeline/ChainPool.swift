import Dispatch
import SDSCore
import SDSSensors
import Synchronization

/// Runs subject chains as their primary partitions become known, a few at a time.
///
/// While a new primary input is still being parsed, each subject's chain starts as soon
/// as its partition is stored, with the parsed partition handed over in memory; this keeps
/// both cores busy through the read. `limit` bounds the chains queued or running, and so
/// the partitions held.
///
/// The last submission of a subject wins: a parse that restarts (entities found not to be
/// contiguous) may submit a subject again with its complete partition, and only the chain
/// of that partition counts, in results and in the runner's trace. Submitting the same
/// partition again does nothing.
final class ChainPool: Sendable {
    struct Outcome {
        var chunks: [String: ObjectID]
        var failures: [String: Error]
    }

    private let chain: SubjectChain
    private let runner: StepRunner
    private let steps: [String: ObjectID]
    private let labels: [String: ObjectID]
    private let serial: Bool
    private let slots: DispatchSemaphore
    private let group = DispatchGroup()
    private struct State {
        /// Subject → the partition of its latest submission.
        var latest: [String: ObjectID] = [:]
        /// Subject → the outcome of its latest submission's chain.
        var results: [String: (result: Result<ObjectID, Error>, log: [TraceEntry])] = [:]
        /// Keys of steps that superseded chains ran: a counted chain that reuses one of
        /// them reuses work of this build, so the step counts as run.
        var supersededRuns: Set<ObjectID> = []

        mutating func finished(_ entity: String, hr: ObjectID, _ outcome: (result: Result<ObjectID, Error>, log: [TraceEntry])) {
            func ran(_ log: [TraceEntry]) -> [ObjectID] { log.filter(\.ran).map(\.key) }
            guard latest[entity] == hr else { return supersededRuns.formUnion(ran(outcome.log)) }
            if let old = results[entity] { supersededRuns.formUnion(ran(old.log)) }
            results[entity] = outcome
        }
    }
    private let state = Mutex(State())
    private let finished = Atomic<Int>(0)
    private let onDone: @Sendable (Int) -> Void

    /// - Parameters:
    ///   - serial: run each chain on the submitting thread (`--jobs 1`).
    ///   - onDone: called with the number of chains finished so far, from any thread.
    init(chain: SubjectChain, runner: StepRunner, steps: [String: ObjectID], labels: [String: ObjectID],
         serial: Bool, limit: Int, onDone: @escaping @Sendable (Int) -> Void) {
        self.chain = chain
        self.runner = runner
        self.steps = steps
        self.labels = labels
        self.serial = serial
        slots = DispatchSemaphore(value: 0)
        for _ in 0..<max(limit, 1) { slots.signal() }
        self.onDone = onDone
    }

    /// Queues the chain of `entity`, waiting while `limit` chains are pending.
    func submit(_ entity: String, hr: ObjectID, partition: SensorPartition? = nil) {
        guard state.withLock({ s in
            defer { s.latest[entity] = hr }
            return s.latest[entity] != hr
        }) else { return }
        let work: @Sendable () -> Void = { [self] in
            let log = StepLog()
            let r = Result { try chain.run(entity: entity, hr: hr, hrPartition: partition, steps: steps[entity],
                                           labels: labels[entity], log: log) }
            let entries = log.entries
            // Checked and written under one lock, so a superseded chain finishing late is dropped.
            state.withLock { $0.finished(entity, hr: hr, (r, entries)) }
            onDone(finished.add(1, ordering: .relaxed).newValue)
        }
        if serial {
            group.enter()
            work()
            return group.leave()
        }
        slots.wait()
        DispatchQueue.global().async(group: group) { [self] in
            work()
            slots.signal()
        }
    }

    /// Waits for every submitted chain; moves the counted chains' steps into the runner's trace.
    func finish() -> Outcome {
        group.wait()
        var out = Outcome(chunks: [:], failures: [:])
        let (results, superseded) = state.withLock { ($0.results, $0.supersededRuns) }
        for (e, r) in results {
            runner.append(r.log.map { entry in
                var entry = entry
                if superseded.contains(entry.key) { entry.ran = true }
                return entry
            })
            switch r.result {
            case .success(let id): out.chunks[e] = id
            case .failure(let error): out.failures[e] = error
            }
        }
        return out
    }
}
