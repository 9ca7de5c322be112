import Dispatch
import Glibc
import SDSCore
@testable import SDSStore
import Testing

@Suite struct ObjectStoreTests {
    @Test func putIsAtomicReadOnlyAndIdempotent() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let ws = try Workspace.initialize(at: dir.path).workspace
        let id = try ws.store.put(Array("abc".utf8))
        #expect(id.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let path = ws.store.path(of: id)
        #expect(path.hasSuffix("/objects/ba/7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        let st = try #require(try FileIO.lstat(path))
        #expect(st.mode & 0o777 == 0o444)
        // A second write of the same bytes is a success and leaves no temp file behind.
        #expect(try ws.store.put(Array("abc".utf8)) == id)
        #expect(try FileIO.listDirectory(ws.store.tempDirectory).isEmpty)
        #expect(try ws.store.read(id) == Array("abc".utf8))
    }

    @Test func readOfCorruptObjectIsAnErrorNamingIt() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let ws = try Workspace.initialize(at: dir.path).workspace
        let id = try ws.store.put(Array("precious".utf8))
        let path = ws.store.path(of: id)
        chmod(path, 0o644)
        try FileIO.writeFileAtomically(path, Array("Precious".utf8))
        do {
            // Another process: this one trusts what it wrote itself.
            _ = try ObjectStore(root: ws.store.root).read(id)
            Issue.record("a corrupt object was returned")
        } catch let e as SDSError {
            #expect(e.kind == .badData)
            #expect(e.message.contains(id.hex))
        }
    }

    @Test func ingestOfLargeFileHashesAndStoresExactBytes() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let ws = try Workspace.initialize(at: dir.path).workspace
        // Above the O_DIRECT threshold and not a multiple of the block size, to test the tail path.
        var bytes = [UInt8](repeating: 0, count: 9 * 1024 * 1024 + 123)
        var x: UInt32 = 12345
        for i in bytes.indices { x = x &* 1_103_515_245 &+ 12345; bytes[i] = UInt8(truncatingIfNeeded: x >> 16) }
        let file = dir.path + "/big.bin"
        try FileIO.writeFileAtomically(file, bytes)
        let (id, stat) = try Ingest.file(file, into: ws.store)
        #expect(id == Hasher256.id(of: bytes))
        #expect(stat.size == Int64(bytes.count))
        #expect(try ws.store.read(id) == bytes)
        #expect(try FileIO.listDirectory(ws.store.tempDirectory).isEmpty)
    }

    @Test func fileChangingDuringIngestIsReportedAndNotStored() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let ws = try Workspace.initialize(at: dir.path).workspace
        let file = dir.path + "/growing.bin"
        try FileIO.writeFileAtomically(file, [UInt8](repeating: 7, count: 32 << 20))
        let writer = try FileIO.open(file, O_WRONLY | O_APPEND)
        defer { close(writer) }
        // A writer appends without pause until the ingest is over, or 256 MiB at most, so a
        // slow or stuck reader (a loaded machine, a killed test) cannot fill the disk.
        final class Flag: @unchecked Sendable { var stop = false }
        let flag = Flag()
        let started = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            var chunk = [UInt8](repeating: 1, count: 4096)
            var first = true
            var appended = 0
            while !flag.stop && appended < 256 << 20 {
                appended += chunk.withUnsafeMutableBytes { max(0, Glibc.write(writer, $0.baseAddress, $0.count)) }
                if first { started.signal(); first = false }
            }
            finished.signal()
        }
        started.wait()
        #expect(throws: SDSError.self) { try Ingest.file(file, into: ws.store) }
        flag.stop = true
        finished.wait()
        #expect(try ws.store.listObjects().isEmpty)
        #expect(try FileIO.listDirectory(ws.store.tempDirectory).isEmpty)
    }

    @Test func indexIsOnlyACache() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let ws = try Workspace.initialize(at: dir.path).workspace
        try dir.write("d/a.csv", "1,2\n")
        let first = try Adder(workspace: ws).add([dir.path + "/d"])
        // Deleting the index loses nothing: a fresh workspace rebuilds it and sees the same data.
        try FileIO.remove(ws.storePath + "/index.sqlite")
        try? FileIO.remove(ws.storePath + "/index.sqlite-wal")
        try? FileIO.remove(ws.storePath + "/index.sqlite-shm")
        let again = try Workspace.find(from: dir.path)
        let status = try StatusChecker(workspace: again).status(try again.trackedPaths([]))
        #expect(status.map(\.state) == [.unchanged])
        #expect(status[0].pointer == first[0].pointer)
    }
}
