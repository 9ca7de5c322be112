import Testing
@testable import SDSTFRecord

@Suite("TFRecord framing")
struct FramingTests {
    static let helloFrame = hexBytes("0500000000000000 eab2043e 68656c6c6f bb1f1c19")
    static let emptyFrame = hexBytes("0000000000000000 29039807 d8ea82a2")

    @Test("framed 'hello' and empty record match TF byte for byte")
    func documentFrames() {
        #expect(TFRecordFraming.frame(Array("hello".utf8)) == Self.helloFrame)
        #expect(TFRecordFraming.frame([]) == Self.emptyFrame)
    }

    @Test("writer output equals the document frames; reader returns the records")
    func writeAndRead() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = dir.file("two.tfrecord")
        let writer = try TFRecordWriter(path: path)
        try writer.write(Array("hello".utf8))
        try writer.write([UInt8]())
        try writer.close()
        #expect(writer.recordCount == 2)
        #expect(writer.dataByteCount == 5)
        #expect(writer.framedByteCount == 37)
        #expect(try readFile(path) == Self.helloFrame + Self.emptyFrame)
        #expect(try TFRecordReader.readAll(path: path) == [Array("hello".utf8), []])
    }

    @Test("a 0-byte file holds no records")
    func emptyFile() throws {
        let reader = try TFRecordReader(bytes: [])
        #expect(try reader.next() == nil)
    }

    @Test("records larger than the write buffer, and many small ones across flushes")
    func bufferBoundaries() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = dir.file("big.tfrecord")
        var rng = SplitMix64(seed: 3)
        let records: [[UInt8]] = (0..<300).map { i in
            let size = i % 50 == 0 ? 10_000 + i : Int.random(in: 0..<700, using: &rng)
            return (0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) }
        }
        let writer = try TFRecordWriter(path: path, bufferSize: 4096)
        for record in records { try writer.write(record) }
        try writer.close()
        var expected: [UInt8] = []
        for record in records { expected += TFRecordFraming.frame(record) }
        #expect(try readFile(path) == expected)
        #expect(try TFRecordReader.readAll(path: path) == records)
    }

    @Test("an unclosed writer leaves no file behind; close publishes it atomically")
    func atomicWrite() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = dir.file("a.tfrecord")
        do {
            let writer = try TFRecordWriter(path: path)
            try writer.write(Array("x".utf8))
        }
        #expect(try listDirectory(dir.path).isEmpty)
        let writer = try TFRecordWriter(path: path)
        try writer.write(Array("x".utf8))
        #expect(try listDirectory(dir.path).filter { !$0.hasPrefix(".") }.isEmpty)
        try writer.close()
        #expect(try listDirectory(dir.path) == ["a.tfrecord"])
    }

    // MARK: - Corruption

    /// Two records: "hello" at 0 (21 bytes) and "world!" at 21.
    func twoRecordFile(_ dir: TempDirectory) throws -> (String, [UInt8]) {
        let bytes = TFRecordFraming.frame(Array("hello".utf8)) + TFRecordFraming.frame(Array("world!".utf8))
        let path = dir.file("c.tfrecord")
        try writeFile(path, bytes)
        return (path, bytes)
    }

    func firstError(_ path: String) throws -> (records: Int, error: TFRecordError?) {
        let reader = try TFRecordReader(path: path)
        var count = 0
        do {
            while try reader.next() != nil { count += 1 }
            return (count, nil)
        } catch let error as TFRecordError {
            return (count, error)
        }
    }

    @Test("a flipped data byte is a data CRC mismatch at the data's offset, as TF reports", arguments: [12, 16, 33, 38])
    func flippedDataByte(_ position: Int) throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        var (path, bytes) = try twoRecordFile(dir)
        bytes[position] ^= 0x01
        try writeFile(path, bytes)
        let (records, error) = try firstError(path)
        let dataStart: UInt64 = position < 21 ? 12 : 33
        #expect(records == (position < 21 ? 0 : 1))
        #expect(error?.code == .dataCRCMismatch)
        #expect(error?.offset == dataStart)
        #expect(error?.file == path)
        #expect(error?.description.hasPrefix("\(path): byte \(dataStart): error: data CRC mismatch in record \(records) (starting at byte \(dataStart - 12)") == true)
    }

    @Test("a flipped length byte is a length CRC mismatch at the record's offset", arguments: [0, 3, 21, 28])
    func flippedLengthByte(_ position: Int) throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        var (path, bytes) = try twoRecordFile(dir)
        bytes[position] ^= 0x40
        try writeFile(path, bytes)
        let (_, error) = try firstError(path)
        #expect(error?.code == .lengthCRCMismatch)
        #expect(error?.offset == (position < 21 ? 0 : 21))
        #expect(error?.description.contains("error: length CRC mismatch") == true)
    }

    @Test("a flipped data CRC byte is reported as a data CRC mismatch")
    func flippedStoredCRC() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        var (path, bytes) = try twoRecordFile(dir)
        bytes[bytes.count - 1] ^= 0x80
        try writeFile(path, bytes)
        let (records, error) = try firstError(path)
        #expect(records == 1)
        #expect(error?.code == .dataCRCMismatch)
        #expect(error?.offset == 33)
    }

    @Test("a file cut at any byte is truncated at the start of the cut header or data")
    func truncation() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let (path, bytes) = try twoRecordFile(dir)
        for cut in 1..<bytes.count where cut != 21 {
            try writeFile(path, Array(bytes[..<cut]))
            let (records, error) = try firstError(path)
            #expect(error?.code == .truncated, "cut at \(cut)")
            let regionStart: UInt64 = cut < 12 ? 0 : cut < 21 ? 12 : cut < 33 ? 21 : 33
            #expect(error?.offset == regionStart, "cut at \(cut)")
            #expect(records == (cut < 21 ? 0 : 1))
        }
        try writeFile(path, Array(bytes[..<21]))
        #expect(try firstError(path).records == 1)
        #expect(try firstError(path).error == nil)
    }

    @Test("a corrupt length with a valid CRC cannot make the reader allocate it")
    func hugeLength() throws {
        var header = [UInt8](repeating: 0, count: 8)
        for i in 0..<8 { header[i] = UInt8(truncatingIfNeeded: UInt64(1 << 60) >> (8 * i)) }
        let crc = CRC32C.mask(CRC32C.checksum(header))
        let bytes = header + (0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * $0)) } + [1, 2, 3]
        for compression in [TFRecordCompression.none, .gzip] {
            let stored = compression == .none ? bytes : try compressedInMemory(bytes, compression)
            let reader = try TFRecordReader(bytes: stored, name: "huge", compression: compression)
            #expect(throws: TFRecordError.self) { _ = try reader.next() }
            do { _ = try reader.next() } catch let error as TFRecordError {
                #expect(error.code == .truncated)
                #expect(error.offset == 12)
            }
        }
    }
}
