import Glibc
import SDSPipeline

/// How far a feature's distribution moved between two versions, from their histograms.
///
/// Both histograms are put on one grid first (`Histogram.aligned`: a width that is a multiple
/// of both, so no count is split). The population stability index is taken over at most 40
/// bins, with an empty bin's share counted as 0.0001; the Kolmogorov–Smirnov distance is the
/// largest gap between the two cumulative shares at the edges of at most 400 bins. Both are
/// therefore of the binned distributions: exact for them, close to the raw values' ones.
public struct Shift: Sendable, Equatable {
    public var psi: Double
    public var ks: Double
    /// The two histograms on the chart's grid (≤ 40 bins).
    public var before: Histogram
    public var after: Histogram

    public static let emptyShare = 0.0001

    public init?(_ a: Histogram, _ b: Histogram) {
        guard a.total > 0, b.total > 0, let coarse = Histogram.aligned(a, b, maxBins: 40),
              let fine = Histogram.aligned(a, b, maxBins: 400) else { return nil }
        before = coarse.0
        after = coarse.1
        psi = Self.psi(coarse.0.counts, coarse.1.counts)
        ks = Self.ks(fine.0.counts, fine.1.counts)
    }

    /// Σ (q − p) · ln(q / p) over the bins, p and q the shares of `a` and `b`.
    static func psi(_ a: [Int], _ b: [Int]) -> Double {
        let na = Double(a.reduce(0, +)), nb = Double(b.reduce(0, +))
        var sum = 0.0
        for (x, y) in zip(a, b) {
            let p = max(Double(x) / na, emptyShare), q = max(Double(y) / nb, emptyShare)
            sum += (q - p) * log(q / p)
        }
        return sum
    }

    /// max |F_a − F_b| over the bin edges.
    static func ks(_ a: [Int], _ b: [Int]) -> Double {
        let na = Double(a.reduce(0, +)), nb = Double(b.reduce(0, +))
        var ca = 0, cb = 0, d = 0.0
        for (x, y) in zip(a, b) {
            ca += x
            cb += y
            d = max(d, abs(Double(ca) / na - Double(cb) / nb))
        }
        return d
    }

    /// How the usual reading of the index names it.
    public var level: String {
        psi < 0.1 ? "stable" : psi < 0.25 ? "moderate shift" : "large shift"
    }
}
