/// Parameters of `ForwardFill.fill`.
public struct FillParameters: Sendable, Equatable {
    /// The longest run of missing minutes that is filled; 0 fills nothing.
    public var maxGap: Int

    public init(maxGap: Int) { self.maxGap = maxGap }

    static let tag = ObjectTag("sFLp", version: 1, name: "FillParameters")

    /// The canonical bytes of these parameters, for step keys.
    public func encoded() -> [UInt8] {
        var w = BinaryWriter(Self.tag)
        w.i64(Int64(maxGap))
        return w.bytes
    }
}

/// Forward-fills short gaps of a grid within each day.
public enum ForwardFill {
    public static let operatorName = "sensors.forward-fill"
    public static let operatorVersion = 1

    /// Fills each run of absent minutes that follows a present minute of the same day and is
    /// at most `maxGap` long with that minute's value.
    ///
    /// A run at the start of a day is never filled, nor is a longer run (not even in part); a
    /// run reaching midnight counts its length up to 24:00. The result's `present` is the
    /// mask: observed or filled.
    public static func fill(_ grid: DayGrid, _ parameters: FillParameters) -> DayGrid {
        var values = grid.values
        var present = grid.present
        let width = CivilTime.minutesPerDay
        for d in 0..<grid.days.count {
            let base = d * width
            var m = 0
            while m < width {
                guard present[base + m] == 0 else { m += 1; continue }
                let runStart = m
                while m < width, present[base + m] == 0 { m += 1 }
                if runStart > 0, m - runStart <= parameters.maxGap {
                    let v = values[base + runStart - 1]
                    for k in runStart..<m {
                        values[base + k] = v
                        present[base + k] = 1
                    }
                }
            }
        }
        return DayGrid(entity: grid.entity, days: grid.days, values: values, present: present)
    }
}
