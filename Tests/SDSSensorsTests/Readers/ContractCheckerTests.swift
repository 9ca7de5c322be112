import SDSSensors
import Testing

/// The contracts checker on frames read from small CSVs: each rule's count and first line.
@Suite struct ContractCheckerTests {
    typealias F = TableReaderFixture

    static let params = TableReaderParameters(partition: ["id"], time: FrameTimeSpec(column: "t"),
                                              columns: [FrameReadColumn(source: "v"), FrameReadColumn(source: "kind", type: .text)])

    static func check(_ text: String, _ rules: [TableContracts.Rule]) throws -> [ContractOutcome] {
        var checker = ContractChecker(TableContracts(rules: rules), utcTimes: true)
        for f in try F.read(text, params) { checker.add(f) }
        return checker.finish()
    }

    static let rows = """
        id,t,v,kind
        b,2024-01-01T00:00:00Z,1,walk
        a,2024-01-01T00:00:00Z,2,run
        b,2024-01-01T00:10:00Z,,walk
        a,2024-01-01T00:00:00Z,40,
        b,2024-01-01T00:05:00Z,3,swim

        """

    @Test func eachRuleCountsAndFindsItsFirstRow() throws {
        let out = try Self.check(Self.rows, [
            .init(.unique([.partition, .time]), label: "u", field: "t"),
            .init(.notNull(.values("v")), label: "nn v", field: "v"),
            .init(.notNull(.values("kind")), label: "nn kind", field: "kind"),
            .init(.monotonic(.time), label: "m", field: "t"),
            .init(.range(.values("v"), 0...10), label: "r", field: "v"),
            .init(.allowedText(.values("kind"), ["walk", "run"]), label: "a", field: "kind"),
            .init(.allowedNumbers(.values("v"), [1, 2, 3]), label: "an", field: "v"),
            .init(.rows(min: 6, max: nil), label: "rows", field: nil),
        ])
        #expect(out.map(\.violations) == [1, 1, 1, 1, 1, 1, 1, 1])
        #expect(out.map(\.firstLine) == [5, 4, 5, 6, 5, 6, 5, 0])
        #expect(out.map(\.checked) == [5, 5, 5, 5, 5, 5, 5, 5])
        // Times at 00:xx are not a 12-hour clock's (see aTwelveHourClock… in ContractTests).
        #expect(out[0].note == nil)
    }

    /// A key without the partition spans the source; the first repeat is the earliest line,
    /// whatever order the partitions come in.
    @Test func aKeyWithoutThePartitionSpansTheSource() throws {
        let out = try Self.check(Self.rows, [.init(.unique([.time]), label: "u", field: "t")])
        #expect(out[0].violations == 2)
        #expect(out[0].firstLine == 3)
        let kept = try Self.check(Self.rows, [.init(.rows(min: 1, max: 5), label: "rows", field: nil)])
        #expect(kept[0].violations == 0)
        let over = try Self.check(Self.rows, [.init(.rows(min: nil, max: 3), label: "rows", field: nil)])
        #expect(over[0].violations == 2)
    }

    @Test func theFieldLocatorFindsAColumnOnALine() {
        let reader = TableReader(Self.params)
        let bytes = Array("id,t,v,kind\n\"b,x\",2024-01-01T00:00:00Z,1,walk\n".utf8)
        #expect(reader.column(of: "kind", line: 2, in: bytes) == 30)
        #expect(reader.column(of: "t", line: 2, in: bytes) == 7)
        #expect(reader.column(of: "nope", line: 2, in: bytes) == nil)
        #expect(reader.column(of: "t", line: 9, in: bytes) == nil)
    }
}
