import CZlib

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file compression of a TFRecord file, as TensorFlow's `compression_type`.
///
/// The framed record stream is one compressed stream (not one per record).
/// TensorFlow never detects compression: readers must be told.
public enum TFRecordCompression: String, Sendable, CaseIterable, CustomStringConvertible {
    case none
    /// RFC 1952 with TensorFlow's fixed header `1f8b 08 00 00000000 00 03`.
    case gzip
    /// RFC 1950 (`78 9c ...`).
    case zlib

    public var description: String { rawValue }

    /// The compression a file's first bytes suggest, or nil if they look like plain
    /// TFRecord framing. Only a hint for messages: TF itself never guesses.
    public static func guess(path: String) -> TFRecordCompression? {
        guard let source = try? FileSource(path: path) else { return nil }
        var head: [UInt8] = [0, 0, 0]
        let count = (try? head.withUnsafeMutableBytes { try source.read(into: $0.baseAddress!, count: 3) }) ?? 0
        guard count >= 2 else { return nil }
        if head[0] == 0x1F && head[1] == 0x8B { return .gzip }
        // RFC 1950: CM 8, and the 16-bit header is a multiple of 31.
        if head[0] & 0x0F == 8 && (UInt16(head[0]) << 8 | UInt16(head[1])) % 31 == 0 { return .zlib }
        return nil
    }
}

/// Settings matching TensorFlow's `ZlibCompressionOptions` defaults, so the
/// compressed bytes equal TF's for the same input with the same zlib.
private let deflateLevel: Int32 = Z_DEFAULT_COMPRESSION
private let deflateMemLevel: Int32 = 9
private let chunkSize = 256 << 10

/// The 10-byte gzip header TF writes: no name, mtime 0, XFL 0, OS 3 (Unix).
///
/// Written by hand (raw deflate underneath) because zlib's own header takes the
/// OS byte from the build platform, which would make macOS output differ.
package let gzipHeader: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]

private func zlibMessage(_ stream: UnsafeMutablePointer<z_stream>, _ status: Int32) -> String {
    if let msg = stream.pointee.msg { return String(cString: msg) }
    return "zlib status \(status)"
}

/// Streaming deflate into an `OutputFile`.
final class Deflater {
    private let kind: TFRecordCompression
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutableRawPointer
    private let sink: OutputFile
    private var crc: UInt = 0
    private var size: UInt32 = 0  // ISIZE is the length mod 2^32

    init(kind: TFRecordCompression, sink: OutputFile) throws {
        precondition(kind != .none)
        self.kind = kind
        self.sink = sink
        // z_stream must not move: zlib keeps a back pointer to it.
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        output = .allocate(byteCount: chunkSize, alignment: 16)
        let windowBits: Int32 = kind == .gzip ? -MAX_WBITS : MAX_WBITS
        let status = deflateInit2_(stream, deflateLevel, Z_DEFLATED, windowBits, deflateMemLevel,
                                   Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            output.deallocate()
            throw TFRecordError(.compression, "deflateInit failed: status \(status)", file: sink.path)
        }
        crc = CZlib.crc32(0, nil, 0)
        if kind == .gzip { try sink.write(gzipHeader) }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
        output.deallocate()
    }

    /// Compresses `count` bytes and writes whatever output is ready.
    func compress(_ pointer: UnsafeRawPointer, _ count: Int) throws {
        var p = pointer
        var remaining = count
        while remaining > 0 {
            // avail_in is 32-bit.
            let step = min(remaining, 1 << 30)
            if kind == .gzip {
                crc = CZlib.crc32(crc, p.assumingMemoryBound(to: Bytef.self), uInt(step))
                size &+= UInt32(truncatingIfNeeded: step)
            }
            stream.pointee.next_in = UnsafeMutablePointer(mutating: p.assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = uInt(step)
            try run(Z_NO_FLUSH)
            p += step
            remaining -= step
        }
    }

    /// Ends the stream and writes the gzip trailer; the caller then commits the file.
    func finish() throws {
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        try run(Z_FINISH)
        if kind == .gzip {
            var trailer = [UInt8](repeating: 0, count: 8)
            let c = UInt32(truncatingIfNeeded: crc)
            for i in 0..<4 {
                trailer[i] = UInt8(truncatingIfNeeded: c >> (8 * i))
                trailer[4 + i] = UInt8(truncatingIfNeeded: size >> (8 * i))
            }
            try sink.write(trailer)
        }
    }

    private func run(_ flush: Int32) throws {
        while true {
            stream.pointee.next_out = output.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(chunkSize)
            let status = deflate(stream, flush)
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw TFRecordError(.compression, "deflate failed: \(zlibMessage(stream, status))", file: sink.path)
            }
            let produced = chunkSize - Int(stream.pointee.avail_out)
            if produced > 0 { try sink.write(output, produced) }
            if flush == Z_FINISH {
                if status == Z_STREAM_END { return }
            } else if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 {
                return
            }
        }
    }
}

