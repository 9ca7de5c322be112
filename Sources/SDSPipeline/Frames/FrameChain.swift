import SDSCore
import SDSSensors
import SDSStore
import SDSTFRecord

/// The steps of one partition of one study, from its input frames to its encoded records.
///
/// Each step's key is its operator's name, version and parameter bytes plus its input ids,
/// as for the wearable chain; results made here are handed on decoded, in memory.
struct FrameChain: Sendable {
    let runner: StepRunner
    let store: ObjectStore
    let study: FrameSpec.Study
    let strict: Bool
    let versionOverrides: [String: Int]
    /// The study's input sources, in order (for partitions some of them lack).
    let sources: [FrameSpec.Source]
    /// The sources of the study's joins, by name (for their cleaning).
    let joinSources: [String: FrameSpec.Source]

    struct Outcome: Sendable {
        var chunk: ObjectID
        /// The partition's statistics row: its object, and the row itself when it was made now.
        var statistics: (id: ObjectID, made: StatisticsRow?)?
        /// The rows each step set aside, by step result: a result two studies share counts once.
        var quarantine: [(result: ObjectID, rows: Quarantine)]
        /// The `WindowCounts` step's result: windows made and dropped by each filter rule.
        var counts: ObjectID
    }

    /// `inputs`: the partition's frame in each of the study's input sources (`.empty` where a
    /// source has no rows for it);
    /// `sides`: per join, the same partition of the join's source (`.empty` when it has none).
    /// `log`: where the steps' trace goes instead of the runner's (a chain started before its
    /// inputs were known to be final).
    func run(partition p: String, inputs: [ObjectID], sides: [ObjectID], log: StepLog? = nil) throws -> Outcome {
        // Steps are named like shards and lineage name the partition: STUDY/PARTITION.
        let entity = study.name + "/" + p
        var quarantine: [(result: ObjectID, rows: Quarantine)] = []
        // Only the newest frame is kept in memory: each step reads the one before it.
        var latest: (id: ObjectID, frame: Frame)?
        var windowed: [ObjectID: WindowedPartition] = [:]
        func step(_ name: String, _ version: Int, _ params: [UInt8], _ inputs: [ObjectID], _ body: () throws -> [UInt8]) throws -> ObjectID {
            try runner.run(op: name, version: versionOverrides[name] ?? version, params: StepCodec.params(params),
                           inputs: inputs, partition: entity, log: log, compute: body)
        }
        func frame(_ id: ObjectID) throws -> Frame {
            if let latest, latest.id == id { return latest.frame }
            let bytes = try store.read(id)
            return try StepCodec.sensors { () throws(SensorError) in try Frame(decoding: bytes) }
        }
        func windows(_ id: ObjectID) throws -> WindowedPartition {
            if let w = windowed[id] { return w }
            let bytes = try store.read(id)
            return try StepCodec.sensors { () throws(SensorError) in try WindowedPartition(decoding: bytes) }
        }

        /// Runs one frame operator as a step named `stepName` on frame `source`: the id of the
        /// frame it makes (a dry run's stand-in when it cannot know).
        func transform(_ op: any FrameOperator, _ stepName: String, _ source: ObjectID) throws -> ObjectID {
            let kind = type(of: op)
            var made: (result: TransformResult, frame: Frame)?
            let version = versionOverrides[kind.name] ?? kind.version
            let id = try step(stepName, version, op.parameters(), [source]) {
                let input = try frame(source)
                var q = Quarantine(strict: strict)
                let out = try StepCodec.sensors { () throws(SensorError) in try op.apply(input, quarantine: &q) }
                let stored = TransformResult(frame: try store.put(out.encoded(), deferSync: true), quarantine: q)
                made = (stored, out)
                return stored.encoded()
            }
            // A dry run's stand-in: nothing to decode, and every later step is a stand-in too.
            if runner.isPlaceholder(id) { return id }
            // The small result record is read, not the frame: a step that is reused needs only
            // its set-aside rows, and the frame is read if a later step runs.
            let result = try made?.result ?? TransformResult(decoding: try store.read(id))
            if strict, let error = result.quarantine.strictError { throw error }
            if result.quarantine.total > 0 { quarantine.append((id, result.quarantine)) }
            if let made { latest = (result.frame, made.frame) }
            return result.frame
        }
        /// A source's own cleaning, before it meets other sources (so its duplicate rule never
        /// drops another source's row at the same time).
        func cleaned(_ id: ObjectID, _ source: FrameSpec.Source) throws -> ObjectID {
            guard let clean = source.clean, id != .empty else { return id }
            return try transform(clean, FrameClean.name + "@" + source.name, id)
        }
        let inputs = try zip(inputs, sources).map { try cleaned($0, $1) }
        let sides = try zip(sides, study.joins).map { id, j in try cleaned(id, joinSources[j.source]!) }

        var current: ObjectID
        if inputs.count == 1 {
            current = inputs[0]
        } else {
            var made: Frame?
            // The sources' column layouts stand in for inputs a partition lacks, so they are parameters.
            let layouts = sources.flatMap { $0.emptyFrame("").encoded() }
            current = try step(FrameMerge.name, FrameMerge.version, layouts, inputs) {
                let parts = try zip(inputs, sources).map { id, s in id == .empty ? s.emptyFrame(p) : try frame(id) }
                let m = try StepCodec.sensors { () throws(SensorError) in try FrameMerge.merge(parts, partition: p) }
                made = m
                return m.encoded()
            }
            if let made { latest = (current, made) }
        }
        for (position, op) in study.transforms.enumerated() {
            // A chain may repeat an operator (six magnitudes): its place tells the steps apart
            // in status, diff and verify.
            current = try transform(op, type(of: op).name + "#\(position + 1)", current)
        }

        var row: (id: ObjectID, made: StatisticsRow?)?
        if let stats = study.statistics {
            let source = current
            var made: StatisticsRow?
            let id = try step(PartitionStatistics.name, PartitionStatistics.version, stats.parameters(), [source]) {
                let input = try frame(source)
                made = try StepCodec.sensors { () throws(SensorError) in try stats.apply(input) }
                return made!.encoded()
            }
            row = (id, made)
        }

        func windowStep(_ name: String, _ version: Int, _ params: [UInt8], _ inputs: [ObjectID],
                        _ body: () throws -> WindowedPartition) throws -> ObjectID {
            var made: WindowedPartition?
            let id = try step(name, version, params, inputs) {
                made = try body()
                return made!.encoded()
            }
            if let made { windowed[id] = made }
            return id
        }
        let framed = current
        var w = try windowStep(Windowing.name, Windowing.version, study.windowing.parameters(), [framed]) {
            let input = try frame(framed)
            return try StepCodec.sensors { () throws(SensorError) in try study.windowing.apply(input) }
        }
        let windowsMade = w
        for (join, side) in zip(study.joins, sides) {
            let source = w
            w = try windowStep(join.name, join.version, join.parameters(), [source, side]) {
                let input = try windows(source)
                let table = side == .empty ? nil : try frame(side)
                return try StepCodec.sensors { () throws(SensorError) in try join.apply(input, table: table) }
            }
        }
        // The report's numbers, from the windows made and those the filter sees.
        let made = windowsMade, joined = w
        let counts = try step(WindowCounts.frameName, WindowCounts.version, study.filter?.parameters() ?? [], [made, joined]) {
            let n = try windows(made).windows.count
            let input = try windows(joined)
            var dropped: [Int] = []
            if let filter = study.filter {
                dropped = try StepCodec.sensors { () throws(SensorError) in try filter.dropCounts(input) }
            }
            let detail = try StepCodec.sensors { () throws(SensorError) in try WindowCounts.detail(input, filter: study.filter) }
            return WindowCounts(windows: n, dropped: dropped, channels: detail.channels, detail: detail.detail).json.canonical()
        }
        if let filter = study.filter {
            let source = w
            w = try windowStep(WindowFilter.name, WindowFilter.version, filter.parameters(), [source]) {
                let input = try windows(source)
                return try StepCodec.sensors { () throws(SensorError) in try filter.apply(input) }
            }
        }
        if let caption = study.caption {
            let source = w
            w = try windowStep(WindowCaption.name, WindowCaption.version, caption.parameters(), [source]) {
                let input = try windows(source)
                return try StepCodec.sensors { () throws(SensorError) in try caption.apply(input) }
            }
        }
        let final = w
        // Assembly and encoding are one step: the features exist only to be encoded.
        let chunk = try step(RecordChunk.operatorName, RecordChunk.operatorVersion,
                             study.examples.parameters() + [UInt8(WindowExampleAssembly.version)], [final]) {
            let input = try windows(final)
            let examples = try StepCodec.sensors { () throws(SensorError) in try study.examples.apply(input) }
            return try RecordChunk.encode(examples, starts: input.windows.map(\.start), store: store).json.canonical()
        }
        return Outcome(chunk: chunk, statistics: row, quarantine: quarantine, counts: counts)
    }
}

