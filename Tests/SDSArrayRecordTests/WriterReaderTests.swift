import Testing
@testable import SDSArrayRecord

struct WriterReaderTests {
    static func records(_ n: Int, size: (Int) -> Int) -> [[UInt8]] {
        (0..<n).map { i in (0..<size(i)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) } }
    }

    static func write(_ records: [[UInt8]], _ options: ArrayRecordOptions) throws -> [UInt8] {
        let w = try ArrayRecordWriter(options: options)
        for r in records { try w.append(r) }
        return try w.finish()
    }

    static let all: [ArrayRecordOptions] = [
        ArrayRecordOptions(compression: .uncompressed),
        ArrayRecordOptions(),
        ArrayRecordOptions(groupSize: 7, compression: .zstd(level: 1)),
        ArrayRecordOptions(groupSize: 3, compression: .brotli(level: 5)),
    ]

    /// Records spanning several 64 KiB blocks round-trip, by index and in a full walk.
    @Test(arguments: all) func roundTrip(options: ArrayRecordOptions) throws {
        let records = Self.records(50) { ($0 * 7919) % 30_000 }
        let file = try Self.write(records, options)
        #expect(file.count % 65536 == 0)
        let reader = try ArrayRecordReader(bytes: file)
        #expect(reader.count == 50)
        #expect(reader.writerOptions == options.writerOptions)
        for i in [0, 1, 17, 49] { #expect(try reader.record(i) == records[i]) }
        var seen: [[UInt8]] = []
        #expect(try reader.verify { _, _, r in seen.append(r) } == 50)
        #expect(seen == records)
        // Same records, same options: same bytes.
        #expect(try Self.write(records, options) == file)
    }

    @Test func emptyFileHasOnlyFooterAndPostscript() throws {
        let file = try Self.write([], ArrayRecordOptions())
        #expect(file.count == 131072)
        let reader = try ArrayRecordReader(bytes: file)
        #expect(reader.count == 0)
        #expect(try reader.verify() == 0)
    }

    @Test func outOfRangeIsAnArgumentError() throws {
        let reader = try ArrayRecordReader(bytes: try Self.write([[1, 2, 3]], ArrayRecordOptions()))
        #expect(throws: ArrayRecordError.self) { try reader.record(1) }
    }

    @Test func writerOptionsSpelling() {
        #expect(ArrayRecordOptions().writerOptions
                == "group_size:1,transpose:false,pad_to_block_boundary:false,zstd:3,window_log:20,max_parallelism:1")
        #expect(ArrayRecordOptions(groupSize: 64, compression: .uncompressed).writerOptions
                == "group_size:64,transpose:false,pad_to_block_boundary:false,uncompressed,max_parallelism:1")
        #expect(ArrayRecordOptions(compression: .brotli(level: 6)).writerOptions
                == "group_size:1,transpose:false,pad_to_block_boundary:false,brotli:6,max_parallelism:1")
    }

    /// A flipped byte in a block header, a data chunk or the footer is found, at its offset.
    @Test func damageIsNamedWithItsOffset() throws {
        let records = Self.records(40) { _ in 5000 }
        let file = try Self.write(records, ArrayRecordOptions(compression: .uncompressed))
        let reader = try ArrayRecordReader(bytes: file)
        let second = reader.chunks[1].offset
        func damaged(at byte: Int) -> ArrayRecordError? {
            var copy = file
            copy[byte] ^= 0x40
            do {
                let r = try ArrayRecordReader(bytes: copy)
                try r.verify()
                for i in 0..<r.count { _ = try r.record(i) }
                return nil
            } catch let e as ArrayRecordError {
                return e
            } catch { return nil }
        }
        let block = damaged(at: 65536 + 3)
        #expect(block?.code == .blockHeader && block?.offset == 65536)
        let data = damaged(at: Int(second) + 100)
        #expect(data?.code == .chunkData && data?.offset == second)
        let header = damaged(at: Int(second) + 12)
        #expect(header?.code == .chunkHeader && header?.offset == second)
        let footer = damaged(at: Int(reader.footerOffset) + 60)
        #expect(footer?.code == .chunkData && footer?.offset == reader.footerOffset)
        let postscript = damaged(at: file.count - 65536 + 70)
        #expect(postscript?.code == .chunkData && postscript?.offset == UInt64(file.count - 65536))
        #expect(damaged(at: 5)?.code == .signature)
    }
}

extension ArrayRecordOptions: CustomTestStringConvertible {
    public var testDescription: String { writerOptions }
}
