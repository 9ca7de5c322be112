import Foundation
import Testing

/// Issue 5's acceptance on the real recordings: examples/robot and examples/fitbit build
/// from ../shared/data, and their numbers match a computation done by hand (in Python,
/// from the raw CSV, independently of sds; the method is in each comment).
@Suite struct ExampleSpecsTests {
    static let shared: String = {
        if let s = ProcessInfo.processInfo.environment["SDS_SHARED"], !s.isEmpty { return s }
        return WearableData.repo + "/../shared"
    }()

    /// A git workspace laid out like the repository: examples/NAME/sds.yaml, and ../shared
    /// beside it (a symlink), so the example's relative data paths resolve unchanged.
    static func workspace(_ example: String) throws -> (Harness, String) {
        let h = try Harness()
        let parent = (h.root as NSString).deletingLastPathComponent
        let repo = h.root + "/repo"
        try FileManager.default.createDirectory(atPath: repo + "/examples/" + example, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: WearableData.repo + "/examples/\(example)/sds.yaml",
                                         toPath: repo + "/examples/\(example)/sds.yaml")
        // repo/examples/NAME/../../../shared = ROOT/shared.
        try FileManager.default.createSymbolicLink(atPath: h.root + "/shared", withDestinationPath: shared)
        _ = parent
        try h.run("git", ["init", "-q", "-b", "main"], cwd: repo).expectOK()
        try h.run(Harness.binary, ["init"], cwd: repo).expectOK()
        return (h, repo + "/examples/" + example)
    }

    static func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    /// Every example of the output folder, as `sds inspect --json` prints them.
    static func examples(_ h: Harness, _ dir: String, _ folder: String) throws -> [[String: Any]] {
        let r = try h.run(Harness.binary, ["inspect", folder, "--json", "--limit", "100000"], cwd: dir)
        r.expectOK()
        let all = try json(r.stdout) as! [String: Any]
        return (all["examples"] as! [[String: Any]]).map { $0["features"] as! [String: Any] }
    }

    /// The shard ids of a `build --json`, joined in manifest order.
    static func shardIDs(_ build: Harness.Result) throws -> String {
        ((try json(build.stdout) as! [String: Any])["shards"] as! [[String: Any]]).map { $0["id"] as! String }.joined(separator: " ")
    }

    static func values(_ example: [String: Any], _ name: String) -> [Any] {
        (example[name] as! [String: Any])["values"] as! [Any]
    }

