import SDSCore

/// The pipeline spec (`sds.yaml`): what to read, how to align, window, label, caption and shard.
///
/// Each operator reads only its own part of the spec, so a step's cache key holds
/// only the parameters that can change its output (editing the caption template
/// does not touch resampling keys).
public struct Spec: Sendable, Equatable {
    public struct Dataset: Sendable, Equatable {
        public var name: String
        public var version: String
        public var description: String
    }

    /// A long-format CSV source: one measurement a row.
    public struct Source: Sendable, Equatable {
        public var name: String
        public var path: String
        public var entity: String
        public var time: String
        public var channels: [Channel]
    }

    public struct Channel: Sendable, Equatable {
        public var name: String
        public var column: String
        public var valid: ClosedRange<Int64>?
        public var duplicates: String
    }

    /// A label table joined by entity and date.
    public struct Label: Sendable, Equatable {
        public var name: String
        public var path: String
        public var entity: String
        public var date: String
        public var column: String
        public var feature: String
        public var missing: Double
        public var presentFeature: String
    }

    /// How a channel is put on the grid.
    public struct Alignment: Sendable, Equatable {
        public var channel: String
        public var resample: String
        public var fillMaxGapMinutes: Int?
        public var normalize: (mean: Double, std: Double)?

        public static func == (a: Alignment, b: Alignment) -> Bool {
            a.channel == b.channel && a.resample == b.resample && a.fillMaxGapMinutes == b.fillMaxGapMinutes
                && a.normalize?.mean == b.normalize?.mean && a.normalize?.std == b.normalize?.std
        }
    }

    public struct Windows: Sendable, Equatable {
        public var coverageChannel: String
        public var minCoverageMinutes: Int
    }

    public struct Splits: Sendable, Equatable {
        public var salt: String
        /// Cumulative percent boundaries, in order: train < 80, validation < 90, test.
        public var names: [String]
        public var percents: [Int]
        public var shards: [Int]
    }

    public var dataset: Dataset
    public var sources: [Source]
    public var labels: [Label]
    public var alignment: [Alignment]
    public var windows: Windows
    public var captionTemplate: String
    public var splits: Splits
    public var sensorChannels: [String]
    public var constants: [(name: String, value: String)]
    public var outputDirectory: String
    /// User code run as steps (`steps:`), in document order.
    public var runSteps: [RunStep] = []
    /// The general pipeline, for a spec with `studies:`; the wearable fields above are then empty.
    public var frames: FrameSpec?
    /// The columns each CSV input must have, checked against its header before a build.
    public var inputColumns: [InputColumns] = []
    /// The shard formats (`output: {formats: …}`) and their options.
    public var output = OutputFormats()

    public static func == (a: Spec, b: Spec) -> Bool {
        a.dataset == b.dataset && a.sources == b.sources && a.labels == b.labels && a.alignment == b.alignment
            && a.windows == b.windows && a.captionTemplate == b.captionTemplate && a.splits == b.splits
            && a.sensorChannels == b.sensorChannels && a.constants.map(\.name) == b.constants.map(\.name)
            && a.constants.map(\.value) == b.constants.map(\.value) && a.outputDirectory == b.outputDirectory
            && a.runSteps == b.runSteps && a.frames?.fingerprint == b.frames?.fingerprint && a.output == b.output
    }
}
