/// The version of sds itself; recorded in every build manifest.
public enum SDSVersion {
    public static let current = "0.1.0"
}
