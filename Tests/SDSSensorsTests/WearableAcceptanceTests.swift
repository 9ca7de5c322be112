import Foundation
import SDSSensors
import SDSTFRecord
import Testing

/// The whole WORKLOAD.md job on the small set, byte for byte against the reference.
@Suite struct WearableAcceptanceTests {
    static let expectedShardHash = "fc7ef4c44b1b98cb557c60bc0ef8946a83251b4c9779b56fad770c8634894390"

    @Test(arguments: [1, 2])
    func smallSetMatchesReferenceBytes(jobs: Int) throws {
        let dir = try WearableData.small()
        let hrBytes = try readFile(dir + "/heart_rate.csv")
        let stepsBytes = try readFile(dir + "/steps.csv")
        let labelBytes = try readFile(dir + "/sleep_labels.csv")
        let hr = try LongCSVReader.read(hrBytes, file: "heart_rate.csv", schema: WearableJob.heartRateSchema, jobs: jobs)
        let steps = try LongCSVReader.read(stepsBytes, file: "steps.csv", schema: WearableJob.stepsSchema, jobs: jobs)
        let labels = try LongCSVReader.read(labelBytes, file: "sleep_labels.csv", schema: WearableJob.sleepLabelSchema, jobs: jobs)
        #expect(hr.count == 20)
        #expect(hr.reduce(0) { $0 + $1.rowCount } == 1_967_378)
        #expect(steps.reduce(0) { $0 + $1.rowCount } == 166_930)
        #expect(labels.reduce(0) { $0 + $1.rowCount } == 132)
        #expect(hr.first?.firstLine == 2)
        #expect(hr.last?.lastLine == 1_967_379)

        let shards = try WearableJob.shards(heartRate: hr, steps: steps, labels: labels, .standard, jobs: jobs)
        #expect(shards.count == 12)
        var counts: [String: Int] = [:]
        for shard in shards { counts[shard.split, default: 0] += shard.examples.count }
        #expect(counts == ["train": 112, "validation": 7, "test": 13])

        let out = NSTemporaryDirectory() + "sds-sensors-accept-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: out) }
        var paths: [String] = []
        for shard in shards {
            let name = TFDSWriter.shardFileName(dataset: "wearable", split: shard.split, index: shard.index, count: shard.count)
            let writer = try TFRecordWriter(path: out + "/" + name, sync: false)
            for example in shard.examples { try writer.write(tfExample(example)) }
            try writer.close()
            paths.append(out + "/" + name)
        }
        paths.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(try sha256Hex(ofFiles: paths) == Self.expectedShardHash)
    }

    /// The medium set (738 MB), streamed in 16 MiB chunks in grouped mode; opt-in because it
    /// takes minutes in a debug build: `SDS_WEARABLE_MEDIUM=DIR` (from `gen_wearable.py DIR
    /// --subjects 100 --days 14 --seed 1`).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SDS_WEARABLE_MEDIUM"] != nil))
    func mediumSetMatchesReferenceBytes() throws {
        let dir = ProcessInfo.processInfo.environment["SDS_WEARABLE_MEDIUM"]!
        func stream(_ name: String, _ schema: LongCSVSchema) throws -> [SensorPartition] {
            var reader = LongCSVStream(file: name, schema: schema, grouped: true, jobs: 2)
            guard let handle = FileHandle(forReadingAtPath: dir + "/" + name) else { throw CocoaError(.fileNoSuchFile) }
            defer { try? handle.close() }
            var parts: [SensorPartition] = []
            while let chunk = try handle.read(upToCount: 16 << 20), !chunk.isEmpty {
                parts += try reader.consume([UInt8](chunk))
            }
            return parts + (try reader.finish())
        }
        let hr = try stream("heart_rate.csv", WearableJob.heartRateSchema)
        let steps = try stream("steps.csv", WearableJob.stepsSchema)
        let labels = try stream("sleep_labels.csv", WearableJob.sleepLabelSchema)
        #expect(hr.reduce(0) { $0 + $1.rowCount } == 20_029_731)
        let shards = try WearableJob.shards(heartRate: hr, steps: steps, labels: labels, .standard, jobs: 2)
        var counts: [String: Int] = [:]
        for shard in shards { counts[shard.split, default: 0] += shard.examples.count }
        #expect(counts == ["train": 1095, "validation": 66, "test": 190])

        let out = NSTemporaryDirectory() + "sds-sensors-medium-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: out) }
        var paths: [String] = []
        for shard in shards {
            let path = out + "/" + TFDSWriter.shardFileName(dataset: "wearable", split: shard.split, index: shard.index, count: shard.count)
            let writer = try TFRecordWriter(path: path, sync: false)
            for example in shard.examples { try writer.write(tfExample(example)) }
            try writer.close()
            paths.append(path)
        }
        paths.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(try sha256Hex(ofFiles: paths) == "8f5acc9a691ff45599d5a45c300947999cbc74f2829019dc69508309842e5327")
    }
}
