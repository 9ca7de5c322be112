import Glibc
import SDSCore
import SDSRemote
import SDSStore
import Testing

@Suite struct LayoutTests {
    func id(_ n: UInt8) -> ObjectID { ObjectID(digest: [UInt8](repeating: n, count: 32)) }

    @Test func packIndexRoundTripsAndRefusesDamage() throws {
        let idx = PackIndex(pack: id(9), entries: [.init(id: id(2), offset: 5, length: 3), .init(id: id(1), offset: 0, length: 5)])
        let bytes = idx.encoded()
        #expect(bytes.count == 48 + 2 * 48)
        let back = try PackIndex(decoding: bytes, packSize: 8, name: "x")
        #expect(back.pack == id(9))
        #expect(back.entries.map(\.id) == [id(1), id(2)])
        #expect(back.entries.map(\.offset) == [0, 5])
        // An entry past the pack's end, a cut file, unsorted entries: each refused.
        #expect(throws: SDSError.self) { try PackIndex(decoding: bytes, packSize: 7, name: "x") }
        #expect(throws: SDSError.self) { try PackIndex(decoding: Array(bytes.dropLast()), packSize: nil, name: "x") }
        var swapped = bytes
        swapped.replaceSubrange(48..<96, with: bytes[96..<144])
        swapped.replaceSubrange(96..<144, with: bytes[48..<96])
        #expect(throws: SDSError.self) { try PackIndex(decoding: swapped, packSize: nil, name: "x") }
    }

    @Test func iniEditsKeepOtherLines() {
        var ini = INIFile(text: "# sds store configuration\n[store]\nformat = 1\n")
        ini.set("url", "s3://b/p", in: "remote \"origin\"")
        ini.set("remote", "origin", in: "core")
        ini.set("region", "eu-west-1", in: "remote \"origin\"")
        #expect(ini.text == "# sds store configuration\n[store]\nformat = 1\n[remote \"origin\"]\n\turl = s3://b/p\n\tregion = eu-west-1\n[core]\n\tremote = origin\n")
        ini.set("region", nil, in: "remote \"origin\"")
        ini.removeSection("core")
        #expect(ini.text == "# sds store configuration\n[store]\nformat = 1\n[remote \"origin\"]\n\turl = s3://b/p\n")
        #expect(ini.value("format", in: "store") == "1")
    }

    @Test func fileBackendPublishesWholeFilesOnly() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let b = FileBackend(name: "t", root: dir.path + "/remote")
        #expect(try b.get("refs/tags/v1") == nil)
        #expect(try b.putIfAbsent("refs/tags/v1", Array("a\n".utf8)))
        #expect(try !b.putIfAbsent("refs/tags/v1", Array("b\n".utf8)))
        #expect(try b.get("refs/tags/v1") == Array("a\n".utf8))
        try b.put("packs/x.pack", Array("0123456789".utf8), sha256: nil)
        #expect(try b.get("packs/x.pack", range: 2..<5) == Array("234".utf8))
        #expect(try b.list("packs/").map(\.key) == ["packs/x.pack"])
        #expect(try b.list("").map(\.key) == ["packs/x.pack", "refs/tags/v1"])
        // No temp file is left behind, and a listing never shows one.
        #expect(try FileIO.listDirectory(dir.path + "/remote/tmp").isEmpty)
        try b.delete("packs/x.pack")
        try b.delete("packs/x.pack")
        #expect(try b.list("packs/").isEmpty)
    }

    @Test func pushThenFetchThroughPacksIsVerified() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let a = try Workspace.initialize(at: dir.path + "/a").workspace
        let b = try Workspace.initialize(at: dir.path + "/b").workspace
        var ids: [ObjectID] = []
        for i in 0..<50 { ids.append(try a.store.put(Array("object \(i)".utf8))) }
        let backend = FileBackend(name: "t", root: dir.path + "/remote")
        let remoteA = RemoteStore(backend: backend, cacheDirectory: dir.path + "/cache-a")
        try remoteA.checkFormat(create: true)
        let first = try remoteA.pushObjects(ids, from: a.store, have: remoteA.inventory(), progress: TransferProgress())
        #expect(first.objects == 50)
        #expect(first.packs == 1)
        // Nothing is sent twice.
        let again = try remoteA.pushObjects(ids, from: a.store, have: remoteA.inventory(), progress: TransferProgress())
        #expect(again.objects == 0)
        let remoteB = RemoteStore(backend: backend, cacheDirectory: dir.path + "/cache-b")
        let got = try remoteB.fetchObjects(Set(ids), into: b.store, have: remoteB.inventory(), progress: TransferProgress())
        #expect(got.objects == 50)
        for (i, id) in ids.enumerated() { #expect(try b.store.read(id) == Array("object \(i)".utf8)) }

        // A flipped byte in the pack is found on fetch, named, and nothing of it is stored.
        let c = try Workspace.initialize(at: dir.path + "/c").workspace
        let pack = try #require(try backend.list("packs/").first { $0.key.hasSuffix(".pack") })
        let path = dir.path + "/remote/" + pack.key
        chmod(path, 0o644)
        var bytes = try FileIO.readFile(path)
        bytes[3] ^= 1
        try FileIO.writeFileAtomically(path, bytes)
        let remoteC = RemoteStore(backend: backend, cacheDirectory: dir.path + "/cache-c")
        let error = #expect(throws: SDSError.self) {
            try remoteC.fetchObjects(Set(ids), into: c.store, have: remoteC.inventory(), progress: TransferProgress())
        }
        #expect(error?.kind == .badData)
        #expect(error?.message.contains("is corrupt (\(pack.key) at offset 0)") == true)
        #expect(try c.store.listObjects().isEmpty)
    }
}

/// A fresh folder under the system temp dir, removed by `cleanup()`.
struct TempDir {
    let path: String

    init() {
        var template = Array("/tmp/sds-remote-test-XXXXXX".utf8CString)
        let p = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = String(cString: p!)
    }

    func cleanup() { _ = system("rm -rf '\(path)'") }
}
