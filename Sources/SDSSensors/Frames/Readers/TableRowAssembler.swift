/// Turns the slots a scanner filled for one row into typed values and appends them to the
/// row's partition, or rejects the row.
///
/// Partitions are found by their key bytes: the previous row's partition first (files are
/// usually grouped), then an open-addressing table. Text values reuse the previous row's
/// String while the bytes repeat. All positions index the input at `base`, which outlives the
/// read, or, read in pieces, the piece in hand (see `rebase`).
struct TableRowAssembler {
    private(set) var base: UnsafePointer<UInt8>
    let file: String
    let layout: TableLayout
    /// One entry per slot, filled by the scanner for each row.
    let fields: UnsafeMutablePointer<TableField>
    var quarantine: Quarantine

    /// A read column as the hot loop needs it: no Strings, so no reference counting.
    private struct Plan {
        var slot: Int
        var index: Int
        var isText: Bool
        var allowMissing: Bool
        var hasRange: Bool
        var low: Double
        var high: Double
    }

    private let plans: UnsafeMutablePointer<Plan>
    private let planCount: Int
    private let wideSlots: UnsafeMutablePointer<Int>
    private let wideOffsets: UnsafeMutablePointer<Int64>
    private let wideCount: Int
    private let widePlan: Plan
    /// The slot of a single partition column, or -1.
    private let keySlot: Int
    private let timeSlot: Int
    private let timeOfDaySlot: Int
    private let missing: [[UInt8]]
    private var scratch = ScratchBytes()
    private var keyScratch = ScratchBytes()
    /// The date, a space and the time of day, which a pattern with `time_column` parses.
    private var joinScratch = ScratchBytes()
    /// Whether the time is a pattern over the date and time-of-day columns joined.
    private let joinsTimeOfDay: Bool
    private var timeParser: TimeFieldParser
    private var zone: ZoneResolver?
    private let format: FrameTimeFormat
    /// Numbers write their decimal point as a comma.
    private let decimalComma: Bool

    private let rowDoubles: UnsafeMutablePointer<Double>
    private var rowTexts: ContiguousArray<String>
    /// The plain input bytes `rowTexts[i]` was made from (start, count); start -1: none.
    private var textSource: ContiguousArray<(Int, Int)>
    /// The row's wide values by index. The CSV scanner parses short plain integers itself
    /// while splitting the row and leaves NaN for every other field, which `row` then parses
    /// the general way (see `CSVTableScanner.rows`).
    let rowWide: UnsafeMutablePointer<Double>
    private let rowWideTimes: UnsafeMutablePointer<Int64>
    private let rowWideLines: UnsafeMutablePointer<Int64>
    /// Whether the scanner must fill the wide values' slots even for values it parsed: only
    /// a range check can need them then (for the rejection's column).
    let wideNeedsFields: Bool

    private var builders: [TablePartitionBuilder] = []
    /// Builders already handed out by `takeClosed` (their arrays emptied), by index.
    private var closed: [Bool] = []
    /// How many builders `takeClosed` has looked at: those before it are closed or empty.
    private var closedUpTo = 0
    /// A closed partition got rows again: the input is not grouped by partition.
    private(set) var reopened = false
    /// Open-addressing index of `builders` by key hash (index + 1; 0 = empty).
    private var table = [Int32](repeating: 0, count: 64)
    /// The builder of the previous row, which the run arrays belong to.
    private var current = -1
    /// Rows of the current partition since it last changed, row-major for several columns:
    /// one flat append per value, moved into the builder when the partition changes.
    private var runTime = ContiguousArray<Int64>()
    private var runLines = ContiguousArray<Int64>()
    private var runDoubles = ContiguousArray<Double>()
    private var runTexts = ContiguousArray<String>()
    /// The longest run moved into a builder so far.
    private var largestRun = 0
    /// Doubles per output row (the wide value last).
    private let doubleWidth: Int

