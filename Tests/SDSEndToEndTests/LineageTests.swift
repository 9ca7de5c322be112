import Foundation
import Testing

/// `sds lineage --example`: the raw lines of the example's own window, steps in pipeline
/// order, and `--build` (issue 12).
@Suite struct LineageTests {
    static func json(_ r: Harness.Result) throws -> [String: Any] {
        r.expectOK()
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
    }

    /// The lines named by `window_lines` runs, expanded.
    static func lines(_ source: [String: Any]) -> [Int] {
        ((source["window_lines"] as? [[Int]]) ?? []).flatMap { $0[0]...$0[1] }
    }

    /// The 1-based lines of `text` (header = line 1) whose field `id` is `subject` and whose
    /// field `date` starts with `day` (`4/13/2016`, before any time of day): found by hand.
    static func linesByHand(_ text: String, subject: String, idColumn: String, dateColumn: String, day: String) -> [Int] {
        let rows = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let id = rows[0].firstIndex(of: idColumn)!, date = rows[0].firstIndex(of: dateColumn)!
        return rows.indices.dropFirst().filter { i in
            rows[i].count > max(id, date) && rows[i][id] == subject && rows[i][date].split(separator: " ").first.map(String.init) == day
        }.map { $0 + 1 }
    }

    @Test func fitbitExampleNamesTheRawLinesOfItsOwnDayForEverySourceAndItsStepsInPipelineOrder() throws {
        let (h, dir) = try ExampleSpecsTests.workspace("fitbit")
        defer { h.cleanup() }
        try h.run(Harness.binary, ["build", "-q"], cwd: dir).expectOK()
        let l = try Self.json(try h.run(Harness.binary, ["lineage", "--json", "--example", "fitbit/1503960366/2016-04-13"], cwd: dir))
        #expect((l["window"] as? [String: String]) == ["start": "2016-04-13", "end": "2016-04-14"])
        let partition = l["partition"] as! [String: Any]
        let sources = partition["sources"] as! [[String: Any]]
        #expect(sources.map { $0["source"] as! String } == ["steps", "intensity", "calories", "sleep", "weight"])
        let data = ExampleSpecsTests.shared + "/data/fitbit/"
        let columns = ["steps": ("minuteStepsWide_merged.csv", "ActivityHour"), "intensity": ("minuteIntensitiesWide_merged.csv", "ActivityHour"),
                       "calories": ("hourlyCalories_merged.csv", "Activity Day"), "sleep": ("sleepDay_merged.csv", "SleepDay"),
                       "weight": ("weightLogInfo_merged.csv", "Date")]
        for s in sources {
            let name = s["source"] as! String
            let (file, dateColumn) = columns[name]!
            let text = try String(contentsOfFile: data + file, encoding: .utf8)
            let expected = Self.linesByHand(text, subject: "1503960366", idColumn: "Id", dateColumn: dateColumn, day: "4/13/2016")
            // Exactly the subject's rows of that day: those just before and after are not in it.
            #expect(Self.lines(s) == expected, "\(name)")
            #expect(s["window_rows"] as? Int == expected.count, "\(name)")
        }
        // A whole day of hourly rows, and the night's one sleep row; no weight logged that day.
        #expect(Self.lines(sources[0]).count == 24 && Self.lines(sources[2]).count == 24)
        #expect(Self.lines(sources[3]).count == 1 && Self.lines(sources[4]).isEmpty)
        let ops = (partition["steps"] as! [[String: Any]]).map { $0["op"] as! String }
        #expect(ops == ["read.table", "read.table", "read.table", "read.table", "read.table", "frame.merge", "frame.clean#1",
                        "frame.windows", "frame.label_join", "frame.attribute_join", "frame.filter", "frame.caption",
                        "frame.window-counts", "tfrecord.encode-examples", "tfrecord.shard"], "\(ops)")
        let text = try h.run(Harness.binary, ["lineage", "--example", "fitbit/1503960366/2016-04-13"], cwd: dir)
        text.expectOK()
        #expect(text.stdout.contains("window 2016-04-13 to 2016-04-14 (end excluded)"), "\(text.stdout)")
        #expect(text.stdout.contains("weight"), "\(text.stdout)")
        #expect(text.stdout.contains(": no rows in the window"), "\(text.stdout)")
    }

    /// A tiny wearable study whose heart-rate file interleaves two subjects (and has a blank
    /// line), and whose steps file keeps each subject's rows together.
    static let heartRate = """
        subject_id,time,bpm
        S1,2024-01-01T23:58:00Z,60
        S2,2024-01-01T23:59:00Z,70
        S1,2024-01-02T00:00:00Z,61

        S2,2024-01-02T00:01:00Z,71
        S1,2024-01-02T00:02:00Z,62
        S1,2024-01-03T00:00:00Z,63
        S2,2024-01-03T00:01:00Z,72

        """
    static let steps = """
        subject_id,time,steps
        S1,2024-01-01T23:58:00Z,1
        S1,2024-01-02T00:00:00Z,2
        S1,2024-01-02T10:00:00Z,3
        S1,2024-01-03T00:00:00Z,4
        S2,2024-01-02T00:01:00Z,5

        """
    static let sleep = """
        subject_id,date,minutes_asleep
        S1,2024-01-01,400
        S2,2024-01-02,410
        S1,2024-01-02,420

        """

    static func wearableWorkspace() throws -> Harness {
        let h = try Harness()
        try h.write("data/heart_rate.csv", heartRate)
        try h.write("data/steps.csv", steps)
        try h.write("data/sleep_labels.csv", sleep)
        let spec = try String(contentsOfFile: WearableData.spec, encoding: .utf8)
            .replacingOccurrences(of: "coverage: {hr: 0.5}", with: "coverage: {hr: 0.0001}")
        try h.write("sds.yaml", spec)
        return h
    }

    @Test func wearableExampleNamesItsDaysRowsEvenWhenSubjectsInterleave() throws {
        let h = try Self.wearableWorkspace()
        defer { h.cleanup() }
        try h.sds("build", "-q").expectOK()
        let l = try Self.json(try h.sds("lineage", "--json", "--example", "wearable/S1/2024-01-02"))
        #expect((l["window"] as? [String: String]) == ["start": "2024-01-02", "end": "2024-01-03"])
        let partition = l["partition"] as! [String: Any]
        let sources = Dictionary(uniqueKeysWithValues: (partition["sources"] as! [[String: Any]]).map { ($0["source"] as! String, $0) })
        // heart_rate.csv: S1's rows of Jan 2 are lines 4 and 7 (S2's line 6 and the blank line 5 lie between).
        #expect(sources["heart_rate"]?["window_lines"] as? [[Int]] == [[4, 4], [7, 7]])
        #expect(sources["steps"]?["window_lines"] as? [[Int]] == [[3, 4]])
        #expect(sources["sleep"]?["window_lines"] as? [[Int]] == [[4, 4]])
        let ops = (partition["steps"] as! [[String: Any]]).map { $0["op"] as! String }
        #expect(ops.prefix(3) == ["read.table", "read.table", "read.table"], "\(ops)")
        #expect(ops.last == "tfrecord.shard" && ops.dropLast().last == "tfrecord.encode-examples", "\(ops)")
        // Every step comes after the steps whose results it takes.
        let steps = partition["steps"] as! [[String: Any]]
        for (i, s) in steps.enumerated() {
            for input in s["inputs"] as? [String] ?? [] {
                #expect(!steps[(i + 1)...].contains { $0["result"] as? String == input }, "\(s["op"]!) before its input")
            }
        }
        let ex = try h.sds("lineage", "--example", "wearable/S1/2024-01-02")
        #expect(ex.stdout.contains("data/heart_rate.csv lines 2-8 (input"), "\(ex.stdout)")
        #expect(ex.stdout.contains("window rows at lines 4, 7 (2 lines)"), "\(ex.stdout)")
    }

    @Test func lineageBuildTakesATagABuildIdPrefixOrAGitRevision() throws {
        let h = try Self.wearableWorkspace()
        defer { h.cleanup() }
        let first = try h.buildJSON()
        try h.sds("tag", "v1").expectOK()
        try h.commitAll("v1")
        try h.write("data/steps.csv", Self.steps.replacingOccurrences(of: "S1,2024-01-02T10:00:00Z,3\n", with: ""))
        let second = try h.buildJSON()
        let v1 = first["build"] as! String, v2 = second["build"] as! String
        #expect(v1 != v2)
        func stepsLines(_ args: String...) throws -> [[Int]]? {
            let l = try Self.json(try h.run(Harness.binary, ["lineage", "--json", "--example", "wearable/S1/2024-01-02"] + args))
            let sources = (l["partition"] as! [String: Any])["sources"] as! [[String: Any]]
            #expect(l["build"] as? String == (args.isEmpty ? v2 : v1), "\(args)")
            return sources.first { $0["source"] as? String == "steps" }?["window_lines"] as? [[Int]]
        }
        #expect(try stepsLines() == [[3, 3]])
        #expect(try stepsLines("--build", "v1") == [[3, 4]])
        #expect(try stepsLines("--build", String(v1.prefix(10))) == [[3, 4]])
        #expect(try stepsLines("--build", "HEAD") == [[3, 4]])
        let shard = try h.sds("lineage", "--build", "v1", "--json", "out/wearable/1.0.0/" + ((first["shards"] as! [[String: Any]])[0]["file"] as! String))
        #expect(try Self.json(shard)["build"] as? String == v1)
        try h.sds("lineage", "--build", "nosuchtag", "--example", "wearable/S1/2024-01-02").expectStatus(66)
        try h.sds("lineage", "--build", "workspace", "--example", "wearable/S1/2024-01-02").expectStatus(64)
    }
}
