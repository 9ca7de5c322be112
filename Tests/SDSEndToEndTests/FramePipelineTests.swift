import Foundation
import Testing

/// The general pipeline (`studies:`) end to end on small hand-made files: quarantine and
/// --strict, several studies in one dataset, the subject cap, locality, spec errors, JSONL.
@Suite struct FramePipelineTests {
    static let spec = """
        dataset: {name: toy, version: 1.0.0}
        sources:
          a:
            path: data/a.csv
            partition: subject
            time: {column: t, format: iso8601}
            columns: {v: {valid: [0, 100]}}
          b:
            path: data/b.jsonl
            format: jsonl
            partition: id
            time: {column: ms, format: epoch_ms}
            columns: {hr: {as: hr}}
        studies:
          first:
            inputs: [a]
            windows:
              length: 1h
              features: {v: {step: 10m, aggregate: sum}}
            caption: {template: "{partition}: {v.sum:%.0f}"}
        splits: {percent: {train: 50, test: 50}, shards: {train: 1, test: 1}}
        """

    static let rowsA = """
        subject,t,v
        s1,2024-01-01T00:00:00Z,1
        s1,2024-01-01T00:10:00Z,2
        s2,2024-01-01T00:00:00Z,3
        s3,2024-01-01T00:20:00Z,4
        s4,2024-01-01T00:30:00.5Z,5

        """

    static func workspace(spec: String = spec, a: String = rowsA) throws -> Harness {
        let h = try Harness()
        try h.write("sds.yaml", spec)
        try h.write("data/a.csv", a)
        // 2024-01-01T00:00:00Z = 1704067200000 ms.
        try h.write("data/b.jsonl", """
            {"id": "s1", "ms": 1704067200000, "hr": 60}
            {"id": "s2", "ms": 1704067260000, "hr": 61.5}
            {"id": "s9", "ms": 1.7040672e12, "hr": null}

            """)
        return h
    }

    func build(_ h: Harness, _ extra: String...) throws -> [String: Any] {
        let r = try h.run(Harness.binary, ["build", "--json"] + extra)
        r.expectOK()
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
    }

    @Test func badRowsAreSetAsideAndCountedOrFailTheBuildWithStrict() throws {
        // 3 bad rows of 8: past the default max_bad_rows (1 %), so the source allows them.
        let h = try Self.workspace(spec: ValidationGateTests.spec("    max_bad_rows: 3\n"),
                                   a: Self.rowsA + "s5,2024-01-01T00:00:00Z,1.2.3\ns5,2024-01-01T00:00:00Z\ns6,2024-01-01T00:00:00Z,500\n")
        defer { h.cleanup() }
        let out = try h.sds("build")
        out.expectOK()
        #expect(out.stdout.contains("set aside 3 bad rows"), "\(out.stdout)")
        #expect(out.stdout.contains("1 bad number, first at data/a.csv:7:25"), "\(out.stdout)")
        #expect(out.stdout.contains("1 wrong number of fields, first at data/a.csv:8"), "\(out.stdout)")
        #expect(out.stdout.contains("1 value out of range, first at data/a.csv:9"), "\(out.stdout)")
        let lock = try h.read("sds.lock")
        let strict = try h.sds("build", "--strict")
        strict.expectStatus(65)
        #expect(strict.stderr.contains("data/a.csv:7:"), "\(strict.stderr)")
        #expect(try h.read("sds.lock") == lock)
        // The manifest keeps the counts, so a later reader of the build sees them.
        let show = try JSONSerialization.jsonObject(with: Data(try h.sds("show", "--json").stdout.utf8)) as! [String: Any]
        #expect(((show["quarantine"] as? [String: Any])?["bad number"] as? [String: Any])?["rows"] as? Int == 1)
        let shown = try h.sds("show").stdout
        #expect(shown.contains("bad rows set aside") && shown.contains("1 rows  first at data/a.csv:7:25"), "\(shown)")
        #expect((((show["quarantine"] as? [String: Any])?["bad number"] as? [String: Any])?["first"] as? [String]) == ["data/a.csv:7:25"])
    }

