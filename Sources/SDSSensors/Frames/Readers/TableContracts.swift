/// A source's data contracts (`contracts:` in sds.yaml): rules its rows must keep.
///
/// They are checked on the frames the source's read made, so rows the read set aside (bad
/// numbers, timestamps) are not checked again: `max_bad_rows` counts those. Each rule reports
/// how many rows it checked, how many broke it and the first (in file order) that did.
public struct TableContracts: Sendable, Equatable {
    public static let name = "check.contracts"
    public static let version = 1

    /// A column a rule names, resolved against the reader's settings.
    public enum Column: Sendable, Equatable, Hashable {
        /// The partition key (all of its columns).
        case partition
        /// The parsed time, in milliseconds.
        case time
        /// A frame column, by its name in the frame (`as:` if renamed).
        case values(String)
    }

    public enum Kind: Sendable, Equatable {
        /// The key's values appear at most once: within a partition when the key holds the
        /// partition column, in the whole source otherwise.
        case unique([Column])
        /// No missing value (NaN or an empty text).
        case notNull(Column)
        /// Non-decreasing within each partition, in file order (missing values are skipped).
        case monotonic(Column)
        /// Every value inside the closed range (missing values are skipped).
        case range(Column, ClosedRange<Double>)
        /// Every text value one of these (missing values are skipped).
        case allowedText(Column, [String])
        /// Every number one of these (missing values are skipped).
        case allowedNumbers(Column, [Double])
        /// The source's row count inside the bounds.
        case rows(min: Int?, max: Int?)
    }

    public struct Rule: Sendable, Equatable {
        public var kind: Kind
        /// The rule as reports name it, e.g. `unique [Id, ActivityHour]`; stable, so `sds diff`
        /// can pair a rule across builds.
        public var label: String
        /// The file's column a violation points at (for `file:line:col`), nil for `rows`.
        public var field: String?

        public init(_ kind: Kind, label: String, field: String?) {
            self.kind = kind
            self.label = label
            self.field = field
        }
    }

    public var rules: [Rule]
    /// True with `on_violation: warn`: broken rules are recorded, the build goes on.
    public var warnOnly: Bool

    public init(rules: [Rule], warnOnly: Bool = false) {
        self.rules = rules
        self.warnOnly = warnOnly
    }

    /// The canonical bytes of the rules (the labels carry every value a rule checks).
    public func parameters() -> [UInt8] {
        BinaryWriter.parameters(Self.name) { w in
            w.count(rules.count)
            for r in rules {
                w.string(r.label)
                w.string(r.field ?? "")
                switch r.kind {
                case .unique(let key):
                    w.u8(1)
                    w.count(key.count)
                    for c in key { Self.write(c, &w) }
                case .notNull(let c): w.u8(2); Self.write(c, &w)
                case .monotonic(let c): w.u8(3); Self.write(c, &w)
                case .range(let c, let r):
                    w.u8(4); Self.write(c, &w)
                    w.f64(r.lowerBound)
                    w.f64(r.upperBound)
                case .allowedText(let c, let values):
                    w.u8(5); Self.write(c, &w)
                    w.count(values.count)
                    for v in values { w.string(v) }
                case .allowedNumbers(let c, let values):
                    w.u8(6); Self.write(c, &w)
                    w.count(values.count)
                    for v in values { w.f64(v) }
                case .rows(let lo, let hi):
                    w.u8(7)
                    w.i64(Int64(lo ?? -1))
                    w.i64(Int64(hi ?? -1))
                }
            }
            w.u8(warnOnly ? 1 : 0)
        }
    }

    private static func write(_ c: Column, _ w: inout BinaryWriter) {
        switch c {
        case .partition: w.u8(1)
        case .time: w.u8(2)
        case .values(let name): w.u8(3); w.string(name)
        }
    }
}

