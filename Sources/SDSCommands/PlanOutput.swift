import SDSCore
import SDSPipeline

/// Renders a build plan (`sds build --dry-run`, `sds status`).
enum PlanOutput {
    static func json(_ plan: BuildPlan) -> JSON {
        .object([
            "up_to_date": .bool(plan.upToDate),
            "build": plan.buildID.map { .string($0.hex) } ?? .null,
            "lock": .string(plan.lockPath),
            "lock_would_change": .bool(plan.lockWouldChange),
            "unknown_after_run_step": .bool(plan.unknown),
            "steps": .array(plan.steps.map {
                .object(["op": .string($0.op), "partition": .string($0.partition), "reason": .string($0.reason)])
            }),
            "steps_to_run": .int(Int64(plan.steps.count)),
            "steps_reused": .int(Int64(plan.reused)),
            "shards": .array(plan.shards.map { .string($0) }),
            "restored": .array(plan.restored.map { .string($0) }),
            "removed": .array(plan.removed.map { .string($0) }),
        ])
    }

    /// The one-line verdict: what the next build changes, in the build's own counts.
    static func summary(_ plan: BuildPlan) -> String {
        if plan.upToDate { return "build: up to date (\(plan.lockPath) and the output folder match what a build would make)" }
        let n = plan.steps.count
        var steps = "\(n) step\(n == 1 ? "" : "s") to run" + (plan.reused > 0 ? " (\(plan.reused) reused)" : "")
        if plan.unknown { steps = "at least " + steps + ", as a run step runs first and the rest depends on its output" }
        let restored = plan.restored.count, written = plan.shards.count - restored
        var files: [String] = []
        if restored > 0 { files.append("\(restored) file\(restored == 1 ? "" : "s") to restore from the store") }
        if written > 0 { files.append("\(written) file\(written == 1 ? "" : "s") to write") }
        if !plan.removed.isEmpty { files.append("\(plan.removed.count) file\(plan.removed.count == 1 ? "" : "s") to remove") }
        if files.isEmpty { files.append("the output folder stays as it is") }
        let head = plan.lockWouldChange ? "\(plan.lockPath) would change" : "\(plan.lockPath) stays, the output folder differs"
        return "build: \(head): \(steps), " + files.joined(separator: ", ")
    }

    static func print(_ plan: BuildPlan, json asJSON: Bool) {
        if asJSON { return Output.line(String(decoding: json(plan).canonical(), as: UTF8.self)) }
        Output.line(summary(plan))
        if plan.upToDate { return }
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
        let restored = Set(plan.restored)
        for s in plan.shards { Output.line(restored.contains(s) ? "    restore \(s)" : "    write \(s)") }
        for s in plan.removed { Output.line("    remove \(s)") }
    }
}
