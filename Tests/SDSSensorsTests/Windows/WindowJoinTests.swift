import SDSSensors
import Testing

/// Day windows of 2016-04-12 and 2016-04-13 UTC, without channels.
private func twoDays(partition: String = "S") -> WindowedPartition {
    WindowedPartition(partition: partition, windows: [
        FrameWindow(start: ms(2016, 4, 12), end: ms(2016, 4, 13), channels: []),
        FrameWindow(start: ms(2016, 4, 13), end: ms(2016, 4, 14), channels: []),
    ])
}

private func table(_ rows: [(Int64, Double)], column: String = "minutes", partition: String = "S") -> Frame {
    Frame(partition: partition, time: ContiguousArray(rows.map(\.0)), columns: [FrameColumn(column, doubles: rows.map(\.1))])
}

private func values(_ w: WindowedPartition, _ name: String) -> [WindowScalar?] {
    w.windows.map { $0.scalar(named: name) }
}

@Suite struct WindowLabelJoinTests {
    @Test func sameDayTakesTheLastLabelOfTheDay() throws {
        // Day 1 has two labels (row order: 23:00 first, then 00:00): the later in time, 420,
        // wins; a NaN label is no label; day 2 has none.
        let labels = table([(ms(2016, 4, 12, 23), 420), (ms(2016, 4, 12), 400), (ms(2016, 4, 13, 1), .nan)])
        let join = WindowLabelJoin(column: "minutes", name: "sleep", match: .sameDay())
        let w = try join.apply(twoDays(), table: labels)
        #expect(values(w, "sleep") == [.number(420), .missing])
        // Duplicate timestamps: the later row counts as later.
        let duplicates = table([(ms(2016, 4, 12), 1), (ms(2016, 4, 12), 2)])
        #expect(values(try join.apply(twoDays(), table: duplicates), "sleep")[0] == .number(2))
        #expect(values(try join.apply(twoDays(), table: nil), "sleep") == [.missing, .missing])
    }

    @Test func sameDayInAZoneUsesLocalDates() throws {
        // New York local midnight of 2016-04-12 is 04:00Z (EDT). A label at 03:30Z is
        // 2016-04-11 23:30 local: not that day; one at 04:00Z is.
        let w = WindowedPartition(partition: "S", windows: [
            FrameWindow(start: ms(2016, 4, 12, 4), end: ms(2016, 4, 13, 4), channels: []),
        ])
        let join = WindowLabelJoin(column: "minutes", match: .sameDay(zone: "America/New_York"))
        #expect(values(try join.apply(w, table: table([(ms(2016, 4, 12, 3, 30), 1)])), "minutes") == [.missing])
        #expect(values(try join.apply(w, table: table([(ms(2016, 4, 12, 3, 30), 1), (ms(2016, 4, 12, 4), 2)])), "minutes") == [.number(2)])
        // In UTC the 03:30Z label is on 2016-04-12, the window start's date: used.
        let utc = WindowLabelJoin(column: "minutes", match: .sameDay())
        #expect(values(try utc.apply(w, table: table([(ms(2016, 4, 12, 3, 30), 1)])), "minutes") == [.number(1)])
    }

    @Test func asOfNeverUsesALabelFromTheWindowEnd() throws {
        let end = ms(2016, 4, 13)
        let join = WindowLabelJoin(column: "minutes", name: "y", match: .asOf())
        // A label exactly at the first window's end is in its future: not used there, but
        // used by the second window (end 04-14).
        #expect(values(try join.apply(twoDays(), table: table([(end, 7)])), "y") == [.missing, .number(7)])
        // 1 ms before the end is used; the later label at the end is not.
        #expect(values(try join.apply(twoDays(), table: table([(end - 1, 6), (end, 7)])), "y") == [.number(6), .number(7)])
        // maxAge: the label is end - 1000 ms old; 1000 allows it, 999 does not.
        let old = table([(end - 1000, 5)])
        #expect(values(try WindowLabelJoin(column: "minutes", match: .asOf(maxAge: 1000)).apply(twoDays(), table: old), "minutes")[0] == .number(5))
        #expect(values(try WindowLabelJoin(column: "minutes", match: .asOf(maxAge: 999)).apply(twoDays(), table: old), "minutes")[0] == .missing)
        #expect(sensorError { () throws(SensorError) in try WindowLabelJoin(column: "minutes", match: .asOf(maxAge: -1)).apply(twoDays(), table: old) }?.code == .invalidParameter)
    }

