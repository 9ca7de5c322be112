internal import Foundation

/// Checks a declared time zone name before any data is read.
public enum ZoneCheck {
    /// - Throws: `.invalidParameter` naming the zone when the system does not know it.
    public static func validate(_ zone: String) throws(SensorError) {
        guard TimeZone(identifier: zone) != nil else {
            throw SensorError.parameter("unknown time zone \"\(zone)\"; use an IANA name such as UTC or America/New_York")
        }
    }
}