    @Test func robotRunsBecomeWideAlignedExamplesWithHandCheckedMotionAndStatistics() throws {
        let (h, dir) = try Self.workspace("robot")
        defer { h.cleanup() }
        let build = try h.run(Harness.binary, ["build", "--json"], cwd: dir)
        build.expectOK()
        // Golden bytes: reader, clean, pivot, fill, difference, magnitude, whole windows and
        // statistics all show in these ids. If one changes on purpose, bump that operator's
        // version and update the ids; if not, find the bug.
        #expect(try Self.shardIDs(build) == "8d2809a62ef5b27090e81707d26afd9e3860a52a6c5ceaf2f9c031011039040a "
                + "8921f07938b7916ee6bf63d72ce4470d574080bac7a0b635068e205f9114ad8a", "see the comment above")
        let show = try Self.json(try h.run(Harness.binary, ["show", "--json"], cwd: dir).stdout) as! [String: Any]
        #expect((show["files"] as? [String: String])?["statistics-machina.csv"]
                == "3a0dabdf72ff668d91c0e26624a35aa82c9210d34f5e22380941cdae8f547138", "see the comment above")
        let examples = try Self.examples(h, dir, "out/robot/1.0.0")
        #expect(examples.count == 4)
        let run = try #require(examples.first { Self.values($0, "partition").first as? String == "8910095844186657261" })
        // Run 8910…: robot 1 at 20:40:00.444 (x, y, z) = (826.1516, 327.7474, -1.7984) and at
        // 20:40:02.111 (882.4617, 377.3942, -1.8382): dt = 1.667 s, v = (33.7793, 29.7821, -0.0239) mm/s,
        // |v| = 45.0335. At 20:40:03.778 (846.7317, 464.5978, -1.8128): v' = (-21.4337, 52.3118, 0.0152),
        // a = (v' - v) / 1.667 = (-33.1212, 13.5150, 0.0235), |a| = 35.7725.
        let v1 = Self.values(run, "sensor/v1").map { ($0 as? Double) ?? .nan }
        let a1 = Self.values(run, "sensor/a1").map { ($0 as? Double) ?? .nan }
        #expect(v1.count == 361)
        #expect(v1[0].isNaN && a1[0].isNaN && a1[1].isNaN)
        #expect(abs(v1[1] - 45.0335) < 1e-3)
        #expect(abs(a1[2] - 35.7725) < 1e-3)
        // This run has no load-cell rows: its force channels are all missing, not zero.
        #expect(Self.values(run, "sensor/f1").allSatisfy { !($0 is Double) || ($0 as! Double).isNaN })

        // Per-run statistics: 361 timestamps from 20:40:00.444 to 20:50:00.000 (599.556 s); distance
        // travelled by robot 1 = sum over consecutive rows of |p[i] - p[i-1]| = 26310.7234 mm (8910…)
        // and 49271.9361 mm (12405…); robot 1's force at the first row of 12405…: |(fx, fy, fz)| = 145.5491 N.
        let q = try h.run(Harness.binary, ["query", "--json",
                                           "SELECT partition, runtime_s, samples, distance_1, missing_fx_1 FROM machina ORDER BY partition"], cwd: dir)
        q.expectOK()
        let rows = try q.stdout.split(separator: "\n").map { try Self.json(String($0)) as! [String: Any] }
        #expect(rows.count == 4)
        let r8910 = try #require(rows.first { $0["partition"] as? String == "8910095844186657261" })
        let r1240 = try #require(rows.first { $0["partition"] as? String == "12405186538561671661" })
        #expect(r8910["runtime_s"] as? Double == 599.556)
        #expect(r8910["samples"] as? Int == 361)
        #expect(abs((r8910["distance_1"] as! Double) - 26310.7234) < 1e-3)
        #expect(abs((r1240["distance_1"] as! Double) - 49271.9361) < 1e-3)
        #expect(r8910["missing_fx_1"] as? Double == 1.0)
        #expect(r1240["missing_fx_1"] as? Double == 0.0)
        let run1240 = try #require(examples.first { Self.values($0, "partition").first as? String == "12405186538561671661" })
        #expect(abs(((Self.values(run1240, "sensor/f1").first as? Double) ?? 0) - 145.5491) < 1e-3)

        // The CSV beside it says the same, and writing is refused.
        let csv = try String(contentsOfFile: dir + "/out/robot/1.0.0/statistics-machina.csv", encoding: .utf8)
        #expect(csv.hasPrefix("partition,start,stop,runtime_s,samples,distance_1,"))
        #expect(csv.contains("8910095844186657261,2022-11-23T20:40:00.444Z,2022-11-23T20:50:00.000Z,599.556,361,26310.72342"))
        try h.run(Harness.binary, ["query", "DELETE FROM machina"], cwd: dir).expectStatus(64)
        try h.run(Harness.binary, ["query", "SELECT nope FROM machina"], cwd: dir).expectStatus(64)
    }

    @Test func robotBuildIsTheSameBytesWhateverTheThreadCountAndReusesEveryStep() throws {
        let (h, dir) = try Self.workspace("robot")
        defer { h.cleanup() }
        let one = try h.run(Harness.binary, ["build", "--json", "-j", "1"], cwd: dir)
        one.expectOK()
        let first = try Self.json(one.stdout) as! [String: Any]
        let again = try Self.json(try h.run(Harness.binary, ["build", "--json", "-j", "2"], cwd: dir).stdout) as! [String: Any]
        #expect(again["steps_run"] as? Int == 0)
        #expect(again["build"] as? String == first["build"] as? String)
        // A fresh store, two threads, another time zone and locale: the same build id, so the
        // same shard and statistics bytes (design promise 2).
        try FileManager.default.removeItem(atPath: dir + "/../../.sensorstore")
        try h.run(Harness.binary, ["init"], cwd: dir + "/../..").expectOK()
        let elsewhere = ["TZ": "America/New_York", "LANG": "de_DE.UTF-8", "LC_ALL": "de_DE.UTF-8"]
        let fresh = try Self.json(try h.run(Harness.binary, ["build", "--json", "-j", "2"], cwd: dir, env: elsewhere).stdout) as! [String: Any]
        #expect(fresh["build"] as? String == first["build"] as? String)
        try h.run(Harness.binary, ["verify"], cwd: dir).expectOK()
    }

    @Test func fitbitDaysAreLabelledFilteredCaptionedAndSplitBySubject() throws {
        let (h, dir) = try Self.workspace("fitbit")
        defer { h.cleanup() }
        let build = try h.run(Harness.binary, ["build", "--json", "--strict"], cwd: dir)
        build.expectOK()
        // Golden bytes for merge, calendar windows, label and attribute joins, filters,
        // captions and example assembly (see the robot test's comment).
        #expect(try Self.shardIDs(build) == "9ea03a52e047b9a304e4f54eb0d1ed95d0e275e51bf9fd899a2907cc33de7196 "
                + "e7d4e43b443e30dd6c1866c73aac20467159a5e2d2f2298fd73cad5c67a5660d "
                + "3dc9be00c13e018e87a9b0a41edbdf39f464f26c647ad956c11f074a065796ab "
                + "4968321aad52c842160aba4a29228c76015c043d8640a00f949805e95629532b", "see the robot test's comment")
        let examples = try Self.examples(h, dir, "out/fitbit/1.0.0")
        #expect(examples.count == 391)
        // Subject 1503960366 on 2016-04-13, from the raw files: minuteStepsWide rows of that day sum
        // to 10735 steps (dailyActivity says 10735 too); the 1440 minute intensities average
        // 318 / 1440 = 0.2208; hourlyCalories' 24 rows sum to 1798; sleepDay: 384 minutes asleep.
        let day = try #require(examples.first {
            Self.values($0, "partition").first as? String == "1503960366" && Self.values($0, "window_start").first as? Int == 1_460_505_600_000
        })
        let steps = Self.values(day, "sensor/steps").map { $0 as! Double }
        #expect(steps.count == 1440 && steps.reduce(0, +) == 10735)
        let calories = Self.values(day, "sensor/calories").map { $0 as! Double }
        #expect(calories.count == 24 && calories.reduce(0, +) == 1798)
        #expect(Self.values(day, "label/minutes_asleep").first as? Double == 384)
        #expect(Self.values(day, "caption").first as? String
                == "Day 2016-04-13: 10735 steps, mean intensity 0.22, 1798 kcal; slept 384 min.")
        // No subject is in two splits.
        var splitOf: [String: String] = [:]
        let r = try h.run(Harness.binary, ["inspect", "out/fitbit/1.0.0", "--json", "--limit", "100000"], cwd: dir)
        for e in (try Self.json(r.stdout) as! [String: Any])["examples"] as! [[String: Any]] {
            let file = e["file"] as! String
            let split = file.contains("-train.") ? "train" : file.contains("-validation.") ? "validation" : "test"
            let subject = Self.values(e["features"] as! [String: Any], "partition").first as! String
            #expect(splitOf[subject, default: split] == split)
            splitOf[subject] = split
        }
        #expect(Set(splitOf.values).count == 3)
    }
}