    init(base: UnsafePointer<UInt8>, file: String, layout: TableLayout, parameters: TableReaderParameters,
         zone: ZoneResolver?, quarantine: Quarantine) {
        self.base = base
        self.file = file
        self.layout = layout
        self.quarantine = quarantine
        self.zone = zone
        let slots = max(layout.slotNames.count, 1)
        fields = .allocate(capacity: slots)
        fields.initialize(repeating: .absent, count: slots)
        func plan(_ slot: Int, _ index: Int, _ isText: Bool, _ valid: ClosedRange<Double>?, _ allowMissing: Bool) -> Plan {
            Plan(slot: slot, index: index, isText: isText, allowMissing: allowMissing, hasRange: valid != nil,
                 low: valid?.lowerBound ?? 0, high: valid?.upperBound ?? 0)
        }
        planCount = layout.columns.count
        plans = .allocate(capacity: max(planCount, 1))
        for (i, c) in layout.columns.enumerated() {
            (plans + i).initialize(to: plan(c.slot, c.index, c.isText, c.valid, c.allowMissing))
        }
        wideCount = layout.wideSlots.count
        wideSlots = .allocate(capacity: max(wideCount, 1))
        wideOffsets = .allocate(capacity: max(wideCount, 1))
        for k in 0..<wideCount {
            wideSlots[k] = layout.wideSlots[k]
            wideOffsets[k] = layout.wideOffsets[k]
        }
        widePlan = plan(-1, layout.doubleCount, false, layout.wideValid, layout.wideAllowMissing)
        doubleWidth = layout.doubleCount + (wideCount > 0 ? 1 : 0)
        keySlot = layout.partitionSlots.count == 1 ? layout.partitionSlots[0] : -1
        timeSlot = layout.timeSlot
        timeOfDaySlot = layout.timeOfDaySlot ?? -1
        missing = parameters.missing.map { Array($0.utf8) }
        timeParser = TimeFieldParser(format: parameters.time.format)
        format = parameters.time.format
        decimalComma = parameters.decimalComma
        if case .pattern = parameters.time.format { joinsTimeOfDay = timeOfDaySlot >= 0 } else { joinsTimeOfDay = false }
        rowDoubles = .allocate(capacity: max(doubleWidth, 1))
        rowDoubles.initialize(repeating: .nan, count: max(doubleWidth, 1))
        rowWide = .allocate(capacity: max(wideCount, 1))
        rowWide.initialize(repeating: .nan, count: max(wideCount, 1))
        rowWideTimes = .allocate(capacity: max(wideCount, 1))
        rowWideTimes.initialize(repeating: 0, count: max(wideCount, 1))
        rowWideLines = .allocate(capacity: max(wideCount, 1))
        rowWideLines.initialize(repeating: 0, count: max(wideCount, 1))
        wideNeedsFields = layout.wideValid != nil
        rowTexts = ContiguousArray(repeating: "", count: layout.textCount)
        textSource = ContiguousArray(repeating: (-1, 0), count: layout.textCount)
    }

    /// Points positions at a new piece of the input: what was remembered by position is dropped.
    mutating func rebase(_ base: UnsafePointer<UInt8>) {
        self.base = base
        for i in textSource.indices { textSource[i] = (-1, 0) }
    }

    /// Frees the buffers; the assembler must not be used afterwards.
    func release() {
        fields.deallocate()
        plans.deallocate()
        wideSlots.deallocate()
        wideOffsets.deallocate()
        rowDoubles.deallocate()
        rowWide.deallocate()
        rowWideTimes.deallocate()
        rowWideLines.deallocate()
        scratch.release()
        keyScratch.release()
        joinScratch.release()
    }

    // MARK: Rows

