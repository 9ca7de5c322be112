import Foundation
import SDSCore
import SDSSensors
import SDSStore
import Testing
@testable import SDSPipeline

/// The gzip and zstd decoders hand out the plain text in pieces of any size: several gzip
/// members and zstd frames read as one text, and a cut or damaged stream is a data error
/// naming the file, whatever the piece size.
@Suite struct ByteChunkSourceTests {
    /// `tool -c` (gzip or zstd) of `text`.
    static func compress(_ tool: String, _ text: [UInt8]) throws -> [UInt8] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sds-chunks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in")
        try Data(text).write(to: input)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool, "-q", "-c", input.path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let bytes = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        return Array(bytes)
    }

    static let parts: [[UInt8]] = [Array("id,t,v\n".utf8), Array((0..<3000).map { "s\($0 % 7),\($0),\($0 * 3)\n" }.joined().utf8), [], Array("z,1,2".utf8)]

    /// Each part its own member or frame, concatenated (as `cat a.gz b.gz` makes).
    static func concatenated(_ tool: String) throws -> [UInt8] {
        try parts.flatMap { try compress(tool, $0) }
    }

    static func read(_ bytes: [UInt8], size: Int) throws -> [UInt8] {
        var source = try #require(try InputDecompression.source(bytes, file: "data/x.csv.gz"))
        return try source.readAll(chunk: size)
    }

    @Test(arguments: ["gzip", "zstd"])
    func membersAndFramesInPiecesOfAnySize(tool: String) throws {
        let bytes = try Self.concatenated(tool)
        for size in [1, 3, 7, 64, 4096, 1 << 20] {
            #expect(try Self.read(bytes, size: size) == Array(Self.parts.joined()), "\(tool), pieces of \(size)")
        }
        #expect(try InputDecompression.source(Array("id,t\n".utf8), file: "x") == nil)
    }

    @Test(arguments: ["gzip", "zstd"])
    func cutOrDamagedStreamsAreDataErrors(tool: String) throws {
        let bytes = try Self.compress(tool, Self.parts[1])
        for size in [1, 5, 1 << 20] {
            for cut in [bytes.count - 1, bytes.count / 2, 12] {
                let error = #expect(throws: SDSError.self) { try Self.read(Array(bytes.prefix(cut)), size: size) }
                #expect(error?.kind == .badData)
                #expect(error?.message.hasPrefix("data/x.csv.gz: ") == true, "\(error?.message ?? "")")
            }
            var damaged = bytes
            damaged[bytes.count / 2] ^= 0xFF
            damaged[bytes.count / 2 + 1] ^= 0xFF
            let error = #expect(throws: SDSError.self) { try Self.read(damaged, size: size) }
            #expect(error?.kind == .badData)
        }
    }

    /// A table read from pieces of a compressed file equals the plain file's read, bad rows included.
    @Test(arguments: ["gzip", "zstd"])
    func tablesFromCompressedPiecesEqualPlain(tool: String) throws {
        let text = Array(("id,t,v\n" + (0..<500).map { "s\($0 % 5),\($0 * 1000),\($0 % 50 == 0 ? "bad" : String($0))\n" }.joined()).utf8)
        let reader = TableReader(TableReaderParameters(partition: ["id"], time: FrameTimeSpec(column: "t", format: .epochMilliseconds),
                                                       columns: [FrameReadColumn(source: "v")]))
        var plainQ = Quarantine()
        let plain = try InputDecompression.readTable(reader, text, file: "x.csv", quarantine: &plainQ)
        #expect(plainQ.total == 10)
        for size in [1, 17, 1 << 20] {
            var q = Quarantine()
            let frames = try InputDecompression.readTable(reader, try Self.compress(tool, text), file: "x.csv", quarantine: &q, chunk: size)
            #expect(frames == plain)
            #expect(q == plainQ)
        }
    }

    /// A compressed object read from the store in pieces equals the plain read; a damaged one
    /// is the corrupt-object error naming it (not the bad gzip or zstd its bytes now show).
    @Test(arguments: ["gzip", "zstd"])
    func storedObjectsAreReadInPiecesAndHashed(tool: String) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sds-stored-\(UUID().uuidString)").path
        for dir in ["objects", "tmp"] { try FileManager.default.createDirectory(atPath: root + "/" + dir, withIntermediateDirectories: true) }
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Over two pieces of the file (values hard to compress), so the hash spans several reads.
        let text = Array(("id,t,v\n" + (0..<300_000).map { "s\($0 % 5),\($0 * 1000),\(($0 &* 2654435761) % 1000003)\n" }.joined()).utf8)
        let reader = TableReader(TableReaderParameters(partition: ["id"], time: FrameTimeSpec(column: "t", format: .epochMilliseconds),
                                                       columns: [FrameReadColumn(source: "v")]))
        let compressed = try Self.compress(tool, text)
        #expect(compressed.count > InputDecompression.chunk)
        let id = try ObjectStore(root: root).put(compressed)
        var q = Quarantine()
        let frames = try InputDecompression.readTable(reader, stored: id, in: ObjectStore(root: root), file: "x.csv", quarantine: &q)
        var wholeQ = Quarantine()
        #expect(frames == (try InputDecompression.readTable(reader, compressed, file: "x.csv", quarantine: &wholeQ)))
        #expect(q == wholeQ)
        #expect(frames.count == 5)

        let path = ObjectStore(root: root).path(of: id)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        var damaged = compressed
        damaged[compressed.count / 2] ^= 0x10
        try Data(damaged).write(to: URL(fileURLWithPath: path))
        var q2 = Quarantine()
        let error = #expect(throws: SDSError.self) {
            try InputDecompression.readTable(reader, stored: id, in: ObjectStore(root: root), file: "x.csv", quarantine: &q2)
        }
        #expect(error?.kind == .badData)
        #expect(error?.message.hasPrefix("object \(id.hex) is corrupt") == true, "\(error?.message ?? "")")
    }
}
