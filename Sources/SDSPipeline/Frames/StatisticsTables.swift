import Glibc
import SDSCatalog
import SDSCore
import SDSSensors
import SDSStore

/// The per-partition statistics of a build, as files of its output folder: one CSV per
/// study and one SQLite file with a table per study, which `sds query` reads.
///
/// Writing them is a step like any other, keyed by the studies' statistics parameters and
/// their rows' object ids, so a build whose rows did not change writes nothing.
struct StatisticsTables {
    let store: ObjectStore
    let runner: StepRunner

    static let operatorName = "frame.tables"
    static let operatorVersion = 1
    static let databaseName = "statistics.sqlite"
    static func csvName(_ study: String) -> String { "statistics-\(study).csv" }

    /// One study's table: a row object per partition, in partition order (`made` when the
    /// row was computed in this build, so it need not be read back).
    struct Table {
        var study: String
        var statistics: PartitionStatistics
        var rows: [(id: ObjectID, made: StatisticsRow?)]
    }

    /// The files' names and object ids (none without statistics).
    func write(_ tables: [Table]) throws -> [String: ObjectID] {
        guard !tables.isEmpty else { return [:] }
        var params: [UInt8] = []
        for t in tables { params += Array(t.study.utf8) + [0] + t.statistics.parameters() }
        let result = try runner.run(op: Self.operatorName, version: Self.operatorVersion, params: StepCodec.params(params),
                                    inputs: tables.flatMap { $0.rows.map(\.id) }, partition: "all") {
            let decoded = try tables.map { t in
                (t, try t.rows.map { r in
                    try r.made ?? StepCodec.sensors { () throws(SensorError) in try StatisticsRow(decoding: try store.readSensors(r.id)) }
                })
            }
            return JSON.object(try files(decoded).mapValues { .string($0.hex) }).canonical()
        }
        guard case .object(let o) = try JSONReader.parse(try store.read(result)) else {
            throw SDSError(.badData, "the statistics tables object \(result.hex) is malformed")
        }
        return try o.mapValues { v in
            guard case .string(let h) = v, let id = ObjectID(hex: h) else {
                throw SDSError(.badData, "the statistics tables object \(result.hex) is malformed")
            }
            return id
        }
    }

    /// Writes the CSV and SQLite files of these rows into the store.
    private func files(_ tables: [(Table, [StatisticsRow])]) throws -> [String: ObjectID] {
        var files: [String: ObjectID] = [:]
        for (t, rows) in tables {
            files[Self.csvName(t.study)] = try store.put(StatisticsTable.csv(names: t.statistics.columnNames, rows: rows,
                                                                                  types: t.statistics.columnTypes), deferSync: true)
        }
        let tmp = store.newTempPath()
        defer { unlink(tmp) }
        do {
            let db = try SQLiteDatabase(path: tmp)
            // A scratch file: its bytes are stored once it is complete, so no journal is needed.
            // The layout is set explicitly rather than left to the library's build options.
            try db.execute("PRAGMA page_size=4096; PRAGMA auto_vacuum=NONE; PRAGMA encoding='UTF-8'; "
                           + "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF")
            try db.transaction {
                for (t, rows) in tables {
                    let columns = zip(t.statistics.columnNames, t.statistics.columnTypes).map { "\(Self.quote($0)) \($1)" }
                    try db.execute("CREATE TABLE \(Self.quote(t.study)) (partition TEXT PRIMARY KEY"
                                   + columns.map { ", " + $0 }.joined() + ")")
                    let insert = try db.prepare("INSERT INTO \(Self.quote(t.study)) VALUES (?"
                                                + String(repeating: ", ?", count: columns.count) + ")")
                    for row in rows {
                        try insert.run([.text(row.partition)] + row.values.map { v -> SQLiteStatement.Value in
                            switch v {
                            case .number(let d): return d.isFinite ? .real(d) : .null
                            case .text(let s): return .text(s)
                            case .missing: return .null
                            }
                        })
                    }
                }
            }
        }
        var bytes = try FileIO.readFile(tmp)
        // The header records how often the file changed and which SQLite wrote it; zeroed, the
        // same tables give the same bytes with any library version (SQLite reads them fine:
        // equal counters mean the header's page count is trusted, and it is right).
        guard bytes.count >= 100 else { throw SDSError(.internal, "SQLite wrote a \(bytes.count)-byte database") }
        for i in Array(24..<28) + Array(92..<100) { bytes[i] = 0 }
        files[Self.databaseName] = try store.put(bytes, deferSync: true)
        return files
    }

    /// An SQL identifier in double quotes.
    static func quote(_ name: String) -> String { "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\"" }
}
