import Foundation
import Testing

/// ArrayRecord shards from `sds build` (issue 19): both formats from one build, options in
/// the step key, byte-reproducible, and inspect, lineage and diff on them.
struct ArrayRecordTests {
    static func workspace(_ output: String) throws -> Harness {
        let h = try WearableData.workspace(subjects: 4, days: 2)
        let spec = try h.read("sds.yaml").split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("output:") }.joined(separator: "\n")
        try h.write("sds.yaml", spec + "\noutput:\n  path: out\n" + output)
        return h
    }

    static func files(_ h: Harness) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: h.path("out/wearable/1.0.0")).sorted()
    }

    @Test func bothFormatsFromOneBuildAndAnOptionRebuildsOnlyArrayRecordShards() throws {
        let h = try Self.workspace("  formats: [tfrecord, array_record]\n")
        defer { h.cleanup() }
        let first = try h.buildJSON()
        let files = try Self.files(h)
        let tfrecords = files.filter { $0.contains(".tfrecord-") }
        #expect(!tfrecords.isEmpty)
        #expect(files.filter { $0.contains(".array_record-") }
                == tfrecords.map { $0.replacingOccurrences(of: ".tfrecord-", with: ".array_record-") }.sorted())
        let info = try JSONSerialization.jsonObject(with: Data(h.read("out/wearable/1.0.0/dataset_info.json").utf8)) as! [String: Any]
        #expect(info["fileFormat"] as? String == "tfrecord")
        #expect(info["alternativeFileFormats"] as? [String] == ["array_record"])
        // The split counts are the examples once, not once per format.
        let lengths = (info["splits"] as! [[String: Any]]).flatMap { $0["shardLengths"] as! [String] }.compactMap { Int($0) }
        #expect(lengths.reduce(0, +) == (first["shards"] as! [[String: Any]]).filter { ($0["file"] as! String).contains(".tfrecord-") }
            .reduce(0) { $0 + ($1["examples"] as! Int) })

        let inspect = try h.sds("inspect", "out/wearable/1.0.0", "--limit", "0")
        inspect.expectOK()
        #expect(inspect.stdout.components(separatedBy: "checksums ok").count - 1 == tfrecords.count)

        let before = try h.shardIDs()
        try h.write("sds.yaml", try h.read("sds.yaml") + "  array_record: {compression: brotli, level: 4}\n")
        let second = try h.buildJSON()
        let ran = second["ran"] as! [String]
        #expect(!ran.isEmpty && ran.allSatisfy { $0.hasPrefix("array_record.shard ") }, "\(ran)")
        let after = try h.shardIDs()
        for (file, id) in before where file.contains(".tfrecord-") { #expect(after[file] == id, "\(file)") }
        #expect(before.filter { $0.key.contains(".array_record-") && after[$0.key] != $0.value }.count == tfrecords.count)
        try h.sds("inspect", "out/wearable/1.0.0", "--limit", "0").expectOK()

        // diff names the option and the recomputed shard steps; lineage follows an ArrayRecord shard.
        let diff = try h.sds("diff", String((first["build"] as! String).prefix(12)), String((second["build"] as! String).prefix(12)))
        #expect(diff.stdout.contains("output.array_record.compression") && diff.stdout.contains("array_record.shard"), "\(diff.stdout)")
        let shard = (second["shards"] as! [[String: Any]]).first { ($0["file"] as! String).contains(".array_record-") && ($0["examples"] as! Int) > 0 }!
        let lineage = try h.sds("lineage", "--json", "out/wearable/1.0.0/" + (shard["file"] as! String))
        lineage.expectOK()
        #expect(lineage.stdout.contains("\"entity\":"), "\(lineage.stdout)")
        // verify rebuilds the recorded build elsewhere and gets the same ArrayRecord bytes.
        let verify = try h.sds("verify")
        verify.expectOK()
        #expect(verify.stdout.contains("\(before.count)") || verify.stdout.contains("identical"), "\(verify.stdout)")
    }

    /// Same inputs and spec: the same ArrayRecord bytes, with one job or many, in another zone and locale.
    @Test func arrayRecordShardsAreReproducible() throws {
        let a = try Self.workspace("  format: array_record\n")
        let b = try Self.workspace("  format: array_record\n")
        defer { a.cleanup(); b.cleanup() }
        _ = try a.buildJSON()
        _ = try b.buildJSON(["--jobs", "1"], env: ["TZ": "Asia/Kolkata", "LC_ALL": "de_DE.UTF-8"])
        #expect(try a.shardIDs() == b.shardIDs())
        #expect(try Self.files(a).allSatisfy { !$0.contains(".tfrecord-") })
        let info = try a.read("out/wearable/1.0.0/dataset_info.json")
        #expect(info.contains("\"fileFormat\": \"array_record\"") && !info.contains("alternativeFileFormats"))
    }

    @Test func badOptionsPointAtTheSpec() throws {
        let h = try Self.workspace("  format: array_record\n  array_record: {compression: zstd, level: 40}\n")
        defer { h.cleanup() }
        let r = try h.sds("build")
        r.expectStatus(65)
        #expect(r.stderr.contains("sds.yaml:") && r.stderr.contains("zstd level must be -131072...22"), "\(r.stderr)")
    }

    /// A damaged ArrayRecord shard: inspect names the chunk's offset and exits 65.
    @Test func inspectNamesDamageByOffset() throws {
        let h = try Self.workspace("  format: array_record\n  array_record: {compression: uncompressed}\n")
        defer { h.cleanup() }
        let build = try h.buildJSON()
        let shard = (build["shards"] as! [[String: Any]]).first { ($0["examples"] as! Int) > 0 }!["file"] as! String
        let path = h.path("out/wearable/1.0.0/" + shard)
        let copy = h.path("damaged.array_record")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[64 + 40 + 300] ^= 0x01  // inside the first data chunk, which starts after the signature
        try bytes.write(to: URL(fileURLWithPath: copy))
        let r = try h.sds("inspect", copy)
        r.expectStatus(65)
        #expect(r.stderr.contains("byte 64: chunk data hash mismatch"), "\(r.stderr)")
        let one = try h.sds("inspect", path, "--record", "1", "--json")
        one.expectOK()
        #expect(one.stdout.contains("\"record\":1"))
    }
}
