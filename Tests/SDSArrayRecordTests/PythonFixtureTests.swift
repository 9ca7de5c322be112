import Testing
import Glibc
import SDSArrayRecord

/// Files written by PyPI's array-record 0.8.6 (`ArrayRecordWriter(path, "group_size:2,<compression>")`,
/// records b"sds", b"", b"riegeli " * 40, bytes(range(256))): sds reads them, and writes the
/// uncompressed one byte for byte.
struct PythonFixtureTests {
    static let fixtures = String(#filePath.dropLast("PythonFixtureTests.swift".count)) + "Fixtures/"
    static let records: [[UInt8]] = [Array("sds".utf8), [], Array(String(repeating: "riegeli ", count: 40).utf8), (0..<256).map { UInt8($0) }]

    @Test(arguments: ["uncompressed", "zstd", "brotli"]) func readsPythonFile(compression: String) throws {
        let reader = try ArrayRecordReader(path: Self.fixtures + "python-\(compression).array_record")
        #expect(reader.count == 4)
        #expect(reader.chunks.count == 2)
        #expect(reader.writerOptions.hasPrefix("group_size:2,transpose:false,pad_to_block_boundary:false,\(compression)"))
        #expect(try (0..<4).map { try reader.record($0) } == Self.records)
        #expect(try reader.verify() == 4)
    }

    @Test func writesThePythonBytes() throws {
        let writer = try ArrayRecordWriter(options: ArrayRecordOptions(groupSize: 2, compression: .uncompressed))
        for r in Self.records { try writer.append(r) }
        let python = try ArrayRecordReader(path: Self.fixtures + "python-uncompressed.array_record")
        let mine = try writer.finish()
        #expect(mine.count == Int(python.size))
        #expect(try ArrayRecordReader(bytes: mine).chunks == python.chunks)
        #expect(mine == (try readAll(Self.fixtures + "python-uncompressed.array_record")))
    }
}

func readAll(_ path: String) throws -> [UInt8] {
    var out: [UInt8] = []
    guard let f = fopen(path, "rb") else { return [] }
    defer { fclose(f) }
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, f)
        if n == 0 { break }
        out += buffer[..<n]
    }
    return out
}
