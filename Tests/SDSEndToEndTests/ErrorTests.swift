import Foundation
import Testing

/// Each kind of failure has its exit status and a sentence saying what to do.
@Suite struct ErrorTests {
    @Test func outsideAWorkspace() throws {
        let h = try Harness(git: false, sds: false)
        defer { h.cleanup() }
        let r = try h.sds("status")
        r.expectStatus(66)
        #expect(r.stderr.contains("error: not inside an sds workspace"))
        #expect(r.stderr.contains("hint: run 'sds init'"))
    }

    @Test func initTwiceChangesNothingAndWritesTheStoreGitignore() throws {
        let h = try Harness()
        defer { h.cleanup() }
        let again = try h.sds("init")
        again.expectOK()
        #expect(again.stdout.contains("already exists"))
        // Only config and .gitignore of the store are visible to git.
        try h.write("f.csv", "1\n")
        try h.sds("add", "f.csv").expectOK()
        let untracked = try h.git("status", "--porcelain", "--untracked-files=all").stdout
        #expect(untracked.contains(".sensorstore/config") && untracked.contains(".sensorstore/.gitignore"))
        #expect(!untracked.contains("objects") && !untracked.contains("index.sqlite") && !untracked.contains("lock"))
    }

    @Test func usageErrors() throws {
        let h = try Harness()
        defer { h.cleanup() }
        try h.write("d/inner.csv", "1\n")
        try h.write("target.csv", "t\n")
        try h.sds("add", "d").expectOK()
        let nested = try h.sds("add", "d/inner.csv")
        nested.expectStatus(64)
        #expect(nested.stderr.contains("inside the tracked folder 'd'"))
        try FileManager.default.createSymbolicLink(atPath: h.path("ln"), withDestinationPath: "target.csv")
        let link = try h.sds("add", "ln")
        link.expectStatus(64)
        #expect(link.stderr.contains("symbolic link"))
        try h.sds("add", "/etc/hostname").expectStatus(64)
        try h.sds("add", ".sensorstore/config").expectStatus(64)
        let missing = try h.sds("add", "nope.csv")
        missing.expectStatus(66)
        try h.sds("status", "untracked.csv").expectStatus(64)
        try h.sds("checkout", "no-such-rev", "d").expectStatus(64)
        try h.sds("frobnicate").expectStatus(64)
    }

    @Test func logAndRevisionsNeedGit() throws {
        let h = try Harness(git: false)
        defer { h.cleanup() }
        try h.write("f.csv", "1\n")
        try h.sds("add", "f.csv").expectOK()
        let r = try h.sds("log", "f.csv")
        r.expectStatus(66)
        #expect(r.stderr.contains("not in a git repository"))
    }
}
