import Dispatch

/// The benchmark job of WORKLOAD.md (wearable CSVs → day windows), composed from the operators.
///
/// A convenience for tests, benchmarks and the demo: it takes already-read partitions and
/// runs every step in memory. The build pipeline calls the same operators one by one.
public enum WearableJob {
    /// Every parameter of the job; `standard` is WORKLOAD.md's.
    public struct Parameters: Sendable {
        public var hrClean = CleanParameters(column: "bpm", validMin: 30, validMax: 220, duplicates: .keepFirst)
        public var stepsClean = CleanParameters(column: "steps")
        public var hrGrid = GridParameters(aggregation: .mean)
        public var stepsGrid = GridParameters(aggregation: .sum)
        public var hrFill = FillParameters(maxGap: 5)
        public var windows = WindowParameters(channelNames: ["hr", "steps"], coverageChannel: 0, minimumCoverage: 720)
        public var tensors = TensorParameters(scaling: [.standardize(mean: 70, std: 15), .identity])
        public var labels = LabelParameters(column: "minutes_asleep", missingValue: -1)
        public var caption: CaptionTemplate
        public var assembly = AssemblyParameters(dataset: "synthetic")
        public var splits: SplitParameters

        public static var standard: Parameters {
            // Constant, valid inputs: these cannot throw.
            let caption = try! CaptionTemplate(
                "Day {date}: mean heart rate {hr_mean} bpm (min {hr_min}, max {hr_max}), {steps_sum} steps, {hr_coverage}% heart-rate coverage.")
            let splits = try! SplitParameters(salt: "sds-split:", rules: [
                SplitRule(name: "train", upperBound: 80, shardCount: 8),
                SplitRule(name: "validation", upperBound: 90, shardCount: 2),
                SplitRule(name: "test", upperBound: 100, shardCount: 2),
            ])
            return Parameters(caption: caption, splits: splits)
        }
    }

    public static let heartRateSchema = LongCSVSchema(entityColumn: "subject_id", timeColumn: "time",
                                                      valueColumns: [ValueColumn("bpm", .int64)])
    public static let stepsSchema = LongCSVSchema(entityColumn: "subject_id", timeColumn: "time",
                                                  valueColumns: [ValueColumn("steps", .int64)])
    public static let sleepLabelSchema = LongCSVSchema(entityColumn: "subject_id", timeColumn: "date", timeFormat: .date,
                                                       valueColumns: [ValueColumn("minutes_asleep", .double)])

    /// Runs steps 1–7 and assembly for one subject.
    public static func examples(heartRate: SensorPartition, steps: SensorPartition?, labels: SensorPartition?,
                                _ p: Parameters) throws(SensorError) -> DayExamples {
        let hr = try SeriesCleaner.clean(heartRate, p.hrClean)
        let hrGrid = ForwardFill.fill(MinuteGrid.resample(hr, p.hrGrid), p.hrFill)
        let stepsGrid: DayGrid
        if let steps {
            stepsGrid = MinuteGrid.resample(try SeriesCleaner.clean(steps, p.stepsClean), p.stepsGrid)
        } else {
            stepsGrid = DayGrid(entity: heartRate.entity, days: [], values: [], present: [])
        }
        let windows = try DayWindowing.select([hrGrid, stepsGrid], p.windows)
        let tensors = try TensorBuilder.build(windows, p.tensors)
        let captions = try CaptionRenderer.render(windows, template: p.caption)
        let dayLabels = try LabelJoin.join(windows, labels: labels, p.labels)
        return try ExampleAssembly.assemble(tensors: tensors, captions: captions, labels: dayLabels, p.assembly)
    }

    /// One output shard: its split, index, and examples in (entity, date) order.
    public struct Shard: Sendable {
        public var split: String
        public var index: Int
        public var count: Int
        public var examples: [DayExample]
    }

    /// Runs the job for every heart-rate partition and groups the examples into shards.
    ///
    /// - Returns: every shard of every split (empty ones too), splits in rule order, shards
    ///   by index. Subjects without heart-rate rows have no examples.
    public static func shards(heartRate: [SensorPartition], steps: [SensorPartition], labels: [SensorPartition],
                              _ p: Parameters, jobs: Int = 1) throws(SensorError) -> [Shard] {
        let subjects = heartRate.sorted { $0.entity.utf8.lexicographicallyPrecedes($1.entity.utf8) }
        let stepsBy = Dictionary(steps.map { ($0.entity, $0) }, uniquingKeysWith: { a, _ in a })
        let labelsBy = Dictionary(labels.map { ($0.entity, $0) }, uniquingKeysWith: { a, _ in a })
        let results = ResultSlots(count: subjects.count)
        let work: @Sendable (Int) -> Void = { i in
            let s = subjects[i]
            do throws(SensorError) {
                results.set(i, .success(try examples(heartRate: s, steps: stepsBy[s.entity], labels: labelsBy[s.entity], p)))
            } catch {
                results.set(i, .failure(error))
            }
        }
        if jobs <= 1 {
            for i in subjects.indices { work(i) }
        } else {
            DispatchQueue.concurrentPerform(iterations: subjects.count, execute: work)
        }
        var shards: [Shard] = []
        var first: [Int] = []
        for rule in p.splits.rules {
            first.append(shards.count)
            for i in 0..<rule.shardCount {
                shards.append(Shard(split: rule.name, index: i, count: rule.shardCount, examples: []))
            }
        }
        for (i, s) in subjects.enumerated() {
            let dayExamples = try results.values[i]!.get()
            let a = SplitAssigner.assign(entity: s.entity, p.splits)
            shards[first[a.splitIndex] + a.shard].examples += dayExamples.examples
        }
        return shards
    }
}

/// Per-subject results written by worker threads, one slot each.
private final class ResultSlots: @unchecked Sendable {
    private(set) var values: [Result<DayExamples, SensorError>?]
    private let lock = DispatchSemaphore(value: 1)

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ value: Result<DayExamples, SensorError>) {
        lock.wait()
        values[i] = value
        lock.signal()
    }
}
