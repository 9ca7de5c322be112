import SDSCore
import SDSSensors

/// Running sums of one numeric feature: count, sum, sum of squares, min, max, missing values.
///
/// Partial moments are computed per subject (in the record-chunk step, from examples
/// already in memory) and merged per split in entity order, so the totals never depend
/// on thread timing. Doubles are stored in their shortest round-trip form.
public struct FeatureMoments: Sendable, Equatable {
    public var count = 0
    public var missing = 0
    public var sum = 0.0
    public var sumOfSquares = 0.0
    public var min = Double.infinity
    public var max = -Double.infinity

    public init() {}

    public mutating func add(_ v: Double) {
        count += 1
        sum += v
        sumOfSquares += v * v
        if v < min { min = v }
        if v > max { max = v }
    }

    public mutating func merge(_ o: FeatureMoments) {
        count += o.count
        missing += o.missing
        sum += o.sum
        sumOfSquares += o.sumOfSquares
        if o.min < min { min = o.min }
        if o.max > max { max = o.max }
    }

    public var mean: Double { count > 0 ? sum / Double(count) : 0 }
    /// Population standard deviation.
    public var std: Double {
        guard count > 0 else { return 0 }
        let m = mean
        return (Swift.max(0, sumOfSquares / Double(count) - m * m)).squareRoot()
    }
    public var missingRatio: Double { count + missing > 0 ? Double(missing) / Double(count + missing) : 0 }

    /// The partial sums, as kept in a record chunk.
    var partialJSON: JSON {
        var o: [String: JSON] = ["n": .int(Int64(count)), "missing": .int(Int64(missing)),
                                 "sum": .double(sum), "sum_sq": .double(sumOfSquares)]
        if count > 0 { o["min"] = .double(min); o["max"] = .double(max) }
        return .object(o)
    }

    init(partial j: JSON) {
        count = j["n"]?.int ?? 0
        missing = j["missing"]?.int ?? 0
        sum = j["sum"]?.number ?? 0
        sumOfSquares = j["sum_sq"]?.number ?? 0
        min = j["min"]?.number ?? .infinity
        max = j["max"]?.number ?? -.infinity
    }

    /// The summary a manifest holds: count, mean, std, min, max, missing ratio.
    public var summaryJSON: JSON {
        .object(["count": .int(Int64(count)), "mean": .double(Self.round(mean)), "std": .double(Self.round(std)),
                 "min": count > 0 ? .double(min) : .null, "max": count > 0 ? .double(max) : .null,
                 "missing_ratio": .double(Self.round(missingRatio))])
    }

    /// Nine significant digits: enough to see any real shift, and short in the manifest.
    static func round(_ v: Double) -> Double {
        guard v != 0, v.isFinite else { return v }
        let scale = Double.pow10(8 - Int((abs(v)).log10Floor))
        return (v * scale).rounded() / scale
    }
}

extension Double {
    static func pow10(_ n: Int) -> Double {
        var r = 1.0
        for _ in 0..<abs(n) { r *= 10 }
        return n >= 0 ? r : 1 / r
    }

    /// floor(log10(self)) for a positive finite value, without Foundation.
    var log10Floor: Int {
        var v = self, e = 0
        while v >= 10 { v /= 10; e += 1 }
        while v < 1 { v *= 10; e -= 1 }
        return e
    }
}

/// The statistics of one subject's examples, as its record chunk keeps them.
///
/// Sensor channels are named by index (`sensor[0]`); the builder names them after the
/// spec's channels. Sensor values are the scaled values written to the shards, counted
/// where the mask is 1; masked-out minutes count as missing. The label counts where its
/// presence flag is 1; the label histogram has bins of 60 units (labels are minutes).
/// Every value counted in a feature's moments is also counted in its histogram, on the
/// fixed grid of `FineHistogram`.
struct ChunkStatistics: Sendable, Equatable {
    var features: [String: FeatureMoments] = [:]
    var histograms: [String: FineHistogram] = [:]
    var labelHistogram: [Int: Int] = [:]

    static let labelBin = 60

    init() {}

    /// The general pipeline's examples: every float feature by its own name. A `sensor/NAME`
    /// value counts where `mask/NAME` is 1 (or, without masks, where it is not NaN).
    init(frameExamples examples: [[ExampleFeature]]) {
        for features in examples {
            var masks: [String: [Int64]] = [:]
            for f in features where f.name.hasPrefix("mask/") {
                if case .int64s(let m) = f.value { masks[String(f.name.dropFirst(5))] = m }
            }
            for f in features {
                guard case .floats(let values) = f.value else { continue }
                let mask = f.name.hasPrefix("sensor/") ? masks[String(f.name.dropFirst(7))] : nil
                var m = self.features[f.name] ?? FeatureMoments()
                var h = self.histograms[f.name] ?? FineHistogram()
                for (i, v) in values.enumerated() {
                    let present = mask.map { i < $0.count && $0[i] != 0 } ?? !v.isNaN
                    if present {
                        m.add(Double(v))
                        h.add(Double(v))
                    } else {
                        m.missing += 1
                    }
                }
                self.features[f.name] = m
                self.histograms[f.name] = h
            }
        }
    }

    var json: JSON {
        .object(["features": .object(features.mapValues(\.partialJSON)),
                 "histograms": .object(histograms.filter { !$0.value.isEmpty }.mapValues(\.json)),
                 "label_histogram": .object(Dictionary(uniqueKeysWithValues: labelHistogram.map { (String($0), JSON.int(Int64($1))) }))])
    }

    init(json j: JSON?) {
        guard let j else { return }
        features = j["features"]?.object.mapValues { FeatureMoments(partial: $0) } ?? [:]
        histograms = j["histograms"]?.object.mapValues { FineHistogram(json: $0) } ?? [:]
        for (k, v) in j["label_histogram"]?.object ?? [:] { if let b = Int(k), let n = v.int { labelHistogram[b] = n } }
    }

    mutating func merge(_ o: ChunkStatistics) {
        for (k, m) in o.features { features[k, default: FeatureMoments()].merge(m) }
        for (k, h) in o.histograms { histograms[k, default: FineHistogram()].merge(h) }
        for (b, n) in o.labelHistogram { labelHistogram[b, default: 0] += n }
    }
}

/// Per-split feature statistics of a build, stored in its manifest (`statistics`): per
/// feature the summary of `FeatureMoments` and, for features with values, its histogram
/// (`Histogram`: about 40 bins of a round width, merged exactly from the partitions' fine ones).
enum DatasetStatistics {
    /// Merges each split's subject statistics in entity order and names the sensor channels.
    static func combine(_ parts: [(split: String, entity: String, stats: ChunkStatistics)], channelNames: [String]) -> JSON {
        var splits: [String: ChunkStatistics] = [:]
        for p in parts.sorted(by: { ($0.split, $0.entity) < ($1.split, $1.entity) }) {
            splits[p.split, default: ChunkStatistics()].merge(p.stats)
        }
        return .object(splits.mapValues { s in
            var features: [String: JSON] = [:]
            for (k, m) in s.features {
                var name = k
                if k.hasPrefix("sensor["), let i = Int(k.dropFirst(7).dropLast()), i < channelNames.count { name = channelNames[i] }
                var summary = m.summaryJSON
                if case .object(var o) = summary, let h = s.histograms[k]?.histogram() {
                    o["histogram"] = h.json
                    summary = .object(o)
                }
                features[name] = summary
            }
            return .object([
                "features": .object(features),
                "label_histogram": .object(Dictionary(uniqueKeysWithValues: s.labelHistogram.map { (String($0), JSON.int(Int64($1))) })),
            ])
        })
    }
}
