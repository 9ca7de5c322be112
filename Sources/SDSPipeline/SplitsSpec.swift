import SDSCore
import SDSSensors

extension Spec {
    /// `splits:` of either form of the spec: percent and shard count per split, and a salt.
    static func parseSplits(_ node: SpecNode) throws -> Splits {
        let sp = try node.mapping(allowed: ["salt", "percent", "shards"], required: ["percent", "shards"])
        var names: [String] = [], percents: [Int] = [], shards: [Int] = []
        let shardMap = Dictionary(uniqueKeysWithValues: try sp["shards"]!.namedEntries().map { ($0.name, $0.node) })
        for (split, n) in try sp["percent"]!.namedEntries() {
            names.append(split)
            let percent = try n.int()
            // Checked one by one before they are added, so a huge number cannot overflow the sum.
            guard (1...100).contains(percent) else { throw n.error("'\(n.path)' must be a percent from 1 to 100, found \(percent)") }
            percents.append(Int(percent))
            guard let s = shardMap[split] else { throw sp["shards"]!.error("splits.shards needs a count for '\(split)'") }
            let k = try s.int()
            guard (1...100_000).contains(k) else { throw s.error("a split needs 1 to 100000 shards, found \(k)") }
            shards.append(Int(k))
        }
        guard percents.reduce(0, +) == 100 else { throw sp["percent"]!.error("splits.percent must add up to 100") }
        let splits = Splits(salt: try sp["salt"]?.string() ?? "", names: names, percents: percents, shards: shards)
        // The split operator's own checks, reported at the spec's line rather than after a build's work.
        do { _ = try splits.parameters() } catch let e as SDSError { throw sp["percent"]!.error(e.message) }
        return splits
    }
}

extension Spec.Splits {
    /// The split operator's parameters: cumulative percent bounds, in spec order.
    func parameters() throws -> SplitParameters {
        var upper = 0
        let rules = zip(names, zip(percents, shards)).map { name, ps in
            upper += ps.0
            return SplitRule(name: name, upperBound: upper, shardCount: ps.1)
        }
        return try StepCodec.sensors { () throws(SensorError) in try SplitParameters(salt: salt, rules: rules) }
    }
}
