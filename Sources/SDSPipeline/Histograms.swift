import SDSCore

/// Counts of a feature's values on one fixed grid shared by every partition, split and build:
/// three significant decimal digits. A value `v` with `10^E ≤ |v| < 10^(E+1)` falls in the bin
/// `[k·10^(E-2), (k+1)·10^(E-2))` with `k = floor(v / 10^(E-2))` (100 ≤ k ≤ 999 for positive
/// values, -1000 ≤ k ≤ -101 for negative ones); values closer to 0 than 1e-30 share the bin of 0.
///
/// The edges do not depend on the data, so histograms of partitions merge by adding counts,
/// in any order, and two builds' histograms compare bin for bin. A bin is at most 1 % of its
/// values wide, so a chart re-bins them exactly (`Histogram`). Only bins holding values are
/// kept; non-finite values are not counted (the moments count them).
public struct FineHistogram: Sendable, Equatable {
    /// Packed (exponent, k) → count; see `key`.
    public private(set) var counts: [Int64: Int] = [:]

    public init() {}

    /// The exponent of the zero bin: below every other bin's.
    static let zeroExponent = -32

    /// `10^n` for n in -40...308, each the double nearest to it (parsed, not multiplied).
    static let powers: [Double] = (-40...308).map { Double("1e\($0)")! }
    @inline(__always) static func pow10(_ n: Int) -> Double { powers[n + 40] }

    /// The decimal exponent E with 10^E ≤ a < 10^(E+1), for a finite a ≥ 1e-30.
    @inline(__always) static func decimalExponent(_ a: Double) -> Int {
        // floor(binary exponent · log10 2), then corrected against the exact powers.
        var e = (Int(a.exponent) * 78913) >> 18
        e = Swift.min(Swift.max(e, -40), 307)
        while e > -40 && a < pow10(e) { e -= 1 }
        while e < 308 && a >= pow10(e + 1) { e += 1 }
        return e
    }

    /// The bin of `v` as (exponent, k): the bin is `[k·10^exponent, (k+1)·10^exponent)`.
    @inline(__always) public static func bin(_ v: Double) -> (exponent: Int, k: Int) {
        let a = Swift.abs(v)
        guard a >= 1e-30 else { return (zeroExponent, 0) }
        let e = decimalExponent(a) - 2
        // Multiplying by an exact power of ten rounds once; dividing by an inexact 10^e could not.
        let scaled = e < 0 ? v * pow10(-e) : v / pow10(e)
        var k = Int(scaled.rounded(.down))
        if v > 0 { k = Swift.min(Swift.max(k, 100), 999) } else { k = Swift.min(Swift.max(k, -1000), -100) }
        return (e, k)
    }

    @inline(__always) static func key(_ b: (exponent: Int, k: Int)) -> Int64 {
        Int64(b.exponent + 64) << 12 | Int64(b.k + 2048)
    }

    static func unpack(_ key: Int64) -> (exponent: Int, k: Int) {
        (Int(key >> 12) - 64, Int(key & 4095) - 2048)
    }

    @inline(__always) public mutating func add(_ v: Double) {
        guard v.isFinite else { return }
        counts[Self.key(Self.bin(v)), default: 0] += 1
    }

    public mutating func merge(_ o: FineHistogram) {
        for (k, n) in o.counts { counts[k, default: 0] += n }
    }

    public var isEmpty: Bool { counts.isEmpty }

    /// The bins in value order, each as (exponent, k, count).
    public var bins: [(exponent: Int, k: Int, count: Int)] {
        counts.map { (Self.unpack($0.key), $0.value) }
            .map { (exponent: $0.0.exponent, k: $0.0.k, count: $0.1) }
            .sorted { a, b in Self.lowerEdge(a.exponent, a.k) < Self.lowerEdge(b.exponent, b.k) }
    }

    static func lowerEdge(_ exponent: Int, _ k: Int) -> Double {
        k == 0 ? 0 : Double("\(k)e\(exponent)") ?? 0
    }

    /// `{"123e-2": 4, ...}`: each bin by its lower edge, `k` then `e` and the exponent.
    public var json: JSON {
        .object(Dictionary(uniqueKeysWithValues: counts.map { key, n in
            let b = Self.unpack(key)
            return ("\(b.k)e\(b.exponent)", JSON.int(Int64(n)))
        }))
    }

