/// What `FrameClean` does with a NaN or infinite value of a checked column.
public enum NonFinitePolicy: UInt8, Sendable, Equatable {
    /// Quarantine the row as "not a finite number".
    case reject = 0
    /// Keep NaN (a missing value, never range-checked); an infinity still meets the range check.
    case keep = 1
}

/// What `FrameClean` does with rows whose times go backwards.
public enum OrderPolicy: UInt8, Sendable, Equatable {
    /// Stable sort by time: every row is kept, equal times keep their input order.
    case sort = 0
    /// Quarantine, as "out of order", each row whose time is before the previous kept row's.
    case reject = 1
}

/// The checks `FrameClean` makes on one numeric column.
public struct CleanColumnRule: Sendable, Equatable {
    public var column: String
    /// The inclusive range of valid values; nil checks none.
    public var valid: ClosedRange<Double>?
    public var nonFinite: NonFinitePolicy

    public init(column: String, valid: ClosedRange<Double>? = nil, nonFinite: NonFinitePolicy = .reject) {
        self.column = column
        self.valid = valid
        self.nonFinite = nonFinite
    }
}

/// Quarantines bad values, orders rows by time and resolves duplicate timestamps.
///
/// Steps, in this order:
/// 1. Each row is checked against the rules in rule order; its first failure quarantines it
///    as "not a finite number" or "value out of range". Unchecked columns are not looked at.
/// 2. `order`: sort (stable) or quarantine rows that go back in time ("out of order"; rows
///    at the same time as the previous one are not out of order).
/// 3. `duplicates`: rows with the same time and the same values of the `keys` text columns
///    (all rows at one time when `keys` is empty) are duplicates. `.first`/`.last` keep one
///    and quarantine the others as "duplicate time"; `.mean` merges them into one row at the
///    first one's place: the mean of each numeric column over its non-NaN values (NaN if
///    none), the first row's text and line. Merged rows are not counted as rejected.
///
/// Every kept row keeps its line. Rejections carry `.badValue`, so strict mode stops at the
/// first one with its `file:line`.
public struct FrameClean: FrameOperator, Equatable {
    /// What to do with rows that share a time (and key values).
    ///
    /// Nested because the module already has a top-level `DuplicatePolicy` (SeriesCleaner's).
    public enum DuplicatePolicy: UInt8, Sendable, Equatable {
        case keepAll = 0
        case first = 1
        case last = 2
        case mean = 3
    }

    public static let name = "frame.clean"
    public static let version = 1

    public var columns: [CleanColumnRule]
    public var duplicates: DuplicatePolicy
    /// Text columns that, with the time, define a duplicate (e.g. field and robot_id of a long table).
    public var keys: [String]
    public var order: OrderPolicy

    public init(columns: [CleanColumnRule] = [], duplicates: DuplicatePolicy = .keepAll, keys: [String] = [],
                order: OrderPolicy = .sort) {
        self.columns = columns
        self.duplicates = duplicates
        self.keys = keys
        self.order = order
    }

    /// Rules, order and duplicates; `keys` only when duplicates are resolved (else unread).
    public func parameters() -> [UInt8] {
        BinaryWriter.parameters(Self.name) { w in
            w.count(columns.count)
            for rule in columns {
                w.string(rule.column)
                if let r = rule.valid {
                    w.u8(1)
                    TransformSupport.number(&w, r.lowerBound)
                    TransformSupport.number(&w, r.upperBound)
                } else {
                    w.u8(0)
                }
                w.u8(rule.nonFinite.rawValue)
            }
            w.u8(order.rawValue)
            w.u8(duplicates.rawValue)
            if duplicates != .keepAll { TransformSupport.strings(&w, keys) }
        }
    }

    public func apply(_ frame: Frame, quarantine: inout Quarantine) throws(SensorError) -> Frame {
        var checked: [ContiguousArray<Double>] = []
        for rule in columns { checked.append(try frame.doubles(rule.column, for: Self.name)) }
        var keyColumns: [ContiguousArray<String>] = []
        if duplicates != .keepAll {
            for k in keys { keyColumns.append(try TransformSupport.text(frame, k, for: Self.name)) }
        }

        var kept = try validRows(frame, checked, &quarantine)
        kept = try ordered(frame, kept, &quarantine)
        guard duplicates != .keepAll else { return frame.gathered(kept) }
        var merged: [(at: Int, rows: [Int])] = []
        kept = try deduplicated(frame, kept, keyColumns, &merged, &quarantine)
        var out = frame.gathered(kept)
        if !merged.isEmpty { Self.average(&out, frame, merged) }
        return out
    }

