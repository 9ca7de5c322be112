import Glibc
import SDSCatalog
import SDSCore
import SDSGit

/// A folder with a `.sensorstore/` at its root; found from any subfolder like git finds `.git`.
public final class Workspace {
    public static let storeName = ".sensorstore"
    /// Absolute path of the workspace root, no trailing slash.
    public let root: String
    public let store: ObjectStore
    public var storePath: String { root + "/" + Self.storeName }
    private var cachedIndex: StoreIndex?
    /// Set for a scratch workspace: its store's folder, removed with it.
    private let scratchFolder: String?

    init(root: String) {
        self.root = root
        store = ObjectStore(root: root + "/" + Self.storeName)
        scratchFolder = nil
    }

    private init(root: String, scratchFolder: String, store: ObjectStore) {
        self.root = root
        self.store = store.scratch(in: scratchFolder)
        self.scratchFolder = scratchFolder
    }

    deinit {
        if let scratchFolder { try? FileIO.removeTree(scratchFolder) }
    }

    /// The same work tree over a store that reads this one's objects and writes none (see
    /// `ObjectStore.scratch(in:)`); what it makes lives in a private temp folder outside
    /// the store until the returned workspace goes. Dry runs and status plan through it.
    public func scratch() throws -> Workspace {
        let folder = try FileIO.makeTempFolder("plan")
        let ws = Workspace(root: root, scratchFolder: folder, store: store)
        ws.cachedIndex = cachedIndex
        return ws
    }

    /// True for a workspace made by `scratch()`: it must not write the index or the work tree.
    public var isScratch: Bool { scratchFolder != nil }

    /// The SQLite index, opened on first use; rebuilt empty when deleted.
    ///
    /// A damaged index never stops work: it is moved aside, the step cache is rebuilt from
    /// the build manifests in the store, and one line on stderr says so.
    public func index() throws -> StoreIndex {
        if let cachedIndex { return cachedIndex }
        let path = storePath + "/index.sqlite"
        let i: StoreIndex
        do {
            let (opened, movedTo) = try StoreIndex.openHealing(path: path)
            if let movedTo {
                let steps = try IndexRepair.restoreStepCache(store, into: opened)
                Self.warn("warning: the index .sensorstore/index.sqlite was damaged; moved it to "
                    + "\(FileIO.baseName(movedTo)) and rebuilt it from the objects (\(steps) cached steps)")
            }
            i = opened
        } catch let error as SDSError where error.kind == .io {
            // Opening in WAL mode writes `-wal`/`-shm` files: on a full disk or a read-only
            // mount a reader goes on with the cache as it is; a writer fails at its first write.
            let full = FileIO.isFull(storePath)
            guard let snapshot = try? StoreIndex(snapshot: path) else {
                throw SDSError(.io, "cannot open the index .sensorstore/index.sqlite: \(error.message)",
                               hint: full ? "the disk that holds .sensorstore is full: free some space and run the command again"
                                          : error.hint)
            }
            Self.warn("warning: cannot open the index .sensorstore/index.sqlite for writing ("
                + (full ? "the disk is full" : error.message) + "); reading it as it is")
            i = snapshot
        }
        cachedIndex = i
        return i
    }

    /// Another connection to the index (one per thread that needs its own), opened the way
    /// `index()` opened it.
    public func openIndexConnection() throws -> sending StoreIndex {
        let path = storePath + "/index.sqlite"
        return try index().isSnapshot ? StoreIndex(snapshot: path) : StoreIndex(path: path)
    }

    private static func warn(_ line: String) {
        let text = line + "\n"
        _ = text.withCString { Glibc.write(2, $0, strlen($0)) }
    }

    /// Whether an index query of this process met a damaged file since the last call: then a
    /// command may run once more, and its fresh `index()` moves the file aside and rebuilds it.
    public static func takeIndexDamage() -> Bool { SQLiteDatabase.damageSeen.exchange(false, ordering: .relaxed) }

    /// Finds the workspace containing `directory` (default: the current folder).
    public static func find(from directory: String = FileIO.currentDirectory()) throws -> Workspace {
        var dir = directory
        while true {
            if try FileIO.lstat(dir + "/" + storeName)?.kind == .directory {
                // A fresh git clone has only the tracked config: the local folders come back here.
                for sub in ["/objects", "/tmp"] where try FileIO.lstat(dir + "/" + storeName + sub) == nil {
                    try FileIO.makeDirectories(dir + "/" + storeName + sub)
                }
                return Workspace(root: dir)
            }
            let parent = FileIO.parentDirectory(dir)
            if parent == dir || dir.isEmpty { break }
            dir = parent
        }
        throw SDSError(.notFound, "not inside an sds workspace (no .sensorstore/ here or in any parent folder)",
                       hint: "run 'sds init' at the root of your project first")
    }

    static let storeGitignore = """
        # Written by sds init. Only the shared configuration is tracked by git;
        # objects, the index, temp files, the lock and local settings stay local.
        /*
        !/.gitignore
        !/config

        """

    static let defaultConfig = """
        # sds store configuration; tracked by git and shared by everyone who clones.
        # Machine-specific settings go in config.local (ignored by git).
        [store]
        format = 1

        """

    /// Creates a store in `directory`; an existing one is left as it is.
    @discardableResult
    public static func initialize(at directory: String) throws -> (workspace: Workspace, created: Bool) {
        let store = directory + "/" + storeName
        let existed = try FileIO.lstat(store) != nil
        for sub in ["", "/objects", "/tmp"] { try FileIO.makeDirectories(store + sub) }
        // All 256 fan-out folders up front: creating them during a build costs ~1 ms each here.
        let hex = Array("0123456789abcdef")
        for a in hex { for b in hex { try FileIO.makeDirectories("\(store)/objects/\(a)\(b)") } }
        if try FileIO.lstat(store + "/config") == nil {
            try FileIO.writeFileAtomically(store + "/config", Array(defaultConfig.utf8))
        }
        if try FileIO.lstat(store + "/.gitignore") == nil {
            try FileIO.writeFileAtomically(store + "/.gitignore", Array(storeGitignore.utf8))
        }
        let ws = Workspace(root: directory)
        _ = try ws.index()
        return (ws, !existed)
    }

    /// The git repository the workspace lives in, if any.
    public func gitRepository() throws -> GitRepository? {
        try GitRepository.discover(from: root)
    }

    /// Turns a user path (relative to `cwd` or absolute) into a clean path relative to the root.
    public func relativePath(_ userPath: String, cwd: String = FileIO.currentDirectory()) throws -> String {
        let absolute = FileIO.normalized(userPath.hasPrefix("/") ? userPath : cwd + "/" + userPath)
        let parts = absolute.split(separator: "/", omittingEmptySubsequences: true)
        let rootParts = root.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count > rootParts.count, Array(parts.prefix(rootParts.count)) == rootParts else {
            throw SDSError(.usage, "'\(userPath)' is outside the workspace at '\(root)'")
        }
        let rel = parts.dropFirst(rootParts.count).joined(separator: "/")
        if rel == Self.storeName || rel.hasPrefix(Self.storeName + "/") || rel == ".git" || rel.hasPrefix(".git/") {
            throw SDSError(.usage, "'\(userPath)' is inside sds's or git's own folder and cannot be tracked")
        }
        return rel
    }

    public func absolute(_ relative: String) -> String { root + "/" + relative }
}