/// What one rule found in a source.
public struct ContractOutcome: Sendable, Equatable {
    public var rule: String
    /// Rows looked at (rows with a missing value count for the rules that skip them too).
    public var checked: Int
    public var violations: Int
    /// The first violating row's 1-based line in the file (0: none, or a `rows` rule).
    public var firstLine: Int64
    /// The file's column the rule points at (see `TableContracts.Rule.field`).
    public var field: String?
    /// A sentence that may explain the violations (the 12-hour clock of duplicate times).
    public var note: String?

    public init(rule: String, checked: Int, violations: Int, firstLine: Int64, field: String?, note: String? = nil) {
        self.rule = rule
        self.checked = checked
        self.violations = violations
        self.firstLine = firstLine
        self.field = field
        self.note = note
    }
}

/// Checks a source's contracts one partition frame at a time, then reports each rule.
///
/// Memory: a `unique` key holding the partition column keeps one partition's keys at a time;
/// one without it keeps every distinct key of the source (its bytes, plus two line numbers).
/// The other rules keep a few numbers per rule.
public struct ContractChecker {
    let contracts: TableContracts
    /// Whether times are read in UTC, so a time's hour of day is the one the file wrote.
    let utcTimes: Bool
    private var outcomes: [ContractOutcome]
    private var global: [Int: [[UInt8]: Earliest]] = [:]
    /// The earliest and latest hour of day of any time (UTC sources), for the 12-hour clock
    /// note: read as 24-hour, such a clock writes hours 1 to 12 only.
    private var earliestHour = 24, latestHour = -1
    private var rows = 0

    public init(_ contracts: TableContracts, utcTimes: Bool) {
        self.contracts = contracts
        self.utcTimes = utcTimes
        outcomes = contracts.rules.map { ContractOutcome(rule: $0.label, checked: 0, violations: 0, firstLine: 0, field: $0.field) }
    }

    /// Checks one partition's rows; `lineBase` is added to the frame's lines to give file lines.
    public mutating func add(_ frame: Frame, lineBase: Int64 = 0) {
        let n = frame.time.count
        var previous: Int64 = .min
        for l in frame.lines where l != previous {
            rows += 1
            previous = l
        }
        if frame.lines.isEmpty { rows += n }
        if utcTimes {
            for t in frame.time {
                let hour = Int(((t % 86_400_000) + 86_400_000) % 86_400_000 / 3_600_000)
                if hour > latestHour { latestHour = hour }
                if hour < earliestHour { earliestHour = hour }
            }
        }
        func line(_ i: Int) -> Int64 { frame.lines.isEmpty ? 0 : frame.lines[i] + lineBase }
        for (r, rule) in contracts.rules.enumerated() {
            var bad = 0, first: Int64 = 0
            func broken(_ i: Int) {
                bad += 1
                let l = line(i)
                if first == 0 || l < first { first = l }
            }
            switch rule.kind {
            case .rows:
                continue
            case .notNull(let c):
                switch values(c, frame) {
                case .double(let v)?: for i in 0..<n where v[i].isNaN { broken(i) }
                case .text(let v)?: for i in 0..<n where v[i].isEmpty { broken(i) }
                case nil: break
                }
            case .range(let c, let range):
                if case .double(let v)? = values(c, frame) {
                    for i in 0..<n where !v[i].isNaN && !range.contains(v[i]) { broken(i) }
                } else if c == .time {
                    for i in 0..<n where !range.contains(Double(frame.time[i])) { broken(i) }
                }
            case .allowedText(let c, let allowed):
                let set = Set(allowed)
                if c == .partition {
                    if !set.contains(frame.partition) { for i in 0..<n { broken(i) } }
                } else if case .text(let v)? = values(c, frame) {
                    for i in 0..<n where !v[i].isEmpty && !set.contains(v[i]) { broken(i) }
                }
            case .allowedNumbers(let c, let allowed):
                let set = Set(allowed.map { ($0 == 0 ? 0 : $0).bitPattern })
                if case .double(let v)? = values(c, frame) {
                    for i in 0..<n where !v[i].isNaN && !set.contains((v[i] == 0 ? 0 : v[i]).bitPattern) { broken(i) }
                }
            case .monotonic(let c):
                if c == .time {
                    for i in 1..<max(n, 1) where frame.time[i] < frame.time[i - 1] { broken(i) }
                } else if case .double(let v)? = values(c, frame) {
                    var last = -Double.infinity
                    for i in 0..<n where !v[i].isNaN {
                        if v[i] < last { broken(i) } else { last = v[i] }
                    }
                }
            case .unique(let key):
                let rest = key.filter { $0 != .partition }
                if key.contains(.partition) {
                    // File order within a partition: the first repeat seen is its earliest.
                    if rest == [.time] {
                        var seen = Set<Int64>(minimumCapacity: n)
                        for i in 0..<n where !seen.insert(frame.time[i]).inserted { broken(i) }
                    } else {
                        var seen = Set<[UInt8]>(minimumCapacity: n)
                        for i in 0..<n where !seen.insert(keyBytes(rest, frame, i)).inserted { broken(i) }
                    }
                } else {
                    // Partitions come in key order, not file order: keep each key's two
                    // earliest lines, so the first repeat does not depend on that order.
                    var table = global[r] ?? [:]
                    global[r] = nil
                    for i in 0..<n {
                        let l = line(i)
                        table[keyBytes(rest, frame, i), default: Earliest()].insert(l)
                    }
                    global[r] = table
                }
            }
            outcomes[r].checked += n
            outcomes[r].violations += bad
            if first > 0, outcomes[r].firstLine == 0 || first < outcomes[r].firstLine { outcomes[r].firstLine = first }
        }
    }

