import Glibc
import SDSCore
import SDSSensors
import SDSStore

/// A source's data contracts, checked as a cached step over the partition frames its read
/// made (so a rebuild with the same input and rules reads nothing), and their report as the
/// manifest keeps it: `{on_violation, rules: [{rule, checked, violations, first, note}]}`.
struct ContractCheck {
    let store: ObjectStore
    let runner: StepRunner

    /// One rule's outcome as recorded: `first` is `file:line:col` (`file` for a `rows` rule).
    struct Rule: Equatable {
        var rule: String
        var checked: Int
        var violations: Int
        var first: String?
        var note: String?
    }

    struct Report: Equatable {
        var warnOnly: Bool
        var rules: [Rule]

        var broken: [Rule] { rules.filter { $0.violations > 0 } }

        var json: JSON {
            .object(["on_violation": .string(warnOnly ? "warn" : "fail"), "rules": .array(rules.map { r in
                var o: [String: JSON] = ["rule": .string(r.rule), "checked": .int(Int64(r.checked)), "violations": .int(Int64(r.violations))]
                if let f = r.first { o["first"] = .string(f) }
                if let n = r.note { o["note"] = .string(n) }
                return .object(o)
            })])
        }

        init(warnOnly: Bool, rules: [Rule]) {
            self.warnOnly = warnOnly
            self.rules = rules
        }

        /// A recorded report (a manifest's or a step result's); nil if it is not one.
        init?(json: JSON?) {
            guard let j = json, let rules = j["rules"]?.array else { return nil }
            warnOnly = j["on_violation"]?.string == "warn"
            self.rules = rules.map { r in
                Rule(rule: r["rule"]?.string ?? "?", checked: r["checked"]?.int ?? 0, violations: r["violations"]?.int ?? 0,
                     first: r["first"]?.string, note: r["note"]?.string)
            }
        }
    }

    /// Checks `contracts` on the partitions of one source read from `input` (named `file`).
    func check(_ contracts: TableContracts, reader: TableReader, source: String, file: String, input: ObjectID,
               partitions: [Builder.PartitionSource], version: Int) throws -> Report {
        let ordered = partitions.sorted { FileIO.bytewiseLess($0.partition.hex, $1.partition.hex) }
        // The reader's settings say where a column is in the file; the file's name is in every position.
        let params = contracts.parameters() + [0] + reader.parameters() + [0] + Array(file.utf8)
        let result = try runner.run(op: TableContracts.name, version: version, params: StepCodec.params(params),
                                    inputs: [input] + ordered.map(\.partition), partition: source) {
            var checker = ContractChecker(contracts, utcTimes: reader.settings.time.zone == "UTC")
            for p in ordered {
                let bytes = try store.read(p.partition)
                let frame = try StepCodec.sensors { () throws(SensorError) in try Frame(decoding: bytes) }
                checker.add(frame, lineBase: Int64(max(p.firstLine - 1, 0)))
            }
            let outcomes = checker.finish()
            // Columns only for the first violation of each broken rule: one look at the file for all.
            let wanted = Set(outcomes.filter { $0.violations > 0 && $0.firstLine > 0 && $0.field != nil }.map(\.firstLine))
            let text = wanted.isEmpty ? nil : try LineTexts(wanted, input: input, store: store, file: file)
            var rules: [Rule] = []
            for o in outcomes {
                var first: String?
                if o.violations > 0 {
                    if o.firstLine > 0 {
                        let col = o.field.flatMap { f in text.flatMap { reader.column(of: f, line: o.firstLine, in: $0.text(o.firstLine)) } }
                        first = "\(file):\(o.firstLine)" + (col.map { ":\($0)" } ?? "")
                    } else {
                        first = file
                    }
                }
                rules.append(Rule(rule: o.rule, checked: o.checked, violations: o.violations, first: first, note: o.note))
            }
            return Report(warnOnly: contracts.warnOnly, rules: rules).json.canonical()
        }
        guard let report = Report(json: try JSONReader.parse(try store.read(result))) else {
            throw SDSError(.badData, "contracts result \(result.hex) of source '\(source)' is malformed")
        }
        return report
    }

    /// The lines of a broken report: each rule with its count and first position.
    static func lines(_ report: Report) -> [String] {
        report.broken.map { r in
            let what = r.rule.hasPrefix("rows:") ? "\(r.checked) rows" : "\(r.violations) row\(r.violations == 1 ? "" : "s")"
            return "  \(r.rule): \(what); first at \(r.first ?? "?")" + (r.note.map { " (\($0))" } ?? "")
        }
    }
}

/// Texts in which a line of an input stands at its own line number, for `column(of:line:in:)`:
/// a plain input whole (as it always was read), a compressed one streamed once, keeping its
/// first piece (where a CSV header is) and the lines asked for, so memory does not grow
/// with the inflated file.
private struct LineTexts {
    private var whole: [UInt8]?
    private var prefix: [UInt8] = []
    private var prefixLines: Int64 = 0
    private var lines: [Int64: [UInt8]] = [:]

    init(_ wanted: Set<Int64>, input: ObjectID, store: ObjectStore, file: String) throws {
        var line: Int64 = 1
        var first = true
        var prefix: [UInt8] = [], prefixLines: Int64 = 0, lines: [Int64: [UInt8]] = [:]
        let streamed = try InputDecompression.forEachPlainChunk(stored: input, in: store, file: file) { chunk in
            if first, let last = chunk.lastIndex(of: UInt8(ascii: "\n")) {
                prefix = Array(chunk[...last])
                prefixLines = Int64(prefix.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) })
            }
            first = false
            let base = chunk.baseAddress!
            var p = 0
            while p < chunk.count {
                let newline = memchr(base + p, 0x0A, chunk.count - p)
                let end = newline.map { UnsafeRawPointer($0) - base } ?? chunk.count
                if wanted.contains(line) { lines[line, default: []].append(contentsOf: chunk[p..<end]) }
                guard newline != nil else { break }
                line += 1
                p = end + 1
            }
        }
        if streamed {
            (self.prefix, self.prefixLines, self.lines) = (prefix, prefixLines, lines)
        } else {
            whole = try store.read(input)
        }
    }

    /// A text whose line `line` is the input's (blank lines stand in past the first piece).
    func text(_ line: Int64) -> [UInt8] {
        if let whole { return whole }
        guard line > prefixLines, let bytes = lines[line] else { return prefix }
        return prefix + [UInt8](repeating: UInt8(ascii: "\n"), count: Int(line - 1 - prefixLines)) + bytes
    }
}
