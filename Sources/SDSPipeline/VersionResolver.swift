import SDSCore
import SDSStore

/// A version of the dataset as the user named it: a recorded build, or the work tree's state.
public struct ResolvedVersion: Sendable {
    public enum Kind: Sendable {
        case build(RecordedBuild)
        /// The current spec and inputs, built or not.
        case workspace
    }
    /// The name as given (`v1`, `HEAD~2`, `9f57d4a2`, `workspace`).
    public var name: String
    public var kind: Kind
    /// How the name was read: `tag`, `build id`, `git revision`, `last build`, `workspace`.
    public var via: String

    public var build: RecordedBuild? { if case .build(let b) = kind { b } else { nil } }
}

extension RecordedBuild {
    /// Reads the manifest object `id`; an error when it is not in the store or not a manifest.
    public static func load(_ workspace: Workspace, _ id: ObjectID) throws -> RecordedBuild {
        guard workspace.store.contains(id) else {
            throw SDSError(.notFound, "the manifest of build \(id.short) is not in this store",
                           hint: "rebuild that version ('git checkout' its commit, then 'sds build'), or copy the store that built it")
        }
        let json = try JSONReader.parse(try workspace.store.read(id))
        guard json["format"]?.string == "sds-build 1" else {
            throw SDSError(.usage, "object \(id.short) is not a build manifest")
        }
        return RecordedBuild(id: id, json: json)
    }
}

/// Reads version names: `workspace`, a tag, a build id or unique prefix (4+ hex digits),
/// or a git revision (its committed `sds.lock`, read with libgit2), in that order.
public struct VersionResolver {
    let workspace: Workspace
    /// The lock file beside the spec, relative to the workspace root.
    let lockPath: String

    public init(workspace: Workspace, lockPath: String) {
        self.workspace = workspace
        self.lockPath = lockPath
    }

    /// The build `sds.lock` names now.
    public func lastBuild() throws -> ResolvedVersion {
        guard let b = try RecordedBuild.fromLock(workspace, lockPath: lockPath) else {
            throw SDSError(.notFound, "no build recorded yet ('\(lockPath)' is missing)", hint: "run 'sds build' first")
        }
        return ResolvedVersion(name: "last build", kind: .build(b), via: "last build")
    }

    public func resolve(_ name: String) throws -> ResolvedVersion {
        if name == "workspace" { return ResolvedVersion(name: name, kind: .workspace, via: "workspace") }
        if let id = try Tags(workspace: workspace).get(name) {
            return ResolvedVersion(name: name, kind: .build(try RecordedBuild.load(workspace, id)), via: "tag")
        }
        if let id = try buildID(prefix: name) {
            return ResolvedVersion(name: name, kind: .build(try RecordedBuild.load(workspace, id)), via: "build id")
        }
        if let repo = try workspace.gitRepository(), (try? repo.resolveCommit(name)) != nil {
            guard let bytes = try workspace.committedFile(lockPath, atRevision: name) else {
                throw SDSError(.notFound, "git revision '\(name)' has no committed \(lockPath)",
                               hint: "commit sds.lock after 'sds build' to pin a build to a commit")
            }
            guard case .string(let hex)? = try JSONReader.parse(bytes)["build"], let id = ObjectID(hex: hex) else {
                throw SDSError(.badData, "'\(name):\(lockPath)' does not name a build")
            }
            return ResolvedVersion(name: name, kind: .build(try RecordedBuild.load(workspace, id)), via: "git revision")
        }
        throw SDSError(.notFound, "'\(name)' names no version: not a tag, a build id or a git revision",
                       hint: "'sds tag --list' and 'sds log --builds' list versions; 'workspace' is the work tree")
    }

    /// The manifest whose id starts with `prefix` (4 to 64 lowercase hex digits), if exactly one does.
    func buildID(prefix: String) throws -> ObjectID? {
        let hexDigits = prefix.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
        guard hexDigits, prefix.utf8.count >= 4, prefix.utf8.count <= 64 else { return nil }
        if let id = ObjectID(hex: prefix) { return workspace.store.contains(id) ? id : nil }
        let dir = workspace.store.objectsDirectory + "/" + prefix.prefix(2)
        let rest = prefix.dropFirst(2)
        var found: [ObjectID] = []
        for n in (try? FileIO.listDirectory(dir)) ?? [] where n.hasPrefix(rest) {
            guard let id = ObjectID(hex: prefix.prefix(2) + n), let bytes = try? workspace.store.read(id),
                  bytes.starts(with: Array("{\"code\":".utf8)), (try? JSONReader.parse(bytes))?["format"]?.string == "sds-build 1"
            else { continue }
            found.append(id)
        }
        guard found.count <= 1 else {
            throw SDSError(.usage, "'\(prefix)' is the start of \(found.count) build ids",
                           hint: "give more digits: " + found.map(\.short).joined(separator: ", "))
        }
        return found.first
    }
}
