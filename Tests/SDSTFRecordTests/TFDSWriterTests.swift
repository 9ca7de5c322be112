import Testing
@testable import SDSTFRecord

@Suite("TFDS folder writer")
struct TFDSWriterTests {
    /// Six connectors, as `tfds.folder_dataset.write_metadata` saw them (TFDS 4.9.10).
    static let toyInfo = TFDSDatasetInfo(name: "toy", version: "1.0.0", features: [
        "x": .tensor(shape: [-1, 2], dtype: .float32),
        "s": .scalar(.float32),
        "i": .scalar(.int64),
        "t": .text,
        "label": .classLabel(names: ["cat", "dog"]),
        "fixed": .tensor(shape: [2, 3], dtype: .int32),
    ])

    static let toyExample = Example([
        "x": .float([Float](repeating: 0, count: 6)),
        "s": .float([1.5]),
        "i": .int64([7]),
        "t": .text("héllo"),
        "label": .int64([1]),
        "fixed": .int64([Int64](repeating: 0, count: 6)),
    ])

    /// `SerializeToString(deterministic=True)` of the record TFDS wrote for toyExample.
    static let toyRecord = hexBytes("""
        0a740a130a056669786564120a1a080a060000000000000a0a0a016912051a030a01070a0e0a056c6162656c12051a030a01010a0d\
        0a0173120812060a040000c03f0a0f0a0174120a0a080a0668c3a96c6c6f0a210a0178121c121a0a1800000000000000000000000000\
        0000000000000000000000
        """)

    /// What TFDS 4.9.10 `write_metadata` wrote for the same dataset.
    static let expectedDatasetInfo = """
        {
          "fileFormat": "tfrecord",
          "name": "toy",
          "splits": [
            {
              "filepathTemplate": "{DATASET}-{SPLIT}.{FILEFORMAT}-{SHARD_X_OF_Y}",
              "name": "train",
              "numBytes": "118",
              "shardLengths": [
                "1"
              ]
            }
          ],
          "version": "1.0.0"
        }
        """

    static let expectedFeatures = """
        {
            "featuresDict": {
                "features": {
                    "fixed": {
                        "pythonClassName": "tensorflow_datasets.core.features.tensor_feature.Tensor",
                        "tensor": {
                            "dtype": "int32",
                            "encoding": "none",
                            "shape": {
                                "dimensions": [
                                    "2",
                                    "3"
                                ]
                            }
                        }
                    },
                    "i": {
                        "pythonClassName": "tensorflow_datasets.core.features.scalar.Scalar",
                        "tensor": {
                            "dtype": "int64",
                            "encoding": "none",
                            "shape": {}
                        }
                    },
                    "label": {
                        "classLabel": {
                            "numClasses": "2"
                        },
                        "pythonClassName": "tensorflow_datasets.core.features.class_label_feature.ClassLabel"
                    },
                    "s": {
                        "pythonClassName": "tensorflow_datasets.core.features.scalar.Scalar",
                        "tensor": {
                            "dtype": "float32",
                            "encoding": "none",
                            "shape": {}
                        }
                    },
                    "t": {
                        "pythonClassName": "tensorflow_datasets.core.features.text_feature.Text",
                        "text": {}
                    },
                    "x": {
                        "pythonClassName": "tensorflow_datasets.core.features.tensor_feature.Tensor",
                        "tensor": {
                            "dtype": "float32",
                            "encoding": "none",
                            "shape": {
                                "dimensions": [
                                    "-1",
                                    "2"
                                ]
                            }
                        }
                    }
                }
            },
            "pythonClassName": "tensorflow_datasets.core.features.features_dict.FeaturesDict"
        }
        """

