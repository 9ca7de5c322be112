import SDSCore
@testable import SDSPipeline
import SDSSensors
import Testing

/// Spec-path diffing and the build-time feature statistics that `sds diff` reads.
@Suite struct SpecDiffTests {
    @Test func namesEachChangedParameterByItsPath() {
        let a = """
            grid:
              channels:
                hr: {resample: mean, fill: forward, max_gap: 5m}
                steps: {resample: sum}
            sources:
              heart_rate:
                channels:
                  hr: {column: bpm, valid: [30, 220]}
            """
        let b = a.replacingOccurrences(of: "max_gap: 5m", with: "max_gap: 10m")
            .replacingOccurrences(of: "valid: [30, 220]", with: "valid: [30, 200]")
            .replacingOccurrences(of: "steps: {resample: sum}", with: "steps: {resample: sum, fill: forward}")
        let changes = SpecDiff.changes(a, b)
        #expect(changes == [
            SpecDiff.Change(path: "grid.channels.hr.max_gap", before: "5m", after: "10m"),
            SpecDiff.Change(path: "grid.channels.steps.fill", before: nil, after: "forward"),
            SpecDiff.Change(path: "sources.heart_rate.channels.hr.valid", before: "[30, 220]", after: "[30, 200]"),
        ])
        #expect(SpecDiff.changes(a, a).isEmpty)
    }

    @Test func listsOfMappingsAreIndexed() {
        let flat = SpecDiff.flatten("a:\n  - {x: 1}\n  - {x: 2}\n")
        #expect(flat == ["a.0.x": "1", "a.1.x": "2"])
    }
}

@Suite struct FeatureStatisticsTests {
    @Test func momentsGiveCountMeanStdMinMaxAndMissingRatio() {
        var m = FeatureMoments()
        for v in [1.0, 2.0, 3.0, 4.0] { m.add(v) }
        m.missing = 4
        #expect(m.count == 4 && m.mean == 2.5 && m.min == 1 && m.max == 4 && m.missingRatio == 0.5)
        #expect(abs(m.std - 1.118033988749895) < 1e-12)
        let s = m.summaryJSON
        #expect(s["count"] == .int(4) && s["mean"] == .double(2.5) && s["std"] == .double(1.11803399))
        #expect(s["missing_ratio"] == .double(0.5) && s["min"] == .double(1) && s["max"] == .double(4))
        // The partial form round-trips exactly through the chunk JSON.
        #expect(FeatureMoments(partial: try! JSONReader.parse(m.partialJSON.canonical())) == m)
    }

    /// Ported from the wearable engine's chunk statistics: masked slots count as missing,
    /// unmasked NaN too, and splits merge subjects in entity order whatever order they come in.
    @Test func chunkStatisticsCountMaskedSlotsAsMissing() throws {
        func example(_ hr: [Float], mask: [Int64], label: Float) -> [ExampleFeature] {
            [ExampleFeature(name: "sensor/hr", value: .floats(hr)), ExampleFeature(name: "mask/hr", value: .int64s(mask)),
             ExampleFeature(name: "label/sleep", value: .floats([label]))]
        }
        let stats = ChunkStatistics(frameExamples: [example([2, 9, 4], mask: [1, 0, 1], label: 400),
                                                    example([6, 6, 6], mask: [0, 0, 1], label: .nan)])
        #expect(stats.features["sensor/hr"]?.count == 3 && stats.features["sensor/hr"]?.missing == 3)
        #expect(stats.features["sensor/hr"]?.mean == 4)
        #expect(stats.features["label/sleep"]?.count == 1 && stats.features["label/sleep"]?.missing == 1)
        #expect(ChunkStatistics(json: try JSONReader.parse(stats.json.canonical())) == stats)

        let a = DatasetStatistics.combine([("train", "S2", stats), ("train", "S1", stats)], channelNames: [])
        let b = DatasetStatistics.combine([("train", "S1", stats), ("train", "S2", stats)], channelNames: [])
        #expect(a == b)
        #expect(a["train"]?["features"]?["sensor/hr"]?["count"] == .int(6))
        #expect(a["train"]?["features"]?["label/sleep"]?["mean"] == .double(400))
    }
}

/// The manifest reader: what sds writes comes back as the same value.
@Suite struct JSONReaderTests {
    @Test func readsBackCanonicalAndPrettyJSON() throws {
        let v = JSON.object([
            "s": .string("a \"quoted\" \\ line\nnext\ttab \u{1} é 🎉"), "n": .int(-42), "d": .double(0.1),
            "big": .double(1e300), "a": .array([.bool(true), .bool(false), .null, .array([]), .object([:])]),
        ])
        #expect(try JSONReader.parse(v.canonical()) == v)
        #expect(try JSONReader.parse(Array(v.pretty().utf8)) == v)
        #expect(try JSONReader.parse(Array(#"{"u":"\u00e9\ud83c\udf89\/"}"#.utf8)) == .object(["u": .string("é🎉/")]))
        for bad in ["{", "[1,]", "{\"a\" 1}", "tru", "\"open", "1 2"] {
            #expect(throws: SDSError.self) { try JSONReader.parse(Array(bad.utf8)) }
        }
    }
}

/// `sds verify` names the first step, in pipeline order, whose rebuilt result differs.
@Suite struct VerifierTests {
    @Test func namesTheFirstDivergedStepInPipelineOrder() throws {
        func id(_ c: Character) -> ObjectID { ObjectID(hex: String(repeating: c, count: 64))! }
        let steps: [(String, String, Character, Character)] = [
            ("read.table", "heart_rate", "1", "a"), ("frame.merge", "wearable/S1", "2", "b"),
            ("frame.windows", "wearable/S1", "3", "c"), ("tfrecord.shard", "train-0", "4", "d"),
        ]
        let json = JSON.object(["params": .object(["p": .null]), "steps": .array(steps.map { s in
            .object(["op": .string(s.0), "partition": .string(s.1), "version": .int(1), "params": .string("p"),
                     "inputs": .array([]), "key": .string(id(s.2).hex), "result": .string(id(s.3).hex)])
        })])
        let build = RecordedBuild(id: id("f"), json: json)
        var trace = steps.map { TraceEntry(op: $0.0, partition: $0.1, ran: true, key: id($0.2), result: id($0.3)) }
        #expect(Verifier.divergedStep(build, trace, partitions: ["wearable/S1"]) == nil)
        // The windows and the shard differ; the windows come first in the pipeline.
        trace[3].result = id("e")
        trace[2].result = id("e")
        #expect(Verifier.divergedStep(build, trace, partitions: ["wearable/S1"]) == "frame.windows wearable/S1 (same key, different result)")
        trace[1].key = id("9")
        trace[1].result = id("9")
        #expect(Verifier.divergedStep(build, trace, partitions: ["wearable/S1"]) == "frame.merge wearable/S1 (its inputs differ)")
    }
}
