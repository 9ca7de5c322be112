/// Parses one piece of a long-format CSV (whole lines) into per-entity builders.
///
/// The hot loop reads fields in place: timestamps with a cached date and a SWAR check of
/// `HH:MM:SS`, integers and doubles by fixed-point accumulation. Anything the fast paths
/// refuse goes to a slow path that either parses it (rare valid forms) or words the error.
/// Lines are counted from 1 within the piece; `LongCSVReader.merge` makes them absolute.
struct ChunkParser {
    typealias Role = CSVLayout.Role

    let base: UnsafePointer<UInt8>
    let start: Int
    let end: Int
    let layout: CSVLayout
    let roles: ContiguousArray<Role>
    let lastField: Int
    let entityIsLast: Bool
    /// Each entity's rows must be contiguous.
    let grouped: Bool

    var builders: [PartitionBuilder] = []
    /// Open-addressing index of `builders` by entity bytes (index + 1; 0 = empty).
    var table: [Int32] = Array(repeating: 0, count: 64)

    var cachedDate: (UInt64, UInt16) = (0, 0)
    var cachedDayStart: Int64 = 0
    var hasCachedDate = false

    var rowInts: ContiguousArray<Int64>
    var rowDoubles: ContiguousArray<Double>

    // The current run of one entity's rows collects in flat arrays (row-major for several
    // value columns), moved into its builder when the entity changes: one append per value
    // in the hot loop instead of one through nested arrays of structs.
    var runTimes = ContiguousArray<Int64>()
    var runInts = ContiguousArray<Int64>()
    var runDoubles = ContiguousArray<Double>()
    var runLastLine = 0

    init(base: UnsafePointer<UInt8>, start: Int, end: Int, layout: CSVLayout, grouped: Bool) {
        self.base = base
        self.grouped = grouped
        self.start = start
        self.end = end
        self.layout = layout
        roles = ContiguousArray(layout.roles)
        lastField = layout.roles.count - 1
        entityIsLast = layout.roles.last == .entity
        rowInts = ContiguousArray(repeating: 0, count: layout.intCount)
        rowDoubles = ContiguousArray(repeating: 0, count: layout.doubleCount)
    }

    private static let comma = UInt8(ascii: ",")
    private static let newline = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r")

