/// Splits JSON Lines (one flat object a line) into the declared keys' slots.
///
/// Values are located, not decoded: strings by their body (escapes are undone only when a
/// read column needs them), numbers and literals by their text, nested objects and arrays
/// skipped whole and marked. Keys usually come in the same order on every line, so the
/// slot matched at each key position is tried first. Blank lines are skipped but counted.
struct JSONLinesScanner {
    let base: UnsafePointer<UInt8>
    let end: Int

    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")

    struct Malformed: Error {
        var message: String
        var at: Int
    }

    /// What reading a file in pieces carries from one piece to the next.
    struct State {
        /// The line before the next one to read.
        var line: Int64 = 0
        /// Whether each slot's key occurred on some line.
        var seen: [Bool] = []
        /// The slot matched at each key position last time.
        var guesses: [Int] = []
        var firstObjectLine: Int64 = 0
        /// The keys of the first object, for the hint when a declared key occurs on no line.
        var firstKeys: [String] = []
    }

    /// Reads every line from `start` into `a`.
    ///
    /// - Throws: a row's error in strict mode; `.badHeader` if a declared key occurs on no line.
    func rows(from start: Int, into a: inout TableRowAssembler) throws(SensorError) {
        var state = State()
        rowsStart(&state, a)
        try rows(from: start, final: true, state: &state, into: &a)
        try Self.finish(state, a)
    }

    /// Prepares `state` for the first piece.
    func rowsStart(_ state: inout State, _ a: TableRowAssembler) {
        state.seen = [Bool](repeating: false, count: a.layout.slotNames.count)
    }

    /// After the last piece: `.badHeader` if a declared key occurred on no line.
    static func finish(_ state: State, _ a: TableRowAssembler) throws(SensorError) {
        if state.firstObjectLine > 0, let s = state.seen.firstIndex(of: false) {
            throw SensorError(.badHeader, ColumnHint.missing(a.layout.slotNames[s], among: state.firstKeys, in: "any object", noun: "key"),
                              file: a.file, line: Int(state.firstObjectLine), column: 1)
        }
    }

