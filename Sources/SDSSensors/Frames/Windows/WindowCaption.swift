/// Writes a caption for every window from a template (`frame.caption`).
///
/// Placeholders, in braces (`{{` and `}}` are literal braces):
/// - `{channel.stat}` with stat `mean`, `min`, `max`, `sum` (over the slots holding a value,
///   summed in slot order; missing if there are none), `count` (slots with a value) or
///   `coverage` (their percentage of all slots);
/// - `{scalar}`: a joined label or attribute (text prints as is);
/// - `{partition}`; `{start:date}` (`YYYY-MM-DD`), `{start:time}` (`HH:MM`), and the same for
///   the exclusive `end`, on the wall clock of `zone`.
/// Numbers may carry a format, `{steps.sum:%.0f}` or `{sleep:%d}` (see `CaptionNumberFormat`
/// for the rounding, half away from zero); without one they print in the shortest form that
/// reads back exactly, without a trailing `.0`; `rounding: .halfEven` rounds integer formats
/// half to even instead. A missing value prints as `missing`.
/// A name `x.mean` means channel x's mean when the window has a channel x, else a scalar so named.
public struct WindowCaption: Sendable, Equatable {
    public static let name = "frame.caption"
    public static let version = 1

    public let template: String
    public let zone: String
    public let missing: String
    public let rounding: CaptionRounding

    enum Part: Sendable, Equatable {
        case literal(String)
        case partition
        /// `{start:date}` and the like.
        case instant(end: Bool, date: Bool)
        case value(name: String, format: CaptionNumberFormat?, column: Int)
    }

    let parts: [Part]
    private let days: WindowDays

    /// Parses `template`.
    ///
    /// - Throws: `SensorError(.invalidParameter)` for an unclosed `{`, a lone `}`, an empty
    ///   placeholder, a format other than `%.Nf` (N ≤ 20) or `%d`, `start`/`end` without
    ///   `:date` or `:time`, or an unknown zone; the message gives the 1-based column.
    ///   With `rounding: .halfEven`, a format with digits after the point is an error too.
    public init(template: String, zone: String = "UTC", missing: String = "n/a",
                rounding: CaptionRounding = .halfAway) throws(SensorError) {
        self.template = template
        self.zone = zone
        self.missing = missing
        self.rounding = rounding
        days = try WindowDays(zone: zone, for: Self.name)
        parts = try Self.parse(template)
        if rounding == .halfEven {
            for case .value(let name, let format?, let column) in parts where format.digits > 0 {
                throw Self.error("{\(name):\(format.text)} at column \(column): rounding half_even takes integer formats only (%d or %.0f)")
            }
        }
    }

    public static func == (a: WindowCaption, b: WindowCaption) -> Bool {
        a.template == b.template && a.zone == b.zone && a.missing == b.missing && a.rounding == b.rounding
    }

    private static func error(_ message: String) -> SensorError {
        SensorError.parameter("\(name): template: \(message)")
    }

