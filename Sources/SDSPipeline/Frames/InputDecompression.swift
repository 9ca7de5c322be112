import SDSCore
import SDSSensors

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
