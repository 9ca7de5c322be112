/// Parses one table's time fields, in one `FrameTimeFormat`, into milliseconds.
///
/// Works on raw bytes with integer arithmetic; the calendar day of the previous field is
/// cached, so runs of one date cost a compare. A result is UTC when the text says so (epoch
/// values, ISO-8601 with `Z` or an offset) and a local wall-clock time otherwise; the caller
/// maps local times through the zone. On failure `failure` says why, in words.
struct TimeFieldParser {
    let format: FrameTimeFormat
    /// Why a parse returned nil ("" when the field just has the wrong shape). Only failures
    /// write it (keeping the hot path free of String stores): clear it before a parse whose
    /// reason is wanted.
    var failure = ""

    private var cachedDate: (UInt64, UInt16) = (0, 0)
    private var cachedDay: Int64 = 0
    private var hasCachedDate = false
    private var cachedCivil = (year: -1, month: 0, day: 0)
    private var cachedCivilDay: Int64 = 0
    private var prefix = DatePrefix()

    /// The compiled pattern of a `.pattern` format: its ops (kept alive by `code`, read through
    /// `ops` so a parse touches no reference count), `%y`'s century and the date prefix.
    private let code: TimePattern.Code?
    private let ops: UnsafeBufferPointer<TimePattern.Op>
    private let century: Int?
    private let datePrefix: Int
    private let layout: TimePatternLayout?

    init(format: FrameTimeFormat) {
        self.format = format
        if case .pattern(let p) = format {
            let code = TimePattern.Code(p)
            self.code = code
            ops = UnsafeBufferPointer(start: code.ops.baseAddress, count: p.ops.count)
            century = p.century
            datePrefix = p.datePrefix
            layout = p.layout
        } else {
            layout = nil
            code = nil
            ops = UnsafeBufferPointer(start: nil, count: 0)
            century = nil
            datePrefix = 0
        }
    }

    /// A parsed time: milliseconds, and whether they are UTC already.
    struct Parsed {
        var milliseconds: Int64
        var isUTC: Bool
    }

    /// The earliest and latest accepted instants: years 0000 to 9999, as the text formats allow.
    static let range: ClosedRange<Int64> = CivilTime.day(year: 0, month: 1, day: 1) * CivilTime.millisecondsPerDay
        ... CivilTime.day(year: 10_000, month: 1, day: 1) * CivilTime.millisecondsPerDay - 1

    @inline(__always)
    static func digit(_ b: UInt8) -> Int? {
        let d = b &- UInt8(ascii: "0")
        return d <= 9 ? Int(d) : nil
    }

    /// Parses the `n` bytes at `f` in `format`; nil (with `failure`) if they are not such a time.
    @inline(__always)
    mutating func parse(_ f: UnsafePointer<UInt8>, _ n: Int) -> Parsed? {
        switch format {
        case .iso8601: return iso8601(f, n)
        case .isoDate:
            guard n == 10, let day = isoDay(f, n) else { return fail(n == 10 ? failure : "") }
            return Parsed(milliseconds: day * CivilTime.millisecondsPerDay, isUTC: false)
        case .usDate:
            guard let (day, q) = usDay(f, n) else { return nil }
            guard q == n else { return fail("") }
            return Parsed(milliseconds: day * CivilTime.millisecondsPerDay, isUTC: false)
        case .usDateTime12, .usDateTime24:
            guard let (day, q) = usDay(f, n) else { return nil }
            guard q < n, f[q] == UInt8(ascii: " ") else { return fail("") }
            var p = q
            while p < n, f[p] == UInt8(ascii: " ") { p += 1 }
            let twelve = format == .usDateTime12
            guard let tod = Self.timeOfDay(f + p, n - p, meridiem: twelve ? .required : .forbidden,
                                           secondsRequired: twelve, failure: &failure) else { return nil }
            return Parsed(milliseconds: day * CivilTime.millisecondsPerDay + tod, isUTC: false)
        case .epochSeconds, .epochMilliseconds:
            guard let v = Self.epoch(f, n, scale: format == .epochSeconds ? 3 : 0, failure: &failure) else { return nil }
            return Parsed(milliseconds: v, isUTC: true)
        case .pattern:
            return patternTime(f, n)
        }
    }

