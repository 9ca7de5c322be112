import Foundation
import Testing

/// `sds infer` on every shared data file: the entry it prints, pasted into a spec, builds.
@Suite struct InferTests {
    static let files = ["fitbit/dailyActivity_merged.csv", "fitbit/hourlyCalories_merged.csv", "fitbit/hourlyIntensities_merged.csv",
                        "fitbit/hourlySteps_merged.csv", "fitbit/minuteIntensitiesWide_merged.csv", "fitbit/minuteStepsWide_merged.csv",
                        "fitbit/sleepDay_merged.csv", "fitbit/weightLogInfo_merged.csv", "machina/sample.csv"]

    @Test(arguments: files)
    func printedEntryBuilds(file: String) throws {
        let h = try Harness()
        defer { h.cleanup() }
        let path = ExampleSpecsTests.shared + "/data/" + file
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