/// Where a reader gets bytes from.
protocol ByteSource: AnyObject {
    /// Reads up to `count` bytes; 0 means end of input.
    func read(into pointer: UnsafeMutableRawPointer, count: Int) throws -> Int
    /// Total size when known in advance (an uncompressed regular file or memory).
    var knownSize: UInt64? { get }
}

final class FileSource: ByteSource {
    let path: String
    private var fd: Int32
    let knownSize: UInt64?

    init(path: String) throws {
        self.path = path
        fd = try POSIX.open(path, O_RDONLY | O_CLOEXEC)
        do {
            knownSize = try POSIX.fileSize(fd, path: path)
        } catch {
            POSIX.close(fd)
            throw error
        }
    }

    func read(into pointer: UnsafeMutableRawPointer, count: Int) throws -> Int {
        try POSIX.read(fd, pointer, count, path: path)
    }

    deinit { POSIX.close(fd) }
}

final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0
    var knownSize: UInt64? { UInt64(bytes.count) }

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(into pointer: UnsafeMutableRawPointer, count: Int) throws -> Int {
        let n = min(count, bytes.count - position)
        if n > 0 {
            bytes.withUnsafeBytes { pointer.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
            position += n
        }
        return n
    }
}

/// Decompresses another source. Accepts multi-member gzip, as TensorFlow does.
final class InflateSource: ByteSource {
    private let kind: TFRecordCompression
    private let inner: ByteSource
    private let name: String
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawPointer
    private var inputEOF = false
    private var streamEnded = false
    private var consumed: UInt64 = 0  // compressed bytes fed to zlib, for error offsets
    var knownSize: UInt64? { nil }

    init(kind: TFRecordCompression, inner: ByteSource, name: String) throws {
        precondition(kind != .none)
        self.kind = kind
        self.inner = inner
        self.name = name
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = .allocate(byteCount: chunkSize, alignment: 16)
        // 16 + 15: gzip only; 15: zlib only (TF rejects raw deflate in ZLIB mode).
        let windowBits: Int32 = kind == .gzip ? MAX_WBITS + 16 : MAX_WBITS
        let status = inflateInit2_(stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            input.deallocate()
            throw TFRecordError(.compression, "inflateInit failed: status \(status)", file: name)
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        input.deallocate()
    }

    private func refill() throws {
        if stream.pointee.avail_in > 0 || inputEOF { return }
        let n = try inner.read(into: input, count: chunkSize)
        if n == 0 { inputEOF = true }
        stream.pointee.next_in = input.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = uInt(n)
    }

    func read(into pointer: UnsafeMutableRawPointer, count: Int) throws -> Int {
        stream.pointee.next_out = pointer.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(min(count, 1 << 30))
        let wanted = Int(stream.pointee.avail_out)
        while stream.pointee.avail_out == uInt(wanted) {
            try refill()
            if streamEnded {
                // Another gzip member may follow; anything else after the end is an error.
                if stream.pointee.avail_in == 0 && inputEOF { return 0 }
                if kind == .zlib {
                    throw TFRecordError(.compression, "data after the end of the zlib stream",
                                        file: name, offset: consumed)
                }
                inflateReset(stream)
                streamEnded = false
            }
            let before = stream.pointee.avail_in
            let status = inflate(stream, Z_NO_FLUSH)
            consumed += UInt64(before - stream.pointee.avail_in)
            switch status {
            case Z_STREAM_END:
                streamEnded = true
            case Z_OK:
                break
            case Z_BUF_ERROR where stream.pointee.avail_in == 0 && inputEOF && consumed == 0:
                return 0  // an empty file holds no records, compressed or not
            case Z_BUF_ERROR where stream.pointee.avail_in == 0 && inputEOF:
                throw TFRecordError(.truncated, "\(kind) stream ends early (after \(consumed) compressed bytes)",
                                    file: name, offset: consumed)
            case Z_BUF_ERROR:
                break
            default:
                throw TFRecordError(.compression, "not valid \(kind) data: \(zlibMessage(stream, status))",
                                    file: name, offset: consumed)
            }
            if stream.pointee.avail_in == 0 && inputEOF && !streamEnded && stream.pointee.avail_out == uInt(wanted) {
                throw TFRecordError(.truncated, "\(kind) stream ends early (after \(consumed) compressed bytes)",
                                    file: name, offset: consumed)
            }
        }
        return wanted - Int(stream.pointee.avail_out)
    }
}
