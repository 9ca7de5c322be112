import SDSSensors
import Testing

/// Headers as re-exports write them: an unnamed index column, a name given twice.
@Suite struct MessyHeaderTests {
    typealias F = TableReaderFixture

    /// An empty name is read as `column_N` (N its 1-based field), by the reader and the header check alike.
    @Test func emptyNamesArePositional() throws {
        let text = ",t,,v\n0,2024-01-01T00:00:00Z,a,1\n1,2024-01-01T00:01:00Z,b,2\n"
        let p = TableReaderParameters(partition: ["column_3"], time: FrameTimeSpec(column: "t"),
                                      columns: [FrameReadColumn(source: "column_1", name: "index"), FrameReadColumn(source: "v")])
        let frames = try F.read(text, p)
        #expect(frames.map(\.partition) == ["a", "b"])
        #expect(frames[0].columns == [FrameColumn("index", doubles: [0]), FrameColumn("v", doubles: [1])])
        #expect(TableHeader.names(Array(text.utf8), complete: true) == ["column_1", "t", "column_3", "v"])
        #expect(TableHeader.unnamedFields(Array(text.utf8), complete: true) == [1, 3])
        #expect(TableHeader.unnamedFields(Array("a,b\n".utf8), complete: true) == [])
    }

    /// A positional name that clashes with a real one is a repeated name, naming both fields.
    @Test func repeatedNamesNameBothFields() {
        let p = TableReaderParameters(partition: [], time: FrameTimeSpec(column: "t"), columns: [])
        #expect(F.strictError("t,column_3,\n2024-01-01T00:00:00Z,1,2\n", p)
                == "hr.csv:1:12: error: column name \"column_3\" appears twice (fields 2 and 3)")
        #expect(F.strictError("t,v,t\n2024-01-01T00:00:00Z,1,2\n", p)
                == "hr.csv:1:5: error: column name \"t\" appears twice (fields 1 and 3)")
    }
}
