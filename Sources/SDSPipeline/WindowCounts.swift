import SDSCore
import SDSSensors

/// One partition's numbers for the build report: windows made, windows each filter dropped
/// and (builds of the removed wearable engine) rows read and set aside per source; and (version 2) each window's
/// coverage per channel and the filter rule that dropped it, for `sds report`'s heatmap.
///
/// A step result of its own (small canonical JSON), keyed by the window objects it counts,
/// so a build that reuses every step reports them without reading a window, and no other
/// step's key changes.
struct WindowCounts: Equatable {
    /// After the study's joins, before its filter (general pipeline).
    static let frameName = "frame.window-counts"
    /// After the day windows of the removed wearable engine: read from builds made before sds 0.1.0.
    static let wearableName = "sensors.window-counts"
    /// 2: also `channels` and `detail` (per window: coverage per channel, the rule that dropped it).
    static let version = 2

    var windows = 0
    /// Per filter rule, in the spec's order.
    var dropped: [Int] = []
    var rows: [String: Int] = [:]
    var setAside: [String: Int] = [:]
    /// The channels `detail` counts slots of, in the windows' order.
    var channels: [String] = []
    /// Every window made, in start order (empty in results of version 1).
    var detail: [WindowCoverage] = []

    var json: JSON {
        .object(["windows": .int(Int64(windows)), "dropped": .array(dropped.map { .int(Int64($0)) }),
                 "rows": .object(rows.mapValues { .int(Int64($0)) }), "set_aside": .object(setAside.mapValues { .int(Int64($0)) }),
                 "channels": .array(channels.map { .string($0) }), "detail": .array(detail.map(\.json))])
    }

    init(windows: Int, dropped: [Int], rows: [String: Int] = [:], setAside: [String: Int] = [:],
         channels: [String] = [], detail: [WindowCoverage] = []) {
        self.windows = windows
        self.dropped = dropped
        self.rows = rows
        self.setAside = setAside
        self.channels = channels
        self.detail = detail
    }

    init(decoding bytes: [UInt8]) throws {
        func ints(_ v: JSON?) -> [String: Int]? {
            guard case .object(let o)? = v else { return nil }
            var out: [String: Int] = [:]
            for (k, x) in o { guard case .int(let n) = x else { return nil }; out[k] = Int(n) }
            return out
        }
        guard case .object(let o)? = try? JSONReader.parse(bytes), case .int(let w)? = o["windows"],
              case .array(let d)? = o["dropped"], let rows = ints(o["rows"]), let setAside = ints(o["set_aside"]) else {
            throw SDSError(.badData, "a window-counts step result is malformed",
                           hint: "'sds fsck' checks the store; deleting .sensorstore/index.sqlite makes every step run again")
        }
        windows = Int(w)
        dropped = d.compactMap { if case .int(let n) = $0 { Int(n) } else { nil } }
        self.rows = rows
        self.setAside = setAside
        channels = o["channels"]?.array.compactMap(\.string) ?? []
        detail = o["detail"]?.array.compactMap(WindowCoverage.init(json:)) ?? []
    }

    /// The detail of frame windows: each window's present and total slots per channel, and
    /// the rule of `filter` that drops it.
    static func detail(_ w: WindowedPartition, filter: WindowFilter?) throws(SensorError) -> (channels: [String], detail: [WindowCoverage]) {
        var channels: [String] = []
        for window in w.windows { for c in window.channels where !channels.contains(c.name) { channels.append(c.name) } }
        let dropped = try filter?.droppedBy(w) ?? [Int?](repeating: nil, count: w.windows.count)
        let detail = zip(w.windows, dropped).map { window, rule in
            WindowCoverage(window: WindowKey.name(start: window.start),
                           present: channels.map { window.channel(named: $0)?.presentCount ?? 0 },
                           slots: channels.map { window.channel(named: $0)?.values.count ?? 0 }, droppedBy: rule)
        }
        return (channels, detail)
    }
}

/// One window of a partition as the report draws it: its key (`2016-04-12`, or a start time),
/// slots holding a value and all slots per channel, and the filter rule that dropped it.
public struct WindowCoverage: Sendable, Equatable {
    public var window: String
    public var present: [Int]
    public var slots: [Int]
    /// The index of the rule in the study's `filters:` (nil when the window was kept).
    public var droppedBy: Int?

    public init(window: String, present: [Int], slots: [Int], droppedBy: Int?) {
        self.window = window
        self.present = present
        self.slots = slots
        self.droppedBy = droppedBy
    }

    /// Channel `c`'s share of slots holding a value (0 without slots).
    public func coverage(_ c: Int) -> Double {
        c < slots.count && slots[c] > 0 ? Double(present[c]) / Double(slots[c]) : 0
    }

    var json: JSON {
        var o: [String: JSON] = ["window": .string(window), "present": .array(present.map { .int(Int64($0)) }),
                                 "slots": .array(slots.map { .int(Int64($0)) })]
        if let droppedBy { o["dropped_by"] = .int(Int64(droppedBy)) }
        return .object(o)
    }

    init?(json: JSON) {
        guard let w = json["window"]?.string else { return nil }
        window = w
        present = json["present"]?.array.compactMap(\.int) ?? []
        slots = json["slots"]?.array.compactMap(\.int) ?? []
        droppedBy = json["dropped_by"]?.int
    }
}
