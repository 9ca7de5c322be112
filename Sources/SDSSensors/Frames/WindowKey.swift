/// How an example of the general pipeline is named in lineage (`PARTITION/KEY`).
public enum WindowKey {
    /// The window's start date (`2016-04-13`) when it starts at midnight UTC, else its start
    /// time (`2022-11-23T20:40:00.444Z`), so sub-day windows of one day stay distinct.
    public static func name(start: Int64) -> String {
        start % CivilTime.millisecondsPerDay == 0
            ? CivilTime.dateString(day: WindowSupport.floorDivide(start, CivilTime.millisecondsPerDay))
            : WindowSupport.isoTimestamp(start)
    }
}
