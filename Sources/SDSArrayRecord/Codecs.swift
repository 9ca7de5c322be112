import CBrotli
import CZstd

/// One-shot compression of a chunk's sizes or values buffer, as Riegeli frames them: a
/// complete zstd frame or brotli stream, deterministic for a given library version.
enum Codecs {
    /// A zstd context kept for a writer's life: making one per chunk costs more than
    /// compressing. Its parameters (level, window) are set once; each `ZSTD_compress2`
    /// starts a new frame with them.
    final class ZstdContext {
        let cctx: OpaquePointer
        init() throws {
            guard let c = ZSTD_createCCtx() else { throw ArrayRecordError(.io, "zstd: out of memory") }
            cctx = c
        }
        convenience init(_ options: ArrayRecordOptions) throws {
            try self.init()
            guard case .zstd(let level) = options.compression else { return }
            ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, Int32(level))
            ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, Int32(options.effectiveWindowLog!))
        }
        deinit { ZSTD_freeCCtx(cctx) }
    }

    /// The most bytes compressing `count` bytes can give.
    static func compressBound(_ count: Int, _ compression: ArrayRecordOptions.Compression) -> Int {
        switch compression {
        case .uncompressed: return count
        case .zstd: return ZSTD_compressBound(count)
        case .brotli:
            let n = BrotliEncoderMaxCompressedSize(count)
            return n == 0 ? count + 1024 : n
        }
    }

    /// Compresses `input` into `output` (at least `compressBound` bytes) with `compression`
    /// (a zstd one through `zstd`, made from `options`); returns the size written. The
    /// same bytes as `compress(_:_:zstd:)`, without allocating.
    static func compress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawPointer, capacity: Int,
                         _ compression: ArrayRecordOptions.Compression, options: ArrayRecordOptions,
                         zstd: ZstdContext?) throws -> Int {
        switch compression {
        case .uncompressed:
            if let base = input.baseAddress, input.count > 0 { output.copyMemory(from: base, byteCount: input.count) }
            return input.count
        case .zstd:
            guard let zstd else { throw ArrayRecordError(.invalidArgument, "zstd: no context") }
            let n = ZSTD_compress2(zstd.cctx, output, capacity, input.baseAddress, input.count)
            guard ZSTD_isError(n) == 0 else {
                throw ArrayRecordError(.invalidArgument, "zstd: " + String(cString: ZSTD_getErrorName(n)))
            }
            return n
        case .brotli(let level):
            var size = capacity
            let ok = BrotliEncoderCompress(Int32(level), Int32(options.effectiveWindowLog!), BROTLI_MODE_GENERIC, input.count,
                                           input.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1),
                                           &size, output.assumingMemoryBound(to: UInt8.self))
            guard ok == BROTLI_TRUE else { throw ArrayRecordError(.invalidArgument, "brotli: compression failed") }
            return size
        }
    }

    /// Decompresses `input` of `type` (a simple chunk's compression byte) into exactly `size` bytes.
    /// - Returns: nil when the data is not a valid stream of that size.
    static func decompress(_ input: UnsafeRawBufferPointer, type: UInt8, size: Int) throws -> [UInt8]? {
        switch type {
        case 0:
            return Array(input)
        case 0x7a:
            var out = [UInt8](repeating: 0, count: size)
            let n = out.withUnsafeMutableBytes { ZSTD_decompress($0.baseAddress, size, input.baseAddress, input.count) }
            return ZSTD_isError(n) == 0 && n == size ? out : nil
        case 0x62:
            var out = [UInt8](repeating: 0, count: size)
            var produced = size
            let result = out.withUnsafeMutableBytes {
                BrotliDecoderDecompress(input.count, input.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1),
                                        &produced, $0.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafeMutablePointer(bitPattern: 1))
            }
            return result == BROTLI_DECODER_RESULT_SUCCESS && produced == size ? out : nil
        case 0x73:
            throw ArrayRecordError(.unsupported, "Snappy-compressed chunks are not supported")
        default:
            return nil
        }
    }
}
