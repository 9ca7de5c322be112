/// An error from a sensor operator: bad input data, a bad parameter or a corrupt object.
///
/// Data errors carry the input's name and a 1-based line and byte column and print
/// compiler-style: `heart_rate.csv:1203:17: error: expected an integer, found "1.2.3"`.
/// Other errors print `error: message`. Columns count bytes from the start of the line.
public struct SensorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable identifier for the kind of failure.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The header lacks a column, repeats one, or the file is empty.
        public static let badHeader = Code(rawValue: "bad-header")
        /// A row has the wrong number of fields or an empty entity.
        public static let malformedRow = Code(rawValue: "malformed-row")
        /// A field does not parse as its column's type.
        public static let badValue = Code(rawValue: "bad-value")
        /// A timestamp or date field is malformed or out of range.
        public static let badTimestamp = Code(rawValue: "bad-timestamp")
        /// A caller passed an unusable parameter (unknown column, bad range, bad template...).
        public static let invalidParameter = Code(rawValue: "invalid-parameter")
        /// A caption statistic has no value (no minute of its channel is present).
        public static let undefinedStatistic = Code(rawValue: "undefined-statistic")
        /// An encoded object is truncated, of another type, or not in canonical form.
        public static let corruptObject = Code(rawValue: "corrupt-object")
    }

    public var code: Code
    public var message: String
    /// The input's name as given by the caller (usually the file name), if any.
    public var file: String?
    /// 1-based line, if known.
    public var line: Int?
    /// 1-based byte column within the line, if known.
    public var column: Int?

    public init(_ code: Code, _ message: String, file: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.column = column
    }

    /// Whether the input data is at fault (rather than a parameter or a stored object).
    public var isDataError: Bool {
        switch code {
        case .badHeader, .malformedRow, .badValue, .badTimestamp, .undefinedStatistic: return true
        default: return false
        }
    }

    /// `file:line:col: error: message`, dropping the parts that are unknown.
    public var description: String {
        var head = ""
        if let file {
            head = file
            if let line {
                head += ":\(line)"
                if let column { head += ":\(column)" }
            }
            head += ": "
        }
        return head + "error: " + message
    }

    static func corrupt(_ what: String, _ message: String) -> SensorError {
        SensorError(.corruptObject, "\(what) object: \(message)")
    }

    static func parameter(_ message: String) -> SensorError {
        SensorError(.invalidParameter, message)
    }
}
