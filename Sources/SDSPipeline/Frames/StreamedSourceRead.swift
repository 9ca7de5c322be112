import SDSCore
import SDSSensors
import SDSStore

/// A source's plain input parsed chunk by chunk as it is read (while it is stored or hashed),
/// each partition stored as soon as its rows end, so memory holds about one partition.
///
/// Stores exactly the frames and index the whole read of `FrameBuilder.readSource` does. A
/// compressed input is left to that whole read (`passed` is set). Not thread-safe: one
/// reading thread feeds it.
final class StreamedSourceRead: @unchecked Sendable {
    /// One partition as the read step's index lists it.
    struct Entry {
        var entity: String
        var id: ObjectID
        var rows: Int
        var firstLine: Int64
        var lastLine: Int64
    }

    private let store: ObjectStore
    private var stream: TableStream
    /// Called with each partition once it is stored, from the reading thread.
    private let onPartition: (String, ObjectID) -> Void
    private var entries: [Entry] = []
    private var started = false
    /// Whether it has seen bytes (else the input was not read now).
    var fed: Bool { started }
    /// The input is compressed: nothing was parsed.
    private(set) var passed = false

    init(store: ObjectStore, reader: TableReader, file: String, strict: Bool, onPartition: @escaping (String, ObjectID) -> Void) {
        self.store = store
        stream = TableStream(reader, file: file, quarantine: Quarantine(strict: strict))
        self.onPartition = onPartition
    }

    func consume(_ chunk: UnsafeRawBufferPointer) throws {
        if !started {
            started = true
            passed = InputDecompression.kind(chunk.prefix(4)) != nil
        }
        if passed { return }
        let frames = try StepCodec.sensors { () throws(SensorError) in try stream.consume(chunk) }
        for f in frames { try put(f) }
    }

    /// The partitions, sorted by key bytes, and the set-aside rows; nil for a compressed input.
    func finish() throws -> (entries: [Entry], quarantine: Quarantine)? {
        if passed { return nil }
        let rest = try StepCodec.sensors { () throws(SensorError) in try stream.finish() }
        let emitted = Dictionary(entries.indices.map { (entries[$0].entity, $0) }, uniquingKeysWith: { a, _ in a })
        for f in rest {
            if let i = emitted[f.partition] {
                // The file is not grouped: this partition's first rows were stored already.
                let e = entries[i]
                let bytes = try store.read(e.id)
                var first = try StepCodec.sensors { () throws(SensorError) in try Frame(decoding: bytes) }
                if e.firstLine > 1 { first.lines = ContiguousArray(first.lines.lazy.map { $0 + (e.firstLine - 1) }) }
                entries[i] = try Self.stored(first.appending(f), store: store)
            } else {
                try put(f)
            }
        }
        entries.sort { FileIO.bytewiseLess($0.entity, $1.entity) }
        return (entries, stream.quarantine)
    }

    private func put(_ f: Frame) throws {
        let e = try Self.stored(f, store: store)
        entries.append(e)
        onPartition(e.entity, e.id)
    }

    /// Stores a partition with its lines relative to its first one, as the whole read does.
    static func stored(_ frame: Frame, store: ObjectStore) throws -> Entry {
        var f = frame
        let first = f.lines.min() ?? 0, last = f.lines.max() ?? 0
        if first > 1 { f.lines = ContiguousArray(f.lines.lazy.map { $0 - (first - 1) }) }
        let id = try store.put(f.encoded(), deferSync: true)
        return Entry(entity: f.partition, id: id, rows: f.rowCount, firstLine: first, lastLine: last)
    }

    /// The read step's result: the partitions (in key order) and the set-aside rows' object.
    static func index(_ entries: [Entry], quarantine: ObjectID) -> [UInt8] {
        let index: [JSON] = entries.map { e in
            .object(["entity": .string(e.entity), "id": .string(e.id.hex), "rows": .int(Int64(e.rows)),
                     "first_line": .int(e.firstLine), "last_line": .int(e.lastLine)])
        }
        return JSON.object(["partitions": .array(index), "quarantine": .string(quarantine.hex)]).canonical()
    }
}
