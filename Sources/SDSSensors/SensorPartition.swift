/// The type of a value column in a long-format CSV.
public enum ValueType: UInt8, Sendable, Equatable, CaseIterable {
    /// A decimal integer with optional sign, fitting in Int64.
    case int64 = 1
    /// A decimal number with optional fraction and exponent (`-1.5e3`), parsed to the nearest double.
    case double = 2
}

/// How a long-format CSV writes its time column.
public enum TimeFormat: UInt8, Sendable, Equatable, CaseIterable {
    /// `YYYY-MM-DDTHH:MM:SS[.f{1,3}]Z`, UTC only.
    case timestamp = 1
    /// `YYYY-MM-DD`; the time is that day's midnight UTC.
    case date = 2
}

/// One value column to read: its header name and type.
public struct ValueColumn: Sendable, Equatable {
    public var name: String
    public var type: ValueType

    public init(_ name: String, _ type: ValueType) {
        self.name = name
        self.type = type
    }
}

/// Which columns of a long-format CSV to read and how.
///
/// Other header columns are checked for count but otherwise ignored.
public struct LongCSVSchema: Sendable, Equatable {
    /// The column whose value names the partition (e.g. `subject_id`).
    public var entityColumn: String
    public var timeColumn: String
    public var timeFormat: TimeFormat
    public var valueColumns: [ValueColumn]

    public init(entityColumn: String, timeColumn: String, timeFormat: TimeFormat = .timestamp,
                valueColumns: [ValueColumn]) {
        self.entityColumn = entityColumn
        self.timeColumn = timeColumn
        self.timeFormat = timeFormat
        self.valueColumns = valueColumns
    }

    static let tag = ObjectTag("sCSV", version: 1, name: "LongCSVSchema")

    /// The canonical bytes of these parameters, for step keys.
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(Self.tag)
        w.string(entityColumn)
        w.string(timeColumn)
        w.u8(timeFormat.rawValue)
        w.count(valueColumns.count)
        for c in valueColumns {
            w.string(c.name)
            w.u8(c.type.rawValue)
        }
        return w.bytes
    }
}

/// The values of one column, in row order.
///
/// Equality compares doubles by bit pattern, because a column stands for its encoding.
public enum ColumnValues: Sendable, Equatable {
    case int64(ContiguousArray<Int64>)
    case double(ContiguousArray<Double>)

    public var count: Int {
        switch self {
        case .int64(let v): return v.count
        case .double(let v): return v.count
        }
    }

    public var type: ValueType {
        switch self {
        case .int64: return .int64
        case .double: return .double
        }
    }

    public static func == (a: ColumnValues, b: ColumnValues) -> Bool {
        switch (a, b) {
        case (.int64(let x), .int64(let y)): return x == y
        case (.double(let x), .double(let y)): return bitwiseEqual(x, y)
        default: return false
        }
    }

    func write(to w: inout BinaryWriter) {
        w.u8(type.rawValue)
        w.count(count)
        switch self {
        case .int64(let v): w.int64Deltas(v)
        case .double(let v): w.doubles(v)
        }
    }

    static func read(from r: inout BinaryReader) throws(SensorError) -> ColumnValues {
        let t = try r.u8()
        switch ValueType(rawValue: t) {
        case .int64?:
            let n = try r.count(minimumSize: 1)
            return .int64(try r.int64Deltas(count: n))
        case .double?:
            let n = try r.count(minimumSize: 8)
            return .double(try r.doubles(count: n))
        case nil:
            throw r.fail("unknown column type \(t)")
        }
    }
}

func bitwiseEqual(_ x: ContiguousArray<Double>, _ y: ContiguousArray<Double>) -> Bool {
    x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern }
}

func bitwiseEqual(_ x: ContiguousArray<Float>, _ y: ContiguousArray<Float>) -> Bool {
    x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern }
}

/// A named value column.
public struct NamedColumn: Sendable, Equatable {
    public var name: String
    public var values: ColumnValues

    public init(name: String, values: ColumnValues) {
        self.name = name
        self.values = values
    }
}

/// One entity's rows of a long-format CSV, as columns in file order.
///
/// Invariants: every column has `times.count` values; `firstLine...lastLine` is the span of
/// the file's lines (header = line 1) that hold this entity's rows (other entities' rows may
/// lie between them if the file is not grouped). Times are milliseconds since the epoch.
public struct SensorPartition: Sendable, Equatable {
    public var entity: String
    public var firstLine: Int
    public var lastLine: Int
    public var times: ContiguousArray<Int64>
    /// The schema's value columns, in schema order.
    public var columns: [NamedColumn]

    public init(entity: String, firstLine: Int, lastLine: Int, times: ContiguousArray<Int64>, columns: [NamedColumn]) {
        precondition(columns.allSatisfy { $0.values.count == times.count }, "column lengths differ")
        self.entity = entity
        self.firstLine = firstLine
        self.lastLine = lastLine
        self.times = times
        self.columns = columns
    }

    public var rowCount: Int { times.count }

    /// The values of the column called `name`, if the partition has it.
    public func column(named name: String) -> ColumnValues? {
        columns.first { $0.name == name }?.values
    }

    static let tag = ObjectTag("sPRT", version: 1, name: "SensorPartition")

    /// The canonical bytes: entity, line span, row count, times, then each column's
    /// name, type and values (Int64 as zigzag delta varints, Double as raw bits).
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(Self.tag, capacity: 32 + times.count * (3 + 3 * columns.count))
        w.string(entity)
        w.u64(UInt64(firstLine))
        w.u64(UInt64(lastLine))
        w.count(times.count)
        w.int64Deltas(times)
        w.count(columns.count)
        for c in columns {
            w.string(c.name)
            c.values.write(to: &w)
        }
        return w.bytes
    }

    /// Decodes bytes made by `encoded()`.
    ///
    /// - Throws: `SensorError` with code `.corruptObject` if they are not exactly such bytes.
    public init(decoding bytes: [UInt8]) throws(SensorError) {
        var r = try BinaryReader(bytes, Self.tag)
        entity = try r.string()
        firstLine = Int(truncatingIfNeeded: try r.u64())
        lastLine = Int(truncatingIfNeeded: try r.u64())
        let n = try r.count(minimumSize: 1)
        times = try r.int64Deltas(count: n)
        let columnCount = try r.count(minimumSize: 6)
        var columns: [NamedColumn] = []
        for _ in 0..<columnCount {
            let name = try r.string()
            let values = try ColumnValues.read(from: &r)
            guard values.count == n else { throw r.fail("column \(name) has \(values.count) values for \(n) rows") }
            columns.append(NamedColumn(name: name, values: values))
        }
        self.columns = columns
        try r.finish()
    }
}
