import SDSSensors

/// The operators of the wearable slice with the spec's parameters, and their versions.
///
/// A step key holds only what its operator reads, so each operator gets its own parameter
/// value here. Changing an operator's output needs a version bump in SDSSensors; the
/// golden build-id test notices a forgotten one.
struct WearableOperators {
    var hrSchema: LongCSVSchema
    var stepsSchema: LongCSVSchema
    var labelSchema: LongCSVSchema?
    var hrClean: CleanParameters
    var stepsClean: CleanParameters
    var hrGrid: GridParameters
    var stepsGrid: GridParameters
    var hrFill: FillParameters
    var windows: WindowParameters
    var tensors: TensorParameters
    var labels: LabelParameters
    var caption: CaptionTemplate
    var assembly: AssemblyParameters
    var splits: SplitParameters

    /// Every operator name with its version, for the manifest's code section.
    static let versions: [String: Int] = [
        LongCSVReader.operatorName: LongCSVReader.operatorVersion,
        SeriesCleaner.operatorName: SeriesCleaner.operatorVersion,
        MinuteGrid.operatorName: MinuteGrid.operatorVersion,
        ForwardFill.operatorName: ForwardFill.operatorVersion,
        DayWindowing.operatorName: DayWindowing.operatorVersion,
        TensorBuilder.operatorName: TensorBuilder.operatorVersion,
        CaptionRenderer.operatorName: CaptionRenderer.operatorVersion,
        LabelJoin.operatorName: LabelJoin.operatorVersion,
        ExampleAssembly.operatorName: ExampleAssembly.operatorVersion,
        SplitAssigner.operatorName: SplitAssigner.operatorVersion,
        RecordChunk.operatorName: RecordChunk.operatorVersion,
        ShardAssembly.operatorName: ShardAssembly.operatorVersion,
        WindowCounts.wearableName: WindowCounts.version,
    ]

    /// Maps the spec (already validated for syntax) onto operator parameters.
    init(spec: Spec) throws {
        guard spec.sources.count == 2, spec.sources.allSatisfy({ $0.channels.count == 1 }) else {
            throw StepCodec.error(SensorError(.invalidParameter,
                "this version builds one heart-rate-like source and one steps-like source, each with one channel",
                file: Spec.fileName, line: 1, column: 1))
        }
        let hr = spec.sources[0], steps = spec.sources[1]
        let hrAlign = spec.alignment.first { $0.channel == hr.channels[0].name }
        let stepsAlign = spec.alignment.first { $0.channel == steps.channels[0].name }
        guard let hrAlign, let stepsAlign else {
            throw StepCodec.error(SensorError(.invalidParameter, "grid.channels needs an entry for every channel",
                                              file: Spec.fileName, line: 1, column: 1))
        }
        func clean(_ c: Spec.Channel) -> CleanParameters {
            CleanParameters(column: c.column, validMin: c.valid.map { Double($0.lowerBound) },
                            validMax: c.valid.map { Double($0.upperBound) },
                            duplicates: c.duplicates == "first" ? .keepFirst : .keepAll)
        }
        hrSchema = LongCSVSchema(entityColumn: hr.entity, timeColumn: hr.time,
                                 valueColumns: [ValueColumn(hr.channels[0].column, .int64)])
        stepsSchema = LongCSVSchema(entityColumn: steps.entity, timeColumn: steps.time,
                                    valueColumns: [ValueColumn(steps.channels[0].column, .int64)])
        let label = spec.labels.first
        labelSchema = label.map {
            LongCSVSchema(entityColumn: $0.entity, timeColumn: $0.date, timeFormat: .date,
                          valueColumns: [ValueColumn($0.column, .double)])
        }
        hrClean = clean(hr.channels[0])
        stepsClean = clean(steps.channels[0])
        hrGrid = GridParameters(aggregation: hrAlign.resample == "mean" ? .mean : .sum)
        stepsGrid = GridParameters(aggregation: stepsAlign.resample == "mean" ? .mean : .sum)
        hrFill = FillParameters(maxGap: hrAlign.fillMaxGapMinutes ?? 0)
        let names = [hr.channels[0].name, steps.channels[0].name]
        windows = WindowParameters(channelNames: names,
                                   coverageChannel: names.firstIndex(of: spec.windows.coverageChannel) ?? 0,
                                   minimumCoverage: spec.windows.minCoverageMinutes)
        func scaling(_ a: Spec.Alignment) -> ChannelScaling {
            a.normalize.map { .standardize(mean: $0.mean, std: $0.std) } ?? .identity
        }
        tensors = TensorParameters(scaling: [scaling(hrAlign), scaling(stepsAlign)])
        labels = LabelParameters(column: label?.column ?? "", missingValue: label?.missing ?? -1)
        let template = try StepCodec.sensors { () throws(SensorError) in try CaptionTemplate(spec.captionTemplate) }
        try StepCodec.sensors { () throws(SensorError) in try template.validate(channelNames: names) }
        caption = template
        var names2 = ExampleNames()
        if let label { names2.label = label.feature; names2.labelPresent = label.presentFeature }
        assembly = AssemblyParameters(names: names2,
                                      dataset: spec.constants.first { $0.name == "dataset" }?.value ?? spec.dataset.name)
        splits = try spec.splits.parameters()
    }
}

/// Concatenates the record chunks of a shard's subjects (entity order) into one shard file.
enum ShardAssembly {
    static let operatorName = "tfrecord.shard"
    static let operatorVersion = 1
}
