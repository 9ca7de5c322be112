import Foundation
import Testing

/// The validation gate with the built binary: a source past `max_bad_rows`, a source without
/// a good row, a study below `min_examples` each fail with exit 65, list the reasons with their
/// first `file:line:col`, and leave the previous output and lock as they were.
@Suite struct ValidationGateTests {
    typealias P = FramePipelineTests

    /// Every file under `out/` with its bytes, and the lock.
    func snapshot(_ h: Harness) throws -> [String: Data] {
        var files: [String: Data] = ["sds.lock": try Data(contentsOf: URL(fileURLWithPath: h.path("sds.lock")))]
        let out = h.path("out")
        for case let rel as String in FileManager.default.enumerator(atPath: out)! {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: out + "/" + rel, isDirectory: &isDir), !isDir.boolValue {
                files["out/" + rel] = try Data(contentsOf: URL(fileURLWithPath: out + "/" + rel))
            }
        }
        return files
    }

    /// One source with `extra` under its reader settings.
    static func spec(_ extra: String = "", study: String = "") -> String {
        P.spec.replacingOccurrences(of: "    columns: {v: {valid: [0, 100]}}\n", with: "    columns: {v: {valid: [0, 100]}}\n" + extra)
            .replacingOccurrences(of: "    inputs: [a]\n", with: "    inputs: [a]\n" + study)
    }

    @Test func pastMaxBadRowsFailsAndKeepsThePreviousBuild() throws {
        let h = try P.workspace()
        defer { h.cleanup() }
        try h.sds("build").expectOK()
        let before = try snapshot(h)
        #expect(before.keys.contains { $0.hasSuffix(".tfrecord-00000-of-00001") })
        // 5 good rows and 2 bad: 2/7 is past the default 1 %.
        try h.write("data/a.csv", P.rowsA + "s5,2024-01-01T00:00:00Z,1.2.3\ns6,2024-13-01T00:00:00Z,1\n")
        let r = try h.sds("build")
        r.expectStatus(65)
        #expect(r.stderr.contains("error: source 'a' (data/a.csv) set aside 2 of 7 rows, more than max_bad_rows allows (1%)"), "\(r.stderr)")
        #expect(r.stderr.contains("  bad number: 1 row; data/a.csv:7:25: error: "), "\(r.stderr)")
        #expect(r.stderr.contains("  bad timestamp: 1 row; data/a.csv:8:4: error: "), "\(r.stderr)")
        #expect(r.stderr.contains("hint: "), "\(r.stderr)")
        #expect(try snapshot(h) == before)

        // A limit the rows stay within builds, setting them aside as before.
        for limit in ["2", "0.3", "30%"] {
            try h.write("sds.yaml", Self.spec("    max_bad_rows: \(limit)\n"))
            let ok = try h.sds("build")
            ok.expectOK()
            #expect(ok.stdout.contains("set aside 2 bad rows"), "\(limit): \(ok.stdout)")
        }
        try h.write("sds.yaml", Self.spec("    max_bad_rows: 1\n"))
        try h.sds("build").expectStatus(65)
    }

    /// The report: a date layout that matches no row set every row aside and exited 0.
    @Test func aSourceWithNoGoodRowAlwaysFails() throws {
        let h = try P.workspace(spec: Self.spec("    max_bad_rows: 100%\n").replacingOccurrences(of: "format: iso8601", with: "format: \"%m-%d-%YT%H:%M:%SZ\""))
        defer { h.cleanup() }
        let r = try h.sds("build")
        r.expectStatus(65)
        #expect(r.stderr.contains("error: source 'a' (data/a.csv) has no good rows: all 5 were set aside"), "\(r.stderr)")
        #expect(r.stderr.contains("  bad timestamp: 5 rows; data/a.csv:2:4: error: \"2024-01-01T00:00:00Z\" does not match \"%m-%d-%YT%H:%M:%SZ\" (month 20)"),
                "\(r.stderr)")
        #expect(!h.exists("sds.lock"))

        let headerOnly = try P.workspace(a: "subject,t,v\n")
        defer { headerOnly.cleanup() }
        let e = try headerOnly.sds("build")
        e.expectStatus(65)
        #expect(e.stderr.contains("error: source 'a' (data/a.csv) has no rows"), "\(e.stderr)")
    }

    @Test func aStudyBelowMinExamplesFails() throws {
        let h = try P.workspace()
        defer { h.cleanup() }
        try h.sds("build").expectOK()
        let before = try snapshot(h)
        try h.write("sds.yaml", Self.spec(study: "    min_examples: 1000\n"))
        let r = try h.sds("build")
        r.expectStatus(65)
        #expect(r.stderr.contains("error: study 'first' made 4 examples, fewer than its min_examples (1000)"), "\(r.stderr)")
        #expect(try snapshot(h) == before)
        try h.write("sds.yaml", Self.spec(study: "    min_examples: 4\n"))
        try h.sds("build").expectOK()
    }

    @Test func badLimitsAreSpecErrors() throws {
        let h = try P.workspace(spec: Self.spec("    max_bad_rows: lots\n"))
        defer { h.cleanup() }
        let r = try h.sds("build")
        r.expectStatus(65)
        #expect(r.stderr.contains("'sources.a.max_bad_rows' must be a count of rows (25) or a fraction (0.05 or 5%), found \"lots\""), "\(r.stderr)")
        try h.write("sds.yaml", Self.spec("    max_bad_rows: 150%\n"))
        try h.sds("build").expectStatus(65)
        try h.write("sds.yaml", Self.spec(study: "    min_examples: -1\n"))
        try h.sds("build").expectStatus(65)
    }
}
