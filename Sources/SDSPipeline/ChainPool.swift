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
/// Chains need the subject's other partitions (steps, labels), which may still be being
/// read when the first primary partitions arrive: until `start` hands them over,
/// submissions wait in a list (and past `limit` × 4 of them, the submitter waits).
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
    /// A subject's partitions of the other sources.
    struct Context: Sendable {
        var steps: [String: ObjectID]
        var labels: [String: ObjectID]
    }
    private struct Job: Sendable {
        var entity: String
        var hr: ObjectID
        var partition: SensorPartition?
    }

    private let chain: SubjectChain
    private let runner: StepRunner
    private let serial: Bool
    private let limit: Int
    private let slots: DispatchSemaphore
    private let group = DispatchGroup()
    /// Left once, by the first of `start`, `cancel` or deinit.
    private let ready = DispatchGroup()
    private let settled = Atomic<Bool>(false)
    private struct State {
        var context: Context?
        var cancelled = false
        /// Submissions before `start`.
        var waiting: [Job] = []
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
    private let onDone: @Sendable (Int) -> Void

    /// - Parameters:
    ///   - serial: run each chain on the submitting thread (`--jobs 1`); `start` must come first.
    ///   - onDone: called with the number of subjects whose chain has finished, from any thread.
    init(chain: SubjectChain, runner: StepRunner, serial: Bool, limit: Int, onDone: @escaping @Sendable (Int) -> Void) {
        self.chain = chain
        self.runner = runner
        self.serial = serial
        self.limit = max(limit, 1)
        slots = DispatchSemaphore(value: 0)
        for _ in 0..<self.limit { slots.signal() }
        self.onDone = onDone
        ready.enter()
    }

    deinit { settle() }

    /// Lets `ready` waiters go, once.
    private func settle() {
        if settled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged { ready.leave() }
    }

    /// Hands over the other sources' partitions and runs the submissions waiting for them.
    func start(_ context: Context) {
        let waiting = state.withLock { s -> [Job] in
            s.context = context
            defer { s.waiting = [] }
            return s.waiting
        }
        settle()
        for job in waiting { dispatch(job, context) }
    }

    /// The other sources failed: waiting and later submissions are dropped.
    func cancel() {
        state.withLock { s in
            s.cancelled = true
            s.waiting = []
        }
        settle()
    }

    /// Queues the chain of `entity`, waiting while `limit` chains are pending.
    func submit(_ entity: String, hr: ObjectID, partition: SensorPartition? = nil) {
        enum Next { case skip, wait, run(Context) }
        let job = Job(entity: entity, hr: hr, partition: partition)
        let next = state.withLock { s -> Next in
            guard !s.cancelled, s.latest[entity] != hr else { return .skip }
            s.latest[entity] = hr
            guard let context = s.context else {
                s.waiting.append(job)
                return .wait
            }
            return .run(context)
        }
        switch next {
        case .skip: return
        case .wait:
            if state.withLock({ $0.waiting.count }) >= limit * 4 { ready.wait() }
        case .run(let context): dispatch(job, context)
        }
    }

    private func dispatch(_ job: Job, _ context: Context) {
        let work: @Sendable () -> Void = { [self] in
            let log = StepLog()
            let r = Result { try chain.run(entity: job.entity, hr: job.hr, hrPartition: job.partition,
                                           steps: context.steps[job.entity], labels: context.labels[job.entity], log: log) }
            let entries = log.entries
            // Checked and written under one lock, so a superseded chain finishing late is dropped.
            let counted = state.withLock { s in
                s.finished(job.entity, hr: job.hr, (r, entries))
                return s.results.count
            }
            onDone(counted)
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
    /// `start` or `cancel` must have been called.
    func finish() -> Outcome {
        ready.wait()
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