    /// Interprets the filled slots as the row at `line`, whose first byte is `lineStart`.
    ///
    /// - Parameter wideParsed: the scanner parsed every wide value into `rowWide` (none is NaN).
    /// - Throws: the row's error in strict mode.
    @inline(__always)
    mutating func row(line: Int64, lineStart: Int, wideParsed: Bool = false) throws(SensorError) {
        // Partition key: in place for one plain column, else joined in `keyScratch`.
        var keyPointer = base
        var keyCount = 0
        if keySlot >= 0, fields[keySlot].kind == .plain {
            let f = fields[keySlot]
            keyPointer = base + f.start
            keyCount = f.end - f.start
            if keyCount == 0 { return try emptyKey(keySlot, line, lineStart) }
        } else if !layout.partitionSlots.isEmpty {
            guard try joinKey(line, lineStart) else { return }
            keyPointer = UnsafePointer(keyScratch.base)
            keyCount = keyScratch.count
        }

        guard let t = try rowTime(line, lineStart) else { return }

        for i in 0..<planCount {
            let c = plans[i]
            let f = fields[c.slot]
            if c.isText {
                guard try text(c, f, line, lineStart) else { return }
            } else {
                guard let v = try number(f, c, slot: c.slot, line, lineStart) else { return }
                rowDoubles[c.index] = v
            }
        }
        if wideCount > 0, !wideParsed || widePlan.hasRange {
            guard try wideNumbers(line, lineStart) else { return }
        }

        guard try partition(keyPointer, keyCount, line, lineStart) else { return }
        if wideCount == 0 {
            appendRow(t, line)
        } else {
            appendWide(t, line)
        }
    }

    // The wide parts are kept out of `row` so that its long-format code stays small enough
    // to inline what it calls (measured: inlined in one, `rowTime` was called instead).

    /// Completes `rowWide`: values the scanner parsed are done unless a range applies; NaN:
    /// the field is parsed here (a range failure is parsed again too, so the rejection is the
    /// usual one). False after rejecting the row.
    @inline(never)
    private mutating func wideNumbers(_ line: Int64, _ lineStart: Int) throws(SensorError) -> Bool {
        for k in 0..<wideCount {
            let parsed = rowWide[k]
            if !parsed.isNaN, !widePlan.hasRange || (parsed >= widePlan.low && parsed <= widePlan.high) { continue }
            guard let v = try number(fields[wideSlots[k]], widePlan, slot: wideSlots[k], line, lineStart) else { return false }
            rowWide[k] = v
        }
        return true
    }

    /// Appends the row's wide values as one output row each.
    @inline(never)
    private mutating func appendWide(_ t: Int64, _ line: Int64) {
        if doubleWidth == 1, rowTexts.isEmpty {
            // Only the wide values: one bulk append per array instead of one per output row.
            for k in 0..<wideCount { rowWideTimes[k] = t &+ wideOffsets[k] }
            runTime.append(contentsOf: UnsafeBufferPointer(start: rowWideTimes, count: wideCount))
            for k in 0..<wideCount { rowWideLines[k] = line }
            runLines.append(contentsOf: UnsafeBufferPointer(start: rowWideLines, count: wideCount))
            runDoubles.append(contentsOf: UnsafeBufferPointer(start: rowWide, count: wideCount))
        } else {
            for k in 0..<wideCount {
                rowDoubles[widePlan.index] = rowWide[k]
                appendRow(t &+ wideOffsets[k], line)
            }
        }
    }

    @inline(__always)
    private mutating func appendRow(_ t: Int64, _ line: Int64) {
        runTime.append(t)
        runLines.append(line)
        for i in 0..<doubleWidth { runDoubles.append(rowDoubles[i]) }
        for i in 0..<rowTexts.count { runTexts.append(rowTexts[i]) }
    }

    private mutating func emptyKey(_ slot: Int, _ line: Int64, _ lineStart: Int) throws(SensorError) {
        try reject("empty partition key", .malformedRow, line, at: fields[slot].at, lineStart,
                   "empty partition key in column \"\(layout.slotNames[slot])\"")
    }

