import Foundation
import Testing

@Suite struct HookTests {
    @Test func installingTwiceLeavesOneChainedHook() throws {
        let h = try Harness()
        defer { h.cleanup() }
        let mine = "#!/bin/sh\necho user-hook-ran >> \"$(git rev-parse --show-toplevel)/user-hook.log\"\n"
        try h.write(".git/hooks/pre-commit", mine)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: h.path(".git/hooks/pre-commit"))
        let first = try h.sds("install-hooks")
        first.expectOK()
        #expect(first.stdout.contains("chained pre-commit") && first.stdout.contains("installed post-checkout"))
        let second = try h.sds("install-hooks")
        second.expectOK()
        #expect(second.stdout == "unchanged post-checkout\nunchanged pre-commit\n")
        let hooks = try FileManager.default.contentsOfDirectory(atPath: h.path(".git/hooks")).filter { !$0.hasSuffix(".sample") }
        #expect(hooks.sorted() == ["post-checkout", "pre-commit", "pre-commit.pre-sds"])
        #expect(try h.read(".git/hooks/pre-commit.pre-sds") == mine)
        #expect(try h.read(".git/hooks/pre-commit").contains("# sds-hook"))
        // The hooks are the repository's hooks/ scripts, byte for byte.
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("hooks/pre-commit")
        #expect(try h.read(".git/hooks/pre-commit") == String(contentsOf: source, encoding: .utf8))

        // The chained user hook still runs on commit.
        try h.write("f.csv", "1\n")
        try h.sds("add", "f.csv").expectOK()
        try h.commitAll("v1")
        #expect(try h.read("user-hook.log") == "user-hook-ran\n")
    }

    @Test func preCommitRefusesDataChangedWithoutAdd() throws {
        let h = try Harness()
        defer { h.cleanup() }
        try h.sds("install-hooks").expectOK()
        try h.write("f.csv", "1\n")
        try h.sds("add", "f.csv").expectOK()
        try h.commitAll("v1")
        try h.write("f.csv", "2\n")
        try h.write("notes.txt", "n\n")
        try h.git("add", "notes.txt").expectOK()
        let refused = try h.git("commit", "-q", "-m", "forgot sds add")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("f.csv"))
        try h.sds("add", "f.csv").expectOK()
        try h.commitAll("v2")
    }

    @Test func postCheckoutPutsTheBranchDataBack() throws {
        let h = try Harness()
        defer { h.cleanup() }
        try h.sds("install-hooks").expectOK()
        try h.write("f.csv", "main\n")
        try h.sds("add", "f.csv").expectOK()
        try h.commitAll("main data")
        try h.git("checkout", "-q", "-b", "exp").expectOK()
        try h.write("f.csv", "experiment\n")
        try h.sds("add", "f.csv").expectOK()
        try h.commitAll("exp data")
        try h.git("checkout", "-q", "main").expectOK()
        #expect(try h.read("f.csv") == "main\n")
        try h.git("checkout", "-q", "exp").expectOK()
        #expect(try h.read("f.csv") == "experiment\n")
    }
}
