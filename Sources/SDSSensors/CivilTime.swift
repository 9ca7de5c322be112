/// Proleptic Gregorian calendar arithmetic on UTC days and milliseconds, locale- and
/// time-zone-free.
///
/// Days count from 1970-01-01 (day 0); times are milliseconds since 1970-01-01T00:00:00Z.
/// The algorithms are Howard Hinnant's `days_from_civil` / `civil_from_days`.
public enum CivilTime {
    public static let millisecondsPerDay: Int64 = 86_400_000
    public static let millisecondsPerMinute: Int64 = 60_000
    public static let minutesPerDay = 1440

    /// The day number of a calendar date (no range check).
    @inline(__always)
    public static func day(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The calendar date of a day number.
    public static func civil(day: Int64) -> (year: Int, month: Int, day: Int) {
        let z = day + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), Int(m), Int(d))
    }

    /// Days in `month` of `year`.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The UTC day containing `milliseconds` (floor division, so times before 1970 work).
    @inline(__always)
    public static func day(ofMilliseconds t: Int64) -> Int64 {
        let q = t / millisecondsPerDay
        return t % millisecondsPerDay < 0 ? q - 1 : q
    }

    /// `YYYY-MM-DD` of a day number (years outside 0...9999 print with a sign or more digits).
    public static func dateString(day: Int64) -> String {
        let (y, m, d) = civil(day: day)
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        let digits = String(v.magnitude)
        let body = digits.count < width ? String(repeating: "0", count: width - digits.count) + digits : digits
        return v < 0 ? "-" + body : body
    }
}

/// Fixed-width parsers for `YYYY-MM-DD` and `YYYY-MM-DDTHH:MM:SS[.f{1,3}]Z` on raw bytes.
///
/// The fast paths in `LongCSVReader` inline the same rules; these return a reason on failure
/// and serve the error path and tests.
enum TimestampSyntax {
    /// `HH:MM:SS` read as one little-endian 8-byte word (colons at bytes 2 and 5, digits
    /// elsewhere, checked all at once): hour, minute and second, or nil for another shape.
    /// Ranges are the caller's to check.
    @inline(__always)
    static func clockWord(_ x: UInt64) -> (UInt64, UInt64, UInt64)? {
        let colonMask: UInt64 = 0x0000_FF00_00FF_0000
        guard x & colonMask == 0x0000_3A00_003A_0000 else { return nil }
        let y = (x & ~colonMask) | 0x0000_3000_0030_0000
        let high: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        guard y & high == 0x3030_3030_3030_3030,
              (y &+ 0x0606_0606_0606_0606) & high == 0x3030_3030_3030_3030 else { return nil }
        let d = y &- 0x3030_3030_3030_3030
        return ((d & 0xFF) * 10 + ((d >> 8) & 0xFF), ((d >> 24) & 0xFF) * 10 + ((d >> 32) & 0xFF), ((d >> 48) & 0xFF) * 10 + (d >> 56))
    }

    static let timestampShape = "YYYY-MM-DDTHH:MM:SS[.fff]Z"
    static let dateShape = "YYYY-MM-DD"

    @inline(__always)
    static func digit(_ b: UInt8) -> Int? {
        let d = b &- UInt8(ascii: "0")
        return d <= 9 ? Int(d) : nil
    }

    /// Parses `YYYY-MM-DD` at the start of `field`; returns the day number, or a reason.
    static func parseDate(_ field: UnsafeBufferPointer<UInt8>) -> Result<Int64, Reason> {
        guard field.count >= 10, field[4] == UInt8(ascii: "-"), field[7] == UInt8(ascii: "-") else { return .failure(.shape) }
        // Runs when the date changes between rows, so no arrays here.
        @inline(__always) func number(_ from: Int, _ count: Int) -> Int? {
            var v = 0
            for i in from..<(from + count) {
                guard let d = digit(field[i]) else { return nil }
                v = v * 10 + d
            }
            return v
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2) else { return .failure(.shape) }
        guard (1...12).contains(month) else { return .failure(.month(month)) }
        guard day >= 1, day <= CivilTime.daysInMonth(year: year, month: month) else { return .failure(.day(day)) }
        return .success(CivilTime.day(year: year, month: month, day: day))
    }

    /// Parses a whole timestamp field; returns milliseconds since the epoch, or a reason.
    static func parseTimestamp(_ field: UnsafeBufferPointer<UInt8>) -> Result<Int64, Reason> {
        let day: Int64
        switch parseDate(field) {
        case .success(let d): day = d
        case .failure(let r): return .failure(r)
        }
        guard field.count >= 20, field[10] == UInt8(ascii: "T"),
              field[13] == UInt8(ascii: ":"), field[16] == UInt8(ascii: ":") else { return .failure(.shape) }
        var hms = [0, 0, 0]
        for i in 0..<3 {
            guard let a = digit(field[11 + 3 * i]), let b = digit(field[12 + 3 * i]) else { return .failure(.shape) }
            hms[i] = a * 10 + b
        }
        guard hms[0] < 24 else { return .failure(.hour(hms[0])) }
        guard hms[1] < 60 else { return .failure(.minute(hms[1])) }
        guard hms[2] < 60 else { return .failure(.second(hms[2])) }
        var p = 19
        var ms = 0
        if field[p] == UInt8(ascii: ".") {
            p += 1
            var n = 0
            while p < field.count, let d = digit(field[p]) {
                n += 1
                if n > 3 { return .failure(.fractionDigits) }
                ms = ms * 10 + d
                p += 1
            }
            guard n > 0 else { return .failure(.shape) }
            for _ in n..<3 { ms *= 10 }
        }
        guard p < field.count, field[p] == UInt8(ascii: "Z") else {
            let offset = p < field.count && (field[p] == UInt8(ascii: "+") || field[p] == UInt8(ascii: "-"))
            return offset ? .failure(.zone) : .failure(.shape)
        }
        guard p + 1 == field.count else { return .failure(.shape) }
        let seconds = Int64(hms[0] * 3600 + hms[1] * 60 + hms[2])
        return .success(day * CivilTime.millisecondsPerDay + seconds * 1000 + Int64(ms))
    }

    /// Why a date or timestamp was rejected.
    enum Reason: Error, Equatable {
        case shape, month(Int), day(Int), hour(Int), minute(Int), second(Int), fractionDigits, zone

        var text: String {
            switch self {
            case .shape: return ""
            case .month(let m): return "month \(m) is out of range"
            case .day(let d): return "day \(d) is out of range for the month"
            case .hour(let h): return "hour \(h) is out of range"
            case .minute(let m): return "minute \(m) is out of range"
            case .second(let s): return "second \(s) is out of range"
            case .fractionDigits: return "more than 3 fraction digits"
            case .zone: return "the time must be UTC, ending in Z"
            }
        }
    }
}