    /// Joins the key columns with `_` into `keyScratch` (escaping `_` and `\` inside values);
    /// false if the row was rejected.
    private mutating func joinKey(_ line: Int64, _ lineStart: Int) throws(SensorError) -> Bool {
        keyScratch.count = 0
        for (i, s) in layout.partitionSlots.enumerated() {
            if i > 0 { keyScratch.append(UInt8(ascii: "_")) }
            let f = fields[s]
            let before = keyScratch.count
            switch f.kind {
            case .plain: keyScratch.append(base + f.start, f.end - f.start)
            case .csvEscaped: Self.unescapeCSV(base + f.start, f.end - f.start, into: &keyScratch)
            case .jsonEscaped:
                guard JSONStrings.unescape(base + f.start, f.end - f.start, into: &keyScratch) else {
                    try reject("bad value", .badValue, line, at: f.at, lineStart, "bad escape in the string of key \"\(layout.slotNames[s])\"")
                    return false
                }
            case .jsonTrue: keyScratch.append(contentsOf: "true")
            case .jsonFalse: keyScratch.append(contentsOf: "false")
            case .null: break
            case .nested:
                try reject("bad value", .badValue, line, at: f.at, lineStart,
                           "key \"\(layout.slotNames[s])\" holds a JSON object or array, not a value")
                return false
            }
            if keyScratch.count == before {
                try emptyKey(s, line, lineStart)
                return false
            }
            escapeKeyPart(from: before)
        }
        return true
    }

    /// Writes `\_` and `\\` for `_` and `\` in the key part from `start`, so a joined key names
    /// one tuple of values: ("r_1", "2") gives `r\_1_2`, ("r", "1_2") gives `r_1\_2`.
    private mutating func escapeKeyPart(from start: Int) {
        let n = keyScratch.count - start
        var special = 0
        for i in 0..<n where keyScratch.base[start + i] == UInt8(ascii: "_") || keyScratch.base[start + i] == UInt8(ascii: "\\") {
            special += 1
        }
        guard special > 0 else { return }
        let part = Array(UnsafeBufferPointer(start: keyScratch.base + start, count: n))
        keyScratch.count = start
        keyScratch.reserve(n + special)
        for b in part {
            if b == UInt8(ascii: "_") || b == UInt8(ascii: "\\") { keyScratch.append(UInt8(ascii: "\\")) }
            keyScratch.append(b)
        }
    }

    /// The row's UTC time, or nil if the row was rejected.
    @inline(__always)
    private mutating func rowTime(_ line: Int64, _ lineStart: Int) throws(SensorError) -> Int64? {
        let f = fields[timeSlot]
        if joinsTimeOfDay {
            guard let p = try joinedTime(f, line, lineStart) else { return nil }
            return try utc(p, f, line, lineStart)
        }
        var parsed: TimeFieldParser.Parsed?
        if f.kind == .plain {
            parsed = timeParser.parse(base + f.start, f.end - f.start)
        }
        if parsed == nil {
            parsed = try slowTime(f, line, lineStart)
            if parsed == nil { return nil }
        }
        guard var p = parsed else { return nil }
        if timeOfDaySlot >= 0 {
            guard let tod = try timeOfDay(fields[timeOfDaySlot], layout.slotNames[timeOfDaySlot], line, lineStart) else { return nil }
            p.milliseconds += tod
        }
        return try utc(p, f, line, lineStart)
    }

    /// The parsed time in UTC, or nil after rejecting a local time the zone skips or repeats.
    @inline(__always)
    private mutating func utc(_ p: TimeFieldParser.Parsed, _ f: TableField, _ line: Int64, _ lineStart: Int) throws(SensorError) -> Int64? {
        if p.isUTC || zone == nil { return p.milliseconds }
        if let t = zone!.utc(p.milliseconds) { return t }
        let ambiguous = zone!.problem == .ambiguous
        try reject(ambiguous ? "ambiguous local time" : "nonexistent local time", .badTimestamp, line, at: f.at, lineStart,
                   zone!.message)
        return nil
    }