    @Test func aStepTwoStudiesShareCountsItsBadRowsOnceAndRenamedFilesAreNamed() throws {
        let spec = Self.spec.replacingOccurrences(of: "    inputs: [a]\n", with: "    inputs: [a]\n    transforms: [{clean: {columns: {v: {valid: [0, 4]}}}}]\n")
            .replacingOccurrences(of: "splits:", with: """
              second:
                inputs: [a]
                transforms: [{clean: {columns: {v: {valid: [0, 4]}}}}]
                windows:
                  length: 1h
                  features: {v: {step: 10m, aggregate: mean}}
                caption: {template: "{partition}"}
            splits:
            """)
        let h = try Self.workspace(spec: spec)
        defer { h.cleanup() }
        let out = try h.sds("build")
        out.expectOK()
        // s4's v = 5 is above 4: one row, though both studies ran the same clean step on it.
        #expect(out.stdout.contains("set aside 1 bad row (--strict fails instead):\n  1 value out of range, first at data/a.csv:6"), "\(out.stdout)")
        // The file renamed (same bytes): its rows are now reported under the new name.
        try FileManager.default.moveItem(atPath: h.path("data/a.csv"), toPath: h.path("data/renamed.csv"))
        try h.write("sds.yaml", spec.replacingOccurrences(of: "path: data/a.csv", with: "path: data/renamed.csv"))
        let again = try h.sds("build")
        again.expectOK()
        #expect(again.stdout.contains("first at data/renamed.csv:6"), "\(again.stdout)")
    }

