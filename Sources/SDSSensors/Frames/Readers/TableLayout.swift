/// Where each declared column is found and how it is stored, resolved once per file.
///
/// Every distinct source column (header field or JSON key) gets a slot; the scanners fill
/// slots with field extents and the row assembler reads them. Number columns are stored in
/// `doubleCount` arrays and text columns in `textCount`, in declaration order.
struct TableLayout {
    struct Column {
        var slot: Int
        var name: String
        var isText: Bool
        /// Index among the double (or text) columns.
        var index: Int
        var valid: ClosedRange<Double>?
        var allowMissing: Bool
    }

    /// The source name of each slot, for messages.
    var slotNames: [String] = []
    var partitionSlots: [Int] = []
    var timeSlot = 0
    var timeOfDaySlot: Int?
    var columns: [Column] = []
    var doubleCount = 0
    var textCount = 0
    /// Wide value columns in index order: slot and time offset in milliseconds.
    var wideSlots: [Int] = []
    var wideOffsets: [Int64] = []
    var wideValid: ClosedRange<Double>?
    var wideAllowMissing = true
    var wideName = ""
    /// CSV: fields a row must have, and the slot of each field (-1: not read).
    var fieldCount = 0
    var slotOfField: [Int] = []

    /// The declared sources, deduplicated, in a fixed order: partition, time, columns.
    private mutating func declare(_ parameters: TableReaderParameters) {
        var slots: [String: Int] = [:]
        func slot(_ name: String) -> Int {
            if let s = slots[name] { return s }
            slots[name] = slotNames.count
            slotNames.append(name)
            return slotNames.count - 1
        }
        partitionSlots = parameters.partition.map(slot)
        timeSlot = slot(parameters.time.column)
        timeOfDaySlot = parameters.time.timeColumn.map(slot)
        for c in parameters.columns {
            let isText = c.type == .text
            columns.append(Column(slot: slot(c.source), name: c.name, isText: isText,
                                  index: isText ? textCount : doubleCount, valid: c.valid, allowMissing: c.allowMissing))
            if isText { textCount += 1 } else { doubleCount += 1 }
        }
    }

    /// The layout of a JSON Lines file: one slot per declared key.
    static func json(_ parameters: TableReaderParameters) -> TableLayout {
        var layout = TableLayout()
        layout.declare(parameters)
        return layout
    }

    /// The layout of a CSV file with header `names`, checking the header against the declaration.
    ///
    /// - Parameters:
    ///   - columns: each name's 1-based byte column in the header line (for errors).
    ///   - line: the header's line; 0 when the names were given as a parameter.
    /// - Throws: `.badHeader` at the header line for a missing, repeated or unmatched column
    ///   (`.invalidParameter` when the header was a parameter).
    static func csv(_ parameters: TableReaderParameters, names: [String], columns: [Int], line: Int,
                    file: String) throws(SensorError) -> TableLayout {
        func headerError(_ message: String, column: Int = 1) -> SensorError {
            line == 0 ? SensorError.parameter("read.table: the given header: " + message)
                : SensorError(.badHeader, message, file: file, line: line, column: column)
        }
        var layout = TableLayout()
        layout.declare(parameters)
        var fieldOf: [String: Int] = [:]
        for (i, name) in names.enumerated() {
            if let first = fieldOf[name] {
                throw headerError("column name \"\(name)\" appears twice (fields \(first + 1) and \(i + 1))",
                                  column: i < columns.count ? columns[i] : 1)
            }
            fieldOf[name] = i
        }
        layout.fieldCount = names.count
        layout.slotOfField = Array(repeating: -1, count: names.count)
        for (slot, name) in layout.slotNames.enumerated() {
            guard let f = fieldOf[name] else {
                throw headerError(ColumnHint.missing(name, among: names, in: "the header"))
            }
            layout.slotOfField[f] = slot
        }
        if let wide = parameters.wide {
            let matches = try wideColumns(wide, names: names, headerError: headerError)
            layout.wideName = wide.value
            layout.wideValid = wide.valid
            layout.wideAllowMissing = wide.allowMissing
            for (index, field) in matches {
                guard layout.slotOfField[field] < 0 else {
                    throw headerError("column \"\(names[field])\" matches the wide pattern \"\(wide.pattern)\" and is also read on its own")
                }
                layout.slotOfField[field] = layout.slotNames.count
                layout.wideSlots.append(layout.slotNames.count)
                layout.slotNames.append(names[field])
                // Checked in `TableReader.validate`: |index × step| stays far from overflow.
                layout.wideOffsets.append(Int64(index) * wide.step)
            }
        }
        return layout
    }

    /// The header fields matching `pattern` (`prefix{index}suffix`), as (index, field), by index.
    private static func wideColumns(_ wide: WideTimeColumns, names: [String],
                                    headerError: (String, Int) -> SensorError) throws(SensorError) -> [(Int, Int)] {
        guard let (prefix, suffix) = WidePattern.parts(wide.pattern) else {
            throw SensorError.parameter("read.table: the wide pattern \"\(wide.pattern)\" must contain {index} once")
        }
        var matches: [(Int, Int)] = []
        for (field, name) in names.enumerated() {
            guard let index = WidePattern.index(of: name, prefix: prefix, suffix: suffix) else { continue }
            if let other = matches.first(where: { $0.0 == index }) {
                throw headerError("columns \"\(names[other.1])\" and \"\(name)\" have the same index \(index) in \"\(wide.pattern)\"", 1)
            }
            matches.append((index, field))
        }
        guard !matches.isEmpty else {
            throw headerError("no column matches the wide pattern \"\(wide.pattern)\"", 1)
        }
        return matches.sorted { $0.0 < $1.0 }
    }
}

/// The `{index}` placeholder of a wide pattern.
enum WidePattern {
    static let placeholder = "{index}"
    /// Indices have at most this many digits, so `index × step` is checked once.
    static let maximumDigits = 6

    /// The index in `name` when it is `prefix`, at most `maximumDigits` digits, then `suffix`.
    static func index(of name: String, prefix: String, suffix: String) -> Int? {
        guard name.utf8.count > prefix.utf8.count + suffix.utf8.count, name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        let middle = name.utf8.dropFirst(prefix.utf8.count).dropLast(suffix.utf8.count)
        guard middle.count <= maximumDigits, middle.allSatisfy({ $0 &- UInt8(ascii: "0") <= 9 }) else { return nil }
        return middle.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    /// The text before and after `{index}`, or nil unless it occurs exactly once.
    static func parts(_ pattern: String) -> (String, String)? {
        let pieces = pattern.split(separator: placeholder, omittingEmptySubsequences: false)
        guard pieces.count == 2 else { return nil }
        return (String(pieces[0]), String(pieces[1]))
    }
}
