import SDSCore

/// What the index remembers about one work-tree file: its stat fingerprint and content id.
public struct FileState: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var mtimeNs: Int64
    public var ctimeNs: Int64
    public var id: ObjectID
    /// When the content was hashed (wall clock); only used to spot racily clean entries.
    public var recordedNs: Int64

    public init(stat: FileStat, id: ObjectID, recordedNs: Int64) {
        device = stat.device
        inode = stat.inode
        size = stat.size
        mtimeNs = stat.mtimeNs
        ctimeNs = stat.ctimeNs
        self.id = id
        self.recordedNs = recordedNs
    }

    /// Seconds a file must be older than its hashing for the entry to be trusted.
    ///
    /// A write in the same clock tick as the hashing could keep size and mtime, as
    /// git's "racy clean" entries; such entries are rehashed instead of trusted.
    public static let racyWindowNs: Int64 = 1_000_000_000

    /// The id, if `stat` still matches and the entry is not racy.
    public func id(ifMatching stat: FileStat) -> ObjectID? {
        guard stat.kind == .file, stat.device == device, stat.inode == inode, stat.size == size,
              stat.mtimeNs == mtimeNs, stat.ctimeNs == ctimeNs,
              mtimeNs < recordedNs - Self.racyWindowNs else { return nil }
        return id
    }
}

/// The SQLite index at `.sensorstore/index.sqlite`: a cache over the objects and the work tree.
///
/// Deleting it loses nothing; every table is rebuilt on demand.
public final class StoreIndex {
    public static let schemaVersion = 1
    let db: SQLiteDatabase

    /// Opens the index at `path`; a damaged file (not a database, or corrupt) is moved aside
    /// to `path.damaged-N` (with its `-wal` and `-shm`) and a fresh, empty index is made.
    /// Returns where the damaged file went, or nil when it was sound.
    ///
    /// Opening reads only the first page; damage deeper in the file, met by a query, leaves a
    /// mark, and then this open checks the whole file first (`PRAGMA quick_check`).
    public static func openHealing(path: String) throws -> (index: StoreIndex, movedTo: String?) {
        do {
            let index = try StoreIndex(path: path)
            let mark = path + SQLiteDatabase.suspectSuffix
            if access(mark, F_OK) == 0 {
                let stmt = try index.db.prepare("PRAGMA quick_check(1)")
                try stmt.bind([])
                let sound = try stmt.step() && stmt.text(0) == "ok"
                unlink(mark)
                if !sound { throw SDSError(.badData, "the index '\(path)' failed its check") }
            }
            return (index, nil)
        } catch let error as SDSError where error.kind == .badData {
            var n = 1
            while access("\(path).damaged-\(n)", F_OK) == 0 { n += 1 }
            let aside = "\(path).damaged-\(n)"
            // Another process may have healed it first: then the fresh index is already there.
            if rename(path, aside) == 0 {
                for suffix in ["-wal", "-shm"] { _ = rename(path + suffix, aside + suffix) }
                unlink(path + SQLiteDatabase.suspectSuffix)
                return (try StoreIndex(path: path), aside)
            }
            return (try StoreIndex(path: path), nil)
        }
    }

    /// Whether this connection reads the file as it is and can record nothing (see `snapshot`).
    public let isSnapshot: Bool

    /// Opens the index read-only, without locks or WAL files: opening writes nothing, so a
    /// reader still works where the store's disk is full or mounted read-only. A cache read
    /// this way may miss the newest rows; that only costs rehashing or recomputing.
    public init(snapshot path: String) throws {
        db = try SQLiteDatabase(path: path, immutable: true)
        isSnapshot = true
        try db.execute("SELECT count(*) FROM step_cache")
    }

