/// A parsed arithmetic expression over numeric columns.
///
/// Invariant: depth ≤ `ExpressionParser.maxDepth`, so every recursion over it is bounded.
indirect enum ExpressionNode: Sendable, Equatable {
    case number(Double)
    case column(String)
    case negate(ExpressionNode)
    /// `op` is one of the ASCII bytes + - * /.
    case binary(UInt8, ExpressionNode, ExpressionNode)

    /// The canonical bytes: a prefix walk (tag, then operands). Parentheses, spacing and the
    /// spelling of numbers (1e-3 vs 0.001) leave no trace; the tree's shape does.
    func write(_ w: inout BinaryWriter) {
        switch self {
        case .number(let v):
            w.u8(1)
            w.f64(v)
        case .column(let name):
            w.u8(2)
            w.string(name)
        case .negate(let x):
            w.u8(3)
            x.write(&w)
        case .binary(let op, let a, let b):
            w.u8(op)
            a.write(&w)
            b.write(&w)
        }
    }

    /// Column names in first-use order.
    func columns(into names: inout [String]) {
        switch self {
        case .number: break
        case .column(let name): if !names.contains(name) { names.append(name) }
        case .negate(let x): x.columns(into: &names)
        case .binary(_, let a, let b):
            a.columns(into: &names)
            b.columns(into: &names)
        }
    }
}

/// A recursive-descent parser on the expression's UTF-8 bytes.
///
/// Grammar: sum = product (("+" | "-") product)*; product = unary (("*" | "/") unary)*;
/// unary = ("-" | "+") unary | primary; primary = number | name | "(" sum ")";
/// number = digits ["." digits] | "." digits, then optionally [eE][+-]digits;
/// name = [A-Za-z_][A-Za-z0-9_]*. Spaces, tabs and newlines separate tokens.
struct ExpressionParser {
    static let maxDepth = 200

    private let bytes: [UInt8]
    private let text: String
    private var at = 0

    /// Parses `text`, or throws a parameter error naming the byte offset (from 0) of the problem.
    static func parse(_ text: String) throws(SensorError) -> ExpressionNode {
        var p = ExpressionParser(bytes: Array(text.utf8), text: text)
        let parsed = try p.sum(0)
        p.skipSpace()
        guard p.at == p.bytes.count else { throw p.error("expected an operator or the end") }
        return parsed.node
    }

    private init(bytes: [UInt8], text: String) {
        self.bytes = bytes
        self.text = text
    }

    private func error(_ expected: String) -> SensorError {
        let found = at < bytes.count ? "\"\(String(decoding: bytes[at..<(at + 1)], as: UTF8.self))\"" : "the end"
        return SensorError.parameter("frame.expression: syntax error at byte offset \(at) of \"\(text)\": \(expected), found \(found)")
    }

    private mutating func skipSpace() {
        while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
    }

    /// Consumes `byte` (after spaces) if it is next.
    private mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard at < bytes.count, bytes[at] == byte else { return false }
        at += 1
        return true
    }

    /// A parsed subtree and its depth (leaves are 1).
    private typealias Parsed = (node: ExpressionNode, depth: Int)

    /// An operation on `operands`, unless the tree would get deeper than `maxDepth`.
    private func combine(_ node: ExpressionNode, _ operands: Parsed...) throws(SensorError) -> Parsed {
        let depth = 1 + (operands.map(\.depth).max() ?? 0)
        guard depth <= Self.maxDepth else {
            throw SensorError.parameter("frame.expression: \"\(text)\" nests deeper than \(Self.maxDepth) operations")
        }
        return (node, depth)
    }

    private mutating func sum(_ level: Int) throws(SensorError) -> Parsed {
        var left = try product(level)
        while true {
            let op: UInt8
            if take(UInt8(ascii: "+")) { op = UInt8(ascii: "+") } else if take(UInt8(ascii: "-")) { op = UInt8(ascii: "-") } else { return left }
            let right = try product(level)
            left = try combine(.binary(op, left.node, right.node), left, right)
        }
    }

    private mutating func product(_ level: Int) throws(SensorError) -> Parsed {
        var left = try unary(level)
        while true {
            let op: UInt8
            if take(UInt8(ascii: "*")) { op = UInt8(ascii: "*") } else if take(UInt8(ascii: "/")) { op = UInt8(ascii: "/") } else { return left }
            let right = try unary(level)
            left = try combine(.binary(op, left.node, right.node), left, right)
        }
    }

    private mutating func unary(_ level: Int) throws(SensorError) -> Parsed {
        // `level` counts nested parentheses and signs, which bound the parser's own recursion.
        guard level < Self.maxDepth else {
            throw SensorError.parameter("frame.expression: \"\(text)\" nests deeper than \(Self.maxDepth) levels")
        }
        if take(UInt8(ascii: "-")) {
            let x = try unary(level + 1)
            return try combine(.negate(x.node), x)
        }
        if take(UInt8(ascii: "+")) { return try unary(level + 1) }
        return try primary(level)
    }

    private mutating func primary(_ level: Int) throws(SensorError) -> Parsed {
        skipSpace()
        guard at < bytes.count else { throw error("expected a number, a column name or \"(\"") }
        let b = bytes[at]
        if b == UInt8(ascii: "(") {
            at += 1
            let inner = try sum(level + 1)
            guard take(UInt8(ascii: ")")) else { throw error("expected \")\"") }
            return inner
        }
        if Self.isDigit(b) || b == UInt8(ascii: ".") { return (try number(), 1) }
        if Self.isNameStart(b) {
            let start = at
            while at < bytes.count, Self.isNameStart(bytes[at]) || Self.isDigit(bytes[at]) { at += 1 }
            return (.column(String(decoding: bytes[start..<at], as: UTF8.self)), 1)
        }
        throw error("expected a number, a column name or \"(\"")
    }

    private mutating func number() throws(SensorError) -> ExpressionNode {
        let start = at
        var digits = 0
        while at < bytes.count, Self.isDigit(bytes[at]) { at += 1; digits += 1 }
        if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
            at += 1
            while at < bytes.count, Self.isDigit(bytes[at]) { at += 1; digits += 1 }
        }
        guard digits > 0 else { throw error("expected a digit") }
        if at < bytes.count, bytes[at] | 0x20 == UInt8(ascii: "e") {
            at += 1
            if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
            guard at < bytes.count, Self.isDigit(bytes[at]) else { throw error("expected the exponent's digits") }
            while at < bytes.count, Self.isDigit(bytes[at]) { at += 1 }
        }
        // The standard library's conversion is locale-free and correctly rounded.
        guard let v = Double(String(decoding: bytes[start..<at], as: UTF8.self)), v.isFinite else {
            at = start
            throw error("expected a finite number")
        }
        return .number(v)
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    private static func isNameStart(_ b: UInt8) -> Bool {
        (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") || b == UInt8(ascii: "_")
    }
}
