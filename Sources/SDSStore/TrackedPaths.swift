import SDSCore

/// A tracked path: the data at `path` stands behind the pointer file `path.sds`.
public struct TrackedPath: Sendable {
    /// Data path relative to the workspace root.
    public var path: String
    public var pointer: Pointer
    public var pointerPath: String { path + Pointer.suffix }

    public init(path: String, pointer: Pointer) {
        self.path = path
        self.pointer = pointer
    }
}

extension Workspace {
    /// Every pointer file in the work tree, sorted by path.
    ///
    /// Hidden folders (`.git`, `.sensorstore`, `.build`, …), tracked folders and
    /// nested workspaces are not searched; a pointer there is found only when named.
    public func pointerFiles() throws -> [String] { try workTreeFiles { $0.hasSuffix(Pointer.suffix) } }

    /// Files of the work tree whose name matches, outside hidden folders, tracked data and
    /// nested workspaces, relative to the root, sorted.
    public func workTreeFiles(named match: (String) -> Bool) throws -> [String] {
        var out: [String] = []
        func visit(_ rel: String) throws {
            let entries = try FileIO.listDirectoryTyped(rel.isEmpty ? root : absolute(rel), sorted: false)
            // A folder with its own store is another workspace.
            if !rel.isEmpty && entries.contains(where: { $0.name == Workspace.storeName }) { return }
            let pointers = Set(entries.filter { $0.name.hasSuffix(Pointer.suffix) && !$0.isDirectory }.map(\.name))
            for (name, isDirectory) in entries {
                let childRel = rel.isEmpty ? name : rel + "/" + name
                if !isDirectory && match(name) {
                    out.append(childRel)
                    continue
                }
                if isDirectory && !name.hasPrefix(".") && !pointers.contains(name + Pointer.suffix) { try visit(childRel) }
            }
        }
        try visit("")
        return out.sorted()
    }

    /// Reads the pointer for data path `rel` from the work tree.
    public func readPointer(_ rel: String) throws -> Pointer? {
        let p = rel + Pointer.suffix
        guard let bytes = try FileIO.readFileIfExists(absolute(p)) else { return nil }
        return try Pointer(decoding: bytes, path: p)
    }

    /// The tracked paths selected by user arguments (all when empty).
    ///
    /// An argument names a tracked path, its pointer file, or a folder holding tracked paths.
    public func trackedPaths(_ arguments: [String]) throws -> [TrackedPath] {
        let all = try pointerFiles().map { String($0.dropLast(Pointer.suffix.count)) }
        var selected: [String] = []
        if arguments.isEmpty {
            selected = all
        } else {
            for arg in arguments {
                var rel = try relativePath(arg)
                if rel.hasSuffix(Pointer.suffix) { rel.removeLast(Pointer.suffix.count) }
                if try FileIO.lstat(absolute(rel + Pointer.suffix)) != nil {
                    selected.append(rel)
                    continue
                }
                let below = all.filter { $0.hasPrefix(rel + "/") }
                guard !below.isEmpty else {
                    throw SDSError(.usage, "'\(arg)' is not tracked by sds (no '\(rel + Pointer.suffix)')",
                                   hint: "run 'sds add \(arg)' to start tracking it")
                }
                selected += below
            }
        }
        var seen = Set<String>()
        return try selected.filter { seen.insert($0).inserted }.sorted().map { rel in
            guard let p = try readPointer(rel) else {
                throw SDSError(.notFound, "pointer file '\(rel + Pointer.suffix)' disappeared")
            }
            return TrackedPath(path: rel, pointer: p)
        }
    }
}
