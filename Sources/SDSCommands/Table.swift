import Glibc
import SDSCore

/// Aligned plain-text tables and section headers for human output (bold only on a terminal).
struct Table {
    var rows: [[String]] = []

    mutating func add(_ cells: String...) { rows.append(cells) }

    /// Rows with every column but the last padded to its widest cell, indented.
    func lines(indent: String = "  ") -> [String] {
        var widths: [Int] = []
        for r in rows {
            for (i, c) in r.enumerated() {
                if i >= widths.count { widths.append(0) }
                widths[i] = max(widths[i], c.count)
            }
        }
        return rows.map { r in
            var line = indent
            for (i, c) in r.enumerated() {
                line += i == r.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count + 2)
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }

    func print(indent: String = "  ") { for l in lines(indent: indent) { Output.line(l) } }

    /// Colour and bold only when stdout is a terminal and NO_COLOR is unset.
    static let styled = isatty(1) != 0 && getenv("NO_COLOR") == nil

    static func header(_ text: String) {
        Output.line(styled ? "\u{1B}[1m\(text)\u{1B}[0m" : text)
    }

    /// A number in at most 6 significant digits, integers as integers.
    static func number(_ v: JSON?) -> String {
        switch v {
        case .int(let n)?: return String(n)
        case .double(let d)?:
            if d == d.rounded() && abs(d) < 1e15 { return String(Int64(d)) }
            var s = String(d)
            if let dot = s.firstIndex(of: "."), !s.contains("e") {
                let intDigits = s[..<dot].filter(\.isNumber).count
                let keep = max(1, 6 - intDigits)
                let frac = s[s.index(after: dot)...].prefix(keep)
                s = String(s[..<dot]) + "." + frac
                while s.hasSuffix("0") { s.removeLast() }
                if s.hasSuffix(".") { s.removeLast() }
            }
            return s
        case .string(let t)?: return t
        default: return "–"
        }
    }

    static func arrow(_ a: String, _ b: String) -> String { "\(a) → \(b)" }
}