    mutating func run() -> ChunkResult {
        var line = 0
        var p = start
        var lastEntityStart = 0
        var lastEntityLength = -1
        var lastBuilder = 0
        while p < end {
            line += 1
            let lineStart = p
            if base[p] == Self.newline { p += 1; continue }
            if base[p] == Self.cr, p + 1 == end || base[p + 1] == Self.newline { p = min(p + 2, end); continue }
            var entityStart = 0
            var entityLength = 0
            var time: Int64 = 0
            for f in 0...lastField {
                let fieldStart = p
                switch roles[f] {
                case .skip:
                    p = scanField(p)
                case .entity:
                    p = scanField(p)
                    entityStart = fieldStart
                    entityLength = p - fieldStart
                    if entityIsLast, entityLength > 0, base[p - 1] == Self.cr { entityLength -= 1 }
                case .time:
                    if layout.timeFormat == .timestamp, let (t, q) = fastTimestamp(p) {
                        time = t
                        p = q
                    } else {
                        let fieldEnd = scanField(p)
                        guard let t = slowTime(fieldStart, fieldEnd) else {
                            return failure(timeError(fieldStart), line: line, lineStart: lineStart, at: fieldStart)
                        }
                        time = t
                        p = fieldEnd
                    }
                case .int(let slot):
                    if let (v, q) = NumberSyntax.int64(base, p, end) {
                        rowInts[slot] = v
                        p = q
                    } else {
                        let fieldEnd = scanField(p)
                        guard let v = NumberSyntax.int64(field: field(fieldStart, fieldEnd)) else {
                            return failure(intError(fieldStart), line: line, lineStart: lineStart, at: fieldStart)
                        }
                        rowInts[slot] = v
                        p = fieldEnd
                    }
                case .double(let slot):
                    if let (v, q) = NumberSyntax.double(base, p, end) {
                        rowDoubles[slot] = v
                        p = q
                    } else {
                        let fieldEnd = scanField(p)
                        guard let v = NumberSyntax.double(field: field(fieldStart, fieldEnd)) else {
                            return failure(doubleError(fieldStart), line: line, lineStart: lineStart, at: fieldStart)
                        }
                        rowDoubles[slot] = v
                        p = fieldEnd
                    }
                }
                // The field must end exactly at its delimiter.
                if f == lastField {
                    if p < end {
                        let c = base[p]
                        if c == Self.newline {
                            p += 1
                        } else if c == Self.cr, p + 1 == end || base[p + 1] == Self.newline {
                            p = min(p + 2, end)
                        } else {
                            return failure(delimiterError(f, fieldStart, p, lineStart),
                                           line: line, lineStart: lineStart, at: c == Self.comma ? p + 1 : fieldStart)
                        }
                    }
                } else if p < end, base[p] == Self.comma {
                    p += 1
                } else {
                    let atLineEnd = p >= end || base[p] == Self.newline || base[p] == Self.cr
                    return failure(delimiterError(f, fieldStart, p, lineStart),
                                   line: line, lineStart: lineStart, at: atLineEnd ? p : fieldStart)
                }
            }

            // Consecutive rows of one entity skip the lookup.
            if entityLength != lastEntityLength || !equalBytes(entityStart, lastEntityStart, entityLength) {
                guard entityLength > 0 else {
                    return failure((.malformedRow, "empty \(layout.entityName) field"),
                                   line: line, lineStart: lineStart, at: entityStart)
                }
                guard let found = builderIndex(entityStart, entityLength, line: line, column: entityStart - lineStart + 1) else {
                    return failure((.badValue, "\(layout.entityName) is not valid UTF-8"),
                                   line: line, lineStart: lineStart, at: entityStart)
                }
                if grouped, found < builders.count - 1 {
                    return failure((.malformedRow, Self.notContiguous(layout, builders[found].entity)),
                                   line: line, lineStart: lineStart, at: entityStart)
                }
                if lastEntityLength >= 0 { flush(into: lastBuilder) }
                lastBuilder = found
                lastEntityStart = entityStart
                lastEntityLength = entityLength
            }
            runLastLine = line
            runTimes.append(time)
            for s in 0..<rowInts.count { runInts.append(rowInts[s]) }
            for s in 0..<rowDoubles.count { runDoubles.append(rowDoubles[s]) }
        }
        if lastEntityLength >= 0 { flush(into: lastBuilder) }
        return ChunkResult(builders: builders, lines: line, error: nil)
    }

    /// Moves the current run into builder `b`.
    private mutating func flush(into b: Int) {
        guard !runTimes.isEmpty else { return }
        builders[b].lastLine = runLastLine
        builders[b].times.append(contentsOf: runTimes)
        Self.unflatten(runInts, into: &builders[b].ints)
        Self.unflatten(runDoubles, into: &builders[b].doubles)
        runTimes.removeAll(keepingCapacity: true)
        runInts.removeAll(keepingCapacity: true)
        runDoubles.removeAll(keepingCapacity: true)
    }

    /// Appends row-major `flat` values to one array per column.
    private static func unflatten<T>(_ flat: ContiguousArray<T>, into columns: inout [ContiguousArray<T>]) {
        if columns.count == 1 { return columns[0].append(contentsOf: flat) }
        for c in columns.indices {
            columns[c].append(contentsOf: stride(from: c, to: flat.count, by: columns.count).lazy.map { flat[$0] })
        }
    }

    // MARK: Fields

    /// The position of the `,` or `\n` (or end) that ends the field at `p`.
    @inline(__always)
    private func scanField(_ p: Int) -> Int {
        var q = p
        while q < end {
            let c = base[q]
            if c == Self.comma || c == Self.newline { break }
            q += 1
        }
        return q
    }

    /// The field's bytes without a trailing `\r`.
    private func field(_ from: Int, _ to: Int) -> UnsafeBufferPointer<UInt8> {
        var to = to
        if to > from, base[to - 1] == Self.cr, to == end || base[to] == Self.newline { to -= 1 }
        return UnsafeBufferPointer(start: base + from, count: to - from)
    }

