import SDSCore
@testable import SDSPipeline
@testable import SDSReport
import Testing

/// The fixed grid of partition histograms, the per-split histograms made from it, and the
/// shift measures the diff page computes from two of them.
@Suite struct HistogramTests {
    @Test func fineBinsHaveThreeSignificantDigits() {
        #expect(FineHistogram.bin(1.234) == (-2, 123))
        #expect(FineHistogram.bin(-1.234) == (-2, -124))
        #expect(FineHistogram.bin(1000) == (1, 100))
        #expect(FineHistogram.bin(999.9) == (0, 999))
        #expect(FineHistogram.bin(0) == (FineHistogram.zeroExponent, 0))
        #expect(FineHistogram.bin(0.0123) == (-4, 123))
        #expect(FineHistogram.bin(-10) == (-1, -100))
        #expect(FineHistogram.bin(1.23e12) == (10, 123))
        // Every value lies in its bin.
        for v in [0.5, 7.0, 12.5, 99.99, 123456.0, -0.003, -55.5, 3.0e-7, 1e300] {
            let b = FineHistogram.bin(v)
            let lo = Double("\(b.k)e\(b.exponent)")!, hi = Double("\(b.k + 1)e\(b.exponent)")!
            #expect(lo <= v && v < hi, "\(v) in [\(lo), \(hi))")
        }
    }

    @Test func partitionsMergeInAnyOrderAndSurviveJSON() throws {
        var a = FineHistogram(), b = FineHistogram()
        for v in stride(from: -3.0, through: 3.0, by: 0.01) { a.add(v) }
        for v in [0.0, 1, 1, 2, 1000, .nan, .infinity] { b.add(v) }
        var ab = a, ba = b
        ab.merge(b)
        ba.merge(a)
        #expect(ab == ba)
        #expect(FineHistogram(json: try JSONReader.parse(ab.json.canonical())) == ab)
        #expect(ab.counts.values.reduce(0, +) == 601 + 5)
    }

    @Test func chartHistogramIsExactAndRound() throws {
        var f = FineHistogram()
        for i in 0...1000 { f.add(Double(i)) }
        let h = try #require(f.histogram(target: 40))
        #expect(h.width == Histogram.Width(mantissa: 5, exponent: 1))
        #expect(h.first == 0 && h.counts.count == 21)
        #expect(h.total == 1001)
        #expect(h.counts[0] == 50 && h.counts[20] == 1)
        #expect(Histogram(json: try JSONReader.parse(h.json.canonical())) == h)
        // A narrow range far from 0 keeps one fine bin per chart bin at least.
        var g = FineHistogram()
        for i in 0..<100 { g.add(1000 + Double(i) * 0.01) }
        let k = try #require(g.histogram())
        #expect(k.width == Histogram.Width(mantissa: 1, exponent: 1) && k.counts == [100])
        // Negative values: bins [-1, -0.9) ... hold their values.
        var n = FineHistogram()
        for v in [-1.0, -0.95, -0.05, 0, 0.05] { n.add(v) }
        let m = try #require(n.histogram(target: 20))
        #expect(m.total == 5)
        #expect(m.edge(0) <= -1 && m.edge(m.counts.count) > 0.05)
    }

    @Test func alignmentKeepsCountsInOneBin() throws {
        let a = Histogram(width: .init(mantissa: 2, exponent: 0), first: 0, counts: [1, 2, 3])    // [0, 6)
        let b = Histogram(width: .init(mantissa: 5, exponent: -1), first: 4, counts: [4, 4, 4, 4]) // [2, 4)
        #expect(Histogram.commonWidth(a.width, b.width) == Histogram.Width(mantissa: 2, exponent: 0))
        let (x, y) = try #require(Histogram.aligned(a, b, maxBins: 100))
        #expect(x.width == y.width && x.first == y.first && x.counts.count == y.counts.count)
        #expect(x.counts == [1, 2, 3] && y.counts == [0, 16, 0])
        let coarse = try #require(Histogram.aligned(a, b, maxBins: 1))
        #expect(coarse.0.counts == [6] && coarse.1.counts == [16])
    }

    @Test func shiftOfEqualAndDisjointDistributions() throws {
        let a = Histogram(width: .init(mantissa: 1, exponent: 0), first: 0, counts: [10, 20, 30])
        let same = try #require(Shift(a, a))
        #expect(same.psi == 0 && same.ks == 0 && same.level == "stable")
        let b = Histogram(width: .init(mantissa: 1, exponent: 0), first: 10, counts: [5])
        let far = try #require(Shift(a, b))
        #expect(far.ks == 1)
        #expect(far.psi > 10 && far.level == "large shift")
        // Half the mass moved one bin: KS 0.5.
        let c = Histogram(width: .init(mantissa: 1, exponent: 0), first: 0, counts: [2, 2])
        let d = Histogram(width: .init(mantissa: 1, exponent: 0), first: 0, counts: [0, 4])
        #expect(try #require(Shift(c, d)).ks == 0.5)
    }

    @Test func numbersAreFormattedWithoutLocale() {
        #expect(Fmt.int(1298700) == "1,298,700")
        #expect(Fmt.int(-1234) == "-1,234")
        #expect(Fmt.number(0.375874486) == "0.3759")
        #expect(Fmt.number(417.518519) == "417.5")
        #expect(Fmt.number(9.99996) == "10")
        #expect(Fmt.number(1.5e-7) == "1.5e-7")
        #expect(Fmt.number(12345.6) == "12,350")
        #expect(Fmt.number(-0.05) == "-0.05")
        #expect(Fmt.percent(0.0075) == "0.8%" && Fmt.percent(0) == "0.0%" && Fmt.percent(0.99999) == ">99.9%")
        #expect(Fmt.px(-0.04) == "0" && Fmt.px(-0.25) == "-0.3" && Fmt.px(12.06) == "12.1")
        #expect(Page.base64(Array("sds".utf8)) == "c2Rz" && Page.base64(Array("ab".utf8)) == "YWI=")
    }
}
