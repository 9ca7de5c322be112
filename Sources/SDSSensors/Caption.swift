/// A per-channel day statistic a caption can print.
public enum CaptionStatistic: String, Sendable, CaseIterable {
    /// Sequential float64 sum of the present minutes, in minute order, over their count.
    case mean
    /// Smallest present value.
    case min
    /// Largest present value.
    case max
    /// Sequential float64 sum of the present minutes.
    case sum
    /// `100.0 * present minutes / 1440`.
    case coverage
    /// Number of present minutes.
    case count
}

/// A caption template: text with `{placeholder}`s, `{{` and `}}` for literal braces.
///
/// Placeholders are `{date}` (`YYYY-MM-DD`), `{entity}`, and `{CHANNEL_STAT}` for a window
/// channel name and a `CaptionStatistic` (e.g. `{hr_mean}`, `{steps_sum}`). Every number is
/// rounded half to even (as Python's `round()`) and printed as an integer, without locale.
public struct CaptionTemplate: Sendable, Equatable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case placeholder(name: String, column: Int)
    }

    public let text: String
    let segments: [Segment]

    /// Parses `text`.
    ///
    /// - Throws: `SensorError(.invalidParameter)` for an unclosed `{`, a lone `}`, an empty
    ///   placeholder or a format spec (`{x:...}`); the message gives the 1-based column.
    public init(_ text: String) throws(SensorError) {
        self.text = text
        var segments: [Segment] = []
        var literal = ""
        var chars = Array(text.unicodeScalars)[...]
        var column = 1
        while let c = chars.first {
            chars = chars.dropFirst()
            let here = column
            column += 1
            if c == "{" {
                if chars.first == "{" {
                    chars = chars.dropFirst()
                    column += 1
                    literal.unicodeScalars.append("{")
                    continue
                }
                guard let close = chars.firstIndex(of: "}") else {
                    throw Self.error("unclosed \"{\" at column \(here)")
                }
                var name = ""
                name.unicodeScalars.append(contentsOf: chars[chars.startIndex..<close])
                if name.isEmpty { throw Self.error("empty placeholder \"{}\" at column \(here)") }
                if name.contains("{") { throw Self.error("unclosed \"{\" at column \(here)") }
                if name.contains(":") || name.contains("!") {
                    throw Self.error("placeholder {\(name)} at column \(here): format specs are not supported (numbers print as integers)")
                }
                column += name.unicodeScalars.count + 1
                chars = chars[(close + 1)...]
                if !literal.isEmpty { segments.append(.literal(literal)); literal = "" }
                segments.append(.placeholder(name: name, column: here))
            } else if c == "}" {
                guard chars.first == "}" else { throw Self.error("single \"}\" at column \(here); write \"}}\" for a brace") }
                chars = chars.dropFirst()
                column += 1
                literal.unicodeScalars.append("}")
            } else {
                literal.unicodeScalars.append(c)
            }
        }
        if !literal.isEmpty { segments.append(.literal(literal)) }
        self.segments = segments
    }

    private static func error(_ message: String) -> SensorError {
        SensorError.parameter("caption template: " + message)
    }

    public static func == (a: CaptionTemplate, b: CaptionTemplate) -> Bool { a.text == b.text }

    /// The placeholder names in order of appearance.
    public var placeholders: [String] {
        segments.compactMap { if case .placeholder(let name, _) = $0 { return name } else { return nil } }
    }

    /// Every placeholder the template may use with these channels.
    public static func knownPlaceholders(channelNames: [String]) -> [String] {
        ["date", "entity"] + channelNames.flatMap { c in CaptionStatistic.allCases.map { "\(c)_\($0.rawValue)" } }
    }

    /// Checks that every placeholder is known for these channel names.
    ///
    /// - Throws: `SensorError(.invalidParameter)` naming the first unknown placeholder.
    public func validate(channelNames: [String]) throws(SensorError) {
        _ = try resolve(channelNames: channelNames)
    }

    enum Part {
        case literal(String), date, entity
        case statistic(channel: Int, CaptionStatistic, name: String)
    }

    func resolve(channelNames: [String]) throws(SensorError) -> [Part] {
        var parts: [Part] = []
        for segment in segments {
            switch segment {
            case .literal(let s):
                parts.append(.literal(s))
            case .placeholder(let name, let column):
                if name == "date" { parts.append(.date); continue }
                if name == "entity" { parts.append(.entity); continue }
                var found: Part?
                for (c, channel) in channelNames.enumerated() {
                    for stat in CaptionStatistic.allCases where name == "\(channel)_\(stat.rawValue)" {
                        found = .statistic(channel: c, stat, name: name)
                    }
                }
                guard let found else {
                    let known = Self.knownPlaceholders(channelNames: channelNames).map { "{\($0)}" }.joined(separator: ", ")
                    throw Self.error("unknown placeholder {\(name)} at column \(column); known: \(known)")
                }
                parts.append(found)
            }
        }
        return parts
    }

    static let tag = ObjectTag("sCTp", version: 1, name: "CaptionTemplate")

    /// The canonical bytes of the template, for step keys.
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(Self.tag)
        w.string(text)
        return w.bytes
    }

}