    @inline(__always)
    private func equalBytes(_ a: Int, _ b: Int, _ n: Int) -> Bool {
        // Entity ids are short: one masked 8-byte compare when both words lie inside the piece.
        if n <= 8, a + 8 <= end, b + 8 <= end {
            let raw = UnsafeRawPointer(base)
            let x = raw.loadUnaligned(fromByteOffset: a, as: UInt64.self)
            let y = raw.loadUnaligned(fromByteOffset: b, as: UInt64.self)
            let mask: UInt64 = n == 8 ? ~0 : (1 << (UInt64(n) * 8)) - 1
            return (x ^ y) & UInt64(littleEndian: mask) == 0
        }
        var i = 0
        while i < n {
            if base[a + i] != base[b + i] { return false }
            i += 1
        }
        return true
    }

    // MARK: Timestamps

    /// `YYYY-MM-DDTHH:MM:SS[.f{1,3}]Z` at `p`, or nil for the slow path.
    @inline(__always)
    private mutating func fastTimestamp(_ p: Int) -> (Int64, Int)? {
        guard end - p >= 20 else { return nil }
        let raw = UnsafeRawPointer(base + p)
        let date = (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self))
        if !hasCachedDate || date != cachedDate {
            guard case .success(let day) = TimestampSyntax.parseDate(UnsafeBufferPointer(start: base + p, count: 10)) else {
                return nil
            }
            cachedDate = date
            cachedDayStart = day * CivilTime.millisecondsPerDay
            hasCachedDate = true
        }
        guard base[p + 10] == UInt8(ascii: "T") else { return nil }
        // "HH:MM:SS" as one little-endian word: colons at bytes 2 and 5, digits elsewhere.
        let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 11, as: UInt64.self))
        guard let (hour, minute, second) = TimestampSyntax.clockWord(x) else { return nil }
        guard hour < 24, minute < 60, second < 60 else { return nil }
        var q = p + 19
        var ms: Int64 = 0
        if base[q] == UInt8(ascii: ".") {
            q += 1
            var n = 0
            while q < end, n < 3 {
                let digit = base[q] &- UInt8(ascii: "0")
                if digit > 9 { break }
                ms = ms * 10 + Int64(digit)
                n += 1
                q += 1
            }
            guard n > 0 else { return nil }
            if n == 1 { ms *= 100 } else if n == 2 { ms *= 10 }
        }
        guard q < end, base[q] == UInt8(ascii: "Z") else { return nil }
        let seconds = Int64(hour * 3600 + minute * 60 + second)
        return (cachedDayStart + seconds * 1000 + ms, q + 1)
    }

    private func slowTime(_ from: Int, _ to: Int) -> Int64? {
        let f = field(from, to)
        switch layout.timeFormat {
        case .timestamp:
            if case .success(let t) = TimestampSyntax.parseTimestamp(f) { return t }
        case .date:
            if f.count == 10, case .success(let day) = TimestampSyntax.parseDate(f) {
                return day * CivilTime.millisecondsPerDay
            }
        }
        return nil
    }

    // MARK: Entities

    /// The builder for the entity at `start`, created on first sight; nil if not UTF-8.
    private mutating func builderIndex(_ start: Int, _ length: Int, line: Int, column: Int) -> Int? {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for i in 0..<length { hash = (hash ^ UInt64(base[start + i])) &* 0x100_0000_01b3 }
        var mask = table.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while table[slot] != 0 {
            let b = Int(table[slot]) - 1
            if builders[b].entity.count == length,
               builders[b].entity.withUnsafeBufferPointer({ e in (0..<length).allSatisfy { e[$0] == base[start + $0] } }) {
                return b
            }
            slot = (slot + 1) & mask
        }
        let bytes = UnsafeBufferPointer(start: base + start, count: length)
        guard String(validating: bytes, as: UTF8.self) != nil else { return nil }
        builders.append(PartitionBuilder(entity: Array(bytes), line: line, column: column,
                                         intCount: layout.intCount, doubleCount: layout.doubleCount))
        table[slot] = Int32(builders.count)
        if builders.count * 2 > table.count {
            // Rehash into a table twice the size.
            table = Array(repeating: 0, count: table.count * 2)
            mask = table.count - 1
            for (i, builder) in builders.enumerated() {
                var h: UInt64 = 0xcbf2_9ce4_8422_2325
                for byte in builder.entity { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
                var s = Int(truncatingIfNeeded: h) & mask
                while table[s] != 0 { s = (s + 1) & mask }
                table[s] = Int32(i + 1)
            }
        }
        return builders.count - 1
    }

    // MARK: Errors

    /// The message for an entity whose rows resume after another entity's (grouped mode).
    static func notContiguous(_ layout: CSVLayout, _ entity: [UInt8]) -> String {
        "rows of \(layout.entityName) \"\(String(decoding: entity, as: UTF8.self))\" are not contiguous; "
            + "grouped input needs each entity's rows together"
    }

    private typealias Problem = (code: SensorError.Code, message: String)

    private func failure(_ problem: Problem, line: Int, lineStart: Int, at position: Int) -> ChunkResult {
        ChunkResult(builders: [], lines: line,
                    error: .init(line: line, column: position - lineStart + 1, code: problem.code, message: problem.message))
    }

    /// `"text"`, escaped and cut to 40 bytes.
    private func quoted(_ from: Int) -> String {
        let f = field(from, scanField(from))
        if f.isEmpty { return "an empty field" }
        var text = ""
        for byte in f.prefix(40) {
            switch byte {
            case UInt8(ascii: "\""): text += "\\\""
            case UInt8(ascii: "\\"): text += "\\\\"
            case 0x20..<0x7F: text.unicodeScalars.append(UnicodeScalar(byte))
            default: text += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }
        }
        return "\"" + text + (f.count > 40 ? "...\"" : "\"")
    }

    private func intError(_ from: Int) -> Problem {
        let f = field(from, scanField(from))
        if NumberSyntax.isDigits(f) { return (.badValue, "integer out of range, found \(quoted(from))") }
        return (.badValue, "expected an integer, found \(quoted(from))")
    }

    private func doubleError(_ from: Int) -> Problem {
        (.badValue, "expected a number, found \(quoted(from))")
    }

    private func timeError(_ from: Int) -> Problem {
        let f = field(from, scanField(from))
        switch layout.timeFormat {
        case .timestamp:
            if case .failure(let reason) = TimestampSyntax.parseTimestamp(f), reason != .shape {
                return (.badTimestamp, "bad timestamp \(quoted(from)): \(reason.text)")
            }
            return (.badTimestamp, "expected a timestamp \(TimestampSyntax.timestampShape), found \(quoted(from))")
        case .date:
            if f.count == 10, case .failure(let reason) = TimestampSyntax.parseDate(f), reason != .shape {
                return (.badTimestamp, "bad date \(quoted(from)): \(reason.text)")
            }
            return (.badTimestamp, "expected a date \(TimestampSyntax.dateShape), found \(quoted(from))")
        }
    }

    /// Words the error when field `f`, starting at `from`, did not end at a delimiter (`p`).
    private func delimiterError(_ f: Int, _ from: Int, _ p: Int, _ lineStart: Int) -> Problem {
        let fieldCount = roles.count
        if f == lastField, base[p] == Self.comma {
            var found = fieldCount
            var q = p
            while q < end, base[q] != Self.newline {
                if base[q] == Self.comma { found += 1 }
                q += 1
            }
            return (.malformedRow, "expected \(fieldCount) fields, found \(found)")
        }
        if f < lastField, p >= end || base[p] == Self.newline || (base[p] == Self.cr && scanField(p) == p + 1) {
            return (.malformedRow, "expected \(fieldCount) fields, found \(f + 1)")
        }
        switch roles[f] {
        case .time: return timeError(from)
        case .int: return intError(from)
        case .double: return doubleError(from)
        case .skip, .entity: return (.malformedRow, "malformed field \(quoted(from))")
        }
    }
}