    /// The time from an unusual field (escaped, padded, JSON literal), or nil after rejecting the row.
    private mutating func slowTime(_ f: TableField, _ line: Int64, _ lineStart: Int) throws(SensorError) -> TimeFieldParser.Parsed? {
        let source = layout.slotNames[timeSlot]
        if let (p, n) = bytes(f) {
            if f.kind != .plain, let t = timeParser.parse(p, n) { return t }
            let (tp, tn) = Self.trimmed(p, n)
            if tn != n, let t = timeParser.parse(tp, tn) { return t }
            // Reparse the untrimmed field so the failure names its own problem.
            timeParser.failure = ""
            _ = timeParser.parse(p, n)
            let why = timeParser.failure
            let found = Self.quoted(p, n)
            try reject("bad timestamp", .badTimestamp, line, at: f.at, lineStart,
                       Self.timeMessage(format, found, why, source))
        } else {
            try reject("bad timestamp", .badTimestamp, line, at: f.at, lineStart,
                       f.kind == .null ? "no time in column \"\(source)\"" : "column \"\(source)\" holds no time")
        }
        return nil
    }

    /// Why a time field failed: for a pattern `"13-04-2016" does not match "%m-%d-%Y" (month 13)`.
    static func timeMessage(_ format: FrameTimeFormat, _ found: String, _ why: String, _ source: String) -> String {
        if case .pattern(let pattern) = format {
            return "\(found) does not match \"\(pattern.text)\" (\(why)) in column \"\(source)\""
        }
        return why.isEmpty ? "expected a time like \(format.shape) in column \"\(source)\", found \(found)"
            : "bad timestamp \(found) in column \"\(source)\": \(why)"
    }

    /// A pattern's time over the date column, one space and the time-of-day column (each
    /// trimmed), or nil after rejecting the row.
    private mutating func joinedTime(_ f: TableField, _ line: Int64, _ lineStart: Int) throws(SensorError) -> TimeFieldParser.Parsed? {
        let g = fields[timeOfDaySlot]
        joinScratch.count = 0
        for (field, slot) in [(f, timeSlot), (g, timeOfDaySlot)] {
            guard let (p, n) = bytes(field) else {
                try reject("bad timestamp", .badTimestamp, line, at: field.at, lineStart, "no time in column \"\(layout.slotNames[slot])\"")
                return nil
            }
            let (tp, tn) = Self.trimmed(p, n)
            if slot == timeOfDaySlot { joinScratch.append(UInt8(ascii: " ")) }
            joinScratch.append(tp, tn)
        }
        if let t = timeParser.parse(joinScratch.base, joinScratch.count) { return t }
        let found = Self.quoted(joinScratch.base, joinScratch.count)
        try reject("bad timestamp", .badTimestamp, line, at: f.at, lineStart,
                   Self.timeMessage(format, found, timeParser.failure,
                                    "\(layout.slotNames[timeSlot])\" + \"\(layout.slotNames[timeOfDaySlot])"))
        return nil
    }

    /// Milliseconds since midnight from the time-of-day column, or nil after rejecting the row.
    private mutating func timeOfDay(_ f: TableField, _ source: String, _ line: Int64, _ lineStart: Int) throws(SensorError) -> Int64? {
        var why = ""
        if let (p, n) = bytes(f) {
            let (tp, tn) = Self.trimmed(p, n)
            if let tod = TimeFieldParser.timeOfDay(tp, tn, meridiem: .optional, secondsRequired: false, failure: &why) {
                return tod
            }
            let found = Self.quoted(p, n)
            try reject("bad timestamp", .badTimestamp, line, at: f.at, lineStart,
                       why.isEmpty ? "expected a time of day like H:MM:SS or h:mm:ss AM in column \"\(source)\", found \(found)"
                           : "bad time of day \(found) in column \"\(source)\": \(why)")
        } else {
            try reject("bad timestamp", .badTimestamp, line, at: f.at, lineStart, "no time of day in column \"\(source)\"")
        }
        return nil
    }

