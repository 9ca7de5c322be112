import SDSSensors

/// The general pipeline of a spec with `studies:`: readers per source, and per study a chain
/// of frame operators, windows, joins, filters, a caption and example features.
///
/// The planner only walks these lists; each operator brings its own parameters and version,
/// so adding one touches its spec binding (`FrameTransformCatalog`) and nothing else.
public struct FrameSpec: Sendable {
    /// A raw input file and how to read it into partitions.
    public struct Source: Sendable {
        public var name: String
        public var path: String
        public var reader: TableReader
        /// Cleaning of this source's partitions before any merge or join (`clean:`).
        public var clean: FrameClean?
        /// How many rows the read may set aside before the build fails (`max_bad_rows:`).
        public var maxBadRows: BadRowLimit = .default
        /// Rules its rows must keep (`contracts:`), checked after the read; nil without them.
        public var contracts: TableContracts?

        /// The frame of a partition this source has no rows for: its columns, no rows, so a
        /// study merging it still has every column it names.
        func emptyFrame(_ partition: String) -> Frame {
            var columns = reader.settings.columns.map { c in
                FrameColumn(c.name, c.type == .text ? .text([]) : .double([]))
            }
            if let w = reader.settings.wide { columns.append(FrameColumn(w.value, .double([]))) }
            return Frame(partition: partition, time: [], columns: columns)
        }
    }

    /// A label or attribute taken from another source's same partition.
    public struct Join: Sendable {
        public enum Kind: Sendable { case label(WindowLabelJoin), attribute(AttributeJoin) }
        public var source: String
        public var kind: Kind

        /// The window scalar it adds.
        var scalarName: String {
            switch kind {
            case .label(let j): return j.name
            case .attribute(let j): return j.name
            }
        }
        var name: String {
            switch kind {
            case .label: return WindowLabelJoin.name
            case .attribute: return AttributeJoin.name
            }
        }
        var version: Int {
            switch kind {
            case .label: return WindowLabelJoin.version
            case .attribute: return AttributeJoin.version
            }
        }
        func parameters() -> [UInt8] {
            switch kind {
            case .label(let j): return j.parameters()
            case .attribute(let j): return j.parameters()
            }
        }
        func apply(_ w: WindowedPartition, table: Frame?) throws(SensorError) -> WindowedPartition {
            switch kind {
            case .label(let j): return try j.apply(w, table: table)
            case .attribute(let j): return try j.apply(w, table: table)
            }
        }
    }

    /// One study: sources merged per partition, transformed, windowed and turned into examples.
    public struct Study: Sendable {
        public var name: String
        /// Sources whose partitions are merged (outer join on time) into one frame.
        public var inputs: [String]
        public var transforms: [any FrameOperator]
        public var statistics: PartitionStatistics?
        public var windowing: Windowing
        public var joins: [Join]
        public var filter: WindowFilter?
        public var maxSubjects: Int?
        public var caption: WindowCaption?
        public var examples: WindowExampleAssembly
        /// Fewer examples than this fail the build (`min_examples:`).
        public var minExamples = 1
    }

    public var sources: [Source]
    public var studies: [Study]
    public var subjectSalt: String

    public func source(_ name: String) -> Source? { sources.first { $0.name == name } }

    /// Every operator of the general pipeline with its version, for the manifest's code section.
    public static var versions: [String: Int] {
        var v: [String: Int] = [
            TableReader.name: TableReader.version, FrameMerge.name: FrameMerge.version,
            Windowing.name: Windowing.version, WindowLabelJoin.name: WindowLabelJoin.version,
            AttributeJoin.name: AttributeJoin.version, WindowFilter.name: WindowFilter.version,
            WindowCaption.name: WindowCaption.version, WindowExampleAssembly.name: WindowExampleAssembly.version,
            PartitionStatistics.name: PartitionStatistics.version,
            StatisticsTables.operatorName: StatisticsTables.operatorVersion,
            RecordChunk.operatorName: RecordChunk.operatorVersion, ShardAssembly.operatorName: ShardAssembly.operatorVersion,
            WindowCounts.frameName: WindowCounts.version,
        ]
        for b in FrameTransformCatalog.all { v[b.operatorName] = b.version }
        return v
    }

    /// The contracts check's version, listed only when a source has contracts, so builds
    /// without them keep their ids.
    var contractVersions: [String: Int] {
        sources.contains { $0.contracts != nil } ? [TableContracts.name: TableContracts.version] : [:]
    }
}

extension FrameSpec {
    /// Every parameter byte of the pipeline, in order: equal for equal pipelines.
    var fingerprint: [UInt8] {
        var out: [UInt8] = Array(subjectSalt.utf8)
        for s in sources { out += Array("\(s.name)\0\(s.path)\0".utf8) + s.reader.parameters() + (s.clean?.parameters() ?? []) + (s.contracts?.parameters() ?? []) }
        for st in studies {
            out += Array("\(st.name)\0\(st.inputs.joined(separator: "\0"))\0".utf8)
            for t in st.transforms { out += t.parameters() }
            out += st.statistics?.parameters() ?? []
            out += st.windowing.parameters()
            for j in st.joins { out += Array(j.source.utf8) + j.parameters() }
            out += st.filter?.parameters() ?? []
            out += Array("\(st.maxSubjects ?? 0)".utf8)
            out += st.caption?.parameters() ?? []
            out += st.examples.parameters()
        }
        return out
    }
}
