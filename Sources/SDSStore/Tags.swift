import Glibc
import SDSCore

/// Names for builds: `.sensorstore/tags/NAME` holds the build id (64 hex digits and a newline).
///
/// Tags are local to a store, like the objects they name (git ignores `.sensorstore/`
/// except its config). To share a version, commit `sds.lock` and use a git tag: any
/// command that takes a VERSION also accepts a git revision. A tag is written atomically
/// (temp file, fsync, rename, fsync the folder) under the store lock.
public struct Tags {
    let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    var directory: String { workspace.storePath + "/tags" }

    /// Letters, digits, `.`, `_`, `-`, at most 100, not starting with `.` or `-`; not `workspace`
    /// and not 4 or more hex digits alone (those name builds by id).
    public static func validate(_ name: String) throws {
        let ok = !name.isEmpty && name.utf8.count <= 100 && !name.hasPrefix(".") && !name.hasPrefix("-")
            && name.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)
                    || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
            }
        guard ok else {
            throw SDSError(.usage, "'\(name)' is not a valid tag name",
                           hint: "use letters, digits, '.', '_' and '-' (at most 100, not starting with '.' or '-')")
        }
        let hex = name.utf8.count >= 4 && name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
        guard name != "workspace", !hex else {
            throw SDSError(.usage, "'\(name)' would be read as \(hex ? "a build id" : "the work tree's state"), not a tag",
                           hint: "pick another name, e.g. 'v1'")
        }
    }

    /// The build a tag names, or nil.
    public func get(_ name: String) throws -> ObjectID? {
        guard (try? Self.validate(name)) != nil,
              let bytes = try FileIO.readFileIfExists(directory + "/" + name) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: ["\n", " "])
        guard let id = ObjectID(hex: text) else {
            throw SDSError(.badData, "tag '\(name)' does not hold a build id", path: directory + "/" + name)
        }
        return id
    }

    /// Points `name` at `id`; an existing tag naming another build needs `force`.
    public func set(_ name: String, to id: ObjectID, force: Bool) throws {
        try Self.validate(name)
        if let old = try get(name), old != id, !force {
            throw SDSError(.conflict, "tag '\(name)' already names build \(old.short)",
                           hint: "delete it first ('sds tag --delete \(name)') or pass --force to move it")
        }
        try FileIO.makeDirectories(directory)
        try FileIO.writeFileAtomically(directory + "/" + name, Array((id.hex + "\n").utf8))
    }

    /// Removes a tag; the build's objects stay until 'sds gc'.
    public func delete(_ name: String) throws {
        guard try get(name) != nil else {
            throw SDSError(.notFound, "no tag '\(name)'", hint: "'sds tag --list' shows the tags")
        }
        Failpoint.tagRemove.pass()
        try FileIO.remove(directory + "/" + name)
        try FileIO.fsyncDirectory(directory)
    }

    /// Every tag, sorted by name.
    public func all() throws -> [(name: String, id: ObjectID)] {
        try names().compactMap { n in try get(n).map { (n, $0) } }
    }

    /// Every tag name, sorted, whether or not its file holds a build id.
    public func names() throws -> [String] {
        guard try FileIO.lstat(directory) != nil else { return [] }
        return try FileIO.listDirectory(directory).filter { !FileIO.isTempName($0) }.sorted()
    }
}