    public init(path: String) throws {
        isSnapshot = false
        db = try SQLiteDatabase(path: path)
        // Reads the first page: a damaged header fails here, not in the middle of a command.
        try db.execute("SELECT count(*) FROM sqlite_master")
        try db.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
        try db.execute("""
            CREATE TABLE IF NOT EXISTS file_state(
                path TEXT PRIMARY KEY, device INTEGER, inode INTEGER, size INTEGER,
                mtime_ns INTEGER, ctime_ns INTEGER, id BLOB, recorded_ns INTEGER) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS complete_tree(id BLOB PRIMARY KEY) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS step_cache(key BLOB PRIMARY KEY, result BLOB, operator TEXT) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS builds(id BLOB, finished_ns INTEGER, host TEXT, seconds REAL,
                git_commit TEXT, git_dirty INTEGER);
            PRAGMA user_version = \(Self.schemaVersion);
            """)
        // Stores made before builds recorded their git context gain the columns here.
        let columns = try db.prepare("SELECT name FROM pragma_table_info('builds')")
        try columns.bind([])
        var names: Set<String> = []
        while try columns.step() { names.insert(columns.text(0)) }
        if !names.contains("git_commit") {
            try db.execute("ALTER TABLE builds ADD COLUMN git_commit TEXT; ALTER TABLE builds ADD COLUMN git_dirty INTEGER;")
        }
        // And before they recorded how many steps ran and were reused.
        if !names.contains("steps_run") {
            try db.execute("ALTER TABLE builds ADD COLUMN steps_run INTEGER; ALTER TABLE builds ADD COLUMN steps_reused INTEGER;")
        }
    }

    /// A snapshot records nothing: it is open because the index could not be opened to write.
    private func writable() throws {
        guard isSnapshot else { return }
        throw SDSError(.io, "cannot write the index .sensorstore/index.sqlite: it could not be opened for writing",
                       hint: "if the disk that holds .sensorstore is full, free some space and run the command again")
    }

    /// File states for `path` and everything below it (paths relative to the workspace).
    public func fileStates(under path: String) throws -> [String: FileState] {
        let stmt = try db.prepare("""
            SELECT path, device, inode, size, mtime_ns, ctime_ns, id, recorded_ns FROM file_state
            WHERE path = ?1 OR (path >= ?1 || '/' AND path < ?1 || '0')
            """)
        try stmt.bind([.text(path)])
        var out = [String: FileState]()
        while try stmt.step() {
            guard let id = stmt.objectID(6) else { continue }
            var st = FileState(stat: FileStat(stat()), id: id, recordedNs: stmt.int(7))
            st.device = UInt64(bitPattern: stmt.int(1))
            st.inode = UInt64(bitPattern: stmt.int(2))
            st.size = stmt.int(3)
            st.mtimeNs = stmt.int(4)
            st.ctimeNs = stmt.int(5)
            out[stmt.text(0)] = st
        }
        return out
    }

    /// Whether a tree was seen with every object below it in the store.
    ///
    /// Objects are immutable and only removed under the store lock by sds itself,
    /// which must call `forgetCompleteTrees()`; `sds fsck` checks everything anew.
    public func isCompleteTree(_ id: ObjectID) throws -> Bool {
        let stmt = try db.prepare("SELECT 1 FROM complete_tree WHERE id = ?1")
        try stmt.bind([.blob(id.bytes)])
        return try stmt.step()
    }

    public func recordCompleteTree(_ id: ObjectID) throws {
        try writable()
        try db.prepare("INSERT OR IGNORE INTO complete_tree VALUES (?1)").run([.blob(id.bytes)])
    }

    public func forgetCompleteTrees() throws {
        try writable()
        try db.execute("DELETE FROM complete_tree")
    }

    /// The result object of a step key, if one was recorded.
    public func stepResult(_ key: ObjectID) throws -> ObjectID? {
        let stmt = try db.prepare("SELECT result FROM step_cache WHERE key = ?1")
        try stmt.bind([.blob(key.bytes)])
        return try stmt.step() ? stmt.objectID(0) : nil
    }

    /// Every recorded step key and result (a snapshot for lock-free lookups during a build).
    public func allStepResults() throws -> [ObjectID: ObjectID] {
        let stmt = try db.prepare("SELECT key, result FROM step_cache")
        try stmt.bind([])
        var out: [ObjectID: ObjectID] = [:]
        while try stmt.step() {
            if let k = stmt.objectID(0), let r = stmt.objectID(1) { out[k] = r }
        }
        return out
    }

    /// Every step-cache row with the operator that made it.
    public func allStepRows() throws -> [(key: ObjectID, result: ObjectID, op: String)] {
        let stmt = try db.prepare("SELECT key, result, operator FROM step_cache ORDER BY key")
        try stmt.bind([])
        var out: [(ObjectID, ObjectID, String)] = []
        while try stmt.step() {
            if let k = stmt.objectID(0), let r = stmt.objectID(1) { out.append((k, r, stmt.text(2))) }
        }
        return out
    }

    /// Forgets the step-cache rows of these keys; returns how many there were.
    @discardableResult
    public func forgetSteps(keys: Set<ObjectID>) throws -> Int {
        guard !keys.isEmpty else { return 0 }
        var n = 0
        try db.transaction {
            let stmt = try db.prepare("DELETE FROM step_cache WHERE key = ?1")
            for k in keys.sorted() {
                try stmt.run([.blob(k.bytes)])
                n += 1
            }
        }
        return n
    }

