import Foundation
import SDSSensors
import Testing

/// Helpers for the table reader tests.
enum TableReaderFixture {
    /// `subject_id,time,bpm` read as the wearable heart-rate file is.
    static func heartRate(zone: String = "UTC", valid: ClosedRange<Double>? = nil, allowMissing: Bool = true,
                          format: FrameFileFormat = .csv) -> TableReaderParameters {
        TableReaderParameters(format: format, partition: ["subject_id"], time: FrameTimeSpec(column: "time", zone: zone),
                              columns: [FrameReadColumn(source: "bpm", valid: valid, allowMissing: allowMissing)])
    }

    /// Reads `text` strictly (the first bad row throws).
    static func read(_ text: String, _ p: TableReaderParameters, file: String = "hr.csv") throws(SensorError) -> [Frame] {
        var q = Quarantine(strict: true)
        return try TableReader(p).read(Array(text.utf8), file: file, quarantine: &q)
    }

    /// Reads `text` leniently: the frames and the quarantine.
    static func lenient(_ text: String, _ p: TableReaderParameters, file: String = "hr.csv") throws(SensorError) -> ([Frame], Quarantine) {
        var q = Quarantine(strict: false)
        let frames = try TableReader(p).read(Array(text.utf8), file: file, quarantine: &q)
        return (frames, q)
    }

    /// The strict read's error as printed, or "no error".
    static func strictError(_ text: String, _ p: TableReaderParameters, file: String = "hr.csv") -> String {
        sensorError { () throws(SensorError) in try read(text, p, file: file) }?.description ?? "no error"
    }

    /// The quarantine's reasons and counts, in first-seen order.
    static func counts(_ q: Quarantine) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: q.reasons.map { ($0.reason, $0.count) })
    }

    /// The time of the single row of a one-column file `t` holding `text`.
    static func time(_ text: String, _ format: FrameTimeFormat, zone: String = "UTC") throws(SensorError) -> Int64? {
        let p = TableReaderParameters(partition: [], time: FrameTimeSpec(column: "t", format: format, zone: zone),
                                      columns: [FrameReadColumn(source: "v")])
        return try read("t,v\n\(text),1\n", p).first?.time.first
    }

    /// A file of the real data sets in `../shared/data` (or `$SDS_SHARED/data`).
    static func shared(_ relative: String) throws -> [UInt8] {
        let root: String
        if let s = ProcessInfo.processInfo.environment["SDS_SHARED"], !s.isEmpty {
            root = s
        } else {
            let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().path
            root = repo + "/../shared"
        }
        return try readFile(root + "/data/" + relative)
    }
}
