/// Where a scanner found one slot's value in the current row.
struct TableField {
    /// The value's bytes (inside any quotes).
    var start: Int
    var end: Int
    /// Where the field starts in the input (its opening quote, if any), for error columns.
    var at: Int
    var kind: Kind

    enum Kind: UInt8 {
        /// The bytes as they are.
        case plain
        /// A CSV field with doubled quotes to undo.
        case csvEscaped
        /// A JSON string with backslash escapes to undo.
        case jsonEscaped
        /// JSON `null`, or a key the object lacks: no value.
        case null
        /// A JSON object or array.
        case nested
        case jsonTrue
        case jsonFalse
    }

    static let absent = TableField(start: 0, end: 0, at: -1, kind: .null)
}
