import SDSSensors
import Testing

private let base = ms(2022, 11, 23, 20, 40, 0, 444)

/// A robot run along (0,0,0) → (3,0,0) → (?,5,0) → (3,4,0) → (0,0,0), a row a second; the
/// third row lacks x.
private func run(partition: String = "run1", order: [Int] = [0, 1, 2, 3, 4]) -> Frame {
    let t: [Int64] = [0, 1000, 2000, 3000, 4000]
    let x: [Double] = [0, 3, .nan, 3, 0], y: [Double] = [0, 0, 5, 4, 0], z: [Double] = [0, 0, 0, 0, 0]
    let label = ["a", "", "b", "c", "d"]
    return Frame(partition: partition, time: ContiguousArray(order.map { base + t[$0] }), columns: [
        FrameColumn("x", doubles: order.map { x[$0] }), FrameColumn("y", doubles: order.map { y[$0] }),
        FrameColumn("z", doubles: order.map { z[$0] }), FrameColumn("label", .text(ContiguousArray(order.map { label[$0] }))),
    ])
}

private let statistics = PartitionStatistics(columns: [
    StatisticColumn(name: "start", function: .start),
    StatisticColumn(name: "stop", function: .stop),
    StatisticColumn(name: "runtime", function: .runtimeSeconds),
    StatisticColumn(name: "samples", function: .samples),
    StatisticColumn(name: "x_missing", function: .missingRatio("x")),
    StatisticColumn(name: "label_missing", function: .missingRatio("label")),
    StatisticColumn(name: "y_mean", function: .mean("y")),
    StatisticColumn(name: "x_min", function: .min("x")),
    StatisticColumn(name: "x_max", function: .max("x")),
    StatisticColumn(name: "y_sum", function: .sum("y")),
    StatisticColumn(name: "path", function: .pathLength(["x", "y", "z"])),
    StatisticColumn(name: "path_drop", function: .pathLength(["x", "y", "z"], gaps: .drop)),
])

@Suite struct PartitionStatisticsTests {
    @Test func statisticsOfARun() throws {
        let row = try statistics.apply(run())
        #expect(row.partition == "run1")
        #expect(row.values == [
            .text("2022-11-23T20:40:00.444Z"), .text("2022-11-23T20:40:04.444Z"),
            .number(4),        // (4444 - 444) ms / 1000
            .number(5),
            .number(0.2),      // 1 NaN x of 5 rows
            .number(0.2),      // 1 empty label of 5
            .number(1.8),      // (0 + 0 + 5 + 4 + 0) / 5
            .number(0), .number(3), .number(9),
            // Bridged: 3 (x 0→3) + 4 (y 0→4, over the row without x) + 5 (3-4-5 back to 0) = 12.
            .number(12),
            // Dropped: the steps into and out of the incomplete row are lost: 3 + 5 = 8.
            .number(8),
        ])
        // Row order does not matter: rows are taken in time order.
        #expect(try statistics.apply(run(order: [4, 2, 0, 3, 1])).values == row.values)
        #expect(statistics.columnTypes.map(\.description) == ["TEXT", "TEXT", "REAL", "INTEGER"] + Array(repeating: "REAL", count: 8))
        #expect(statistics.columnNames.first == "start" && statistics.columnNames.count == 12)
    }

    @Test func emptyAndSingleRowPartitions() throws {
        let empty = Frame(partition: "e", time: [], columns: ["x", "y", "z"].map { FrameColumn($0, doubles: []) } + [FrameColumn("label", .text([]))])
        let row = try statistics.apply(empty)
        #expect(row.values == [.missing, .missing, .missing, .number(0), .missing, .missing, .missing, .missing, .missing,
                               .missing, .number(0), .number(0)])
        let single = try statistics.apply(run().gathered([1]))
        #expect(single.values[0] == .text("2022-11-23T20:40:01.444Z") && single.values[2] == .number(0))
        #expect(single.values[10] == .number(0))
    }

    @Test func badColumnsAreErrors() {
        let unknown = sensorError { () throws(SensorError) in try PartitionStatistics(columns: [StatisticColumn(name: "m", function: .mean("xx"))]).apply(run()) }
        #expect(unknown?.code == .invalidParameter)
        let text = sensorError { () throws(SensorError) in try PartitionStatistics(columns: [StatisticColumn(name: "m", function: .mean("label"))]).apply(run()) }
        #expect(text?.message.contains("text") == true)
        let missing = sensorError { () throws(SensorError) in try PartitionStatistics(columns: [StatisticColumn(name: "m", function: .missingRatio("lable"))]).apply(run()) }
        #expect(missing?.message.contains("did you mean \"label\"") == true)
        #expect(sensorError { () throws(SensorError) in try PartitionStatistics(columns: [StatisticColumn(name: "partition", function: .samples)]).validate() } != nil)
        #expect(sensorError { () throws(SensorError) in try PartitionStatistics(columns: [StatisticColumn(name: "a", function: .samples),
                                                                StatisticColumn(name: "a", function: .start)]).validate() } != nil)
        #expect(sensorError { () throws(SensorError) in try PartitionStatistics(columns: [StatisticColumn(name: "p", function: .pathLength([]))]).validate() } != nil)
    }

    @Test func csvIsByteExact() throws {
        let picked = PartitionStatistics(columns: [
            StatisticColumn(name: "start", function: .start), StatisticColumn(name: "samples", function: .samples),
            StatisticColumn(name: "runtime, s", function: .runtimeSeconds), StatisticColumn(name: "x_missing", function: .missingRatio("x")),
            StatisticColumn(name: "path", function: .pathLength(["x", "y"])),
        ])
        let empty = Frame(partition: "a,\"b", time: [], columns: [FrameColumn("x", doubles: []), FrameColumn("y", doubles: [])])
        let rows = [try picked.apply(run()), try picked.apply(empty), StatisticsRow(partition: "t", values: [.text("line\nbreak"), .number(1e-5), .number(-0.5), .missing, .number(2.5)])]
        let csv = StatisticsTable.csv(names: picked.columnNames, rows: rows, types: picked.columnTypes)
        #expect(String(decoding: csv, as: UTF8.self) == """
            partition,start,samples,"runtime, s",x_missing,path
            run1,2022-11-23T20:40:00.444Z,5,4.0,0.2,12.0
            "a,""b",,0,,,0.0
            t,"line
            break",1e-05,-0.5,,2.5

            """)
        // Without types every number prints as a Double.
        let plain = StatisticsTable.csv(names: ["samples"], rows: [StatisticsRow(partition: "p", values: [.number(5)])])
        #expect(plain == Array("partition,samples\np,5.0\n".utf8))
    }

    @Test func rowsRoundTrip() throws {
        let row = try statistics.apply(run())
        #expect(try StatisticsRow(decoding: row.encoded()) == row)
        #expect(sensorError { () throws(SensorError) in try StatisticsRow(decoding: row.encoded() + [0]) }?.code == .corruptObject)
    }

    @Test func parametersDiffer() {
        let functions: [StatisticFunction] = [
            .start, .stop, .runtimeSeconds, .samples, .missingRatio("x"), .missingRatio("y"), .mean("x"), .min("x"), .max("x"),
            .sum("x"), .pathLength(["x"]), .pathLength(["x", "y"]), .pathLength(["x"], gaps: .drop),
        ]
        var all = functions.map { PartitionStatistics(columns: [StatisticColumn(name: "c", function: $0)]).parameters() }
        all.append(PartitionStatistics(columns: [StatisticColumn(name: "d", function: .start)]).parameters())
        #expect(Set(all).count == all.count)
    }
}
