import Foundation
import Testing

/// The WORKLOAD job as a study (examples/wearable/sds.yaml) on a hand-made day: what the
/// wearable form did silently (out-of-range rows, duplicates) is reported and --strict stops
/// at its line; cleaning per source keeps a steps row at a duplicated heart-rate time; the
/// label tie rule, half-even captions, scaling and the stacked tensor, by hand.
@Suite struct WearableStudyTests {
    static func workspace() throws -> Harness {
        let h = try Harness()
        let spec = try String(contentsOfFile: WearableData.spec, encoding: .utf8)
            .replacingOccurrences(of: "coverage: {hr: 0.5}", with: "coverage: {hr: 0.001}")
            // 2 of these 5 rows are bad on purpose, past the gate's default of 1 %.
            .replacingOccurrences(of: "path: data/heart_rate.csv", with: "path: data/heart_rate.csv\n    max_bad_rows: 50%")
        try h.write("sds.yaml", spec)
        // Minute 1: 60 (twice: the copy is a duplicate); minute 2: 250 (out of range), 72 and
        // 73, mean 72.5; nothing after, so no fill (the run to midnight is over 5 minutes).
        try h.write("data/heart_rate.csv", """
            subject_id,time,bpm
            S1,2016-04-12T00:01:00.000Z,60
            S1,2016-04-12T00:01:00.000Z,60
            S1,2016-04-12T00:02:30.000Z,250
            S1,2016-04-12T00:02:40.000Z,72
            S1,2016-04-12T00:02:50.000Z,73

            """)
        try h.write("data/steps.csv", """
            subject_id,time,steps
            S1,2016-04-12T00:01:00.000Z,10
            S1,2016-04-12T00:03:00.000Z,5

            """)
        try h.write("data/sleep_labels.csv", """
            subject_id,date,minutes_asleep,time_in_bed
            S1,2016-04-12,400,420
            S1,2016-04-12,300,320

            """)
        return h
    }

    @Test func handMadeDayByHandAndStrictStopsAtTheBadRow() throws {
        let h = try Self.workspace()
        defer { h.cleanup() }
        let strict = try h.sds("build", "--strict")
        strict.expectStatus(65)
        #expect(strict.stderr.contains("data/heart_rate.csv:4"), "\(strict.stderr)")

        let build = try h.sds("build")
        build.expectOK()
        #expect(build.stdout.contains("1 value out of range, first at data/heart_rate.csv:4"), "\(build.stdout)")
        #expect(build.stdout.contains("1 duplicate time, first at data/heart_rate.csv:3"), "\(build.stdout)")
        let r = try h.sds("inspect", "out/wearable/1.0.0", "--json", "--limit", "10")
        r.expectOK()
        let all = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let examples = (all["examples"] as! [[String: Any]]).map { $0["features"] as! [String: Any] }
        try #require(examples.count == 1)
        func values(_ n: String) -> [Any] { (examples[0][n] as! [String: Any])["values"] as! [Any] }
        // Mean (60 + 72.5) / 2 = 66.25 -> 66; max 72.5 -> 72 (half to even); the steps row at
        // the duplicated time is kept: 10 + 5; coverage 2 / 1440 = 0.14 % -> 0.
        #expect(values("caption") as? [String] == ["Day 2016-04-12: mean heart rate 66 bpm (min 60, max 72), 15 steps, 0% heart-rate coverage."])
        #expect(values("label/minutes_asleep") as? [Double] == [400])   // the first row of the day in the file
        #expect(values("label/has_sleep") as? [Int] == [1])
        #expect(values("subject_id") as? [String] == ["S1"] && values("date") as? [String] == ["2016-04-12"])
        #expect(values("dataset") as? [String] == ["synthetic"])
        // [minute][hr_z, steps]: minute 0 empty; 1: (60-70)/15, 10; 2: (72.5-70)/15, no steps; 3: no hr, 5.
        let sensor = values("sensor").map { ($0 as! NSNumber).doubleValue }
        let expected = [0, 0, -2.0 / 3, 10, 1.0 / 6, 0, 0, 5]
        #expect(sensor.count == 2880 && zip(sensor.prefix(8), expected).allSatisfy { abs($0 - $1) < 1e-6 }, "\(sensor.prefix(8))")
        #expect(values("mask").prefix(8).map { ($0 as! NSNumber).doubleValue } == [0, 0, 1, 1, 1, 0, 0, 1])
        #expect(examples[0]["window_start"] == nil && examples[0]["partition"] == nil)
    }
}
