import SDSSensors
import Testing

private let oneMinute: Int64 = 60_000
private let oneHour: Int64 = 3_600_000
private let oneDay: Int64 = 86_400_000

/// A one-column frame of (time, value) rows.
private func series(_ rows: [(Int64, Double)], column: String = "steps", partition: String = "S") -> Frame {
    Frame(partition: partition, time: ContiguousArray(rows.map(\.0)), columns: [FrameColumn(column, doubles: rows.map(\.1))])
}

private func isNaN(_ values: ContiguousArray<Double>) -> [Bool] { values.map(\.isNaN) }

@Suite struct WindowingTests {
    /// Three UTC days of minute steps (value 1): day 1 complete, day 2 the first 720 minutes
    /// plus 60 NaN rows (minutes 720..779), day 3 the first 144 minutes.
    static func threeDays() -> Frame {
        let d0 = ms(2016, 4, 12)
        var rows: [(Int64, Double)] = []
        for m in 0..<1440 { rows.append((d0 + Int64(m) * oneMinute, 1)) }
        for m in 0..<720 { rows.append((d0 + oneDay + Int64(m) * oneMinute, 1)) }
        for m in 720..<780 { rows.append((d0 + oneDay + Int64(m) * oneMinute, .nan)) }
        for m in 0..<144 { rows.append((d0 + 2 * oneDay + Int64(m) * oneMinute, 1)) }
        return series(rows)
    }

    @Test func dailyWindowsWithAGapAndACoverageLimit() throws {
        let windowing = Windowing(length: oneDay, features: [
            WindowFeature(column: "steps", step: oneMinute, aggregate: .sum),
            WindowFeature(column: "steps", step: oneHour, aggregate: .sum, name: "steps_hourly"),
        ], minCoverage: [CoverageRule(column: "steps", fraction: 0.5)])
        let w = try windowing.apply(Self.threeDays())
        // Coverage: day 1 1440/1440 = 1, day 2 720/1440 = 0.5 (exactly at the limit: kept;
        // NaN rows are no value), day 3 144/1440 = 0.1 < 0.5: dropped.
        #expect(w.windows.map(\.start) == [ms(2016, 4, 12), ms(2016, 4, 13)])
        #expect(w.windows.map(\.end) == [ms(2016, 4, 13), ms(2016, 4, 14)])
        let day2 = w.windows[1]
        #expect(day2.channel(named: "steps")?.values.count == 1440)
        #expect(day2.channel(named: "steps")?.coverage == 0.5)
        // Hourly sums: hours 0..11 have 60 rows of 1 = 60; hours 12, 13 only NaN rows; the rest none.
        let hourly = try #require(day2.channel(named: "steps_hourly"))
        #expect(hourly.step == oneHour && hourly.values.count == 24)
        #expect(Array(hourly.values.prefix(12)) == Array(repeating: 60, count: 12))
        #expect(isNaN(hourly.values).suffix(12).allSatisfy { $0 })

        let all = try Windowing(length: oneDay, features: [WindowFeature(column: "steps", step: oneMinute)]).apply(Self.threeDays())
        #expect(all.windows.count == 3)
        #expect(all.windows[2].channel(named: "steps")?.coverage == 0.1)
    }

    @Test func overlappingStrideAndOffset() throws {
        // Rows t=0 (1), 3 (2), 7 (4), 12 (8); length 10, stride 5, step 5, sum.
        // Windows start at 5k: [-5,5): slot [0,5) = 1+2 = 3; [0,10): 3, 4; [5,15): 4, 8; [10,20): 8, none.
        let frame = series([(0, 1), (3, 2), (7, 4), (12, 8)])
        let w = try Windowing(length: 10, stride: 5, features: [WindowFeature(column: "steps", step: 5, aggregate: .sum)]).apply(frame)
        #expect(w.windows.map(\.start) == [-5, 0, 5, 10])
        let values = w.windows.map { Array($0.channels[0].values) }
        #expect(values[0][0].isNaN && values[0][1] == 3)
        #expect(values[1] == [3, 4])
        #expect(values[2] == [4, 8])
        #expect(values[3][0] == 8 && values[3][1].isNaN)

        // Offset 2, length = stride = 10, one slot, mean: [-8,2): 1; [2,12): (2+4)/2 = 3; [12,22): 8.
        let shifted = try Windowing(length: 10, alignment: .epoch(offset: 2),
                                    features: [WindowFeature(column: "steps", step: 10)]).apply(frame)
        #expect(shifted.windows.map(\.start) == [-8, 2, 12])
        #expect(shifted.windows.map { $0.channels[0].values[0] } == [1, 3, 8])
    }

