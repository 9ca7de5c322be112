/// Splits CSV records (RFC 4180) into fields and hands each row's slots to the assembler.
///
/// Unquoted fields are scanned for the delimiter or a newline only; a field that starts with
/// `"` runs to the matching quote (`""` is a literal quote, newlines are allowed inside).
/// `\r\n` line ends and a missing final newline are accepted; blank lines are skipped but
/// counted, so lines are those of the file.
struct CSVTableScanner {
    static let quote = UInt8(ascii: "\"")
    static let newline = UInt8(ascii: "\n")
    static let cr = UInt8(ascii: "\r")

    let base: UnsafePointer<UInt8>
    let end: Int
    let delimiter: UInt8
    private let delimiterWord: UInt64
    /// Lines starting with these bytes are skipped (none when empty).
    var comment: [UInt8] = []

    init(base: UnsafePointer<UInt8>, end: Int, delimiter: UInt8) {
        self.base = base
        self.end = end
        self.delimiter = delimiter
        delimiterWord = UInt64(delimiter) &* 0x0101_0101_0101_0101
    }

    private static let newlineWord: UInt64 = 0x0A0A_0A0A_0A0A_0A0A

    /// The high bit of each zero byte of `v`, exact up to the lowest zero byte (above it, a
    /// borrow may mark a 0x01 byte too, which callers never look at).
    @inline(__always)
    private static func zeroBytes(_ v: UInt64) -> UInt64 {
        (v &- 0x0101_0101_0101_0101) & ~v & 0x8080_8080_8080_8080
    }

    /// The position after the blank lines at `p`, counting them into `line`.
    func skipBlankLines(_ p: Int, line: inout Int) -> Int {
        var p = p
        while p < end {
            if base[p] == Self.newline {
                p += 1
            } else if base[p] == Self.cr, p + 1 == end || base[p + 1] == Self.newline {
                p = min(p + 2, end)
            } else {
                break
            }
            line += 1
        }
        return p
    }

    /// The position after the blank and comment lines at `p`, counting them into `line`.
    func skipCommentsAndBlankLines(_ p: Int, line: inout Int) -> Int {
        var p = skipBlankLines(p, line: &line)
        while p < end, isComment(p) {
            p = lineEnd(p)
            if p < end { p += 1 }
            line += 1
            p = skipBlankLines(p, line: &line)
        }
        return p
    }

    /// Whether the line at `p` starts with the comment prefix.
    @inline(__always)
    func isComment(_ p: Int) -> Bool {
        guard !comment.isEmpty, end - p >= comment.count else { return false }
        for (i, b) in comment.enumerated() where base[p + i] != b { return false }
        return true
    }

    /// The header record at `p` (not blank), on line `line`: names, their byte columns, the
    /// position after it and the line there (more than `line + 1` if a quoted name holds newlines).
    ///
    /// - Throws: `.badHeader` for bad quoting or a name that is not UTF-8.
    func header(at p: Int, line: Int, file: String) throws(SensorError) -> (names: [String], columns: [Int], next: Int, nextLine: Int) {
        var names: [String] = []
        var columns: [Int] = []
        var p = p
        let lineStart = p
        var scratch = ScratchBytes()
        defer { scratch.release() }
        var inner: Int64 = 0
        while true {
            let at = p
            var kind = TableField.Kind.plain
            let (start, fieldEnd, next, problem) = field(at: p, kind: &kind, lines: &inner)
            if let problem {
                throw SensorError(.badHeader, Self.problems[problem.code], file: file, line: line, column: problem.at - lineStart + 1)
            }
            scratch.count = 0
            if kind == .csvEscaped {
                TableRowAssembler.unescapeCSV(base + start, fieldEnd - start, into: &scratch)
            } else {
                scratch.append(base + start, fieldEnd - start)
            }
            guard let name = String(validating: UnsafeBufferPointer(start: scratch.base, count: scratch.count), as: UTF8.self) else {
                throw SensorError(.badHeader, "header field \(names.count + 1) is not valid UTF-8", file: file, line: line,
                                  column: at - lineStart + 1)
            }
            names.append(name)
            columns.append(at - lineStart + 1)
            p = next
            if p < end, base[p] == delimiter {
                p += 1
                continue
            }
            return (names, columns, p < end ? p + 1 : p, line + Int(inner) + 1)
        }
    }

