/// How a table's time column is written.
///
/// Every format but the epoch ones may carry a local time: it is read in the spec's `zone`
/// unless the text itself ends in `Z` or an offset (ISO-8601 only).
public enum FrameTimeFormat: Sendable, Equatable {
    /// `YYYY-MM-DDTHH:MM:SS[.f{1,3}]` (or a space for `T`), then `Z`, `±HH:MM`, `±HHMM`, or
    /// nothing for a local time.
    case iso8601
    /// `M/D/YYYY h:mm:ss AM/PM`, e.g. `4/13/2016 12:00:00 AM` (12 AM is 00h, 12 PM is 12h).
    case usDateTime12
    /// `M/D/YYYY H:MM` or `M/D/YYYY H:MM:SS`.
    case usDateTime24
    /// `M/D/YYYY`, at midnight.
    case usDate
    /// `YYYY-MM-DD`, at midnight.
    case isoDate
    /// Seconds since 1970-01-01Z: an integer, decimal or scientific notation (`1.46223E+9`).
    case epochSeconds
    /// Milliseconds since 1970-01-01Z, written like `epochSeconds`.
    case epochMilliseconds
    /// A strptime-style layout (`%d-%m-%Y %H:%M`); see `TimePattern`.
    case pattern(TimePattern)

    /// The formats with a name, in the order documentation lists them.
    public static let named: [FrameTimeFormat] = [.iso8601, .usDateTime12, .usDateTime24, .usDate, .isoDate,
                                                  .epochSeconds, .epochMilliseconds]

    /// Whether the value is a calendar date without a time of day.
    var isDateOnly: Bool { self == .usDate || self == .isoDate }

    /// Whether the value is an instant, so no zone applies.
    var isEpoch: Bool { self == .epochSeconds || self == .epochMilliseconds }

    /// The spelling in sds.yaml (`format: us_12h`), which every message uses too.
    public var name: String {
        switch self {
        case .iso8601: return "iso8601"
        case .usDateTime12: return "us_12h"
        case .usDateTime24: return "us_24h"
        case .usDate: return "us_date"
        case .isoDate: return "date"
        case .epochSeconds: return "epoch_s"
        case .epochMilliseconds: return "epoch_ms"
        case .pattern(let p): return p.text
        }
    }

    /// The format spelled `name` in sds.yaml.
    public init?(name: String) {
        guard let f = Self.named.first(where: { $0.name == name }) else { return nil }
        self = f
    }

    /// A format name or, when `text` holds a `%`, a compiled pattern.
    /// - Throws: `.invalidParameter` for an unknown name or a pattern that does not compile.
    public init(_ text: String, century: Int? = nil) throws(SensorError) {
        if TimePattern.looksLikePattern(text) {
            self = .pattern(try TimePattern(text, century: century))
            return
        }
        guard let f = Self(name: text) else {
            throw .parameter("unknown time format \"\(text)\" (names: \(Self.named.map(\.name).joined(separator: ", ")); or a pattern such as \"%d-%m-%Y %H:%M\")")
        }
        guard century == nil else { throw .parameter("century applies only to a pattern with a two-digit year, %y") }
        self = f
    }

    /// The layout named in error messages.
    var shape: String {
        switch self {
        case .iso8601: return "YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]"
        case .usDateTime12: return "M/D/YYYY h:mm:ss AM/PM"
        case .usDateTime24: return "M/D/YYYY H:MM[:SS]"
        case .usDate: return "M/D/YYYY"
        case .isoDate: return "YYYY-MM-DD"
        case .epochSeconds: return "seconds since 1970"
        case .epochMilliseconds: return "milliseconds since 1970"
        case .pattern(let p): return p.text
        }
    }

    /// A stable code for parameter bytes.
    var code: UInt8 {
        switch self {
        case .iso8601: return 1
        case .usDateTime12: return 2
        case .usDateTime24: return 3
        case .usDate: return 4
        case .isoDate: return 5
        case .epochSeconds: return 6
        case .epochMilliseconds: return 7
        case .pattern: return 8
        }
    }
}

/// Where a table's times come from and how to read them.
public struct FrameTimeSpec: Sendable, Equatable {
    /// The time (or date) column.
    public var column: String
    public var format: FrameTimeFormat
    /// A separate time-of-day column (`H:MM:SS`, `HH:MM:SS[.fff]` or `h:mm:ss AM/PM`) added to
    /// the date in `column`, whose format must then be `usDate` or `isoDate`; or, with a
    /// pattern holding a time of day, the date text, one space and this column's text are
    /// parsed together by the pattern.
    public var timeColumn: String?
    /// `UTC`, or an IANA zone such as `America/New_York` in which local times are read and
    /// converted to UTC. A local time the zone skips or repeats is a bad timestamp. An explicit
    /// `Z` or offset in the text wins over the zone.
    public var zone: String

    public init(column: String, format: FrameTimeFormat = .iso8601, timeColumn: String? = nil, zone: String = "UTC") {
        self.column = column
        self.format = format
        self.timeColumn = timeColumn
        self.zone = zone
    }
}
