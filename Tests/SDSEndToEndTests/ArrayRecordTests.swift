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
        // No options: TFDS's group_size:1, uncompressed (the footer, uncompressed too, says so).
        let some = files.first { $0.contains(".array_record-") }!
        let footer = try Data(contentsOf: URL(fileURLWithPath: h.path("out/wearable/1.0.0/" + some)))
        #expect(footer.range(of: Data("group_size:1,transpose:false,pad_to_block_boundary:false,uncompressed,max_parallelism:1".utf8)) != nil)

        // A shard's examples count once, though two files (one a format) hold them: in the
        // build's message, the manifest's splits and report, and `sds show`.
        let total = lengths.reduce(0, +)
        let built = try h.sds("build")
        #expect(built.stdout.contains("built wearable 1.0.0: \(total) examples") && built.stdout.contains("2 formats"), "\(built.stdout)")
        let manifest = try JSONSerialization.jsonObject(with: Data(h.sds("show", "--json").stdout.utf8)) as! [String: Any]
        #expect((manifest["splits"] as! [String: [String: Any]]).values.reduce(0) { $0 + ($1["examples"] as! Int) } == total)
        let reported = ((manifest["report"] as! [String: Any])["splits"] as! [[String: Any]]).reduce(0) { $0 + ($1["examples"] as! Int) }
        #expect(reported == total)
        #expect(try h.sds("show").stdout.contains("shards, each as tfrecord and array_record"))

        // Lineage: an ArrayRecord shard's steps end with its own step, a TFRecord shard's with
        // its own; an example names both files at one record number.
        func lastOp(_ file: String) throws -> String? {
            let l = try JSONSerialization.jsonObject(with: Data(h.sds("lineage", "--json", "out/wearable/1.0.0/" + file).stdout.utf8)) as! [String: Any]
            return ((l["partitions"] as! [[String: Any]]).first?["steps"] as? [[String: Any]])?.last?["op"] as? String
        }
        let full = (first["shards"] as! [[String: Any]]).first { ($0["file"] as! String).contains(".tfrecord-") && ($0["examples"] as! Int) > 0 }!
        let tfFile = full["file"] as! String, arFile = tfFile.replacingOccurrences(of: ".tfrecord-", with: ".array_record-")
        #expect(try lastOp(tfFile) == "tfrecord.shard")
        #expect(try lastOp(arFile) == "array_record.shard")
        let chunk = try JSONSerialization.jsonObject(with: Data(h.sds("lineage", "--json", "out/wearable/1.0.0/" + arFile).stdout.utf8)) as! [String: Any]
        let entity = ((chunk["partitions"] as! [[String: Any]]).first!["entity"] as! String)
        // Record 0 is the first partition's first example.
        let shown = try JSONSerialization.jsonObject(with: Data(h.sds("inspect", "out/wearable/1.0.0/" + tfFile, "--record", "0", "--json").stdout.utf8)) as! [String: Any]
        let features = (shown["examples"] as! [[String: Any]])[0]["features"] as! [String: Any]
        let date = ((features["date"] as! [String: Any])["values"] as! [String])[0]
        let example = try h.sds("lineage", "--json", "--example", entity + "/" + date)
        example.expectOK()
        let ex = try JSONSerialization.jsonObject(with: Data(example.stdout.utf8)) as! [String: Any]
        #expect(ex["files"] as? [String] == [tfFile, arFile], "\(example.stdout.prefix(400))")
        let exOps = ((ex["partition"] as! [String: Any])["steps"] as! [[String: Any]]).map { $0["op"] as! String }
        #expect(Array(exOps.suffix(2)) == ["tfrecord.shard", "array_record.shard"], "\(exOps)")

        let before = try h.shardIDs()
        try h.write("sds.yaml", try h.read("sds.yaml") + "  array_record: {compression: brotli, level: 4}\n")
        let second = try h.buildJSON()
        let ran = second["ran"] as! [String]
        #expect(!ran.isEmpty && ran.allSatisfy { $0.hasPrefix("array_record.shard ") }, "\(ran)")
        let after = try h.shardIDs()
        for (file, id) in before where file.contains(".tfrecord-") { #expect(after[file] == id, "\(file)") }
        #expect(before.filter { $0.key.contains(".array_record-") && after[$0.key] != $0.value }.count == tfrecords.count)
        try h.sds("inspect", "out/wearable/1.0.0", "--limit", "0").expectOK()

        // diff names the option and the recomputed shard steps, and counts examples once;
        // lineage follows an ArrayRecord shard.
        let diff = try h.sds("diff", String((first["build"] as! String).prefix(12)), String((second["build"] as! String).prefix(12)))
        #expect(diff.stdout.contains("output.array_record.compression") && diff.stdout.contains("array_record.shard"), "\(diff.stdout)")
        let diffJSON = try JSONSerialization.jsonObject(with: Data(h.sds("diff", String((first["build"] as! String).prefix(12)),
                                                                        String((second["build"] as! String).prefix(12)), "--json").stdout.utf8)) as! [String: Any]
        let outSplits = (diffJSON["outputs"] as! [String: Any])["splits"] as! [[String: Any]]
        #expect(outSplits.reduce(0) { $0 + ($1["examples_after"] as! Int) } == total)
        #expect(outSplits.allSatisfy { ($0["changed_files"] as! [String]).allSatisfy { $0.contains(".array_record-") } })
        let work = (diffJSON["work"] as! [String: Any])["by_op"] as! [[String: Any]]
        #expect(work.filter { ($0["recomputed"] as! Int) > 0 }.map { $0["op"] as! String } == ["array_record.shard"], "\(work)")
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
        // A level without a compression: the default is uncompressed, which has none.
        try h.write("sds.yaml", try h.read("sds.yaml").replacingOccurrences(of: "{compression: zstd, level: 40}", with: "{level: 5}"))
        let l = try h.sds("build")
        l.expectStatus(65)
        #expect(l.stderr.contains("sds.yaml:") && l.stderr.contains("level needs compression: zstd or brotli"), "\(l.stderr)")
    }

    /// An option change before building: `sds diff` and `sds status` plan only the ArrayRecord
    /// shard steps, and the TFRecord shards are kept.
    @Test func anOptionChangePlansOnlyTheArrayRecordShards() throws {
        let h = try Self.workspace("  formats: [tfrecord, array_record]\n")
        defer { h.cleanup() }
        _ = try h.buildJSON()
        try h.write("sds.yaml", try h.read("sds.yaml") + "  array_record: {compression: zstd, level: 1}\n")
        let diff = try h.sds("diff", "--json")
        let j = try JSONSerialization.jsonObject(with: Data(diff.stdout.utf8)) as! [String: Any]
        let steps = (j["work"] as! [String: Any])["recomputed"] as! [[String: Any]]
        #expect(!steps.isEmpty && steps.allSatisfy { $0["op"] as? String == "array_record.shard" }, "\(steps)")
        let status = try h.sds("status")
        #expect(status.stdout.contains("array_record.shard") && !status.stdout.contains("tfrecord.shard"), "\(status.stdout)")
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
