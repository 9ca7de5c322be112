import Dispatch
import SDSCore
import Synchronization

/// Study chains started while the last source is still being read: each partition's chain
/// runs as soon as that source has stored the partition, beside the read.
///
/// Every other source of such a study is read before, so a chain's inputs are final unless
/// the streamed source turns out not to be grouped by partition (a partition's rows come
/// back later): then its stored id changes, and `take` refuses the early run, whose steps
/// are logged aside and never reach the trace. At most `limit` chains are queued or
/// running, which bounds the partitions held: the read waits for a slot.
final class EarlyChains: Sendable {
    /// A study that can start early: its chain and its other sources' partitions.
    struct Plan: Sendable {
        var study: FrameSpec.Study
        var chain: FrameChain
        var others: [String: [String: ObjectID]]
    }
    private struct Run {
        var inputs: [ObjectID]
        var sides: [ObjectID]
        var result: Result<FrameChain.Outcome, Error>
        var log: [TraceEntry]
    }

    /// The source whose partitions start chains.
    let source: String
    private let plans: [Plan]
    private let serial: Bool
    private let slots: DispatchSemaphore
    private let group = DispatchGroup()
    private let runs = Mutex<[String: Run]>([:])

    /// - Parameter serial: run each chain on the reading thread (`--jobs 1`).
    init(source: String, plans: [Plan], serial: Bool, limit: Int) {
        self.source = source
        self.plans = plans
        self.serial = serial
        slots = DispatchSemaphore(value: 0)
        for _ in 0..<max(limit, 1) { slots.signal() }
    }

    deinit { group.wait() }

    var isEmpty: Bool { plans.isEmpty }

    /// The inputs and join sides of `plan`'s chain for partition `p`, whose `source` part is `id`.
    private func arguments(_ plan: Plan, _ p: String, _ id: ObjectID) -> ([ObjectID], [ObjectID]) {
        func part(_ s: String) -> ObjectID { s == source ? id : plan.others[s]?[p] ?? .empty }
        return (plan.study.inputs.map(part), plan.study.joins.map { part($0.source) })
    }

    /// Starts the chains of partition `p` of the streamed source, stored as `id`.
    func submit(_ p: String, _ id: ObjectID) {
        for plan in plans {
            let (inputs, sides) = arguments(plan, p, id)
            let key = plan.study.name + "/" + p
            let work: @Sendable () -> Void = { [self] in
                let log = StepLog()
                let result = Result { try plan.chain.run(partition: p, inputs: inputs, sides: sides, log: log) }
                let run = Run(inputs: inputs, sides: sides, result: result, log: log.entries)
                runs.withLock { $0[key] = run }
            }
            if serial {
                work()
                continue
            }
            slots.wait()
            DispatchQueue.global().async(group: group) { [self] in
                work()
                slots.signal()
            }
        }
    }

    /// Waits for every chain started.
    func wait() { group.wait() }

    /// The early run of `study`'s chain for partition `p`, if it ran on exactly these inputs;
    /// its steps join the runner's trace. Call after `wait`.
    func take(_ study: String, _ p: String, inputs: [ObjectID], sides: [ObjectID], runner: StepRunner) -> Result<FrameChain.Outcome, Error>? {
        guard let run = runs.withLock({ $0.removeValue(forKey: study + "/" + p) }),
              run.inputs == inputs, run.sides == sides else { return nil }
        runner.append(run.log)
        return run.result
    }
}
