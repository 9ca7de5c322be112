import Foundation
import Testing

/// The spec is documented (`sds help spec`) and checked before any step runs: every missing
/// key at once with examples, shape errors with an example, every column against its input's
/// header at `sds.yaml:LINE:COL` with a "did you mean", and messages in the spec's spellings.
@Suite struct SpecCheckTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static let spec = """
        dataset: {name: toy, version: 1.0.0}
        sources:
          a:
            path: data/a.csv
            partition: subject
            time: {column: t, format: iso8601}
            columns: {v: {valid: [0, 100]}}
          sleep:
            path: data/sleep.csv
            partition: subject
            time: {column: day, format: date}
            columns:
              TotalMinutesAsleep: {as: minutes_asleep}
        studies:
          first:
            inputs: [a]
            windows:
              length: 1d
              align: calendar_day
              features: {v: {step: 1h, aggregate: sum}}
            labels:
              sleep: {source: sleep, column: minutes_asleep}
        splits: {percent: {train: 50, test: 50}, shards: {train: 1, test: 1}}
        """

    static func workspace(spec: String = spec) throws -> Harness {
        let h = try Harness()
        try h.write("sds.yaml", spec)
        try h.write("data/a.csv", "subject,t,v\ns1,2024-01-01T00:00:00Z,1\ns2,2024-01-01T00:10:00Z,2\n")
        try h.write("data/sleep.csv", "subject,day,TotalMinutesAsleep\ns1,2024-01-01,400\n")
        return h
    }

    /// The 1-based line of the first line of `spec` containing `text`.
    static func line(of text: String, in spec: String = spec) -> Int {
        spec.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(text) }! + 1
    }

    @Test func helpTopicsPrintTheDocsAndAnUnknownTopicFails() throws {
        let h = try Harness(git: false, sds: false)
        defer { h.cleanup() }
        for topic in ["spec", "formats", "exit-codes"] {
            let r = try h.sds("help", topic)
            r.expectOK()
            let doc = try String(contentsOfFile: Self.repo + "/docs/\(topic).md", encoding: .utf8)
            #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == doc.trimmingCharacters(in: .whitespacesAndNewlines),
                    "sds help \(topic) differs from docs/\(topic).md: run scripts/embed-docs.sh")
        }
        let spec = try h.sds("help", "spec").stdout
        for key in ["`dataset`", "`splits.percent`", "`output`", "`studies:`", "The old wearable form (removed)", "`steps.NAME.run`"] {
            #expect(spec.contains(key), "\(key) is not documented")
        }
        let unknown = try h.sds("help", "nosuch")
        unknown.expectStatus(64)
        #expect(unknown.stderr.contains("no help topic 'nosuch'") && unknown.stderr.contains("spec, formats, exit-codes"), "\(unknown.stderr)")
        #expect(unknown.stderr.contains("build") && unknown.stdout.isEmpty, "\(unknown.stderr)")
        // A verb's help is ArgumentParser's, as before.
        let verb = try h.sds("help", "build")
        verb.expectOK()
        #expect(verb.stdout.contains("USAGE: sds build"), "\(verb.stdout)")
        #expect(try h.sds("help").stdout.contains("sds help spec"))
    }

    @Test func everyMissingKeyIsReportedAtOnceWithAnExample() throws {
        let h = try Self.workspace(spec: "sources:\n  a: {path: data/a.csv, time: t}\n")
        defer { h.cleanup() }
        let r = try h.sds("build")
        r.expectStatus(65)
        #expect(r.stderr.contains("sds.yaml:1:1: error: the spec needs the keys 'dataset', 'studies' and 'splits'"), "\(r.stderr)")
        #expect(r.stderr.contains("\n  dataset: {name: fitbit_daily, version: 1.0.0}\n"), "\(r.stderr)")
        #expect(r.stderr.contains("\n  splits: {salt: "), "\(r.stderr)")
        #expect(r.stderr.contains("\n  studies: {"), "\(r.stderr)")

        // The removed wearable form says so at its key, before any missing key, and points to the study form.
        try h.write("sds.yaml", "dataset: {name: w, version: 1.0.0}\nsources: {}\ngrid: {step: 1m, channels: {}}\n")
        let wearable = try h.sds("build")
        wearable.expectStatus(65)
        #expect(wearable.stderr.contains("sds.yaml:3:1: error: 'grid:' is the old wearable form, removed in sds 0.1.0; write it as a study"),
                "\(wearable.stderr)")
        #expect(wearable.stderr.contains("hint: see docs/spec.md#the-old-wearable-form-removed"), "\(wearable.stderr)")
        #expect(try h.sds("status").stderr.contains("'grid:' is the old wearable form"))

        // A nested mapping lists all of its own missing keys too.
        try h.write("sds.yaml", Self.spec.replacingOccurrences(of: "dataset: {name: toy, version: 1.0.0}", with: "dataset: {description: x}"))
        let nested = try h.sds("build")
        nested.expectStatus(65)
        #expect(nested.stderr.contains("sds.yaml:1:10: error: 'dataset' needs the keys 'name' and 'version'"), "\(nested.stderr)")
        #expect(nested.stderr.contains("\n  name: fitbit_daily\n  version: 1.0.0"), "\(nested.stderr)")
    }

    @Test func aKeyOfTheWrongShapeGetsAnExample() throws {
        let h = try Self.workspace(spec: Self.spec.replacingOccurrences(of: "dataset: {name: toy, version: 1.0.0}", with: "dataset: fitbit_daily"))
        defer { h.cleanup() }
        let r = try h.sds("build")
        r.expectStatus(65)
        #expect(r.stderr.contains("sds.yaml:1:10: error: 'dataset' must be a mapping, found \"fitbit_daily\""), "\(r.stderr)")
        #expect(r.stderr.contains("hint: write it like dataset: {name: fitbit_daily, version: 1.0.0}"), "\(r.stderr)")
    }

    /// A column missing from the input's header fails at its spec line before any step runs
    /// (no lock, nothing built), in a build, a dry run and `status`.
    @Test func aColumnMissingFromTheHeaderFailsAtItsSpecLine() throws {
        let typo = Self.spec.replacingOccurrences(of: "TotalMinutesAsleep: {as", with: "TotalMinutesAslep: {as")
        let h = try Self.workspace(spec: typo)
        defer { h.cleanup() }
        let line = Self.line(of: "TotalMinutesAslep", in: typo)
        for args in [["build"], ["build", "--dry-run"]] {
            let r = try h.run(Harness.binary, args)
            r.expectStatus(65)
            #expect(r.stderr.contains("sds.yaml:\(line):"), "\(r.stderr)")
            #expect(r.stderr.contains("error: 'sources.sleep.columns.TotalMinutesAslep': source 'sleep' has no column \"TotalMinutesAslep\" in data/sleep.csv"),
                    "\(r.stderr)")
            #expect(r.stderr.contains("hint: did you mean 'TotalMinutesAsleep'?"), "\(r.stderr)")
        }
        #expect(!h.exists("sds.lock") && !h.exists("out"))

        // The partition and time columns too, each at its own line.
        let partition = Self.spec.replacingOccurrences(of: "partition: subject\n    time: {column: t", with: "partition: subjcet\n    time: {column: t")
        try h.write("sds.yaml", partition)
        let p = try h.sds("build")
        p.expectStatus(65)
        #expect(p.stderr.contains("sds.yaml:\(Self.line(of: "subjcet", in: partition)):"), "\(p.stderr)")
        #expect(p.stderr.contains("'sources.a.partition'") && p.stderr.contains("did you mean 'subject'?"), "\(p.stderr)")
        let time = Self.spec.replacingOccurrences(of: "{column: day,", with: "{column: date,")
        try h.write("sds.yaml", time)
        let t = try h.sds("build")
        t.expectStatus(65)
        #expect(t.stderr.contains("'sources.sleep.time.column': source 'sleep' has no column \"date\""), "\(t.stderr)")
    }

    /// A per-partition run step splits each input by its entity column: checked before it runs.
    @Test func aRunStepsEntityColumnIsCheckedBeforeItRuns() throws {
        let spec = """
            steps:
              conv:
                run: cp {in} {out}
                inputs: [data/sleep.csv]
                outputs: s.csv
                per_partition: {entity: subjcet}

            """ + Self.spec
        let h = try Self.workspace(spec: spec)
        defer { h.cleanup() }
        let r = try h.sds("build")
        r.expectStatus(65)
        #expect(r.stderr.contains("sds.yaml:\(Self.line(of: "subjcet", in: spec)):"), "\(r.stderr)")
        #expect(r.stderr.contains("'steps.conv.per_partition.entity': step 'conv' has no column \"subjcet\" in data/sleep.csv"), "\(r.stderr)")
        #expect(r.stderr.contains("did you mean 'subject'?"), "\(r.stderr)")
    }

    /// An input tracked by a pointer but not checked out is checked from its stored object.
    @Test func aTrackedInputIsCheckedFromTheStore() throws {
        let typo = Self.spec.replacingOccurrences(of: "TotalMinutesAsleep: {as", with: "TotalMinutesAsleeep: {as")
        let h = try Self.workspace(spec: typo)
        defer { h.cleanup() }
        try h.sds("add", "data").expectOK()
        try FileManager.default.removeItem(atPath: h.path("data/sleep.csv"))
        let r = try h.sds("build")
        r.expectStatus(65)
        #expect(r.stderr.contains("source 'sleep' has no column \"TotalMinutesAsleeep\" in data/sleep.csv"), "\(r.stderr)")
        #expect(r.stderr.contains("did you mean 'TotalMinutesAsleep'?"), "\(r.stderr)")
    }

    /// A label names a column the source reads, by its `as:` name: caught at its line, not
    /// mid-build as `frame.label_join: … no column`.
    @Test func aLabelColumnTheSourceDoesNotReadFailsAtItsLine() throws {
        let wrong = Self.spec.replacingOccurrences(of: "column: minutes_asleep}", with: "column: minutesAsleep}")
        let h = try Self.workspace(spec: wrong)
        defer { h.cleanup() }
        let r = try h.sds("build")
        r.expectStatus(65)
        #expect(r.stderr.contains("sds.yaml:\(Self.line(of: "minutesAsleep", in: wrong)):"), "\(r.stderr)")
        #expect(r.stderr.contains("source 'sleep' has no column \"minutesAsleep\""), "\(r.stderr)")
        #expect(r.stderr.contains("did you mean 'minutes_asleep'?"), "\(r.stderr)")
        #expect(!r.stderr.contains("frame.label_join"), "\(r.stderr)")
        // The header's own name points to the name the source gives it.
        try h.write("sds.yaml", Self.spec.replacingOccurrences(of: "column: minutes_asleep}", with: "column: TotalMinutesAsleep}"))
        let raw = try h.sds("build")
        raw.expectStatus(65)
        #expect(raw.stderr.contains("reads \"TotalMinutesAsleep\" as 'minutes_asleep'"), "\(raw.stderr)")
        // The correct spec builds.
        try h.write("sds.yaml", Self.spec)
        try h.sds("build").expectOK()
    }

    @Test func wearableColumnsAreCheckedAgainstTheirHeaders() throws {
        let spec = try String(contentsOfFile: Self.repo + "/examples/wearable/sds.yaml", encoding: .utf8)
            .replacingOccurrences(of: "minutes_asleep", with: "minutesAsleep")
        let h = try Harness()
        defer { h.cleanup() }
        try h.write("sds.yaml", spec)
        try h.write("data/heart_rate.csv", "subject_id,time,bpm\nS1,2016-04-12T00:00:00.000Z,60\n")
        try h.write("data/steps.csv", "subject_id,time,steps\nS1,2016-04-12T00:00:00.000Z,3\n")
        try h.write("data/sleep_labels.csv", "subject_id,date,minutes_asleep\nS1,2016-04-12,400\n")
        let r = try h.sds("build")
        r.expectStatus(65)
        #expect(r.stderr.contains("sds.yaml:\(Self.line(of: "minutesAsleep", in: spec)):30:"), "\(r.stderr)")
        #expect(r.stderr.contains("source 'sleep' has no column \"minutesAsleep\" in data/sleep_labels.csv"), "\(r.stderr)")
        #expect(r.stderr.contains("did you mean 'minutes_asleep'?"), "\(r.stderr)")
    }

    /// Messages name time formats as the spec spells them, never by their Swift names.
    @Test func errorsUseTheSpecsSpellings() throws {
        let h = try Self.workspace(spec: Self.spec.replacingOccurrences(
            of: "time: {column: day, format: date}", with: "time: {column: day, format: us_12h, time_column: t}"))
        defer { h.cleanup() }
        let r = try h.sds("build")
        r.expectStatus(65)
        #expect(r.stderr.contains("needs a date format (us_date, date or a pattern), not us_12h"), "\(r.stderr)")
        #expect(!r.stderr.contains("usDate") && !r.stderr.contains("usDateTime12"), "\(r.stderr)")
    }
}
