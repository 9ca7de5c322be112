import CBrotli
import CZstd
@testable import SDSArrayRecord

/// The ArrayRecord writer as first written (issue 19): plain, one copy after another, the
/// whole file in one array. Kept as the reference the fast writer must match byte for byte.
struct ReferenceWriter {
    let options: ArrayRecordOptions
    /// The file so far.
    private(set) var bytes: [UInt8] = []
    private var sizes: [UInt8] = []
    private var values: [UInt8] = []
    private var pending = 0
    private var footer: [(offset: UInt64, decoded: UInt64, records: UInt64)] = []
    /// Records written so far.
    private(set) var count = 0
    private let zstd: Codecs.ZstdContext?
    /// Reused buffer for an uncompressed chunk's data.
    private var chunkData: [UInt8] = []

    /// ArrayRecord's magic: the postscript's second field.
    static let magic: UInt64 = 0x7193_0e70_4fda_e05e

    /// - Parameter capacity: expected file size, to allocate once.
    init(options: ArrayRecordOptions = ArrayRecordOptions(), capacity: Int = 0) throws {
        try options.validate()
        self.options = options
        if case .zstd = options.compression { zstd = try Codecs.ZstdContext() } else { zstd = nil }
        bytes.reserveCapacity(capacity + (2 << 16))
        writeChunk(header: RiegeliChunkHeader(data: [UInt8](), type: .fileSignature, numRecords: 0, decodedDataSize: 0),
                   data: UnsafeRawBufferPointer(start: nil, count: 0))
    }

    /// Appends one record.
    mutating func append(_ record: UnsafeRawBufferPointer) throws {
        ProtoWire.appendVarint(UInt64(record.count), to: &sizes)
        values.append(contentsOf: record)
        pending += 1
        count += 1
        if pending >= options.groupSize { try flushGroup() }
    }

    mutating func append(_ record: [UInt8]) throws {
        try record.withUnsafeBytes { try append($0) }
    }

    /// Writes the last group, the footer and the postscript; returns the whole file.
    mutating func finish() throws -> [UInt8] {
        if pending > 0 { try flushGroup() }
        var metadata: [UInt8] = []
        ProtoWire.appendVarintField(1, 1, to: &metadata)  // version: kArrayRecordV1
        ProtoWire.appendVarintField(2, UInt64(footer.count), to: &metadata)
        ProtoWire.appendVarintField(3, UInt64(count), to: &metadata)
        ProtoWire.appendBytesField(4, Array(options.writerOptions.utf8), to: &metadata)
        var footerMetadata: [UInt8] = []
        ProtoWire.appendBytesField(1, metadata, to: &footerMetadata)
        var records = [footerMetadata]
        for entry in footer {
            var e: [UInt8] = []
            ProtoWire.appendVarintField(1, entry.offset, to: &e)
            ProtoWire.appendVarintField(2, entry.decoded, to: &e)
            ProtoWire.appendVarintField(3, entry.records, to: &e)
            records.append(e)
        }
        let footerOffset = UInt64(bytes.count)
        try writeSimpleChunk(records, options: options)
        padToBlockBoundary()
        var postscript: [UInt8] = []
        ProtoWire.appendVarintField(1, footerOffset, to: &postscript)
        ProtoWire.appendVarintField(2, Self.magic, to: &postscript)
        try writeSimpleChunk([postscript, postscript, postscript], options: ArrayRecordOptions(compression: .uncompressed))
        padToBlockBoundary()
        return bytes
    }

    private mutating func flushGroup() throws {
        let offset = UInt64(bytes.count)
        let decoded = UInt64(values.count)
        if options.compression == .uncompressed {
            // One copy into the chunk buffer, hashed and written from there.
            chunkData.removeAll(keepingCapacity: true)
            chunkData.append(0)
            ProtoWire.appendVarint(UInt64(sizes.count), to: &chunkData)
            chunkData += sizes
            chunkData += values
            let header = RiegeliChunkHeader(data: chunkData, type: .simple, numRecords: UInt64(pending), decodedDataSize: decoded)
            let data = chunkData
            writeChunk(header: header, data: data)
        } else {
            let data = try Self.simpleChunkData(sizes: sizes, values: values, options: options, zstd: zstd)
            writeChunk(header: RiegeliChunkHeader(data: data, type: .simple, numRecords: UInt64(pending), decodedDataSize: decoded),
                       data: data)
        }
        footer.append((offset, decoded, UInt64(pending)))
        sizes.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        pending = 0
    }

