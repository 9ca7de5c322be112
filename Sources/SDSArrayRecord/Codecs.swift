import CBrotli
import CZstd

/// One-shot compression of a chunk's sizes or values buffer, as Riegeli frames them: a
/// complete zstd frame or brotli stream, deterministic for a given library version.
enum Codecs {
    /// A zstd context kept for a writer's life: making one per chunk costs more than compressing.
    final class ZstdContext {
        let cctx: OpaquePointer
        init() throws {
            guard let c = ZSTD_createCCtx() else { throw ArrayRecordError(.io, "zstd: out of memory") }
            cctx = c
        }
        deinit { ZSTD_freeCCtx(cctx) }
    }

    static func compress(_ input: UnsafeRawBufferPointer, _ options: ArrayRecordOptions, zstd: ZstdContext? = nil) throws -> [UInt8] {
        switch options.compression {
        case .uncompressed:
            return Array(input)
        case .zstd(let level):
            let context = try zstd ?? ZstdContext()
            let cctx = context.cctx
            // Parameters stay set across compressions of one context; a reset keeps them.
            ZSTD_CCtx_reset(cctx, ZSTD_reset_session_only)
            ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, Int32(level))
            ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, Int32(options.effectiveWindowLog!))
            var out = [UInt8](repeating: 0, count: ZSTD_compressBound(input.count))
            let n = out.withUnsafeMutableBytes {
                ZSTD_compress2(cctx, $0.baseAddress, $0.count, input.baseAddress, input.count)
            }
            guard ZSTD_isError(n) == 0 else {
                throw ArrayRecordError(.invalidArgument, "zstd: " + String(cString: ZSTD_getErrorName(n)))
            }
            out.removeSubrange(n...)
            return out
        case .brotli(let level):
            var size = BrotliEncoderMaxCompressedSize(input.count)
            if size == 0 { size = input.count + 1024 }
            var out = [UInt8](repeating: 0, count: size)
            let ok = out.withUnsafeMutableBytes {
                BrotliEncoderCompress(Int32(level), Int32(options.effectiveWindowLog!), BROTLI_MODE_GENERIC, input.count,
                                      input.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1),
                                      &size, $0.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
            guard ok == BROTLI_TRUE else { throw ArrayRecordError(.invalidArgument, "brotli: compression failed") }
            out.removeSubrange(size...)
            return out
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
