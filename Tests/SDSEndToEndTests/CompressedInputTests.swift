import Foundation
import SDSCatalog
import Testing

/// `.csv.gz` and `.csv.zst` sources: the store keeps the compressed file as given and the
/// build's output equals its plain twin's byte for byte.
@Suite struct CompressedInputTests {
    typealias P = FramePipelineTests

    /// The shards and dataset_info of a build, by name.
    func outputs(_ h: Harness) throws -> [String: Data] {
        let out = h.path("out")
        var files: [String: Data] = [:]
        for case let rel as String in FileManager.default.enumerator(atPath: out)! where rel.contains(".tfrecord") || rel.hasSuffix("dataset_info.json") {
            files[rel] = try Data(contentsOf: URL(fileURLWithPath: out + "/" + rel))
        }
        return files
    }

    @Test(arguments: [("gzip", ".gz"), ("zstd", ".zst")])
    func compressedEqualsPlain(tool: String, suffix: String) throws {
        let plain = try P.workspace()
        defer { plain.cleanup() }
        try plain.sds("build").expectOK()
        let expected = try outputs(plain)
        #expect(!expected.isEmpty)

        let h = try P.workspace(spec: P.spec.replacingOccurrences(of: "path: data/a.csv", with: "path: data/a.csv\(suffix)"))
        defer { h.cleanup() }
        // Two gzip members (as `cat a.gz b.gz` makes) must read as one file.
        if tool == "gzip" {
            let lines = P.rowsA.split(separator: "\n", omittingEmptySubsequences: false)
            try h.write("data/a1.csv", lines.prefix(3).joined(separator: "\n") + "\n")
            try h.write("data/a2.csv", lines.dropFirst(3).joined(separator: "\n"))
            try h.run(tool, ["-n", h.path("data/a1.csv"), h.path("data/a2.csv")]).expectOK()   // replaces them with .gz
            let both = try Data(contentsOf: URL(fileURLWithPath: h.path("data/a1.csv.gz"))) + Data(contentsOf: URL(fileURLWithPath: h.path("data/a2.csv.gz")))
            try h.write("data/a.csv.gz", both)
            try FileManager.default.removeItem(atPath: h.path("data/a1.csv.gz"))
            try FileManager.default.removeItem(atPath: h.path("data/a2.csv.gz"))
        } else {
            try h.run(tool, ["-q", h.path("data/a.csv"), "-o", h.path("data/a.csv\(suffix)")]).expectOK()
        }
        try FileManager.default.removeItem(atPath: h.path("data/a.csv"))
        let r = try h.sds("build")
        r.expectOK()
        #expect(try outputs(h) == expected)

        // Cut short: a data error naming the file, not a crash or a silent half read.
        let whole = try Data(contentsOf: URL(fileURLWithPath: h.path("data/a.csv\(suffix)")))
        try h.write("data/a.csv\(suffix)", whole.prefix(whole.count - 12))
        let cut = try h.sds("build")
        cut.expectStatus(65)
        #expect(cut.stderr.contains("data/a.csv\(suffix)"), "\(cut.stderr)")
    }

    /// A JSON Lines source (`b`, the study's input here) read from `.jsonl.gz` and `.jsonl.zst`
    /// builds what the plain `.jsonl` builds.
    @Test(arguments: [("gzip", ".gz"), ("zstd", ".zst")])
    func compressedJSONLinesEqualsPlain(tool: String, suffix: String) throws {
        let spec = P.spec.replacingOccurrences(of: "inputs: [a]", with: "inputs: [b]")
            .replacingOccurrences(of: "features: {v: {step: 10m, aggregate: sum}}", with: "features: {hr: {step: 10m, aggregate: sum}}")
            .replacingOccurrences(of: "{v.sum:%.0f}", with: "{hr.sum:%.0f}")
        let plain = try P.workspace(spec: spec)
        defer { plain.cleanup() }
        try plain.sds("build").expectOK()
        let expected = try outputs(plain)
        #expect(!expected.isEmpty)

        let h = try P.workspace(spec: spec.replacingOccurrences(of: "path: data/b.jsonl", with: "path: data/b.jsonl\(suffix)"))
        defer { h.cleanup() }
        // Both replace data/b.jsonl with data/b.jsonl.gz / .zst.
        try h.run(tool, tool == "gzip" ? [h.path("data/b.jsonl")] : ["-q", "--rm", h.path("data/b.jsonl")]).expectOK()
        try h.sds("build").expectOK()
        #expect(try outputs(h) == expected)
    }

    /// A compressed input is read from the store in pieces and hashed as it goes: a damaged
    /// object is the corrupt-object error (not bad gzip or bad rows), and no read is recorded.
    @Test(arguments: [("gzip", ".gz"), ("zstd", ".zst")])
    func aCorruptCompressedObjectIsRefused(tool: String, suffix: String) throws {
        let h = try P.workspace(spec: P.spec.replacingOccurrences(of: "path: data/a.csv", with: "path: data/a.csv\(suffix)"))
        defer { h.cleanup() }
        // Both replace data/a.csv with data/a.csv.gz / .zst.
        try h.run(tool, tool == "gzip" ? [h.path("data/a.csv")] : ["-q", "--rm", h.path("data/a.csv")]).expectOK()
        // An hour old, so the index vouches for the file and the build reads the stored object.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)],
                                              ofItemAtPath: h.path("data/a.csv\(suffix)"))
        try h.sds("build").expectOK()
        let id = String(try h.run("sha256sum", [h.path("data/a.csv\(suffix)")]).stdout.prefix(64))
        let object = h.path(".sensorstore/objects/\(id.prefix(2))/\(id.dropFirst(2))")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: object)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: object))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: object))
        let db = try SQLiteDatabase(path: h.path(".sensorstore/index.sqlite"))
        try db.execute("DELETE FROM step_cache")
        let r = try h.sds("build")
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stderr.contains("object \(id) is corrupt"), "\(r.stderr)")
        #expect(r.stderr.contains("sds fsck"), "\(r.stderr)")
        let reads = try db.prepare("SELECT COUNT(*) FROM step_cache WHERE operator = 'read.table'")
        try reads.bind([])
        #expect(try reads.step())
        #expect(reads.int(0) == 0)
    }
}
