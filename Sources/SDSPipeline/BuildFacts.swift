import Glibc
import SDSCatalog
import SDSCore
import SDSStore

/// Typed reads of what a build recorded, for `sds report` (and any reader that wants values,
/// not JSON keys): the manifest's shards, lineage, bad rows, report and statistics, and the
/// small step results that hold each window's coverage. Nothing here reads input data.
extension RecordedBuild {
    public var datasetName: String { self["dataset"]?["name"]?.string ?? "?" }
    public var datasetVersion: String { self["dataset"]?["version"]?.string ?? "?" }
    public var specID: String? { self["spec"]?.string }
    public var sdsVersion: String { self["code"]?["sds"]?.string ?? "?" }
    public var operatorVersions: [String: Int] { (self["code"]?["operators"]?.object ?? [:]).compactMapValues(\.int) }

    /// The shards in manifest order (split, then index; TFRecord before ArrayRecord).
    public var shards: [Builder.Shard] {
        (self["shards"]?.array ?? []).map { s in
            Builder.Shard(split: s["split"]?.string ?? "?", index: s["index"]?.int ?? 0, count: 0, file: s["file"]?.string ?? "?",
                          id: s["id"]?.string.flatMap(ObjectID.init(hex:)) ?? .empty, examples: s["examples"]?.int ?? 0,
                          exampleBytes: s["example_bytes"]?.int ?? 0, partitions: s["partitions"]?.array.compactMap(\.string) ?? [])
        }
    }

    /// Entity → the partitions of its sources, with the input object and line range of each.
    public var partitionSources: [String: [Builder.PartitionSource]] {
        (self["partitions"]?.object ?? [:]).mapValues { list in
            list.array.compactMap { Lineage.partitionSource($0.object) }
        }
    }

    /// Rows set aside as bad data, by reason (sorted), each with its first `file:line`s.
    public var badRows: [BadRows] {
        (self["quarantine"]?.object ?? [:]).sorted { FileIO.bytewiseLess($0.key, $1.key) }.map { reason, v in
            BadRows(reason: reason, rows: v["rows"]?.int ?? 0, first: v["first"]?.array.compactMap(\.string) ?? [])
        }
    }

    /// The build report (nil for builds recorded before it existed).
    public var buildReport: BuildReport? { BuildReport(json: self["report"]) }

    /// Per split and feature, what the build computed (see `FeatureSummary`).
    public var featureStatistics: [SplitStatistics] { SplitStatistics.parse(self["statistics"]) }

    /// Other files of the output folder (statistics tables), name → object id.
    public var outputFiles: [String: String] { (self["files"]?.object ?? [:]).compactMapValues(\.string) }

    /// Each partition's windows with their coverage per channel and the filter rule that dropped
    /// them, read from its window-counts step result; partitions in entity order. Builds made
    /// before the step kept windows (version 1) give partitions with no windows listed.
    public func windowCoverage(_ store: ObjectStore) throws -> [PartitionWindows] {
        var out: [PartitionWindows] = []
        for s in steps where s.op == WindowCounts.frameName || s.op == WindowCounts.wearableName {
            guard let id = ObjectID(hex: s.result) else { continue }
            let c = try WindowCounts(decoding: try store.read(id))
            out.append(PartitionWindows(entity: s.partition, made: c.windows, dropped: c.dropped,
                                        channels: c.channels, windows: c.detail, detailed: s.version >= 2))
        }
        return out.sorted { FileIO.bytewiseLess($0.entity, $1.entity) }
    }

