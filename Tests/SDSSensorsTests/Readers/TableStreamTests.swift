import SDSSensors
import Testing

/// A table fed in chunks gives what the whole read gives: frames, set-aside rows, errors.
@Suite struct TableStreamTests {
    typealias F = TableReaderFixture

    /// The frames handed out while streaming, joined with `finish`'s (pieces of a partition
    /// in order), sorted by key; the quarantine; and whether any frame came before `finish`.
    static func streamed(_ text: String, _ p: TableReaderParameters, chunk: Int, strict: Bool = false)
        throws(SensorError) -> ([Frame], Quarantine, Bool) {
        var s = TableStream(TableReader(p), file: "hr.csv", quarantine: Quarantine(strict: strict), headerBytes: 16)
        let bytes = Array(text.utf8)
        var early: [Frame] = []
        var at = 0
        while at < bytes.count {
            early += try s.consume(Array(bytes[at..<min(at + chunk, bytes.count)]))
            at += chunk
        }
        var out = early
        for f in try s.finish() {
            if let i = out.firstIndex(where: { $0.partition == f.partition }) { out[i] = out[i].appending(f) } else { out.append(f) }
        }
        out.sort { Array($0.partition.utf8).lexicographicallyPrecedes(Array($1.partition.utf8)) }
        return (out, s.quarantine, !early.isEmpty)
    }

    static let grouped = """
        subject_id,time,bpm
        S1,2016-04-13T00:00:00Z,60
        S1,2016-04-13T00:00:05Z,250
        S1,2016-04-13T00:00:05Z,x

        S2,2016-04-13T00:00:00Z,61\r
        S2,2016-04-13T00:00:01Z,62,9
        S3,bad,63
        S3,2016-04-13T00:00:02Z,64
        S4,2016-04-13T00:00:02Z,65
        """

    @Test(arguments: [1, 2, 7, 16, 33, 1000])
    func chunksGiveTheWholeRead(chunk: Int) throws {
        let p = F.heartRate(valid: 30...220)
        let (whole, q) = try F.lenient(Self.grouped, p)
        let (frames, sq, early) = try Self.streamed(Self.grouped, p, chunk: chunk)
        #expect(frames == whole)
        #expect(sq == q)
        #expect(q.total == 4)
        if chunk < 100 { #expect(early) }
    }

    @Test func aPartitionSeenAgainIsJoinedInFileOrder() throws {
        let text = "subject_id,time,bpm\nA,2016-04-13T00:00:00Z,60\nB,2016-04-13T00:00:00Z,61\nA,2016-04-13T00:00:09Z,62\nC,2016-04-13T00:00:00Z,63\n"
        let (whole, _) = try F.lenient(text, F.heartRate())
        for chunk in [1, 5, 30] {
            let (frames, _, _) = try Self.streamed(text, F.heartRate(), chunk: chunk)
            #expect(frames == whole)
        }
    }

    @Test func quotedRowsAreReadWhole() throws {
        let text = "subject_id,time,bpm\nA,2016-04-13T00:00:00Z,60\n\"B\nC\",2016-04-13T00:00:00Z,61\nD,2016-04-13T00:00:09Z,62\n"
        let (whole, q) = try F.lenient(text, F.heartRate())
        for chunk in [1, 4, 50] {
            let (frames, sq, _) = try Self.streamed(text, F.heartRate(), chunk: chunk)
            #expect(frames == whole)
            #expect(sq == q)
        }
    }

    @Test func strictStopsAtTheSameLine() throws {
        let expected = F.strictError(Self.grouped, F.heartRate(valid: 30...220))
        for chunk in [3, 40] {
            let error = sensorError { () throws(SensorError) in
                _ = try Self.streamed(Self.grouped, F.heartRate(valid: 30...220), chunk: chunk, strict: true)
            }
            #expect(error?.description == expected)
        }
    }
}
