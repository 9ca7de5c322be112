import SDSSensors
import Testing

/// Partition keys of several columns name exactly one tuple of values.
@Suite struct TableReaderKeyTests {
    @Test func valuesWithUnderscoresNeverMergeTwoPartitions() throws {
        let p = TableReaderParameters(partition: ["robot", "run"], time: FrameTimeSpec(column: "t", format: .epochMilliseconds),
                                      columns: [FrameReadColumn(source: "v")])
        // ("r_1", "2") and ("r", "1_2") would both be "r_1_2" joined plainly.
        let text = "robot,run,t,v\nr_1,2,0,1\nr,1_2,0,2\nr,1,0,3\na\\b,c,0,4\n"
        let frames = try TableReaderFixture.read(text, p)
        // In key byte order ('\\' sorts before '_').
        #expect(frames.map(\.partition) == ["a\\\\b_c", "r\\_1_2", "r_1", "r_1\\_2"])
        #expect(frames.map { $0.column(named: "v")!.doubles! } == [[4], [1], [3], [2]])
    }

    @Test func oneKeyColumnIsUsedAsItIs() throws {
        let p = TableReaderParameters(partition: ["id"], time: FrameTimeSpec(column: "t", format: .epochMilliseconds),
                                      columns: [FrameReadColumn(source: "v")])
        let frames = try TableReaderFixture.read("id,t,v\nr_1,0,1\n", p)
        #expect(frames.map(\.partition) == ["r_1"])
    }
}