    @Test func aggregatesDuplicateTimesAndUnsortedRows() throws {
        // Rows in file order (5, 1), (1, 9), (5, 3), (6, NaN): one slot [0,10).
        let frame = series([(5, 1), (1, 9), (5, 3), (6, .nan)])
        func value(_ a: WindowAggregate) throws -> Double {
            try Windowing(length: 10, features: [WindowFeature(column: "steps", step: 10, aggregate: a)]).apply(frame)
                .windows[0].channels[0].values[0]
        }
        #expect(try value(.mean) == 13.0 / 3)      // (9 + 1 + 3) / 3, NaN ignored
        #expect(try value(.sum) == 13)
        #expect(try value(.last) == 3)             // time order 1, 5, 5: the later row of t=5
        #expect(try value(.min) == 1)
        #expect(try value(.max) == 9)
        #expect(try value(.count) == 3)
        let sorted = series([(1, 9), (5, 1), (5, 3), (6, .nan)])
        let windowing = Windowing(length: 10, features: [WindowFeature(column: "steps", step: 5, aggregate: .last)])
        #expect(try windowing.apply(frame) == windowing.apply(sorted))
    }

    @Test func wholePartitionIsOneWindowOfTheColumns() throws {
        let frame = Frame(partition: "run", time: [30, 10, 20], columns: [
            FrameColumn("a", doubles: [3, 1, .nan]),
            FrameColumn("kind", .text(["x", "y", "z"])),
            FrameColumn("b", doubles: [6, 4, 5]),
        ])
        let w = try Windowing(whole: true).apply(frame)
        #expect(w.windows.count == 1)
        let window = w.windows[0]
        #expect(window.start == 10 && window.end == 31)   // first time, last time + 1
        #expect(window.channels.map(\.name) == ["a", "b"])  // text columns are not channels
        #expect(window.channels.allSatisfy { $0.step == 0 })
        #expect(Array(window.channels[1].values) == [4, 5, 6])  // in time order
        #expect(window.channels[0].values[0] == 1 && window.channels[0].values[1].isNaN)

        let onlyB = try Windowing(features: [WindowFeature(column: "b")], whole: true).apply(frame)
        #expect(onlyB.windows[0].channels.map(\.name) == ["b"])
        // a has 2 of 3 values: 0.667 < 0.7 drops the window, 0.6 keeps it.
        #expect(try Windowing(minCoverage: [CoverageRule(column: "a", fraction: 0.7)], whole: true).apply(frame).windows.isEmpty)
        #expect(try Windowing(minCoverage: [CoverageRule(column: "a", fraction: 0.6)], whole: true).apply(frame).windows.count == 1)
    }

    @Test func emptyPartitionAndSingleSample() throws {
        let windowing = Windowing(features: [WindowFeature(column: "steps", step: oneMinute)])
        #expect(try windowing.apply(series([])).windows.isEmpty)
        #expect(try Windowing(whole: true).apply(series([])).windows.isEmpty)

        let w = try windowing.apply(series([(ms(2016, 4, 12, 10, 30), 5)]))
        #expect(w.windows.count == 1)
        let values = w.windows[0].channels[0].values
        #expect(w.windows[0].start == ms(2016, 4, 12))
        #expect(values[630] == 5)   // 10:30 = minute 630
        #expect(values.filter { !$0.isNaN }.count == 1)
        #expect(w.windows[0].channels[0].coverage == 1.0 / 1440)
    }

