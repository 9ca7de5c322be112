import SDSSensors
import Testing

/// CSV files as other tools write them: tabs, title lines, comments, decimal commas.
@Suite struct CSVOptionsTests {
    typealias F = TableReaderFixture

    static func params(_ change: (inout TableReaderParameters) -> Void) -> TableReaderParameters {
        var p = TableReaderParameters(partition: ["id"], time: FrameTimeSpec(column: "t"), columns: [FrameReadColumn(source: "v")])
        change(&p)
        return p
    }

    @Test func tabs() throws {
        let frames = try F.read("id\tt\tv\na\t2024-01-01T00:00:00Z\t1.5\n", Self.params { $0.delimiter = UInt8(ascii: "\t") })
        #expect(frames.first?.columns == [FrameColumn("v", doubles: [1.5])])
    }

    /// Skipped and comment lines still count, so errors point at the file's own lines.
    @Test func skipRowsAndComments() throws {
        let p = Self.params {
            $0.skipRows = 2
            $0.comment = "#"
        }
        let text = "Export of 2024-01-01\nid,t,v (title)\n# a note\nid,t,v\na,2024-01-01T00:00:00Z,1\n# between rows\n\na,2024-01-01T00:01:00Z,2\n"
        let frames = try F.read(text, p)
        #expect(frames.first?.columns == [FrameColumn("v", doubles: [1, 2])])
        #expect(frames.first?.lines == [5, 8])
        #expect(F.strictError(text + "a,2024-01-01T00:02:00Z,x\n", p) == "hr.csv:9:24: error: \"x\" is not a number (column \"v\")")
        // Without them the title line is taken for the header.
        #expect(F.strictError(text, Self.params { _ in }).hasPrefix("hr.csv:1:1: error: "))
    }

    @Test func decimalComma() throws {
        let p = Self.params {
            $0.delimiter = UInt8(ascii: ";")
            $0.decimalComma = true
        }
        let frames = try F.read("id;t;v\na;2024-01-01T00:00:00Z;3,5\na;2024-01-01T00:01:00Z;-2\na;2024-01-01T00:02:00Z;\n", p)
        #expect(frames.first?.columns.first?.doubles?.prefix(2) == [3.5, -2])
        #expect(frames.first?.columns.first?.doubles?.last?.isNaN == true)
        // A `.` could be a thousands separator: refused rather than misread.
        #expect(F.strictError("id;t;v\na;2024-01-01T00:00:00Z;1.234\n", p) == "hr.csv:2:24: error: \"1.234\" is not a number (column \"v\")")
        let clash = Self.params { $0.decimalComma = true }
        #expect(sensorError { () throws(SensorError) in try TableReader(clash).validate() }?.message
                == "read.table: with decimal \",\" the delimiter must be another character, such as \";\"")
    }

    /// The options are parameters (a change re-reads), written only when set (old builds' steps stay cached).
    @Test func parameters() {
        let plain = TableReader(Self.params { _ in }).parameters()
        #expect(TableReader(Self.params { $0.skipRows = 1 }).parameters() != plain)
        #expect(TableReader(Self.params { $0.comment = "#" }).parameters() != plain)
        #expect(TableReader(Self.params { $0.comment = "#" }).parameters() != TableReader(Self.params { $0.comment = "//" }).parameters())
        #expect(TableReader(Self.params { $0.delimiter = UInt8(ascii: ";"); $0.decimalComma = true }).parameters()
                != TableReader(Self.params { $0.delimiter = UInt8(ascii: ";") }).parameters())
    }
}