    private mutating func writeSimpleChunk(_ records: [[UInt8]], options: ArrayRecordOptions) throws {
        var sizes: [UInt8] = [], values: [UInt8] = []
        for r in records {
            ProtoWire.appendVarint(UInt64(r.count), to: &sizes)
            values += r
        }
        let data = try Self.simpleChunkData(sizes: sizes, values: values, options: options, zstd: options == self.options ? zstd : nil)
        writeChunk(header: RiegeliChunkHeader(data: data, type: .simple, numRecords: UInt64(records.count),
                                              decodedDataSize: UInt64(values.count)), data: data)
    }

    /// A simple chunk's data: compression byte, length-prefixed sizes, then values; each
    /// compressed buffer is preceded by its decompressed size.
    static func simpleChunkData(sizes: [UInt8], values: [UInt8], options: ArrayRecordOptions,
                                zstd: Codecs.ZstdContext? = nil) throws -> [UInt8] {
        var data: [UInt8] = [options.compression.typeByte]
        let compressedSizes = try sizes.withUnsafeBytes { try Codecs.referenceCompress($0, options, zstd: zstd) }
        let compressedValues = try values.withUnsafeBytes { try Codecs.referenceCompress($0, options, zstd: zstd) }
        data.reserveCapacity(compressedValues.count + compressedSizes.count + 24)
        if options.compression == .uncompressed {
            ProtoWire.appendVarint(UInt64(compressedSizes.count), to: &data)
            data += compressedSizes
            data += compressedValues
        } else {
            ProtoWire.appendVarint(UInt64(compressedSizes.count + ProtoWire.varintSize(UInt64(sizes.count))), to: &data)
            ProtoWire.appendVarint(UInt64(sizes.count), to: &data)
            data += compressedSizes
            ProtoWire.appendVarint(UInt64(values.count), to: &data)
            data += compressedValues
        }
        return data
    }

    /// Header, data and padding of a chunk starting at the current end, with a block
    /// header at each 64 KiB boundary on the way.
    private mutating func writeChunk(header: RiegeliChunkHeader, data: UnsafeRawBufferPointer) {
        let begin = UInt64(bytes.count)
        let end = RiegeliLayout.chunkEnd(begin: begin, dataSize: header.dataSize, numRecords: header.numRecords)
        header.bytes.withUnsafeBytes { writeSection($0, begin: begin, end: end) }
        writeSection(data, begin: begin, end: end)
        while UInt64(bytes.count) < end {
            let pos = UInt64(bytes.count)
            if pos % RiegeliLayout.blockSize == 0 {
                bytes += RiegeliBlockHeader(previousChunk: pos - begin, nextChunk: end - pos).bytes
            }
            let n = min(end - UInt64(bytes.count), RiegeliLayout.remainingInBlock(UInt64(bytes.count)))
            bytes.append(contentsOf: repeatElement(0, count: Int(n)))
        }
    }

    private mutating func writeChunk(header: RiegeliChunkHeader, data: [UInt8]) {
        data.withUnsafeBytes { writeChunk(header: header, data: $0) }
    }

    private mutating func writeSection(_ src: UnsafeRawBufferPointer, begin: UInt64, end: UInt64) {
        var i = 0
        while i < src.count {
            let pos = UInt64(bytes.count)
            if pos % RiegeliLayout.blockSize == 0 {
                bytes += RiegeliBlockHeader(previousChunk: pos - begin, nextChunk: end - pos).bytes
            }
            let n = min(src.count - i, Int(RiegeliLayout.remainingInBlock(UInt64(bytes.count))))
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: src[i..<(i + n)]))
            i += n
        }
    }

    /// A padding chunk (zeros) up to the next block boundary, as `PadToBlockBoundary` writes.
    private mutating func padToBlockBoundary() {
        let pos = UInt64(bytes.count)
        let after = RiegeliLayout.positionAfterPadding(pos, to: RiegeliLayout.blockSize)
        guard after != pos else { return }
        let zeros = [UInt8](repeating: 0, count: Int(RiegeliLayout.distanceWithoutOverhead(pos, after) - RiegeliLayout.chunkHeaderSize))
        writeChunk(header: RiegeliChunkHeader(data: zeros, type: .padding, numRecords: 0, decodedDataSize: 0), data: zeros)
    }
}

extension Codecs {
    /// One-shot compression into a new array, as the first writer did.
    static func referenceCompress(_ input: UnsafeRawBufferPointer, _ options: ArrayRecordOptions, zstd: ZstdContext? = nil) throws -> [UInt8] {
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
}
