import Dispatch
import Glibc
import SDSCore
import SDSSensors
import SDSStore

/// Reads an input object in chunks, hashing it (the read is verified) while parsing it into
/// per-entity partitions, each stored as soon as its rows end.
///
/// Memory holds one chunk and one entity's columns when the file keeps each entity's rows
/// together (as sorted exports do); otherwise it falls back to holding every partition.
struct PartitionReader {
    let store: ObjectStore
    let jobs: Int
    static let chunkSize = 8 << 20

    struct Stored {
        var entity: String
        var id: ObjectID
        var firstLine: Int
        var lastLine: Int
    }

    func read(_ input: ObjectID, file: String, schema: LongCSVSchema) throws -> [Stored] {
        do {
            return try read(input, file: file, schema: schema, grouped: true)
        } catch let e as SDSError where e.message.contains("are not contiguous") {
            return try read(input, file: file, schema: schema, grouped: false)
        }
    }

    private func read(_ input: ObjectID, file: String, schema: LongCSVSchema, grouped: Bool) throws -> [Stored] {
        let path = store.path(of: input)
        guard access(path, F_OK) == 0 else { throw SDSError(.notFound, "object \(input.hex) is not in the store") }
        let fd = try FileIO.open(path, O_RDONLY)
        defer { close(fd) }
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        // Two buffers: the file is read into one while the other is still being hashed.
        let buffers = (0..<2).map { _ in UnsafeMutableRawPointer.allocate(byteCount: Self.chunkSize, alignment: 4096) }
        defer { buffers.forEach { $0.deallocate() } }
        var stream = LongCSVStream(file: file, schema: schema, grouped: grouped, jobs: jobs, minimumChunkSize: 1 << 20)
        // Hashing and storing run on their own serial queues, beside the parse.
        let hashing = DispatchQueue(label: "sds.read.hash")
        let storing = DispatchQueue(label: "sds.read.store")
        let hashed = [DispatchGroup(), DispatchGroup()]
        let stored = DispatchGroup()
        final class Box: @unchecked Sendable {
            var hasher = Hasher256()
            var out: [Stored] = []
            var error: Error?
        }
        let box = Box()
        let store = self.store
        func keep(_ parts: [SensorPartition]) {
            guard !parts.isEmpty else { return }
            storing.async(group: stored) {
                guard box.error == nil else { return }
                do {
                    for p in parts {
                        box.out.append(Stored(entity: p.entity, id: try store.put(p.encoded(), deferSync: true),
                                              firstLine: p.firstLine, lastLine: p.lastLine))
                    }
                } catch { box.error = error }
            }
        }
        var k = 0
        do {
            while true {
                let b = k & 1
                hashed[b].wait()
                let n = try FileIO.readFull(fd, buffers[b], Self.chunkSize, path: path)
                if n == 0 { break }
                let chunk = UnsafeRawBufferPointer(start: buffers[b], count: n)
                let address = UInt(bitPattern: buffers[b])
                hashing.async(group: hashed[b]) {
                    box.hasher.update(UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: address), count: n))
                }
                keep(try StepCodec.sensors { () throws(SensorError) in try stream.consume(chunk) })
                k += 1
            }
            keep(try StepCodec.sensors { () throws(SensorError) in try stream.finish() })
        } catch {
            hashed.forEach { $0.wait() }
            stored.wait()
            throw error
        }
        hashed.forEach { $0.wait() }
        stored.wait()
        if let error = box.error { throw error }
        let hasher = box.hasher
        let out = box.out
        let actual = hasher.finalize()
        guard actual == input else {
            throw SDSError(.badData, "object \(input.hex) is corrupt: its content hashes to \(actual.hex)",
                           hint: "run 'sds fsck'; re-add the input to restore it")
        }
        return out.sorted { FileIO.bytewiseLess($0.entity, $1.entity) }
    }
}