/// A transform step's stored result: the id of the frame it made (its own object, which the
/// next step takes as input) and the rows it set aside. Canonical JSON.
struct TransformResult {
    var frame: ObjectID
    var quarantine: Quarantine

    func encoded() -> [UInt8] {
        JSON.object(["frame": .string(frame.hex), "quarantine": StepCodec.params(quarantine.encoded())]).canonical()
    }

    init(frame: ObjectID, quarantine: Quarantine) {
        self.frame = frame
        self.quarantine = quarantine
    }

    init(decoding bytes: [UInt8]) throws {
        guard case .object(let o)? = try? JSONReader.parse(bytes), case .string(let f)? = o["frame"], let frame = ObjectID(hex: f),
              case .string(let q)? = o["quarantine"], let qbytes = StepCodec.bytes(hex: q) else {
            throw SDSError(.badData, "a transform step's stored result is malformed",
                           hint: "'sds fsck' checks the store; deleting .sensorstore/index.sqlite makes every step run again")
        }
        self.frame = frame
        quarantine = try StepCodec.sensors { () throws(SensorError) in try Quarantine(decoding: qbytes) }
    }
}

extension Quarantine {
    /// What --strict reports for rows a cached step set aside: the first one, at its line.
    var strictError: SDSError? {
        guard let first = reasons.first else { return nil }
        let location = first.locations.first ?? ""
        var path: String?, line: Int?
        if let colon = location.lastIndex(of: ":"), let n = Int(location[location.index(after: colon)...]) {
            path = String(location[..<colon])
            line = n
        }
        return SDSError(.badData, "\(first.reason) (\(first.count) row\(first.count == 1 ? "" : "s") of this kind)",
                        hint: "drop --strict to set such rows aside and count them", path: path, line: line)
    }
}

