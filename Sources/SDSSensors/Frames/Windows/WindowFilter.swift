import Crypto

/// A condition a window must meet to be kept.
public enum WindowFilterRule: Sendable, Equatable {
    /// How `.compare` compares a scalar with a number.
    public enum Comparison: String, Sendable, Equatable, CaseIterable {
        case lt, le, gt, ge, eq, ne

        var code: UInt8 {
            switch self {
            case .lt: return 1
            case .le: return 2
            case .gt: return 3
            case .ge: return 4
            case .eq: return 5
            case .ne: return 6
            }
        }

        func holds(_ a: Double, _ b: Double) -> Bool {
            switch self {
            case .lt: return a < b
            case .le: return a <= b
            case .gt: return a > b
            case .ge: return a >= b
            case .eq: return a == b
            case .ne: return a != b
            }
        }
    }

    /// Scalar `name` is not missing.
    case present(String)
    /// Scalar `name` is a number and `number op value` holds (a missing scalar fails every
    /// comparison, `.ne` included).
    case compare(String, op: Comparison, value: Double)
    /// Channel `column` has values in at least `fraction` of its slots.
    case coverage(String, fraction: Double)
    /// Keep the partition only if at least this many windows pass the other rules (checked
    /// last, wherever it stands in the list).
    case minWindows(Int)

    /// The rule as the spec writes it, for reports: `present sleep_minutes`, `compare bmi < 40`,
    /// `coverage steps 0.9`, `min_windows 2`.
    public var name: String {
        func number(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)" }
        switch self {
        case .present(let s): return "present \(s)"
        case .compare(let s, let op, let value): return "compare \(s) \(op.symbol) \(number(value))"
        case .coverage(let c, let f): return "coverage \(c) \(number(f))"
        case .minWindows(let n): return "min_windows \(n)"
        }
    }
}

extension WindowFilterRule.Comparison {
    /// As the spec writes it.
    public var symbol: String {
        switch self {
        case .lt: return "<"
        case .le: return "<="
        case .gt: return ">"
        case .ge: return ">="
        case .eq: return "=="
        case .ne: return "!="
        }
    }
}

/// Keeps the windows that meet every rule (`frame.filter`).
public struct WindowFilter: Sendable, Equatable {
    public static let name = "frame.filter"
    public static let version = 1

    public var rules: [WindowFilterRule]

    public init(rules: [WindowFilterRule]) {
        self.rules = rules
    }

    /// The canonical bytes of the parameters `apply` reads, for step keys.
    public func parameters() -> [UInt8] {
        BinaryWriter.parameters(Self.name) { w in
            w.count(rules.count)
            for rule in rules {
                switch rule {
                case .present(let name): w.u8(1); w.string(name)
                case .compare(let name, let op, let value): w.u8(2); w.string(name); w.u8(op.code); w.f64(value)
                case .coverage(let column, let fraction): w.u8(3); w.string(column); w.f64(fraction)
                case .minWindows(let n): w.u8(4); w.i64(Int64(n))
                }
            }
        }
    }

    /// The windows of `w` meeting every rule, in order; none if fewer than `.minWindows` remain.
    ///
    /// - Throws: `SensorError(.invalidParameter)` for a rule naming a scalar or channel a
    ///   window lacks, or comparing a text scalar with a number.
    public func apply(_ w: WindowedPartition) throws(SensorError) -> WindowedPartition {
        var kept: [FrameWindow] = []
        for window in w.windows {
            if try keeps(window, partition: w.partition) { kept.append(window) }
        }
        for case .minWindows(let n) in rules where kept.count < n { kept = [] }
        return WindowedPartition(partition: w.partition, windows: kept)
    }

    /// How many windows of `w` each rule drops, in rule order: a window counts against the
    /// first rule it fails, and `.minWindows` against the windows it then removes, so the
    /// counts add up to the windows `apply` drops.
    public func dropCounts(_ w: WindowedPartition) throws(SensorError) -> [Int] {
        var counts = [Int](repeating: 0, count: rules.count)
        for case let i? in try droppedBy(w) { counts[i] += 1 }
        return counts
    }

