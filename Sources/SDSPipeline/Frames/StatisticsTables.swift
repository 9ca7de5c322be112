import Glibc
import SDSCatalog
import SDSCore
import SDSSensors
import SDSStore

/// The per-partition statistics of a build, as files of its output folder: one CSV per
/// study and one SQLite file with a table per study, which `sds query` reads.
struct StatisticsTables {
    let store: ObjectStore

    static let databaseName = "statistics.sqlite"
    static func csvName(_ study: String) -> String { "statistics-\(study).csv" }

    /// Stores the files; returns their names and object ids (none without statistics).
    func write(_ tables: [(study: String, statistics: PartitionStatistics, rows: [StatisticsRow])]) throws -> [String: ObjectID] {
        guard !tables.isEmpty else { return [:] }
        var files: [String: ObjectID] = [:]
        for t in tables {
            files[Self.csvName(t.study)] = try store.put(StatisticsTable.csv(names: t.statistics.columnNames, rows: t.rows,
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
                for t in tables {
                    let columns = zip(t.statistics.columnNames, t.statistics.columnTypes).map { "\(Self.quote($0)) \($1)" }
                    try db.execute("CREATE TABLE \(Self.quote(t.study)) (partition TEXT PRIMARY KEY"
                                   + columns.map { ", " + $0 }.joined() + ")")
                    let insert = try db.prepare("INSERT INTO \(Self.quote(t.study)) VALUES (?"
                                                + String(repeating: ", ?", count: columns.count) + ")")
                    for row in t.rows {
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
