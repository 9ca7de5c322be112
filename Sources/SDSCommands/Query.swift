import ArgumentParser
import Glibc
import SDSCatalog
import SDSCore
import SDSPipeline
import SDSSensors
import SDSStore

struct Query: ParsableCommand, StoreCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a read-only SQL query on a build's statistics tables.",
        discussion: """
            A build whose spec has 'statistics:' in a study writes statistics.sqlite into its output folder, with one table per study: a row per partition (a subject, a robot run), keyed by the column 'partition'. This command runs one SELECT on that file as it was stored with the build (verified by hash), never on a file someone edited, and never writes.

            VERSION is a tag, a build id (or a unique prefix), a git revision, or omitted for the last build.

              sds query "SELECT * FROM machina"
              sds query v1 "SELECT partition, runtime_s FROM machina ORDER BY runtime_s DESC"
              sds query --tables
            """)

    @Argument(help: "VERSION then SQL, or just SQL (the last build).")
    var arguments: [String] = []

    @Option(help: "The pipeline spec, relative to the current folder.")
    var spec: String = "sds.yaml"

    @Flag(help: "List the tables and their columns instead of running SQL.")
    var tables = false

    @Flag(help: "Print CSV (header, then rows) instead of a table.")
    var csv = false

    @Flag(help: "Print one JSON object per row.")
    var json = false

    func validate() throws {
        let sqlCount = tables ? 0 : 1
        guard arguments.count == sqlCount || arguments.count == sqlCount + 1 else {
            throw ValidationError(tables ? "give at most a VERSION with --tables" : "give the SQL to run, optionally after a VERSION")
        }
        guard !(csv && json) else { throw ValidationError("choose one of --csv and --json") }
    }

    func run() throws {
        try reporting {
            let ws = try openWorkspace()
            let sqlCount = tables ? 0 : 1
            let version = arguments.count > sqlCount ? arguments[0] : nil
            let b = try recordedBuild(version, ws, spec: spec, why: "query a build, such as the last one")
            guard case .string(let hex)? = b.json["files"]?["statistics.sqlite"], let id = ObjectID(hex: hex) else {
                throw SDSError(.notFound, "build \(b.id.short) has no statistics tables",
                               hint: "add 'statistics:' to a study in \(Spec.fileName) and build again")
            }
            // Checked against its id, then opened where it is: a query writes nothing (journal off).
            _ = try ws.store.read(id)
            let db = try SQLiteDatabase(path: ws.store.path(of: id), readOnly: true)
            let sql = tables
                ? "SELECT m.name AS \"table\", p.name AS \"column\", p.type AS type FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY m.name, p.cid"
                : arguments.last!
            let stmt: SQLiteStatement
            do { stmt = try db.prepareOne(sql) } catch let e as SDSError {
                throw SDSError(.usage, e.message, hint: "'sds query --tables' lists the tables and columns")
            }
            guard stmt.isReadOnly else {
                throw SDSError(.usage, "only queries that read are allowed; the statistics of a build never change")
            }
            try print(stmt)
        }
    }

    private func print(_ stmt: SQLiteStatement) throws {
        let n = stmt.columnCount
        let names = (0..<n).map { stmt.columnName($0) }
        var rows: [[SQLiteStatement.Value]] = []
        while try stmt.step() { rows.append((0..<n).map { stmt.value($0) }) }
        if json {
            for r in rows {
                var o: [String: JSON] = [:]
                for (k, v) in zip(names, r) {
                    switch v {
                    case .int(let i): o[k] = .int(i)
                    case .real(let d): o[k] = d.isFinite ? .double(d) : .null
                    case .text(let s): o[k] = .string(s)
                    case .blob(let b): o[k] = .string(b.map { String($0, radix: 16) }.joined())
                    case .null: o[k] = .null
                    }
                }
                Output.line(JSON.object(o).canonicalText)
            }
            return
        }
        func text(_ v: SQLiteStatement.Value) -> String {
            switch v {
            case .int(let i): return String(i)
            case .real(let d): return "\(d)"
            case .text(let s): return s
            case .blob(let b): return "x'" + b.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() + "'"
            case .null: return ""
            }
        }
        if csv {
            // The same quoting as the statistics CSV files themselves.
            func line(_ fields: [String]) -> String {
                var out: [UInt8] = []
                for (i, f) in fields.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    StatisticsTable.appendField(f, to: &out)
                }
                return String(decoding: out, as: UTF8.self)
            }
            Output.line(line(names))
            for r in rows { Output.line(line(r.map(text))) }
            return
        }
        var t = Table()
        t.rows.append(names)
        for r in rows { t.rows.append(r.map(text)) }
        t.print(indent: "")
        Output.line("(\(rows.count) row\(rows.count == 1 ? "" : "s"))")
    }
}