    @Test func calendarDaysFollowDaylightSavingInNewYork() throws {
        // 2016-03-13 (EST → EDT): local midnight 05:00Z, next midnight 2016-03-14 04:00Z: 23 h.
        var rows: [(Int64, Double)] = []
        let march = ms(2016, 3, 13, 5)
        for m in 0..<1380 { rows.append((march + Int64(m) * oneMinute, 1)) }
        rows.append((ms(2016, 3, 14, 4), 2))   // the first minute of the next local day
        // 2016-11-06 (EDT → EST): 04:00Z to 2016-11-07 05:00Z: 25 h.
        let november = ms(2016, 11, 6, 4)
        for m in stride(from: 0, to: 1500, by: 100) { rows.append((november + Int64(m) * oneMinute, 1)) }
        let frame = series(rows)
        let windowing = Windowing(alignment: .calendarDay(zone: "America/New_York"), features: [
            WindowFeature(column: "steps", step: oneMinute, aggregate: .sum),
            WindowFeature(column: "steps", step: oneHour, aggregate: .sum, name: "hourly"),
        ])
        let w = try windowing.apply(frame)
        #expect(w.windows.map(\.start) == [march, ms(2016, 3, 14, 4), november])
        #expect(w.windows.map(\.end) == [ms(2016, 3, 14, 4), ms(2016, 3, 15, 4), ms(2016, 11, 7, 5)])
        #expect(w.windows[0].channel(named: "steps")?.values.count == 1380)
        #expect(w.windows[0].channel(named: "steps")?.coverage == 1)
        #expect(w.windows[0].channel(named: "hourly")?.values.count == 23)
        #expect(w.windows[1].channel(named: "steps")?.values.count == 1440)
        #expect(w.windows[1].channel(named: "steps")?.values[0] == 2)
        #expect(w.windows[2].channel(named: "steps")?.values.count == 1500)
        #expect(w.windows[2].channel(named: "hourly")?.values.count == 25)
        // Minutes 0, 100, ..., 1400: 15 of 1500 slots.
        #expect(w.windows[2].channel(named: "steps")?.presentCount == 15)
        #expect(windowing.channelSpecs().map(\.length) == [nil, nil])
    }

    @Test func calendarDaysWhenMidnightIsSkippedOrRepeated() throws {
        // São Paulo, 2016-10-16: at 00:00 (-03) clocks jumped to 01:00 (-02), so the day starts
        // at 01:00 local = 03:00Z and ends at 2016-10-17 00:00 (-02) = 02:00Z: 23 h.
        // 2017-02-18: at 2017-02-19 00:00 (-02) clocks went back to 2017-02-18 23:00 (-03), so
        // that day runs from 02:00Z to 2017-02-19 03:00Z: 25 h.
        let frame = series([(ms(2016, 10, 16, 3), 1), (ms(2016, 10, 17, 1, 59), 2), (ms(2017, 2, 18, 2), 3), (ms(2017, 2, 19, 2, 59), 4)])
        let w = try Windowing(alignment: .calendarDay(zone: "America/Sao_Paulo"),
                              features: [WindowFeature(column: "steps", step: oneHour, aggregate: .sum)]).apply(frame)
        #expect(w.windows.map(\.start) == [ms(2016, 10, 16, 3), ms(2017, 2, 18, 2)])
        #expect(w.windows.map(\.end) == [ms(2016, 10, 17, 2), ms(2017, 2, 19, 3)])
        #expect(w.windows.map { $0.channels[0].values.count } == [23, 25])
        #expect(w.windows[0].channels[0].values[22] == 2 && w.windows[1].channels[0].values[24] == 4)
    }

    @Test func calendarDaysInUTCMatchEpochDays() throws {
        let frame = Self.threeDays()
        let features = [WindowFeature(column: "steps", step: oneMinute)]
        let calendar = Windowing(alignment: .calendarDay(), features: features)
        #expect(try calendar.apply(frame) == Windowing(features: features).apply(frame))
        #expect(calendar.channelSpecs() == [WindowChannelSpec(name: "steps", length: 1440)])
        #expect(Windowing(length: 2 * oneDay, features: features).channelSpecs().map(\.length) == [2880])
        // Two-day windows every day: each row day d lies in the windows starting on d - 1 and d.
        let twoDays = try Windowing(length: 2 * oneDay, stride: oneDay, alignment: .calendarDay(), features: features).apply(frame)
        #expect(twoDays.windows.map(\.start) == [ms(2016, 4, 11), ms(2016, 4, 12), ms(2016, 4, 13), ms(2016, 4, 14)])
        // Back-to-back two-day windows count from 1970-01-01 (day 0): 2016-04-12 is day 16903,
        // odd, so its window starts on day 16902 (04-11) and the next on 04-13 (rows of 13 and 14).
        let pairs = try Windowing(length: 2 * oneDay, alignment: .calendarDay(), features: features).apply(frame)
        #expect(pairs.windows.map(\.start) == [ms(2016, 4, 11), ms(2016, 4, 13)])
        #expect(pairs.windows.map { $0.channels[0].values.count } == [2880, 2880])
    }