    /// A time in the compiled pattern: the fields, checked as a calendar date, in milliseconds
    /// (UTC when the pattern read an offset or zone name). When the pattern has a date prefix,
    /// a field whose first bytes equal the last one's takes that day without reading them.
    @inline(__always)
    private mutating func patternTime(_ f: UnsafePointer<UInt8>, _ n: Int) -> Parsed? {
        if let layout, n == layout.width, let t = fixedTime(f, layout) { return t }
        var r = TimePattern.Fields()
        var p = 0
        let day: Int64
        let k = datePrefix
        if k > 0, prefix.length > 0, n >= 16, prefix.matches(f) {
            p = prefix.length
            day = prefix.day
        } else {
            guard TimePattern.run(ops, century: century, f, n, ops: 0..<(k > 0 ? k : ops.count), at: &p, into: &r, failure: &failure),
                  let d = civilDay(r) else { return nil }
            day = d
            if k > 0 { prefix = DatePrefix(f, p, day: d) }
        }
        if k > 0 {
            guard TimePattern.run(ops, century: century, f, n, ops: k..<ops.count, at: &p, into: &r, failure: &failure) else { return nil }
        }
        guard TimePattern.end(f, n, p, &r, failure: &failure) else { return nil }
        let t = day * CivilTime.millisecondsPerDay + Int64(r.hour * 3600 + r.minute * 60 + r.second) * 1000 + Int64(r.millisecond)
        guard let offset = r.offset else { return Parsed(milliseconds: t, isUTC: false) }
        return Parsed(milliseconds: t - Int64(offset) * CivilTime.millisecondsPerMinute, isUTC: true)
    }

    /// A field of exactly the layout's width read at fixed offsets; nil (with `failure`
    /// untouched or as the general program will set it) for anything else, which the general
    /// program then reads, so results and messages stay its own.
    @inline(__always)
    private mutating func fixedTime(_ f: UnsafePointer<UInt8>, _ x: TimePatternLayout) -> Parsed? {
        guard x.matches(f) else { return nil }
        let day: Int64
        if x.datePrefix > 0, prefix.length == x.datePrefix, prefix.matches(f) {
            day = prefix.day
        } else {
            var r = TimePattern.Fields()
            r.year = x.year(f)
            r.month = TimePatternLayout.two(f, x.month)
            r.day = TimePatternLayout.two(f, x.day)
            guard r.month >= 1, r.month <= 12, r.day >= 1, r.day <= 31, let d = civilDay(r) else { return nil }
            day = d
            if x.datePrefix > 0 { prefix = DatePrefix(f, x.datePrefix, day: d) }
        }
        let h = TimePatternLayout.two(f, x.hour), m = TimePatternLayout.two(f, x.minute), s = TimePatternLayout.two(f, x.second)
        guard h <= 23, m <= 59, s <= 59 else { return nil }
        return Parsed(milliseconds: day * CivilTime.millisecondsPerDay + Int64(h * 3600 + m * 60 + s) * 1000, isUTC: false)
    }

    /// The day of a pattern's date fields, checked against the calendar.
    @inline(__always)
    private mutating func civilDay(_ r: TimePattern.Fields) -> Int64? {
        if r.dayOfYear > 0 {
            let days = CivilTime.daysInMonth(year: r.year, month: 2) == 29 ? 366 : 365
            guard r.dayOfYear <= days else { failure = "day of the year \(r.dayOfYear) in \(r.year)"; return nil }
            return CivilTime.day(year: r.year, month: 1, day: 1) + Int64(r.dayOfYear - 1)
        }
        if r.year == cachedCivil.year, r.month == cachedCivil.month, r.day == cachedCivil.day { return cachedCivilDay }
        let days = CivilTime.daysInMonth(year: r.year, month: r.month)
        guard r.day <= days else { failure = "day \(r.day) in a \(days)-day month"; return nil }
        cachedCivil = (r.year, r.month, r.day)
        cachedCivilDay = CivilTime.day(year: r.year, month: r.month, day: r.day)
        return cachedCivilDay
    }

