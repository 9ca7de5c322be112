import SDSCatalog
import SDSCore
import SDSStore
import Synchronization

/// One step of a build: which operator ran (or was reused) for which partition.
public struct TraceEntry: Sendable, Equatable, Comparable {
    public var op: String
    public var partition: String
    public var ran: Bool
    public var key: ObjectID
    public var result: ObjectID
    public var version: Int = 0
    public var params: JSON = .null
    public var inputs: [ObjectID] = []

    public static func < (a: TraceEntry, b: TraceEntry) -> Bool {
        (a.op, a.partition) < (b.op, b.partition)
    }
}

/// Steps kept aside from the trace, by one thread (one subject's chain).
public final class StepLog {
    var entries: [TraceEntry] = []
    init() {}
}

/// Runs steps with exact caching, from any thread.
///
/// A step's key is the SHA-256 of the canonical JSON of its operator name and
/// version, the parameters that operator reads, and its input object ids. It is
/// reused if and only if the key is in the index and its result object is in the
/// store; otherwise it runs and its result is stored as an object.
public final class StepRunner: Sendable {
    let store: ObjectStore
    private let index: Mutex<StoreIndex>
    /// The step cache as it was when the build started: read without locks by every worker.
    private let known: [ObjectID: ObjectID]
    private let entries = Mutex<[TraceEntry]>([])
    /// A dry run computes every step through a scratch store and records none. A `run:`
    /// step (user code, run in its own temp folder) runs too with `userCode`; without it
    /// (`sds status`, which must stay quick), it and every step that needs its output get a
    /// placeholder result.
    let dryRun: Bool
    let userCode: Bool
    private let placeholders = Mutex<Set<ObjectID>>([])
    /// Rows for the step cache whose results wait to be published (see `recordPublished`).
    private let unrecorded = Mutex<[(key: ObjectID, result: ObjectID, op: String)]>([])
    /// Steps this run computed: a second step with the same key is reused, in a build as in
    /// a dry run (whose results are never recorded).
    private let computed = Mutex<[ObjectID: ObjectID]>([:])
    /// The shared step cache on a remote (`--remote-cache`), asked after the local one.
    let remoteSteps: (any RemoteStepLookup)?

    /// Opens its own index connection, which only this runner uses (behind a lock).
    public init(workspace: Workspace, dryRun: Bool = false, userCode: Bool = true, remoteSteps: (any RemoteStepLookup)? = nil) throws {
        precondition(!dryRun || workspace.isScratch, "a dry run computes through a scratch workspace")
        store = workspace.store
        // After `index()`, which heals a damaged index before this second connection opens it.
        let opened = try workspace.openIndexConnection()
        known = try opened.allStepResults()
        index = Mutex(opened)
        self.dryRun = dryRun
        self.userCode = userCode
        self.remoteSteps = remoteSteps
    }

    /// True for the stand-in result of a step a dry run would run.
    public func isPlaceholder(_ id: ObjectID) -> Bool { placeholders.withLock { $0.contains(id) } }

    /// The key of a step, as stored in manifests.
    public static func key(op: String, version: Int, params: JSON, inputs: [ObjectID]) -> ObjectID {
        let json = JSON.object([
            "op": .string(op), "version": .int(Int64(version)), "params": params,
            "inputs": .array(inputs.map { .string($0.hex) }),
        ])
        return Hasher256.id(of: json.canonical())
    }

    /// Returns the result of a step, computing and storing it only when no cached result exists.
    ///
    /// With `log`, the step goes there instead of into `trace` (see `append`).
    public func run(op: String, version: Int, params: JSON, inputs: [ObjectID], partition: String,
                    log: StepLog? = nil, compute: () throws -> [UInt8]) throws -> ObjectID {
        try run(op: op, version: version, params: params, inputs: inputs, partition: partition, evenInDryRun: true,
                log: log, storing: { try store.put(try compute(), deferSync: true) })
    }

    /// `run`, for a step that stores its result itself (a `run:` step's output file or folder)
    /// and returns its id; `evenInDryRun` false for user code, which a dry run does not run.
    func run(op: String, version: Int, params: JSON, inputs: [ObjectID], partition: String,
             evenInDryRun: Bool = false, log: StepLog? = nil, storing compute: () throws -> ObjectID) throws -> ObjectID {
        let key = Self.key(op: op, version: version, params: params, inputs: inputs)
        func note(_ ran: Bool, _ result: ObjectID) {
            let e = TraceEntry(op: op, partition: partition, ran: ran, key: key, result: result,
                               version: version, params: params, inputs: inputs)
            if let log { log.entries.append(e) } else { entries.withLock { $0.append(e) } }
        }
        if let cached = try known[key] ?? computed.withLock({ $0[key] }) ?? index.withLock({ try $0.stepResult(key) }),
           store.contains(cached) {
            note(false, cached)
            return cached
        }
        if !inputs.contains(where: isPlaceholder), let remote = remoteSteps, let fetched = try remote.result(for: key, op: op, into: store) {
            note(false, fetched)
            // Its objects are staged like a computed result's: the row waits for the publish too.
            remember(key, fetched, op: op)
            return fetched
        }
        if dryRun && (!(evenInDryRun || userCode) || inputs.contains(where: isPlaceholder)) {
            // The key stands in for the unknown result, so every step downstream misses too.
            placeholders.withLock { _ = $0.insert(key) }
            note(true, key)
            return key
        }
        let result = try compute()
        note(true, result)
        remember(key, result, op: op)
        return result
    }

    /// A second step with this key in the same run is reused; its cache row waits for the publish.
    private func remember(_ key: ObjectID, _ result: ObjectID, op: String) {
        computed.withLock { $0[key] = result }
        if !dryRun, unrecorded.withLock({ $0.append((key, result, op)); return $0.count == 1 }) {
            store.whenPublished { [self] in try recordPublished() }
        }
    }

    /// Records the rows whose results are published; the rest wait for the next publish. A
    /// row recorded earlier would outlive its result if the build died before publishing it.
    private func recordPublished() throws {
        let rows = unrecorded.withLock { r in defer { r.removeAll() }; return r }
        let ready = rows.filter { store.isPublished($0.result) }
        if ready.count < rows.count {
            let waiting = rows.filter { !store.isPublished($0.result) }
            if unrecorded.withLock({ r in r += waiting; return r.count == waiting.count }) {
                store.whenPublished { [self] in try recordPublished() }
            }
        }
        guard !ready.isEmpty else { return }
        Failpoint.stepCacheRecord.pass()
        try index.withLock { try $0.recordSteps(ready) }
    }

    /// Adds steps that were logged aside (their work turned out to count).
    func append(_ steps: [TraceEntry]) { entries.withLock { $0 += steps } }

    /// True when some step's result is a placeholder (a dry run before a `run:` step).
    public var hasPlaceholders: Bool { placeholders.withLock { !$0.isEmpty } }

    /// Every step so far, in (operator, partition) order.
    public var trace: [TraceEntry] { entries.withLock { $0 }.sorted() }
}