    /// A number (NaN for missing), or nil after rejecting the row.
    @inline(__always)
    private mutating func number(_ f: TableField, _ c: Plan, slot: Int, _ line: Int64, _ lineStart: Int) throws(SensorError) -> Double? {
        var v: Double
        if f.kind == .plain, !decimalComma, let (x, q) = NumberSyntax.double(base, f.start, f.end), q == f.end {
            v = x
        } else {
            guard let x = try slowNumber(f, slot: slot, line, lineStart) else { return nil }
            v = x
        }
        if v.isNaN {
            if !c.allowMissing {
                try reject("missing value", .badValue, line, at: f.at, lineStart, "missing value in column \"\(layout.slotNames[slot])\"")
                return nil
            }
        } else if c.hasRange, !(v >= c.low && v <= c.high) {
            try reject("value out of range", .badValue, line, at: f.at, lineStart,
                       "value \(Self.number(v)) in column \"\(layout.slotNames[slot])\" is outside \(Self.number(c.low))...\(Self.number(c.high))")
            return nil
        }
        return v
    }

    /// A number from a field the fast path refused (NaN for missing), or nil after rejecting the row.
    private mutating func slowNumber(_ f: TableField, slot: Int, _ line: Int64, _ lineStart: Int) throws(SensorError) -> Double? {
        switch f.kind {
        case .jsonTrue: return 1
        case .jsonFalse: return 0
        case .null: return .nan
        case .nested:
            try reject("bad value", .badValue, line, at: f.at, lineStart,
                       "column \"\(layout.slotNames[slot])\" holds a JSON object or array, not a number")
            return nil
        default:
            guard let (p, n) = bytes(f) else { return .nan }
            if isMissing(p, n) { return .nan }
            let (tp, tn) = Self.trimmed(p, n)
            var comma = [UInt8]()
            if decimalComma {
                // `3,5` is read as `3.5`; a `.` (a thousands separator?) is refused, never misread.
                comma = Array(UnsafeBufferPointer(start: tp, count: tn))
                if comma.contains(UInt8(ascii: ".")) { comma = [UInt8(ascii: "x")] }
                for i in comma.indices where comma[i] == UInt8(ascii: ",") { comma[i] = UInt8(ascii: ".") }
            }
            let parsed = decimalComma ? comma.withUnsafeBufferPointer { NumberSyntax.double(field: $0) }
                : NumberSyntax.double(field: UnsafeBufferPointer(start: tp, count: tn))
            guard let x = parsed else {
                try reject("bad number", .badValue, line, at: f.at, lineStart,
                           "\(Self.quoted(p, n)) is not a number (column \"\(layout.slotNames[slot])\")")
                return nil
            }
            return x
        }
    }

    /// Sets `rowTexts[c.index]`; false after rejecting the row.
    @inline(__always)
    private mutating func text(_ c: Plan, _ f: TableField, _ line: Int64, _ lineStart: Int) throws(SensorError) -> Bool {
        if f.kind == .plain {
            let n = f.end - f.start
            let (s, count) = textSource[c.index]
            if s >= 0, count == n, ScratchBytes.equal(base + s, base + f.start, n) { return true }
        }
        return try slowText(c, f, line, lineStart)
    }

    private mutating func slowText(_ c: Plan, _ f: TableField, _ line: Int64, _ lineStart: Int) throws(SensorError) -> Bool {
        let source = layout.slotNames[c.slot]
        textSource[c.index] = (-1, 0)
        switch f.kind {
        case .nested:
            try reject("bad value", .badValue, line, at: f.at, lineStart, "column \"\(source)\" holds a JSON object or array, not a value")
            return false
        default:
            guard let (p, n) = bytes(f) else {
                rowTexts[c.index] = ""
                break
            }
            guard let value = String(validating: UnsafeBufferPointer(start: p, count: n), as: UTF8.self) else {
                try reject("bad value", .badValue, line, at: f.at, lineStart, "column \"\(source)\" is not valid UTF-8")
                return false
            }
            rowTexts[c.index] = value
        }
        if rowTexts[c.index].isEmpty, !c.allowMissing {
            try reject("missing value", .badValue, line, at: f.at, lineStart, "missing value in column \"\(source)\"")
            return false
        }
        // Only accepted bytes may be reused by the next row's fast path.
        if f.kind == .plain { textSource[c.index] = (f.start, f.end - f.start) }
        return true
    }