    /// The bytes (up to 16) a pattern's date prefix last read, and their day.
    struct DatePrefix {
        var length = 0
        var words: (UInt64, UInt64) = (0, 0)
        var masks: (UInt64, UInt64) = (0, 0)
        var day: Int64 = 0

        init() {}

        /// The `length` bytes at `f` (none kept when longer than 16).
        init(_ f: UnsafePointer<UInt8>, _ length: Int, day: Int64) {
            guard length <= 16 else { return }
            self.length = length
            self.day = day
            masks = (Self.mask(length), Self.mask(length - 8))
            var bytes: (UInt64, UInt64) = (0, 0)
            withUnsafeMutableBytes(of: &bytes) { $0.baseAddress!.copyMemory(from: f, byteCount: length) }
            words = (UInt64(littleEndian: bytes.0), UInt64(littleEndian: bytes.1))
        }

        private static func mask(_ bytes: Int) -> UInt64 {
            bytes >= 8 ? ~0 : bytes <= 0 ? 0 : (1 << UInt64(bytes * 8)) - 1
        }

        /// Whether the 16 or more bytes at `f` start with the kept ones.
        @inline(__always)
        func matches(_ f: UnsafePointer<UInt8>) -> Bool {
            let raw = UnsafeRawPointer(f)
            let a = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
            let b = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            return a & masks.0 == words.0 && b & masks.1 == words.1
        }
    }

    private mutating func fail(_ reason: String) -> Parsed? {
        failure = reason
        return nil
    }

    // MARK: ISO-8601

