@testable import SDSPipeline
@testable import SDSReport
import Testing

/// The coverage heatmap's layouts: a cell per window, per day when there are too many windows,
/// or channels across when each partition has one window; every window counted once.
@Suite struct HeatmapTests {
    static func windowsDrawn(_ svg: String) -> (cells: Int, windows: Int) {
        var cells = 0, windows = 0
        var rest = Substring(svg)
        while let r = rest.range(of: "data-n=\"") {
            let digits = rest[r.upperBound...].prefix { $0.isNumber }
            cells += 1
            windows += Int(digits)!
            rest = rest[r.upperBound...]
        }
        return (cells, windows)
    }

    static func hourly(_ entity: String, hours: Int, dropEvery: Int) -> PartitionWindows {
        let windows = (0..<hours).map { h in
            WindowCoverage(window: "2024-01-\(h / 24 + 10)T\(h % 24 < 10 ? "0" : "")\(h % 24):00:00.000Z", present: [30, 60], slots: [60, 60],
                           droppedBy: h % dropEvery == 0 ? 1 : nil)
        }
        return PartitionWindows(entity: entity, made: hours, dropped: [0, (hours + dropEvery - 1) / dropEvery], channels: ["a", "b"],
                                windows: windows, detailed: true)
    }

    @Test func manyWindowsAreDrawnPerDay() {
        let map = Heatmap(study: "s", partitions: [Self.hourly("s/p1", hours: 200, dropEvery: 7), Self.hourly("s/p2", hours: 30, dropEvery: 2)],
                          rules: ["present y", "coverage a 0.6"])
        #expect(map.columns().unit == "day")
        let svg = map.render()
        // Two channels; p1 spans 9 days, p2 2 days; every window counted once per channel.
        let drawn = Self.windowsDrawn(svg)
        #expect(drawn.windows == 2 * 230 && drawn.cells == 2 * (9 + 2))
        #expect(svg.contains("p1 2024-01-10: a 50.0% (720 of 1,440 slots); 24 windows, dropped: coverage a 0.6 ×4"))
        #expect(svg.contains("dropped by coverage a 0.6: 44"), "legend: 29 + 15")
    }

    @Test func oneWindowPerPartitionPutsChannelsAcross() {
        let parts = (1...3).map { i in
            PartitionWindows(entity: "r/run\(i)", made: 1, dropped: [], channels: ["x", "f"],
                             windows: [WindowCoverage(window: "2022-11-2\(i)T20:40:00.444Z", present: [10, i == 2 ? 0 : 10], slots: [10, 10], droppedBy: nil)],
                             detailed: true)
        }
        let map = Heatmap(study: "r", partitions: parts, rules: [])
        #expect(map.wholeWindows)
        let svg = map.render()
        #expect(svg.contains("data-channel=\"*\"") && Self.windowsDrawn(svg) == (6, 6))
        #expect(svg.contains("<rect class=\"h0\"") && svg.contains("data-ch=\"f\""), "run2 has no f")
        #expect(map.table().contains("<td class=\"n\" data-v=\"0.0\">0.0%</td>"))
    }
}
