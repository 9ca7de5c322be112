import Crypto

/// One split: entities whose hash bucket is below `upperBound` (and not in an earlier split).
public struct SplitRule: Sendable, Equatable {
    public var name: String
    /// Exclusive upper bound of the bucket `h mod 100`; the last rule's must be 100.
    public var upperBound: Int
    public var shardCount: Int

    public init(name: String, upperBound: Int, shardCount: Int) {
        self.name = name
        self.upperBound = upperBound
        self.shardCount = shardCount
    }
}

/// Parameters of `SplitAssigner.assign`: a salt and the split rules, checked on creation.
public struct SplitParameters: Sendable, Equatable {
    public let salt: [UInt8]
    public let rules: [SplitRule]

    /// - Throws: `SensorError(.invalidParameter)` unless the names are distinct and non-empty,
    ///   the bounds increase strictly from above 0 to exactly 100, and every shard count is ≥ 1.
    public init(salt: [UInt8], rules: [SplitRule]) throws(SensorError) {
        guard !rules.isEmpty else { throw SensorError.parameter("splits: at least one split is needed") }
        var previous = 0
        for rule in rules {
            guard !rule.name.isEmpty else { throw SensorError.parameter("splits: a split has an empty name") }
            guard rule.upperBound > previous, rule.upperBound <= 100 else {
                throw SensorError.parameter("splits: bound \(rule.upperBound) of \(rule.name) must be above \(previous) and at most 100")
            }
            guard rule.shardCount >= 1 else {
                throw SensorError.parameter("splits: \(rule.name) needs at least one shard (has \(rule.shardCount))")
            }
            previous = rule.upperBound
        }
        guard previous == 100 else { throw SensorError.parameter("splits: the last bound must be 100 (is \(previous))") }
        guard Set(rules.map(\.name)).count == rules.count else { throw SensorError.parameter("splits: names repeat") }
        self.salt = salt
        self.rules = rules
    }

    /// - Throws: see `init(salt:rules:)`.
    public init(salt: String, rules: [SplitRule]) throws(SensorError) {
        try self.init(salt: Array(salt.utf8), rules: rules)
    }

    static let tag = ObjectTag("sSPp", version: 1, name: "SplitParameters")

    /// The canonical bytes of these parameters, for step keys.
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(Self.tag)
        w.byteString(salt)
        w.count(rules.count)
        for rule in rules {
            w.string(rule.name)
            w.i64(Int64(rule.upperBound))
            w.i64(Int64(rule.shardCount))
        }
        return w.bytes
    }
}

/// Where an entity's examples go.
public struct SplitAssignment: Sendable, Equatable {
    /// Big-endian u64 of the first 8 bytes of sha256(salt + entity).
    public var hash: UInt64
    /// Index into the rules.
    public var splitIndex: Int
    public var split: String
    /// `hash mod shardCount`.
    public var shard: Int
    public var shardCount: Int
}

/// Assigns entities to splits and shards by a salted hash, so the assignment is stable.
public enum SplitAssigner {
    public static let operatorName = "sensors.split"
    public static let operatorVersion = 1

    /// The big-endian u64 of the first 8 bytes of sha256(salt + entity's UTF-8).
    public static func hash(entity: String, salt: [UInt8]) -> UInt64 {
        var hasher = SHA256()
        hasher.update(data: salt)
        hasher.update(data: Array(entity.utf8))
        var h: UInt64 = 0
        for byte in hasher.finalize().prefix(8) { h = h << 8 | UInt64(byte) }
        return h
    }

    /// The split of the first rule whose bound exceeds `hash mod 100`, and the shard `hash mod shardCount`.
    public static func assign(entity: String, _ parameters: SplitParameters) -> SplitAssignment {
        let h = hash(entity: entity, salt: parameters.salt)
        let bucket = Int(h % 100)
        let index = parameters.rules.firstIndex { bucket < $0.upperBound }!
        let rule = parameters.rules[index]
        return SplitAssignment(hash: h, splitIndex: index, split: rule.name,
                               shard: Int(h % UInt64(rule.shardCount)), shardCount: rule.shardCount)
    }
}
