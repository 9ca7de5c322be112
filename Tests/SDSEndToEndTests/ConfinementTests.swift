import Foundation
import Testing

/// Design promise 8: nothing a tree, pointer or spec says makes sds write outside the work
/// tree and the store.
@Suite struct ConfinementTests {
    /// Each unsafe name is refused where the tree is decoded: checkout, fsck, status and diff.
    @Test(arguments: ["../../../../x-escape", "..", ".", "a/b", "/tmp/x-abs", "", "nul%00byte",
                      String(repeating: "n", count: 256)])
    func treeEntryWithAnUnsafeNameIsRefusedNamingTheObject(name: String) throws {
        let h = try Harness()
        defer { h.cleanup() }
        let blob = try h.putObject(Data("pwned\n".utf8))
        let tree = try h.putTree(["f 6 \(blob) \(name)"])
        try h.writePointer("d", kind: "dir", id: tree, size: 6, files: 1)
        try h.commitAll("hostile tree")

        let co = try h.sds("checkout")
        co.expectStatus(65)
        #expect(co.stderr.contains("tree object \(tree)"), "\(co.stderr)")
        #expect(!h.exists("d"))
        #expect(!FileManager.default.fileExists(atPath: h.root + "/../../../../x-escape"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/x-abs"))

        let fsck = try h.sds("fsck")
        fsck.expectStatus(1)
        #expect(fsck.stdout.contains("error: bad-tree: object \(tree)"), "\(fsck.stdout)")

        try FileManager.default.createDirectory(atPath: h.path("d"), withIntermediateDirectories: true)
        try h.write("d/other", "x\n")
        let st = try h.sds("status", "--verbose")
        st.expectStatus(65)
        #expect(st.stderr.contains("tree object \(tree) is damaged or unsafe"), "\(st.stdout)\(st.stderr)")
    }

    @Test func twoEntriesWithOneNameAreRefused() throws {
        let h = try Harness()
        defer { h.cleanup() }
        let blob = try h.putObject(Data("x".utf8))
        let link = try h.putObject(Data("/tmp".utf8))
        let tree = try h.putTree(["f 1 \(blob) a", "l 4 \(link) a"])
        try h.writePointer("d", kind: "dir", id: tree, size: 5, files: 2)
        let co = try h.sds("checkout")
        co.expectStatus(65)
        #expect(co.stderr.contains("tree object \(tree)") && co.stderr.contains("two entries"), "\(co.stderr)")
        #expect(!h.exists("d"))
    }

    /// A version whose folder holds a link `a` and whose other pointer writes `a/pwned`:
    /// refused before anything is written, the link included.
    @Test func aWriteThroughALinkTheVersionMakesIsRefusedBeforeAnyWrite() throws {
        let h = try Harness()
        defer { h.cleanup() }
        let outside = try Harness(git: false, sds: false)
        defer { outside.cleanup() }
        let target = try h.putObject(Data(outside.root.utf8))
        let tree = try h.putTree(["l \(outside.root.utf8.count) \(target) a"])
        let blob = try h.putObject(Data("pwned\n".utf8))
        try h.writePointer("d", kind: "dir", id: tree, size: outside.root.utf8.count, files: 1)
        try h.writePointer("d/a/pwned", kind: "file", id: blob, size: 6, files: 1)
        try h.commitAll("link then a file through it")
        try FileManager.default.removeItem(atPath: h.path("d"))

        let co = try h.sds("checkout", "HEAD")
        co.expectStatus(65)
        #expect(co.stderr.contains("symbolic link") && co.stderr.contains("d/a"), "\(co.stderr)")
        #expect(!FileManager.default.fileExists(atPath: outside.root + "/pwned"))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: h.path("d/a"))) == nil)
    }

    /// A link already in the work tree is not followed either.
    @Test func aWriteThroughALinkOnDiskIsRefused() throws {
        let h = try Harness()
        defer { h.cleanup() }
        let outside = try Harness(git: false, sds: false)
        defer { outside.cleanup() }
        let blob = try h.putObject(Data("pwned\n".utf8))
        try h.writePointer("d/a/pwned", kind: "file", id: blob, size: 6, files: 1)
        try h.commitAll("a file below d/a")
        try FileManager.default.removeItem(atPath: h.path("d/a"))
        try FileManager.default.createSymbolicLink(atPath: h.path("d/a"), withDestinationPath: outside.root)

        let co = try h.sds("checkout", "HEAD")
        co.expectStatus(73)
        #expect(co.stderr.contains("symbolic link"), "\(co.stderr)")
        #expect(!FileManager.default.fileExists(atPath: outside.root + "/pwned"))
    }
}
