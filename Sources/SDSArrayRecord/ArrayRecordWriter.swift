import Glibc

/// Writes an ArrayRecord file, the layout the ArrayRecord C++ writer makes without a
/// thread pool:
///
/// 1. the Riegeli file signature chunk at offset 0;
/// 2. one simple chunk per `groupSize` records (the last may hold fewer), back to back;
/// 3. the footer chunk: a simple chunk, compressed like the data, whose records are a
///    `RiegeliFooterMetadata` then one `ArrayRecordFooter` (offset, decoded size, record
///    count) per data chunk; then a padding chunk up to the next 64 KiB boundary;
/// 4. the postscript chunk (uncompressed, three copies of `RiegeliPostscript`: footer
///    offset and magic), padded to the next boundary too, so a reader finds it at
///    `size - 65536`.
///
/// A block header is inserted at every multiple of 64 KiB, wherever it falls. The bytes
/// depend only on the records, the options and the compression library's version.
///
/// How it stays cheap: each chunk is laid out once, contiguously, in a staging buffer
/// (header space, then its data: copied straight from the caller's record when a chunk is
/// one uncompressed record, or from the compressor's output) and hashed in the same pass
/// (`sds_highwayhash64_copy`: each 32-byte packet is hashed while in L1), then spread in
/// place to open the 24-byte gaps of the block headers it crosses (a `memmove` of the tail
/// after each boundary, from the last one back). Staged bytes go to the sink (a file, or
/// the in-memory result) in pieces of `flushSize`; one zstd context serves every chunk of
/// a writer.
///
/// Not thread-safe: one writer per thread.
public final class ArrayRecordWriter {
    public let options: ArrayRecordOptions
    /// Records written so far.
    public private(set) var count = 0

    /// ArrayRecord's magic: the postscript's second field.
    public static let magic: UInt64 = 0x7193_0e70_4fda_e05e

    /// Staged bytes are handed on once there are this many. Large pieces mean few `write(2)`
    /// calls, whose fixed cost in the file system (ext4's block reservation, say) is what
    /// remains once the copies are gone: on the project's machines 1 MiB pieces wrote the
    /// medium set's shards with about 10% less CPU than 256 KiB ones, 64 KiB ones with 30% more.
    public static let flushSize = 1 << 20

    private let sink: ((UnsafeRawBufferPointer) throws -> Void)?
    /// The file so far, when no sink was given.
    private var result: [UInt8] = []
    /// File offset of `stage[0]`.
    private var flushed: UInt64 = 0
    private var stage: UnsafeMutableRawPointer
    private var stageCapacity: Int
    private var staged = 0
    /// Compressor output: the sizes part, then the values part.
    private var scratch: UnsafeMutableRawPointer
    private var scratchCapacity: Int
    /// A group of more than one record, until it is complete.
    private var sizes: [UInt8] = []
    private var values: [UInt8] = []
    private var pending = 0
    private var footer: [(offset: UInt64, decoded: UInt64, records: UInt64)] = []
    private let zstd: Codecs.ZstdContext?
    private var finished = false

    /// A writer that keeps the file in memory; `finish()` returns it.
    /// - Parameter capacity: expected file size, to allocate once.
    public convenience init(options: ArrayRecordOptions = ArrayRecordOptions(), capacity: Int = 0) throws {
        try self.init(options: options, sink: nil)
        result.reserveCapacity(capacity + (2 << 16))
    }

    /// A writer that hands the file to `sink` in order, in pieces of `flushSize` bytes or a
    /// little more (a file's `write`, say); `finish()` then returns an empty array.
    public convenience init(options: ArrayRecordOptions = ArrayRecordOptions(),
                            sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        try self.init(options: options, sink: Optional(sink))
    }

