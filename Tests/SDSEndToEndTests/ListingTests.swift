import Foundation
import Testing

/// What a git user types without arguments: `sds tag` lists tags, `sds log` lists every
/// tracked path's history.
@Suite struct ListingTests {
    @Test func logWithoutAPathListsEveryTrackedPath() throws {
        let h = try Harness()
        defer { h.cleanup() }
        try h.write("raw/hr.csv", "a\n1\n")
        try h.write("labels.csv", "b\n2\n")
        try h.sds("add", "raw", "labels.csv").expectOK()
        try h.commitAll("v1")
        try h.write("raw/hr.csv", "a\n3\n")
        try h.sds("add", "raw").expectOK()
        try h.commitAll("v2")

        let log = try h.sds("log")
        log.expectOK()
        let lines = log.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 3, "\(log.stdout)")
        // Newest commit first; within a commit, by path.
        #expect(lines[0].contains("  raw  ") && lines[0].hasSuffix("v2"), "\(log.stdout)")
        #expect(lines[1].contains("  labels.csv  ") && lines[1].hasSuffix("v1"), "\(log.stdout)")
        #expect(lines[2].contains("  raw  ") && lines[2].hasSuffix("v1"), "\(log.stdout)")

        let json = try JSONSerialization.jsonObject(with: Data(try h.sds("log", "--json").stdout.utf8)) as! [[String: Any]]
        #expect(json.map { $0["path"] as? String } == ["raw", "labels.csv", "raw"])
        // A path still gives its own history, without the path column.
        let one = try h.sds("log", "labels.csv")
        one.expectOK()
        #expect(one.stdout.split(separator: "\n").count == 1 && !one.stdout.contains("  labels.csv  "), "\(one.stdout)")
    }

    @Test func tagWithoutANameListsTags() throws {
        let h = try FramePipelineTests.workspace()
        defer { h.cleanup() }
        let empty = try h.sds("tag")
        empty.expectOK()
        #expect(empty.stdout.isEmpty)
        try h.sds("build").expectOK()
        try h.sds("tag", "v1").expectOK()
        let listed = try h.sds("tag")
        listed.expectOK()
        #expect(listed.stdout.hasPrefix("v1 "), "\(listed.stdout)")
        #expect(listed.stdout == (try h.sds("tag", "--list")).stdout)
        try h.sds("tag", "--delete").expectStatus(64)
    }
}