    static func parse(_ template: String) throws(SensorError) -> [Part] {
        var parts: [Part] = []
        var literal = ""
        let chars = Array(template.unicodeScalars)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            let column = i + 1
            if c == "{" && i + 1 < chars.count && chars[i + 1] == "{" {
                literal.unicodeScalars.append("{")
                i += 2
            } else if c == "}" {
                guard i + 1 < chars.count, chars[i + 1] == "}" else {
                    throw error("single \"}\" at column \(column); write \"}}\" for a brace")
                }
                literal.unicodeScalars.append("}")
                i += 2
            } else if c == "{" {
                guard let close = chars[(i + 1)...].firstIndex(of: "}") else { throw error("unclosed \"{\" at column \(column)") }
                var body = ""
                body.unicodeScalars.append(contentsOf: chars[(i + 1)..<close])
                if body.unicodeScalars.contains("{") { throw error("unclosed \"{\" at column \(column)") }
                if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
                parts.append(try placeholder(body, column: column))
                i = close + 1
            } else {
                literal.unicodeScalars.append(c)
                i += 1
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return parts
    }

    private static func placeholder(_ body: String, column: Int) throws(SensorError) -> Part {
        let colon = body.firstIndex(of: ":")
        let name = colon.map { String(body[..<$0]) } ?? body
        let spec = colon.map { body[body.index(after: $0)...] }
        guard !name.isEmpty else { throw error("empty placeholder name in {\(body)} at column \(column)") }
        switch name {
        case "partition":
            guard spec == nil else { throw error("{partition} at column \(column) takes no format") }
            return .partition
        case "start", "end":
            guard spec == "date" || spec == "time" else {
                throw error("{\(body)} at column \(column): write {\(name):date} or {\(name):time}")
            }
            return .instant(end: name == "end", date: spec == "date")
        default:
            guard let spec else { return .value(name: name, format: nil, column: column) }
            guard let format = CaptionNumberFormat(spec) else {
                throw error("{\(body)} at column \(column): format \"\(spec)\" is not %.Nf (N from 0 to 20) or %d")
            }
            return .value(name: name, format: format, column: column)
        }
    }

    /// The canonical bytes of the parameters: template, zone and missing text.
    public func parameters() -> [UInt8] {
        BinaryWriter.parameters(Self.name) { w in
            w.string(template)
            w.string(zone)
            w.string(missing)
            // Only when not the default, so captions made before the option keep their keys.
            if rounding != .halfAway { w.string(rounding.rawValue) }
        }
    }

    /// Checks that every placeholder names one of these channels or scalars.
    ///
    /// - Throws: `SensorError(.invalidParameter)` naming the first unknown placeholder, with
    ///   the closest known one.
    public func validate(channels: [String], scalars: [String]) throws(SensorError) {
        for part in parts {
            guard case .value(let name, _, let column) = part else { continue }
            if Self.channelStatistic(name, channels: channels) != nil || scalars.contains(name) { continue }
            throw unknown(name, column: column, channels: channels, scalars: scalars)
        }
    }

    private func unknown(_ name: String, column: Int, channels: [String], scalars: [String]) -> SensorError {
        let known = ["partition", "start:date", "start:time", "end:date", "end:time"]
            + channels.flatMap { c in CaptionStatistic.allCases.map { "\(c).\($0.rawValue)" } } + scalars
        return Self.error("unknown placeholder {\(name)} at column \(column)" + WindowSupport.didYouMean(name, among: known))
    }

    /// (channel, statistic) if `name` is `channel.stat` for one of `channels`.
    static func channelStatistic(_ name: String, channels: [String]) -> (String, CaptionStatistic)? {
        guard let dot = name.lastIndex(of: "."), let stat = CaptionStatistic(rawValue: String(name[name.index(after: dot)...])) else {
            return nil
        }
        let channel = String(name[..<dot])
        return channels.contains(channel) ? (channel, stat) : nil
    }

    /// Sets the caption of every window of `w`.
    ///
    /// - Throws: `SensorError(.invalidParameter)` for a placeholder naming neither a channel
    ///   statistic nor a scalar of a window.
    public func apply(_ w: WindowedPartition) throws(SensorError) -> WindowedPartition {
        var out = w
        for i in out.windows.indices {
            out.windows[i].caption = try render(out.windows[i], partition: w.partition)
        }
        return out
    }

    /// The caption of one window.
    public func render(_ window: FrameWindow, partition: String) throws(SensorError) -> String {
        var text = ""
        for part in parts {
            switch part {
            case .literal(let s): text += s
            case .partition: text += partition
            case .instant(let end, let date):
                let t = end ? window.end : window.start
                let day = days.day(of: t)
                text += date ? CivilTime.dateString(day: day)
                    : WindowSupport.clockString(t + days.offset(at: t) - day * CivilTime.millisecondsPerDay, seconds: false)
            case .value(let name, let format, let column):
                let channels = window.channels.map(\.name)
                if let (c, stat) = Self.channelStatistic(name, channels: channels), let channel = window.channel(named: c) {
                    text += Self.statistic(channel, stat).flatMap { CaptionNumberFormat.render($0, format, rounding: rounding) } ?? missing
                } else if let scalar = window.scalar(named: name) {
                    switch scalar {
                    case .number(let v): text += CaptionNumberFormat.render(v, format, rounding: rounding) ?? missing
                    case .text(let s): text += s
                    case .missing: text += missing
                    }
                } else {
                    throw unknown(name, column: column, channels: channels, scalars: window.scalars.map(\.name))
                }
            }
        }
        return text
    }

    /// A channel statistic over its slots holding a value; nil when undefined.
    public static func statistic(_ channel: WindowChannel, _ stat: CaptionStatistic) -> Double? {
        var count = 0
        var sum = 0.0
        var lo = Double.infinity, hi = -Double.infinity
        for v in channel.values where !v.isNaN {
            count += 1
            sum += v
            lo = Swift.min(lo, v)
            hi = Swift.max(hi, v)
        }
        switch stat {
        case .count: return Double(count)
        case .coverage: return channel.values.isEmpty ? nil : 100.0 * Double(count) / Double(channel.values.count)
        case .sum: return count > 0 ? sum : nil
        case .mean: return count > 0 ? sum / Double(count) : nil
        case .min: return count > 0 ? lo : nil
        case .max: return count > 0 ? hi : nil
        }
    }
}
