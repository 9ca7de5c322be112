/// A pattern whose every field has one width (`%Y-%m-%dT%H:%M:%SZ`, `%d-%m-%Y %H:%M`): each
/// byte's role is fixed, so a field of exactly that width is checked as a few 8-byte words and
/// its numbers are read at known offsets, with no step-by-step program. Any field it does not
/// accept (another length, a 1-digit month, a value out of range) goes to the general program,
/// which gives the same results and writes the message.
struct TimePatternLayout: Sendable, Equatable {
    /// The field's length in bytes (8...32).
    let width: Int
    /// Checks covering every byte: words at 0, 8, … and one ending at `width`.
    let words: (Word, Word, Word, Word)
    let wordCount: Int
    /// Offsets of the fields (4 digits for the year, 2 for the others); -1 when absent.
    let year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    /// The length of the pattern's cacheable date prefix in bytes (see `TimePattern.datePrefix`), or 0.
    let datePrefix: Int

    /// One 8-byte word: bytes under `literalMask` must equal `literals`, under `digitMask` be digits.
    struct Word: Sendable, Equatable {
        var offset = 0
        var literalMask: UInt64 = 0, literals: UInt64 = 0, digitMask: UInt64 = 0
    }

    static func == (a: Self, b: Self) -> Bool {
        a.width == b.width && a.wordCount == b.wordCount && a.words.0 == b.words.0 && a.words.1 == b.words.1
            && a.words.2 == b.words.2 && a.words.3 == b.words.3 && a.datePrefix == b.datePrefix
            && [a.year, a.month, a.day, a.hour, a.minute, a.second] == [b.year, b.month, b.day, b.hour, b.minute, b.second]
    }

    /// The layout of `ops` (without clock shortcuts), or nil when a field's width can vary or
    /// the pattern has a field this path does not read (`%y`, `%e`, `%j`, `%b`, `%I`, `%f`, zones).
    init?(_ ops: ContiguousArray<TimePattern.Op>, datePrefixOps: Int) {
        var template = [UInt8]()   // a literal byte, or 0 for a digit
        var offsets: [TimePattern.Kind: Int] = [:]
        var prefixBytes = 0
        for (i, op) in ops.enumerated() {
            if i == datePrefixOps { prefixBytes = template.count }
            switch op.kind {
            case .literal:
                // A digit literal could be read by a greedy number before it.
                guard op.byte &- UInt8(ascii: "0") > 9, op.byte != 0 else { return nil }
                template.append(op.byte)
            case .year4, .month, .day, .hour24, .minute, .second:
                offsets[op.kind] = template.count
                template += repeatElement(0, count: op.kind == .year4 ? 4 : 2)
            default:
                return nil
            }
        }
        if datePrefixOps == ops.count { prefixBytes = template.count }
        guard (8...32).contains(template.count), offsets[.month] != nil, offsets[.day] != nil else { return nil }
        width = template.count
        var starts = Array(stride(from: 0, to: width - 8, by: 8))
        starts.append(width - 8)
        var w = [Word](repeating: Word(), count: 4)
        for (k, start) in starts.enumerated() {
            w[k].offset = start
            for j in 0..<8 {
                let b = template[start + j], shift = UInt64(j * 8)
                if b == 0 {
                    w[k].digitMask |= 0xFF << shift
                } else {
                    w[k].literalMask |= 0xFF << shift
                    w[k].literals |= UInt64(b) << shift
                }
            }
        }
        words = (w[0], w[1], w[2], w[3])
        wordCount = starts.count
        year = offsets[.year4] ?? -1
        month = offsets[.month] ?? -1
        day = offsets[.day] ?? -1
        hour = offsets[.hour24] ?? -1
        minute = offsets[.minute] ?? -1
        second = offsets[.second] ?? -1
        // The parser's prefix cache compares 16 bytes and keeps at most 16.
        datePrefix = width >= 16 && prefixBytes <= 16 ? prefixBytes : 0
    }

    /// Whether the `width` bytes at `f` have the literals and digits in their places.
    @inline(__always)
    func matches(_ f: UnsafePointer<UInt8>) -> Bool {
        @inline(__always) func ok(_ w: Word) -> Bool {
            let x = UInt64(littleEndian: UnsafeRawPointer(f + w.offset).loadUnaligned(as: UInt64.self))
            // Digits: high nibble 3 and low nibble at most 9 (adding 6 keeps it below 16).
            let high = w.digitMask & 0xF0F0_F0F0_F0F0_F0F0, three = w.digitMask & 0x3030_3030_3030_3030
            let d = x & w.digitMask
            return x & w.literalMask == w.literals && d & high == three
                && ((d & 0x0F0F_0F0F_0F0F_0F0F) &+ (w.digitMask & 0x0606_0606_0606_0606)) & high == 0
        }
        guard ok(words.0), ok(words.1) else { return false }
        return wordCount < 3 || ok(words.2) && (wordCount < 4 || ok(words.3))
    }

    /// The 2-digit number at `o` (0 when absent); the bytes were checked by `matches`.
    @inline(__always)
    static func two(_ f: UnsafePointer<UInt8>, _ o: Int) -> Int {
        o < 0 ? 0 : Int(f[o] &- 48) * 10 + Int(f[o + 1] &- 48)
    }

    @inline(__always)
    func year(_ f: UnsafePointer<UInt8>) -> Int { Self.two(f, year) * 100 + Self.two(f, year + 2) }
}