    /// `YYYY-MM-DD` at `f`: the day number, cached while the date bytes repeat.
    @inline(__always)
    private mutating func isoDay(_ f: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        guard n >= 10 else { return nil }
        let raw = UnsafeRawPointer(f)
        let key = (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self))
        if hasCachedDate, key == cachedDate { return cachedDay }
        switch TimestampSyntax.parseDate(UnsafeBufferPointer(start: f, count: 10)) {
        case .success(let day):
            cachedDate = key
            cachedDay = day
            hasCachedDate = true
            return day
        case .failure(let reason):
            failure = reason.text
            return nil
        }
    }

    @inline(__always)
    private mutating func iso8601(_ f: UnsafePointer<UInt8>, _ n: Int) -> Parsed? {
        guard n >= 19, let day = isoDay(f, n) else { return nil }
        guard f[10] == UInt8(ascii: "T") || f[10] == UInt8(ascii: " ") else { return nil }
        guard let seconds = Self.hms(f + 11, failure: &failure) else { return nil }
        var p = 19
        var ms: Int64 = 0
        if p < n, f[p] == UInt8(ascii: ".") {
            p += 1
            var digits = 0
            while p < n, let d = Self.digit(f[p]) {
                digits += 1
                guard digits <= 3 else { return fail("more than 3 fraction digits") }
                ms = ms * 10 + Int64(d)
                p += 1
            }
            guard digits > 0 else { return nil }
            if digits == 1 { ms *= 100 } else if digits == 2 { ms *= 10 }
        }
        let t = day * CivilTime.millisecondsPerDay + seconds * 1000 + ms
        if p == n { return Parsed(milliseconds: t, isUTC: false) }
        let c = f[p]
        if c == UInt8(ascii: "Z") || c == UInt8(ascii: "z") {
            guard p + 1 == n else { return nil }
            return Parsed(milliseconds: t, isUTC: true)
        }
        guard c == UInt8(ascii: "+") || c == UInt8(ascii: "-") else { return nil }
        // ±HH:MM or ±HHMM
        let rest = n - p - 1
        guard rest == 5 || rest == 4, let h1 = Self.digit(f[p + 1]), let h2 = Self.digit(f[p + 2]) else { return nil }
        var q = p + 3
        if rest == 5 {
            guard f[q] == UInt8(ascii: ":") else { return nil }
            q += 1
        }
        guard let m1 = Self.digit(f[q]), let m2 = Self.digit(f[q + 1]) else { return nil }
        let hours = h1 * 10 + h2, minutes = m1 * 10 + m2
        guard hours <= 23, minutes <= 59 else { return fail("offset hours or minutes out of range") }
        let offset = Int64(hours * 60 + minutes) * CivilTime.millisecondsPerMinute
        return Parsed(milliseconds: c == UInt8(ascii: "+") ? t - offset : t + offset, isUTC: true)
    }

    /// `HH:MM:SS` at `f` (8 bytes, checked as one word): seconds since midnight.
    @inline(__always)
    private static func hms(_ f: UnsafePointer<UInt8>, failure: inout String) -> Int64? {
        // Little-endian word: colons at bytes 2 and 5, digits elsewhere.
        let x = UInt64(littleEndian: UnsafeRawPointer(f).loadUnaligned(as: UInt64.self))
        guard let (hour, minute, second) = TimestampSyntax.clockWord(x) else { return nil }
        guard hour < 24 else { failure = "hour \(hour) is out of range"; return nil }
        guard minute < 60 else { failure = "minute \(minute) is out of range"; return nil }
        guard second < 60 else { failure = "second \(second) is out of range"; return nil }
        return Int64(hour * 3600 + minute * 60 + second)
    }

    // MARK: US dates and times of day

    /// `M/D/YYYY` at `f`: the day number and the position after it.
    @inline(__always)
    private mutating func usDay(_ f: UnsafePointer<UInt8>, _ n: Int) -> (Int64, Int)? {
        var p = 0
        @inline(__always) func number(_ minDigits: Int, _ maxDigits: Int) -> Int? {
            var v = 0, k = 0
            while p < n, k < maxDigits, let d = Self.digit(f[p]) {
                v = v * 10 + d
                k += 1
                p += 1
            }
            return k >= minDigits ? v : nil
        }
        guard let month = number(1, 2), p < n, f[p] == UInt8(ascii: "/") else { return nil }
        p += 1
        guard let day = number(1, 2), p < n, f[p] == UInt8(ascii: "/") else { return nil }
        p += 1
        guard let year = number(4, 4) else { return nil }
        if p < n, Self.digit(f[p]) != nil { return nil }
        if year == cachedCivil.year, month == cachedCivil.month, day == cachedCivil.day { return (cachedCivilDay, p) }
        guard (1...12).contains(month) else { failure = "month \(month) is out of range"; return nil }
        guard day >= 1, day <= CivilTime.daysInMonth(year: year, month: month) else {
            failure = "day \(day) is out of range for the month"
            return nil
        }
        cachedCivil = (year, month, day)
        cachedCivilDay = CivilTime.day(year: year, month: month, day: day)
        return (cachedCivilDay, p)
    }

    enum Meridiem { case required, forbidden, optional }

    /// `H:MM[:SS[.fff]]` with an optional ` AM`/`PM`: milliseconds since midnight.
    ///
    /// With AM/PM the hour is 1...12 (12 AM is midnight, 12 PM noon), otherwise 0...23.
    static func timeOfDay(_ f: UnsafePointer<UInt8>, _ n: Int, meridiem: Meridiem, secondsRequired: Bool,
                          failure: inout String) -> Int64? {
        var p = 0
        guard p < n, let h1 = digit(f[p]) else { return nil }
        var hour = h1
        p += 1
        if p < n, let h2 = digit(f[p]) {
            hour = hour * 10 + h2
            p += 1
        }
        @inline(__always) func twoDigits() -> Int? {
            guard p + 1 < n, let a = digit(f[p]), let b = digit(f[p + 1]) else { return nil }
            p += 2
            return a * 10 + b
        }
        guard p < n, f[p] == UInt8(ascii: ":") else { return nil }
        p += 1
        guard let minute = twoDigits() else { return nil }
        var second = 0
        var ms = 0
        if p < n, f[p] == UInt8(ascii: ":") {
            p += 1
            guard let s = twoDigits() else { return nil }
            second = s
            if p < n, f[p] == UInt8(ascii: ".") {
                p += 1
                var digits = 0
                while p < n, let d = digit(f[p]) {
                    digits += 1
                    guard digits <= 3 else { failure = "more than 3 fraction digits"; return nil }
                    ms = ms * 10 + d
                    p += 1
                }
                guard digits > 0 else { return nil }
                for _ in digits..<3 { ms *= 10 }
            }
        } else if secondsRequired {
            return nil
        }
        // Optional spaces, then AM or PM (any case), ending the field.
        var pm: Bool?
        if p < n {
            var q = p
            while q < n, f[q] == UInt8(ascii: " ") { q += 1 }
            guard q + 2 == n, f[q + 1] | 0x20 == UInt8(ascii: "m") else { return nil }
            switch f[q] | 0x20 {
            case UInt8(ascii: "a"): pm = false
            case UInt8(ascii: "p"): pm = true
            default: return nil
            }
        }
        switch (pm, meridiem) {
        case (nil, .required), (.some, .forbidden): return nil
        default: break
        }
        if let pm {
            guard (1...12).contains(hour) else { failure = "hour \(hour) is out of range for AM/PM"; return nil }
            hour = hour % 12 + (pm ? 12 : 0)
        } else {
            guard hour < 24 else { failure = "hour \(hour) is out of range"; return nil }
        }
        guard minute < 60 else { failure = "minute \(minute) is out of range"; return nil }
        guard second < 60 else { failure = "second \(second) is out of range"; return nil }
        return Int64(hour * 3600 + minute * 60 + second) * 1000 + Int64(ms)
    }

    // MARK: Epoch numbers

    /// A decimal `[+-]digits[.digits][e[+-]digits]` times 10^`scale`, rounded to an integer
    /// (half away from zero) with exact integer arithmetic, so `1.46223E+9` is exact.
    static func epoch(_ f: UnsafePointer<UInt8>, _ n: Int, scale: Int, failure: inout String) -> Int64? {
        var p = 0
        var negative = false
        if p < n, f[p] == UInt8(ascii: "-") || f[p] == UInt8(ascii: "+") {
            negative = f[p] == UInt8(ascii: "-")
            p += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var significant = 0
        var exponent = scale
        @inline(__always) func add(_ d: Int, fraction: Bool) {
            if mantissa == 0, d == 0 {
                if fraction { exponent -= 1 }
                digits += 1
                return
            }
            digits += 1
            if significant < 19 {
                mantissa = mantissa * 10 + UInt64(d)
                significant += 1
                if fraction { exponent -= 1 }
            } else {
                // Beyond 19 digits: far below a millisecond for any representable time.
                if !fraction { exponent += 1 }
            }
        }
        while p < n, let d = digit(f[p]) { add(d, fraction: false); p += 1 }
        if p < n, f[p] == UInt8(ascii: ".") {
            p += 1
            while p < n, let d = digit(f[p]) { add(d, fraction: true); p += 1 }
        }
        guard digits > 0 else { return nil }
        if p < n, f[p] | 0x20 == UInt8(ascii: "e") {
            p += 1
            var negativeExponent = false
            if p < n, f[p] == UInt8(ascii: "-") || f[p] == UInt8(ascii: "+") {
                negativeExponent = f[p] == UInt8(ascii: "-")
                p += 1
            }
            var e = 0, k = 0
            while p < n, let d = digit(f[p]) {
                if e < 100_000 { e = e * 10 + d }
                k += 1
                p += 1
            }
            guard k > 0 else { return nil }
            exponent += negativeExponent ? -e : e
        }
        guard p == n else { return nil }
        var value: UInt64
        if mantissa == 0 {
            value = 0
        } else if exponent >= 0 {
            guard exponent <= 19 else { failure = "the time is out of range"; return nil }
            let (v, overflow) = mantissa.multipliedReportingOverflow(by: pow10(exponent))
            guard !overflow else { failure = "the time is out of range"; return nil }
            value = v
        } else if exponent < -19 {
            value = 0
        } else {
            let divisor = pow10(-exponent)
            let (q, r) = mantissa.quotientAndRemainder(dividingBy: divisor)
            value = q + (r >= divisor - r ? 1 : 0)
        }
        guard value <= UInt64(Int64.max) else { failure = "the time is out of range"; return nil }
        let signed = negative ? -Int64(value) : Int64(value)
        guard range.contains(signed) else { failure = "the time is out of range (years 0000 to 9999)"; return nil }
        return signed
    }

    @inline(__always)
    private static func pow10(_ e: Int) -> UInt64 {
        var v: UInt64 = 1
        for _ in 0..<e { v &*= 10 }
        return v
    }
}
