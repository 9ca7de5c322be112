import Dispatch

/// Reads a long-format CSV (one row per entity, time and values) into per-entity partitions.
///
/// The file must be UTF-8 with a header line, `,` separators, `\n` or `\r\n` line ends, and
/// no quoting. Blank lines are skipped. Rows are parsed straight from the bytes: no `String`
/// per row, one allocation per entity (plus array growth), and a cached day for runs of
/// timestamps on the same date. With `jobs > 1` the bytes are cut at line boundaries and the
/// pieces are parsed in parallel; the result does not depend on `jobs`.
public enum LongCSVReader {
    public static let operatorName = "sensors.read-long-csv"
    public static let operatorVersion = 1

    /// Parses a whole file and splits its rows by entity.
    ///
    /// - Parameters:
    ///   - file: the name used in error messages (e.g. `heart_rate.csv`).
    ///   - jobs: threads to parse with.
    ///   - minimumChunkSize: bytes below which a piece is not split further.
    /// - Returns: one partition per entity, sorted by the entity's UTF-8 bytes; each holds
    ///   its rows in file order.
    /// - Throws: `SensorError` located at `file:line:column` for the first bad row in file order.
    public static func read(_ bytes: UnsafeRawBufferPointer, file: String, schema: LongCSVSchema,
                            jobs: Int = 1, minimumChunkSize: Int = 1 << 20) throws(SensorError) -> [SensorPartition] {
        var stream = LongCSVStream(file: file, schema: schema, jobs: jobs, minimumChunkSize: minimumChunkSize)
        _ = try stream.consume(bytes)
        return try stream.finish()
    }

