import Foundation
import Testing

/// Issue 7's acceptance: user code as `run:` steps, keyed by its code's content, cached like built-in steps.
@Suite(.serialized) struct RunStepTests {
    /// Converts raw labels (participant, day, hours asleep) into the sleep_labels.csv form.
    static let converter = """
        import csv, os, sys
        src, dst = sys.argv[1], sys.argv[2]
        offset = int(os.environ.get("LABEL_OFFSET", "0"))
        with open(src) as f, open(dst, "w") as out:
            out.write("subject_id,date,minutes_asleep\\n")
            for row in csv.DictReader(f):
                out.write("%s,%s,%d\\n" % (row["participant"], row["day"], round(float(row["hours_asleep"]) * 60) + offset))

        """

    static func stepSpec(_ extra: String = "", command: String = "python3 scripts/convert.py {in} {out}") -> String {
        """
        steps:
          sleep_labels:
            run: \(command)
            inputs: [data/raw_sleep.csv]
            outputs: sleep_labels.csv
            code: [scripts/convert.py]
            env: [LABEL_OFFSET]
        \(extra)
        """
    }

    /// The wearable workspace whose sleep labels come from a Python step over a raw label file, committed.
    static func workspace(spec: String = stepSpec()) throws -> Harness {
        let h = try WearableData.workspace(subjects: 4, days: 2)
        var raw = "participant,day,hours_asleep\n"
        for line in try h.read("data/sleep_labels.csv").split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",")
            raw += "\(f[0]),\(f[1]),\(Double(f[2])! / 60)\n"
        }
        try h.write("data/raw_sleep.csv", raw)
        try h.write("scripts/convert.py", converter)
        let example = try h.read("sds.yaml").replacingOccurrences(of: "path: data/sleep_labels.csv", with: "path: steps.sleep_labels")
        try h.write("sds.yaml", spec + "\n" + example)
        try h.commitAll("pipeline with a run step")
        return h
    }

    func ran(_ build: [String: Any]) -> [String] { (build["ran"] as! [String]).sorted() }

    @Test func editsRerunTheStepAndItsDownstreamOnly() throws {
        let h = try Self.workspace()
        defer { h.cleanup() }
        let first = try h.buildJSON()
        #expect(ran(first).contains("run:sleep_labels all"))
        try h.sds("tag", "v1").expectOK()
        #expect(try h.buildJSON()["steps_run"] as? Int == 0)

        // The same bytes with a new mtime: the content id is unchanged, nothing reruns.
        Thread.sleep(forTimeInterval: 0.02)
        try h.write("scripts/convert.py", Self.converter)
        #expect(try h.buildJSON()["steps_run"] as? Int == 0)

        // A change of output: the step, the label read and every label join rerun; no sensor step.
        try h.write("scripts/convert.py", Self.converter.replacingOccurrences(of: "+ offset", with: "+ offset + 1"))
        try h.commitAll("labels + 1")
        let status = try h.sds("status")
        #expect(status.stdout.contains("run:sleep_labels for all: code scripts/convert.py changed"), "\(status.stdout)")
        let edited = ran(try h.buildJSON())
        #expect(edited.contains("run:sleep_labels all"))
        #expect(edited.contains("read.table sleep"))
        #expect(edited.filter { $0.hasPrefix("frame.label_join ") }.count == 4, "\(edited)")
        #expect(!edited.contains { $0.hasPrefix("frame.clean") || $0.hasPrefix("frame.merge ") || $0.hasPrefix("frame.windows ")
            || $0 == "read.table heart_rate" }, "\(edited)")
        try h.sds("tag", "v2").expectOK()

        // A comment changes the code id but not the output: only the step reruns (early cutoff).
        try h.write("scripts/convert.py", "# tidy\n" + Self.converter.replacingOccurrences(of: "+ offset", with: "+ offset + 1"))
        try h.commitAll("comment")
        #expect(ran(try h.buildJSON()) == ["run:sleep_labels all"])

        // A declared environment variable is part of the key.
        let env = ran(try h.buildJSON(env: ["LABEL_OFFSET": "5"]))
        #expect(env.contains("run:sleep_labels all") && env.contains { $0.hasPrefix("frame.label_join ") })
        #expect(try h.buildJSON(env: ["LABEL_OFFSET": "5"])["steps_run"] as? Int == 0)

        // sds diff names the changed code file of the run step.
        let diff = try h.sds("diff", "v1", "v2", "--json")
        diff.expectStatus(1)
        let d = try JSONSerialization.jsonObject(with: Data(diff.stdout.utf8)) as! [String: Any]
        let files = (d["code"] as! [String: Any])["code_files"] as! [[String: Any]]
        #expect(files.count == 1 && files.first?["path"] as? String == "scripts/convert.py" && files.first?["step"] as? String == "sleep_labels")
        #expect(files.first?["before"] as? String != files.first?["after"] as? String)
        let text = try h.sds("diff", "v1", "v2")
        #expect(text.stdout.contains("step sleep_labels code scripts/convert.py"), "\(text.stdout)")
        // verify rebuilds v2 from the store alone: the code comes back from the store too.
        let verify = try h.sds("verify", "v2")
        verify.expectOK()
        #expect(verify.stdout.contains("reproduced"), "\(verify.stdout)")
        let show = try h.sds("show", "v2")
        #expect(show.stdout.contains("code scripts/convert.py") && show.stdout.contains("python3 scripts/convert.py {in} {out}"))
    }

    @Test func perPartitionModeRerunsOnePartition() throws {
        let spec = Self.stepSpec("    per_partition: {entity: participant}")
        let h = try Self.workspace(spec: spec)
        defer { h.cleanup() }
        let first = ran(try h.buildJSON())
        #expect(first.filter { $0.hasPrefix("run:sleep_labels ") }.count == 4, "\(first)")
        // Change one subject's raw labels.
        var lines = try h.read("data/raw_sleep.csv").components(separatedBy: "\n")
        let subject = lines[1].components(separatedBy: ",")[0]
        lines[1] = lines[1].components(separatedBy: ",").prefix(2).joined(separator: ",") + ",9.5"
        try h.write("data/raw_sleep.csv", lines.joined(separator: "\n"))
        let after = ran(try h.buildJSON())
        #expect(after.filter { $0.hasPrefix("run:sleep_labels ") } == ["run:sleep_labels \(subject)"], "\(after)")
        #expect(after.filter { $0.hasPrefix("frame.label_join ") } == ["frame.label_join wearable/\(subject)"], "\(after)")
    }

    @Test func failuresLeaveTheLockAndOutputAndSayWhy() throws {
        let h = try Self.workspace()
        defer { h.cleanup() }
        _ = try h.buildJSON()
        let lock = try h.read("sds.lock")
        let shards = try h.shardHash()

        try h.write("scripts/convert.py", "import sys\nsys.stderr.write('reading labels\\nboom: bad label row 7\\n')\nsys.exit(3)\n")
        let failed = try h.sds("build")
        failed.expectStatus(67)
        #expect(failed.stderr.contains("step 'sleep_labels' failed: the command exited with status 3"), "\(failed.stderr)")
        #expect(failed.stderr.contains("command: python3 scripts/convert.py in/raw_sleep.csv out/sleep_labels.csv"))
        #expect(failed.stderr.contains("  reading labels\n  boom: bad label row 7"))
        #expect(try h.read("sds.lock") == lock)
        #expect(try h.shardHash() == shards)

        try h.write("scripts/convert.py", """
            import os, sys
            os.chmod(sys.argv[1], 0o644)
            open(sys.argv[1], "a").write("x,y,1\\n")
            open(sys.argv[2], "w").write("subject_id,date,minutes_asleep\\n")

            """)
        let modifies = try h.sds("build")
        modifies.expectStatus(67)
        #expect(modifies.stderr.contains("changed its input 'raw_sleep.csv'"), "\(modifies.stderr)")

        try h.write("scripts/convert.py", "print('done')\n")
        let missing = try h.sds("build")
        missing.expectStatus(67)
        #expect(missing.stderr.contains("wrote no output: 'out/sleep_labels.csv' is missing"), "\(missing.stderr)")
        #expect(try h.read("sds.lock") == lock)
    }

    @Test func uncommittedCodeWarnsMarksTheBuildAndRequireCleanRefuses() throws {
        let h = try Self.workspace()
        defer { h.cleanup() }
        let clean = try h.sds("build")
        clean.expectOK()
        #expect(!clean.stderr.contains("uncommitted"))
        try h.write("scripts/convert.py", Self.converter + "# local edit\n")
        let refused = try h.sds("build", "--require-clean")
        refused.expectStatus(73)
        #expect(refused.stderr.contains("uncommitted changes: scripts/convert.py"), "\(refused.stderr)")
        let dirty = try h.sds("build")
        dirty.expectOK()
        #expect(dirty.stderr.contains("warning: declared code has uncommitted changes: scripts/convert.py"), "\(dirty.stderr)")
        let show = try h.sds("show", "--json")
        let m = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as! [String: Any]
        let code = m["code"] as! [String: Any]
        // The build id is content only: the git state is recorded beside it, not in the manifest.
        #expect(code["dirty_files"] == nil && code["git_dirty"] == nil && code["git_commit"] == nil)
        #expect(try h.sds("show").stdout.contains("(dirty: uncommitted changes)"))
        let log = try JSONSerialization.jsonObject(with: Data(try h.sds("log", "--builds", "--json").stdout.utf8)) as! [[String: Any]]
        #expect(log.first?["git_dirty"] as? Bool == true)
        let lock = try h.read("sds.lock")
        try h.commitAll("edit")
        // The same code, now committed: the same build, and sds.lock stays byte-identical.
        let again = try h.sds("build", "--require-clean")
        again.expectOK()
        #expect(!again.stdout.contains("sds.lock updated"), "\(again.stdout)")
        #expect(try h.read("sds.lock") == lock)
    }

    @Test func undeclaredSiblingImportWarnsOnce() throws {
        let spec = Self.stepSpec("    per_partition: {entity: participant}")
        let h = try Self.workspace(spec: spec)
        defer { h.cleanup() }
        try h.write("scripts/helper.py", "OFFSET = 0\n")
        try h.write("scripts/convert.py", "import helper\n" + Self.converter)
        try h.commitAll("helper")
        // The step runs with its declared code only, so the import fails, after one warning.
        let r = try h.sds("build")
        r.expectStatus(67)
        #expect(r.stderr.components(separatedBy: "not declared under 'code:'").count == 2, "\(r.stderr)")
        #expect(r.stderr.contains("scripts/helper.py (step sleep_labels)"))
        #expect(r.stderr.contains("No module named 'helper'"))
        try h.write("sds.yaml", try h.read("sds.yaml").replacingOccurrences(
            of: "code: [scripts/convert.py]", with: "code: [scripts/convert.py, scripts/helper.py]"))
        try h.commitAll("declare helper")
        let ok = try h.sds("build")
        ok.expectOK()
        #expect(!ok.stderr.contains("not declared"))
    }

    /// A step that writes a folder: sources and labels name a file inside it, `steps.NAME/FILE`.
    @Test func aFileInsideAFolderOutputFeedsTheLabels() throws {
        let plain = try Self.workspace()
        defer { plain.cleanup() }
        _ = try plain.buildJSON()
        let spec = Self.stepSpec(command: "mkdir -p {out}/labels && python3 scripts/convert.py {in} {out}/labels/sleep.csv")
            .replacingOccurrences(of: "outputs: sleep_labels.csv", with: "outputs: converted")
        let h = try Self.workspace(spec: spec)
        defer { h.cleanup() }
        try h.write("sds.yaml", try h.read("sds.yaml").replacingOccurrences(
            of: "path: steps.sleep_labels", with: "path: steps.sleep_labels/labels/sleep.csv"))
        try h.commitAll("folder output")
        _ = try h.buildJSON()
        #expect(try h.shardHash() == plain.shardHash())
        #expect(try h.buildJSON()["steps_run"] as? Int == 0)

        // A file the step did not write: the error says what the folder holds.
        try h.write("sds.yaml", try h.read("sds.yaml").replacingOccurrences(
            of: "steps.sleep_labels/labels/sleep.csv", with: "steps.sleep_labels/labels/missing.csv"))
        let r = try h.sds("build")
        r.expectStatus(66)
        #expect(r.stderr.contains("step 'sleep_labels' wrote no file 'labels/missing.csv'") && r.stderr.contains("sleep.csv"), "\(r.stderr)")

        // A step's own input is a whole output, never a file inside one.
        let bad = Self.stepSpec() + """
              next:
                run: cat {in} > {out}
                inputs: [steps.sleep_labels/labels/sleep.csv]
                outputs: copy.csv

            """
        try h.write("sds.yaml", bad + "\n" + (try plain.read("sds.yaml")).components(separatedBy: "\ndataset:").dropFirst().map { "dataset:" + $0 }.joined())
        let e = try h.sds("build")
        #expect(e.status == 65 && e.stderr.contains("a step's input is a whole output"), "\(e.stderr)")
    }
}
