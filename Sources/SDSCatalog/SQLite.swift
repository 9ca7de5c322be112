import CSQLite
#if canImport(Glibc)
import Glibc
#endif
import SDSCore
import Synchronization

/// One SQLite connection. Not shared across threads: each owner keeps its own.
///
/// The catalog is a cache over the object store, so a failure to open it is
/// reported, and callers may delete and rebuild it.
public final class SQLiteDatabase {
    private var handle: OpaquePointer?
    public let path: String

    /// `readOnly` opens an existing file that no statement may change (`sds query`).
    /// `immutable` also reads it without locks or its `-wal`/`-shm` files, so opening writes
    /// nothing at all (a reader on a full disk or a read-only mount).
    public init(path: String, readOnly: Bool = false, immutable: Bool = false) throws {
        self.path = path
        var db: OpaquePointer?
        var flags = readOnly || immutable ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        if immutable { flags |= SQLITE_OPEN_URI }
        let name = immutable ? "file:" + Self.uriEscaped(path) + "?immutable=1" : path
        let rc = sqlite3_open_v2(name, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw SDSError(.io, "cannot open the index '\(path)': \(message)",
                           hint: "the index is only a cache; delete it and sds rebuilds it")
        }
        handle = db
        sqlite3_busy_timeout(db, 10_000)
    }

    deinit { sqlite3_close_v2(handle) }

    /// A path as a URI's path: every byte but unreserved ones and `/` percent-encoded.
    static func uriEscaped(_ path: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in path.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.append(b)
            default:
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether a result code says the file itself is damaged (not a database, or corrupt),
    /// which such errors carry as `.badData` rather than `.io`.
    static func isDamage(_ rc: Int32) -> Bool { rc & 0xff == SQLITE_CORRUPT || rc & 0xff == SQLITE_NOTADB }

    /// Runs one or more statements without results.
    public func execute(_ sql: String) throws {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let message = err.map { String(cString: $0) } ?? "code \(rc)"
            sqlite3_free(err)
            throw failure(rc, message, sql)
        }
    }

    public func prepare(_ sql: String) throws -> SQLiteStatement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc, sql) }
        return SQLiteStatement(stmt, db: self, sql: sql)
    }

    /// Prepares exactly one statement: SQL after it (other than blanks and ';') is an error,
    /// rather than silently ignored, and so is text with no statement at all.
    public func prepareOne(_ sql: String) throws -> SQLiteStatement {
        var stmt: OpaquePointer?
        var rest = ""
        let rc = sql.withCString { text -> Int32 in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v2(handle, text, -1, &stmt, &tail)
            if let tail { rest = String(cString: tail) }
            return rc
        }
        guard rc == SQLITE_OK else { throw error(rc, sql) }
        guard let stmt else { throw SDSError(.usage, "the SQL holds no statement") }
        let statement = SQLiteStatement(stmt, db: self, sql: sql)
        guard rest.allSatisfy({ $0.isWhitespace || $0 == ";" }) else {
            throw SDSError(.usage, "only one statement can run at a time; found more after it: \(rest.prefix(40))")
        }
        return statement
    }

    /// Runs `body` in one transaction, committing on success.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    func error(_ rc: Int32, _ sql: String) -> SDSError {
        failure(rc, String(cString: sqlite3_errmsg(handle)), sql)
    }

    /// Damage found in the middle of a command leaves a mark beside the file, so the next
    /// open checks the file and, if damaged, moves it aside (see `StoreIndex.openHealing`).
    private func failure(_ rc: Int32, _ message: String, _ sql: String) -> SDSError {
        guard Self.isDamage(rc) else { return SDSError(.io, "SQLite error \(rc): \(message) - while executing `\(sql)`") }
        let mark = open(path + Self.suspectSuffix, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        if mark >= 0 { close(mark) }
        Self.damageSeen.store(true, ordering: .relaxed)
        return SDSError(.badData, "the database '\(path)' is damaged (SQLite error \(rc): \(message))",
                        hint: "it is only a cache: the next sds command moves it aside and rebuilds it")
    }

    /// Set when any connection of this process met a damaged file (see `Workspace.takeIndexDamage`).
    public static let damageSeen = Atomic<Bool>(false)

    /// The mark a damaged database leaves beside itself.
    public static let suspectSuffix = ".damaged-mark"
}

/// A prepared statement; finalized on deinit.
public final class SQLiteStatement {
    private let stmt: OpaquePointer
    private let db: SQLiteDatabase
    private let sql: String

    init(_ stmt: OpaquePointer, db: SQLiteDatabase, sql: String) {
        self.stmt = stmt
        self.db = db
        self.sql = sql
    }

    deinit { sqlite3_finalize(stmt) }

    public enum Value {
        case int(Int64)
        case text(String)
        case blob([UInt8])
        case real(Double)
        case null
    }

    /// Binds values to ?1, ?2, … after a reset.
    public func bind(_ values: [Value]) throws {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
        for (i, v) in values.enumerated() {
            let idx = Int32(i + 1)
            let rc: Int32
            switch v {
            case .int(let n): rc = sqlite3_bind_int64(stmt, idx, n)
            case .text(let s): rc = sqlite3_bind_text(stmt, idx, s, -1, SQLITE_TRANSIENT)
            case .blob(let b): rc = b.withUnsafeBytes { sqlite3_bind_blob(stmt, idx, $0.baseAddress, Int32($0.count), SQLITE_TRANSIENT) }
            case .real(let d): rc = sqlite3_bind_double(stmt, idx, d)
            case .null: rc = sqlite3_bind_null(stmt, idx)
            }
            guard rc == SQLITE_OK else { throw db.error(rc, sql) }
        }
    }

    /// Advances one row; false when done.
    public func step() throws -> Bool {
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw db.error(rc, sql)
    }

    /// Binds and runs to completion.
    public func run(_ values: [Value] = []) throws {
        try bind(values)
        while try step() {}
    }

    public func int(_ column: Int32) -> Int64 { sqlite3_column_int64(stmt, column) }

    public func text(_ column: Int32) -> String {
        guard let p = sqlite3_column_text(stmt, column) else { return "" }
        return String(cString: p)
    }

    public func blob(_ column: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(stmt, column))
        guard n > 0, let p = sqlite3_column_blob(stmt, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }

    /// A 32-byte blob column as an id, or nil for anything else.
    public func objectID(_ column: Int32) -> ObjectID? {
        guard sqlite3_column_bytes(stmt, column) == 32, let p = sqlite3_column_blob(stmt, column) else { return nil }
        return ObjectID(digestBytes: UnsafeRawBufferPointer(start: p, count: 32))
    }

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(stmt, column) == SQLITE_NULL }

    /// Whether the statement only reads (SQLite's own judgement, used to refuse writes).
    public var isReadOnly: Bool { sqlite3_stmt_readonly(stmt) != 0 }

    public var columnCount: Int32 { sqlite3_column_count(stmt) }

    public func columnName(_ column: Int32) -> String {
        sqlite3_column_name(stmt, column).map { String(cString: $0) } ?? ""
    }

    /// A result column of the current row, with SQLite's own type.
    public func value(_ column: Int32) -> Value {
        switch sqlite3_column_type(stmt, column) {
        case SQLITE_INTEGER: return .int(int(column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(stmt, column))
        case SQLITE_TEXT: return .text(text(column))
        case SQLITE_BLOB: return .blob(blob(column))
        default: return .null
        }
    }
}

private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