    /// Rows passing every rule, in input order.
    private func validRows(_ frame: Frame, _ checked: [ContiguousArray<Double>],
                           _ quarantine: inout Quarantine) throws(SensorError) -> [Int] {
        var kept: [Int] = []
        kept.reserveCapacity(frame.rowCount)
        row: for i in 0..<frame.rowCount {
            for (r, rule) in columns.enumerated() {
                let v = checked[r][i]
                var reason: String?
                if !v.isFinite, rule.nonFinite == .reject {
                    reason = "not a finite number"
                } else if !v.isNaN, let range = rule.valid, !range.contains(v) {
                    reason = "value out of range"
                }
                if let reason {
                    try quarantine.reject(reason, row: i, of: frame, code: .badValue)
                    continue row
                }
            }
            kept.append(i)
        }
        return kept
    }

    /// `rows` in time order, sorted or with backward rows quarantined.
    private func ordered(_ frame: Frame, _ rows: [Int], _ quarantine: inout Quarantine) throws(SensorError) -> [Int] {
        let t = frame.time
        switch order {
        case .sort:
            var sorted = true
            for k in rows.indices.dropFirst() where t[rows[k]] < t[rows[k - 1]] {
                sorted = false
                break
            }
            // Ties broken by row index: a stable sort whatever the library's sort guarantees.
            return sorted ? rows : rows.sorted { (t[$0], $0) < (t[$1], $1) }
        case .reject:
            var kept: [Int] = []
            kept.reserveCapacity(rows.count)
            for i in rows {
                if let last = kept.last, t[i] < t[last] {
                    try quarantine.reject("out of order", row: i, of: frame, code: .badValue)
                } else {
                    kept.append(i)
                }
            }
            return kept
        }
    }

    /// One row per (time, key values) among time-ordered `rows`; `merged` lists the groups
    /// `.mean` averages, by output position.
    private func deduplicated(_ frame: Frame, _ rows: [Int], _ keyColumns: [ContiguousArray<String>],
                              _ merged: inout [(at: Int, rows: [Int])],
                              _ quarantine: inout Quarantine) throws(SensorError) -> [Int] {
        let t = frame.time
        var out: [Int] = []
        out.reserveCapacity(rows.count)
        var start = 0
        while start < rows.count {
            var end = start + 1
            while end < rows.count, t[rows[end]] == t[rows[start]] { end += 1 }
            defer { start = end }
            if end - start == 1 {
                out.append(rows[start])
                continue
            }
            // Sets of rows with equal key values, in order of first appearance.
            var sets: [[Int]] = []
            if keyColumns.isEmpty {
                sets = [Array(rows[start..<end])]
            } else {
                var setOf: [[String]: Int] = [:]
                for i in rows[start..<end] {
                    let key = keyColumns.map { $0[i] }
                    if let s = setOf[key] { sets[s].append(i) } else { setOf[key] = sets.count; sets.append([i]) }
                }
            }
            for set in sets {
                switch duplicates {
                case .keepAll:
                    out.append(contentsOf: set)
                case .first, .last:
                    let keep = duplicates == .first ? set[0] : set[set.count - 1]
                    for i in set where i != keep {
                        try quarantine.reject("duplicate time", row: i, of: frame, code: .badValue)
                    }
                    out.append(keep)
                case .mean:
                    if set.count > 1 { merged.append((out.count, set)) }
                    out.append(set[0])
                }
            }
        }
        return out
    }

    /// Sets each numeric column of each merged row to the mean of its group's non-NaN values.
    private static func average(_ out: inout Frame, _ frame: Frame, _ merged: [(at: Int, rows: [Int])]) {
        for c in out.columns.indices {
            guard case .double(var values) = out.columns[c].values,
                  case .double(let source) = frame.columns[c].values else { continue }
            for m in merged {
                var sum = 0.0
                var n = 0
                for i in m.rows where !source[i].isNaN {
                    sum += source[i]
                    n += 1
                }
                values[m.at] = n == 0 ? .nan : sum / Double(n)
            }
            out.columns[c].values = .double(values)
        }
    }
}
