/// Decimal number parsing on raw bytes, exact and locale-free.
enum NumberSyntax {
    /// Exact powers of ten representable as doubles (10^0 ... 10^22).
    static let powersOfTen: [Double] = (0...22).map { e in
        var v = 1.0
        for _ in 0..<e { v *= 10 }
        return v
    }

    /// Parses `[+-]?digits` at `p`, stopping at the first other byte before `end`.
    ///
    /// - Returns: the value and the position after it, or nil when there are no digits or
    ///   more than 18 (the caller's slow path then decides between overflow and success).
    @inline(__always)
    static func int64(_ base: UnsafePointer<UInt8>, _ p: Int, _ end: Int) -> (Int64, Int)? {
        var q = p
        var negative = false
        if q < end {
            if base[q] == UInt8(ascii: "-") { negative = true; q += 1 }
            else if base[q] == UInt8(ascii: "+") { q += 1 }
        }
        let digitsStart = q
        var v: Int64 = 0
        while q < end {
            let d = base[q] &- UInt8(ascii: "0")
            if d > 9 { break }
            v = v &* 10 &+ Int64(d)
            q += 1
        }
        let n = q - digitsStart
        guard n > 0, n <= 18 else { return nil }
        return (negative ? -v : v, q)
    }

    /// Parses a whole field as Int64 (any digit count); nil if it is not an integer or overflows.
    static func int64(field: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        var negative = false
        if i < field.count, field[i] == UInt8(ascii: "-") || field[i] == UInt8(ascii: "+") {
            negative = field[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < field.count else { return nil }
        // Accumulate negatively so Int64.min parses.
        var v: Int64 = 0
        while i < field.count {
            let d = field[i] &- UInt8(ascii: "0")
            guard d <= 9 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.subtractingReportingOverflow(Int64(d))
            guard !o1, !o2 else { return nil }
            v = s
            i += 1
        }
        if negative { return v }
        return v == .min ? nil : -v
    }

    /// Whether the field only has digits (after an optional sign); used to word errors.
    static func isDigits(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        if i < field.count, field[i] == UInt8(ascii: "-") || field[i] == UInt8(ascii: "+") { i += 1 }
        guard i < field.count else { return false }
        return field[i...].allSatisfy { $0 &- UInt8(ascii: "0") <= 9 }
    }

    /// Parses `[+-]?(d+(.d*)?|.d+)([eE][+-]?d+)?` at `p` with Clinger's exact fast path.
    ///
    /// - Returns: the value and the position after it, or nil when the syntax does not
    ///   match or the value needs more than the fast path (the caller then uses `double(field:)`).
    @inline(__always)
    static func double(_ base: UnsafePointer<UInt8>, _ p: Int, _ end: Int) -> (Double, Int)? {
        var q = p
        var negative = false
        if q < end {
            if base[q] == UInt8(ascii: "-") { negative = true; q += 1 }
            else if base[q] == UInt8(ascii: "+") { q += 1 }
        }
        var mantissa: UInt64 = 0
        var significant = 0
        var digits = 0
        var exponent = 0
        while q < end {
            let d = base[q] &- UInt8(ascii: "0")
            if d > 9 { break }
            if mantissa != 0 || d != 0 { significant += 1 }
            mantissa = mantissa &* 10 &+ UInt64(d)
            digits += 1
            q += 1
        }
        if q < end, base[q] == UInt8(ascii: ".") {
            q += 1
            while q < end {
                let d = base[q] &- UInt8(ascii: "0")
                if d > 9 { break }
                if mantissa != 0 || d != 0 { significant += 1 }
                mantissa = mantissa &* 10 &+ UInt64(d)
                digits += 1
                exponent -= 1
                q += 1
            }
        }
        guard digits > 0, significant <= 19 else { return nil }
        if q < end, base[q] == UInt8(ascii: "e") || base[q] == UInt8(ascii: "E") {
            q += 1
            var negativeExponent = false
            if q < end {
                if base[q] == UInt8(ascii: "-") { negativeExponent = true; q += 1 }
                else if base[q] == UInt8(ascii: "+") { q += 1 }
            }
            var e = 0
            let start = q
            while q < end {
                let d = base[q] &- UInt8(ascii: "0")
                if d > 9 { break }
                if e < 100_000 { e = e * 10 + Int(d) }
                q += 1
            }
            guard q > start else { return nil }
            exponent += negativeExponent ? -e : e
        }
        var value: Double
        if mantissa == 0 {
            value = 0
        } else if mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            // Both operands are exact, so one IEEE operation rounds correctly.
            value = Double(mantissa)
            value = exponent < 0 ? value / powersOfTen[-exponent] : value * powersOfTen[exponent]
        } else {
            return nil
        }
        return (negative ? -value : value, q)
    }

    /// Parses a whole field as a double, correctly rounded; nil if the syntax is wrong.
    static func double(field: UnsafeBufferPointer<UInt8>) -> Double? {
        guard validDoubleSyntax(field) else { return nil }
        // Rare (over 19 digits or a large exponent): the standard library rounds correctly
        // and is locale-free.
        return Double(String(decoding: field, as: UTF8.self))
    }

    static func validDoubleSyntax(_ f: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        func digits() -> Int {
            let start = i
            while i < f.count, f[i] &- UInt8(ascii: "0") <= 9 { i += 1 }
            return i - start
        }
        if i < f.count, f[i] == UInt8(ascii: "-") || f[i] == UInt8(ascii: "+") { i += 1 }
        var n = digits()
        if i < f.count, f[i] == UInt8(ascii: ".") {
            i += 1
            n += digits()
        }
        guard n > 0 else { return false }
        if i < f.count, f[i] == UInt8(ascii: "e") || f[i] == UInt8(ascii: "E") {
            i += 1
            if i < f.count, f[i] == UInt8(ascii: "-") || f[i] == UInt8(ascii: "+") { i += 1 }
            guard digits() > 0 else { return false }
        }
        return i == f.count
    }
}
