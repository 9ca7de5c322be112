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
    private let input: CompressedPieces
    private let file: String
    private var stream = z_stream()
    /// The input handed out so far is all consumed and there is no more.
    private var exhausted = false
    /// Whether the last member read is complete.
    private var ended = false
    private var done = false
    private var produced = 0

    convenience init(_ input: [UInt8], file: String) throws {
        try self.init(WholePieces(input), file: file)
    }

    init(_ input: CompressedPieces, file: String) throws {
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
        while n < buffer.count, !done {
            if stream.avail_in == 0, !exhausted {
                // zlib reads a piece in place: it stays valid until the next `next()`.
                if let piece = try input.next(), piece.count > 0 {
                    stream.next_in = UnsafeMutablePointer(mutating: piece.baseAddress!.assumingMemoryBound(to: UInt8.self))
                    stream.avail_in = uInt(piece.count)
                } else {
                    exhausted = true
                }
            }
            if ended {
                // Input follows a complete member: another member.
                if stream.avail_in == 0, exhausted { done = true; break }
                inflateReset(&stream)
                ended = false
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
            case Z_OK:
                break
            case Z_BUF_ERROR where stream.avail_in == 0 && exhausted:
                // No progress with room to write: the member wants input there is not.
                throw CompressedStreamError.truncated(file, "gzip", after: produced)
            case Z_BUF_ERROR where stream.avail_in == 0:
                break
            default:
                throw SDSError(.badData, "\(file): not valid gzip data (zlib status \(status))")
            }
        }
        return n
    }
}

/// The text of every zstd frame of some bytes, in order.
final class ZstdChunkSource: ByteChunkSource {
    private let input: CompressedPieces
    private let file: String
    private let context: OpaquePointer
    private var piece = UnsafeRawBufferPointer(start: nil, count: 0)
    private var position = 0
    private var exhausted = false
    /// The last frame read is complete and flushed.
    private var frameEnded = false
    private var done = false
    private var produced = 0

    convenience init(_ input: [UInt8], file: String) throws {
        try self.init(WholePieces(input), file: file)
    }

    init(_ input: CompressedPieces, file: String) throws {
        self.input = input
        self.file = file
        guard let context = ZSTD_createDStream() else { throw SDSError(.internal, "zstd could not start decompressing \(file)") }
        self.context = context
    }

    deinit { ZSTD_freeDStream(context) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        var n = 0
        while n < buffer.count, !done {
            if position == piece.count, !exhausted {
                if let next = try input.next(), next.count > 0 { piece = next; position = 0 } else { exhausted = true }
            }
            var inBuffer = ZSTD_inBuffer(src: piece.baseAddress, size: piece.count, pos: position)
            var outBuffer = ZSTD_outBuffer(dst: buffer.baseAddress! + n, size: buffer.count - n, pos: 0)
            let r = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
            if ZSTD_isError(r) != 0 {
                throw SDSError(.badData, "\(file): not valid zstd data (\(String(cString: ZSTD_getErrorName(r))))")
            }
            let progressed = outBuffer.pos > 0 || inBuffer.pos > position
            position = inBuffer.pos
            n += outBuffer.pos
            produced += outBuffer.pos
            // An empty call after a frame's end asks for the next frame's header: not an end.
            if progressed { frameEnded = r == 0 }
            if position == piece.count, exhausted {
                // 0: the last frame is complete and flushed.
                if frameEnded {
                    done = true
                } else if !progressed {
                    throw CompressedStreamError.truncated(file, "zstd", after: produced)
                }
            }
        }
        return n
    }
}

/// The compressed bytes a decoder reads, a piece at a time: a piece stays valid until the next call.
protocol CompressedPieces: AnyObject {
    /// The next piece; nil at the end.
    func next() throws -> UnsafeRawBufferPointer?
}

/// Bytes already in memory, in pieces of at most 1 GiB (zlib counts input in 32 bits).
final class WholePieces: CompressedPieces {
    /// A copy at a fixed address: zlib keeps pointing into a piece between calls.
    private let bytes: UnsafeMutableRawBufferPointer
    private var offset = 0

    init(_ input: [UInt8]) {
        bytes = .allocate(byteCount: input.count, alignment: 16)
        bytes.copyBytes(from: input)
    }

    deinit { bytes.deallocate() }

    func next() throws -> UnsafeRawBufferPointer? {
        guard offset < bytes.count else { return nil }
        let take = min(bytes.count - offset, 1 << 30)
        defer { offset += take }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)])
    }
}
