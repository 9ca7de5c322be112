/// JSON string escapes, undone on raw bytes.
enum JSONStrings {
    /// Appends the UTF-8 of the string body `p[0..<n]` (between its quotes) with escapes undone.
    ///
    /// - Returns: false for an unknown escape, a bad `\u` or an unpaired surrogate.
    static func unescape(_ p: UnsafePointer<UInt8>, _ n: Int, into out: inout ScratchBytes) -> Bool {
        out.reserve(n)
        var i = 0
        while i < n {
            let b = p[i]
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                i += 1
                continue
            }
            guard i + 1 < n else { return false }
            i += 2
            switch p[i - 1] {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(p, i, n) else { return false }
                i += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by `\u` and a low one.
                    guard i + 1 < n, p[i] == UInt8(ascii: "\\"), p[i + 1] == UInt8(ascii: "u"),
                          let low = hex4(p, i + 2, n), (0xDC00..<0xE000).contains(low) else { return false }
                    i += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    return false
                }
                guard let u = Unicode.Scalar(scalar), let encoded = UTF8.encode(u) else { return false }
                for byte in encoded { out.append(byte) }
            default: return false
            }
        }
        return true
    }

    private static func hex4(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> UInt32? {
        guard i + 4 <= n else { return nil }
        var v: UInt32 = 0
        for k in i..<(i + 4) {
            let c = p[k]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }
}
