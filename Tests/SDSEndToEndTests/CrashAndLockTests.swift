import Foundation
import Testing

@Suite(.serialized) struct CrashAndLockTests {
    @Test func sigkillDuringAddLeavesAConsistentStoreAndARerunCompletes() throws {
        let h = try Harness()
        defer { h.cleanup() }
        let payload = Data(repeating: 0x41, count: 10 * 1024)
        for i in 0..<3000 {
            var d = payload
            d.append(contentsOf: Array("\(i)\n".utf8))
            try h.write("many/f\(i / 100)/\(i).csv", d)
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Harness.binary)
        p.arguments = ["add", "many"]
        p.currentDirectoryURL = URL(fileURLWithPath: h.root)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Kill it once it has stored some objects but (almost surely) not all.
        let objects = h.path(".sensorstore/objects")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let dirs = (try? FileManager.default.contentsOfDirectory(atPath: objects)) ?? []
            if dirs.count >= 20 { break }
            usleep(2_000)
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal)

        let fsck = try h.sds("fsck")
        fsck.expectOK()
        #expect(!fsck.stdout.contains("error:"))
        let rerun = try h.sds("add", "many")
        rerun.expectOK()
        #expect(rerun.stdout.contains("3000 files"))
        try h.sds("status").expectOK()
        let after = try h.sds("fsck")
        after.expectOK()
        #expect(!after.stdout.contains("stale-temp"))
    }

    @Test func aSecondWriterWaitsThenGivesUpWithAClearError() throws {
        let h = try Harness()
        defer { h.cleanup() }
        try h.write("f.csv", "1\n")
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [h.path(".sensorstore/lock"), "sleep", "5"]
        try holder.run()
        defer { holder.terminate(); holder.waitUntilExit() }
        usleep(300_000)
        let blocked = try h.sds("add", "f.csv", env: ["SDS_LOCK_TIMEOUT": "0.5"])
        blocked.expectStatus(75)
        #expect(blocked.stderr.contains("waiting for the store lock"))
        #expect(blocked.stderr.contains("error: the store is locked"))
        #expect(blocked.stderr.contains("hint: "))
        #expect(!h.exists("f.csv.sds"))
        holder.terminate()
        holder.waitUntilExit()
        try h.sds("add", "f.csv").expectOK()
    }
}
