import SDSSensors
import Testing

/// `TableStreamReader` fed in pieces of every small size (so records, quoted newlines, `\r\n`,
/// comment prefixes, the byte order mark and the header straddle pieces) gives exactly what
/// `TableReader` gives for the whole file: frames, quarantine, or the error.
@Suite struct TableStreamReaderTests {
    typealias F = TableReaderFixture

    static func csv(_ change: (inout TableReaderParameters) -> Void = { _ in }) -> TableReaderParameters {
        var p = TableReaderParameters(partition: ["id"], time: FrameTimeSpec(column: "t"), columns: [FrameReadColumn(source: "v"),
                                      FrameReadColumn(source: "note", type: .text)])
        change(&p)
        return p
    }

    static let json = TableReaderParameters(format: .jsonl, partition: ["id"], time: FrameTimeSpec(column: "t"),
                                            columns: [FrameReadColumn(source: "v"), FrameReadColumn(source: "note", type: .text)])

    static let rows = "a,2024-01-01T00:00:00Z,1.5,x\nb,2024-01-01T00:01:00Z,2,\"two\nlines\"\na,2024-01-01T00:02:00Z,3,\"q\"\"uote\"\n"

    /// (name, parameters, text); the lenient reads set bad rows aside, the strict ones fail on them.
    static let cases: [(String, TableReaderParameters, String)] = [
        ("plain", csv(), "id,t,v,note\n" + rows),
        ("crlf, bom, no final newline", csv(), "\u{FEFF}id,t,v,note\r\n" + rows.replacingOccurrences(of: "x\n", with: "x\r\n") + "c,2024-01-01T00:03:00Z,4,z"),
        ("blank lines", csv(), "\nid,t,v,note\n\n" + rows + "\n\r\n"),
        ("quoted header", csv { $0.columns = [FrameReadColumn(source: "v\nw")] }, "id,t,\"v\nw\",note\n" + rows),
        ("skip and comments", csv { $0.skipRows = 2; $0.comment = "##" }, "title\nmore\n## c\nid,t,v,note\n## c2\n" + rows + "#x,2024-01-01T00:04:00Z,5,y\n"),
        ("given header", csv { $0.header = ["id", "t", "v", "note"] }, rows),
        ("bad rows", csv(), "id,t,v,note\n" + rows + "a,2024-01-01T00:05:00Z,1.2.3,x\nb,2024\nc,2024-01-01T00:06:00Z,7,\"open\n"),
        ("repeated text", csv(), "id,t,v,note\n" + String(repeating: "a,2024-01-01T00:00:00Z,1,same\n", count: 9) + "a,2024-01-01T00:00:00Z,1,other\n"),
        ("wide", TableReaderParameters(partition: ["id"], time: FrameTimeSpec(column: "t", format: .epochMilliseconds), columns: [],
                                       wide: WideTimeColumns(pattern: "v{index}", value: "v", step: 1000)),
         "id,t,v0,v1,v2\na,0,1,22,333\nb,5000,4,,x\na,9000,7,8,9"),
        ("empty", csv(), ""),
        ("header only", csv(), "id,t,v,note\n"),
        ("missing column", csv(), "id,t,value,note\n" + rows),
        ("jsonl", json, "{\"id\": \"a\", \"t\": \"2024-01-01T00:00:00Z\", \"v\": 1, \"note\": \"x\\\"y\"}\n\n"
            + "{\"id\": \"b\", \"t\": \"2024-01-01T00:01:00Z\", \"v\": 2.5, \"note\": null}\r\n{bad\n"
            + "{\"t\": \"2024-01-01T00:02:00Z\", \"v\": 3}\n{\"id\": \"a\", \"t\": \"2024-01-01T00:03:00Z\", \"v\": 4, \"note\": \"z\"}"),
        ("jsonl with bom", json, "\u{FEFF}{\"id\": \"a\", \"t\": \"2024-01-01T00:00:00Z\", \"v\": 1, \"note\": \"x\"}\n"),
        ("jsonl only space", json, " \n\t\n"),
        ("jsonl key on no line", json, "{\"id\": \"a\", \"t\": \"2024-01-01T00:00:00Z\", \"v\": 1}\n{\"id\": \"b\", \"t\": \"2024-01-01T00:00:00Z\", \"v\": 2}\n"),
    ]

    /// The whole read's outcome, printed: frames and quarantine, or the error.
    static func whole(_ p: TableReaderParameters, _ text: String, strict: Bool) -> String {
        var q = Quarantine(strict: strict)
        do throws(SensorError) {
            let frames = try TableReader(p).read(Array(text.utf8), file: "f", quarantine: &q)
            return "\(frames)\n\(q)"
        } catch {
            return error.description
        }
    }

    static func pieces(_ p: TableReaderParameters, _ text: String, strict: Bool, size: Int) -> String {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(text.utf8.count, 1), alignment: 1)
        defer { bytes.deallocate() }
        bytes.copyBytes(from: text.utf8)
        let count = text.utf8.count
        do throws(SensorError) {
            let reader = try TableStreamReader(TableReader(p), file: "f", quarantine: Quarantine(strict: strict), capacity: 16)
            var i = 0
            while i < count {
                try reader.feed(UnsafeRawBufferPointer(rebasing: bytes[i..<min(i + size, count)]))
                i += size
            }
            let (frames, q) = try reader.finish()
            return "\(frames)\n\(q)"
        } catch {
            return error.description
        }
    }

    @Test(arguments: cases)
    func piecesReadAsTheWholeFile(name: String, p: TableReaderParameters, text: String) {
        for strict in [false, true] {
            let expected = Self.whole(p, text, strict: strict)
            for size in [1, 2, 3, 5, 8, 13, 1000] {
                let got = Self.pieces(p, text, strict: strict, size: size)
                #expect(got == expected, "\(name), strict \(strict), pieces of \(size)")
            }
        }
    }

    /// The cases cover rows read and rows set aside (so a wrong split would show).
    @Test func casesReadRowsAndSetSomeAside() {
        var q = Quarantine(strict: false)
        let frames = try? TableReader(Self.cases[6].1).read(Array(Self.cases[6].2.utf8), file: "f", quarantine: &q)
        #expect(frames?.map(\.rowCount).reduce(0, +) == 3)
        #expect(q.total == 3)
    }
}
