import Foundation
import Testing

/// A spec's `output:` stays in the work tree unless the command line allows a folder outside.
@Suite struct OutputLocationTests {
    @Test func anOutputOutsideTheWorkTreeIsRefusedUnlessNamedOnTheCommandLine() throws {
        let h = try WearableData.workspace(subjects: 2, days: 1)
        defer { h.cleanup() }
        let escape = (h.root as NSString).deletingLastPathComponent + "/escape-out-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: escape) }
        let spec = try h.read("sds.yaml")
        try h.write("sds.yaml", spec.replacingOccurrences(of: "output: out", with: "output: ../\((escape as NSString).lastPathComponent)"))

        let refused = try h.sds("build")
        refused.expectStatus(64)
        #expect(refused.stderr.contains("outside the work tree") && refused.stderr.contains("--output-outside"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: escape))
        #expect(!h.exists("sds.lock"))

        let allowed = try h.sds("build", "--output-outside", escape)
        allowed.expectOK()
        #expect(FileManager.default.fileExists(atPath: escape + "/wearable/1.0.0/dataset_info.json"))
        let parentIgnore = (try? String(contentsOfFile: escape + "/../.gitignore", encoding: .utf8)) ?? ""
        #expect(!parentIgnore.contains((escape as NSString).lastPathComponent))
        let lock = try #require(try JSONSerialization.jsonObject(with: Data(h.read("sds.lock").utf8)) as? [String: Any])
        let recorded = try #require(lock["output"] as? String)
        #expect(recorded.hasPrefix("../") && recorded.hasSuffix("/wearable/1.0.0"))
        #expect(allowed.stdout.contains("output \(recorded)"), "\(allowed.stdout)")
        #expect(FileManager.default.fileExists(atPath: h.root + "/" + recorded + "/features.json"))
    }

    @Test func anAbsoluteOutputInsideTheWorkTreeIsShownRecordedAndWrittenAsOnePath() throws {
        let h = try WearableData.workspace(subjects: 2, days: 1)
        defer { h.cleanup() }
        let spec = try h.read("sds.yaml")
        try h.write("sds.yaml", spec.replacingOccurrences(of: "output: out", with: "output: \(h.root)/abs-out"))
        let b = try h.sds("build")
        b.expectOK()
        #expect(b.stdout.contains("output abs-out/wearable/1.0.0"), "\(b.stdout)")
        let lock = try #require(try JSONSerialization.jsonObject(with: Data(h.read("sds.lock").utf8)) as? [String: Any])
        #expect(lock["output"] as? String == "abs-out/wearable/1.0.0")
        #expect(h.exists("abs-out/wearable/1.0.0/dataset_info.json"))
        #expect(try h.read(".gitignore").contains("/abs-out"))
        let top = h.root.split(separator: "/").first.map(String.init) ?? ""
        #expect(!h.exists(top), "files went below a copy of the absolute path")
    }

    /// A link inside the work tree that leads out counts as outside.
    @Test func anOutputThroughALinkLeadingOutIsRefused() throws {
        let h = try WearableData.workspace(subjects: 2, days: 1)
        defer { h.cleanup() }
        let outside = try Harness(git: false, sds: false)
        defer { outside.cleanup() }
        try FileManager.default.createSymbolicLink(atPath: h.path("out"), withDestinationPath: outside.root)
        let b = try h.sds("build")
        b.expectStatus(64)
        #expect(b.stderr.contains("outside the work tree"), "\(b.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.root).isEmpty)
    }
}

/// Error messages quote input, never all of it.
@Suite struct LongValueTests {
    @Test func aHugeLineWithoutAHeaderIsNotEchoedWhole() throws {
        let h = try WearableData.workspace(subjects: 2, days: 1)
        defer { h.cleanup() }
        let huge = Data(repeating: UInt8(ascii: "x"), count: 20_000_000)
        try h.write("data/heart_rate.csv", huge)
        let b = try h.sds("build")
        b.expectStatus(65)
        #expect(b.stderr.utf8.count < 2_000, "stderr has \(b.stderr.utf8.count) bytes")
        #expect(b.stderr.contains("… (20000000 bytes in all)") || b.stderr.contains("bytes in all"), "\(b.stderr.prefix(600))")
    }
}
