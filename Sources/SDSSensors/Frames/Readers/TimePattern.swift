/// A strptime-style time layout such as `%d-%m-%Y %I:%M:%S %p`, compiled once into a short
/// program of byte-level steps, so a field is parsed without Strings, Foundation or locale.
///
/// Directives: `%Y` (4 digits), `%y` (2-digit year), `%m`, `%d`, `%e` (day, may start with a
/// space), `%j` (day of the year), `%H`, `%I` (needs `%p`), `%M`, `%S`, `%f` (fraction digits;
/// those past milliseconds are dropped), `%p` (AM/PM), `%b`/`%B` (English month name, full or
/// 3 letters), `%z` (`Z`, `±HH`, `±HHMM`, `±HH:MM`), `%Z` (`UTC`, `GMT` or `Z`) and `%%`. Numbers
/// take 1 or 2 digits (3 for `%j`) and any other byte must appear as written, so a missing
/// space or trailing text fails. A `%y` year is 19yy for 69–99 and 20yy for 00–68 (POSIX)
/// unless `century` gives the year that `00` means.
public struct TimePattern: Sendable, Equatable {
    /// The pattern as written, which messages quote.
    public let text: String
    /// The year `%y` 00 stands for (e.g. 1900, 2000); nil for the POSIX rule.
    public let century: Int?
    let ops: ContiguousArray<Op>
    /// Whether the pattern reads a time of day (`%H` or `%I`).
    public let hasTimeOfDay: Bool
    /// How many leading ops read the whole date and end with a non-digit literal (`%m/%d/%Y `,
    /// `%Y-%m-%dT`), so equal bytes there mean an equal day, which the parser caches; 0: none.
    let datePrefix: Int
    /// The fixed-offset form of a pattern whose fields all have one width, tried first; nil: none.
    let layout: TimePatternLayout?

    enum Kind: UInt8, Sendable {
        case literal, year4, year2, month, monthName, day, spacedDay, dayOfYear
        case hour24, hour12, minute, second, fraction, meridiem, offset, zoneName
        /// A shortcut before `%H:%M:%S` or `%I:%M:%S` (`byte` 1 for `%I`): `h:mm:ss` or
        /// `hh:mm:ss` in range is read at once and the five ops after it are skipped; any other
        /// text falls through to them, so results and messages are theirs.
        case clock
    }

    struct Op: Sendable, Equatable {
        var kind: Kind
        /// The byte a literal step matches.
        var byte: UInt8
    }

    /// Kinds that set part of the date.
    private static let dateKinds: Set<Kind> = [.year4, .year2, .month, .monthName, .day, .spacedDay, .dayOfYear]

