import Foundation
import Testing

/// Corrupted stores: fsck names each problem with a stable id (git t1450 style).
@Suite struct FsckTests {
    @Test func flippedByteInAnObjectIsFoundAndNamed() throws {
        let h = try Harness()
        defer { h.cleanup() }
        try h.write("d/a.csv", "alpha\n")
        try h.write("d/b.csv", "beta\n")
        try h.sds("add", "d").expectOK()
        try h.sds("fsck").expectOK()
        // Change one byte of the object holding "alpha\n".
        let real = try h.run("sha256sum", [h.path("d/a.csv")]).stdout.prefix(64)
        let objectPath = h.path(".sensorstore/objects/\(real.prefix(2))/\(real.dropFirst(2))")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: objectPath)
        try Data("Alpha\n".utf8).write(to: URL(fileURLWithPath: objectPath))
        let fsck = try h.sds("fsck")
        fsck.expectStatus(1)
        let actual = try h.run("sha256sum", [objectPath]).stdout.prefix(64)
        #expect(fsck.stdout.contains("error: hash-mismatch: object \(real): content hashes to \(actual)\n"))
        #expect(fsck.stdout.contains("1 error(s)"))
        #expect(fsck.stderr.contains("hint:"))
        // Reading through the damaged object is refused, never used.
        try FileManager.default.removeItem(atPath: h.path("d"))
        let co = try h.sds("checkout")
        co.expectStatus(65)
        #expect(co.stderr.contains("object \(real) is corrupt"))
        #expect(!h.exists("d/a.csv"))
    }

    @Test func missingObjectBadNameAndBadPointerEachHaveAnID() throws {
        let h = try Harness()
        defer { h.cleanup() }
        try h.write("f.csv", "x\n")
        try h.sds("add", "f.csv").expectOK()
        let id = try h.run("sha256sum", [h.path("f.csv")]).stdout.prefix(64)
        try FileManager.default.removeItem(atPath: h.path(".sensorstore/objects/\(id.prefix(2))/\(id.dropFirst(2))"))
        try h.write(".sensorstore/objects/zz/junk", "junk")
        try h.write("g.csv.sds", "sds-pointer: 1\nkind: file\nid: nothex\nsize: 1\nfiles: 1\n")
        let fsck = try h.sds("fsck")
        fsck.expectStatus(1)
        #expect(fsck.stdout.contains("error: missing-object: object \(id): needed by f.csv.sds but not in the store\n"))
        #expect(fsck.stdout.contains("error: bad-object-name: objects/zz/junk:"))
        #expect(fsck.stdout.contains("error: bad-pointer: pointer g.csv.sds: id must be 64 lowercase hex digits\n"))
        // The same bad pointer is a data error with file:line:col for other verbs.
        let st = try h.sds("status", "g.csv")
        st.expectStatus(65)
        #expect(st.stderr.contains("g.csv.sds:3:5: error: id must be 64 lowercase hex digits"))
    }
}
