import SDSCore

/// One partition's numbers for the build report: windows made, windows each filter dropped
/// and (wearable chain) rows read and set aside per source.
///
/// A step result of its own (small canonical JSON), keyed by the window objects it counts,
/// so a build that reuses every step reports them without reading a window, and no other
/// step's key changes.
struct WindowCounts: Equatable {
    /// After the study's joins, before its filter (general pipeline).
    static let frameName = "frame.window-counts"
    /// After the day windows (wearable chain).
    static let wearableName = "sensors.window-counts"
    static let version = 1

    var windows = 0
    /// Per filter rule, in the spec's order.
    var dropped: [Int] = []
    var rows: [String: Int] = [:]
    var setAside: [String: Int] = [:]

    var json: JSON {
        .object(["windows": .int(Int64(windows)), "dropped": .array(dropped.map { .int(Int64($0)) }),
                 "rows": .object(rows.mapValues { .int(Int64($0)) }), "set_aside": .object(setAside.mapValues { .int(Int64($0)) })])
    }

    init(windows: Int, dropped: [Int], rows: [String: Int] = [:], setAside: [String: Int] = [:]) {
        self.windows = windows
        self.dropped = dropped
        self.rows = rows
        self.setAside = setAside
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
    }
}