    @Test func badParametersAreExplained() {
        let features = [WindowFeature(column: "steps", step: oneMinute)]
        let hours = sensorError { () throws(SensorError) in try Windowing(length: oneHour, alignment: .calendarDay(), features: features).apply(series([])) }
        #expect(hours?.code == .invalidParameter)
        #expect(hours?.message.contains("multiples of 86400000") == true)
        let zone = sensorError { () throws(SensorError) in try Windowing(alignment: .calendarDay(zone: "Mars/Olympus"), features: features).validate() }
        #expect(zone?.message.contains("unknown time zone") == true)
        #expect(sensorError { () throws(SensorError) in try Windowing(length: 90_000, features: features).validate() }?.message.contains("does not divide") == true)
        #expect(sensorError { () throws(SensorError) in try Windowing(features: []).validate() } != nil)
        let coverage = sensorError { () throws(SensorError) in try Windowing(features: features, minCoverage: [CoverageRule(column: "step", fraction: 1)]).validate() }
        #expect(coverage?.message.contains("did you mean \"steps\"") == true)
        let column = sensorError { () throws(SensorError) in try Windowing(features: [WindowFeature(column: "hr")]).apply(series([(0, 1)])) }
        #expect(column?.code == .invalidParameter)
        let far = Frame(partition: "S", time: [0, 1 << 60], columns: [FrameColumn("steps", doubles: [1, 1])], file: "s.csv", lines: [2, 3])
        let time = sensorError { () throws(SensorError) in try Windowing(features: features).apply(far) }
        #expect(time?.code == .badTimestamp && time?.file == "s.csv" && time?.line == 3)
        let twice = sensorError { () throws(SensorError) in try Windowing(features: features + features).validate() }
        #expect(twice?.message.contains("two features") == true)
    }

    @Test func parametersFollowEveryReadParameter() {
        let base = Windowing(features: [WindowFeature(column: "steps", step: oneMinute, aggregate: .sum)])
        var variants = [base]
        var v = base; v.length = 2 * oneDay; variants.append(v)
        v = base; v.stride = oneHour; variants.append(v)
        v = base; v.alignment = .epoch(offset: 1); variants.append(v)
        v = base; v.alignment = .calendarDay(zone: "UTC"); variants.append(v)
        v = base; v.alignment = .calendarDay(zone: "America/New_York"); variants.append(v)
        v = base; v.features[0].aggregate = .mean; variants.append(v)
        v = base; v.features[0].step = oneHour; variants.append(v)
        v = base; v.features[0].name = "s"; variants.append(v)
        v = base; v.minCoverage = [CoverageRule(column: "steps", fraction: 0.5)]; variants.append(v)
        v = base; v.whole = true; variants.append(v)
        #expect(Set(variants.map { $0.parameters() }).count == variants.count)
        // A whole-partition window reads neither length nor step.
        var a = base, b = base
        a.whole = true; b.whole = true; b.length = oneHour; b.features[0].step = 1
        #expect(a.parameters() == b.parameters())
    }

    @Test func windowedPartitionRoundTrips() throws {
        var w = try Windowing(length: 10, features: [WindowFeature(column: "steps", step: 5)]).apply(series([(0, 1), (12, .nan)]))
        w.windows[0].setScalar("sleep", .number(420))
        w.windows[0].setScalar("group", .text("A"))
        w.windows[1].setScalar("sleep", .missing)
        w.windows[1].caption = "Day ✓"
        let bytes = w.encoded()
        #expect(try WindowedPartition(decoding: bytes) == w)
        #expect(sensorError { () throws(SensorError) in try WindowedPartition(decoding: bytes + [0]) }?.code == .corruptObject)
        #expect(sensorError { () throws(SensorError) in try WindowedPartition(decoding: Array(bytes.dropLast())) }?.code == .corruptObject)
        #expect(try WindowedPartition(decoding: WindowedPartition(partition: "", windows: []).encoded()).windows.isEmpty)
    }
}