    /// Compiles `text`.
    /// - Throws: `.invalidParameter` naming the problem: an unknown directive, a field given
    ///   twice, no year or day, `%I` without `%p`, `%H` with `%I`.
    public init(_ text: String, century: Int? = nil) throws(SensorError) {
        func fail(_ why: String) -> SensorError { .parameter("time pattern \"\(text)\": \(why)") }
        if let century {
            guard century >= 0, century <= 9900, century % 100 == 0 else {
                throw fail("century must be a year ending in 00, such as 1900 or 2000, not \(century)")
            }
        }
        var ops = ContiguousArray<Op>()
        var seen = Set<Character>()
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            guard b == UInt8(ascii: "%") else {
                ops.append(Op(kind: .literal, byte: b))
                continue
            }
            guard i < bytes.count else { throw fail("it ends with a lone %; write %% for a percent sign") }
            let d = bytes[i]
            i += 1
            let kind: Kind
            switch d {
            case UInt8(ascii: "%"): ops.append(Op(kind: .literal, byte: d)); continue
            case UInt8(ascii: "Y"): kind = .year4
            case UInt8(ascii: "y"): kind = .year2
            case UInt8(ascii: "m"): kind = .month
            case UInt8(ascii: "b"), UInt8(ascii: "B"): kind = .monthName
            case UInt8(ascii: "d"): kind = .day
            case UInt8(ascii: "e"): kind = .spacedDay
            case UInt8(ascii: "j"): kind = .dayOfYear
            case UInt8(ascii: "H"): kind = .hour24
            case UInt8(ascii: "I"): kind = .hour12
            case UInt8(ascii: "M"): kind = .minute
            case UInt8(ascii: "S"): kind = .second
            case UInt8(ascii: "f"): kind = .fraction
            case UInt8(ascii: "p"): kind = .meridiem
            case UInt8(ascii: "z"): kind = .offset
            case UInt8(ascii: "Z"): kind = .zoneName
            default:
                throw fail("unknown directive %\(Character(UnicodeScalar(d))) (known: %Y %y %m %d %e %j %H %I %M %S %f %p %b %B %z %Z %%)")
            }
            // One directive per field: %b and %m both set the month, %d and %e the day.
            let field: Character = switch kind {
            case .year4, .year2: "y"
            case .month, .monthName: "m"
            case .day, .spacedDay: "d"
            case .hour24, .hour12: "H"
            case .offset, .zoneName: "z"
            default: Character(UnicodeScalar(d))
            }
            guard seen.insert(field).inserted else {
                throw fail(field == "H" ? "it has both %H and %I; use %H for a 24-hour clock or %I with %p for a 12-hour one"
                                        : "%\(Character(UnicodeScalar(d))) sets a field an earlier directive already sets")
            }
            ops.append(Op(kind: kind, byte: 0))
        }
        let kinds = Set(ops.map(\.kind))
        guard seen.contains("y") else { throw fail("it has no year (%Y or %y)") }
        if seen.contains("j") {
            guard !seen.contains("m"), !seen.contains("d") else { throw fail("%j gives the whole date, so it cannot be used with a month or day") }
        } else {
            guard seen.contains("m"), seen.contains("d") else { throw fail("it needs a month (%m or %b) and a day (%d or %e), or %j") }
        }
        if kinds.contains(.hour12), !kinds.contains(.meridiem) {
            throw fail("%I is a 12-hour clock and needs %p for AM/PM; use %H for a 24-hour clock")
        }
        if kinds.contains(.meridiem), !kinds.contains(.hour12) { throw fail("%p needs a 12-hour hour, %I") }
        if century != nil, !kinds.contains(.year2) { throw fail("century applies only to a two-digit year, %y") }
        self.text = text
        self.century = century
        hasTimeOfDay = kinds.contains(.hour24) || kinds.contains(.hour12)
        self.ops = Self.withClocks(ops)
        datePrefix = Self.datePrefix(self.ops)
        // Clock shortcuts only come after the date prefix, so its op count is the same in `ops`.
        layout = TimePatternLayout(ops, datePrefixOps: datePrefix)
    }

    /// `ops` with a `.clock` shortcut before each `%H:%M:%S` or `%I:%M:%S`.
    private static func withClocks(_ ops: ContiguousArray<Op>) -> ContiguousArray<Op> {
        var out = ContiguousArray<Op>()
        for (i, op) in ops.enumerated() {
            if op.kind == .hour24 || op.kind == .hour12, i + 4 < ops.count,
               ops[i + 1] == Op(kind: .literal, byte: UInt8(ascii: ":")), ops[i + 2].kind == .minute,
               ops[i + 3] == Op(kind: .literal, byte: UInt8(ascii: ":")), ops[i + 4].kind == .second {
                out.append(Op(kind: .clock, byte: op.kind == .hour12 ? 1 : 0))
            }
            out.append(op)
        }
        return out
    }

    /// The length of the cacheable date prefix of `ops` (see `datePrefix`), or 0.
    private static func datePrefix(_ ops: ContiguousArray<Op>) -> Int {
        guard let last = ops.lastIndex(where: { dateKinds.contains($0.kind) }), last + 1 < ops.count else { return 0 }
        let end = ops[last + 1]
        // Digit ops are greedy, so only a non-digit after them makes their bytes self-contained.
        guard end.kind == .literal, end.byte &- UInt8(ascii: "0") > 9,
              ops[...last].allSatisfy({ $0.kind == .literal || dateKinds.contains($0.kind) }) else { return 0 }
        return last + 2
    }

    /// Whether `text` is meant as a pattern rather than a format name.
    public static func looksLikePattern(_ text: String) -> Bool { text.utf8.contains(UInt8(ascii: "%")) }

    /// The fields a parse collects before the date is put together.
    struct Fields {
        var year = 0, month = 1, day = 1, dayOfYear = 0
        var hour = 0, minute = 0, second = 0, millisecond = 0
        var pm: Bool?
        /// Minutes east of UTC, when the text gives a zone.
        var offset: Int?
    }

    /// Runs the program over the `n` bytes at `f`; nil with `failure` set (e.g. "month 13")
    /// when they do not match.
    @inline(__always)
    func fields(_ f: UnsafePointer<UInt8>, _ n: Int, failure: inout String) -> Fields? {
        var r = Fields()
        var p = 0
        let ok = ops.withUnsafeBufferPointer { program in
            Self.run(program, century: century, f, n, ops: 0..<program.count, at: &p, into: &r, failure: &failure)
        }
        guard ok, Self.end(f, n, p, &r, failure: &failure) else { return nil }
        return r
    }

    /// The ops in memory of their own, which a parser reads without reference counting.
    final class Code: @unchecked Sendable {
        let ops: UnsafeMutableBufferPointer<Op>

        init(_ pattern: TimePattern) {
            ops = .allocate(capacity: max(pattern.ops.count, 1))
            _ = ops.initialize(from: pattern.ops)
        }

        deinit { ops.deallocate() }
    }

    /// Checks that the text ends at `p` and applies AM/PM to the hour.
    @inline(__always)
    static func end(_ f: UnsafePointer<UInt8>, _ n: Int, _ p: Int, _ r: inout Fields, failure: inout String) -> Bool {
        guard p == n else {
            failure = "trailing text \(TableRowAssembler.quoted(f + p, n - p))"
            return false
        }
        if let pm = r.pm { r.hour = r.hour % 12 + (pm ? 12 : 0) }
        return true
    }

    /// Runs the ops in `range` from byte `p` (advanced past what they read) into `r`; false
    /// with `failure` set when the bytes do not match.
    @inline(__always)
    static func run(_ program: UnsafeBufferPointer<Op>, century: Int?, _ f: UnsafePointer<UInt8>, _ n: Int, ops range: Range<Int>,
                    at position: inout Int, into result: inout Fields, failure: inout String) -> Bool {
        var r = result
        var p = position
        defer {
            result = r
            position = p
        }
        @inline(__always) func digits(_ maxDigits: Int) -> Int? {
            var v = 0, k = 0
            while p < n, k < maxDigits {
                let d = f[p] &- UInt8(ascii: "0")
                guard d <= 9 else { break }
                v = v * 10 + Int(d)
                k += 1
                p += 1
            }
            return k > 0 ? v : nil
        }
        do {
            var i = range.lowerBound
            while i < range.upperBound {
                let op = program[i]
                i += 1
                let start = p
                switch op.kind {
                case .clock:
                    if let (h, m, s, q) = Self.clock(f, n, p, twelve: op.byte == 1) {
                        r.hour = h
                        r.minute = m
                        r.second = s
                        p = q
                        i += 5
                    }
                case .literal:
                    guard p < n, f[p] == op.byte else {
                        failure = Self.expected(op.byte, f, n, p)
                        return false
                    }
                    p += 1
                case .year4:
                    guard let v = digits(4), p - start == 4 else { failure = Self.missing("a 4-digit year (%Y)", f, n, start); return false }
                    r.year = v
                case .year2:
                    guard let v = digits(2) else { failure = Self.missing("a 2-digit year (%y)", f, n, start); return false }
                    if p < n, f[p] &- UInt8(ascii: "0") <= 9 { failure = "more than 2 digits for %y"; return false }
                    r.year = century.map { $0 + v } ?? (v >= 69 ? 1900 + v : 2000 + v)
                case .month:
                    guard let v = digits(2) else { failure = Self.missing("a month (%m)", f, n, start); return false }
                    guard v >= 1, v <= 12 else { failure = "month \(v)"; return false }
                    r.month = v
                case .monthName:
                    guard let v = Self.monthName(f, n, &p) else { failure = Self.missing("a month name (%b)", f, n, start); return false }
                    r.month = v
                case .day, .spacedDay:
                    if op.kind == .spacedDay, p < n, f[p] == UInt8(ascii: " ") { p += 1 }
                    guard let v = digits(2) else { failure = Self.missing("a day (%d)", f, n, start); return false }
                    guard v >= 1, v <= 31 else { failure = "day \(v)"; return false }
                    r.day = v
                case .dayOfYear:
                    guard let v = digits(3) else { failure = Self.missing("a day of the year (%j)", f, n, start); return false }
                    guard v >= 1, v <= 366 else { failure = "day of the year \(v)"; return false }
                    r.dayOfYear = v
                case .hour24:
                    guard let v = digits(2) else { failure = Self.missing("an hour (%H)", f, n, start); return false }
                    guard v <= 23 else { failure = "hour \(v)"; return false }
                    r.hour = v
                case .hour12:
                    guard let v = digits(2) else { failure = Self.missing("an hour (%I)", f, n, start); return false }
                    guard v >= 1, v <= 12 else { failure = "hour \(v) on a 12-hour clock"; return false }
                    r.hour = v
                case .minute:
                    guard let v = digits(2) else { failure = Self.missing("minutes (%M)", f, n, start); return false }
                    guard v <= 59 else { failure = "minute \(v)"; return false }
                    r.minute = v
                case .second:
                    guard let v = digits(2) else { failure = Self.missing("seconds (%S)", f, n, start); return false }
                    guard v <= 59 else { failure = "second \(v)"; return false }
                    r.second = v
                case .fraction:
                    var ms = 0, k = 0
                    while p < n, f[p] &- UInt8(ascii: "0") <= 9 {
                        if k < 3 { ms = ms * 10 + Int(f[p] &- UInt8(ascii: "0")) }
                        k += 1
                        p += 1
                    }
                    guard k > 0 else { failure = Self.missing("fraction digits (%f)", f, n, start); return false }
                    for _ in min(k, 3)..<3 { ms *= 10 }
                    r.millisecond = ms
                case .meridiem:
                    guard p + 1 < n, f[p + 1] | 0x20 == UInt8(ascii: "m"), f[p] | 0x20 == UInt8(ascii: "a") || f[p] | 0x20 == UInt8(ascii: "p") else {
                        failure = Self.missing("AM or PM (%p)", f, n, start)
                        return false
                    }
                    r.pm = f[p] | 0x20 == UInt8(ascii: "p")
                    p += 2
                case .offset:
                    guard let v = Self.offset(f, n, &p) else { failure = Self.missing("a UTC offset (%z) such as +02:00 or Z", f, n, start); return false }
                    guard v != Int.min else { failure = "offset hours or minutes out of range"; return false }
                    r.offset = v
                case .zoneName:
                    var q = p
                    while q < n, f[q] | 0x20 >= UInt8(ascii: "a"), f[q] | 0x20 <= UInt8(ascii: "z") { q += 1 }
                    let name = UnsafeBufferPointer(start: f + p, count: q - p).map { $0 | 0x20 }
                    guard name == Array("utc".utf8) || name == Array("gmt".utf8) || name == [UInt8(ascii: "z")] else {
                        failure = q == p ? Self.missing("a zone name (%Z)", f, n, start)
                            : "zone \(TableRowAssembler.quoted(f + p, q - p)) is not UTC or GMT; give the zone with zone: instead"
                        return false
                    }
                    p = q
                    r.offset = 0
                }
            }
            return true
        }
    }

    /// `h:mm:ss` or `hh:mm:ss` at `p`, in range for the clock, with the position after it.
    @inline(__always)
    private static func clock(_ f: UnsafePointer<UInt8>, _ n: Int, _ p: Int, twelve: Bool) -> (Int, Int, Int, Int)? {
        // `hh:mm:ss` checked as one word, as the named formats do.
        if p + 8 <= n, let (h, m, s) = TimestampSyntax.clockWord(UInt64(littleEndian: UnsafeRawPointer(f + p).loadUnaligned(as: UInt64.self))),
           m < 60, s < 60, twelve ? h >= 1 && h <= 12 : h < 24 {
            return (Int(h), Int(m), Int(s), p + 8)
        }
        guard p + 7 <= n else { return nil }
        let h0 = f[p] &- UInt8(ascii: "0")
        guard h0 <= 9 else { return nil }
        var hour = Int(h0)
        var q = p + 1
        let h1 = f[q] &- UInt8(ascii: "0")
        if h1 <= 9 {
            hour = hour * 10 + Int(h1)
            q += 1
            guard q + 6 <= n else { return nil }
        }
        let m0 = f[q + 1] &- UInt8(ascii: "0"), m1 = f[q + 2] &- UInt8(ascii: "0")
        let s0 = f[q + 4] &- UInt8(ascii: "0"), s1 = f[q + 5] &- UInt8(ascii: "0")
        guard f[q] == UInt8(ascii: ":"), f[q + 3] == UInt8(ascii: ":"), m0 <= 5, m1 <= 9, s0 <= 5, s1 <= 9 else { return nil }
        guard twelve ? hour >= 1 && hour <= 12 : hour <= 23 else { return nil }
        return (hour, Int(m0) * 10 + Int(m1), Int(s0) * 10 + Int(s1), q + 6)
    }

    /// "expected "-" after "13", found "/"" (or "at the end").
    private static func expected(_ byte: UInt8, _ f: UnsafePointer<UInt8>, _ n: Int, _ p: Int) -> String {
        let want = TableRowAssembler.quoted([byte], 1)
        let found = p < n ? "found " + TableRowAssembler.quoted(f + p, 1) : "found the end"
        return p == 0 ? "expected \(want) first, \(found)" : "expected \(want) after \(TableRowAssembler.quoted(f, p)), \(found)"
    }

    private static func missing(_ what: String, _ f: UnsafePointer<UInt8>, _ n: Int, _ p: Int) -> String {
        let found = p < n ? "found " + TableRowAssembler.quoted(f + p, min(n - p, 8)) : "found the end"
        return p == 0 ? "expected \(what) first, \(found)" : "expected \(what) after \(TableRowAssembler.quoted(f, p)), \(found)"
    }

    private static let monthNames: [[UInt8]] = ["january", "february", "march", "april", "may", "june", "july",
                                                 "august", "september", "october", "november", "december"].map { Array($0.utf8) }

    /// An English month name, full or its first 3 letters, in any case: 1...12.
    private static func monthName(_ f: UnsafePointer<UInt8>, _ n: Int, _ p: inout Int) -> Int? {
        for (i, name) in monthNames.enumerated() {
            func matches(_ count: Int) -> Bool {
                guard p + count <= n else { return false }
                for k in 0..<count where f[p + k] | 0x20 != name[k] { return false }
                return true
            }
            if matches(name.count) { p += name.count; return i + 1 }
            if matches(3) { p += 3; return i + 1 }
        }
        return nil
    }

    /// `Z`, `±HH`, `±HHMM` or `±HH:MM`: minutes east of UTC; `Int.min` when out of range.
    private static func offset(_ f: UnsafePointer<UInt8>, _ n: Int, _ p: inout Int) -> Int? {
        guard p < n else { return nil }
        if f[p] == UInt8(ascii: "Z") || f[p] == UInt8(ascii: "z") { p += 1; return 0 }
        guard f[p] == UInt8(ascii: "+") || f[p] == UInt8(ascii: "-") else { return nil }
        let negative = f[p] == UInt8(ascii: "-")
        var q = p + 1
        func two() -> Int? {
            guard q + 1 < n, let a = TimeFieldParser.digit(f[q]), let b = TimeFieldParser.digit(f[q + 1]) else { return nil }
            q += 2
            return a * 10 + b
        }
        guard let hours = two() else { return nil }
        var minutes = 0
        if q < n, f[q] == UInt8(ascii: ":") {
            q += 1
            guard let m = two() else { return nil }
            minutes = m
        } else if let m = two() {
            minutes = m
        }
        p = q
        guard hours <= 23, minutes <= 59 else { return Int.min }
        return (negative ? -1 : 1) * (hours * 60 + minutes)
    }
}
