import SDSCore
import Glibc
import SDSSensors
import SDSStore

/// Compressed source inputs (`.csv.gz`, `.jsonl.zst`, …): the store keeps the file as given and
/// the read step inflates it piece by piece into a fixed buffer that the reader parses as it
/// goes (no temporary file, no whole plain copy). The kind is told by the leading magic bytes,
/// never by the name, so a text file is never mistaken for one.
enum InputDecompression {
    enum Kind { case gzip, zstd }

    /// The plain bytes handed to the reader at a time.
    static let chunk = 1 << 20

    /// The compression of `bytes`, or nil for plain text.
    static func kind(_ bytes: some Collection<UInt8>) -> Kind? {
        let head = Array(bytes.prefix(4))
        if head.count >= 2, head[0] == 0x1F, head[1] == 0x8B { return .gzip }
        if head == [0x28, 0xB5, 0x2F, 0xFD] { return .zstd }
        return nil
    }

    /// A decoder of `bytes` when they are gzip or zstd; nil for plain text.
    static func source(_ bytes: [UInt8], file: String) throws -> (any ByteChunkSource)? {
        switch kind(bytes) {
        case nil: nil
        case .gzip: try GzipChunkSource(bytes, file: file)
        case .zstd: try ZstdChunkSource(bytes, file: file)
        }
    }

    /// `bytes` decompressed when they are gzip or zstd, else as they are (whole: for tests and
    /// small files; builds read tables with `readTable`).
    /// - Throws: `.badData` naming `file` for a corrupt or truncated stream.
    static func plain(_ bytes: [UInt8], file: String) throws -> [UInt8] {
        guard var source = try source(bytes, file: file) else { return bytes }
        return try source.readAll()
    }

    /// The frames of a table file: read whole when plain (the fast path), else decompressed a
    /// `chunk` at a time into a `TableStreamReader`, so memory does not grow with the plain size.
    /// - Throws: `.badData` naming `file` for a corrupt or truncated stream or bad rows (strict).
    static func readTable(_ reader: TableReader, _ bytes: [UInt8], file: String, quarantine: inout Quarantine,
                          chunk: Int = chunk) throws -> [Frame] {
        guard var source = try source(bytes, file: file) else {
            return try StepCodec.sensors { () throws(SensorError) in try reader.read(bytes, file: file, quarantine: &quarantine) }
        }
        return try streamTable(reader, &source, file: file, quarantine: &quarantine, chunk: chunk)
    }

    /// The frames of the stored object `id`: a compressed one is read from its file a piece at
    /// a time, inflated and parsed as it goes and hashed beside, so memory does not grow with
    /// the file; a plain one (or one still staged in memory) is read whole as `store.read` does.
    /// - Throws: `.badData` for a corrupt object (checked once read: nothing parsed is kept
    ///   then), a corrupt or truncated stream or bad rows (strict).
    static func readTable(_ reader: TableReader, stored id: ObjectID, in store: ObjectStore, file: String,
                          quarantine: inout Quarantine) throws -> [Frame] {
        guard let (pieces, decoder) = try StoredPieces.open(id, in: store, file: file) else {
            return try readTable(reader, try store.read(id), file: file, quarantine: &quarantine)
        }
        var source = decoder
        let frames = try pieces.checked { try streamTable(reader, &source, file: file, quarantine: &quarantine, chunk: chunk) }
        try pieces.check()
        return frames
    }

    /// The plain text of the stored object `id` handed to `body` a `chunk` at a time; false
    /// (and nothing handed) when the object is not compressed or is still staged in memory.
    /// - Throws: as `readTable(_:stored:in:file:quarantine:)`, or what `body` throws.
    static func forEachPlainChunk(stored id: ObjectID, in store: ObjectStore, file: String,
                                  _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        guard let (pieces, decoder) = try StoredPieces.open(id, in: store, file: file) else { return false }
        var source = decoder
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        try pieces.checked {
            while true {
                let n = try source.read(into: buffer)
                if n == 0 { break }
                try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            }
        }
        try pieces.check()
        return true
    }

    /// Decodes `source` a `chunk` at a time into a `TableStreamReader`.
    private static func streamTable(_ reader: TableReader, _ source: inout any ByteChunkSource, file: String,
                                    quarantine: inout Quarantine, chunk: Int) throws -> [Frame] {
        let q = quarantine
        let stream = try StepCodec.sensors { () throws(SensorError) in try TableStreamReader(reader, file: file, quarantine: q) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try source.read(into: buffer)
            if n == 0 { break }
            try StepCodec.sensors { () throws(SensorError) in try stream.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) }
        }
        let (frames, read) = try StepCodec.sensors { () throws(SensorError) in try stream.finish() }
        quarantine = read
        return frames
    }
}

/// A stored object's file read a `chunk` at a time and hashed as it goes; `check` compares
/// the hash with the object's id once the decoder has read it all.
final class StoredPieces: CompressedPieces {
    private let id: ObjectID
    private let path: String
    private let fd: Int32
    private let buffer: UnsafeMutableRawPointer
    private var hasher = Hasher256()
    /// The first piece, read to tell the compression, handed out first.
    private var pending: Int?
    private var atEnd = false

    /// The object's pieces and a decoder of them; nil when it is not compressed or is not
    /// (yet) a file of its own (staged objects are in memory: `store.read` serves them).
    static func open(_ id: ObjectID, in store: ObjectStore, file: String) throws -> (StoredPieces, any ByteChunkSource)? {
        guard store.isPublished(id) else { return nil }
        let pieces = try StoredPieces(id, path: store.path(of: id))
        let head = UnsafeRawBufferPointer(start: pieces.buffer, count: pieces.pending ?? 0)
        switch InputDecompression.kind(head) {
        case nil: return nil
        case .gzip: return (pieces, try GzipChunkSource(pieces, file: file))
        case .zstd: return (pieces, try ZstdChunkSource(pieces, file: file))
        }
    }

    private init(_ id: ObjectID, path: String) throws {
        self.id = id
        self.path = path
        fd = try FileIO.open(path, O_RDONLY)
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        buffer = .allocate(byteCount: InputDecompression.chunk, alignment: 4096)
        do {
            pending = try FileIO.readFull(fd, buffer, InputDecompression.chunk, path: path)
        } catch {
            buffer.deallocate()
            close(fd)
            throw error
        }
    }

    deinit {
        buffer.deallocate()
        close(fd)
    }

    func next() throws -> UnsafeRawBufferPointer? {
        if atEnd { return nil }
        let n: Int
        if let first = pending {
            n = first
            pending = nil
        } else {
            n = try FileIO.readFull(fd, buffer, InputDecompression.chunk, path: path)
        }
        if n == 0 { atEnd = true; return nil }
        let piece = UnsafeRawBufferPointer(start: buffer, count: n)
        hasher.update(piece)
        return piece
    }

    /// `body`'s result; when it fails, the corrupt-object error instead if the object is
    /// damaged (a flipped byte shows first as bad gzip or a bad row, but the store is at fault).
    func checked<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            try check()
            throw error
        }
    }

    /// Reads what the decoder left (nothing, for a whole stream) and checks the hash.
    /// - Throws: `.badData` naming the object when it is corrupt, as `store.read` does.
    func check() throws {
        while try next() != nil {}
        let actual = hasher.finalize()
        guard actual == id else {
            throw SDSError(.badData, "object \(id.hex) is corrupt: its content hashes to \(actual.hex)",
                           hint: "run 'sds fsck' to list every damaged object; re-add or rebuild the data to restore it")
        }
    }
}
