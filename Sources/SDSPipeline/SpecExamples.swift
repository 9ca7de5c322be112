/// One-line examples of spec keys, shown when a key is missing or has the wrong shape.
///
/// Patterns are dotted spec paths with list indices dropped; `*` stands for a name the user
/// chose (a source, study, label, channel or step). docs/spec.md describes every key in full.
enum SpecExamples {
    static let table: [(pattern: String, example: String)] = [
        ("dataset", "dataset: {name: fitbit_daily, version: 1.0.0}"),
        ("dataset.name", "name: fitbit_daily"),
        ("dataset.version", "version: 1.0.0"),
        ("sources", "sources: {hr: {path: data/heart_rate.csv, partition: subject_id, time: time}}"),
        ("sources.*.path", "path: data/heart_rate.csv"),
        ("sources.*.time", "time: time"),
        ("splits", "splits: {salt: \"v1:\", percent: {train: 80, test: 20}, shards: {train: 4, test: 1}}"),
        ("splits.percent", "percent: {train: 80, validation: 10, test: 10}"),
        ("splits.shards", "shards: {train: 8, validation: 1, test: 1}"),
        ("output", "output: out"),
        ("steps.*.run", "run: python3 scripts/convert.py {in} {out}"),
        ("steps.*.outputs", "outputs: labels.csv"),
        ("steps.*.per_partition.entity", "entity: subject_id"),
        ("studies", "studies: {daily: {inputs: [steps], windows: {length: 1d, features: {steps: {step: 1m, aggregate: sum}}}}}"),
        ("studies.*.inputs", "inputs: [steps, calories]"),
        ("studies.*.windows", "windows: {length: 1d, align: calendar_day, features: {steps: {step: 1m, aggregate: sum}}}"),
        ("studies.*.windows.features.*.step", "step: 1m"),
        ("studies.*.labels.*.source", "source: sleep"),
        ("studies.*.labels.*.column", "column: minutes_asleep"),
        ("studies.*.attributes.*.source", "source: weight"),
        ("studies.*.attributes.*.column", "column: bmi"),
        ("studies.*.caption.template", "template: \"Day {start:date}: {steps.sum:%.0f} steps\""),
        ("studies.*.features.scalars.*.feature", "feature: label/minutes_asleep"),
        ("sources.*.time.column", "column: ActivityHour"),
        ("sources.*.wide.pattern", "pattern: \"Steps{index}\""),
        ("sources.*.wide.value", "value: steps"),
        ("sources.*.wide.step", "step: 1m"),
        ("studies.*.transforms.pivot.keys", "keys: [field, robot_id]"),
        ("studies.*.transforms.pivot.value", "value: value"),
        ("studies.*.transforms.pivot.name", "name: \"{field}_{robot_id}\""),
        ("studies.*.transforms.unpivot.columns", "columns: [x, y, z]"),
        ("studies.*.transforms.unpivot.key", "key: axis"),
        ("studies.*.transforms.unpivot.value", "value: position"),
        ("studies.*.transforms.resample.step", "step: 1s"),
        ("studies.*.transforms.fill.columns", "columns: {x_1: {method: linear, max_gap: 5s}}"),
        ("studies.*.transforms.fill.columns.*.max_gap", "max_gap: 5s"),
        ("studies.*.transforms.difference.columns", "columns: [x_1, y_1]"),
        ("studies.*.transforms.difference.names", "names: [vx_1, vy_1]"),
        ("studies.*.transforms.magnitude.columns", "columns: [vx_1, vy_1, vz_1]"),
        ("studies.*.transforms.magnitude.name", "name: v1"),
        ("studies.*.transforms.rolling.column", "column: f1"),
        ("studies.*.transforms.rolling.name", "name: f1_mean"),
        ("studies.*.transforms.rolling.window", "window: 10s"),
        ("studies.*.transforms.expression.name", "name: f"),
        ("studies.*.transforms.expression.expression", "expression: \"(fz_1 + fz_2) / 2\""),
    ]

    /// The example for the key at `path` (`studies.fitbit.transforms[2].pivot.keys`), if any.
    static func example(for path: String) -> String? {
        let parts = stripIndices(path).split(separator: ".").map(String.init)
        return table.first { entry in
            let p = entry.pattern.split(separator: ".")
            return p.count == parts.count && zip(p, parts).allSatisfy { $0 == "*" || $0 == $1 }
        }?.example
    }

    private static func stripIndices(_ path: String) -> String {
        var out = "", inIndex = false
        for c in path {
            if c == "[" { inIndex = true } else if c == "]" { inIndex = false } else if !inIndex { out.append(c) }
        }
        return out
    }
}
