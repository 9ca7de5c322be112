import Foundation
import Testing

/// `sds infer` on every shared data file: the entry it prints, pasted into a spec, builds.
@Suite struct InferTests {
    /// Every data file under the shared data folder (CSV, JSON Lines, compressed or not).
    static let files: [String] = {
        let root = ExampleSpecsTests.shared + "/data/"
        let all = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return all.filter { f in [".csv", ".tsv", ".jsonl", ".gz", ".zst"].contains { f.hasSuffix($0) } }.sorted()
    }()

    @Test func theSharedDataIsThere() {
        #expect(Self.files.count >= 9, "\(Self.files)")
    }

    @Test(arguments: files)
    func printedEntryBuilds(file: String) throws {
        let h = try Harness()
        defer { h.cleanup() }
        try Self.expectEntryBuilds(h, ExampleSpecsTests.shared + "/data/" + file)
    }

    /// Runs `sds infer path`, pastes the entry into a spec with a study over its first number
    /// column, and expects the build to read every row.
    static func expectEntryBuilds(_ h: Harness, _ path: String) throws {
        let r = try h.sds("infer", path)
        r.expectOK()
        let entry = r.stdout
        #expect(entry.hasPrefix("sources:\n"), "\(entry)")
        // The source's name and its first number column, for a study over it.
        let lines = entry.split(separator: "\n").map(String.init)
        let name = try #require(lines.first { $0.hasPrefix("  ") && !$0.hasPrefix("   ") && !$0.hasPrefix("  #") }).dropFirst(2).dropLast()
        let column = try #require(lines.first { $0.hasPrefix("      ") && $0.hasSuffix(": double") })
            .trimmingCharacters(in: .whitespaces).dropLast(": double".count)
        try h.write("sds.yaml", """
            dataset: {name: inferred, version: 1.0.0}
            \(entry)
            studies:
              s:
                inputs: [\(name)]
                windows:
                  length: 1d
                  features: {\(column): {step: 1d, aggregate: sum}}
            splits: {percent: {train: 50, test: 50}, shards: {train: 1, test: 1}}
            """)
        let b = try h.sds("build")
        b.expectOK()
        #expect(b.stdout.contains(" rows read, 0 set aside"), "\(b.stdout)")
    }

    /// A hand-made JSON Lines file, plain and gzip: keys as columns, the epoch time with its
    /// evidence, the id as partition, a nested key left out; the entry builds.
    @Test(arguments: ["hr.jsonl", "hr.jsonl.gz"])
    func jsonLinesEntryBuilds(file: String) throws {
        let h = try Harness()
        defer { h.cleanup() }
        let rows = (0..<40).map { i in
            "{\"user_id\": \"u\(i % 4)\", \"ts\": \(1_704_067_200_000 + i * 60_000), \"hr\": \(60 + i % 7), \"ok\": \(i % 2 == 0), "
                + "\"tags\": [1, {\"a\": 2}], \"note\": \(i % 5 == 0 ? "null" : "\"n\\\"\(i)\"")}"
        }
        try h.write("hr.jsonl", rows.joined(separator: "\n") + "\n")
        if file.hasSuffix(".gz") { try h.run("gzip", [h.path("hr.jsonl")]).expectOK() }
        let r = try h.sds("infer", h.path(file))
        r.expectOK()
        for line in ["    format: jsonl", "    partition: user_id", "    time: {column: ts, format: epoch_ms}", "      hr: double",
                     "      ok: double", "      note: text",
                     "  #   ts: numbers from 1704067200000 to 1704069540000 read as epoch_ms (2024-01-01T00:00:00.000Z to 2024-01-01T00:39:00.000Z)",
                     "  #   key tags holds objects or arrays: not read"] {
            #expect(r.stdout.contains(line), "\(line)\n\(r.stdout)")
        }
        #expect(!r.stdout.contains("      tags:"))
        try Self.expectEntryBuilds(h, h.path(file))
    }

    /// A JSON Lines date whose day and month cannot be told apart is stated as ambiguous.
    @Test func jsonLinesAmbiguousDate() throws {
        let h = try Harness()
        defer { h.cleanup() }
        try h.write("amb.jsonl", (1...12).map { "{\"id\": \"s\($0 % 3)\", \"when\": \"\($0)/\($0)/2024 10:00\", \"v\": \($0)}" }.joined(separator: "\n"))
        let r = try h.sds("infer", h.path("amb.jsonl"))
        #expect(r.stdout.contains("when: month-first: 0 rows have a second field above 12; day-first: 0 (AMBIGUOUS"), "\(r.stdout)")
        #expect(r.stdout.contains("time: {column: when, format: us_24h}"), "\(r.stdout)")
    }

    /// The evidence for a date's order is printed; a date no field of which is above 12 is ambiguous.
    @Test func evidenceAndAmbiguity() throws {
        let h = try Harness()
        defer { h.cleanup() }
        let shared = ExampleSpecsTests.shared + "/data/fitbit/"
        let r = try h.sds("infer", shared + "minuteStepsWide_merged.csv")
        r.expectOK()
        #expect(r.stdout.contains("#   ActivityHour: month-first: 13930 rows have a second field above 12; day-first: 0"), "\(r.stdout)")
        #expect(r.stdout.contains("time: {column: ActivityHour, format: us_12h}"), "\(r.stdout)")
        try h.write("dayfirst.csv", "Id,Day,v\n1,13-04-2016,1\n1,14-04-2016,2\n")
        let d = try h.sds("infer", h.path("dayfirst.csv"))
        #expect(d.stdout.contains("time: {column: Day, format: \"%d-%m-%Y\"}"), "\(d.stdout)")
        #expect(d.stdout.contains("Day: day-first: 2 rows have a first field above 12; month-first: 0"), "\(d.stdout)")
        try h.write("early.csv", "Id,Day,v\n1,01/02/2016,1\n1,03/04/2016,2\n")
        let e = try h.sds("infer", h.path("early.csv"))
        #expect(e.stdout.contains("AMBIGUOUS"), "\(e.stdout)")
        try h.write("tabs.tsv", "Id\tt\tv\n1\t2024-01-01T00:00:00Z\t1\n")
        #expect(try h.sds("infer", h.path("tabs.tsv")).stdout.contains("delimiter: tab"))
    }
}
