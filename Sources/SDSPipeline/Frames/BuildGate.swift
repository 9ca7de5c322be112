import SDSCore
import SDSSensors

/// How many rows a source may set aside (`max_bad_rows:`) before the build fails.
public enum BadRowLimit: Sendable, Equatable {
    /// At most this many rows.
    case count(Int)
    /// At most this share of the source's rows (0...1).
    case fraction(Double)

    public static let `default` = BadRowLimit.fraction(0.01)

    /// Whether `bad` rows set aside of `total` stay within the limit.
    func allows(bad: Int, of total: Int) -> Bool {
        switch self {
        case .count(let n): return bad <= n
        case .fraction(let f): return Double(bad) <= f * Double(total)
        }
    }

    /// "1%" or "10 rows", as messages say it.
    var text: String {
        switch self {
        case .count(let n): return n == 1 ? "1 row" : "\(n) rows"
        case .fraction(let f):
            let percent = f * 100
            return (percent == percent.rounded() ? String(Int(percent)) : String(percent)) + "%"
        }
    }
}

/// The validation gate: a build that would silently lose data fails instead (exit 65), before
/// anything is published, so the previous output and lock stay as they were.
enum BuildGate {
    /// Fails when a source read no good row, or set aside more rows than `limit` allows.
    ///
    /// - Parameters:
    ///   - good: the rows read (a wide source's rows, not its unpivoted values).
    ///   - details: the quarantine of a fresh read, whose reasons carry their first error; only
    ///     called when the gate fails (the cached quarantine keeps no columns or messages).
    static func check(source name: String, file: String, limit: BadRowLimit, bad: Quarantine, good: Int,
                      details: () throws -> Quarantine) throws {
        let total = good + bad.total
        let headline: String
        if good == 0 {
            headline = bad.total == 0 ? "source '\(name)' (\(file)) has no rows"
                : "source '\(name)' (\(file)) has no good rows: all \(bad.total) were set aside"
        } else if !limit.allows(bad: bad.total, of: total) {
            headline = "source '\(name)' (\(file)) set aside \(bad.total) of \(total) rows, more than max_bad_rows allows (\(limit.text))"
        } else {
            return
        }
        var lines = [headline]
        if bad.total > 0 {
            let firsts = (try? details())?.reasons ?? []
            for r in bad.reasons {
                let first = firsts.first { $0.reason == r.reason }?.first ?? r.locations.first.map { "first at \($0)" } ?? ""
                lines.append("  \(r.reason): \(r.count) row\(r.count == 1 ? "" : "s"); \(first)")
            }
        }
        throw SDSError(.badData, lines.joined(separator: "\n"),
                       hint: good == 0 && bad.total == 0 ? "check the path and that the file has rows below its header"
                           : "fix the rows or the source's reader settings (a time pattern such as format: \"%d-%m-%Y\"), or raise max_bad_rows")
    }

    /// Fails when a source broke its contracts (with `on_violation: warn`, warns instead):
    /// each broken rule with its count and first `file:line:col`.
    static func check(contracts report: ContractCheck.Report, source name: String, file: String,
                      warn: (String) -> Void) throws {
        let broken = report.broken
        guard !broken.isEmpty else { return }
        let headline = "source '\(name)' (\(file)) breaks \(broken.count) of its \(report.rules.count) contract rule\(report.rules.count == 1 ? "" : "s")"
        let lines = [headline] + ContractCheck.lines(report)
        if report.warnOnly { return warn((lines + ["  (on_violation: warn: the build goes on)"]).joined(separator: "\n")) }
        throw SDSError(.badData, lines.joined(separator: "\n"),
                       hint: "fix the rows or the rules, or set on_violation: warn in the source's contracts to record them without failing")
    }

    /// Fails when a study made fewer examples than `minimum`.
    static func check(study name: String, examples: Int, minimum: Int) throws {
        guard examples < minimum else { return }
        throw SDSError(.badData, "study '\(name)' made \(examples) example\(examples == 1 ? "" : "s"), fewer than its min_examples (\(minimum))",
                       hint: "check the study's windows, filters and features against its sources' rows, or lower min_examples")
    }

    /// Rows of a wide source: its frames' distinct lines (one per source row).
    static func sourceRows(_ frames: [Frame]) -> Int {
        frames.reduce(0) { n, f in
            var count = 0, previous: Int64 = -1
            for l in f.lines where l != previous {
                count += 1
                previous = l
            }
            return n + count
        }
    }
}
