import Foundation
import Testing

/// Data contracts with the built binary: each rule broken once fails the build (exit 65) with
/// its count and first `file:line:col` and leaves the previous output and lock as they were;
/// `on_violation: warn` records instead; `sds show` and `sds diff` report them.
@Suite struct ContractTests {
    typealias P = FramePipelineTests

    static let rows = """
        subject,t,v,kind
        s1,2024-01-01T00:00:00Z,1,walk
        s1,2024-01-01T00:10:00Z,2,run
        s2,2024-01-01T00:00:00Z,3,walk
        s3,2024-01-01T00:20:00Z,4,walk
        s4,2024-01-01T00:30:00Z,5,run

        """

    /// Source `a` with a text column and `contracts`.
    static func spec(_ contracts: String) -> String {
        P.spec.replacingOccurrences(of: "    columns: {v: {valid: [0, 100]}}\n",
                                    with: "    columns: {v: {valid: [0, 100]}, kind: text}\n    contracts: \(contracts)\n")
    }

    static func workspace(_ contracts: String, rows: String = rows) throws -> Harness {
        try P.workspace(spec: spec(contracts), a: rows)
    }

    @Test func eachRuleBrokenOnceFailsWithItsCountAndPosition() throws {
        // contracts, a row that breaks them (line 7), the reason's line.
        let cases: [(String, String, String)] = [
            ("{unique: [subject, t]}", "s1,2024-01-01T00:10:00Z,7,walk", "unique: [subject, t]: 1 row; first at data/a.csv:7:4"),
            ("{not_null: [kind]}", "s2,2024-01-01T00:10:00Z,6,", "not_null: kind: 1 row; first at data/a.csv:7:27"),
            ("{monotonic: t}", "s4,2024-01-01T00:00:00Z,6,walk", "monotonic: t: 1 row; first at data/a.csv:7:4"),
            ("{range: {v: [0, 10]}}", "s2,2024-01-01T00:10:00Z,50,walk", "range: v [0, 10]: 1 row; first at data/a.csv:7:25"),
            ("{allowed: {kind: [walk, run]}}", "s2,2024-01-01T00:10:00Z,6,swim", "allowed: kind: 1 row; first at data/a.csv:7:27"),
            ("{rows: {min: 2, max: 5}}", "s5,2024-01-01T00:10:00Z,6,walk", "rows: {min: 2, max: 5}: 6 rows; first at data/a.csv"),
        ]
        for (contracts, row, reason) in cases {
            let h = try Self.workspace(contracts)
            defer { h.cleanup() }
            try h.sds("build").expectOK()
            let before = try ValidationGateTests().snapshot(h)
            try h.write("data/a.csv", Self.rows + row + "\n")
            let r = try h.sds("build")
            r.expectStatus(65)
            #expect(r.stderr.contains("error: source 'a' (data/a.csv) breaks 1 of its 1 contract rule\n"), "\(contracts): \(r.stderr)")
            #expect(r.stderr.contains("  " + reason + "\n"), "\(contracts): \(r.stderr)")
            #expect(r.stderr.contains("hint: "), "\(r.stderr)")
            #expect(try ValidationGateTests().snapshot(h) == before, "\(contracts)")
        }
    }

