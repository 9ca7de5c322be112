import Foundation
import Testing

/// Checkout never loses data that is not in the store.
@Suite struct CheckoutSafetyTests {
    @Test func refusesToClobberALocallyModifiedFile() throws {
        let h = try Harness()
        defer { h.cleanup() }
        try h.write("d/keep.csv", "v1\n")
        try h.write("d/other.csv", "o1\n")
        try h.sds("add", "d").expectOK()
        try h.commitAll("v1")
        try h.write("d/keep.csv", "v2\n")
        try h.write("d/other.csv", "o2\n")
        try h.sds("add", "d").expectOK()
        try h.commitAll("v2")
        // An edit that was never added: checkout must list it and write nothing at all.
        try h.write("d/keep.csv", "precious edit\n")
        let refused = try h.sds("checkout", "HEAD~1")
        refused.expectStatus(73)
        #expect(refused.stderr.contains("d/keep.csv"))
        #expect(refused.stderr.contains("--force"))
        #expect(try h.read("d/keep.csv") == "precious edit\n")
        #expect(try h.read("d/other.csv") == "o2\n")
        let forced = try h.sds("checkout", "--force", "HEAD~1")
        forced.expectOK()
        #expect(try h.read("d/keep.csv") == "v1\n")
        #expect(try h.read("d/other.csv") == "o1\n")
    }

    @Test func extraFilesAreRemovedOnlyWithForce() throws {
        let h = try Harness()
        defer { h.cleanup() }
        try h.write("d/a.csv", "a\n")
        try h.sds("add", "d").expectOK()
        try h.commitAll("v1")
        try h.write("d/new/b.csv", "b\n")
        let kept = try h.sds("checkout")
        kept.expectOK()
        #expect(h.exists("d/new/b.csv"))
        #expect(kept.stderr.contains("kept 2 path(s)") && kept.stderr.contains("d/new/b.csv"))
        let forced = try h.sds("checkout", "--force")
        forced.expectOK()
        #expect(!h.exists("d/new/b.csv") && !h.exists("d/new"))
        #expect(forced.stdout.contains("removed d/new/b.csv"))
        try h.sds("status").expectOK()
    }

    @Test func missingObjectsAreListedWithAWayOut() throws {
        let h = try Harness()
        defer { h.cleanup() }
        try h.write("f.csv", "data\n")
        try h.sds("add", "f.csv").expectOK()
        let id = try #require(try h.read("f.csv.sds").split(separator: "\n").first { $0.hasPrefix("id: ") }?.dropFirst(4))
        try FileManager.default.removeItem(atPath: h.path(".sensorstore/objects/\(id.prefix(2))/\(id.dropFirst(2))"))
        try FileManager.default.removeItem(atPath: h.path("f.csv"))
        let st = try h.sds("status", "--porcelain")
        st.expectStatus(1)
        #expect(st.stdout == "missing f.csv\n")
        let co = try h.sds("checkout")
        co.expectStatus(66)
        #expect(co.stderr.contains(String(id)) && co.stderr.contains("hint: "))
    }

    @Test func checkoutRestoresOddNamesLinksEmptiesAndModes() throws {
        let h = try Harness()
        defer { h.cleanup() }
        try h.write("d/space name.csv", "1\n")
        try h.write("d/new\nline.csv", "2\n")
        try h.write("d/ünïcødé %41.csv", "3\n")
        try h.write("d/empty.csv", "")
        try FileManager.default.createDirectory(atPath: h.path("d/empty-dir"), withIntermediateDirectories: true)
        try h.write("d/run.sh", "#!/bin/sh\necho hi\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: h.path("d/run.sh"))
        try FileManager.default.createSymbolicLink(atPath: h.path("d/link"), withDestinationPath: "space name.csv")
        let add = try h.sds("add", "d")
        add.expectOK()
        #expect(add.stdout.contains("6 files"))
        try h.commitAll("odd")
        try FileManager.default.removeItem(atPath: h.path("d"))
        try h.sds("status", "--porcelain").expectStatus(1)
        try h.sds("checkout").expectOK()
        #expect(try h.read("d/space name.csv") == "1\n")
        #expect(try h.read("d/new\nline.csv") == "2\n")
        #expect(try h.read("d/ünïcødé %41.csv") == "3\n")
        #expect(try h.read("d/empty.csv") == "")
        var isDir: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: h.path("d/empty-dir"), isDirectory: &isDir) && isDir.boolValue)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: h.path("d/link")) == "space name.csv")
        let mode = try FileManager.default.attributesOfItem(atPath: h.path("d/run.sh"))[.posixPermissions] as! Int
        #expect(mode & 0o100 != 0)
        try h.sds("status").expectOK()
    }
}

@Suite struct LeftoverTests {
    @Test func tempFilesOfAKilledCheckoutAreNotTakenForData() throws {
        let h = try Harness(git: false)
        defer { h.cleanup() }
        try h.write("d/a.csv", "a\n")
        try h.sds("add", "d").expectOK()
        try h.write("d/.a.csv.sds-tmp-4242", "half-written")
        let st = try h.sds("status")
        st.expectOK()
        #expect(st.stderr.contains("skipped 'd/.a.csv.sds-tmp-4242'"))
    }
}
