import SDSSensors
import Testing

/// Fixed-width patterns (every field of one width) are read at fixed offsets; each row must
/// read, or fail with the message, exactly as the general program does. The oracle is the
/// same pattern with `%e` for `%d`, which the fixed path does not take and which reads a
/// day without a leading space as `%d` does.
@Suite struct TimePatternLayoutTests {
    typealias F = TableReaderFixture

    static let patterns = ["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y %H:%M", "%Y%m%d%H%M%S", "%d.%m.%Y"]

    /// A small deterministic generator (SplitMix64), so failures reproduce.
    struct Mix {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    /// `pattern` with its fields filled in: `values` by directive letter, each zero-padded
    /// to its width unless it is given as text already.
    static func render(_ pattern: String, _ values: [Character: String]) -> String {
        var out = "", percent = false
        for c in pattern {
            if percent {
                percent = false
                out += values[c] ?? ""
            } else if c == "%" {
                percent = true
            } else {
                out.append(c)
            }
        }
        return out
    }

    static func padded(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    static func valid(_ mix: inout Mix) -> [Character: String] {
        ["Y": padded(1900 + mix.next(250), 4), "m": padded(1 + mix.next(12), 2), "d": padded(1 + mix.next(28), 2),
         "H": padded(mix.next(24), 2), "M": padded(mix.next(60), 2), "S": padded(mix.next(60), 2)]
    }

    /// Valid rows (dates repeating, as in real files, and not) and every kind of bad row.
    static func sample(_ pattern: String) -> [String] {
        var mix = Mix(state: UInt64(pattern.utf8.count))
        var rows: [String] = []
        var last = valid(&mix)
        for i in 0..<40 {
            var v = valid(&mix)
            if i % 3 != 0 { v["Y"] = last["Y"]; v["m"] = last["m"]; v["d"] = last["d"] }   // the same day again
            last = v
            rows.append(render(pattern, v))
        }
        let base = last
        let bad: [(Character, String)] = [("m", "00"), ("m", "13"), ("m", "99"), ("d", "00"), ("d", "32"), ("H", "24"), ("H", "99"),
                                          ("M", "60"), ("S", "60"), ("Y", "0000"), ("m", "4"), ("d", "7"), ("H", "5"), ("m", "1x"),
                                          ("Y", "20a6"), ("S", "5:")]
        for (field, text) in bad where pattern.contains("%\(field)") {
            var v = base
            v[field] = text
            rows.append(render(pattern, v))
        }
        // Days past the month's end, and 29 February in and out of leap years.
        for (y, m, d) in [(2015, 2, 29), (2016, 2, 29), (2016, 2, 30), (2016, 4, 31), (2000, 2, 29), (1900, 2, 29)] {
            var v = base
            v["Y"] = padded(y, 4); v["m"] = padded(m, 2); v["d"] = padded(d, 2)
            rows.append(render(pattern, v))
        }
        let good = render(pattern, base)
        rows += [String(good.dropLast()), good + "x", good + "0", "x" + good, String(good.dropFirst())]
        // Each byte in turn replaced by a separator or a letter.
        for k in 0..<good.count {
            for c in ["/", "x", "-"] {
                var bytes = Array(good)
                bytes[k] = Character(c)
                rows.append(String(bytes))
            }
        }
        return rows
    }

    /// The row's time, or the error with the oracle's pattern text put back.
    static func outcome(_ text: String, after good: String, _ pattern: String, as written: String) throws -> String {
        let p = TableReaderParameters(partition: [], time: FrameTimeSpec(column: "t", format: .pattern(try TimePattern(pattern))),
                                      columns: [FrameReadColumn(source: "v")])
        let file = "t,v\n\(good),1\n\(text),2\n"
        let error = F.strictError(file, p)
        guard error == "no error" else { return error.replacingOccurrences(of: "\"\(pattern)\"", with: "\"\(written)\"") }
        return "\(try F.read(file, p).first?.time ?? [])"
    }

    @Test(arguments: patterns)
    func fixedPathReadsAsTheGeneralProgram(pattern: String) throws {
        let oracle = pattern.replacingOccurrences(of: "%d", with: "%e")
        let rows = Self.sample(pattern)
        let good = rows[0]
        var errors = 0
        for row in rows {
            let fixed = try Self.outcome(row, after: good, pattern, as: pattern)
            if fixed.contains("error:") { errors += 1 }
            #expect(fixed == (try Self.outcome(row, after: good, oracle, as: pattern)), "\(row)")
        }
        #expect(errors > 20)   // the sample really has bad rows
        // All valid rows in one file, so the day cache sees runs and changes.
        let p = { (t: String) throws in
            TableReaderParameters(partition: [], time: FrameTimeSpec(column: "t", format: .pattern(try TimePattern(t))), columns: [FrameReadColumn(source: "v")])
        }
        let file = "t,v\n" + rows.prefix(40).map { "\($0),1\n" }.joined()
        let times = try F.read(file, p(pattern)).first?.time
        #expect(times?.count == 40)
        #expect(times == (try F.read(file, p(oracle)).first?.time))
    }
}