    /// The statistics tables (`statistics:` of the studies), read from the build's stored
    /// statistics.sqlite; empty when it has none.
    public func statisticsTables(_ store: ObjectStore) throws -> [StatisticsTableData] {
        guard let id = outputFiles[StatisticsTables.databaseName].flatMap(ObjectID.init(hex:)) else { return [] }
        let tmp = store.newTempPath()
        defer { unlink(tmp) }
        try FileIO.writeFileAtomically(tmp, try store.read(id))
        let db = try SQLiteDatabase(path: tmp, readOnly: true)
        let names = try db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        try names.bind([])
        var tables: [String] = []
        while try names.step() { tables.append(names.text(0)) }
        var out: [StatisticsTableData] = []
        for t in tables {
            let stmt = try db.prepare("SELECT * FROM \(StatisticsTables.quote(t)) ORDER BY partition")
            try stmt.bind([])
            var table = StatisticsTableData(study: t, columns: (0..<stmt.columnCount).map { stmt.columnName($0) })
            while try stmt.step() {
                table.rows.append((0..<stmt.columnCount).map { i -> StatisticsTableData.Cell in
                    switch stmt.value(i) {
                    case .int(let n): return .number(Double(n))
                    case .real(let d): return .number(d)
                    case .text(let s): return .text(s)
                    case .blob, .null: return .missing
                    }
                })
            }
            out.append(table)
        }
        return out
    }
}

/// Rows a build set aside for one reason.
public struct BadRows: Sendable, Equatable {
    public var reason: String
    public var rows: Int
    /// The first few, as `file:line`.
    public var first: [String]
}

/// One partition's windows, from its window-counts step.
public struct PartitionWindows: Sendable, Equatable {
    /// `STUDY/PARTITION` (general pipeline) or the subject (wearable).
    public var entity: String
    public var made: Int
    /// Per filter rule, in the spec's order.
    public var dropped: [Int]
    public var channels: [String]
    public var windows: [WindowCoverage]
    /// False for results of the step's version 1, which kept counts only.
    public var detailed: Bool

    /// The study (`STUDY/` prefix of the entity), nil for the wearable pipeline's subjects.
    public var study: String? { entity.firstIndex(of: "/").map { String(entity[..<$0]) } }
    /// The partition inside its study.
    public var partition: String { Lineage.subject(entity) }
}

/// One study's statistics table: a row per partition.
public struct StatisticsTableData: Sendable, Equatable {
    public enum Cell: Sendable, Equatable {
        case number(Double)
        case text(String)
        case missing
    }
    public var study: String
    public var columns: [String]
    public var rows: [[Cell]] = []
}

/// One feature of one split, as the manifest's `statistics` keeps it.
public struct FeatureSummary: Sendable, Equatable {
    public var count: Int
    public var mean: Double
    public var std: Double
    public var min: Double?
    public var max: Double?
    public var missingRatio: Double
    /// nil without values, and in builds made before histograms were kept.
    public var histogram: Histogram?

    public init(json j: JSON) {
        count = j["count"]?.int ?? 0
        mean = j["mean"]?.number ?? 0
        std = j["std"]?.number ?? 0
        min = j["min"]?.number
        max = j["max"]?.number
        missingRatio = j["missing_ratio"]?.number ?? 0
        histogram = Histogram(json: j["histogram"])
    }
}

/// The statistics of one split: each feature's summary, by name.
public struct SplitStatistics: Sendable, Equatable {
    public var split: String
    public var features: [String: FeatureSummary]
    /// Label bin (60 units wide) → examples (wearable pipeline).
    public var labelHistogram: [Int: Int]

    /// `list` with its splits in `order` (those not in it after, by name).
    public static func ordered(_ list: [SplitStatistics], _ order: [String]) -> [SplitStatistics] {
        list.enumerated().sorted { x, y in
            (order.firstIndex(of: x.element.split) ?? order.count, x.offset) < (order.firstIndex(of: y.element.split) ?? order.count, y.offset)
        }.map(\.element)
    }

    /// A manifest's `statistics` (or a version snapshot's), splits sorted by name.
    public static func parse(_ json: JSON?) -> [SplitStatistics] {
        (json?.object ?? [:]).sorted { FileIO.bytewiseLess($0.key, $1.key) }.map { split, v in
            var labels: [Int: Int] = [:]
            for (k, n) in v["label_histogram"]?.object ?? [:] { if let b = Int(k), let n = n.int { labels[b] = n } }
            return SplitStatistics(split: split, features: (v["features"]?.object ?? [:]).mapValues(FeatureSummary.init(json:)),
                                   labelHistogram: labels)
        }
    }
}