    @Test func twoStudiesMakeOneDatasetWithASourceFeatureAndACappedSubjectCount() throws {
        let spec = Self.spec.replacingOccurrences(of: "splits:", with: """
              second:
                inputs: [b]
                transforms:
                  - expression: {name: v, expression: "hr / 2"}
                max_subjects: 1
                windows:
                  length: 1h
                  features: {v: {step: 10m, aggregate: sum}}
                caption: {template: "{partition}: {v.sum:%.0f}"}
            splits:
            """)
        let h = try Self.workspace(spec: spec)
        defer { h.cleanup() }
        _ = try build(h)
        let r = try h.sds("inspect", "out/toy/1.0.0", "--json", "--limit", "100")
        let examples = ((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any])["examples"] as! [[String: Any]])
            .map { $0["features"] as! [String: Any] }
        func value(_ e: [String: Any], _ n: String) -> Any { ((e[n] as! [String: Any])["values"] as! [Any])[0] }
        let sources = examples.map { value($0, "dataset") as! String }
        // Study one: s1..s4 (one window each). Study two: s1, s2 have a heart rate (s9's is
        // null, so it has no window); the cap keeps one of them.
        #expect(sources.filter { $0 == "first" }.count == 4)
        #expect(sources.filter { $0 == "second" }.count == 1)
        let second = try #require(examples.first { value($0, "dataset") as? String == "second" })
        let p = value(second, "partition") as! String
        #expect(["s1", "s2"].contains(p))
        // hr / 2 summed over the first 10-minute slot: s1 60 / 2 = 30, s2 61.5 / 2 = 30.75.
        #expect(value(second, "caption") as? String == (p == "s1" ? "s1: 30" : "s2: 31"))
        // A subject is in one split whatever study its examples come from.
        let all = ((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any])["examples"] as! [[String: Any]])
        let files = all.filter { value($0["features"] as! [String: Any], "partition") as? String == p }
            .map { ($0["file"] as! String).contains("-train.") }
        #expect(files.count == 2 && Set(files).count == 1)
    }

    @Test func aSubjectMissingFromOneMergedSourceStillHasEveryChannel() throws {
        // Study inputs a and b: s3 and s4 have rows in a only, s9 in b only (its heart rate is null).
        let spec = Self.spec.replacingOccurrences(of: """
                inputs: [a]
                windows:
                  length: 1h
                  features: {v: {step: 10m, aggregate: sum}}
            """, with: """
                inputs: [a, b]
                windows:
                  length: 1h
                  features: {v: {step: 10m, aggregate: sum}, hr: {step: 10m, aggregate: mean}}
            """)
        let h = try Self.workspace(spec: spec)
        defer { h.cleanup() }
        let out = try build(h)
        let counts = (out["shards"] as! [[String: Any]]).map { $0["examples"] as! Int }
        // s1..s4 and s9 (a row with a null heart rate is still a row: its window has no values).
        #expect(counts.reduce(0, +) == 5)
        let r = try h.sds("inspect", "out/toy/1.0.0", "--json", "--limit", "100")
        let examples = ((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any])["examples"] as! [[String: Any]])
            .map { $0["features"] as! [String: Any] }
        for e in examples {
            #expect(((e["sensor/hr"] as? [String: Any])?["values"] as? [Any])?.count == 6)
        }
    }

    @Test func changingOneSubjectsRowsRedoesOnlyThatSubjectsSteps() throws {
        let h = try Self.workspace()
        defer { h.cleanup() }
        _ = try build(h)
        try h.write("data/a.csv", Self.rowsA.replacingOccurrences(of: "s3,2024-01-01T00:20:00Z,4", with: "s3,2024-01-01T00:20:00Z,7"))
        let again = try build(h)
        let ran = Set((again["ran"] as! [String]))
        #expect(ran.contains("frame.windows first/s3"))
        #expect(!ran.contains { $0.hasSuffix("/s1") || $0.hasSuffix("/s2") || $0.hasSuffix("/s4") }, "\(ran)")
        let lineage = try h.sds("lineage", "--example", "first/s3/2024-01-01")
        lineage.expectOK()
        #expect(lineage.stdout.contains("data/a.csv lines 5-5"), "\(lineage.stdout)")

        // A row added for s1 moves every later subject down a line: still only s1 is redone,
        // and a bad row of s4 is still reported at its line in the file.
        try h.write("data/a.csv", Self.rowsA.replacingOccurrences(of: "s3,2024-01-01T00:20:00Z,4", with: "s3,2024-01-01T00:20:00Z,7")
            .replacingOccurrences(of: "s1,2024-01-01T00:10:00Z,2\n", with: "s1,2024-01-01T00:10:00Z,2\ns1,2024-01-01T00:20:00Z,6\n"))
        let shifted = try build(h)
        let ranNow = Set((shifted["ran"] as! [String]))
        #expect(ranNow.contains("frame.windows first/s1"))
        #expect(!ranNow.contains { $0.hasSuffix("/s2") || $0.hasSuffix("/s3") || $0.hasSuffix("/s4") }, "\(ranNow)")
        try h.write("sds.yaml", Self.spec.replacingOccurrences(of: "    inputs: [a]\n", with: "    inputs: [a]\n    transforms: [{clean: {columns: {v: {valid: [0, 4]}}}}]\n"))
        let report = try h.sds("build")
        // Above 4: s1's new row (line 4), s3 (line 6), s4 (line 7).
        #expect(report.stdout.contains("3 value out of range, first at data/a.csv:4, data/a.csv:6, data/a.csv:7"), "\(report.stdout)")
        let strict = try h.sds("build", "--strict")
        strict.expectStatus(65)
        #expect(strict.stderr.hasPrefix("data/a.csv:4: error: value out of range"), "\(strict.stderr)")
        let status = try h.sds("status")
        status.expectOK()
    }

    @Test func specMistakesPointAtTheirLine() throws {
        let h = try Self.workspace(spec: Self.spec.replacingOccurrences(of: "    inputs: [a]\n", with: "    inputs: [a]\n    transforms:\n      - resampel: {step: 1m}\n"))
        defer { h.cleanup() }
        let r = try h.sds("build")
        r.expectStatus(65)
        #expect(r.stderr.contains("sds.yaml:18:9:"), "\(r.stderr)")
        #expect(r.stderr.contains("unknown transform 'resampel'") && r.stderr.contains("did you mean 'resample'?"), "\(r.stderr)")

        let h2 = try Self.workspace(spec: Self.spec.replacingOccurrences(of: "columns: {v: {valid: [0, 100]}}", with: "columns: {value: {}}"))
        defer { h2.cleanup() }
        let r2 = try h2.sds("build")
        r2.expectStatus(65)
        // Checked against the input's header before any step runs, at the spec's line.
        #expect(r2.stderr.contains("sds.yaml:7:") && r2.stderr.contains("has no column \"value\" in data/a.csv"), "\(r2.stderr)")
    }

    @Test func gcKeepsWhatTheNextBuildReusesAndCheckoutRestoresTheStatistics() throws {
        let h = try Self.workspace(spec: Self.spec.replacingOccurrences(of: "    inputs: [a]\n", with: "    inputs: [a]\n    statistics: {rows: samples, total: {sum: v}}\n"))
        defer { h.cleanup() }
        _ = try build(h)
        try h.sds("gc").expectOK()
        // A new caption reuses the stored partitions and windows, which gc must have kept.
        try h.write("sds.yaml", try h.read("sds.yaml").replacingOccurrences(of: "{partition}: ", with: "{partition} = "))
        let again = try build(h)
        #expect((again["steps_run"] as? Int ?? 0) > 0)
        try h.sds("fsck").expectOK()
        let csv = "partition,rows,total\ns1,2,3.0\ns2,1,3.0\ns3,1,4.0\ns4,1,5.0\n"
        #expect(try h.read("out/toy/1.0.0/statistics-first.csv") == csv)
        try FileManager.default.removeItem(atPath: h.path("out"))
        try h.sds("checkout", "--outputs").expectOK()
        #expect(try h.read("out/toy/1.0.0/statistics-first.csv") == csv)
        let q = try h.sds("query", "--csv", "SELECT partition, total FROM first WHERE rows > 1")
        q.expectOK()
        #expect(q.stdout == "partition,total\ns1,3.0\n")
        try h.sds("query", "SELECT 1; DROP TABLE first").expectStatus(64)
        try h.sds("query", "-- nothing").expectStatus(64)
        // The header bytes that name the writing SQLite and count changes are zeroed.
        let db = [UInt8](try Data(contentsOf: URL(fileURLWithPath: h.path("out/toy/1.0.0/statistics.sqlite"))))
        #expect(db[24..<28].allSatisfy { $0 == 0 } && db[92..<100].allSatisfy { $0 == 0 })

        // Dropping the statistics later removes the tables sds wrote (they are not someone else's files).
        try h.write("sds.yaml", try h.read("sds.yaml").replacingOccurrences(of: "    statistics: {rows: samples, total: {sum: v}}\n", with: ""))
        _ = try build(h)
        #expect(!h.exists("out/toy/1.0.0/statistics.sqlite") && !h.exists("out/toy/1.0.0/statistics-first.csv"))
        try h.sds("query", "SELECT 1").expectStatus(66)
    }

    @Test func aSourceMadeByARunStepIsReadLikeAFile() throws {
        let spec = "steps:\n  copy:\n    run: cp {in} {out}\n    inputs: [data/a.csv]\n    outputs: a.csv\n"
            + Self.spec.replacingOccurrences(of: "path: data/a.csv", with: "path: steps.copy")
        let h = try Self.workspace(spec: spec)
        defer { h.cleanup() }
        // The dry run runs the step in its temp folder, so it knows every shard it would write.
        let plan = try h.sds("build", "--dry-run")
        plan.expectStatus(1)
        #expect(plan.stdout.contains("toy-train.tfrecord-00000-of-00001") && plan.stdout.contains("toy-test.tfrecord-00000-of-00001"),
                "\(plan.stdout)")
        let out = try build(h)
        #expect((out["shards"] as! [[String: Any]]).map { $0["examples"] as! Int }.reduce(0, +) == 4)
        #expect(try build(h)["steps_run"] as? Int == 0)
    }

    @Test func aDryRunAndStatusExplainAStudyBuild() throws {
        let h = try Self.workspace()
        defer { h.cleanup() }
        _ = try build(h)
        try h.write("data/a.csv", Self.rowsA + "s7,2024-01-01T00:00:00Z,9\n")
        let plan = try h.sds("build", "--dry-run")
        plan.expectStatus(1)
        #expect(plan.stdout.contains("s7"), "\(plan.stdout)")
        #expect(!plan.stdout.contains("s1"), "\(plan.stdout)")
    }
}