    // MARK: Partitions

    /// Makes the key's builder current (created on first sight, the previous one's run moved
    /// into it); false after rejecting the row.
    @inline(__always)
    private mutating func partition(_ p: UnsafePointer<UInt8>, _ n: Int, _ line: Int64, _ lineStart: Int) throws(SensorError) -> Bool {
        if current >= 0, builders[current].has(key: p, n) { return true }
        return try switchPartition(p, n, line, lineStart)
    }

    private mutating func switchPartition(_ p: UnsafePointer<UInt8>, _ n: Int, _ line: Int64, _ lineStart: Int) throws(SensorError) -> Bool {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for i in 0..<n { hash = (hash ^ UInt64(p[i])) &* 0x100_0000_01b3 }
        let mask = table.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while table[slot] != 0 {
            let b = Int(table[slot]) - 1
            if builders[b].has(key: p, n) {
                flush()
                if closed[b] { reopened = true }
                current = b
                return true
            }
            slot = (slot + 1) & mask
        }
        let key = UnsafeBufferPointer(start: p, count: n)
        guard let name = String(validating: key, as: UTF8.self) else {
            let at = layout.partitionSlots.first.map { fields[$0].at } ?? lineStart
            try reject("bad value", .badValue, line, at: at, lineStart, "the partition key is not valid UTF-8")
            return false
        }
        flush()
        builders.append(TablePartitionBuilder(key: Array(key), name: name, hash: hash,
                                              doubleColumns: doubleWidth, textColumns: layout.textCount))
        closed.append(false)
        table[slot] = Int32(builders.count)
        if builders.count * 2 > table.count { rehash() }
        current = builders.count - 1
        return true
    }

    private mutating func rehash() {
        table = [Int32](repeating: 0, count: table.count * 2)
        let mask = table.count - 1
        for (i, b) in builders.enumerated() {
            var s = Int(truncatingIfNeeded: b.hash) & mask
            while table[s] != 0 { s = (s + 1) & mask }
            table[s] = Int32(i + 1)
        }
    }

    /// Moves the run into the current builder (without a copy when the builder is empty).
    private mutating func flush() {
        guard current >= 0, !runTime.isEmpty else { return }
        // Room for the largest partition so far and a little more: partitions are often of
        // similar sizes, and one slightly longer than the last would otherwise double the run.
        largestRun = max(largestRun, runTime.count)
        builders[current].take(&runTime, &runLines, &runDoubles, &runTexts, expected: largestRun + largestRun / 16)
    }

    /// Every partition's frame, sorted by key bytes, of the rows not handed out by
    /// `takeClosed`; partitions whose rows were all rejected have none.
    mutating func finish() -> [Frame] {
        flush()
        current = -1
        return builders.indices.filter { !builders[$0].time.isEmpty }
            .sorted { builders[$0].key.lexicographicallyPrecedes(builders[$1].key) }.map { frame(of: builders[$0]) }
    }

    /// The frames of the partitions that came before the current one, in file order, once
    /// each: complete when the input is grouped by partition. Their arrays are freed, so
    /// memory holds about one partition; a closed partition seen again sets `reopened` and
    /// its later rows come from `finish`.
    mutating func takeClosed() -> [Frame] {
        var out: [Frame] = []
        while closedUpTo < builders.count, closedUpTo != current {
            let i = closedUpTo
            closedUpTo += 1
            guard !closed[i] else { continue }
            closed[i] = true
            if !builders[i].time.isEmpty { out.append(frame(of: builders[i])) }
            builders[i].release()
        }
        return out
    }

