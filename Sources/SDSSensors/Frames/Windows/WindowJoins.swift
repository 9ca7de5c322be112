/// Which label row belongs to a window.
public enum LabelMatch: Sendable, Equatable {
    /// The label dated on the window start's local date in `zone` (for tables with one row a
    /// day, like the Fitbit sleep table's row per night dated at midnight).
    case sameDay(zone: String = "UTC")
    /// The latest label strictly before the window's end, so never one from the future; with
    /// `maxAge`, only if it is at most `maxAge` ms older than the end.
    case asOf(maxAge: Int64? = nil)
}

/// Which of several label rows of one window's day a `.sameDay` join takes.
public enum LabelTies: String, Sendable, Equatable, CaseIterable {
    /// The first of them in file order.
    case first
    /// The last in time order (equal times: the later row).
    case last
}

/// The present rows of one table column in time order, as scalars.
///
/// Missing values (NaN, empty text) are left out, so "the latest label" means the latest one
/// that says something. Equal times keep row order, so the later row counts as later.
struct ScalarSeries {
    var times = ContiguousArray<Int64>()
    var values: [WindowScalar] = []
    /// Each value's row in the table (its file order).
    var rows: [Int] = []

    init(_ table: Frame?, column: String, partition: String, op: String) throws(SensorError) {
        guard let table else { return }
        guard table.partition == partition else {
            throw SensorError.parameter("\(op): table of partition \(table.partition) joined to partition \(partition)")
        }
        guard let c = table.column(named: column) else {
            throw SensorError.parameter("\(op): table of partition \(partition) has no column \"\(column)\""
                                        + WindowSupport.didYouMean(column, among: table.columns.map(\.name)))
        }
        let order = WindowSupport.ascendingOrder(table.time) ?? Array(table.time.indices)
        for i in order {
            let value: WindowScalar
            switch c.values {
            case .double(let v): value = v[i].isNaN ? .missing : .number(v[i])
            case .text(let v): value = v[i].isEmpty ? .missing : .text(v[i])
            }
            if value.isMissing { continue }
            times.append(table.time[i])
            values.append(value)
            rows.append(i)
        }
    }

    /// The index of the last row with time < `end`.
    func latest(before end: Int64) -> Int? {
        let i = Windowing.lowerBound(times, end)
        return i > 0 ? i - 1 : nil
    }
}

/// Adds a label from another source's table to every window (`frame.label_join`).
///
/// Several labels on the window's day: the last in time order wins (equal times: the later
/// row), or with `ties: .first` the first in file order. No label (or no table, `nil`): the scalar is `.missing`.
public struct WindowLabelJoin: Sendable, Equatable {
    public static let name = "frame.label_join"
    public static let version = 1

    /// The table's column holding the label.
    public var column: String
    /// The scalar's name in each window.
    public var name: String
    public var match: LabelMatch
    /// Which row of a day with several wins (`.sameDay` only).
    public var ties: LabelTies

    public init(column: String, name: String? = nil, match: LabelMatch = .sameDay(), ties: LabelTies = .last) {
        self.column = column
        self.name = name ?? column
        self.match = match
        self.ties = ties
    }

    /// The canonical bytes of the parameters `apply` reads, for step keys.
    public func parameters() -> [UInt8] {
        BinaryWriter.parameters(Self.name) { w in
            w.string(column)
            w.string(name)
            switch match {
            case .sameDay(let zone): w.u8(1); w.string(zone)
            case .asOf(let maxAge):
                w.u8(2)
                w.u8(maxAge == nil ? 0 : 1)
                if let maxAge { w.i64(maxAge) }
            }
            // Only when not the default, so joins made before the option keep their keys.
            if ties != .last { w.string(ties.rawValue) }
        }
    }

    /// Sets scalar `name` of each window of `w` from `table` (the same partition of the label
    /// source; nil if it has no rows).
    ///
    /// - Throws: `SensorError(.invalidParameter)` for an unknown zone, a negative `maxAge`,
    ///   a table of another partition or without `column`.
    /// Checks the parameters before any data is read (a known zone, a maxAge not below 0).
    public func validate() throws(SensorError) {
        switch match {
        case .asOf(let maxAge):
            if let maxAge, maxAge < 0 { throw SensorError.parameter("\(Self.name): maxAge must not be negative (is \(maxAge))") }
        case .sameDay(let zone):
            _ = try WindowDays(zone: zone, for: Self.name)
        }
    }

    public func apply(_ w: WindowedPartition, table: Frame?) throws(SensorError) -> WindowedPartition {
        try validate()
        let labels = try ScalarSeries(table, column: column, partition: w.partition, op: Self.name)
        var out = w
        switch match {
        case .asOf(let maxAge):
            for i in out.windows.indices {
                let end = out.windows[i].end
                var value = WindowScalar.missing
                if let j = labels.latest(before: end), maxAge.map({ end - labels.times[j] <= $0 }) ?? true {
                    value = labels.values[j]
                }
                out.windows[i].setScalar(name, value)
            }
        case .sameDay(let zone):
            let calendar = try WindowDays(zone: zone, for: Self.name)
            let days = calendar.days(ofAscending: labels.times)
            for i in out.windows.indices {
                let day = calendar.day(of: out.windows[i].start)
                let after = Windowing.lowerBound(days, day + 1)
                var value = WindowScalar.missing
                if after > 0 && days[after - 1] == day {
                    var pick = after - 1
                    if ties == .first {
                        // The day's rows are days[from..<after]; the one earliest in the file wins.
                        for k in Windowing.lowerBound(days, day)..<after where labels.rows[k] < labels.rows[pick] { pick = k }
                    }
                    value = labels.values[pick]
                }
                out.windows[i].setScalar(name, value)
            }
        }
        return out
    }
}

/// Adds a subject attribute (age, BMI…) from a table to every window (`frame.attribute_join`).
///
/// Number columns give `.number`, text columns `.text`; rows with a missing value are skipped.
public struct AttributeJoin: Sendable, Equatable {
    public static let name = "frame.attribute_join"
    public static let version = 1

    public var column: String
    public var name: String
    /// true: the latest row strictly before the window's end (values that change, like a
    /// weight log); false: the partition's last row whatever its time (static demographics).
    public var asOf: Bool

    public init(column: String, name: String? = nil, asOf: Bool = false) {
        self.column = column
        self.name = name ?? column
        self.asOf = asOf
    }

    /// The canonical bytes of the parameters `apply` reads, for step keys.
    public func parameters() -> [UInt8] {
        BinaryWriter.parameters(Self.name) { w in
            w.string(column)
            w.string(name)
            w.u8(asOf ? 1 : 0)
        }
    }

    /// Sets scalar `name` of each window of `w` from `table` (nil: `.missing` everywhere).
    ///
    /// - Throws: `SensorError(.invalidParameter)` for a table of another partition or
    ///   without `column`.
    public func apply(_ w: WindowedPartition, table: Frame?) throws(SensorError) -> WindowedPartition {
        let rows = try ScalarSeries(table, column: column, partition: w.partition, op: Self.name)
        var out = w
        for i in out.windows.indices {
            let j = asOf ? rows.latest(before: out.windows[i].end) : (rows.values.isEmpty ? nil : rows.values.count - 1)
            out.windows[i].setScalar(name, j.map { rows.values[$0] } ?? .missing)
        }
        return out
    }
}