    /// Records step results, in one transaction.
    public func recordSteps(_ steps: [(key: ObjectID, result: ObjectID, op: String)]) throws {
        try writable()
        guard !steps.isEmpty else { return }
        try db.transaction {
            let stmt = try db.prepare("INSERT OR REPLACE INTO step_cache VALUES (?1, ?2, ?3)")
            for s in steps { try stmt.run([.blob(s.key.bytes), .blob(s.result.bytes), .text(s.op)]) }
        }
    }

    /// Records when, where and at which git commit a build ran: kept beside the manifest,
    /// never in it, so the build id depends on content only.
    public func recordBuild(_ run: BuildRun) throws {
        try writable()
        try db.prepare("""
            INSERT INTO builds(id, finished_ns, host, seconds, git_commit, git_dirty, steps_run, steps_reused)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            """)
            .run([.blob(run.id.bytes), .int(run.finishedNs), .text(run.host), .text(String(run.seconds)),
                  run.gitCommit.map { .text($0) } ?? .null, run.gitDirty.map { .int($0 ? 1 : 0) } ?? .null,
                  run.stepsRun.map { .int(Int64($0)) } ?? .null, run.stepsReused.map { .int(Int64($0)) } ?? .null])
    }

    /// One recorded build run: when and where it finished (newest first from `builds()`).
    public struct BuildRun: Sendable {
        public var id: ObjectID
        public var finishedNs: Int64
        public var host: String
        public var seconds: Double
        /// HEAD when the build ran, and whether the work tree (or a run step's code) had changes.
        public var gitCommit: String?
        public var gitDirty: Bool?
        /// Steps the run computed and reused (nil for runs logged before they were counted).
        public var stepsRun: Int?
        public var stepsReused: Int?

        public init(id: ObjectID, finishedNs: Int64, host: String, seconds: Double, gitCommit: String?, gitDirty: Bool?,
                    stepsRun: Int? = nil, stepsReused: Int? = nil) {
            self.id = id
            self.finishedNs = finishedNs
            self.host = host
            self.seconds = seconds
            self.gitCommit = gitCommit
            self.gitDirty = gitDirty
            self.stepsRun = stepsRun
            self.stepsReused = stepsReused
        }
    }

    /// Every recorded build run, newest first.
    public func builds() throws -> [BuildRun] {
        let stmt = try db.prepare("""
            SELECT id, finished_ns, host, seconds, git_commit, git_dirty, steps_run, steps_reused FROM builds ORDER BY finished_ns DESC
            """)
        try stmt.bind([])
        var out: [BuildRun] = []
        while try stmt.step() {
            guard let id = stmt.objectID(0) else { continue }
            out.append(BuildRun(id: id, finishedNs: stmt.int(1), host: stmt.text(2), seconds: Double(stmt.text(3)) ?? 0,
                                gitCommit: stmt.isNull(4) ? nil : stmt.text(4), gitDirty: stmt.isNull(5) ? nil : stmt.int(5) != 0,
                                stepsRun: stmt.isNull(6) ? nil : Int(stmt.int(6)), stepsReused: stmt.isNull(7) ? nil : Int(stmt.int(7))))
        }
        return out
    }

    /// Forgets the step-cache rows whose result object is in `results` (removed by gc).
    public func forgetSteps(withResults results: Set<ObjectID>) throws -> Int {
        let all = try allStepResults()
        let gone = all.filter { results.contains($0.value) }.map(\.key)
        guard !gone.isEmpty else { return 0 }
        try db.transaction {
            let stmt = try db.prepare("DELETE FROM step_cache WHERE key = ?1")
            for k in gone { try stmt.run([.blob(k.bytes)]) }
        }
        return gone.count
    }

    /// Records hashed files, in one transaction.
    public func record(_ states: [(path: String, state: FileState)]) throws {
        try writable()
        guard !states.isEmpty else { return }
        try db.transaction {
            let stmt = try db.prepare("INSERT OR REPLACE INTO file_state VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
            for (path, s) in states {
                try stmt.run([.text(path), .int(Int64(bitPattern: s.device)), .int(Int64(bitPattern: s.inode)),
                              .int(s.size), .int(s.mtimeNs), .int(s.ctimeNs), .blob(s.id.bytes), .int(s.recordedNs)])
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
