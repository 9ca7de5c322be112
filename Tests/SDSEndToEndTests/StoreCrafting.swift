import Foundation
import Testing

/// Objects, trees and pointers written by hand, as a hostile or damaged store would hold them.
extension Harness {
    /// Stores `bytes` as an object (as another machine could have) and returns its id.
    @discardableResult
    func putObject(_ bytes: Data) throws -> String {
        let tmp = path(".sensorstore/tmp/crafted")
        try bytes.write(to: URL(fileURLWithPath: tmp))
        let id = String(try run("sha256sum", [tmp]).stdout.prefix(64))
        let dest = objectPath(id)
        try? FileManager.default.removeItem(atPath: dest)
        try FileManager.default.createDirectory(atPath: (dest as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: tmp, toPath: dest)
        return id
    }

    func objectPath(_ id: some StringProtocol) -> String { path(".sensorstore/objects/\(id.prefix(2))/\(id.dropFirst(2))") }

    /// A tree object with the given `<kind> <size> <id> <name>` lines (names already escaped).
    func putTree(_ lines: [String]) throws -> String {
        try putObject(Data(("sds-tree 1\n" + lines.map { $0 + "\n" }.joined()).utf8))
    }

    func writePointer(_ rel: String, kind: String, id: String, size: Int, files: Int) throws {
        try write(rel + ".sds", "sds-pointer: 1\nkind: \(kind)\nid: \(id)\nsize: \(size)\nfiles: \(files)\n")
    }

    /// Changes one byte of a stored object in place (its name no longer matches its bytes).
    func damageObject(_ id: some StringProtocol) throws {
        let p = objectPath(id)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: p)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: p))
        try #require(!bytes.isEmpty, "an empty object cannot be damaged by a flipped byte")
        bytes[bytes.count / 2] ^= 0x20
        try bytes.write(to: URL(fileURLWithPath: p))
    }

    /// The (file, id) of the largest shard in sds.lock (small sets have empty shards).
    func largestShard() throws -> (file: String, id: String) {
        let sized = try shardIDs().map { ($0.key, $0.value, (try? FileManager.default.attributesOfItem(atPath: objectPath($0.value))[.size] as? Int) ?? 0) }
        let best = try #require(sized.max { ($0.2, $0.0) < ($1.2, $1.0) })
        return (best.0, best.1)
    }

    func sha256(_ rel: String) throws -> String { String(try run("sha256sum", [path(rel)]).stdout.prefix(64)) }
}