    private init(options: ArrayRecordOptions, sink: ((UnsafeRawBufferPointer) throws -> Void)?) throws {
        try options.validate()
        self.options = options
        self.sink = sink
        zstd = try options.compression.isZstd ? Codecs.ZstdContext(options) : nil
        stageCapacity = 2 * Self.flushSize
        stage = .allocate(byteCount: stageCapacity, alignment: 64)
        scratchCapacity = 64 << 10
        scratch = .allocate(byteCount: scratchCapacity, alignment: 64)
        try emitChunk(type: .fileSignature, numRecords: 0, decodedSize: 0, dataSize: 0) { _ in nil }
    }

    deinit {
        stage.deallocate()
        scratch.deallocate()
    }

    /// The file offset where the next chunk begins.
    var position: UInt64 { flushed + UInt64(staged) }

    /// Appends one record.
    public func append(_ record: UnsafeRawBufferPointer) throws {
        precondition(!finished, "append after finish")
        count += 1
        if options.groupSize == 1 {
            // A chunk of its own, straight from the caller's bytes.
            var size = (0 as UInt64, 0 as UInt64)  // room for a varint
            let n = withUnsafeMutableBytes(of: &size) { ProtoWire.storeVarint(UInt64(record.count), at: $0.baseAddress!) }
            try withUnsafeBytes(of: &size) { s in
                try writeGroup(sizes: UnsafeRawBufferPointer(rebasing: s[..<n]), values: record, records: 1,
                               compression: options.compression)
            }
            return
        }
        ProtoWire.appendVarint(UInt64(record.count), to: &sizes)
        values.append(contentsOf: record)
        pending += 1
        if pending >= options.groupSize { try flushGroup() }
    }

    public func append(_ record: [UInt8]) throws {
        try record.withUnsafeBytes { try append($0) }
    }

    /// Writes the last group, the footer and the postscript; returns the whole file (empty
    /// when the writer has a sink, which has then received all of it).
    public func finish() throws -> [UInt8] {
        precondition(!finished, "finish twice")
        finished = true
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
        let footerOffset = position
        try writeRecords(records, compression: options.compression)
        try padToBlockBoundary()
        var postscript: [UInt8] = []
        ProtoWire.appendVarintField(1, footerOffset, to: &postscript)
        ProtoWire.appendVarintField(2, Self.magic, to: &postscript)
        try writeRecords([postscript, postscript, postscript], compression: .uncompressed)
        try padToBlockBoundary()
        try flush()
        let file = result
        result = []
        return file
    }

    // MARK: Chunks

    private func flushGroup() throws {
        let records = pending
        pending = 0
        defer {
            sizes.removeAll(keepingCapacity: true)
            values.removeAll(keepingCapacity: true)
        }
        try sizes.withUnsafeBytes { s in
            try values.withUnsafeBytes { v in
                try writeGroup(sizes: s, values: v, records: records, compression: options.compression)
            }
        }
    }

    /// A simple chunk of a few records, not counted as data (footer, postscript).
    private func writeRecords(_ records: [[UInt8]], compression: ArrayRecordOptions.Compression) throws {
        var sizes: [UInt8] = [], values: [UInt8] = []
        for r in records {
            ProtoWire.appendVarint(UInt64(r.count), to: &sizes)
            values += r
        }
        try sizes.withUnsafeBytes { s in
            try values.withUnsafeBytes { v in
                try writeGroup(sizes: s, values: v, records: records.count, compression: compression, data: false)
            }
        }
    }