    @Test("a one-example dataset matches TFDS's own metadata and record byte for byte")
    func matchesTFDS() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let writer = try TFDSWriter(directory: dir.path, info: Self.toyInfo, sync: false)
        let split = try writer.writeSplit("train", examples: [Self.toyExample], shardCount: 1)
        try writer.finish()
        #expect(split == TFDSSplitInfo(name: "train", shardLengths: [1], numBytes: 118))
        #expect(try listDirectory(dir.path) == ["dataset_info.json", "features.json", "label.labels.txt",
                                                "toy-train.tfrecord-00000-of-00001"])
        #expect(String(decoding: try readFile(dir.file("dataset_info.json")), as: UTF8.self) == Self.expectedDatasetInfo)
        #expect(String(decoding: try readFile(dir.file("features.json")), as: UTF8.self) == Self.expectedFeatures)
        #expect(try readFile(dir.file("label.labels.txt")) == Array("cat\ndog\n".utf8))
        #expect(try TFRecordReader.readAll(path: dir.file("toy-train.tfrecord-00000-of-00001")) == [Self.toyRecord])
    }

    func sensorDataset(_ directory: String) throws {
        let info = TFDSDatasetInfo(name: "sensors", version: "2.1.0", features: [
            "imu": .tensor(shape: [-1, 3], dtype: .float32),
            "activity": .classLabel(names: ["walk", "run", "sit"]),
            "note": .text,
        ], description: "Test \"data\"\nwith ünïcode")
        let writer = try TFDSWriter(directory: directory, info: info, sync: false)
        for (split, count, shards) in [("train", 10, 3), ("test", 4, 2)] {
            let lengths = TFDSWriter.shardLengths(exampleCount: count, shardCount: shards)
            let splitWriter = try writer.beginSplit(split, shardLengths: lengths)
            for i in 0..<count {
                try splitWriter.write(Example([
                    "imu": .float((0..<(3 * (i + 1))).map { Float($0) * 0.25 - Float(i) }),
                    "activity": .int64([Int64(i % 3)]),
                    "note": .text("example \(i) – ✓"),
                ]))
            }
            try splitWriter.finish()
        }
        try writer.finish()
    }

    @Test("same inputs give byte-identical folders")
    func determinism() throws {
        let a = try TempDirectory(), b = try TempDirectory()
        defer { a.cleanup(); b.cleanup() }
        try sensorDataset(a.path)
        try sensorDataset(b.path)
        let files = try listDirectory(a.path)
        #expect(files == (try listDirectory(b.path)))
        #expect(files == ["activity.labels.txt", "dataset_info.json", "features.json",
                          "sensors-test.tfrecord-00000-of-00002", "sensors-test.tfrecord-00001-of-00002",
                          "sensors-train.tfrecord-00000-of-00003", "sensors-train.tfrecord-00001-of-00003",
                          "sensors-train.tfrecord-00002-of-00003"])
        for file in files {
            #expect(try readFile(a.file(file)) == readFile(b.file(file)), "\(file)")
        }
    }

    @Test("shardLengths and numBytes are exact, splits listed by name")
    func splitMetadata() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        try sensorDataset(dir.path)
        let json = String(decoding: try readFile(dir.file("dataset_info.json")), as: UTF8.self)
        var numBytes: [String: UInt64] = [:]
        for split in ["train", "test"] {
            let lengths = TFDSWriter.shardLengths(exampleCount: split == "train" ? 10 : 4, shardCount: split == "train" ? 3 : 2)
            var total: UInt64 = 0
            for (i, length) in lengths.enumerated() {
                let records = try TFRecordReader.readAll(path: dir.file("sensors-\(split).tfrecord-0000\(i)-of-0000\(lengths.count)"))
                #expect(records.count == length)
                total += records.reduce(0) { $0 + UInt64($1.count) }
            }
            numBytes[split] = total
        }
        #expect(json == """
            {
              "description": "Test \\"data\\"\\nwith ünïcode",
              "fileFormat": "tfrecord",
              "name": "sensors",
              "splits": [
                {
                  "filepathTemplate": "{DATASET}-{SPLIT}.{FILEFORMAT}-{SHARD_X_OF_Y}",
                  "name": "test",
                  "numBytes": "\(numBytes["test"]!)",
                  "shardLengths": [
                    "2",
                    "2"
                  ]
                },
                {
                  "filepathTemplate": "{DATASET}-{SPLIT}.{FILEFORMAT}-{SHARD_X_OF_Y}",
                  "name": "train",
                  "numBytes": "\(numBytes["train"]!)",
                  "shardLengths": [
                    "3",
                    "4",
                    "3"
                  ]
                }
              ],
              "version": "2.1.0"
            }
            """)
    }

    @Test("shard boundaries follow TFDS: round(N·i/S), half to even")
    func shardBoundaries() {
        #expect(TFDSWriter.shardLengths(exampleCount: 10, shardCount: 3) == [3, 4, 3])
        #expect(TFDSWriter.shardLengths(exampleCount: 5, shardCount: 2) == [2, 3])    // round(2.5) = 2
        #expect(TFDSWriter.shardLengths(exampleCount: 7, shardCount: 2) == [4, 3])    // round(3.5) = 4
        #expect(TFDSWriter.shardLengths(exampleCount: 1, shardCount: 1) == [1])
        #expect(TFDSWriter.shardLengths(exampleCount: 40, shardCount: 4) == [10, 10, 10, 10])
        #expect(TFDSWriter.shardFileName(dataset: "d", split: "train", index: 3, count: 12) == "d-train.tfrecord-00003-of-00012")
    }

    @Test("examples that TFDS could not decode are refused before writing")
    func validation() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let info = TFDSDatasetInfo(name: "v", version: "1.0.0", features: [
            "x": .tensor(shape: [-1, 2], dtype: .float32),
            "k": .classLabel(names: ["a", "b"]),
            "b": .scalar(.bool),
        ])
        let writer = try TFDSWriter(directory: dir.path, info: info, sync: false)
        let split = try writer.beginSplit("train", shardLengths: [1])
        let good = Example(["x": .float([1, 2]), "k": .int64([1]), "b": .int64([0])])
        let bad: [Example] = [
            Example(["x": .float([1, 2, 3]), "k": .int64([1]), "b": .int64([0])]),   // not whole rows
            Example(["x": .int64([1, 2]), "k": .int64([1]), "b": .int64([0])]),      // wrong kind
            Example(["x": .float([1, 2]), "k": .int64([2]), "b": .int64([0])]),      // class out of range
            Example(["x": .float([1, 2]), "k": .int64([1]), "b": .int64([2])]),      // not a bool
            Example(["x": .float([1, 2]), "k": .int64([1])]),                        // missing feature
            Example(["x": .float([1, 2]), "k": .int64([1]), "b": .int64([0]), "extra": .int64([])]),
        ]
        for example in bad {
            #expect { try split.write(example) } throws: { ($0 as? TFRecordError)?.code == .featureMismatch }
        }
        try split.write(good)
        #expect { try split.write(good) } throws: { ($0 as? TFRecordError)?.code == .invalidArgument }
        try split.finish()
        #expect(throws: TFRecordError.self) { _ = try writer.beginSplit("train", shardLengths: [1]) }
        #expect(throws: TFRecordError.self) { _ = try writer.beginSplit("bad-name", shardLengths: [1]) }
        #expect(throws: TFRecordError.self) {
            _ = try TFDSWriter(directory: dir.path, info: TFDSDatasetInfo(name: "v", version: "1.0", features: info.features))
        }
        #expect(throws: TFRecordError.self) {
            _ = try TFDSWriter(directory: dir.path, info: TFDSDatasetInfo(name: "v", version: "1.0.0", features: [
                "x": .tensor(shape: [2, -1], dtype: .float32)]))
        }
    }

    @Test("an unfinished split is an error and leaves no dataset_info.json")
    func unfinished() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let writer = try TFDSWriter(directory: dir.path, info: Self.toyInfo, sync: false)
        let split = try writer.beginSplit("train", shardLengths: [2])
        try split.write(Self.toyExample)
        #expect { try split.finish() } throws: { ($0 as? TFRecordError)?.code == .invalidArgument }
        #expect(throws: TFRecordError.self) { try writer.finish() }
        #expect(!(try listDirectory(dir.path)).contains("dataset_info.json"))
    }
}