    @Test func mismatchedTablesAreErrors() {
        let join = WindowLabelJoin(column: "minutes")
        #expect(sensorError { () throws(SensorError) in try join.apply(twoDays(), table: table([], partition: "T")) }?.code == .invalidParameter)
        let missing = sensorError { () throws(SensorError) in try WindowLabelJoin(column: "minute").apply(twoDays(), table: table([])) }
        #expect(missing?.message.contains("did you mean \"minutes\"") == true)
        #expect(sensorError { () throws(SensorError) in try WindowLabelJoin(column: "minutes", match: .sameDay(zone: "Nowhere")).apply(twoDays(), table: nil) } != nil)
    }

    @Test func joiningAgainReplacesTheScalarInPlace() throws {
        let join = WindowLabelJoin(column: "minutes", name: "sleep", match: .sameDay())
        var w = twoDays()
        w.windows[0].setScalar("first", .number(1))
        w = try join.apply(w, table: table([(ms(2016, 4, 12), 1)]))
        w = try join.apply(w, table: table([(ms(2016, 4, 12), 2)]))
        #expect(w.windows[0].scalars == [NamedScalar(name: "first", value: .number(1)), NamedScalar(name: "sleep", value: .number(2))])
    }

    @Test func parametersDiffer() {
        let all = [
            WindowLabelJoin(column: "a", name: "y", match: .sameDay()),
            WindowLabelJoin(column: "b", name: "y", match: .sameDay()),
            WindowLabelJoin(column: "a", name: "z", match: .sameDay()),
            WindowLabelJoin(column: "a", name: "y", match: .sameDay(zone: "America/New_York")),
            WindowLabelJoin(column: "a", name: "y", match: .asOf()),
            WindowLabelJoin(column: "a", name: "y", match: .asOf(maxAge: 0)),
            WindowLabelJoin(column: "a", name: "y", match: .asOf(maxAge: 1)),
        ].map { $0.parameters() }
        #expect(Set(all).count == all.count)
    }
}

@Suite struct AttributeJoinTests {
    // Weight log: 22.5 on 04-12 12:00, 24.0 on 04-13 12:00 (after the first window's end).
    let weights = table([(ms(2016, 4, 13, 12), 24.0), (ms(2016, 4, 12, 12), 22.5), (ms(2016, 4, 14, 12), .nan)], column: "bmi")

    @Test func staticTakesTheLastRowWhateverItsTime() throws {
        let w = try AttributeJoin(column: "bmi").apply(twoDays(), table: weights)
        #expect(values(w, "bmi") == [.number(24), .number(24)])   // the NaN row is skipped
    }

    @Test func asOfTakesTheLatestRowBeforeTheEnd() throws {
        let w = try AttributeJoin(column: "bmi", name: "BMI", asOf: true).apply(twoDays(), table: weights)
        #expect(values(w, "BMI") == [.number(22.5), .number(24)])
        let early = WindowedPartition(partition: "S", windows: [FrameWindow(start: 0, end: ms(2016, 4, 12, 12), channels: [])])
        #expect(values(try AttributeJoin(column: "bmi", asOf: true).apply(early, table: weights), "bmi") == [.missing])
    }

    @Test func textColumnsGiveText() throws {
        let people = Frame(partition: "S", time: [0, 5], columns: [FrameColumn("sex", .text(["F", ""]))])
        // The empty text of the last row is missing, so the row before it counts.
        #expect(values(try AttributeJoin(column: "sex").apply(twoDays(), table: people), "sex") == [.text("F"), .text("F")])
        #expect(values(try AttributeJoin(column: "sex").apply(twoDays(), table: nil), "sex") == [.missing, .missing])
        let empty = Frame(partition: "S", time: [], columns: [FrameColumn("sex", .text([]))])
        #expect(values(try AttributeJoin(column: "sex").apply(twoDays(), table: empty), "sex") == [.missing, .missing])
    }

    @Test func parametersDiffer() {
        let all = [AttributeJoin(column: "a"), AttributeJoin(column: "b"), AttributeJoin(column: "a", name: "c"),
                   AttributeJoin(column: "a", asOf: true)].map { $0.parameters() }
        #expect(Set(all).count == all.count)
    }
}
