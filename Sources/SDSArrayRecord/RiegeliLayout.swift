/// Positions in a Riegeli/records file: 64 KiB blocks, each opened by a 24-byte block
/// header, interrupting a stream of chunks (a 40-byte chunk header, then data and padding).
///
/// These are the formulas of the format's specification ("Implementation notes"); all
/// arithmetic is on file offsets.
public enum RiegeliLayout {
    public static let blockSize: UInt64 = 1 << 16
    public static let blockHeaderSize: UInt64 = 24
    public static let usableBlockSize: UInt64 = blockSize - blockHeaderSize
    public static let chunkHeaderSize: UInt64 = 40

    /// Bytes to the end of the block (0 at a block boundary).
    public static func remainingInBlock(_ pos: UInt64) -> UInt64 { (0 &- pos) % blockSize }

    /// Not inside nor immediately after a block header.
    public static func isPossibleChunkBoundary(_ pos: UInt64) -> Bool { remainingInBlock(pos) < usableBlockSize }

    public static func roundUpToPossibleChunkBoundary(_ pos: UInt64) -> UInt64 {
        let remaining = remainingInBlock(pos)
        return pos + (remaining > usableBlockSize - 1 ? remaining - (usableBlockSize - 1) : 0)
    }

    /// The position `length` chunk bytes after `chunkBegin`, block headers included.
    public static func addWithOverhead(_ chunkBegin: UInt64, _ length: UInt64) -> UInt64 {
        let blocks = (length + (chunkBegin + usableBlockSize - 1) % blockSize) / usableBlockSize
        return chunkBegin + length + blocks * blockHeaderSize
    }

    /// Chunk bytes between `chunkBegin` and `pos`, block headers excluded.
    public static func distanceWithoutOverhead(_ chunkBegin: UInt64, _ pos: UInt64) -> UInt64 {
        let blocks = pos / blockSize - chunkBegin / blockSize
        return (pos - min(pos % blockSize, blockHeaderSize)) - (chunkBegin - min(chunkBegin % blockSize, blockHeaderSize))
            - blocks * blockHeaderSize
    }

    /// Where a chunk of `dataSize` bytes holding `numRecords` records that begins at `chunkBegin` ends.
    public static func chunkEnd(begin chunkBegin: UInt64, dataSize: UInt64, numRecords: UInt64) -> UInt64 {
        max(addWithOverhead(chunkBegin, chunkHeaderSize + dataSize),
            roundUpToPossibleChunkBoundary(chunkBegin + numRecords))
    }

    /// Where padding to a multiple of `padding` ends, leaving room for a padding chunk's header.
    public static func positionAfterPadding(_ pos: UInt64, to padding: UInt64) -> UInt64 {
        let remainder = pos % padding
        if padding <= 1 || remainder == 0 { return pos }
        var length = padding - remainder
        while length < chunkHeaderSize { length += padding }
        var end = pos + length
        while !isPossibleChunkBoundary(end) { end += padding }
        return end
    }
}

/// The chunk types the format freezes.
public enum RiegeliChunkType: UInt8, Sendable {
    case fileSignature = 0x73  // 's'
    case fileMetadata = 0x6d   // 'm'
    case padding = 0x70        // 'p'
    case simple = 0x72         // 'r'
    case transposed = 0x74     // 't'
}

/// A 40-byte chunk header: header hash, data size, data hash, chunk type and record
/// count (one little-endian word), decoded data size.
public struct RiegeliChunkHeader: Sendable, Equatable {
    public var dataSize: UInt64
    public var dataHash: UInt64
    public var chunkType: UInt8
    public var numRecords: UInt64
    public var decodedDataSize: UInt64

    public init(data: some ContiguousBytes, type: RiegeliChunkType, numRecords: UInt64, decodedDataSize: UInt64) {
        dataSize = UInt64(data.withUnsafeBytes { $0.count })
        dataHash = RiegeliHash.hash(data)
        chunkType = type.rawValue
        self.numRecords = numRecords
        self.decodedDataSize = decodedDataSize
    }

    /// The fields of a stored header (its hash checked by the caller).
    init(fields b: UnsafeRawBufferPointer) {
        dataSize = b.loadLE(8)
        dataHash = b.loadLE(16)
        let typeAndCount: UInt64 = b.loadLE(24)
        chunkType = UInt8(truncatingIfNeeded: typeAndCount)
        numRecords = typeAndCount >> 8
        decodedDataSize = b.loadLE(32)
    }

    /// The 40 bytes, header hash first.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 40)
        out.storeLE(dataSize, at: 8)
        out.storeLE(dataHash, at: 16)
        out.storeLE(UInt64(chunkType) | numRecords << 8, at: 24)
        out.storeLE(decodedDataSize, at: 32)
        out.storeLE(RiegeliHash.hash(out[8...]), at: 0)
        return out
    }
}

/// A 24-byte block header: its hash, the distance back to the interrupted chunk's start
/// and the distance on to its end.
struct RiegeliBlockHeader {
    var previousChunk: UInt64
    var nextChunk: UInt64

    var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 24)
        out.storeLE(previousChunk, at: 8)
        out.storeLE(nextChunk, at: 16)
        out.storeLE(RiegeliHash.hash(out[8...]), at: 0)
        return out
    }
}

extension Array where Element == UInt8 {
    mutating func storeLE(_ value: UInt64, at offset: Int) {
        for i in 0..<8 { self[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
    }
}

extension UnsafeRawBufferPointer {
    func loadLE(_ offset: Int) -> UInt64 {
        UInt64(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}
