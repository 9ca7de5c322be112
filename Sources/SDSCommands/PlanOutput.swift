import SDSCore
import SDSPipeline

/// Renders a build plan (`sds build --dry-run`, `sds status`).
enum PlanOutput {
    static func json(_ plan: BuildPlan) -> JSON {
        .object([
            "up_to_date": .bool(plan.upToDate),
            "steps": .array(plan.steps.map {
                .object(["op": .string($0.op), "partition": .string($0.partition), "reason": .string($0.reason)])
            }),
            "shards": .array(plan.shards.map { .string($0) }),
        ])
    }

    static func print(_ plan: BuildPlan, json asJSON: Bool) {
        if asJSON { return Output.line(String(decoding: json(plan).canonical(), as: UTF8.self)) }
        if plan.upToDate { return Output.line("build: up to date (a build would run no step)") }
        Output.line("build: \(plan.steps.count) step(s) would run, \(plan.shards.count) shard file(s) would change")
        // Group identical reasons so a changed input does not print one line per subject.
        var groups: [(String, String, [String])] = []
        for s in plan.steps {
            if let i = groups.firstIndex(where: { $0.0 == s.op && $0.1 == s.reason }) { groups[i].2.append(s.partition) }
            else { groups.append((s.op, s.reason, [s.partition])) }
        }
        for (op, reason, parts) in groups {
            let shown = parts.count <= 4 ? parts.joined(separator: ", ") : parts.prefix(3).joined(separator: ", ") + " and \(parts.count - 3) more"
            Output.line("    \(op) for \(shown): \(reason)")
        }
        for s in plan.shards { Output.line("    rewrite \(s)") }
    }
}