    /// For each window of `w`, in order, the index of the rule that drops it (nil when kept):
    /// the first rule it fails, or the `.minWindows` rule for the windows that passed the
    /// others when too few did (the first such rule in the list).
    public func droppedBy(_ w: WindowedPartition) throws(SensorError) -> [Int?] {
        var out: [Int?] = []
        out.reserveCapacity(w.windows.count)
        for window in w.windows { out.append(try firstFailing(window, partition: w.partition)) }
        let kept = out.filter { $0 == nil }.count
        for (i, rule) in rules.enumerated() {
            if case .minWindows(let n) = rule, kept < n {
                for j in out.indices where out[j] == nil { out[j] = i }
                break
            }
        }
        return out
    }

    private func keeps(_ window: FrameWindow, partition: String) throws(SensorError) -> Bool {
        try firstFailing(window, partition: partition) == nil
    }

    /// The index of the first rule `window` fails (`.minWindows` aside), nil if it passes all.
    private func firstFailing(_ window: FrameWindow, partition: String) throws(SensorError) -> Int? {
        for (i, rule) in rules.enumerated() {
            switch rule {
            case .present(let name):
                if try scalar(name, window, partition).isMissing { return i }
            case .compare(let name, let op, let value):
                switch try scalar(name, window, partition) {
                case .missing: return i
                case .number(let x): if x.isNaN || !op.holds(x, value) { return i }
                case .text:
                    throw SensorError.parameter("\(Self.name): scalar \"\(name)\" of \(partition) is text and cannot be compared with \(value)")
                }
            case .coverage(let column, let fraction):
                guard let channel = window.channel(named: column) else {
                    throw SensorError.parameter("\(Self.name): windows of \(partition) have no channel \"\(column)\""
                                                + WindowSupport.didYouMean(column, among: window.channels.map(\.name)))
                }
                if channel.coverage < fraction { return i }
            case .minWindows:
                continue
            }
        }
        return nil
    }

    private func scalar(_ name: String, _ window: FrameWindow, _ partition: String) throws(SensorError) -> WindowScalar {
        guard let value = window.scalar(named: name) else {
            throw SensorError.parameter("\(Self.name): windows of \(partition) have no scalar \"\(name)\" (add a join for it)"
                                        + WindowSupport.didYouMean(name, among: window.scalars.map(\.name)))
        }
        return value
    }
}

/// Keeps at most `max` partitions, chosen by a salted hash (`frame.subject_cap`).
///
/// The kept partitions are the `max` with the smallest SHA-256 of the UTF-8 bytes of
/// `salt + partition` (compared as bytes), so the choice is reproducible, independent of input
/// order, and a stable random sample: raising `max` only adds partitions.
public struct SubjectCap: Sendable, Equatable {
    public static let name = "frame.subject_cap"
    public static let version = 1

    public var max: Int
    public var salt: String

    public init(max: Int, salt: String = "") {
        self.max = max
        self.salt = salt
    }

    /// The canonical bytes of the parameters `apply` reads, for step keys.
    public func parameters() -> [UInt8] {
        BinaryWriter.parameters(Self.name) { w in
            w.i64(Int64(max))
            w.string(salt)
        }
    }

    /// The partitions of `partitions` to keep.
    public func choose(_ partitions: [String]) -> Set<String> {
        Self.choose(partitions, max: max, salt: salt)
    }

    /// The `max` partitions with the smallest SHA-256(salt + partition); all if there are
    /// fewer, none if `max` ≤ 0. Repeated names count once.
    public static func choose(_ partitions: [String], max: Int, salt: String) -> Set<String> {
        let unique = Set(partitions)
        guard max > 0 else { return [] }
        guard unique.count > max else { return unique }
        let ranked = unique.map { p in (digest: Array(SHA256.hash(data: Array((salt + p).utf8))), partition: p) }
            .sorted { a, b in
                a.digest != b.digest ? a.digest.lexicographicallyPrecedes(b.digest)
                    : a.partition.utf8.lexicographicallyPrecedes(b.partition.utf8)
            }
        return Set(ranked.prefix(max).map(\.partition))
    }
}