    /// A simple chunk: the compression byte, the length of the sizes part, the sizes part
    /// (varint record sizes), then the values part (the records); compressed, each part is
    /// its decompressed size (varint) then one zstd frame or brotli stream.
    private func writeGroup(sizes: UnsafeRawBufferPointer, values: UnsafeRawBufferPointer, records: Int,
                            compression: ArrayRecordOptions.Compression, data: Bool = true) throws {
        let offset = position
        if compression == .uncompressed {
            let dataSize = 1 + ProtoWire.varintSize(UInt64(sizes.count)) + sizes.count + values.count
            try emitChunk(type: .simple, numRecords: UInt64(records), decodedSize: UInt64(values.count), dataSize: dataSize) { p in
                p.storeBytes(of: 0, as: UInt8.self)
                var at = 1 + ProtoWire.storeVarint(UInt64(sizes.count), at: p + 1)
                Self.copy(sizes, to: p + at)
                at += sizes.count
                // The records: copied and hashed in one pass.
                return RiegeliHash.hashCopying(values, to: p, after: at)
            }
        } else {
            let bound = Codecs.compressBound(sizes.count, compression) + Codecs.compressBound(values.count, compression)
            if bound > scratchCapacity {
                scratch.deallocate()
                scratchCapacity = max(bound, 2 * scratchCapacity)
                scratch = .allocate(byteCount: scratchCapacity, alignment: 64)
            }
            let s = try Codecs.compress(sizes, into: scratch, capacity: scratchCapacity, compression, options: options, zstd: zstd)
            let v = try Codecs.compress(values, into: scratch + s, capacity: scratchCapacity - s, compression, options: options, zstd: zstd)
            let sizesPart = ProtoWire.varintSize(UInt64(sizes.count)) + s
            let dataSize = 1 + ProtoWire.varintSize(UInt64(sizesPart)) + sizesPart + ProtoWire.varintSize(UInt64(values.count)) + v
            let scratch = self.scratch
            try emitChunk(type: .simple, numRecords: UInt64(records), decodedSize: UInt64(values.count), dataSize: dataSize) { p in
                p.storeBytes(of: compression.typeByte, as: UInt8.self)
                var at = 1 + ProtoWire.storeVarint(UInt64(sizesPart), at: p + 1)
                at += ProtoWire.storeVarint(UInt64(sizes.count), at: p + at)
                (p + at).copyMemory(from: scratch, byteCount: s)
                at += s
                at += ProtoWire.storeVarint(UInt64(values.count), at: p + at)
                return RiegeliHash.hashCopying(UnsafeRawBufferPointer(start: scratch + s, count: v), to: p, after: at)
            }
        }
        if data { footer.append((offset, UInt64(values.count), UInt64(records))) }
    }

    @inline(__always)
    private static func copy(_ source: UnsafeRawBufferPointer, to destination: UnsafeMutableRawPointer) {
        if let base = source.baseAddress, source.count > 0 { destination.copyMemory(from: base, byteCount: source.count) }
    }

    /// A padding chunk (zeros) up to the next block boundary, as `PadToBlockBoundary` writes.
    private func padToBlockBoundary() throws {
        let pos = position
        let after = RiegeliLayout.positionAfterPadding(pos, to: RiegeliLayout.blockSize)
        guard after != pos else { return }
        let size = Int(RiegeliLayout.distanceWithoutOverhead(pos, after) - RiegeliLayout.chunkHeaderSize)
        try emitChunk(type: .padding, numRecords: 0, decodedSize: 0, dataSize: size) { p in
            p.initializeMemory(as: UInt8.self, repeating: 0, count: size)
            return nil
        }
    }

    /// Writes a chunk at the current position: `fill` writes its `dataSize` data bytes
    /// contiguously at the pointer it gets, and returns their hash if it computed it on the
    /// way; then come the header, the block headers the chunk crosses and the zero padding
    /// to its end.
    private func emitChunk(type: RiegeliChunkType, numRecords: UInt64, decodedSize: UInt64, dataSize: Int,
                           fill: (UnsafeMutableRawPointer) -> UInt64?) throws {
        let header = Int(RiegeliLayout.chunkHeaderSize)
        let begin = position
        let end = RiegeliLayout.chunkEnd(begin: begin, dataSize: UInt64(dataSize), numRecords: numRecords)
        let span = Int(end - begin)
        try reserve(span)
        let base = stage + staged
        let dataHash = fill(base + header) ?? RiegeliHash.hash(UnsafeRawBufferPointer(start: base + header, count: dataSize))
        Self.storeLE(UInt64(dataSize), at: base + 8)
        Self.storeLE(dataHash, at: base + 16)
        Self.storeLE(UInt64(type.rawValue) | numRecords << 8, at: base + 24)
        Self.storeLE(decodedSize, at: base + 32)
        Self.storeLE(RiegeliHash.hash(UnsafeRawBufferPointer(start: base + 8, count: header - 8)), at: base)
        spread(base, length: header + dataSize, begin: begin, end: end)
        staged += span
        if staged >= Self.flushSize { try flush() }
    }