    /// Reads the lines from `start` into `a`, continuing `state`.
    ///
    /// - Parameter final: whether the input ends at `end`; when not, a line without its `\n`
    ///   is left for the next call.
    /// - Returns: where reading stopped: `end`, or the start of the line left.
    @discardableResult
    func rows(from start: Int, final: Bool, state: inout State, into a: inout TableRowAssembler) throws(SensorError) -> Int {
        let keys = a.layout.slotNames.map { Array($0.utf8) }
        let slotCount = keys.count
        let fields = a.fields
        var scratch = ScratchBytes()
        defer { scratch.release() }
        var line = state.line
        defer { state.line = line }
        var p = start
        while p < end {
            let lineStart = p
            var lineEnd = p
            while lineEnd < end, base[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            if !final, lineEnd == end { return lineStart }
            line += 1
            p = lineEnd < end ? lineEnd + 1 : end
            var e = lineEnd
            if e > lineStart, base[e - 1] == UInt8(ascii: "\r") { e -= 1 }
            var q = skipSpace(lineStart, e)
            if q == e { continue }
            for s in 0..<slotCount { fields[s] = .absent }
            var keyIndex = 0
            do throws(Malformed) {
                q = try expect(UInt8(ascii: "{"), q, e, "a line must hold one JSON object")
                q = skipSpace(q, e)
                if q < e, base[q] == UInt8(ascii: "}") {
                    q += 1
                } else {
                    while true {
                        guard q < e, base[q] == Self.quote else { throw Malformed(message: "expected a key in quotes", at: q) }
                        let keyStart = q + 1
                        var escaped = false
                        q = try stringEnd(keyStart, e, escaped: &escaped)
                        let keyEnd = q
                        q = skipSpace(q + 1, e)
                        q = try expect(UInt8(ascii: ":"), q, e, "expected ':' after a key")
                        q = skipSpace(q, e)
                        let at = q
                        var value = TableField(start: q, end: q, at: at, kind: .plain)
                        q = try self.value(q, e, &value)
                        // The key's slot: the guess for this position, else a search.
                        var kp = base + keyStart
                        var kn = keyEnd - keyStart
                        if escaped {
                            scratch.count = 0
                            guard JSONStrings.unescape(kp, kn, into: &scratch) else { throw Malformed(message: "bad escape in a key", at: keyStart) }
                            kp = UnsafePointer(scratch.base)
                            kn = scratch.count
                        }
                        var slot = -1
                        if keyIndex < state.guesses.count, state.guesses[keyIndex] >= 0, Self.equal(keys[state.guesses[keyIndex]], kp, kn) {
                            slot = state.guesses[keyIndex]
                        } else {
                            for k in 0..<slotCount where Self.equal(keys[k], kp, kn) {
                                slot = k
                                break
                            }
                            if keyIndex < state.guesses.count { state.guesses[keyIndex] = slot } else { state.guesses.append(slot) }
                        }
                        if slot >= 0 {
                            fields[slot] = value
                            state.seen[slot] = true
                        }
                        keyIndex += 1
                        q = skipSpace(q, e)
                        guard q < e else { throw Malformed(message: "the object is not closed", at: q) }
                        if base[q] == UInt8(ascii: ",") {
                            q = skipSpace(q + 1, e)
                            continue
                        }
                        q = try expect(UInt8(ascii: "}"), q, e, "expected ',' or '}' after a value")
                        break
                    }
                }
                q = skipSpace(q, e)
                if q != e { throw Malformed(message: "text after the object", at: q) }
            } catch {
                try a.reject("bad JSON", .malformedRow, line, at: error.at, lineStart, error.message)
                continue
            }
            if state.firstObjectLine == 0 {
                state.firstObjectLine = line
                state.firstKeys = objectKeys(lineStart, e)
            }
            // Rows without a key they cannot do without are told which key, with a hint.
            var lacking: Int?
            for s in a.layout.partitionSlots where fields[s].at < 0 { lacking = s }
            if fields[a.layout.timeSlot].at < 0 { lacking = a.layout.timeSlot }
            if let s = a.layout.timeOfDaySlot, fields[s].at < 0 { lacking = s }
            if let s = lacking {
                let keysHere = objectKeys(lineStart, e)
                try a.reject("missing value", .badValue, line, at: lineStart, lineStart,
                             ColumnHint.missing(a.layout.slotNames[s], among: keysHere, in: "the object", noun: "key"))
                continue
            }
            try a.row(line: line, lineStart: lineStart)
        }
        return end
    }

    // MARK: Syntax

    @inline(__always)
    private func skipSpace(_ p: Int, _ e: Int) -> Int {
        var q = p
        while q < e, base[q] == UInt8(ascii: " ") || base[q] == UInt8(ascii: "\t") { q += 1 }
        return q
    }

    @inline(__always)
    private func expect(_ c: UInt8, _ p: Int, _ e: Int, _ message: String) throws(Malformed) -> Int {
        guard p < e, base[p] == c else { throw Malformed(message: message, at: p) }
        return p + 1
    }

    /// The position of the quote closing the string body at `p`.
    @inline(__always)
    private func stringEnd(_ p: Int, _ e: Int, escaped: inout Bool) throws(Malformed) -> Int {
        var q = p
        while q < e {
            let b = base[q]
            if b == Self.quote { return q }
            if b == Self.backslash {
                escaped = true
                q += 2
                continue
            }
            if b < 0x20 { throw Malformed(message: "a control character in a string must be escaped", at: q) }
            q += 1
        }
        throw Malformed(message: "a string is not closed", at: p - 1)
    }

    /// Locates the value at `p` into `v`; returns the position after it.
    @inline(__always)
    private func value(_ p: Int, _ e: Int, _ v: inout TableField) throws(Malformed) -> Int {
        guard p < e else { throw Malformed(message: "expected a value", at: p) }
        let c = base[p]
        if c == Self.quote {
            var escaped = false
            let q = try stringEnd(p + 1, e, escaped: &escaped)
            v.start = p + 1
            v.end = q
            v.kind = escaped ? .jsonEscaped : .plain
            return q + 1
        }
        if c == UInt8(ascii: "-") || c &- UInt8(ascii: "0") <= 9 {
            var q = p + 1
            while q < e {
                let b = base[q]
                guard b &- UInt8(ascii: "0") <= 9 || b == UInt8(ascii: ".") || b | 0x20 == UInt8(ascii: "e")
                    || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") else { break }
                q += 1
            }
            v.start = p
            v.end = q
            return q
        }
        if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
            v.kind = .nested
            return try skipNested(p, e)
        }
        let (word, kind): (StaticString, TableField.Kind)
        switch c {
        case UInt8(ascii: "t"): (word, kind) = ("true", .jsonTrue)
        case UInt8(ascii: "f"): (word, kind) = ("false", .jsonFalse)
        case UInt8(ascii: "n"): (word, kind) = ("null", .null)
        default: throw Malformed(message: "expected a value", at: p)
        }
        let n = word.utf8CodeUnitCount
        if p + n <= e, ScratchBytes.equal(word.utf8Start, base + p, n) {
            v.kind = kind
            return p + n
        }
        throw Malformed(message: "expected a value", at: p)
    }

