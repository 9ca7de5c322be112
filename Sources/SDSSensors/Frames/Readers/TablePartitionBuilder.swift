/// One partition's rows while a table is read.
struct TablePartitionBuilder {
    let key: [UInt8]
    let name: String
    let hash: UInt64
    var time = ContiguousArray<Int64>()
    var lines = ContiguousArray<Int64>()
    var doubles: [ContiguousArray<Double>]
    var texts: [ContiguousArray<String>]

    init(key: [UInt8], name: String, hash: UInt64, doubleColumns: Int, textColumns: Int) {
        self.key = key
        self.name = name
        self.hash = hash
        doubles = Array(repeating: [], count: doubleColumns)
        texts = Array(repeating: [], count: textColumns)
    }

    /// Frees the rows (the key stays, to recognise the partition).
    mutating func release() {
        time = []
        lines = []
        for i in doubles.indices { doubles[i] = [] }
        for i in texts.indices { texts[i] = [] }
    }

    @inline(__always)
    func has(key p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        guard key.count == n else { return false }
        return n == 0 || key.withUnsafeBufferPointer { ScratchBytes.equal($0.baseAddress!, p, n) }
    }

    /// Appends a run of rows (row-major for several columns) and empties the run arrays,
    /// leaving room for `expected` rows in the next run.
    mutating func take(_ runTime: inout ContiguousArray<Int64>, _ runLines: inout ContiguousArray<Int64>,
                       _ runDoubles: inout ContiguousArray<Double>, _ runTexts: inout ContiguousArray<String>,
                       expected: Int) {
        Self.move(&runTime, into: &time, expected: expected)
        Self.move(&runLines, into: &lines, expected: expected)
        Self.unflatten(&runDoubles, into: &doubles, expected: expected)
        Self.unflatten(&runTexts, into: &texts, expected: expected)
    }

    private static func move<T>(_ run: inout ContiguousArray<T>, into column: inout ContiguousArray<T>, expected: Int) {
        if column.isEmpty {
            swap(&run, &column)
            // The next partition is likely as long: growing from empty would copy it again
            // (and each growth writes to fresh pages, which costs more than the copy).
            run.reserveCapacity(max(column.count, expected))
        } else {
            column.append(contentsOf: run)
            run.removeAll(keepingCapacity: true)
        }
    }

    private static func unflatten<T>(_ run: inout ContiguousArray<T>, into columns: inout [ContiguousArray<T>], expected: Int) {
        if columns.count == 1 { return move(&run, into: &columns[0], expected: expected) }
        let flat = run
        for c in columns.indices {
            columns[c].append(contentsOf: stride(from: c, to: flat.count, by: columns.count).lazy.map { flat[$0] })
        }
        run.removeAll(keepingCapacity: true)
    }
}
