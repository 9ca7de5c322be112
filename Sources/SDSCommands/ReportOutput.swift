import SDSPipeline

/// The build report as text, for `sds build` and `sds show`.
enum ReportOutput {
    static func lines(_ r: BuildReport) -> [String] {
        var out: [String] = []
        for s in r.studies {
            out.append("study \(s.name):")
            var t = Table()
            for src in s.sources { t.add("source \(src.name)", "\(src.rows) rows read, \(src.setAside) set aside") }
            if s.transformSetAside > 0 { t.add("transforms", "\(s.transformSetAside) rows set aside") }
            let kept = s.windows - s.filters.reduce(0) { $0 + $1.dropped }
            t.add("windows", "\(s.windows) made, \(kept) kept")
            for f in s.filters { t.add("  filter \(f.name)", "dropped \(f.dropped)") }
            if s.cappedSubjects > 0 {
                t.add("max_subjects", "left out \(s.cappedSubjects) subject\(s.cappedSubjects == 1 ? "" : "s") (\(s.cappedExamples) examples)")
            }
            for x in s.splits { t.add("split \(x.name)", counts(x, of: s.splits)) }
            out += t.lines()
        }
        if r.studies.count > 1 {
            var t = Table()
            for x in r.splits { t.add("split \(x.name)", counts(x, of: r.splits)) }
            out.append("dataset:")
            out += t.lines()
        }
        return out
    }

    /// `6 examples (75%), 3 subjects; 80% asked`: the share of the examples beside the
    /// percent the spec asks of subjects.
    private static func counts(_ x: BuildReport.Split, of all: [BuildReport.Split]) -> String {
        let total = all.reduce(0) { $0 + $1.examples }
        let share = total > 0 ? " (\((x.examples * 100 + total / 2) / total)%)" : ""
        return "\(x.examples) examples\(share), \(x.subjects) subject\(x.subjects == 1 ? "" : "s"); \(x.percent)% asked"
    }
}
