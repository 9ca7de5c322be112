internal import Foundation

/// Local calendar days of one IANA time zone, as UTC millisecond boundaries.
///
/// A local day runs from its first midnight to the next day's: 23 or 25 hours on daylight
/// saving change days. Foundation's `TimeZone` is asked only for the offsets around the few
/// midnights a partition spans, never per row; rows are then placed by comparing their times
/// with those boundaries. `UTC` needs no time-zone database at all. Results depend on the
/// system's tz database version (as every local-time computation does).
struct WindowDays: Sendable {
    let zone: String
    /// nil for UTC.
    private let timeZone: TimeZone?

    static let millisecondsPerDay = CivilTime.millisecondsPerDay

    /// - Throws: `SensorError(.invalidParameter)` if `zone` is not a known IANA identifier.
    init(zone: String, for op: String) throws(SensorError) {
        self.zone = zone
        if zone == "UTC" {
            timeZone = nil
        } else if let tz = TimeZone(identifier: zone) {
            timeZone = tz
        } else {
            throw SensorError.parameter("\(op): unknown time zone \"\(zone)\" (use an IANA name such as UTC or America/New_York)")
        }
    }

    /// Whether every local day is 24 hours long (the zone is UTC).
    var isUTC: Bool { timeZone == nil }

    /// The zone's offset from UTC at instant `t`, in milliseconds.
    func offset(at t: Int64) -> Int64 {
        guard let timeZone else { return 0 }
        return Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t) / 1000))) * 1000
    }

    /// The first instant of local day `day` (days count from 1970-01-01 local).
    ///
    /// Local midnight is `day * 86_400_000 - offset` for the offset in force then; when a
    /// clock change skips midnight, the day starts at the change instead.
    func midnight(_ day: Int64) -> Int64 {
        let wall = day * Self.millisecondsPerDay
        guard timeZone != nil else { return wall }
        // Offsets lie within ±18 h, so the ones in force near the wall time cover every candidate.
        let hours14: Int64 = 14 * 3_600_000
        var offsets: [Int64] = []
        for probe in [wall - hours14, wall, wall + hours14] {
            let o = offset(at: probe)
            if !offsets.contains(o) { offsets.append(o) }
        }
        var best: Int64?
        for o in offsets where offset(at: wall - o) == o {
            best = Swift.min(best ?? .max, wall - o)
        }
        if let best { return best }
        // Midnight was skipped: the first instant whose wall clock is past it.
        let candidates = offsets.map { wall - $0 }
        var lo = candidates.min() ?? wall, hi = candidates.max() ?? wall
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if mid + offset(at: mid) >= wall { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// The local day holding instant `t`, consistent with `midnight(_:)`.
    func day(of t: Int64) -> Int64 {
        var d = WindowSupport.floorDivide(t + offset(at: t), Self.millisecondsPerDay)
        guard timeZone != nil else { return d }
        while midnight(d) > t { d -= 1 }
        while midnight(d + 1) <= t { d += 1 }
        return d
    }

    /// The local day of each of `times`, which must ascend; a few zone look-ups per day.
    func days<C: Collection<Int64>>(ofAscending times: C) -> ContiguousArray<Int64> {
        var out = ContiguousArray<Int64>()
        out.reserveCapacity(times.count)
        guard let first = times.first else { return out }
        var d = day(of: first)
        var next = midnight(d + 1)
        for t in times {
            if t >= next {
                d = day(of: t)
                next = midnight(d + 1)
            }
            out.append(d)
        }
        return out
    }
}

/// Small helpers of the window operators, in a namespace so module-level names stay free.
enum WindowSupport {
    /// `a / b` rounded toward negative infinity (`b > 0`).
    @inline(__always)
    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return a % b < 0 ? q - 1 : q
    }

    /// Times beyond ±2^52 ms (about 142,000 years) are rejected so window arithmetic cannot overflow.
    static let timeLimit: Int64 = 1 << 52

    /// Row indices of `frame` in time order; ties keep row order. nil if already in order.
    static func ascendingOrder(_ time: ContiguousArray<Int64>) -> [Int]? {
        var sorted = true
        for i in time.indices.dropFirst() where time[i] < time[i - 1] {
            sorted = false
            break
        }
        if sorted { return nil }
        return time.indices.sorted { time[$0] < time[$1] || (time[$0] == time[$1] && $0 < $1) }
    }

    /// `2022-11-23T20:40:00.444Z`: a UTC timestamp with milliseconds, locale-free.
    static func isoTimestamp(_ t: Int64) -> String {
        let day = floorDivide(t, CivilTime.millisecondsPerDay)
        let inDay = t - day * CivilTime.millisecondsPerDay
        return CivilTime.dateString(day: day) + "T" + clockString(inDay, seconds: true) + "Z"
    }

    /// `HH:MM` or `HH:MM:SS.mmm` of milliseconds after midnight.
    static func clockString(_ inDay: Int64, seconds: Bool) -> String {
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let h = inDay / 3_600_000, m = inDay / 60_000 % 60
        guard seconds else { return two(h) + ":" + two(m) }
        let s = inDay / 1000 % 60, milli = inDay % 1000
        let ms = milli < 10 ? "00\(milli)" : milli < 100 ? "0\(milli)" : "\(milli)"
        return two(h) + ":" + two(m) + ":" + two(s) + "." + ms
    }

    /// The candidate closest to `name` by edit distance, as a " (did you mean …?)" suffix.
    static func didYouMean(_ name: String, among candidates: [String]) -> String {
        var best: (distance: Int, name: String)?
        let a = Array(name.unicodeScalars)
        for c in candidates {
            let b = Array(c.unicodeScalars)
            var row = Array(0...b.count)
            for i in a.indices {
                var previous = row[0]
                row[0] = i + 1
                for j in b.indices {
                    let keep = row[j + 1]
                    row[j + 1] = Swift.min(row[j + 1] + 1, row[j] + 1, previous + (a[i] == b[j] ? 0 : 1))
                    previous = keep
                }
            }
            let d = row[b.count]
            if d < (best?.distance ?? .max) { best = (d, c) }
        }
        guard let best, best.distance <= max(2, a.count / 2) else { return "" }
        return " (did you mean \"\(best.name)\"?)"
    }
}
