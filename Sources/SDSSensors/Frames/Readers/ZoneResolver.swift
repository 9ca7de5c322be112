internal import FoundationEssentials
internal import FoundationInternationalization

/// Maps wall-clock times of one IANA zone to UTC, asking Foundation once per local hour.
///
/// A local hour is almost always wholly regular (one offset), wholly skipped (spring forward)
/// or wholly repeated (fall back); its verdict is cached, so rows cost a dictionary hit at
/// most (none while the hour repeats). An hour a transition cuts (half-hour zones, historic
/// offsets) is resolved row by row. Assumes at most one transition within a day of any time,
/// which holds for every zone in the tz database.
struct ZoneResolver {
    let identifier: String
    private let zone: TimeZone

    private enum Verdict {
        case offset(Int64)
        /// The hour is skipped: offsets before and after.
        case gap(Int64, Int64)
        /// The hour happens twice: the earlier and the later offset.
        case ambiguous(Int64, Int64)
        /// A transition cuts the hour.
        case mixed
    }

    private var lastHour = Int64.min
    private var lastVerdict = Verdict.mixed
    private var verdicts: [Int64: Verdict] = [:]

    /// Why the last `utc` returned nil.
    enum Problem { case gap, ambiguous }
    private(set) var problem = Problem.gap
    /// Words for the last problem, e.g. "2016-03-13 02:30:00 does not exist in America/New_York …".
    private(set) var message = ""

    /// nil if Foundation does not know `identifier`.
    init?(_ identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.identifier = identifier
        self.zone = zone
    }

    static let hour: Int64 = 3_600_000

    /// The UTC instant of local time `local` (milliseconds), or nil for a skipped or repeated time.
    @inline(__always)
    mutating func utc(_ local: Int64) -> Int64? {
        let h = local >= 0 ? local / Self.hour : (local - Self.hour + 1) / Self.hour
        if h != lastHour {
            lastHour = h
            if let v = verdicts[h] {
                lastVerdict = v
            } else {
                lastVerdict = verdict(hour: h)
                verdicts[h] = lastVerdict
            }
        }
        return resolve(local, lastVerdict)
    }

    private mutating func resolve(_ local: Int64, _ verdict: Verdict) -> Int64? {
        switch verdict {
        case .offset(let o): return local - o
        case .gap(let before, let after):
            problem = .gap
            message = "\(Self.wallClock(local)) does not exist in \(identifier) (the clocks jump from "
                + "\(Self.offsetText(before)) to \(Self.offsetText(after)))"
            return nil
        case .ambiguous(let earlier, let later):
            problem = .ambiguous
            message = "\(Self.wallClock(local)) happens twice in \(identifier) (at \(Self.offsetText(earlier)) "
                + "and again at \(Self.offsetText(later)))"
            return nil
        case .mixed:
            let exact = classify(local)
            if case .mixed = exact { return nil }
            return resolve(local, exact)
        }
    }

    private func verdict(hour h: Int64) -> Verdict {
        let first = classify(h * Self.hour)
        let last = classify(h * Self.hour + Self.hour - 1)
        switch (first, last) {
        case (.offset(let a), .offset(let b)) where a == b: return first
        case (.gap(let a, let b), .gap(let c, let d)) where a == c && b == d: return first
        case (.ambiguous(let a, let b), .ambiguous(let c, let d)) where a == c && b == d: return first
        default: return .mixed
        }
    }

    /// The verdict for one local time: try the offsets in force a day before and a day after.
    private func classify(_ local: Int64) -> Verdict {
        let early = offset(atUTC: local - CivilTime.millisecondsPerDay)
        let late = offset(atUTC: local + CivilTime.millisecondsPerDay)
        let earlyFits = offset(atUTC: local - early) == early
        let lateFits = offset(atUTC: local - late) == late
        switch (earlyFits, lateFits) {
        case (true, true): return early == late ? .offset(early) : .ambiguous(early, late)
        case (true, false): return .offset(early)
        case (false, true): return .offset(late)
        case (false, false): return .gap(early, late)
        }
    }

    private func offset(atUTC ms: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(ms) / 1000))) * 1000
    }

    /// `YYYY-MM-DD HH:MM:SS[.fff]` of a local time.
    static func wallClock(_ local: Int64) -> String {
        let day = CivilTime.day(ofMilliseconds: local)
        let ms = local - day * CivilTime.millisecondsPerDay
        let s = ms / 1000
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var text = CivilTime.dateString(day: day) + " " + two(s / 3600) + ":" + two(s / 60 % 60) + ":" + two(s % 60)
        if ms % 1000 != 0 {
            let f = ms % 1000
            text += "." + (f < 10 ? "00" : f < 100 ? "0" : "") + "\(f)"
        }
        return text
    }

    /// `+HH:MM` / `-HH:MM` of an offset in milliseconds.
    static func offsetText(_ ms: Int64) -> String {
        let minutes = abs(ms) / 60_000
        let h = minutes / 60, m = minutes % 60
        return (ms < 0 ? "-" : "+") + (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }
}
