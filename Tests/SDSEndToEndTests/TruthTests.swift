import Foundation
import Testing

/// Issue 12: what status, a dry run and diff say is what the next build does; the build id
/// is content only; a lock per spec; absolute input paths.
@Suite struct TruthTests {
    /// A study over one sensor file, a heart-rate file made by a run step, and a label file.
    /// Windows are 2 h over hours 0-5: s1-s5 have 6 windows (two days), s6 has 3 (one day).
    static let spec = """
        dataset: {name: toy, version: 1.0.0}
        steps:
          hr:
            run: sh scripts/hr.sh {in} {out}
            inputs: [data/raw_hr.csv]
            outputs: hr.csv
            code: [scripts/hr.sh]
        sources:
          a:
            path: data/a.csv
            partition: subject
            time: {column: t, format: iso8601}
            columns: {v: {valid: [0, 100]}}
            max_bad_rows: 100%     # an edit below narrows the valid range, setting rows aside
          hr:
            path: steps.hr
            partition: subject
            time: {column: t, format: iso8601}
            columns: {hr: {as: hr}}
          lab:
            path: data/labels.csv
            partition: subject
            time: {column: day, format: date}
            columns: {score: {as: score}}
        studies:
          first:
            inputs: [a, hr]
            windows:
              length: 2h
              features:
                v: {step: 20m, aggregate: sum}
                hr: {step: 1h, aggregate: mean}
            labels:
              score: {source: lab, column: score, match: same_day}
            filters:
              - present: score
            caption: {template: "{partition}: {v.sum:%.0f}"}
            features:
              scalars: {score: label/score}
        splits: {percent: {train: 50, test: 50}, shards: {train: 2, test: 1}}
        output: out

        """

    static let script = "#!/bin/sh\ncp \"$1\" \"$2\"\n"

    static func days(_ subject: Int) -> [Int] { subject == 6 ? [1] : [1, 2] }

    static func sensorRows(subjects: ClosedRange<Int> = 1...6) -> String {
        var rows = "subject,t,v\n"
        for s in subjects {
            for d in days(s) {
                for h in 0..<6 {
                    for m in [0, 20, 40] { rows += "s\(s),2024-01-0\(d)T0\(h):\(m == 0 ? "00" : String(m)):00Z,\((s * 7 + h * 3 + m) % 50)\n" }
                }
            }
        }
        return rows
    }

    static func workspace() throws -> Harness {
        let h = try Harness()
        try h.write("sds.yaml", spec)
        try h.write("scripts/hr.sh", script)
        try h.write("data/a.csv", sensorRows())
        var hr = "subject,t,hr\n", labels = "subject,day,score\n"
        for s in 1...6 {
            for d in days(s) {
                labels += "s\(s),2024-01-0\(d),\(s * 10 + d)\n"
                for h in 0..<6 { hr += "s\(s),2024-01-0\(d)T0\(h):05:00Z,\(60 + s + h)\n" }
            }
        }
        try h.write("data/raw_hr.csv", hr)
        try h.write("data/labels.csv", labels)
        try h.commitAll("toy pipeline")
        return h
    }

