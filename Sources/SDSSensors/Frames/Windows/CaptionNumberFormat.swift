/// How a caption rounds a number halfway between two results.
public enum CaptionRounding: String, Sendable, Equatable, CaseIterable {
    /// 2.5 → 3, -0.5 → -1: as a person reading the number expects.
    case halfAway = "half_away"
    /// 2.5 → 2, 3.5 → 4 on the exact binary value, as Python's `round()`; integer formats only.
    case halfEven = "half_even"
}

/// A number format of a caption placeholder: `%.Nf` or `%d`.
public enum CaptionNumberFormat: Sendable, Equatable {
    /// `%.Nf`: N digits after the point.
    case fixed(Int)
    /// `%d`: an integer (the same as `%.0f`).
    case integer

    static let maximumDigits = 20

    /// Parses `%.Nf` (N from 0 to 20) or `%d`; nil otherwise.
    init?(_ spec: Substring) {
        if spec == "%d" { self = .integer; return }
        guard spec.hasPrefix("%."), spec.hasSuffix("f"), spec.count > 3,
              let n = Int(spec.dropFirst(2).dropLast()), n >= 0, n <= Self.maximumDigits,
              spec.dropFirst(2).dropLast().allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        self = .fixed(n)
    }

    /// Digits after the point.
    var digits: Int {
        switch self {
        case .fixed(let n): return n
        case .integer: return 0
        }
    }

    var text: String {
        switch self {
        case .fixed(let n): return "%.\(n)f"
        case .integer: return "%d"
        }
    }

    /// `x` in this format, or in the shortest form (`render(_:nil)`); nil for NaN.
    ///
    /// Rounding is half away from zero on the shortest decimal that reads back as `x` (Swift's
    /// `description`), so 2.5 → "3", -0.5 → "-1" and 2.675 → "2.68" with `%.2f`, as a person
    /// reading the number expects; a result of zero never has a minus sign. Infinities print
    /// `inf`/`-inf`. No locale is involved, so the text is the same on every machine.
    ///
    /// With `.halfEven` (integer formats only: `%d`, `%.0f`) the exact binary value is rounded
    /// to the nearest integer, ties to the even one.
    public static func render(_ x: Double, _ format: CaptionNumberFormat?, rounding: CaptionRounding = .halfAway) -> String? {
        if x.isNaN { return nil }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        guard let format else {
            let s = x.description
            return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
        }
        if rounding == .halfEven, format.digits == 0 {
            let r = x.rounded(.toNearestOrEven)
            return r == 0 ? "0" : render(r, .integer)
        }
        let n: Int
        switch format {
        case .fixed(let digits): n = digits
        case .integer: n = 0
        }
        // x.magnitude = 0.D1D2D3... × 10^point
        var digits: [UInt8] = []
        var point = 0
        var exponent = 0
        var seenPoint = false
        var inExponent = false
        var exponentNegative = false
        for b in x.magnitude.description.utf8 {
            if inExponent {
                if b == UInt8(ascii: "-") { exponentNegative = true } else if b != UInt8(ascii: "+") {
                    exponent = exponent * 10 + Int(b &- UInt8(ascii: "0"))
                }
            } else if b == UInt8(ascii: ".") {
                seenPoint = true
            } else if b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                inExponent = true
            } else {
                digits.append(b &- UInt8(ascii: "0"))
                if !seenPoint { point += 1 }
            }
        }
        point += exponentNegative ? -exponent : exponent
        let keep = point + n
        var kept: [UInt8]
        if keep < 0 {
            kept = [0]
        } else if keep >= digits.count {
            kept = digits + [UInt8](repeating: 0, count: keep - digits.count)
        } else {
            kept = Array(digits[..<keep])
            if digits[keep] >= 5 {
                var i = kept.count - 1
                while i >= 0 && kept[i] == 9 {
                    kept[i] = 0
                    i -= 1
                }
                if i >= 0 { kept[i] += 1 } else { kept.insert(1, at: 0) }
            }
        }
        while kept.count > 1 && kept[0] == 0 { kept.removeFirst() }
        let isZero = kept.allSatisfy { $0 == 0 }
        if kept.count < n + 1 { kept.insert(contentsOf: [UInt8](repeating: 0, count: n + 1 - kept.count), at: 0) }
        var out: [UInt8] = x < 0 && !isZero ? [UInt8(ascii: "-")] : []
        for (i, d) in kept.enumerated() {
            if n > 0 && i == kept.count - n { out.append(UInt8(ascii: ".")) }
            out.append(d + UInt8(ascii: "0"))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
