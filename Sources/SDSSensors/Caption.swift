/// A per-channel day statistic a caption can print.
public enum CaptionStatistic: String, Sendable, CaseIterable {
    /// Sequential float64 sum of the present minutes, in minute order, over their count.
    case mean
    /// Smallest present value.
    case min
    /// Largest present value.
    case max
    /// Sequential float64 sum of the present minutes.
    case sum
    /// `100.0 * present minutes / 1440`.
    case coverage
    /// Number of present minutes.
    case count
}
