import Dispatch
import Glibc
import SDSCore
import SDSSensors
import SDSStore

/// Parses an input into per-entity partitions, each stored as soon as its rows end.
///
/// Two ways in: `read` parses an input object already in the store (hashing it, so the
/// read is verified); `ingest` parses a work-tree file that is not in the store yet while
/// hashing and copying it there, so a new input is read once, not twice.
///
/// Memory holds one chunk and one entity's columns when the file keeps each entity's rows
/// together (as sorted exports do); otherwise it falls back to holding every partition.
struct PartitionReader {
    let store: ObjectStore
    let jobs: Int

    struct Stored {
        var entity: String
        var id: ObjectID
        var firstLine: Int
        var lastLine: Int
    }

    func read(_ input: ObjectID, file: String, schema: LongCSVSchema) throws -> [Stored] {
        try fallingBack { grouped in try read(input, file: file, schema: schema, grouped: grouped) }
    }

    /// Called with each partition once it is stored, in file order, from one thread at a time.
    typealias Handler = @Sendable (String, ObjectID, SensorPartition) -> Void

    /// Copies the work-tree file at `path` into the store and parses it, in one read.
    ///
    /// - Returns: the file's id, its stat before the read, and its partitions.
    func ingest(_ path: String, file: String, schema: LongCSVSchema,
                onPartition: Handler? = nil) throws -> (ObjectID, FileStat, [Stored]) {
        try fallingBack { grouped in
            let sink = Sink(store: store, file: file, schema: schema, grouped: grouped, jobs: jobs, onPartition: onPartition)
            do {
                let (id, stat) = try Ingest.file(path, into: store, tap: { try sink.consume($0) })
                return (id, stat, try sink.finish())
            } catch {
                // Its queue may still be storing (and handing on) partitions: they must be done
                // before a second pass starts or the caller goes on.
                sink.drain()
                throw error
            }
        }
    }

    /// Runs `body` for grouped input, and again ungrouped when the entities are interleaved.
    private func fallingBack<T>(_ body: (Bool) throws -> T) throws -> T {
        do {
            return try body(true)
        } catch let e as SDSError where e.message.contains("are not contiguous") {
            return try body(false)
        }
    }

    private func read(_ input: ObjectID, file: String, schema: LongCSVSchema, grouped: Bool) throws -> [Stored] {
        let path = store.path(of: input)
        guard access(path, F_OK) == 0 else { throw SDSError(.notFound, "object \(input.hex) is not in the store") }
        let sink = Sink(store: store, file: file, schema: schema, grouped: grouped, jobs: jobs, onPartition: nil)
        let actual: ObjectID
        do {
            // The read is verified: hashed beside the parse, and compared once both are done.
            (actual, _) = try Ingest.file(path, into: nil, tap: { try sink.consume($0) })
        } catch {
            sink.drain()
            throw error
        }
        let out = try sink.finish()
        guard actual == input else {
            throw SDSError(.badData, "object \(input.hex) is corrupt: its content hashes to \(actual.hex)",
                           hint: "run 'sds fsck'; re-add the input to restore it")
        }
        return out
    }
}

/// Parses chunks as they come and stores each finished partition on a serial queue.
private final class Sink: @unchecked Sendable {
    private var stream: LongCSVStream
    private let store: ObjectStore
    private let onPartition: PartitionReader.Handler?
    private let storing = DispatchQueue(label: "sds.read.store")
    private let stored = DispatchGroup()
    /// Bounds the parsed batches waiting to be stored, so a slow consumer slows the parse
    /// instead of letting partitions pile up in memory.
    private let backlog = DispatchSemaphore(value: 0)
    /// Written only on `storing`; read after `stored` is waited for.
    private var out: [PartitionReader.Stored] = []
    private var error: Error?

    init(store: ObjectStore, file: String, schema: LongCSVSchema, grouped: Bool, jobs: Int,
         onPartition: PartitionReader.Handler?) {
        self.store = store
        self.onPartition = onPartition
        stream = LongCSVStream(file: file, schema: schema, grouped: grouped, jobs: jobs, minimumChunkSize: 1 << 20)
        for _ in 0..<4 { backlog.signal() }
    }

    /// Waits until nothing is being stored.
    func drain() { stored.wait() }

    func consume(_ chunk: UnsafeRawBufferPointer) throws {
        keep(try StepCodec.sensors { () throws(SensorError) in try stream.consume(chunk) })
    }

    /// Parses what is left and waits for every partition to be stored; sorted by entity.
    func finish() throws -> [PartitionReader.Stored] {
        keep(try StepCodec.sensors { () throws(SensorError) in try stream.finish() })
        stored.wait()
        if let error { throw error }
        return out.sorted { FileIO.bytewiseLess($0.entity, $1.entity) }
    }

    private func keep(_ parts: [SensorPartition]) {
        guard !parts.isEmpty else { return }
        backlog.wait()
        storing.async(group: stored) { [self] in
            defer { backlog.signal() }
            guard error == nil else { return }
            do {
                for p in parts {
                    let id = try store.put(p.encoded(), deferSync: true)
                    out.append(PartitionReader.Stored(entity: p.entity, id: id, firstLine: p.firstLine, lastLine: p.lastLine))
                    onPartition?(p.entity, id, p)
                }
            } catch { self.error = error }
        }
    }
}