    /// The position after the object or array at `p`.
    private func skipNested(_ p: Int, _ e: Int) throws(Malformed) -> Int {
        var depth = 0
        var q = p
        while q < e {
            let b = base[q]
            if b == Self.quote {
                var escaped = false
                q = try stringEnd(q + 1, e, escaped: &escaped) + 1
                continue
            }
            if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") { depth += 1 }
            if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return q + 1 }
            }
            q += 1
        }
        throw Malformed(message: "an object or array is not closed", at: p)
    }

    @inline(__always)
    private static func equal(_ key: [UInt8], _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        guard key.count == n else { return false }
        return n == 0 || key.withUnsafeBufferPointer { ScratchBytes.equal($0.baseAddress!, p, n) }
    }

    /// The keys of the (well-formed) object in `p..<e`, for hints.
    private func objectKeys(_ p: Int, _ e: Int) -> [String] {
        objectEntries(p, e).entries.map { String(decoding: UnsafeBufferPointer(start: base + $0.key.start, count: $0.key.count), as: UTF8.self) }
    }

    /// The keys (the bytes between their quotes, escapes kept) and located values of the object
    /// in `p..<e`, up to the first syntax error; `complete` when there is none and nothing follows.
    func objectEntries(_ p: Int, _ e: Int) -> (entries: [(key: (start: Int, count: Int, escaped: Bool), value: TableField)], complete: Bool) {
        var entries: [(key: (start: Int, count: Int, escaped: Bool), value: TableField)] = []
        var q = skipSpace(p, e)
        guard q < e, base[q] == UInt8(ascii: "{") else { return (entries, false) }
        q = skipSpace(q + 1, e)
        if q < e, base[q] == UInt8(ascii: "}") { return (entries, skipSpace(q + 1, e) == e) }
        while true {
            q = skipSpace(q, e)
            guard q < e, base[q] == Self.quote else { return (entries, false) }
            var escaped = false
            guard let close = try? stringEnd(q + 1, e, escaped: &escaped) else { return (entries, false) }
            let key = (start: q + 1, count: close - q - 1, escaped: escaped)
            q = skipSpace(close + 1, e)
            guard q < e, base[q] == UInt8(ascii: ":") else { return (entries, false) }
            q = skipSpace(q + 1, e)
            var v = TableField(start: q, end: q, at: q, kind: .plain)
            guard let after = try? value(q, e, &v) else { return (entries, false) }
            entries.append((key, v))
            q = skipSpace(after, e)
            guard q < e else { return (entries, false) }
            if base[q] == UInt8(ascii: "}") { return (entries, skipSpace(q + 1, e) == e) }
            guard base[q] == UInt8(ascii: ",") else { return (entries, false) }
            q += 1
        }
    }
}
