import Foundation
import Testing

/// The build report (issue 12): rows read and set aside per source, windows made and dropped
/// by each filter, subjects left out, examples and subjects per split; in the build's output,
/// its --json, the manifest and `sds show`; warnings for splits that cannot hold their percent.
@Suite struct BuildReportTests {
    /// Six subjects over three days; by hand:
    /// - source a: 27 rows, the `bad-time` one set aside by the reader (26 read); clean sets
    ///   aside s1's 500.
    /// - windows (days with a row): s1 3, s2 2, s3…s6 2 each = 13.
    /// - `present y` drops s1's Jan 3 (no label); `coverage v 0.05` (2 of 24 hours) drops s2's
    ///   Jan 2 (one hour); `min_windows 2` then drops s2's Jan 1, its only window left.
    /// - 10 windows kept: s1, s3…s6 two each; `max_subjects: 4` leaves one of them out.
    static let spec = """
        dataset: {name: rep, version: 1.0.0}
        sources:
          a:
            path: data/a.csv
            partition: subject
            time: {column: t, format: iso8601}
            columns: {v: {as: v}}
            max_bad_rows: 1        # the bad-time row, past the default 1 % of 27
          labels:
            path: data/labels.csv
            partition: subject
            time: {column: date, format: date}
            columns: {label: {as: y}}
        studies:
          toy:
            inputs: [a]
            transforms:
              - clean: {columns: {v: {valid: [0, 100]}}}
            windows: {length: 1d, align: calendar_day, zone: UTC, features: {v: {step: 1h, aggregate: sum}}}
            labels: {y: {source: labels, column: y, match: same_day}}
            filters: [{present: y}, {coverage: {v: 0.05}}, {min_windows: 2}]
            max_subjects: 4
        splits: {salt: "rep:", percent: {train: 80, validation: 10, test: 10}, shards: {train: 1, validation: 1, test: 1}}
        """

    static let rows: String = {
        var out = "subject,t,v\n"
        func day(_ s: String, _ d: Int, _ hours: [Int]) {
            for h in hours { out += "\(s),2024-01-0\(d)T0\(h):00:00Z,\(h + 1)\n" }
        }
        day("s1", 1, [0, 1]); day("s1", 2, [0, 1]); out += "s1,2024-01-02T05:00:00Z,500\n"; day("s1", 3, [0, 1])
        day("s2", 1, [0, 1]); day("s2", 2, [0])
        for s in ["s3", "s4", "s5", "s6"] {
            if s == "s3" { out += "s3,bad-time,7\n" }
            day(s, 1, [0, 1]); day(s, 2, [0, 1])
        }
        return out
    }()

    static let labels: String = {
        var out = "subject,date,label\n"
        for s in ["s1", "s2", "s3", "s4", "s5", "s6"] { out += "\(s),2024-01-01,\(7)\n\(s),2024-01-02,8\n" }
        return out
    }()

    static func workspace() throws -> Harness {
        let h = try Harness()
        try h.write("sds.yaml", spec)
        try h.write("data/a.csv", rows)
        try h.write("data/labels.csv", labels)
        return h
    }

