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

/// Checkout finds every damaged or missing object before its first write.
@Suite struct CheckoutDamageTests {
    @Test func everyDamagedAndMissingObjectIsListedAndNothingIsWritten() throws {
        let h = try Harness()
        defer { h.cleanup() }
        for (name, text) in [("a", "alpha\n"), ("b", "beta\n"), ("c", "gamma\n"), ("d", "delta\n")] {
            try h.write("data/\(name).csv", text)
        }
        try h.sds("add", "data").expectOK()
        let a = try h.sha256("data/a.csv"), c = try h.sha256("data/c.csv"), d = try h.sha256("data/d.csv")
        try h.damageObject(c)
        try h.damageObject(d)
        try FileManager.default.removeItem(atPath: h.objectPath(a))
        try FileManager.default.removeItem(atPath: h.path("data"))

        let co = try h.sds("checkout")
        co.expectStatus(65)
        for id in [a, c, d] { #expect(co.stderr.contains(id), "\(co.stderr)") }
        #expect(co.stderr.contains("2 object(s) needed for this version are damaged and 1 are not in the store"), "\(co.stderr)")
        #expect(co.stderr.contains("hint:"))
        #expect(!h.exists("data"), "checkout wrote before refusing")
    }

    @Test func onlyMissingObjectsAreNotFound() throws {
        let h = try Harness()
        defer { h.cleanup() }
        try h.write("data/a.csv", "alpha\n")
        try h.write("data/b.csv", "beta\n")
        try h.sds("add", "data").expectOK()
        for f in ["a", "b"] { try FileManager.default.removeItem(atPath: h.objectPath(try h.sha256("data/\(f).csv"))) }
        try FileManager.default.removeItem(atPath: h.path("data"))
        let co = try h.sds("checkout")
        co.expectStatus(66)
        #expect(co.stderr.contains("2 object(s) needed for this version are not in the store"), "\(co.stderr)")
        #expect(!h.exists("data"))
    }
}

/// Pointer fields are checked where the pointer is decoded.
@Suite struct PointerDecodingTests {
    @Test(arguments: [("size: +6", "size must be a whole number"), ("size: -1", "size must be a whole number"),
                      ("files: 2", "names 1 file"), ("files: 0x1", "files must be a whole number")])
    func aPointerWithABadFieldIsRefusedWithItsLine(field: String, message: String) throws {
        let h = try Harness()
        defer { h.cleanup() }
        try h.write("f.csv", "x\n")
        try h.sds("add", "f.csv").expectOK()
        let key = String(field.prefix { $0 != ":" })
        let text = try h.read("f.csv.sds").split(separator: "\n").map { $0.hasPrefix(key + ":") ? field : String($0) }
        try h.write("f.csv.sds", text.joined(separator: "\n") + "\n")
        let st = try h.sds("status", "f.csv")
        st.expectStatus(65)
        #expect(st.stderr.contains("f.csv.sds:") && st.stderr.contains(message), "\(st.stderr)")
        let fsck = try h.sds("fsck")
        fsck.expectStatus(1)
        #expect(fsck.stdout.contains("error: bad-pointer: pointer f.csv.sds: \(message)") || fsck.stdout.contains(message), "\(fsck.stdout)")
    }
}