extension Quarantine {
    /// The report with each `file:line` moved by that file's base (`bases[file]`).
    func shifted(_ bases: [String: Int]) -> Quarantine {
        guard !bases.isEmpty else { return self }
        var out = self
        out.relocate { location in
            guard let colon = location.lastIndex(of: ":"), let line = Int(location[location.index(after: colon)...]),
                  let base = bases[String(location[..<colon])] else { return location }
            return "\(location[..<colon]):\(line + base)"
        }
        return out
    }
}

extension RecordChunk {
    /// Encodes examples given as feature lists (one per window, starting at `starts`).
    static func encode(_ examples: [[ExampleFeature]], starts: [Int64], store: ObjectStore) throws -> RecordChunk {
        var data: [UInt8] = []
        var exampleBytes = 0
        var encoder = ExampleEncoder()
        for features in examples {
            let bytes = encoder.encode(StepCodec.example(DayExample(entity: "", day: 0, features: features)))
            exampleBytes += bytes.count
            data += TFRecordFraming.frame(bytes)
        }
        let id = try store.put(data, deferSync: true)
        return RecordChunk(data: id, count: examples.count, exampleBytes: exampleBytes,
                           dates: starts.prefix(examples.count).map(WindowKey.name),
                           statistics: ChunkStatistics(frameExamples: examples))
    }
}