    /// Moves the `length` bytes laid out at `base` (file offset `begin`) to where they
    /// belong once block headers take the first 24 bytes of every block, zeroes what is
    /// left up to `end`, and writes the block headers.
    private func spread(_ base: UnsafeMutableRawPointer, length: Int, begin: UInt64, end: UInt64) {
        let block = RiegeliLayout.blockSize, blockHeader = Int(RiegeliLayout.blockHeaderSize)
        // The first boundary at or after `begin`; every boundary before `end` gets a header.
        let first = (begin + block - 1) / block * block
        var boundaries = 0
        var b = first
        while b < end { boundaries += 1; b += block }
        if boundaries > 0 {
            // Segments of the logical bytes between boundaries, moved from the last one back
            // so nothing is overwritten before it moves; the k-th boundary shifts what
            // follows it by k headers.
            var k = boundaries
            var contentEnd = length  // logical end of what is still to place
            while k > 0 {
                let boundary = Int(first - begin) + (k - 1) * Int(block)  // physical offset
                // Logical offset of the boundary: physical minus the headers before it.
                let logical = boundary - (k - 1) * blockHeader
                if logical < contentEnd {
                    memmove(base + boundary + blockHeader, base + logical, contentEnd - logical)
                    contentEnd = logical
                }
                k -= 1
            }
        }
        // Where the content ends once spread, and zeros from there to the end.
        let physicalEnd = Self.physical(length, begin: begin)
        if physicalEnd < Int(end - begin) {
            (base + physicalEnd).initializeMemory(as: UInt8.self, repeating: 0, count: Int(end - begin) - physicalEnd)
        }
        b = first
        while b < end {
            let h = base + Int(b - begin)
            Self.storeLE(b - begin, at: h + 8)
            Self.storeLE(end - b, at: h + 16)
            Self.storeLE(RiegeliHash.hash(UnsafeRawBufferPointer(start: h + 8, count: 16)), at: h)
            b += block
        }
    }

    /// The physical offset (from `begin`) just after `logical` chunk bytes.
    private static func physical(_ logical: Int, begin: UInt64) -> Int {
        guard logical > 0 else { return 0 }
        // Where the logical byte `logical - 1` lands, plus one.
        let block = Int(RiegeliLayout.blockSize), blockHeader = Int(RiegeliLayout.blockHeaderSize)
        var pos = Int(begin), left = logical
        while true {
            if pos % block == 0 { pos += blockHeader }
            let n = min(left, block - pos % block)
            pos += n
            left -= n
            if left == 0 { return pos - Int(begin) }
        }
    }

    @inline(__always)
    private static func storeLE(_ value: UInt64, at p: UnsafeMutableRawPointer) {
        p.storeBytes(of: value.littleEndian, as: UInt64.self)
    }

    // MARK: Staging

    /// Makes room for `n` more staged bytes.
    private func reserve(_ n: Int) throws {
        guard staged + n > stageCapacity else { return }
        try flush()
        if n > stageCapacity {
            stage.deallocate()
            stageCapacity = n
            stage = .allocate(byteCount: stageCapacity, alignment: 64)
        }
    }

    private func flush() throws {
        guard staged > 0 else { return }
        let bytes = UnsafeRawBufferPointer(start: stage, count: staged)
        if let sink {
            try sink(bytes)
        } else {
            result.append(contentsOf: bytes.bindMemory(to: UInt8.self))
        }
        flushed += UInt64(staged)
        staged = 0
    }
}
