import Foundation
import Testing

/// `sds report` (issue 18): the page of a build and of a diff, checked against what the build
/// recorded (the toy study of BuildReportTests, whose numbers are worked out by hand there).
/// The browser checks (no console error, the same counts in the DOM) are tests/report/run.sh.
@Suite struct ReportTests {
    /// Rows of the body of the first table marked `data-table="KIND"` (group header rows aside).
    static func tableRows(_ html: String, _ kind: String) -> Int? {
        guard let mark = html.range(of: "data-table=\"\(kind)\""),
              let end = html.range(of: "</table>", range: mark.upperBound..<html.endIndex),
              let body = html.range(of: "<tbody>", range: mark.upperBound..<end.lowerBound) else { return nil }
        return html[body.upperBound..<end.lowerBound].components(separatedBy: "<tr>").count - 1
    }

    static func count(_ pattern: String, _ text: String) -> Int {
        let re = try! NSRegularExpression(pattern: pattern)
        return re.numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text))
    }

    /// Σ data-n over the heatmap cells (each stands for that many windows).
    static func windowsDrawn(_ html: String) -> Int {
        let re = try! NSRegularExpression(pattern: "<rect [^>]*data-w=\"[^\"]*\" data-n=\"([0-9]+)\"")
        return re.matches(in: html, range: NSRange(html.startIndex..., in: html)).reduce(0) { n, m in
            n + Int(html[Range(m.range(at: 1), in: html)!])!
        }
    }

    @Test func buildPageShowsWhatTheBuildRecorded() throws {
        let h = try BuildReportTests.workspace()
        defer { h.cleanup() }
        try h.sds("build", "-q").expectOK()
        let r = try h.sds("report")
        r.expectOK()
        #expect(r.stdout.hasPrefix("wrote report.html"), "\(r.stdout)")
        let page = try h.read("report.html")
        let manifest = try BuildReportTests.object(try h.sds("show", "--json").stdout)

        // Coverage: 13 windows of one channel; the three dropped ones faded and marked, each
        // with the rule that dropped it in its tooltip.
        #expect(page.contains("data-heatmap=\"toy\" data-channel=\"v\""))
        #expect(Self.windowsDrawn(page) == 13)
        #expect(Self.count("<rect class=\"h[0-9]+ x\"[^>]*data-w=", page) == 3)
        for rule in ["present y", "coverage v 0.05", "min_windows 2"] {
            #expect(page.contains(": v ") && page.contains("; dropped by \(rule)</title>"), "\(rule)")
        }
        // s2's Jan 2 has one hour of 24: 4.2%, under the 5% the filter asks.
        #expect(page.contains("s2 2024-01-02: v 4.2% (1 of 24 slots); dropped by coverage v 0.05"))
        // One row per partition (all six: the one max_subjects left out too), per shard's partition
        // in the lineage (four), per reason rows were set aside, per split.
        #expect(Self.tableRows(page, "coverage") == 6)
        #expect(Self.tableRows(page, "lineage") == 4)
        #expect(Self.tableRows(page, "bad-rows") == (manifest["quarantine"] as! [String: Any]).count)
        #expect(Self.tableRows(page, "splits") == 3)
        #expect(page.contains("<td class=\"n\" data-v=\"13.0\">13</td>"), "windows made in the funnel")
        // Distributions: v and the label, per split, with histograms.
        #expect(page.contains("<h3>sensor/v</h3>") && page.contains("aria-label=\"Histogram of sensor/v in split train\""))

        // Self-contained: nothing to fetch, a policy that forbids it, no clock.
        #expect(page.contains("Content-Security-Policy\" content=\"default-src 'none'"))
        #expect(!page.contains("http://") && !page.contains("https://") && !page.contains(" src="))
        // The same build gives the same bytes, to a file or to stdout.
        try h.sds("report", "-o", "again.html").expectOK()
        #expect(try h.read("again.html") == page)
        let out = try h.sds("report", "-o", "-")
        #expect(out.stdout == page)
        // A build id prefix names the same build: the same page.
        let id = String((try BuildReportTests.object(try h.read("sds.lock"))["build"] as! String).prefix(12))
        try h.sds("report", id, "-o", "byid.html").expectOK()
        #expect(try h.read("byid.html") == page)
    }

    @Test func diffPageShowsTheShiftAndWhatMoved() throws {
        let h = try BuildReportTests.workspace()
        defer { h.cleanup() }
        try h.sds("build", "-q").expectOK()
        try h.sds("tag", "v1").expectOK()
        // s3…s6 read 10 more: the same windows, a shifted distribution of v.
        let shifted = BuildReportTests.rows.split(separator: "\n").map { line -> String in
            let f = line.split(separator: ",")
            guard f.count == 3, ["s3", "s4", "s5", "s6"].contains(f[0]), let v = Int(f[2]) else { return String(line) }
            return "\(f[0]),\(f[1]),\(v + 10)"
        }.joined(separator: "\n") + "\n"
        try h.write("data/a.csv", shifted)
        try h.sds("build", "-q").expectOK()
        try h.sds("tag", "v2").expectOK()
        let r = try h.sds("report", "v1", "v2")
        r.expectOK()
        #expect(r.stdout.hasPrefix("wrote report-diff.html"), "\(r.stdout)")
        let page = try h.read("report-diff.html")
        #expect(page.contains("<h1>rep: v1 (build"))
        #expect(Self.tableRows(page, "inputs-diff") == 1 && page.contains("<code>data/a.csv</code>"))
        #expect(Self.tableRows(page, "report-diff") == 2 * 2 + 1 + 3 + 3 * 2, "sources, windows, filters, splits")
        // Examples changed, shards rewritten, and a row per (split, feature) in either version.
        let diff = try BuildReportTests.object(try h.sds("diff", "v1", "v2", "--examples", "--json").stdout)
        let changed = ((diff["examples"] as! [String: Any])["splits"] as! [[String: Any]]).reduce(0) { $0 + ($1["changed"] as! [Any]).count }
        #expect(changed == 8)
        #expect(page.contains("0 added, 0 removed, 8 changed"), "overview")
        let rewritten = ((diff["outputs"] as! [String: Any])["splits"] as! [[String: Any]]).flatMap { $0["changed_files"] as! [String] }
        for f in rewritten { #expect(page.contains("<li><code>\(f)</code></li>")) }
        var pairs = Set<String>()
        for v in ["v1", "v2"] {
            let m = try BuildReportTests.object(try h.sds("show", v, "--json").stdout)
            for (split, s) in m["statistics"] as! [String: Any] {
                for f in ((s as! [String: Any])["features"] as! [String: Any]).keys { pairs.insert(split + " " + f) }
            }
        }
        #expect(Self.tableRows(page, "shift") == pairs.count)
        // v moved from 1–2 to 11–12 in train (s3, s5, s6): nothing in common, KS 1.
        #expect(page.contains("<figcaption>sensor/v · train · PSI "), "\(page)")
        #expect(page.contains("(large shift) · KS 1</figcaption>"))
        try h.sds("report", "v1", "v2", "-o", "again.html").expectOK()
        #expect(try h.read("again.html") == page)
        // Against the work tree, and two equal versions.
        try h.sds("report", "v2", "workspace", "-o", "ws.html").expectOK()
        #expect(try h.read("ws.html").contains("The two versions are equal."))
    }

    @Test func wearablePageDrawsEveryDayOfBothChannels() throws {
        let h = try LineageTests.wearableWorkspace()
        defer { h.cleanup() }
        let built = try BuildReportTests.object(try h.sds("build", "--json").stdout)
        let study = ((built["report"] as! [String: Any])["studies"] as! [[String: Any]])[0]
        try h.sds("report", "-o", "w.html").expectOK()
        let page = try h.read("w.html")
        // Two channels (heart rate and steps), each with a cell per day made.
        #expect(Self.windowsDrawn(page) == 2 * (study["windows"] as! Int))
        #expect(page.contains("data-heatmap=\"wearable\""))
        #expect(page.contains("<h3>label/minutes_asleep</h3>"))
    }

    @Test func reportErrorsAreUsageErrors() throws {
        let h = try BuildReportTests.workspace()
        defer { h.cleanup() }
        let none = try h.sds("report")
        #expect(none.status == 66, "\(none.stderr)")
        try h.sds("build", "-q").expectOK()
        let ws = try h.sds("report", "workspace")
        #expect(ws.status == 64 && ws.stderr.contains("'workspace' is not a build"), "\(ws.stderr)")
        let help = BuildReportTests.squeezed(try h.sds("report", "--help").stdout.replacingOccurrences(of: "\n", with: " "))
        #expect(help.contains("population stability index") && help.contains("no chart library"), "\(help)")
    }
}
