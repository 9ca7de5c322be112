import Glibc

/// Reads an ArrayRecord file: its footer index gives random access to any record, and
/// `verify` walks every chunk checking every hash.
///
/// Every read is checked: block headers met on the way (hash and both distances), chunk
/// header hash, chunk data hash, and the decoded sizes against the header and the index.
/// Damage is reported with the file offset of the block header or chunk that failed.
public final class ArrayRecordReader {
    /// One data chunk of the index.
    public struct ChunkEntry: Sendable, Equatable {
        public var offset: UInt64
        public var decodedDataSize: UInt64
        public var records: UInt64
    }

    public let path: String?
    public let size: UInt64
    /// The footer's `writer_options`.
    public private(set) var writerOptions = ""
    public private(set) var chunks: [ChunkEntry] = []
    /// Where the footer chunk begins.
    public private(set) var footerOffset: UInt64 = 0
    /// Records in the file, by the footer.
    public private(set) var count = 0
    private var firstRecord: [Int] = []
    private let readAt: (UInt64, Int) throws -> [UInt8]
    private var fd: Int32 = -1

    /// Opens `path` and reads its postscript and footer.
    public convenience init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ArrayRecordError(.io, "cannot open: \(String(cString: strerror(errno)))", file: path) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            close(fd)
            throw ArrayRecordError(.io, "cannot stat: \(String(cString: strerror(errno)))", file: path)
        }
        do {
            try self.init(path: path, size: UInt64(st.st_size)) { offset, count in
                var out = [UInt8](repeating: 0, count: count)
                var done = 0
                while done < count {
                    let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
                    if n < 0, errno == EINTR { continue }
                    guard n >= 0 else { throw ArrayRecordError(.io, "read failed: \(String(cString: strerror(errno)))", file: path) }
                    guard n > 0 else { throw ArrayRecordError(.truncated, "the file ends early", file: path, offset: offset + UInt64(done)) }
                    done += n
                }
                return out
            }
        } catch {
            close(fd)
            throw error
        }
        self.fd = fd
    }

    /// Reads a file held in memory.
    public convenience init(bytes: [UInt8], path: String? = nil) throws {
        try self.init(path: path, size: UInt64(bytes.count)) { offset, count in
            guard offset <= UInt64(bytes.count), UInt64(count) <= UInt64(bytes.count) - offset else {
                throw ArrayRecordError(.truncated, "the file ends early", file: path, offset: UInt64(bytes.count))
            }
            return Array(bytes[Int(offset)..<(Int(offset) + count)])
        }
    }

    private init(path: String?, size: UInt64, readAt: @escaping (UInt64, Int) throws -> [UInt8]) throws {
        self.path = path
        self.size = size
        self.readAt = readAt
        try readIndex()
    }

    deinit { if fd >= 0 { close(fd) } }

    private func fail(_ code: ArrayRecordError.Code, _ message: String, at offset: UInt64?) -> ArrayRecordError {
        ArrayRecordError(code, message, file: path, offset: offset)
    }

    // MARK: Index

    private func readIndex() throws {
        let b = RiegeliLayout.blockSize
        guard size >= 2 * b, size % b == 0 else {
            throw fail(.footer, "\(size) bytes is not an ArrayRecord file (it ends on a 64 KiB boundary, at least 128 KiB)", at: nil)
        }
        let signature = try readAt(0, 64)
        guard signature == Self.signature else { throw fail(.signature, "not a Riegeli/records file: the first 64 bytes are not its signature", at: 0) }
        let postscriptOffset = size - b
        let postscript = try readChunk(at: postscriptOffset)
        guard postscript.header.chunkType == RiegeliChunkType.simple.rawValue, let records = postscript.records, !records.isEmpty else {
            throw fail(.footer, "the postscript is not a simple chunk of records", at: postscriptOffset)
        }
        let fields = records[0].withUnsafeBytes { ProtoWire.fields($0, 0..<$0.count) }
        guard let fields, fields.varints[2] == ArrayRecordWriter.magic, let footerAt = fields.varints[1], footerAt < postscriptOffset else {
            throw fail(.footer, "the postscript lacks ArrayRecord's magic or a footer offset", at: postscriptOffset)
        }
        footerOffset = footerAt
        let footer = try readChunk(at: footerAt)
        guard footer.header.chunkType == RiegeliChunkType.simple.rawValue, let entries = footer.records, !entries.isEmpty else {
            throw fail(.footer, "the footer is not a simple chunk of records", at: footerAt)
        }
        let metadata = entries[0].withUnsafeBytes { b -> (UInt64, UInt64, String)? in
            guard let outer = ProtoWire.fields(b, 0..<b.count), let inner = outer.bytes[1],
                  let m = ProtoWire.fields(b, inner) else { return nil }
            let options = m.bytes[4].map { String(decoding: b[$0], as: UTF8.self) } ?? ""
            return (m.varints[2] ?? 0, m.varints[3] ?? 0, options)
        }
        guard let (numChunks, numRecords, options) = metadata, numChunks == UInt64(entries.count - 1) else {
            throw fail(.footer, "the footer metadata does not describe \(entries.count - 1) chunks", at: footerAt)
        }
        writerOptions = options
        var total: UInt64 = 0
        var previous: UInt64 = 0
        for e in entries.dropFirst() {
            let f = e.withUnsafeBytes { ProtoWire.fields($0, 0..<$0.count) }
            guard let f, let offset = f.varints[1], let records = f.varints[3], offset >= previous, offset < footerAt, records < 1 << 40 else {
                throw fail(.footer, "a footer entry is malformed or out of order", at: footerAt)
            }
            previous = offset + 1
            firstRecord.append(Int(total))
            total += records
            chunks.append(ChunkEntry(offset: offset, decodedDataSize: f.varints[2] ?? 0, records: records))
        }
        guard total == numRecords else {
            throw fail(.footer, "the footer says \(numRecords) records, its chunks hold \(total)", at: footerAt)
        }
        count = Int(total)
    }

    // MARK: Records

    /// Record `index` (0-based): reads and checks only its chunk.
    public func record(_ index: Int) throws -> [UInt8] {
        let chunk = try chunkIndex(ofRecord: index)
        return try dataChunk(chunk)[index - firstRecord[chunk]]
    }

    /// Which data chunk holds record `index` (a binary search of the footer index).
    public func chunkIndex(ofRecord index: Int) throws -> Int {
        guard index >= 0, index < count else {
            throw ArrayRecordError(.invalidArgument, "record \(index) is out of range: the file holds \(count)", file: path)
        }
        var lo = 0, hi = chunks.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if firstRecord[mid] <= index { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// The records of data chunk `i`, checked against its index entry.
    public func dataChunk(_ i: Int) throws -> [[UInt8]] {
        let entry = chunks[i]
        let chunk = try readChunk(at: entry.offset)
        guard chunk.header.chunkType == RiegeliChunkType.simple.rawValue || chunk.header.chunkType == RiegeliChunkType.transposed.rawValue,
              chunk.header.numRecords == entry.records, chunk.header.decodedDataSize == entry.decodedDataSize else {
            throw fail(.footer, "the footer's entry for this chunk disagrees with its header", at: entry.offset)
        }
        guard let records = chunk.records else {
            throw fail(.unsupported, "transposed chunks are not supported (write with transpose:false)", at: entry.offset)
        }
        return records
    }

    /// Checks the whole file front to back: every block header, every chunk's hashes and
    /// encoding, and that the data chunks are exactly the footer's index.
    /// - Returns: the number of records.
    @discardableResult
    public func verify(_ visit: (_ index: Int, _ chunkOffset: UInt64, _ record: [UInt8]) throws -> Void = { _, _, _ in }) throws -> Int {
        var pos: UInt64 = 0
        var dataChunks: [UInt64] = []
        var record = 0
        while pos < footerOffset {
            let chunk = try readChunk(at: pos)
            switch RiegeliChunkType(rawValue: chunk.header.chunkType) {
            case .fileSignature where pos == 0, .padding, .fileMetadata:
                break
            case .simple, .transposed:
                guard chunk.header.numRecords > 0 else { break }
                dataChunks.append(pos)
                guard let records = chunk.records else {
                    throw fail(.unsupported, "transposed chunks are not supported (write with transpose:false)", at: pos)
                }
                for r in records {
                    try visit(record, pos, r)
                    record += 1
                }
            default:
                throw fail(.chunkHeader, "unknown chunk type 0x\(String(chunk.header.chunkType, radix: 16))", at: pos)
            }
            pos = chunk.end
        }
        guard pos == footerOffset else { throw fail(.footer, "the footer offset \(footerOffset) is not where a chunk starts", at: pos) }
        guard dataChunks == chunks.map(\.offset) else {
            throw fail(.footer, "the footer indexes \(chunks.count) chunks, the file holds \(dataChunks.count) at other offsets", at: footerOffset)
        }
        // The footer, its padding and the postscript with its padding, to the end.
        while pos < size { pos = try readChunk(at: pos).end }
        guard pos == size else { throw fail(.truncated, "the last chunk runs past the end of the file", at: pos) }
        return record
    }

    // MARK: Chunks

    struct Chunk {
        var header: RiegeliChunkHeader
        var end: UInt64
        /// Decoded records of a simple chunk (nil for other types).
        var records: [[UInt8]]?
    }

    /// Reads and checks the chunk starting at `begin`, with the block headers inside it.
    func readChunk(at begin: UInt64) throws -> Chunk {
        guard RiegeliLayout.isPossibleChunkBoundary(begin), begin < size else {
            throw fail(.footer, "no chunk can start at \(begin)", at: begin)
        }
        var blockHeaders: [(UInt64, [UInt8])] = []
        var headerBytes = try readLogical(begin, from: begin, count: 40, blockHeaders: &blockHeaders)
        let headerHash = headerBytes.withUnsafeBytes { $0.loadLE(0) }
        guard RiegeliHash.hash(headerBytes[8...]) == headerHash else {
            throw fail(.chunkHeader, "chunk header hash mismatch", at: begin)
        }
        let header = headerBytes.withUnsafeBytes { RiegeliChunkHeader(fields: $0) }
        guard header.dataSize <= size, header.numRecords <= size else {
            throw fail(.chunkHeader, "chunk header sizes exceed the file", at: begin)
        }
        let end = RiegeliLayout.chunkEnd(begin: begin, dataSize: header.dataSize, numRecords: header.numRecords)
        guard end <= size else { throw fail(.truncated, "the chunk runs past the end of the file (to byte \(end))", at: begin) }
        let dataStart = RiegeliLayout.addWithOverhead(begin, 40)
        let data = try readLogical(begin, from: dataStart, count: Int(header.dataSize), blockHeaders: &blockHeaders)
        // Block headers in the padding, too.
        var b = (dataStart + RiegeliLayout.blockSize - 1) / RiegeliLayout.blockSize * RiegeliLayout.blockSize
        while b < end {
            if !blockHeaders.contains(where: { $0.0 == b }) { blockHeaders.append((b, try readAt(b, 24))) }
            b += RiegeliLayout.blockSize
        }
        for (at, bytes) in blockHeaders {
            let (stored, previous, next) = bytes.withUnsafeBytes { ($0.loadLE(0), $0.loadLE(8), $0.loadLE(16)) }
            guard RiegeliHash.hash(bytes[8...]) == stored else { throw fail(.blockHeader, "block header hash mismatch", at: at) }
            guard previous == at - begin, next == end - at else {
                throw fail(.blockHeader, "block header points to a chunk at \(at &- previous), the chunk starts at \(begin)", at: at)
            }
        }
        headerBytes = []
        guard RiegeliHash.hash(data) == header.dataHash else { throw fail(.chunkData, "chunk data hash mismatch", at: begin) }
        var chunk = Chunk(header: header, end: end)
        if header.chunkType == RiegeliChunkType.simple.rawValue {
            chunk.records = try decodeSimple(data, header, at: begin)
        } else if header.chunkType == RiegeliChunkType.fileSignature.rawValue || header.chunkType == RiegeliChunkType.padding.rawValue {
            guard header.numRecords == 0, header.decodedDataSize == 0 else {
                throw fail(.malformedChunk, "a signature or padding chunk claims records", at: begin)
            }
        }
        return chunk
    }

    /// `count` chunk bytes from physical position `start`, skipping (and collecting) block headers.
    private func readLogical(_ begin: UInt64, from start: UInt64, count: Int, blockHeaders: inout [(UInt64, [UInt8])]) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var pos = start
        while out.count < count {
            if pos % RiegeliLayout.blockSize == 0 {
                blockHeaders.append((pos, try readAt(pos, 24)))
                pos += 24
            }
            let n = min(count - out.count, Int(RiegeliLayout.remainingInBlock(pos)))
            guard pos + UInt64(n) <= size else { throw fail(.truncated, "the chunk runs past the end of the file", at: begin) }
            out += try readAt(pos, n)
            pos += UInt64(n)
        }
        return out
    }

    private func decodeSimple(_ data: [UInt8], _ header: RiegeliChunkHeader, at begin: UInt64) throws -> [[UInt8]] {
        try data.withUnsafeBytes { d -> [[UInt8]] in
            func bad(_ why: String) -> ArrayRecordError { fail(.malformedChunk, why, at: begin) }
            guard d.count >= 1 else { throw bad("an empty simple chunk") }
            let type = d[0]
            var i = 1
            guard let sizesLength = ProtoWire.readVarint(d, &i, end: d.count), sizesLength <= UInt64(d.count - i) else {
                throw bad("bad length of the record sizes")
            }
            let sizesEnd = i + Int(sizesLength)
            func section(_ range: Range<Int>) throws -> [UInt8] {
                if type == 0 { return Array(d[range]) }
                var j = range.lowerBound
                guard let plain = ProtoWire.readVarint(d, &j, end: range.upperBound), plain <= 1 << 40 else {
                    throw bad("bad decompressed size")
                }
                guard let out = try Codecs.decompress(UnsafeRawBufferPointer(rebasing: d[j..<range.upperBound]), type: type, size: Int(plain)) else {
                    throw bad("the compressed data (type 0x\(String(type, radix: 16))) does not decompress")
                }
                return out
            }
            let sizes = try section(i..<sizesEnd)
            let values = try section(sizesEnd..<d.count)
            guard UInt64(values.count) == header.decodedDataSize else {
                throw bad("the values hold \(values.count) bytes, the header says \(header.decodedDataSize)")
            }
            var records: [[UInt8]] = []
            records.reserveCapacity(Int(header.numRecords))
            var at = 0
            try sizes.withUnsafeBytes { s in
                var k = 0
                while k < s.count {
                    guard let n = ProtoWire.readVarint(s, &k, end: s.count), n <= UInt64(values.count - at) else {
                        throw bad("the record sizes exceed the values")
                    }
                    records.append(Array(values[at..<(at + Int(n))]))
                    at += Int(n)
                }
            }
            guard records.count == header.numRecords, at == values.count else {
                throw bad("the chunk decodes to \(records.count) records of \(at) bytes, the header says \(header.numRecords) of \(header.decodedDataSize)")
            }
            return records
        }
    }

    /// The fixed first 64 bytes of every Riegeli/records file.
    public static let signature: [UInt8] = {
        var file = [UInt8]()
        var header = RiegeliBlockHeader(previousChunk: 0, nextChunk: 64).bytes
        file += header
        header = RiegeliChunkHeader(data: [UInt8](), type: .fileSignature, numRecords: 0, decodedDataSize: 0).bytes
        return file + header
    }()

    /// Whether the file at `path` starts with the Riegeli signature.
    public static func looksLikeArrayRecord(path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var first = [UInt8](repeating: 0, count: 64)
        let n = first.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, 64, 0) }
        return n == 64 && first == signature
    }
}