    /// Runs of spaces as one (table columns are padded to their widest cell).
    static func squeezed(_ text: String) -> String {
        text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    /// JSON values compared as Foundation decoded them (numbers are NSNumbers).
    static func same(_ a: Any?, _ b: [Any]) -> Bool {
        guard let a = a as? [Any] else { return false }
        return NSArray(array: a).isEqual(to: b)
    }

    static func object(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    @Test func studiesBuildReportsEveryCountByHandInTextJSONManifestAndShow() throws {
        let h = try Self.workspace()
        defer { h.cleanup() }
        let r = try h.sds("build", "--json")
        r.expectOK()
        let out = try Self.object(r.stdout)
        let report = out["report"] as! [String: Any]
        let study = (report["studies"] as! [[String: Any]])[0]
        #expect(study["study"] as? String == "toy")
        #expect(Self.same(study["sources"], [["source": "a", "rows": 26, "set_aside": 1],
                                                                  ["source": "labels", "rows": 12, "set_aside": 0]]), "\(study)")
        #expect(study["set_aside_by_transforms"] as? Int == 1)
        #expect(study["windows"] as? Int == 13)
        #expect(Self.same(study["filters"], [["filter": "present y", "dropped": 1],
                                                                  ["filter": "coverage v 0.05", "dropped": 1],
                                                                  ["filter": "min_windows 2", "dropped": 1]]), "\(study)")
        #expect(study["max_subjects"] as? [String: Int] == ["subjects": 1, "examples": 2])
        // Split numbers agree with the shards the build wrote.
        let splits = report["splits"] as! [[String: Any]]
        let shards = out["shards"] as! [[String: Any]]
        for s in splits {
            let name = s["split"] as! String
            let mine = shards.filter { ($0["file"] as! String).hasPrefix("rep-\(name).") }
            #expect(s["examples"] as? Int == mine.reduce(0) { $0 + ($1["examples"] as! Int) }, "\(name)")
        }
        #expect(splits.map { $0["examples"] as! Int }.reduce(0, +) == 8)
        #expect(splits.map { $0["subjects"] as! Int }.reduce(0, +) == 4)
        #expect(splits.map { $0["percent"] as! Int } == [80, 10, 10])
        #expect(Self.same(study["splits"], report["splits"] as! [Any]))

        // The manifest holds the same report; show prints it.
        let manifest = try Self.object(try h.sds("show", "--json").stdout)
        #expect(NSDictionary(dictionary: manifest["report"] as! [String: Any]).isEqual(to: report))
        let shown = Self.squeezed(try h.sds("show").stdout)
        #expect(shown.contains("filter present y") && shown.contains("dropped 1"), "\(shown)")
        #expect(shown.contains("windows 13 made, 10 kept"), "\(shown)")

        // The text output of a build that reuses every step says the same.
        let text = try h.sds("build")
        text.expectOK()
        let said = Self.squeezed(text.stdout)
        #expect(said.contains("study toy:"), "\(said)")
        #expect(said.contains("source a 26 rows read, 1 set aside"), "\(said)")
        #expect(said.contains("source labels 12 rows read, 0 set aside"), "\(said)")
        #expect(said.contains("transforms 1 rows set aside"), "\(said)")
        #expect(said.contains("windows 13 made, 10 kept"), "\(said)")
        #expect(said.contains("filter present y dropped 1"), "\(said)")
        #expect(said.contains("filter coverage v 0.05 dropped 1"), "\(said)")
        #expect(said.contains("filter min_windows 2 dropped 1"), "\(said)")
        #expect(said.contains("max_subjects left out 1 subject (2 examples)"), "\(said)")
        #expect(said.contains("steps: 0 run"), "\(said)")
    }

    @Test func splitsWithFewSubjectsOrAShareFarFromTheirPercentAreWarnedAbout() throws {
        let h = try Self.workspace()
        defer { h.cleanup() }
        let r = try h.sds("build", "--json")
        r.expectOK()
        let out = try Self.object(r.stdout)
        let splits = (out["report"] as! [String: Any])["splits"] as! [[String: Any]]
        // s1 is left out (max_subjects); s3, s5, s6 land in train, s4 in validation, none in test.
        #expect(splits.map { "\($0["split"]!) \($0["examples"]!) \($0["subjects"]!)" } == ["train 6 3", "validation 2 1", "test 0 0"])
        let why = "splits are made by subject, all of a subject's examples in one split, and 10% of 4 subjects is too few"
        #expect(out["warnings"] as? [String] == [
            "split 'validation' has only 1 subject (2 examples): \(why) to test or validate on; add subjects or use fewer splits",
            "split 'test' has no subject (0 examples): \(why) to test or validate on; add subjects or use fewer splits",
        ], "\(out["warnings"]!)")
        // Each warning is on stderr too; the shares (75%, 25%, 0%) are within 15 points.
        for w in out["warnings"] as! [String] { #expect(r.stderr.contains("warning: " + w + "\n"), "\(r.stderr)") }
        let said = Self.squeezed(try h.sds("build").stdout)
        #expect(said.contains("split train 6 examples (75%), 3 subjects; 80% asked"), "\(said)")

        // s4 with two more days: validation holds 4 of 10 examples (40%), train 6 (60%).
        try h.write("data/a.csv", Self.rows + "s4,2024-01-03T00:00:00Z,1\ns4,2024-01-03T01:00:00Z,1\ns4,2024-01-04T00:00:00Z,1\ns4,2024-01-04T01:00:00Z,1\n")
        try h.write("data/labels.csv", Self.labels + "s4,2024-01-03,1\ns4,2024-01-04,1\n")
        let skewed = try h.sds("build", "--json")
        skewed.expectOK()
        let shares = try Self.object(skewed.stdout)["warnings"] as! [String]
        let byExample = "splits are made by subject (a salted hash of its id), not by example, so with 4 subjects a split's share "
            + "moves by whole subjects and follows how many examples each has"
        #expect(shares.contains("split 'train' holds 60% of the examples, not 80%: " + byExample), "\(shares)")
        #expect(shares.contains("split 'validation' holds 40% of the examples, not 10%: " + byExample), "\(shares)")
        #expect(shares.count == 4, "\(shares)")
        #expect(skewed.stderr.contains("warning: split 'train' holds 60% of the examples, not 80%"), "\(skewed.stderr)")

        // Enough subjects with equal examples: no warning.
        var many = "subject,t,v\n", labels = "subject,date,label\n"
        for i in 0..<60 {
            many += "p\(i),2024-01-01T00:00:00Z,1\np\(i),2024-01-01T01:00:00Z,1\np\(i),2024-01-02T00:00:00Z,1\np\(i),2024-01-02T01:00:00Z,1\n"
            labels += "p\(i),2024-01-01,1\np\(i),2024-01-02,1\n"
        }
        try h.write("data/a.csv", many)
        try h.write("data/labels.csv", labels)
        try h.write("sds.yaml", Self.spec.replacingOccurrences(of: "max_subjects: 4", with: "max_subjects: 60"))
        let calm = try h.sds("build", "--json")
        calm.expectOK()
        let calmOut = try Self.object(calm.stdout)
        let calmSplits = (calmOut["report"] as! [String: Any])["splits"] as! [[String: Any]]
        #expect(calmSplits.map { $0["subjects"] as! Int }.reduce(0, +) == 60)
        #expect(calmOut["warnings"] as? [String] == [], "\(calmSplits)")
        #expect(!calm.stderr.contains("warning:"), "\(calm.stderr)")
    }

    @Test func wearableBuildReportsRowsDaysAndSplits() throws {
        let h = try LineageTests.wearableWorkspace()
        defer { h.cleanup() }
        // One heart rate out of the valid range (30-220): set aside by cleaning.
        try h.write("data/heart_rate.csv", LineageTests.heartRate + "S2,2024-01-03T05:00:00Z,250\n")
        // At least 3 heart-rate minutes a day (3/1440 > 0.002); forward fill (max gap 5m) fills
        // only between values. 1 of 8 rows bad is past the default gate: allowed here.
        try h.write("sds.yaml", try h.read("sds.yaml").replacingOccurrences(of: "coverage: {hr: 0.0001}", with: "coverage: {hr: 0.002}")
            .replacingOccurrences(of: "path: data/heart_rate.csv", with: "path: data/heart_rate.csv\n    max_bad_rows: 50%"))
        let r = try h.sds("build", "--json")
        r.expectOK()
        let report = try Self.object(r.stdout)["report"] as! [String: Any]
        let study = (report["studies"] as! [[String: Any]])[0]
        #expect(study["study"] as? String == "wearable")
        // A study counts the rows it kept beside those set aside (8 lines: 7 kept, 1 aside).
        #expect(Self.same(study["sources"], [["source": "heart_rate", "rows": 7, "set_aside": 1],
                                             ["source": "steps", "rows": 5, "set_aside": 0],
                                             ["source": "sleep", "rows": 3, "set_aside": 0]]), "\(study)")
        // Heart-rate days: S1 Jan 1-3, S2 Jan 1-3. Only S1's Jan 2 has 3 minutes (00:00, 00:02
        // and 00:01 filled between them); S2's Jan 2 has 00:01 and 00:00 filled after 23:59.
        #expect(study["windows"] as? Int == 6)
        let filters = study["filters"] as? [[String: Any]] ?? []
        #expect(filters.count == 1 && filters.first?["dropped"] as? Int == 5, "\(study)")
        let splits = report["splits"] as! [[String: Any]]
        #expect(splits.map { $0["examples"] as! Int }.reduce(0, +) == 1)
        #expect(splits.map { $0["subjects"] as! Int }.reduce(0, +) == 1)
        // One subject cannot fill three splits.
        #expect(r.stderr.contains("has no subject"), "\(r.stderr)")
    }
}
