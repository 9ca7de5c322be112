import SDSSensors
import Testing

/// Dates print as `YYYY-MM-DD` by arithmetic, never through a locale.
@Suite struct CivilDateTests {
    @Test func datesFormatWithoutLocale() {
        #expect(CivilTime.dateString(day: 0) == "1970-01-01")
        #expect(CivilTime.dateString(day: -1) == "1969-12-31")
        #expect(CivilTime.dateString(day: 11_016) == "2000-02-29")
        #expect(CivilTime.dateString(day: Int64(dayNumber)) == "2016-04-12")
        #expect(CivilTime.dateString(day: CivilTime.day(year: 9999, month: 12, day: 31)) == "9999-12-31")
        #expect(CivilTime.dateString(day: CivilTime.day(year: 33, month: 1, day: 2)) == "0033-01-02")
    }
}

@Suite struct SplitTests {
    static let parameters = try! SplitParameters(salt: "sds-split:", rules: [
        SplitRule(name: "train", upperBound: 80, shardCount: 8),
        SplitRule(name: "validation", upperBound: 90, shardCount: 2),
        SplitRule(name: "test", upperBound: 100, shardCount: 2),
    ])

    /// From Python: hashlib.sha256(b"sds-split:" + id).digest()[:8], big-endian; split; shard.
    @Test(arguments: [
        ("S0001", UInt64(0x24ad_005e_7ac9_b8f3), "train", 3), ("S0002", 0x3c87_2438_fee9_a0b0, "train", 0),
        ("S0003", 0x57c2_20fd_2478_85ea, "test", 0), ("S0006", 0x9216_0d56_d02b_6074, "train", 4),
        ("S0007", 0x0729_8a81_02fc_2e37, "train", 7), ("S0011", 0x9a00_e64a_64bb_a2a1, "test", 1),
        ("S0014", 0x6010_2497_02c3_fe80, "validation", 0), ("S0020", 0xf8ad_eb00_12d3_3e65, "train", 5),
    ])
    func matchesTheReferenceHash(entity: String, hash: UInt64, split: String, shard: Int) {
        let a = SplitAssigner.assign(entity: entity, Self.parameters)
        #expect(a.hash == hash)
        #expect(a.split == split)
        #expect(a.shard == shard)
        #expect(a.shardCount == ["train": 8, "validation": 2, "test": 2][split])
    }

    @Test func badRulesAreRejected() {
        let cases: [[SplitRule]] = [
            [],
            [SplitRule(name: "a", upperBound: 80, shardCount: 1)],
            [SplitRule(name: "a", upperBound: 80, shardCount: 1), SplitRule(name: "b", upperBound: 80, shardCount: 1),
             SplitRule(name: "c", upperBound: 100, shardCount: 1)],
            [SplitRule(name: "a", upperBound: 100, shardCount: 0)],
            [SplitRule(name: "a", upperBound: 50, shardCount: 1), SplitRule(name: "a", upperBound: 100, shardCount: 1)],
        ]
        for rules in cases {
            #expect(sensorError { () throws(SensorError) in try SplitParameters(salt: "x", rules: rules) }?.code == .invalidParameter)
        }
    }
}