    public init(json: JSON?) {
        for (name, v) in json?.object ?? [:] {
            guard let n = v.int, let sep = name.firstIndex(of: "e"),
                  let k = Int(name[..<sep]), let e = Int(name[name.index(after: sep)...]) else { continue }
            counts[Self.key((e, k)), default: 0] += n
        }
    }

    /// The histogram a chart draws: about `target` bins of a round width (1, 2 or 5 times a
    /// power of ten) covering `[min, max]`, never narrower than the fine bins of the largest
    /// value, so every fine bin falls inside one of them and the counts are exact.
    public func histogram(target: Int = 40) -> Histogram? {
        let list = bins
        guard let lo = list.first, let hi = list.last else { return nil }
        let minEdge = Self.lowerEdge(lo.exponent, lo.k)
        // The top of the last bin bounds the data from above.
        let maxEdge = Self.lowerEdge(hi.exponent, hi.k + 1)
        let largest = list.filter { $0.k != 0 }.map(\.exponent).max() ?? 0
        var width = Histogram.Width.atLeast((maxEdge - minEdge) / Double(target))
        if width.exponent < largest { width = Histogram.Width(mantissa: 1, exponent: largest) }
        let first = width.index(exponent: lo.exponent, k: lo.k)
        let last = width.index(exponent: hi.exponent, k: hi.k)
        var counts = [Int](repeating: 0, count: last - first + 1)
        for b in list { counts[width.index(exponent: b.exponent, k: b.k) - first] += b.count }
        return Histogram(width: width, first: first, counts: counts)
    }
}

/// Counts of a feature's values in bins of one round width, as a manifest keeps them per split
/// and feature: bin `i` covers `[(first + i)·width, (first + i + 1)·width)`.
public struct Histogram: Sendable, Equatable {
    /// A bin width of 1, 2 or 5 times a power of ten.
    public struct Width: Sendable, Equatable, Comparable {
        public var mantissa: Int
        public var exponent: Int

        public init(mantissa: Int, exponent: Int) {
            self.mantissa = mantissa
            self.exponent = exponent
        }

        public var value: Double { Double("\(mantissa)e\(exponent)") ?? 0 }

        public static func < (a: Width, b: Width) -> Bool { a.value < b.value }

        /// The smallest round width ≥ `x` (1 for x ≤ 0 or not finite).
        public static func atLeast(_ x: Double) -> Width {
            guard x > 0, x.isFinite else { return Width(mantissa: 1, exponent: 0) }
            let e = FineHistogram.decimalExponent(Swift.max(x, 1e-30))
            for m in [1, 2, 5] where Width(mantissa: m, exponent: e).value >= x { return Width(mantissa: m, exponent: e) }
            return Width(mantissa: 1, exponent: e + 1)
        }

        /// The next round width: 1 → 2 → 5 → 10.
        public var next: Width {
            switch mantissa {
            case 1: Width(mantissa: 2, exponent: exponent)
            case 2: Width(mantissa: 5, exponent: exponent)
            default: Width(mantissa: 1, exponent: exponent + 1)
            }
        }

        /// The index of the bin of this width holding the point `k·10^exponent` (floor division).
        func index(exponent e: Int, k: Int) -> Int {
            if k == 0 { return 0 }
            if e <= self.exponent {
                let shift = self.exponent - e
                // A divisor beyond any |k| (≤ 1000) leaves 0 or -1.
                if shift > 6 { return k >= 0 ? 0 : -1 }
                return Histogram.floorDiv(k, mantissa * Histogram.ipow10(shift))
            }
            let shift = e - self.exponent
            if shift > 12 { return k >= 0 ? Int.max / 4 : Int.min / 4 }
            return Histogram.floorDiv(k * Histogram.ipow10(shift), mantissa)
        }
    }

    public var width: Width
    public var first: Int
    public var counts: [Int]

    public init(width: Width, first: Int, counts: [Int]) {
        self.width = width
        self.first = first
        self.counts = counts
    }