    /// A quoting problem: where, and which (`problems` holds the words).
    struct Problem {
        var at: Int
        var code: Int
    }

    static let problems = ["a quoted field is not closed", "a closing quote must be followed by the delimiter or the line's end"]

    /// One field at `p`: its value's bounds, the position of the byte that ends it (delimiter,
    /// `\n` or end), and a quoting problem, if any (then the position is the line's end).
    @inline(__always)
    private func field(at p: Int, kind: inout TableField.Kind, lines: UnsafeMutablePointer<Int64>) -> (Int, Int, Int, Problem?) {
        if p < end, base[p] == Self.quote {
            var q = p + 1
            while q < end {
                let b = base[q]
                if b == Self.quote {
                    if q + 1 < end, base[q + 1] == Self.quote {
                        kind = .csvEscaped
                        q += 2
                        continue
                    }
                    break
                }
                if b == Self.newline { lines.pointee += 1 }
                q += 1
            }
            guard q < end else {
                return (p + 1, end, end, Problem(at: p, code: 0))
            }
            let after = q + 1
            if after == end || base[after] == delimiter || base[after] == Self.newline { return (p + 1, q, after, nil) }
            if base[after] == Self.cr, after + 1 == end || base[after + 1] == Self.newline { return (p + 1, q, after + 1, nil) }
            return (p + 1, q, lineEnd(after), Problem(at: after, code: 1))
        }
        var q = p
        // Eight bytes at a time: the lowest byte equal to the delimiter or `\n` ends the field.
        let raw = UnsafeRawPointer(base)
        while q + 8 <= end {
            let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: q, as: UInt64.self))
            let hits = Self.zeroBytes(x ^ delimiterWord) | Self.zeroBytes(x ^ Self.newlineWord)
            if hits != 0 {
                q += hits.trailingZeroBitCount >> 3
                return finish(p, q)
            }
            q += 8
        }
        while q < end {
            let b = base[q]
            if b == delimiter || b == Self.newline { break }
            q += 1
        }
        return finish(p, q)
    }

    @inline(__always)
    private func finish(_ p: Int, _ q: Int) -> (Int, Int, Int, Problem?) {
        var e = q
        if e > p, base[e - 1] == Self.cr, q == end || base[q] == Self.newline { e -= 1 }
        return (p, e, q, nil)
    }

    /// The value and end of a field of 1 to 15 plain digits at `p` that ends at the delimiter,
    /// `\n` or `\r\n` (so not at the input's end), and the position of that delimiter or `\n`;
    /// or nil. Such a value is exact as a Double and the same as `NumberSyntax.double` gives.
    ///
    /// Byte by byte: counts in a wide table mostly have the same few lengths, so the branches
    /// predict well (a branch-free eight-byte version measured slower, its position chain
    /// being longer).
    @inline(__always)
    private func shortDigits(at p: Int) -> (value: Int, end: Int, next: Int)? {
        var q = p
        // Signed: converting an Int to Double is one instruction on x86-64, a UInt64 several.
        var v = 0
        while q < end {
            let d = base[q] &- UInt8(ascii: "0")
            if d > 9 { break }
            v = v &* 10 &+ Int(d)
            q += 1
        }
        guard q > p, q - p <= 15, q < end else { return nil }
        if base[q] == delimiter || base[q] == Self.newline { return (v, q, q) }
        if base[q] == Self.cr, q + 1 < end, base[q + 1] == Self.newline { return (v, q, q + 1) }
        return nil
    }

    /// The position of the `\n` ending the line at `p`, or the end.
    func lineEnd(_ p: Int) -> Int {
        var q = p
        while q < end, base[q] != Self.newline { q += 1 }
        return q
    }

    /// Reads every record from `start`, the first on line `firstLine`, into `a`; returns the
    /// last line read (`firstLine - 1` when there was none).
    @discardableResult
    func rows(from start: Int, firstLine: Int, into a: inout TableRowAssembler) throws(SensorError) -> Int {
        let fieldCount = a.layout.fieldCount
        let slotOfField = UnsafeMutablePointer<Int>.allocate(capacity: max(fieldCount, 1))
        defer { slotOfField.deallocate() }
        for f in 0..<fieldCount { slotOfField[f] = a.layout.slotOfField[f] }
        // The wide index of each field, or -1: those fields get the digits fast path below.
        let wideOfField = UnsafeMutablePointer<Int>.allocate(capacity: max(fieldCount, 1))
        defer { wideOfField.deallocate() }
        wideOfField.initialize(repeating: -1, count: max(fieldCount, 1))
        for (k, slot) in a.layout.wideSlots.enumerated() {
            if let f = a.layout.slotOfField.firstIndex(of: slot) { wideOfField[f] = k }
        }
        let wide = a.rowWide
        let wideNeedsFields = a.wideNeedsFields
        let fields = a.fields
        var line = Int64(firstLine - 1)
        var p = start
        let hasComment = !comment.isEmpty
        while p < end {
            line += 1
            let lineStart = p
            let first = base[p]
            if first == Self.newline {
                p += 1
                continue
            }
            if first == Self.cr, p + 1 == end || base[p + 1] == Self.newline {
                p = min(p + 2, end)
                continue
            }
            if hasComment, isComment(p) {
                p = lineEnd(p)
                if p < end { p += 1 }
                continue
            }
            let rowLine = line
            var f = 0
            var extraAt = 0
            var problem: Problem?
            var wideParsed = true
            while true {
                let at = p
                if f < fieldCount, wideOfField[f] >= 0 {
                    // A wide table has many small counts per row: parse them while splitting.
                    // Any other field is left NaN for the assembler to parse from its slot.
                    let k = wideOfField[f]
                    if let (v, e, next) = shortDigits(at: p) {
                        if wideNeedsFields { fields[slotOfField[f]] = TableField(start: p, end: e, at: p, kind: .plain) }
                        wide[k] = Double(v)
                        p = next
                        f += 1
                        if base[p] == delimiter {
                            p += 1
                            continue
                        }
                        break
                    }
                    wide[k] = .nan
                    wideParsed = false
                }
                var kind = TableField.Kind.plain
                let (s, e, next, trouble) = field(at: p, kind: &kind, lines: &line)
                p = next
                if let trouble {
                    problem = trouble
                    break
                }
                if f < fieldCount {
                    let slot = slotOfField[f]
                    if slot >= 0 { fields[slot] = TableField(start: s, end: e, at: at, kind: kind) }
                } else if f == fieldCount {
                    extraAt = at
                }
                f += 1
                if p < end, base[p] == delimiter {
                    p += 1
                    continue
                }
                break
            }
            // p is at the line's `\n` or the end.
            var rowEnd = p
            if rowEnd > lineStart, base[rowEnd - 1] == Self.cr { rowEnd -= 1 }
            if p < end { p += 1 }
            if let problem {
                try a.reject("bad quoting", .malformedRow, rowLine, at: problem.at, lineStart, Self.problems[problem.code])
            } else if f != fieldCount {
                try a.reject("wrong number of fields", .malformedRow, rowLine, at: f > fieldCount ? extraAt : rowEnd, lineStart,
                             "expected \(fieldCount) field\(fieldCount == 1 ? "" : "s"), found \(f)")
            } else {
                try a.row(line: rowLine, lineStart: lineStart, wideParsed: wideParsed)
            }
        }
        return Int(line)
    }
}