    /// Each rule's outcome, in the contracts' order.
    public mutating func finish() -> [ContractOutcome] {
        for (r, rule) in contracts.rules.enumerated() {
            switch rule.kind {
            case .rows(let lo, let hi):
                outcomes[r].checked = rows
                if let lo, rows < lo { outcomes[r].violations = lo - rows }
                if let hi, rows > hi { outcomes[r].violations = rows - hi }
            case .unique(let key):
                if let table = global[r] {
                    outcomes[r].violations = outcomes[r].checked - table.count
                    outcomes[r].firstLine = table.values.reduce(Int64(0)) { f, v in
                        v.second == .max ? f : f == 0 ? v.second : min(f, v.second)
                    }
                }
                if outcomes[r].violations > 0, key.contains(.time), utcTimes, earliestHour >= 1, latestHour <= 12 {
                    outcomes[r].note = "every time is between 1:00 and 12:59, as with a 12-hour clock written without AM/PM: 1 AM and 1 PM read as the same time"
                }
            default:
                break
            }
        }
        return outcomes
    }

    private func values(_ c: TableContracts.Column, _ frame: Frame) -> FrameValues? {
        guard case .values(let name) = c else { return nil }
        return frame.columns.first { $0.name == name }?.values
    }

    /// A key's bytes: fixed 8 bytes a number or time, a text ended by 0xFF (never in UTF-8).
    private func keyBytes(_ key: [TableContracts.Column], _ frame: Frame, _ i: Int) -> [UInt8] {
        var out: [UInt8] = []
        func append(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        for c in key {
            switch c {
            case .partition: out += Array(frame.partition.utf8) + [0xFF]
            case .time: append(UInt64(bitPattern: frame.time[i]))
            case .values:
                switch values(c, frame) {
                case .double(let v)?: append((v[i] == 0 ? 0 : v[i].isNaN ? .nan : v[i]).bitPattern)
                case .text(let v)?: out += Array(v[i].utf8) + [0xFF]
                case nil: break
                }
            }
        }
        return out
    }
}

/// A key's two earliest lines.
private struct Earliest {
    var first = Int64.max, second = Int64.max

    mutating func insert(_ l: Int64) {
        if l < first { (first, second) = (l, first) } else if l < second { second = l }
    }
}
