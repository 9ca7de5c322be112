import SDSCore

/// One stored name on a remote and its size in bytes.
public struct RemoteEntry: Sendable, Equatable {
    public var key: String
    public var size: Int64
    /// Last modified, in Unix seconds (0 when unknown).
    public var modified: Int64
    public init(key: String, size: Int64, modified: Int64 = 0) { self.key = key; self.size = size; self.modified = modified }
}

/// The few operations sds needs from a place that holds objects: an S3 bucket or a folder.
///
/// Keys are `/`-separated names relative to the remote's root (its S3 prefix or folder).
/// Invariants every backend keeps: a name appears only with all its bytes (a reader never
/// sees half an object); `putIfAbsent` never replaces; every failure is an `SDSError`
/// that names the key and the remote.
public protocol RemoteBackend: Sendable {
    /// How messages name the remote: `'origin' (s3://bucket/prefix)`.
    var displayName: String { get }
    /// Every key under `prefix` (a folder-like prefix ending in `/`, or ""), sorted bytewise.
    func list(_ prefix: String) throws -> [RemoteEntry]
    /// The bytes of `key` (only `range` of them when given); nil when the key does not exist.
    func get(_ key: String, range: Range<Int64>?) throws -> [UInt8]?
    /// Stores `bytes` under `key`, replacing nothing half-written. `sha256`, when known, lets
    /// the server check the body (S3 signs it).
    func put(_ key: String, _ bytes: [UInt8], sha256: ObjectID?) throws
    /// Stores `bytes` under `key` unless the key exists; false when it did.
    func putIfAbsent(_ key: String, _ bytes: [UInt8]) throws -> Bool
    /// Stores the file at `path` (`size` bytes) under `key`: in parts, several at once, on S3.
    func putFile(_ key: String, path: String, size: Int64, progress: @Sendable (Int64) -> Void) throws
    /// Writes the `size` bytes of `key` into the open file `fd` (from offset 0), in parallel ranges where it helps.
    func getToFile(_ key: String, size: Int64, fd: Int32, path: String, progress: @Sendable (Int64) -> Void) throws
    /// Removes `key`; an absent key is not an error.
    func delete(_ key: String) throws
}

extension RemoteBackend {
    public func get(_ key: String) throws -> [UInt8]? { try get(key, range: nil) }
}

/// Sizes that shape transfers.
public enum TransferSizes {
    /// Objects smaller than this travel in packs.
    public static let packThreshold: Int64 = 4 << 20
    /// A pack is closed once it holds this many bytes.
    public static let packTarget = 8 << 20
    /// Large objects go in parts of this size (S3 multipart, ranged GETs).
    public static let partSize: Int64 = 16 << 20
    /// Transfers running at once.
    public static let parallel = 8
}