    /// Parses a whole file; see the `UnsafeRawBufferPointer` form.
    public static func read(_ bytes: [UInt8], file: String, schema: LongCSVSchema,
                            jobs: Int = 1, minimumChunkSize: Int = 1 << 20) throws(SensorError) -> [SensorPartition] {
        let result: Result<[SensorPartition], SensorError> = bytes.withUnsafeBytes { buffer in
            do throws(SensorError) {
                return .success(try read(buffer, file: file, schema: schema, jobs: jobs, minimumChunkSize: minimumChunkSize))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// Parses a long-format CSV fed in chunks of any size, keeping only the partitions in memory.
///
/// Feed the file's bytes in order to `consume`, then call `finish`. With `grouped`, the input
/// must hold each entity's rows together (as a file sorted by entity does); `consume` then
/// returns each entity's partition as soon as the next entity starts, so memory holds one
/// entity's columns plus a chunk, and a reappearing entity is an error. Without `grouped`,
/// every partition comes from `finish`. Partitions are identical either way and whatever the
/// chunk sizes or `jobs`. After an error the stream must not be used again.
public struct LongCSVStream {
    public let file: String
    public let schema: LongCSVSchema
    public let grouped: Bool
    let jobs: Int
    let minimumChunkSize: Int

    private var layout: CSVLayout?
    /// A header or row cut by the end of the previous chunk.
    private var carry: [UInt8] = []
    /// Lines before the next unparsed byte (the header is line 1).
    private var linesDone = 0
    private var builders: [PartitionBuilder] = []
    private var index: [[UInt8]: Int] = [:]
    /// Entities already returned (grouped mode), to detect a reappearance.
    private var closed: Set<[UInt8]> = []
    private var failed = false

    /// - Parameters:
    ///   - file: the name used in error messages.
    ///   - grouped: return each entity's partition as soon as its rows end.
    ///   - jobs: threads to parse each chunk with.
    ///   - minimumChunkSize: bytes below which a piece of a chunk is not split further.
    public init(file: String, schema: LongCSVSchema, grouped: Bool = false, jobs: Int = 1, minimumChunkSize: Int = 1 << 20) {
        self.file = file
        self.schema = schema
        self.grouped = grouped
        self.jobs = max(jobs, 1)
        self.minimumChunkSize = max(minimumChunkSize, 1)
    }

    /// Parses the complete lines of the next chunk of the file.
    ///
    /// - Returns: the partitions known to be complete (grouped mode only), in file order.
    /// - Throws: `SensorError` located at `file:line:column` for the first bad row.
    public mutating func consume(_ chunk: UnsafeRawBufferPointer) throws(SensorError) -> [SensorPartition] {
        precondition(!failed, "LongCSVStream used after an error")
        guard let raw = chunk.baseAddress, chunk.count > 0 else { return [] }
        failed = true
        let base = raw.assumingMemoryBound(to: UInt8.self)
        let count = chunk.count
        var p = 0
        var completed: [SensorPartition] = []
        if layout == nil || !carry.isEmpty {
            // Finish the cut line (or the header) with this chunk's first line.
            var newline = 0
            while newline < count, base[newline] != UInt8(ascii: "\n") { newline += 1 }
            carry.append(contentsOf: UnsafeBufferPointer(start: base, count: min(newline + 1, count)))
            guard newline < count else { failed = false; return [] }
            try parseCarry(&completed)
            p = newline + 1
        }
        var lastNewline = count - 1
        while lastNewline >= p, base[lastNewline] != UInt8(ascii: "\n") { lastNewline -= 1 }
        if lastNewline >= p {
            try parseRegion(base, from: p, to: lastNewline + 1, &completed)
        }
        carry.append(contentsOf: UnsafeBufferPointer(start: base + max(p, lastNewline + 1), count: count - max(p, lastNewline + 1)))
        failed = false
        return completed
    }

    /// Parses the next chunk; see the `UnsafeRawBufferPointer` form.
    public mutating func consume(_ chunk: [UInt8]) throws(SensorError) -> [SensorPartition] {
        let result: Result<[SensorPartition], SensorError> = chunk.withUnsafeBytes { buffer in
            do throws(SensorError) {
                return .success(try consume(buffer))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses a last line without a newline and returns every partition not returned yet,
    /// sorted by entity bytes.
    ///
    /// - Throws: `SensorError` for a bad last line, or an empty file or header.
    public mutating func finish() throws(SensorError) -> [SensorPartition] {
        precondition(!failed, "LongCSVStream used after an error")
        failed = true
        var completed: [SensorPartition] = []
        if layout == nil && carry.isEmpty {
            throw SensorError(.badHeader, "empty file, expected a header line", file: file, line: 1, column: 1)
        }
        if !carry.isEmpty { try parseCarry(&completed) }
        guard let layout else { return completed }
        var rest: [(entity: [UInt8], builder: PartitionBuilder)] = []
        for i in builders.indices { rest.append((builders[i].entity, builders[i].take())) }
        builders = []
        index = [:]
        rest.sort { $0.entity.lexicographicallyPrecedes($1.entity) }
        for var r in rest { completed.append(r.builder.partition(layout: layout)) }
        failed = false
        return completed
    }

    /// Parses `carry` (the header, or whole lines) and empties it.
    private mutating func parseCarry(_ completed: inout [SensorPartition]) throws(SensorError) {
        var bytes = carry
        carry = []
        try bytes.withUnsafeMutableBufferPointer { (buffer) throws(SensorError) in
            let base = UnsafePointer(buffer.baseAddress!)
            var p = 0
            if layout == nil {
                let header = try CSVHeader.layout(base, buffer.count, file: file, schema: schema)
                layout = header
                linesDone = 1
                p = header.bodyStart
            }
            if p < buffer.count { try parseRegion(base, from: p, to: buffer.count, &completed) }
        }
    }

    /// Parses whole lines `from..<to` of `base`, in parallel pieces, and absorbs the builders.
    private mutating func parseRegion(_ base: UnsafePointer<UInt8>, from: Int, to: Int,
                                      _ completed: inout [SensorPartition]) throws(SensorError) {
        guard let layout else { return }
        let pieces = Self.cut(base, from: from, to: to, pieces: max(1, min(jobs, (to - from) / minimumChunkSize)))
        var results: [ChunkResult]
        if pieces.count == 2 {
            var parser = ChunkParser(base: base, start: from, end: to, layout: layout, grouped: grouped)
            results = [parser.run()]
        } else {
            let shared = SharedResults(count: pieces.count - 1)
            let input = SendablePointer(base)
            let grouped = grouped
            DispatchQueue.concurrentPerform(iterations: pieces.count - 1) { k in
                var parser = ChunkParser(base: input.pointer, start: pieces[k], end: pieces[k + 1], layout: layout, grouped: grouped)
                shared.set(k, parser.run())
            }
            results = shared.values.map { $0! }
        }
        for k in results.indices {
            if let e = results[k].error {
                throw SensorError(e.code, e.message, file: file, line: linesDone + e.line, column: e.column)
            }
            for j in results[k].builders.indices {
                var piece = results[k].builders[j].take()
                piece.firstLine += linesDone
                piece.lastLine += linesDone
                try absorb(piece, layout: layout, &completed)
            }
            linesDone += results[k].lines
        }
    }

    /// Adds a piece's rows of one entity to that entity's builder.
    private mutating func absorb(_ piece: PartitionBuilder, layout: CSVLayout,
                                 _ completed: inout [SensorPartition]) throws(SensorError) {
        if let i = index[piece.entity] {
            builders[i].append(contentsOf: piece)
            builders[i].lastLine = piece.lastLine
            return
        }
        if grouped {
            if closed.contains(piece.entity) {
                throw SensorError(.malformedRow, ChunkParser.notContiguous(layout, piece.entity),
                                  file: file, line: piece.firstLine, column: piece.firstColumn)
            }
            // The open entity ended where this one starts.
            if var open = builders.popLast() {
                index = [:]
                closed.insert(open.entity)
                var done = open.take()
                completed.append(done.partition(layout: layout))
            }
        }
        index[piece.entity] = builders.count
        builders.append(piece)
    }

    /// Offsets that cut `from..<to` (whole lines) into about `pieces` parts, each starting at a line.
    static func cut(_ base: UnsafePointer<UInt8>, from: Int, to: Int, pieces: Int) -> [Int] {
        var bounds = [from]
        let step = (to - from) / max(pieces, 1)
        for k in 1..<max(pieces, 1) {
            var p = max(from + k * step, bounds.last!)
            while p < to, base[p] != UInt8(ascii: "\n") { p += 1 }
            let next = min(p + 1, to)
            if next > bounds.last!, next < to { bounds.append(next) }
        }
        bounds.append(to)
        return bounds
    }
}

/// The header's column roles and where the rows begin.
struct CSVLayout: Sendable {
    enum Role: Sendable, Equatable {
        case skip, entity, time
        case int(Int)     // slot among the int64 value columns
        case double(Int)  // slot among the double value columns
    }

    var roles: [Role]
    var timeFormat: TimeFormat
    var intCount: Int
    var doubleCount: Int
    var entityName: String
    /// For each schema value column: (is int, slot).
    var valueSlots: [(isInt: Bool, slot: Int)]
    var valueNames: [String]
    var bodyStart: Int
}

enum CSVHeader {
    /// Reads the header line and maps the schema's columns onto its fields.
    static func layout(_ base: UnsafePointer<UInt8>, _ count: Int, file: String,
                       schema: LongCSVSchema) throws(SensorError) -> CSVLayout {
        var p = 0
        // A UTF-8 byte order mark is not part of the first name.
        if count >= 3, base[0] == 0xEF, base[1] == 0xBB, base[2] == 0xBF { p = 3 }
        var lineEnd = p
        while lineEnd < count, base[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
        let bodyStart = min(lineEnd + 1, count)
        if lineEnd > p, base[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
        guard lineEnd > p else {
            throw SensorError(.badHeader, "empty header line", file: file, line: 1, column: 1)
        }
        var names: [(name: String, column: Int)] = []
        var start = p
        for i in p...lineEnd where i == lineEnd || base[i] == UInt8(ascii: ",") {
            let field = UnsafeBufferPointer(start: base + start, count: i - start)
            guard let name = String(validating: field, as: UTF8.self) else {
                throw SensorError(.badHeader, "column name is not valid UTF-8", file: file, line: 1, column: start + 1)
            }
            names.append((name, start + 1))
            start = i + 1
        }
        var wanted: [(String, CSVLayout.Role)] = [(schema.entityColumn, .entity), (schema.timeColumn, .time)]
        var valueSlots: [(isInt: Bool, slot: Int)] = []
        var ints = 0, doubles = 0
        for c in schema.valueColumns {
            switch c.type {
            case .int64: wanted.append((c.name, .int(ints))); valueSlots.append((true, ints)); ints += 1
            case .double: wanted.append((c.name, .double(doubles))); valueSlots.append((false, doubles)); doubles += 1
            }
        }
        var roles = [CSVLayout.Role](repeating: .skip, count: names.count)
        var used = Set<String>()
        for (name, role) in wanted {
            guard used.insert(name).inserted else {
                throw SensorError.parameter("column \"\(name)\" is named twice in the schema")
            }
            let matches = names.indices.filter { names[$0].name == name }
            guard let first = matches.first else {
                throw SensorError(.badHeader, "missing column \"\(name)\" in the header (found: \(names.map(\.name).joined(separator: ", ")))",
                                  file: file, line: 1, column: 1)
            }
            if matches.count > 1 {
                throw SensorError(.badHeader, "column \"\(name)\" appears twice in the header",
                                  file: file, line: 1, column: names[matches[1]].column)
            }
            roles[first] = role
        }
        return CSVLayout(roles: roles, timeFormat: schema.timeFormat, intCount: ints, doubleCount: doubles,
                         entityName: schema.entityColumn, valueSlots: valueSlots,
                         valueNames: schema.valueColumns.map(\.name), bodyStart: bodyStart)
    }
}

/// One entity's columns while the file is parsed.
struct PartitionBuilder {
    var entity: [UInt8]
    var firstLine: Int
    /// Byte column of the entity field on `firstLine`, for errors.
    var firstColumn: Int
    var lastLine: Int
    var times = ContiguousArray<Int64>()
    var ints: [ContiguousArray<Int64>]
    var doubles: [ContiguousArray<Double>]

    init(entity: [UInt8], line: Int, column: Int, intCount: Int, doubleCount: Int) {
        self.entity = entity
        firstLine = line
        firstColumn = column
        lastLine = line
        ints = Array(repeating: [], count: intCount)
        doubles = Array(repeating: [], count: doubleCount)
    }

    /// Moves the builder out, leaving this one empty, so its arrays stay uniquely referenced.
    mutating func take() -> PartitionBuilder {
        var other = PartitionBuilder(entity: entity, line: firstLine, column: firstColumn,
                                     intCount: ints.count, doubleCount: doubles.count)
        swap(&self, &other)
        return other
    }

    /// Later pieces of this entity, joined only when the partition is made: one copy at the
    /// exact size instead of a growing array's repeated ones.
    var tail: [PartitionBuilder] = []

    mutating func append(contentsOf other: PartitionBuilder) {
        tail.append(other)
    }

    private mutating func join() {
        guard !tail.isEmpty else { return }
        let rows = tail.reduce(times.count) { $0 + $1.times.count }
        times.reserveCapacity(rows)
        for i in ints.indices { ints[i].reserveCapacity(rows) }
        for i in doubles.indices { doubles[i].reserveCapacity(rows) }
        for piece in tail {
            times.append(contentsOf: piece.times)
            for i in ints.indices { ints[i].append(contentsOf: piece.ints[i]) }
            for i in doubles.indices { doubles[i].append(contentsOf: piece.doubles[i]) }
        }
        tail = []
    }

    mutating func partition(layout: CSVLayout) -> SensorPartition {
        join()
        var columns: [NamedColumn] = []
        for (i, slot) in layout.valueSlots.enumerated() {
            let values: ColumnValues = slot.isInt ? .int64(ints[slot.slot]) : .double(doubles[slot.slot])
            columns.append(NamedColumn(name: layout.valueNames[i], values: values))
        }
        // The parser admitted only valid UTF-8 entities.
        return SensorPartition(entity: String(decoding: entity, as: UTF8.self), firstLine: firstLine,
                               lastLine: lastLine, times: times, columns: columns)
    }
}

/// A piece's builders (in first-appearance order), its line count, and its first error.
struct ChunkResult: @unchecked Sendable {
    struct LocalError {
        var line: Int  // 1-based within the piece
        var column: Int
        var code: SensorError.Code
        var message: String
    }

    var builders: [PartitionBuilder]
    var lines: Int
    var error: LocalError?
}

/// Collects the pieces' results from worker threads; each slot is written by one thread.
final class SharedResults: @unchecked Sendable {
    private(set) var values: [ChunkResult?]
    private let lock = DispatchSemaphore(value: 1)

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: ChunkResult) {
        lock.wait()
        values[index] = value
        lock.signal()
    }
}

/// The input bytes, read-only while the workers run.
struct SendablePointer: @unchecked Sendable {
    let pointer: UnsafePointer<UInt8>
    init(_ pointer: UnsafePointer<UInt8>) { self.pointer = pointer }
}
