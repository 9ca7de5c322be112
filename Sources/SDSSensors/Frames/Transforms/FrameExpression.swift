/// Adds a column computed by an arithmetic expression over numeric columns.
///
/// The expression has + − * /, unary minus (and plus), parentheses, number literals
/// (`2`, `0.5`, `.5`, `1e-3`) and column names (`[A-Za-z_][A-Za-z0-9_]*`), with the usual
/// precedence and left associativity: `"(fz_1 + fz_2) / 2"`, `"steps * 0.5 - 1"`. It is
/// parsed once, at init, and evaluated column by column in IEEE double arithmetic, so NaN
/// propagates and x / 0 is ±infinity (or NaN for 0 / 0). The output is replaced if it exists,
/// else appended; rows are kept.
///
/// `parameters()` encodes the parsed tree, not the text: whitespace, redundant parentheses
/// and the spelling of a literal do not change the step key, while a change of meaning (or
/// of evaluation order, since floating-point addition is not associative) does.
public struct FrameExpression: FrameOperator, Equatable {
    public static let name = "frame.expression"
    public static let version = 1

    /// The output column.
    public let name: String
    /// The expression as written.
    public let expression: String
    private let tree: ExpressionNode

    /// Parses `expression`.
    ///
    /// - Throws: a parameter error naming the byte offset (from 0) of a syntax error, or if
    ///   `name` is empty.
    public init(name: String, expression: String) throws(SensorError) {
        guard !name.isEmpty else { throw SensorError.parameter("\(Self.name): the output name is empty") }
        self.name = name
        self.expression = expression
        tree = try ExpressionParser.parse(expression)
    }

    /// The columns the expression reads, in first-use order.
    public var inputs: [String] {
        var names: [String] = []
        tree.columns(into: &names)
        return names
    }

    public func parameters() -> [UInt8] {
        BinaryWriter.parameters(Self.name) { w in
            w.string(name)
            tree.write(&w)
        }
    }

    public func apply(_ frame: Frame, quarantine: inout Quarantine) throws(SensorError) -> Frame {
        var columns: [String: ContiguousArray<Double>] = [:]
        for c in inputs { columns[c] = try frame.doubles(c, for: Self.name) }
        let result: ContiguousArray<Double>
        switch Self.evaluate(tree, columns) {
        case .constant(let v): result = ContiguousArray(repeating: v, count: frame.rowCount)
        case .column(let v): result = v
        }
        var out = frame
        out.set(FrameColumn(name, .double(result)))
        return out
    }

    /// A subexpression's value: one number (no column below it) or one per row.
    private enum Value {
        case constant(Double)
        case column(ContiguousArray<Double>)
    }

    private static func evaluate(_ node: ExpressionNode, _ columns: [String: ContiguousArray<Double>]) -> Value {
        switch node {
        case .number(let v): return .constant(v)
        case .column(let name): return .column(columns[name] ?? [])
        case .negate(let x):
            switch evaluate(x, columns) {
            case .constant(let v): return .constant(-v)
            case .column(let v): return .column(ContiguousArray(v.lazy.map { -$0 }))
            }
        case .binary(let op, let a, let b):
            let f: (Double, Double) -> Double
            switch op {
            case UInt8(ascii: "+"): f = (+)
            case UInt8(ascii: "-"): f = (-)
            case UInt8(ascii: "*"): f = (*)
            default: f = (/)
            }
            switch (evaluate(a, columns), evaluate(b, columns)) {
            case (.constant(let x), .constant(let y)): return .constant(f(x, y))
            case (.column(let x), .constant(let y)): return .column(ContiguousArray(x.lazy.map { f($0, y) }))
            case (.constant(let x), .column(let y)): return .column(ContiguousArray(y.lazy.map { f(x, $0) }))
            case (.column(let x), .column(let y)): return .column(ContiguousArray(zip(x, y).lazy.map { f($0, $1) }))
            }
        }
    }
}
