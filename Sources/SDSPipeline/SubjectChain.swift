import SDSCore
import SDSSensors
import SDSStore

/// The steps of one subject, from its partitions to its encoded records.
struct SubjectChain: Sendable {
    let runner: StepRunner
    let store: ObjectStore
    let ops: WearableOperators
    let versionOverrides: [String: Int]
    /// The sources' names (heart rate, steps, labels), for the report's row counts.
    var sourceNames: [String] = []

    /// `hrPartition`, when given, is the decoded content of `hr` (just parsed, not re-read).
    /// The chain's steps go to `log`, not to the runner's trace.
    func run(entity e: String, hr: ObjectID, hrPartition: SensorPartition? = nil, steps: ObjectID?, labels: ObjectID?,
             log: StepLog) throws -> ObjectID {
        let none = ObjectID.empty
        // Results made in this chain are handed on in memory, decoded, instead of re-read
        // from the store and decoded again.
        var made: [ObjectID: any ChainValue] = [:]
        func step<T: ChainValue>(_ name: String, _ version: Int, _ params: [UInt8], _ inputs: [ObjectID],
                                 _ body: () throws -> T) throws -> ObjectID {
            var value: T?
            let id = try runner.run(op: name, version: versionOverrides[name] ?? version, params: StepCodec.params(params),
                                    inputs: inputs, partition: e, log: log) {
                value = try body()
                return value!.encoded()
            }
            if let value { made[id] = value }
            return id
        }
        func load<T>(_ id: ObjectID, _ decode: ([UInt8]) throws(SensorError) -> T) throws -> T {
            if let value = made[id] as? T { return value }
            let bytes = try store.read(id)
            return try StepCodec.sensors { () throws(SensorError) in try decode(bytes) }
        }
        let hrClean = try step(SeriesCleaner.operatorName, SeriesCleaner.operatorVersion, ops.hrClean.encoded(), [hr]) {
            try StepCodec.sensors { () throws(SensorError) in
                let partition = if let hrPartition { hrPartition } else { try SensorPartition(decoding: try store.readSensors(hr)) }
                return try SeriesCleaner.clean(partition, ops.hrClean)
            }
        }
        let hrGrid = try step(MinuteGrid.operatorName, MinuteGrid.operatorVersion, ops.hrGrid.encoded(), [hrClean]) {
            MinuteGrid.resample(try load(hrClean, CleanedSeries.init(decoding:)), ops.hrGrid)
        }
        let hrFilled = try step(ForwardFill.operatorName, ForwardFill.operatorVersion, ops.hrFill.encoded(), [hrGrid]) {
            ForwardFill.fill(try load(hrGrid, DayGrid.init(decoding:)), ops.hrFill)
        }
        var stepsGrid = none, stepsClean = none
        if let steps {
            let cleaned = try step(SeriesCleaner.operatorName, SeriesCleaner.operatorVersion, ops.stepsClean.encoded(), [steps]) {
                try StepCodec.sensors { () throws(SensorError) in
                    try SeriesCleaner.clean(try SensorPartition(decoding: try store.readSensors(steps)), ops.stepsClean)
                }
            }
            stepsGrid = try step(MinuteGrid.operatorName, MinuteGrid.operatorVersion, ops.stepsGrid.encoded(), [cleaned]) {
                MinuteGrid.resample(try load(cleaned, CleanedSeries.init(decoding:)), ops.stepsGrid)
            }
            stepsClean = cleaned
        }
        let windows = try step(DayWindowing.operatorName, DayWindowing.operatorVersion, ops.windows.encoded(), [hrFilled, stepsGrid]) {
            let a = try load(hrFilled, DayGrid.init(decoding:))
            let b = stepsGrid == none ? DayGrid(entity: e, days: [], values: [], present: []) : try load(stepsGrid, DayGrid.init(decoding:))
            return try StepCodec.sensors { () throws(SensorError) in try DayWindowing.select([a, b], ops.windows) }
        }
        // The report's numbers: rows read and set aside by cleaning per source, days made and kept.
        let names: [UInt8] = sourceNames.flatMap { Array($0.utf8) + [UInt8(0)] }
        _ = try step(WindowCounts.wearableName, WindowCounts.version, ops.windows.encoded() + names,
                     [hr, steps ?? none, labels ?? none, hrClean, stepsClean, hrFilled, stepsGrid, windows]) {
            func rows(_ id: ObjectID?) throws -> Int {
                guard let id, id != none else { return 0 }
                if id == hr, let hrPartition { return hrPartition.rowCount }
                return try load(id, SensorPartition.init(decoding:)).rowCount
            }
            func setAside(_ id: ObjectID) throws -> Int {
                guard id != none else { return 0 }
                let d = try load(id, CleanedSeries.init(decoding:)).dropped
                return d.belowMin + d.aboveMax + d.notANumber + d.duplicateTime
            }
            let grids = try [hrFilled, stepsGrid].map { $0 == none ? nil : try load($0, DayGrid.init(decoding:)) }
            let coverage = grids[ops.windows.coverageChannel]
            let made = coverage?.days.count ?? 0
            let keptDays = try load(windows, DayWindows.init(decoding:)).days
            var counts = WindowCounts(windows: made, dropped: [made - keptDays.count])
            // Each candidate day: minutes present per channel, dropped by min_coverage or kept.
            counts.channels = ops.windows.channelNames
            let kept = Set(keptDays)
            counts.detail = (coverage?.days ?? []).map { day in
                WindowCoverage(window: CivilTime.dateString(day: Int64(day)),
                               present: grids.map { g in g.flatMap { g in g.index(of: day).map { g.presentCount(day: $0) } } ?? 0 },
                               slots: grids.map { _ in CivilTime.minutesPerDay }, droppedBy: kept.contains(day) ? nil : 0)
            }
            let ids: [ObjectID?] = [hr, steps, labels], cleaned = [hrClean, stepsClean, none]
            for (i, name) in sourceNames.enumerated() where i < ids.count {
                counts.rows[name] = try rows(ids[i])
                counts.setAside[name] = try setAside(cleaned[i])
            }
            return counts.json.canonical()
        }
        let tensors = try step(TensorBuilder.operatorName, TensorBuilder.operatorVersion, ops.tensors.encoded(), [windows]) {
            let w = try load(windows, DayWindows.init(decoding:))
            return try StepCodec.sensors { () throws(SensorError) in try TensorBuilder.build(w, ops.tensors) }
        }
        let captions = try step(CaptionRenderer.operatorName, CaptionRenderer.operatorVersion, ops.caption.encoded(), [windows]) {
            let w = try load(windows, DayWindows.init(decoding:))
            return try StepCodec.sensors { () throws(SensorError) in try CaptionRenderer.render(w, template: ops.caption) }
        }
        let joined = try step(LabelJoin.operatorName, LabelJoin.operatorVersion, ops.labels.encoded(), [windows, labels ?? none]) {
            let w = try load(windows, DayWindows.init(decoding:))
            let l = try labels.map { try load($0, SensorPartition.init(decoding:)) }
            return try StepCodec.sensors { () throws(SensorError) in try LabelJoin.join(w, labels: l, ops.labels) }
        }
        let examples = try step(ExampleAssembly.operatorName, ExampleAssembly.operatorVersion, ops.assembly.encoded(),
                                [tensors, captions, joined]) {
            let t = try load(tensors, DayTensors.init(decoding:))
            let c = try load(captions, DayCaptions.init(decoding:))
            let l = try load(joined, DayLabels.init(decoding:))
            return try StepCodec.sensors { () throws(SensorError) in try ExampleAssembly.assemble(tensors: t, captions: c, labels: l, ops.assembly) }
        }
        return try step(RecordChunk.operatorName, RecordChunk.operatorVersion, [], [examples]) {
            try RecordChunk.encode(try load(examples, DayExamples.init(decoding:)), names: ops.assembly.names, store: store).json.canonical()
        }
    }
}

/// A step result that a chain hands on in memory; `encoded()` is its stored form.
protocol ChainValue { func encoded() -> [UInt8] }
extension CleanedSeries: ChainValue {}
extension DayGrid: ChainValue {}
extension DayWindows: ChainValue {}
extension DayTensors: ChainValue {}
extension DayCaptions: ChainValue {}
extension DayLabels: ChainValue {}
extension DayExamples: ChainValue {}
extension Array: ChainValue where Element == UInt8 {
    func encoded() -> [UInt8] { self }
}

extension ObjectStore {
    /// Reads an object for an operator that takes raw bytes.
    func readSensors(_ id: ObjectID) throws(SensorError) -> [UInt8] {
        do { return try read(id) } catch {
            throw SensorError(.corruptObject, "\(error)")
        }
    }
}
