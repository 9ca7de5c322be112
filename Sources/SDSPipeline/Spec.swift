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

    /// An input file a source reads (the reader itself is in `frames`).
    public struct Source: Sendable, Equatable {
        public var name: String
        public var path: String
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
    public var splits: Splits
    public var outputDirectory: String
    /// User code run as steps (`steps:`), in document order.
    public var runSteps: [RunStep] = []
    /// The pipeline: sources' readers and the studies' frame operators. Set by `parse`.
    public var frames: FrameSpec?
    /// The columns each CSV input must have, checked against its header before a build.
    public var inputColumns: [InputColumns] = []
    /// The shard formats (`output: {formats: …}`) and their options.
    public var output = OutputFormats()

    public static func == (a: Spec, b: Spec) -> Bool {
        a.dataset == b.dataset && a.sources == b.sources && a.splits == b.splits && a.outputDirectory == b.outputDirectory
            && a.runSteps == b.runSteps && a.frames?.fingerprint == b.frames?.fingerprint && a.output == b.output
    }
}