    /// Times of a 12-hour clock written without AM/PM: 1 AM and 1 PM read as the same time,
    /// so the key repeats; the report says how many and why it may be.
    @Test func aTwelveHourClockWithoutAMPMReportsItsDuplicates() throws {
        let h = try P.workspace(spec: Self.spec("{unique: [subject, t]}")
            .replacingOccurrences(of: "format: iso8601", with: "format: \"%m/%d/%Y %H:%M\""), a: """
            subject,t,v,kind
            s1,1/1/2024 1:00,1,walk
            s1,1/1/2024 2:00,2,walk
            s1,1/1/2024 1:00,3,walk
            s1,1/1/2024 2:00,4,walk

            """)
        defer { h.cleanup() }
        let r = try h.sds("build")
        r.expectStatus(65)
        #expect(r.stderr.contains("  unique: [subject, t]: 2 rows; first at data/a.csv:4:4 (every time is between 1:00 and 12:59, as with a 12-hour clock written without AM/PM"),
                "\(r.stderr)")
    }

    @Test func warnModeRecordsAndShowAndDiffReport() throws {
        let h = try Self.workspace("{unique: [subject, t], not_null: kind, on_violation: warn}")
        defer { h.cleanup() }
        let first = try P().build(h)
        try h.write("data/a.csv", Self.rows + "s1,2024-01-01T00:10:00Z,7,walk\n")
        let r = try h.sds("build", "--json")
        r.expectOK()
        #expect(r.stderr.contains("warning: source 'a' (data/a.csv) breaks 1 of its 2 contract rules"), "\(r.stderr)")
        #expect(r.stderr.contains("  unique: [subject, t]: 1 row; first at data/a.csv:7:4"), "\(r.stderr)")
        let second = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]

        let json = try JSONSerialization.jsonObject(with: Data(h.sds("show", "--json").stdout.utf8)) as! [String: Any]
        let a = (json["contracts"] as! [String: Any])["a"] as! [String: Any]
        #expect(a["on_violation"] as? String == "warn")
        let rules = a["rules"] as! [[String: Any]]
        #expect(rules.map { $0["rule"] as? String } == ["unique: [subject, t]", "not_null: kind"])
        #expect(rules.map { $0["violations"] as? Int } == [1, 0])
        #expect(rules.map { $0["checked"] as? Int } == [6, 6])
        #expect(rules[0]["first"] as? String == "data/a.csv:7:4")

        let show = try h.sds("show")
        show.expectOK()
        #expect(show.stdout.contains("contracts"), "\(show.stdout)")
        #expect(show.stdout.contains("unique: [subject, t]") && show.stdout.contains("broken: 1 of 6 rows")
                && show.stdout.contains("first at data/a.csv:7:4"), "\(show.stdout)")
        #expect(show.stdout.contains("kept (6 rows)"), "\(show.stdout)")

        let ids = [first, second].map { String(($0["build"] as! String).prefix(12)) }
        let diff = try JSONSerialization.jsonObject(with: Data(h.sds("diff", ids[0], ids[1], "--json").stdout.utf8)) as! [String: Any]
        #expect((diff["sections"] as! [String]).contains("contracts"))
        let changes = diff["contracts"] as! [[String: Any]]
        #expect(changes.count == 1)
        #expect(changes.first?["rule"] as? String == "unique: [subject, t]")
        #expect(changes.first?["before"] as? Int == 0 && changes.first?["after"] as? Int == 1)
        let text = try h.sds("diff", ids[0], ids[1])
        #expect(text.stdout.contains("changed") && text.stdout.contains("a unique: [subject, t]")
                && text.stdout.contains("0 violations → 1 violation"), "\(text.stdout)")
        // A build with contracts reproduces like any other.
        let verify = try h.sds("verify")
        verify.expectOK()
    }

    @Test func badContractsAreSpecErrorsAtTheirLine() throws {
        let cases: [(String, String)] = [
            ("{uniq: [subject]}", "unknown key 'uniq' in 'sources.a.contracts'"),
            ("{not_null: [knd]}", "source 'a' reads no column 'knd'"),
            ("{range: {v: [5, 1]}}", "min 5.0 is above max 1.0"),
            ("{range: {kind: [0, 1]}}", "column 'kind' is not a number column"),
            ("{rows: {min: 5, max: 1}}", "min 5 is above max 1"),
            ("{on_violation: maybe, rows: {min: 1}}", "'sources.a.contracts.on_violation'"),
            ("{}", "names no rule"),
        ]
        for (contracts, message) in cases {
            let h = try Self.workspace(contracts)
            defer { h.cleanup() }
            let r = try h.sds("build")
            r.expectStatus(65)
            #expect(r.stderr.contains("sds.yaml:"), "\(contracts): \(r.stderr)")
            #expect(r.stderr.contains(message), "\(contracts): \(r.stderr)")
        }
    }

    /// A contract broken in a compressed input reports the plain file's line and column: near
    /// the start (the header's piece) and past the first MiB of text (found by streaming).
    @Test(arguments: [("gzip", ".gz"), ("zstd", ".zst")])
    func aCompressedInputReportsTheLineAndColumn(tool: String, suffix: String) throws {
        let filler = (0..<40_000).map { i in
            "s9,2024-01-01T\(String(format: "%02d:%02d:%02d", i / 3600, i / 60 % 60, i % 60))Z,1,walk\n"
        }.joined()
        let bad = "s2,2024-01-01T00:10:00Z,50,walk\n"
        for (rows, line) in [(Self.rows + bad, 7), (Self.rows + filler + bad, 40_007)] {
            let h = try P.workspace(spec: Self.spec("{range: {v: [0, 10]}}").replacingOccurrences(of: "path: data/a.csv", with: "path: data/a.csv\(suffix)"),
                                    a: rows)
            defer { h.cleanup() }
            // Both replace data/a.csv with data/a.csv.gz / .zst.
            try h.run(tool, tool == "gzip" ? [h.path("data/a.csv")] : ["-q", "--rm", h.path("data/a.csv")]).expectOK()
            let r = try h.sds("build")
            r.expectStatus(65)
            #expect(r.stderr.contains("  range: v [0, 10]: 1 row; first at data/a.csv\(suffix):\(line):25\n"), "\(r.stderr)")
        }
    }
}