/// One caption per kept day of one entity.
public struct DayCaptions: Sendable, Equatable {
    public var entity: String
    public var days: ContiguousArray<Int32>
    public var captions: [String]

    public init(entity: String, days: ContiguousArray<Int32>, captions: [String]) {
        precondition(days.count == captions.count, "one caption per day")
        self.entity = entity
        self.days = days
        self.captions = captions
    }

    static let tag = ObjectTag("sCAP", version: 1, name: "DayCaptions")

    /// The canonical bytes: entity, day count, days (i32), then each caption as a string.
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(Self.tag, capacity: 32 + captions.reduce(0) { $0 + 8 + $1.utf8.count })
        w.string(entity)
        w.count(days.count)
        w.int32s(days)
        for caption in captions { w.string(caption) }
        return w.bytes
    }

    /// Decodes bytes made by `encoded()`.
    ///
    /// - Throws: `SensorError` with code `.corruptObject` if they are not exactly such bytes.
    public init(decoding bytes: [UInt8]) throws(SensorError) {
        var r = try BinaryReader(bytes, Self.tag)
        entity = try r.string()
        let n = try r.count(minimumSize: 8)
        days = try r.int32s(count: n)
        var captions: [String] = []
        captions.reserveCapacity(n)
        for _ in 0..<n { captions.append(try r.string()) }
        self.captions = captions
        try r.finish()
    }
}

/// Renders a caption per day from window statistics.
public enum CaptionRenderer {
    public static let operatorName = "sensors.caption"
    public static let operatorVersion = 1

    /// Renders `template` for each day of `windows`.
    ///
    /// - Throws: `SensorError(.invalidParameter)` for an unknown placeholder, or
    ///   `SensorError(.undefinedStatistic)` when a mean, min or max has no present minute.
    public static func render(_ windows: DayWindows, template: CaptionTemplate) throws(SensorError) -> DayCaptions {
        let parts = try template.resolve(channelNames: windows.channelNames)
        var captions: [String] = []
        captions.reserveCapacity(windows.days.count)
        for d in 0..<windows.days.count {
            let date = CivilTime.dateString(day: Int64(windows.days[d]))
            var text = ""
            for part in parts {
                switch part {
                case .literal(let s): text += s
                case .date: text += date
                case .entity: text += windows.entity
                case .statistic(let c, let stat, let name):
                    let value = statistic(windows, day: d, channel: c, stat)
                    guard let value, let printed = roundedInteger(value) else {
                        throw SensorError(.undefinedStatistic,
                                          "caption: {\(name)} has no value for \(windows.entity) on \(date)")
                    }
                    text += String(printed)
                }
            }
            captions.append(text)
        }
        return DayCaptions(entity: windows.entity, days: windows.days, captions: captions)
    }

    /// A channel's statistic for day index `d`; nil if undefined (no present minute).
    public static func statistic(_ windows: DayWindows, day d: Int, channel c: Int, _ stat: CaptionStatistic) -> Double? {
        let from = windows.index(day: d, channel: c, minute: 0)
        var count = 0
        var sum = 0.0
        var lo = Double.infinity
        var hi = -Double.infinity
        for m in 0..<CivilTime.minutesPerDay where windows.masks[from + m] != 0 {
            let v = windows.values[from + m]
            count += 1
            sum += v  // sequential, in minute order
            lo = Swift.min(lo, v)
            hi = Swift.max(hi, v)
        }
        switch stat {
        case .count: return Double(count)
        case .coverage: return 100.0 * Double(count) / Double(CivilTime.minutesPerDay)
        case .sum: return sum
        case .mean: return count > 0 ? sum / Double(count) : nil
        case .min: return count > 0 ? lo : nil
        case .max: return count > 0 ? hi : nil
        }
    }

    /// `x` rounded half to even, as Python's `round(x)`; nil if not finite or beyond Int64.
    public static func roundedInteger(_ x: Double) -> Int64? {
        let r = x.rounded(.toNearestOrEven)
        guard r.isFinite, r >= -9.223_372_036_854_775_808e18, r < 9.223_372_036_854_775_808e18 else { return nil }
        return Int64(r)
    }
}
