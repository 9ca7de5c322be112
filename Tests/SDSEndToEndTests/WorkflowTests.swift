import Foundation
import Testing

/// init → add → commit → modify → add → commit → checkout HEAD~1, with the built binary.
@Suite struct WorkflowTests {
    @Test func addCommitModifyAndCheckoutPreviousVersion() throws {
        let h = try Harness()
        defer { h.cleanup() }
        try h.write("raw/hr.csv", "subject_id,time,bpm\nS1,2016-04-12T00:00:00.000Z,61\n")
        try h.write("raw/sub/steps.csv", "subject_id,time,steps\nS1,2016-04-12T00:00:00.000Z,0\n")
        try h.write("labels.csv", "subject,label\nS1,0\n")
        try h.sds("add", "raw", "labels.csv").expectOK()
        #expect(h.exists("raw.sds") && h.exists("labels.csv.sds"))
        #expect(try h.read(".gitignore") == "/raw\n/labels.csv\n")
        let clean = try h.sds("status")
        clean.expectOK()
        #expect(clean.stdout.contains("unchanged:    raw") && clean.stdout.contains("unchanged:    labels.csv"))
        try h.commitAll("v1")
        // git tracks pointers, never the data.
        let tracked = try h.git("ls-files").stdout
        #expect(tracked.contains("raw.sds") && !tracked.contains("raw/hr.csv"))

        try h.write("raw/hr.csv", "subject_id,time,bpm\nS1,2016-04-12T00:00:00.000Z,62\n")
        try h.write("raw/new.csv", "x\n")
        try h.write("labels.csv", "subject,label\nS1,1\n")
        let dirty = try h.sds("status", "--porcelain")
        dirty.expectStatus(1)
        #expect(dirty.stdout == "modified labels.csv\nmodified raw\n")
        let json = try h.sds("status", "--json", "raw")
        json.expectStatus(1)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        let paths = parsed["paths"] as! [[String: Any]]
        #expect(parsed["clean"] as? Bool == false)
        #expect(paths[0]["state"] as? String == "modified")
        let changes = (paths[0]["changes"] as! [[String: String]]).map { "\($0["change"]!) \($0["path"]!)" }
        #expect(changes == ["modified raw/hr.csv", "added raw/new.csv"])

        try h.sds("add", "raw", "labels.csv").expectOK()
        try h.sds("status").expectOK()
        try h.commitAll("v2")

        let log = try h.sds("log", "raw")
        log.expectOK()
        let lines = log.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasSuffix("v2") && lines[1].hasSuffix("v1"))

        let checkout = try h.sds("checkout", "HEAD~1")
        checkout.expectOK()
        #expect(try h.read("raw/hr.csv") == "subject_id,time,bpm\nS1,2016-04-12T00:00:00.000Z,61\n")
        #expect(try h.read("labels.csv") == "subject,label\nS1,0\n")
        #expect(try h.read("raw/sub/steps.csv") == "subject_id,time,steps\nS1,2016-04-12T00:00:00.000Z,0\n")
        // The file only v2 had is kept (not removed without --force) and reported.
        #expect(h.exists("raw/new.csv"))
        #expect(checkout.stderr.contains("raw/new.csv"))
        // The git work tree was not touched: pointers still name v2, so status shows the difference.
        #expect(try h.git("status", "--porcelain").stdout.isEmpty)
        try h.sds("status").expectStatus(1)

        // Back to the work tree's version: the store has both, so no --force is needed.
        try h.sds("checkout").expectOK()
        #expect(try h.read("raw/hr.csv") == "subject_id,time,bpm\nS1,2016-04-12T00:00:00.000Z,62\n")
        try h.sds("status").expectOK()
    }

    @Test func reAddingUnchangedDataReadsNothing() throws {
        let h = try Harness(git: false)
        defer { h.cleanup() }
        for i in 0..<50 { try h.write("d/f\(i).csv", "row \(i)\n") }
        // Backdate the files so the cache does not treat them as racily clean.
        try h.run("touch", ["-d", "2020-01-01", "-r", "/dev/null"] + (0..<50).map { h.path("d/f\($0).csv") })
        let first = try h.sds("add", "d")
        first.expectOK()
        #expect(first.stdout.contains("read 50 file(s)"))
        let second = try h.sds("add", "d")
        second.expectOK()
        #expect(second.stdout.contains("unchanged d") && second.stdout.contains("read 0 file(s)"))
        // Deleting the index only costs a re-read.
        try FileManager.default.removeItem(atPath: h.path(".sensorstore/index.sqlite"))
        let third = try h.sds("add", "d")
        third.expectOK()
        #expect(third.stdout.contains("unchanged d") && third.stdout.contains("read 50 file(s)"))
    }

    @Test func checkoutFromSubfolderAndStatusOfSelectedPaths() throws {
        let h = try Harness()
        defer { h.cleanup() }
        try h.write("a/x.csv", "1\n")
        try h.write("b/y.csv", "2\n")
        try h.sds("add", "a/x.csv", "b/y.csv").expectOK()
        try h.commitAll("v1")
        try h.write("b/y.csv", "3\n")
        // From a subfolder, paths are relative to it, like git.
        try h.sds("status", "x.csv", cwd: h.path("a")).expectOK()
        try h.sds("status", "y.csv", cwd: h.path("b")).expectStatus(1)
        try h.sds("add", "y.csv", cwd: h.path("b")).expectOK()
        try h.sds("checkout", "HEAD", "b/y.csv").expectOK()
        #expect(try h.read("b/y.csv") == "2\n")
    }
}

@Suite struct CloneTests {
    /// After `git clone`, the store holds only its tracked config; every verb must still work.
    @Test func aFreshCloneCanAddBuildAndCheckOut() throws {
        let origin = try Harness()
        defer { origin.cleanup() }
        try origin.write("data/a.csv", "1\n")
        try origin.sds("add", "data").expectOK()
        try origin.commitAll("v1")
        let clone = try Harness(git: false, sds: false)
        defer { clone.cleanup() }
        try clone.run("git", ["clone", "-q", origin.root, clone.path("repo")]).expectOK()
        let repo = clone.path("repo")
        #expect(try FileManager.default.contentsOfDirectory(atPath: repo + "/.sensorstore").sorted() == [".gitignore", "config"])
        // The data is not in this store yet: status says so, and add stores it again.
        try clone.write("repo/data/a.csv", "1\n")
        let st = try clone.sds("status", "--porcelain", cwd: repo)
        st.expectStatus(1)
        #expect(st.stdout == "not-in-store data\n")
        try clone.sds("add", "data", cwd: repo).expectOK()
        try clone.sds("status", cwd: repo).expectOK()
        try clone.sds("fsck", cwd: repo).expectOK()
    }
}
