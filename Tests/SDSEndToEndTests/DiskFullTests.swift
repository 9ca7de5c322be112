import Foundation
import Testing

/// A full disk (a small tmpfs; needs root, as CI runs): writers fail with exit 74 and keep the
/// earlier state, a failed build leaves no temp files, and readers write nothing to the store.
@Suite(.serialized) struct DiskFullTests {
    /// A tmpfs of `megabytes` mounted on a fresh folder, or nil (with the reason) when this
    /// machine cannot mount one.
    static func mountTmpfs(megabytes: Int) -> (Harness, String?) {
        let h = try! Harness(git: false, sds: false)
        guard getuid() == 0 else { return (h, "not root") }
        let r = try? h.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", h.root])
        guard let r, r.status == 0 else { return (h, "mount failed: \(r?.stderr ?? "")") }
        return (h, nil)
    }

    static func unmount(_ h: Harness) {
        _ = try? h.run("/bin/umount", [h.root], cwd: "/")
        h.cleanup()
    }

    /// Fills the file system to the last byte; the returned file gives the space back.
    static func fill(_ h: Harness) throws -> String {
        let filler = h.path("filler")
        _ = try h.run("/bin/sh", ["-c", "cat /dev/zero > '\(filler)' 2>/dev/null; sync"])
        return filler
    }

    /// Names and sizes of everything in the store, and the objects' ids: what a reader must leave.
    static func storeListing(_ h: Harness) throws -> String {
        try h.run("/bin/sh", ["-c", "cd .sensorstore && find . -path ./index.sqlite-shm -prune -o -path ./index.sqlite-wal -prune -o -printf '%p %s\\n' | LC_ALL=C sort"]).stdout
    }

    static func tempFiles(_ h: Harness) throws -> String {
        try h.run("/bin/sh", ["-c", "find . -path ./.git -prune -o \\( -name '*.tmp' -o -name '*.sds-tmp-*' -o -name '.*sds-tmp*' -o -name '*.sds-old-*' \\) -print"]).stdout
    }

    @Test(.timeLimit(.minutes(3)))
    func writersFailCleanlyAndReadersWriteNothingOnAFullDisk() throws {
        let (h, unavailable) = Self.mountTmpfs(megabytes: 40)
        defer { Self.unmount(h) }
        if let unavailable {
            print("DiskFullTests skipped: cannot mount a tmpfs (\(unavailable))")
            return
        }
        try h.git("init", "-q", "-b", "main").expectOK()
        try h.git("config", "user.email", "t@example.com").expectOK()
        try h.git("config", "user.name", "Test").expectOK()
        try h.sds("init").expectOK()
        try FailpointTests.copyWearable(h)
        try h.sds("build").expectOK()
        try h.sds("tag", "v1").expectOK()
        try h.write("small/a.csv", "a\n")
        try h.sds("add", "small").expectOK()
        try h.commitAll("built")
        // A change that a build would redo, then a full disk.
        try h.write("data/sleep_labels.csv", try h.read("data/sleep_labels.csv").replacingOccurrences(of: ",4", with: ",5"))
        try h.write("big/b.bin", Data(repeating: 7, count: 4 << 20))
        let filler = try Self.fill(h)
        let lock = try h.read("sds.lock")
        let shards = try h.shardHash()

        let build = try h.sds("build")
        build.expectStatus(74)
        #expect(build.stderr.contains("hint:") && build.stderr.contains("full"), "\(build.stderr)")
        #expect(try h.read("sds.lock") == lock)
        #expect(try h.shardHash() == shards)
        #expect(try Self.tempFiles(h) == "", "a failed build left temp files")

        let add = try h.sds("add", "big")
        add.expectStatus(74)
        #expect(!h.exists("big.sds"))
        #expect(try Self.tempFiles(h) == "", "a failed add left temp files")

        // Readers on the full disk: no error from the disk, and the store is as it was.
        let before = try Self.storeListing(h)
        let readers: [[String]] = [
            ["status"], ["build", "--dry-run"], ["diff", "v1"], ["diff", "v1", "workspace"], ["show", "v1"], ["log"],
            ["lineage", "--example", "S0001/2016-01-02"], ["inspect", "out/wearable/1.0.0", "--limit", "1"],
            ["query", "SELECT 1"], ["fsck"],
        ]
        for args in readers {
            let r = try h.run(Harness.binary, args)
            #expect(r.status != 74 && r.status != 70 && !r.stderr.contains("No space"),
                    "sds \(args.joined(separator: " ")): exit \(r.status)\n\(r.stderr)")
            #expect(try Self.storeListing(h) == before, "sds \(args.joined(separator: " ")) wrote to the store")
            #expect(try Self.tempFiles(h) == "", "sds \(args.joined(separator: " ")) left temp files")
        }

        // With space again, the same commands succeed.
        try FileManager.default.removeItem(atPath: filler)
        try h.sds("build").expectOK()
        try h.sds("add", "big").expectOK()
        let fsck = try h.sds("fsck")
        fsck.expectOK()
        #expect(!fsck.stdout.contains("error:"))
    }
}
