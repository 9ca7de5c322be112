import SDSCore
@testable import SDSStore
import Testing

/// Byte-exact vectors for the hash, tree and pointer encodings (independently computed with sha256sum).
@Suite struct FormatTests {
    let empty = ObjectID(hex: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")!
    let helloNL = ObjectID(hex: "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03")!

    @Test func sha256Vectors() {
        #expect(Hasher256.id(of: []) == empty)
        #expect(Hasher256.id(of: Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hasher256.id(of: Array("hello\n".utf8)) == helloNL)
        // Streaming in pieces gives the same id as one update.
        var h = Hasher256()
        h.update(Array("ab".utf8))
        h.update(Array("c".utf8))
        #expect(h.finalize().hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func treeEncodingVector() throws {
        let dirID = ObjectID(hex: String(repeating: "0", count: 63) + "1")!
        // Entries given out of order: the encoding sorts by raw name bytes and escapes the newline.
        let tree = Tree(entries: [
            .init(kind: .executable, size: 6, id: helloNL, name: "run.sh"),
            .init(kind: .directory, size: 6, id: dirID, name: "dir"),
            .init(kind: .file, size: 0, id: empty, name: "a\nb"),
        ])
        let expected = "sds-tree 1\n"
            + "f 0 \(empty.hex) a%0ab\n"
            + "d 6 \(dirID.hex) dir\n"
            + "x 6 \(helloNL.hex) run.sh\n"
        #expect(String(decoding: tree.encoded(), as: UTF8.self) == expected)
        #expect(Hasher256.id(of: tree.encoded()).hex == "8a8717f32beb4695366bf004ad62aeb987d9a5d5d245d9b3eabaa0de053fe630")
        #expect(try Tree(decoding: tree.encoded()) == tree)
        #expect(tree.totalSize == 12)
    }

    @Test func treeEscapesPercentAndKeepsUnicode() throws {
        let tree = Tree(entries: [.init(kind: .file, size: 1, id: empty, name: "50% é\u{7f}.csv")])
        let text = String(decoding: tree.encoded(), as: UTF8.self)
        #expect(text.hasSuffix(" 50%25 é%7f.csv\n"))
        #expect(try Tree(decoding: tree.encoded()).entries[0].name == "50% é\u{7f}.csv")
    }

    @Test func treeDecodingRejectsNonCanonicalBytes() {
        let line = "f 0 \(empty.hex) b\nf 0 \(empty.hex) a\n"
        #expect(throws: SDSError.self) { try Tree(decoding: Array(("sds-tree 1\n" + line).utf8)) }
        #expect(throws: SDSError.self) { try Tree(decoding: Array("sds-tree 1\nq 0 \(empty.hex) a\n".utf8)) }
        #expect(throws: SDSError.self) { try Tree(decoding: Array("sds-tree 1\nf 0 \(empty.hex) a".utf8)) }
        #expect(throws: SDSError.self) { try Tree(decoding: Array("sds-tree 1\nf 0 \(empty.hex) a%0A\n".utf8)) }
        #expect(throws: SDSError.self) { try Tree(decoding: Array("not a tree".utf8)) }
    }

    @Test func pointerEncodingVector() throws {
        let p = Pointer(kind: .dir, id: helloNL, size: 10240, files: 3)
        let expected = """
            # sds pointer: git tracks this file; the data lives in .sensorstore (see 'sds checkout').
            sds-pointer: 1
            kind: dir
            id: \(helloNL.hex)
            size: 10240
            files: 3

            """
        #expect(String(decoding: p.encoded(), as: UTF8.self) == expected)
        #expect(try Pointer(decoding: p.encoded(), path: "x.sds") == p)
    }

    @Test func pointerErrorsNameLineAndColumn() {
        let bad = "sds-pointer: 1\nkind: folder\nid: \(helloNL.hex)\nsize: 1\nfiles: 1\n"
        do {
            _ = try Pointer(decoding: Array(bad.utf8), path: "data.sds")
            Issue.record("a bad kind parsed")
        } catch let e as SDSError {
            #expect(e.description == "data.sds:2:7: error: kind must be 'file' or 'dir', found \"folder\"")
            #expect(e.kind == .badData)
        } catch { Issue.record("unexpected \(error)") }
        #expect(throws: SDSError.self) {
            try Pointer(decoding: Array("sds-pointer: 2\n".utf8), path: "p.sds")
        }
    }
}
