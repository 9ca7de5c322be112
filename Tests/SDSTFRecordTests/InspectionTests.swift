import Foundation
import Testing
@testable import SDSTFRecord

@Suite("Inspection and metadata reading")
struct InspectionTests {
    func dataset(_ dir: TempDirectory) throws {
        let info = TFDSDatasetInfo(name: "ds", version: "1.0.0", features: ["v": .tensor(shape: [-1], dtype: .int64)])
        let writer = try TFDSWriter(directory: dir.path, info: info, sync: false)
        try writer.writeSplit("train", examples: (0..<7).map { Example(["v": .int64(Array(0..<Int64($0)))]) }, shardCount: 2)
        try writer.writeSplit("test", examples: [Example(["v": .int64([9])])], shardCount: 1)
        try writer.finish()
    }

    @Test("a folder written by TFDSWriter reads back: splits, shards, counts, samples")
    func cleanFolder() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        try dataset(dir)
        let folder = try TFDSFolder(directory: dir.path)
        #expect(folder.name == "ds" && folder.version == "1.0.0")
        #expect(folder.splits.map(\.name) == ["test", "train"])
        #expect(folder.splits[1].shardLengths == [4, 3])
        #expect(folder.shardPaths(of: folder.splits[1]) == [dir.file("ds-train.tfrecord-00000-of-00002"),
                                                             dir.file("ds-train.tfrecord-00001-of-00002")])
        let result = try TFRecordInspection.inspect(path: dir.path, sampleLimit: 2)
        #expect(result.errors.isEmpty && result.warnings.isEmpty)
        #expect(result.files.map(\.records) == [1, 4, 3])
        #expect(result.samples.map(\.example) == [Example(["v": .int64([9])]), Example(["v": .int64([])])])
        #expect(result.samples[1].offset == 0 && result.samples[1].file.hasSuffix("train.tfrecord-00000-of-00002"))
    }

    @Test("a wrong shardLengths, damage and a missing shard are each reported per file")
    func damagedFolder() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        try dataset(dir)
        let info = dir.file("dataset_info.json")
        let text = String(decoding: try readFile(info), as: UTF8.self)
        try writeFile(info, Array(text.replacingOccurrences(of: "\"1\"", with: "\"2\"").utf8))
        var shard = try readFile(dir.file("ds-train.tfrecord-00001-of-00002"))
        shard[shard.count - 1] ^= 1
        try writeFile(dir.file("ds-train.tfrecord-00001-of-00002"), shard)
        let result = try TFRecordInspection.inspect(path: dir.path, sampleLimit: 0)
        #expect(result.files.map { $0.error?.code } == [.recordCountMismatch, nil, .dataCRCMismatch])
        #expect(result.files[2].records == 2)
        #expect(result.files[2].error?.offset != nil)
    }

    @Test("JSON: TFDS-style rendering, escapes, and parsing it back")
    func json() throws {
        let value = JSONValue.object([
            "b": .array([.int(1), .string("a\"b\\c\n\u{1}é😀"), .null, .bool(true)]),
            "a": .object([:]),
            "c": .array([]),
            "é": .float(-0.0),
        ])
        #expect(value.rendered(indent: 2) == """
            {
              "a": {},
              "b": [
                1,
                "a\\"b\\\\c\\n\\u0001é😀",
                null,
                true
              ],
              "c": [],
              "é": -0.0
            }
            """)
        #expect(value.compact() == #"{"a":{},"b":[1,"a\"b\\c\n\u0001é😀",null,true],"c":[],"é":-0.0}"#)
        #expect(try JSONValue.parse(Array(value.rendered(indent: 4).utf8)) == value)
        #expect(try JSONValue.parse(Array(#"{"s": "\ud83d\ude00\u00e9\/"}"#.utf8)) == .object(["s": .string("😀é/")]))
        #expect(JSONValue.float(.nan) == .string("nan") && JSONValue.float(-.infinity) == .string("-inf"))
        #expect(JSONValue.float(Float(bitPattern: 1)) == .number("1e-45") && JSONValue.float(0.1) == .number("0.1"))
        #expect(throws: TFRecordError.self) { try JSONValue.parse(Array("{\"a\": }".utf8)) }
    }
}
