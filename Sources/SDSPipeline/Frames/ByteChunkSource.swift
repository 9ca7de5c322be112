import CZlib
import CZstd
import SDSCore

/// Bytes handed out a piece at a time into the caller's buffer, so a reader's memory is the
/// buffer's size whatever the stream's length.
protocol ByteChunkSource {
    /// Fills `buffer` as far as the stream goes: the count written, 0 only at the end.
    /// - Throws: `SDSError` `.badData` for a corrupt or truncated stream.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension ByteChunkSource {
    /// The rest of the stream, whole.
    mutating func readAll(chunk: Int = 1 << 20) throws -> [UInt8] {
        var out: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try read(into: buffer)
            if n == 0 { return out }
            out.append(contentsOf: buffer[0..<n])
        }
    }
}

/// The errors both decoders give, naming the file.
enum CompressedStreamError {
    static func truncated(_ file: String, _ format: String, after count: Int) -> SDSError {
        SDSError(.badData, "\(file): the \(format) stream ends early (after \(count) bytes of text)",
                 hint: "the file is cut short; copy or download it again")
    }
}

/// The text of every gzip member of some bytes, in order (as `gzip -d` reads `cat a.gz b.gz`).
/// A class: zlib keeps pointers into its `z_stream`, which must not move.
final class GzipChunkSource: ByteChunkSource {
    private let input: [UInt8]
    private let file: String
    private var stream = z_stream()
    /// Input handed to zlib so far (its `avail_in` is 32-bit, so at most 1 GiB at a time).
    private var offset = 0
    /// Whether the last member read is complete.
    private var ended = false
    private var done = false
    private var produced = 0

    init(_ input: [UInt8], file: String) throws {
        self.input = input
        self.file = file
        guard inflateInit2_(&stream, MAX_WBITS + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw SDSError(.internal, "zlib could not start inflating \(file)")
        }
    }

    deinit { inflateEnd(&stream) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let out = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), buffer.count > 0 else { return 0 }
        var n = 0
        try input.withUnsafeBufferPointer { all in
            while n < buffer.count, !done {
                if stream.avail_in == 0, offset < all.count {
                    let take = min(all.count - offset, 1 << 30)
                    stream.next_in = UnsafeMutablePointer(mutating: all.baseAddress! + offset)
                    stream.avail_in = uInt(take)
                    offset += take
                }
                stream.next_out = out + n
                stream.avail_out = uInt(buffer.count - n)
                let status = inflate(&stream, Z_NO_FLUSH)
                let made = buffer.count - n - Int(stream.avail_out)
                n += made
                produced += made
                switch status {
                case Z_STREAM_END:
                    ended = true
                    // Another member may follow.
                    if stream.avail_in == 0, offset == all.count { done = true } else { inflateReset(&stream) }
                case Z_OK:
                    ended = false
                case Z_BUF_ERROR where stream.avail_in == 0 && offset == all.count && !ended:
                    // No progress with room to write: the member wants input there is not.
                    throw CompressedStreamError.truncated(file, "gzip", after: produced)
                default:
                    throw SDSError(.badData, "\(file): not valid gzip data (zlib status \(status))")
                }
            }
        }
        return n
    }
}

/// The text of every zstd frame of some bytes, in order.
final class ZstdChunkSource: ByteChunkSource {
    private let input: [UInt8]
    private let file: String
    private let context: OpaquePointer
    private var position = 0
    private var done = false
    private var produced = 0

    init(_ input: [UInt8], file: String) throws {
        self.input = input
        self.file = file
        guard let context = ZSTD_createDStream() else { throw SDSError(.internal, "zstd could not start decompressing \(file)") }
        self.context = context
    }

    deinit { ZSTD_freeDStream(context) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        var n = 0
        try input.withUnsafeBytes { src in
            while n < buffer.count, !done {
                var inBuffer = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: position)
                var outBuffer = ZSTD_outBuffer(dst: buffer.baseAddress! + n, size: buffer.count - n, pos: 0)
                let r = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
                if ZSTD_isError(r) != 0 {
                    throw SDSError(.badData, "\(file): not valid zstd data (\(String(cString: ZSTD_getErrorName(r))))")
                }
                let progressed = outBuffer.pos > 0 || inBuffer.pos > position
                position = inBuffer.pos
                n += outBuffer.pos
                produced += outBuffer.pos
                if position == src.count {
                    // 0: the last frame is complete and flushed.
                    if r == 0 {
                        done = true
                    } else if !progressed {
                        throw CompressedStreamError.truncated(file, "zstd", after: produced)
                    }
                }
            }
        }
        return n
    }
}