    public var total: Int { counts.reduce(0, +) }
    /// The lower edge of bin `i` (i may be `counts.count`, the upper edge of the last bin).
    public func edge(_ i: Int) -> Double { Double("\((first + i) * width.mantissa)e\(width.exponent)") ?? 0 }

    public var json: JSON {
        .object(["width": .double(width.value), "first": .int(Int64(first)), "counts": .array(counts.map { .int(Int64($0)) })])
    }

    /// Reads `{"width", "first", "counts"}`; nil when absent or not of that shape.
    public init?(json: JSON?) {
        guard let json, let w = json["width"]?.number, w > 0, w.isFinite, let first = json["first"]?.int,
              case .array(let items)? = json["counts"] else { return nil }
        let e = FineHistogram.decimalExponent(w)
        let m = Int((w / FineHistogram.pow10(e)).rounded())
        guard [1, 2, 5, 10].contains(m) else { return nil }
        width = m == 10 ? Width(mantissa: 1, exponent: e + 1) : Width(mantissa: m, exponent: e)
        self.first = first
        counts = items.compactMap(\.int)
        guard counts.count == items.count else { return nil }
    }

    /// The same counts in bins of `w`, a multiple of this width (each bin lies in one of `w`'s).
    public func rebinned(_ w: Width) -> Histogram {
        guard w != width, !counts.isEmpty else { return self }
        // Bin i starts at (first + i)·mantissa·10^exponent.
        func target(_ i: Int) -> Int { w.index(exponent: width.exponent, k: (first + i) * width.mantissa) }
        let lo = target(0), hi = target(counts.count - 1)
        var out = [Int](repeating: 0, count: hi - lo + 1)
        for (i, n) in counts.enumerated() { out[target(i) - lo] += n }
        return Histogram(width: w, first: lo, counts: out)
    }

    /// The least common multiple of two round widths (itself round); nil when they differ by
    /// more than a factor of 10^9.
    public static func commonWidth(_ a: Width, _ b: Width) -> Width? {
        guard Swift.abs(a.exponent - b.exponent) <= 9 else { return nil }
        let e = Swift.min(a.exponent, b.exponent)
        let x = a.mantissa * ipow10(a.exponent - e), y = b.mantissa * ipow10(b.exponent - e)
        var l = x / gcd(x, y) * y, exp = e
        while l % 10 == 0 { l /= 10; exp += 1 }
        return [1, 2, 5].contains(l) ? Width(mantissa: l, exponent: exp) : nil
    }

    /// Both histograms on one grid: their least common width, made coarser by round multiples
    /// of it (1 → 2 → 10, 5 → 10) until the union of their ranges has at most `maxBins` bins.
    /// A multiple of both widths keeps every count in one bin, so the counts stay exact.
    public static func aligned(_ a: Histogram, _ b: Histogram, maxBins: Int) -> (Histogram, Histogram)? {
        aligned([a, b], maxBins: maxBins).map { ($0[0], $0[1]) }
    }

    /// Any number of histograms on one grid, as `aligned(_:_:maxBins:)` puts two.
    public static func aligned(_ list: [Histogram], maxBins: Int) -> [Histogram]? {
        guard var w = list.first?.width else { return [] }
        for h in list.dropFirst() {
            guard let c = commonWidth(w, h.width) else { return nil }
            w = c
        }
        while true {
            let r = list.map { $0.rebinned(w) }
            let lo = r.map(\.first).min()!, hi = r.map { $0.first + $0.counts.count }.max()!
            if hi - lo <= maxBins || w.exponent > 300 { return r.map { $0.padded(lo, hi) } }
            w = w.mantissa == 1 ? Width(mantissa: 2, exponent: w.exponent) : Width(mantissa: 1, exponent: w.exponent + 1)
        }
    }

    /// The same counts over bins `lo..<hi` (indices of this width), zeros outside.
    func padded(_ lo: Int, _ hi: Int) -> Histogram {
        var out = [Int](repeating: 0, count: hi - lo)
        for (i, n) in counts.enumerated() { out[first + i - lo] += n }
        return Histogram(width: width, first: lo, counts: out)
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    static func ipow10(_ n: Int) -> Int {
        var r = 1
        for _ in 0..<Swift.max(0, n) { r *= 10 }
        return r
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
