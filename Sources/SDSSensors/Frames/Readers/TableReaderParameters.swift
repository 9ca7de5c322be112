/// The type a read column is stored as.
public enum FrameColumnType: Sendable, Equatable {
    /// Numbers: integers, decimals, scientific notation; the `missing` tokens become NaN.
    case double
    /// The field's bytes as a String, e.g. ids that do not fit a 64-bit integer.
    case text
}

/// One input column to read into the frame.
public struct FrameReadColumn: Sendable, Equatable {
    /// The header name (or JSON key) in the input.
    public var source: String
    /// The output column name.
    public var name: String
    public var type: FrameColumnType
    /// Numbers outside this range are rejected as "value out of range" (doubles only).
    public var valid: ClosedRange<Double>?
    /// Whether a missing value is kept (NaN for numbers, "" for text) or the row rejected.
    public var allowMissing: Bool

    /// - Parameter name: the output name; nil keeps `source`.
    public init(source: String, name: String? = nil, type: FrameColumnType = .double,
                valid: ClosedRange<Double>? = nil, allowMissing: Bool = true) {
        self.source = source
        self.name = name ?? source
        self.type = type
        self.valid = valid
        self.allowMissing = allowMissing
    }
}

/// A wide table's per-time columns, unpivoted at read time.
///
/// `pattern` such as `Steps{index}` matches header columns `Steps00` … `Steps59`; each source row
/// becomes one output row per matched column, at the row's time plus `index × step`
/// milliseconds, with the number in output column `value`. Output rows of one source row are in
/// index order.
public struct WideTimeColumns: Sendable, Equatable {
    public var pattern: String
    public var value: String
    /// Milliseconds between consecutive indices; positive.
    public var step: Int64
    /// Numbers outside this range are rejected as "value out of range".
    public var valid: ClosedRange<Double>?
    /// Whether a missing value is kept as NaN or the source row rejected.
    public var allowMissing: Bool

    public init(pattern: String, value: String, step: Int64 = 60_000,
                valid: ClosedRange<Double>? = nil, allowMissing: Bool = true) {
        self.pattern = pattern
        self.value = value
        self.step = step
        self.valid = valid
        self.allowMissing = allowMissing
    }
}

/// The syntax of a table file.
public enum FrameFileFormat: Sendable, Equatable {
    /// Delimited text with RFC-4180 quoting.
    case csv
    /// JSON Lines: one flat JSON object per line.
    case jsonl
}

/// What `TableReader` reads and how.
public struct TableReaderParameters: Sendable, Equatable {
    public var format: FrameFileFormat
    /// The field separator (CSV only).
    public var delimiter: UInt8
    /// nil: the first non-blank line is the header; else the column names of a header-less
    /// file (CSV only).
    public var header: [String]?
    /// Partition key column(s); several are joined with `_` (a `_` or `\` inside a value gets a `\` before it); empty: one partition named "".
    public var partition: [String]
    public var time: FrameTimeSpec
    /// The columns to read, in output order (others are ignored); a wide value column comes last.
    public var columns: [FrameReadColumn]
    public var wide: WideTimeColumns?
    /// Fields of a number column that mean "no value" (compared byte for byte).
    public var missing: [String]
    /// Lines skipped before the header (CSV), e.g. an export's title lines.
    public var skipRows = 0
    /// Lines starting with this text are skipped, before the header and among the rows (CSV).
    public var comment: String?
    /// Whether numbers write their decimal point as a comma (`3,5`); the delimiter must then
    /// be another character (CSV).
    public var decimalComma = false

    public init(format: FrameFileFormat = .csv, delimiter: UInt8 = UInt8(ascii: ","), header: [String]? = nil,
                partition: [String], time: FrameTimeSpec, columns: [FrameReadColumn],
                wide: WideTimeColumns? = nil, missing: [String] = ["", "NA", "NaN"]) {
        self.format = format
        self.delimiter = delimiter
        self.header = header
        self.partition = partition
        self.time = time
        self.columns = columns
        self.wide = wide
        self.missing = missing
    }
}
