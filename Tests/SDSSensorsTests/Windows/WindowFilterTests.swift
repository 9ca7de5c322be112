import SDSSensors
import Testing

/// Windows 0...3 with a 4-slot channel "hr" and scalars: sleep, group.
///   0: hr 4/4, sleep 420,  group "A"
///   1: hr 2/4, sleep 300,  group "B"
///   2: hr 3/4, sleep missing
///   3: hr 0/4, sleep 480
private func sample() -> WindowedPartition {
    let nan = Double.nan
    let hr: [[Double]] = [[1, 2, 3, 4], [1, nan, nan, 4], [nan, 2, 3, 4], [nan, nan, nan, nan]]
    let sleep: [WindowScalar] = [.number(420), .number(300), .missing, .number(480)]
    let group: [WindowScalar] = [.text("A"), .text("B"), .missing, .missing]
    return WindowedPartition(partition: "S", windows: (0..<4).map { i in
        FrameWindow(start: Int64(i) * 10, end: Int64(i) * 10 + 10,
                    channels: [WindowChannel(name: "hr", step: 1, values: ContiguousArray(hr[i]))],
                    scalars: [NamedScalar(name: "sleep", value: sleep[i]), NamedScalar(name: "group", value: group[i])])
    })
}

private func starts(_ rules: [WindowFilterRule]) throws(SensorError) -> [Int64] {
    try WindowFilter(rules: rules).apply(sample()).windows.map(\.start)
}

@Suite struct WindowFilterTests {
    @Test func eachRule() throws {
        #expect(try starts([]) == [0, 10, 20, 30])
        #expect(try starts([.present("sleep")]) == [0, 10, 30])
        #expect(try starts([.present("group")]) == [0, 10])
        // sleep: 420, 300, missing, 480. A missing value fails every comparison, != included.
        #expect(try starts([.compare("sleep", op: .lt, value: 420)]) == [10])
        #expect(try starts([.compare("sleep", op: .le, value: 420)]) == [0, 10])
        #expect(try starts([.compare("sleep", op: .gt, value: 420)]) == [30])
        #expect(try starts([.compare("sleep", op: .ge, value: 420)]) == [0, 30])
        #expect(try starts([.compare("sleep", op: .eq, value: 300)]) == [10])
        #expect(try starts([.compare("sleep", op: .ne, value: 300)]) == [0, 30])
        // hr coverage 1, 0.5, 0.75, 0: at least 0.75 keeps 0 and 2 (exactly at the limit).
        #expect(try starts([.coverage("hr", fraction: 0.75)]) == [0, 20])
        #expect(try starts([.coverage("hr", fraction: 0.5), .present("sleep")]) == [0, 10])
    }

    @Test func minWindowsDropsThePartitionLast() throws {
        // Two windows pass the coverage rule; minWindows checks after it, wherever it stands.
        #expect(try starts([.minWindows(2), .coverage("hr", fraction: 0.75)]) == [0, 20])
        #expect(try starts([.minWindows(3), .coverage("hr", fraction: 0.75)]) == [])
        #expect(try starts([.minWindows(4)]) == [0, 10, 20, 30])
        #expect(try starts([.minWindows(5)]) == [])
        #expect(try WindowFilter(rules: [.minWindows(0)]).apply(WindowedPartition(partition: "E", windows: [])).windows.isEmpty)
    }

    @Test func unknownNamesAndTextComparisonsAreErrors() {
        let scalar = sensorError { () throws(SensorError) in try starts([.present("slep")]) }
        #expect(scalar?.code == .invalidParameter)
        #expect(scalar?.message.contains("did you mean \"sleep\"") == true)
        #expect(sensorError { () throws(SensorError) in try starts([.coverage("bpm", fraction: 0.5)]) }?.code == .invalidParameter)
        #expect(sensorError { () throws(SensorError) in try starts([.compare("group", op: .eq, value: 1)]) }?.message.contains("text") == true)
    }

    @Test func parametersDiffer() {
        let all: [[WindowFilterRule]] = [
            [], [.present("a")], [.present("b")], [.compare("a", op: .lt, value: 1)], [.compare("a", op: .le, value: 1)],
            [.compare("a", op: .lt, value: 2)], [.coverage("a", fraction: 0.5)], [.coverage("a", fraction: 0.6)],
            [.minWindows(1)], [.minWindows(2)], [.present("a"), .present("b")], [.present("b"), .present("a")],
        ]
        let bytes = all.map { WindowFilter(rules: $0).parameters() }
        #expect(Set(bytes).count == bytes.count)
    }
}

@Suite struct SubjectCapTests {
    // SHA-256 of salt "s" + name (printf sa | sha256sum): sa 4c68…, sb b831…, sc e0b9…,
    // sd 0304…, se ad9a…; ascending: d, a, e, b, c.
    @Test func keepsTheSmallestHashes() {
        let names = ["a", "b", "c", "d", "e"]
        #expect(SubjectCap.choose(names, max: 2, salt: "s") == ["d", "a"])
        #expect(SubjectCap.choose(names, max: 3, salt: "s") == ["d", "a", "e"])
        #expect(SubjectCap.choose(names.reversed(), max: 3, salt: "s") == ["d", "a", "e"])
        #expect(SubjectCap.choose(["e", "a", "d", "c", "b", "a"], max: 3, salt: "s") == ["d", "a", "e"])
        #expect(SubjectCap(max: 2, salt: "s").choose(names) == ["d", "a"])
        #expect(SubjectCap.choose(names, max: 5, salt: "s") == Set(names))
        #expect(SubjectCap.choose(names, max: 9, salt: "s") == Set(names))
        #expect(SubjectCap.choose(names, max: 0, salt: "s").isEmpty)
        #expect(SubjectCap.choose([], max: 3, salt: "s").isEmpty)
    }

    @Test func parameterBytesAreCanonical() {
        // Tag "sPRM", version 1, the name as a u32 length + UTF-8, max as i64, the salt.
        let expected: [UInt8] = Array("sPRM".utf8) + [1, 17, 0, 0, 0] + Array("frame.subject_cap".utf8)
            + [2, 0, 0, 0, 0, 0, 0, 0] + [1, 0, 0, 0] + Array("s".utf8)
        #expect(SubjectCap(max: 2, salt: "s").parameters() == expected)
    }

    @Test func parametersDiffer() {
        let all = [SubjectCap(max: 1, salt: "s"), SubjectCap(max: 2, salt: "s"), SubjectCap(max: 1, salt: "t")].map { $0.parameters() }
        #expect(Set(all).count == 3)
    }
}
