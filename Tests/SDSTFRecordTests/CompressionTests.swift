import Foundation
import Testing
@testable import SDSTFRecord

@Suite("GZIP and ZLIB files")
struct CompressionTests {
    func records(_ count: Int) -> [[UInt8]] {
        var rng = SplitMix64(seed: 99)
        return (0..<count).map { i in
            // Repetitive enough to compress, varied enough to be a real test.
            (0..<(i * 37 % 2000)).map { j in UInt8(truncatingIfNeeded: j / 7) ^ (i % 3 == 0 ? UInt8.random(in: 0...255, using: &rng) : 0) }
        }
    }

    func write(_ records: [[UInt8]], _ path: String, _ compression: TFRecordCompression) throws {
        let writer = try TFRecordWriter(path: path, compression: compression, bufferSize: 8192)
        for record in records { try writer.write(record) }
        try writer.close()
    }

    @Test("round trip, fixed header, deterministic", arguments: [TFRecordCompression.gzip, .zlib])
    func roundTrip(_ compression: TFRecordCompression) throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let input = records(300)
        try write(input, dir.file("a"), compression)
        try write(input, dir.file("b"), compression)
        let bytes = try readFile(dir.file("a"))
        #expect(bytes == (try readFile(dir.file("b"))))
        switch compression {
        case .gzip: #expect(Array(bytes.prefix(10)) == hexBytes("1f8b 08 00 00000000 00 03"))
        default: #expect(Array(bytes.prefix(2)) == hexBytes("789c"))
        }
        #expect(try TFRecordReader.readAll(path: dir.file("a"), compression: compression) == input)
        var framed: [UInt8] = []
        for record in input { framed += TFRecordFraming.frame(record) }
        #expect(bytes.count < framed.count / 2)
        if compression == .gzip {
            // An independent decoder: gzip(1) must give the framed stream back.
            #expect(try gunzip(dir.file("a")) == framed)
        }
    }

    @Test("an empty compressed file and an empty record", arguments: [TFRecordCompression.gzip, .zlib])
    func emptyCases(_ compression: TFRecordCompression) throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        try write([], dir.file("none"), compression)
        #expect(try TFRecordReader.readAll(path: dir.file("none"), compression: compression).isEmpty)
        try write([[]], dir.file("one"), compression)
        #expect(try TFRecordReader.readAll(path: dir.file("one"), compression: compression) == [[]])
    }

    @Test("multi-member gzip reads as one stream, as in TF")
    func multiMember() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let first = records(5), second = records(9)
        try write(first, dir.file("a"), .gzip)
        try write(second, dir.file("b"), .gzip)
        try writeFile(dir.file("ab"), try readFile(dir.file("a")) + readFile(dir.file("b")))
        #expect(try TFRecordReader.readAll(path: dir.file("ab"), compression: .gzip) == first + second)
    }

    @Test("wrong or damaged compression is reported, not misread")
    func damaged() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let input = records(50)
        try write(input, dir.file("g"), .gzip)
        try write(input, dir.file("plain"), .none)
        // gzip read as zlib, plain read as gzip: compression errors.
        for (file, kind) in [("g", TFRecordCompression.zlib), ("plain", .gzip)] {
            #expect { _ = try TFRecordReader.readAll(path: dir.file(file), compression: kind) } throws: {
                ($0 as? TFRecordError)?.code == .compression
            }
        }
        // gzip read uncompressed: the bytes do not frame.
        #expect { _ = try TFRecordReader.readAll(path: dir.file("g")) } throws: {
            ($0 as? TFRecordError)?.isDataError == true
        }
        // A cut gzip file is truncated.
        let bytes = try readFile(dir.file("g"))
        try writeFile(dir.file("cut"), Array(bytes[..<(bytes.count / 2)]))
        #expect { _ = try TFRecordReader.readAll(path: dir.file("cut"), compression: .gzip) } throws: {
            ($0 as? TFRecordError)?.code == .truncated
        }
    }

    func gunzip(_ path: String) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return [UInt8](output)
    }
}
