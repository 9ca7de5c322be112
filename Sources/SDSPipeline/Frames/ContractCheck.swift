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
            // Columns only for the first violation of each broken rule: one look at the file each.
            var plain: [UInt8]?
            var rules: [Rule] = []
            for o in outcomes {
                var first: String?
                if o.violations > 0 {
                    if o.firstLine > 0 {
                        if plain == nil { plain = try InputDecompression.plain(try store.read(input), file: file) }
                        let col = o.field.flatMap { reader.column(of: $0, line: o.firstLine, in: plain!) }
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