    func json(_ r: Harness.Result) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
    }

    func build(_ h: Harness, _ extra: String...) throws -> [String: Any] {
        let r = try h.run(Harness.binary, ["build", "--json"] + extra)
        r.expectOK()
        return try json(r)
    }

    /// The dry run's counts and build id, then the build's: they must agree.
    func expectDryRunMatchesBuild(_ h: Harness, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let dry = try h.run(Harness.binary, ["build", "--dry-run", "--json"])
        let plan = try json(dry)
        #expect(dry.status == ((plan["up_to_date"] as? Bool) == true ? 0 : 1), "\(what): \(dry.stderr)", sourceLocation: sourceLocation)
        let lockBefore = h.exists("sds.lock") ? try h.read("sds.lock") : ""
        let built = try build(h)
        #expect(plan["steps_to_run"] as? Int == built["steps_run"] as? Int,
                "\(what): dry run \(plan["steps_to_run"] ?? "?") steps, build \(built["steps_run"] ?? "?")", sourceLocation: sourceLocation)
        #expect(plan["steps_reused"] as? Int == built["steps_reused"] as? Int, "\(what)", sourceLocation: sourceLocation)
        #expect(plan["build"] as? String == built["build"] as? String, "\(what)", sourceLocation: sourceLocation)
        #expect((plan["lock_would_change"] as? Bool) == (try h.read("sds.lock") != lockBefore), "\(what)", sourceLocation: sourceLocation)
        #expect(plan["unknown_after_run_step"] as? Bool == false, "\(what)", sourceLocation: sourceLocation)
    }

    @Test func revertingToACachedSpecIsNotUpToDate() throws {
        let h = try Self.workspace()
        defer { h.cleanup() }
        let v1 = try build(h)
        let lock1 = try h.read("sds.lock")
        // v2 drops s6 (3 windows): its shard changes.
        let v1Spec = try h.read("sds.yaml")
        try h.write("sds.yaml", v1Spec.replacingOccurrences(of: "      - present: score\n", with: "      - present: score\n      - min_windows: 4\n"))
        let v2 = try build(h)
        #expect(v2["build"] as? String != v1["build"] as? String)
        // Back to v1's spec: every step is cached, yet the lock and a shard would change.
        try h.write("sds.yaml", v1Spec)
        let status = try h.sds("status")
        status.expectStatus(1)
        #expect(status.stdout.contains("build: sds.lock would change: 0 steps to run"), "\(status.stdout)")
        #expect(status.stdout.contains("to restore from the store"), "\(status.stdout)")
        #expect(status.stderr.contains("hint: 'sds build' brings sds.lock and the output up to date"), "\(status.stderr)")
        let dry = try h.sds("build", "--dry-run")
        dry.expectStatus(1)
        #expect(dry.stdout.contains("sds.lock would change: 0 steps to run"), "\(dry.stdout)")
        let diff = try h.sds("diff")
        diff.expectStatus(1)
        #expect(!diff.stdout.contains("are equal"), "\(diff.stdout)")
        let again = try build(h)
        #expect(again["steps_run"] as? Int == 0 && again["build"] as? String == v1["build"] as? String)
        #expect(try h.read("sds.lock") == lock1)
        try h.sds("status").expectOK()
        try h.sds("build", "--dry-run").expectOK()
    }

    @Test func anotherSpecKeepsItsOwnLockAndStatusSeesTheOutputItChanged() throws {
        let h = try Self.workspace()
        defer { h.cleanup() }
        _ = try build(h)
        let lock = try h.read("sds.lock")
        // other.yaml writes the same output folder with another filter.
        try h.write("other.yaml", Self.spec.replacingOccurrences(of: "      - present: score\n", with: "      - present: score\n      - min_windows: 4\n"))
        let other = try h.sds("build", "--spec", "other.yaml")
        other.expectOK()
        #expect(other.stdout.contains("(other.sds.lock updated)"), "\(other.stdout)")
        #expect(try h.read("sds.lock") == lock && h.exists("other.sds.lock"))
        // sds.yaml's lock still names its build, but its output folder no longer holds it.
        let status = try h.sds("status")
        status.expectStatus(1)
        #expect(status.stdout.contains("sds.lock stays, the output folder differs: 0 steps to run"), "\(status.stdout)")
        // Every version verb reads the spec's own lock.
        try h.sds("status", "--spec", "other.yaml").expectOK()
        let shown = try json(try h.sds("show", "--spec", "other.yaml", "--json"))
        #expect((shown["splits"] as! [String: [String: Int]]).values.map { $0["examples"]! }.reduce(0, +) == 30)
        try h.sds("verify", "--spec", "other.yaml").expectOK()
        #expect(try h.sds("diff", "--spec", "other.yaml").stdout.contains("are equal"))
        let traced = try h.sds("lineage", "--spec", "other.yaml", "--json", "out/toy/1.0.0/toy-test.tfrecord-00000-of-00001")
        traced.expectOK()
        #expect(try json(traced)["build"] as? String == shownID(h, "other.sds.lock"))
        try h.sds("tag", "--spec", "other.yaml", "other-v1").expectOK()
        #expect(try h.sds("show", "other-v1", "--json").stdout == (try h.sds("show", "--spec", "other.yaml", "--json").stdout))
        _ = try build(h)
        try h.sds("status").expectOK()
    }

    func shownID(_ h: Harness, _ lock: String) throws -> String? {
        (try JSONSerialization.jsonObject(with: Data(try h.read(lock).utf8)) as! [String: Any])["build"] as? String
    }

    @Test func dryRunCountsEqualTheBuildsForEachKindOfEdit() throws {
        let h = try Self.workspace()
        defer { h.cleanup() }
        try expectDryRunMatchesBuild(h, "first build")
        try expectDryRunMatchesBuild(h, "no change")
        let v1Spec = try h.read("sds.yaml")
        try h.write("sds.yaml", v1Spec.replacingOccurrences(of: "valid: [0, 100]", with: "valid: [0, 40]"))
        try expectDryRunMatchesBuild(h, "spec parameter")
        var labels = try h.read("data/labels.csv").components(separatedBy: "\n")
        labels[3] = labels[3].replacingOccurrences(of: ",21", with: ",29")
        try h.write("data/labels.csv", labels.joined(separator: "\n"))
        try expectDryRunMatchesBuild(h, "one label row")
        try h.write("sds.yaml", try h.read("sds.yaml").replacingOccurrences(of: "{partition}: {v.sum:%.0f}", with: "{partition} sum {v.sum:%.0f}"))
        try expectDryRunMatchesBuild(h, "caption")
        // A run step's code: the dry run runs it (in its temp folder) to know what follows.
        try h.write("scripts/hr.sh", "#!/bin/sh\nsed 's/,6\\([0-9]\\)$/,7\\1/' \"$1\" > \"$2\"\n")
        try expectDryRunMatchesBuild(h, "run step code")
        // The same output from other code: the step reruns, nothing after it.
        try h.write("scripts/hr.sh", "#!/bin/sh\n# reformatted\nsed 's/,6\\([0-9]\\)$/,7\\1/' \"$1\" > \"$2\"\n")
        try expectDryRunMatchesBuild(h, "run step code, same output")
        try h.write("sds.yaml", v1Spec)
        try expectDryRunMatchesBuild(h, "revert to a cached spec")
        try h.write("data/a.csv", Self.sensorRows(subjects: 1...7))
        try expectDryRunMatchesBuild(h, "new input file")
        // Diff of the unbuilt work tree counts what the build reuses, too.
        try h.write("sds.yaml", v1Spec.replacingOccurrences(of: "valid: [0, 100]", with: "valid: [0, 45]"))
        let pending = try json(try h.run(Harness.binary, ["diff", "--json"]))
        let work = pending["work"] as! [String: Any]
        let built = try build(h)
        #expect(work["reused"] as? Int == built["steps_reused"] as? Int, "\(work)")
        #expect((work["recomputed"] as! [Any]).count == built["steps_run"] as? Int)
    }

    @Test func statusLeavesRunStepsUnrunAndSaysSo() throws {
        let h = try Self.workspace()
        defer { h.cleanup() }
        _ = try build(h)
        try h.write("scripts/hr.sh", "#!/bin/sh\nsed 's/,6/,7/' \"$1\" > \"$2\"\n")
        let status = try h.sds("status")
        status.expectStatus(1)
        #expect(status.stdout.contains("at least"), "\(status.stdout)")
        #expect(status.stdout.contains("run:hr for all: code scripts/hr.sh changed"), "\(status.stdout)")
    }

    @Test func aBuildAfterACommitIsTheSameBuild() throws {
        let h = try Self.workspace()
        defer { h.cleanup() }
        try h.write("data/labels.csv", try h.read("data/labels.csv") + "s7,2024-01-01,5\n")
        let first = try h.sds("build")
        first.expectOK()
        #expect(first.stdout.contains("(sds.lock updated)"))
        let lock = try h.read("sds.lock")
        try h.commitAll("build v1")
        let again = try h.sds("build")
        again.expectOK()
        #expect(!again.stdout.contains("updated"), "\(again.stdout)")
        #expect(try h.read("sds.lock") == lock)
        #expect(try h.git("status", "--porcelain").stdout.isEmpty)
        let log = try JSONSerialization.jsonObject(with: Data(try h.sds("log", "--builds", "--json").stdout.utf8)) as! [[String: Any]]
        #expect(log.count == 1, "\(log)")
        // The commit it was first built at is recorded beside the build, not in it.
        let manifest = try json(try h.sds("show", "--json"))
        #expect((manifest["code"] as! [String: Any])["git_commit"] == nil)
        #expect(log[0]["git_dirty"] as? Bool == true)
        #expect(try h.sds("show").stdout.contains("first built"))
    }

    @Test func absoluteInputPathsInsideAndOutsideTheWorkTree() throws {
        let h = try Self.workspace()
        defer { h.cleanup() }
        let outside = try Harness(git: false, sds: false)
        defer { outside.cleanup() }
        try outside.write("labels.csv", try h.read("data/labels.csv"))
        try h.write("sds.yaml", Self.spec
            .replacingOccurrences(of: "path: data/a.csv", with: "path: \(h.path("data/a.csv"))")
            .replacingOccurrences(of: "path: data/labels.csv", with: "path: \(outside.path("labels.csv"))"))
        let r = try h.sds("build")
        r.expectOK()
        #expect(r.stderr.contains("input '\(outside.path("labels.csv"))' is outside the repository"), "\(r.stderr)")
        let inputs = try json(try h.sds("show", "--json"))["inputs"] as! [String: String]
        // Inside: recorded relative to the repository; outside: by its absolute path.
        #expect(Set(inputs.keys) == ["data/a.csv", outside.path("labels.csv"), "data/raw_hr.csv"], "\(inputs.keys)")
        try h.sds("status").expectOK()
    }
}