    private func frame(of b: TablePartitionBuilder) -> Frame {
        var columns: [FrameColumn] = []
        for c in layout.columns {
            columns.append(FrameColumn(c.name, c.isText ? .text(b.texts[c.index]) : .double(b.doubles[c.index])))
        }
        if wideCount > 0 { columns.append(FrameColumn(layout.wideName, .double(b.doubles[layout.doubleCount]))) }
        return Frame(partition: b.name, time: b.time, columns: columns, file: file, lines: b.lines)
    }

    // MARK: Fields

    /// The value's bytes, unescaped into scratch space if needed; nil for null and nested values.
    @inline(__always)
    private mutating func bytes(_ f: TableField) -> (UnsafePointer<UInt8>, Int)? {
        switch f.kind {
        case .plain: return (base + f.start, f.end - f.start)
        case .csvEscaped:
            scratch.count = 0
            Self.unescapeCSV(base + f.start, f.end - f.start, into: &scratch)
            return (UnsafePointer(scratch.base), scratch.count)
        case .jsonEscaped:
            scratch.count = 0
            // A bad escape keeps its backslash, so the value fails to parse and is quoted in the error.
            if !JSONStrings.unescape(base + f.start, f.end - f.start, into: &scratch) {
                scratch.count = 0
                scratch.append(base + f.start, f.end - f.start)
            }
            return (UnsafePointer(scratch.base), scratch.count)
        case .jsonTrue: return (Self.trueText.utf8Start, 4)
        case .jsonFalse: return (Self.falseText.utf8Start, 5)
        case .null, .nested: return nil
        }
    }

    private static let trueText: StaticString = "true"
    private static let falseText: StaticString = "false"

    private func isMissing(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        for m in missing where m.count == n {
            if n == 0 || m.withUnsafeBufferPointer({ ScratchBytes.equal($0.baseAddress!, p, n) }) { return true }
        }
        return false
    }

    /// Undoes doubled quotes.
    static func unescapeCSV(_ p: UnsafePointer<UInt8>, _ n: Int, into out: inout ScratchBytes) {
        out.reserve(n)
        var i = 0
        while i < n {
            out.append(p[i])
            i += p[i] == UInt8(ascii: "\"") && i + 1 < n && p[i + 1] == UInt8(ascii: "\"") ? 2 : 1
        }
    }

    /// The bytes without leading and trailing spaces and tabs.
    @inline(__always)
    static func trimmed(_ p: UnsafePointer<UInt8>, _ n: Int) -> (UnsafePointer<UInt8>, Int) {
        var a = 0, b = n
        while a < b, p[a] == UInt8(ascii: " ") || p[a] == UInt8(ascii: "\t") { a += 1 }
        while b > a, p[b - 1] == UInt8(ascii: " ") || p[b - 1] == UInt8(ascii: "\t") { b -= 1 }
        return (p + a, b - a)
    }

    // MARK: Rejections

    /// Sets the row aside for `reason`; in strict mode throws `message` at the field instead.
    /// (The message is built even when lenient: only rejected rows pay for it.)
    mutating func reject(_ reason: String, _ code: SensorError.Code, _ line: Int64, at: Int, _ lineStart: Int,
                         _ message: String) throws(SensorError) {
        let column = at >= lineStart ? at - lineStart + 1 : 1
        if quarantine.strict {
            throw SensorError(code, message, file: file, line: Int(line), column: column)
        }
        try quarantine.reject(reason, file: file, line: line, column: column, code: code, message: message)
    }

    /// `"text"`, escaped and cut to 40 bytes, or "an empty field".
    static func quoted(_ p: UnsafePointer<UInt8>, _ n: Int) -> String {
        if n == 0 { return "an empty field" }
        var text = ""
        for byte in UnsafeBufferPointer(start: p, count: min(n, 40)) {
            switch byte {
            case UInt8(ascii: "\""): text += "\\\""
            case UInt8(ascii: "\\"): text += "\\\\"
            case 0x20..<0x7F: text.unicodeScalars.append(UnicodeScalar(byte))
            default: text += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }
        }
        return "\"" + text + (n > 40 ? "...\"" : "\"")
    }

    /// A number as people write it: no `.0` on integers.
    static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }
}
