import SDSSensors
import Testing

@Suite struct FrameExpressionTests {
    let f = timed([0, 1, 2], [num("a", [1, 3, .nan]), num("b", [3, 4, 1]), txt("s", ["x", "y", "z"]), num("fz_1", [2, 4, 6])])

    func eval(_ expression: String) throws -> [Double] {
        numbers(try applied(try FrameExpression(name: "out", expression: expression), f), "out")
    }

    @Test func arithmetic() throws {
        #expect(same(try eval("(a + b) / 2"), [2, 3.5, .nan]))      // (1 + 3)/2, (3 + 4)/2, NaN propagates
        #expect(same(try eval("a - b * 2"), [-5, -5, .nan]))        // 1 − 6, 3 − 8
        #expect(try eval("b * 0.5 - 1") == [0.5, 1, -0.5])          // 1.5 − 1, 2 − 1, 0.5 − 1
        #expect(try eval("2 - 3 - 4") == [-5, -5, -5])              // left associative: (2 − 3) − 4
        #expect(try eval("8 / 4 / 2") == [1, 1, 1])                 // (8 / 4) / 2
        #expect(try eval("-(b + 1) * -2") == [8, 10, 4])            // −4 · −2, −5 · −2, −2 · −2
        #expect(try eval("b - -b") == [6, 8, 2])
        #expect(try eval("2.5e-1 * fz_1 + .5 + 2.") == [3, 3.5, 4])  // 0.25 · 2 + 0.5 + 2 (exact in binary)
        #expect(try eval("1e-3 * 1E3 * b") == [3, 4, 1])
        #expect(try eval("+b") == [3, 4, 1])
        #expect(try eval("b / 0") == [.infinity, .infinity, .infinity])
        let out = try applied(try FrameExpression(name: "b", expression: "fz_1\t*\n2"), f)
        #expect(out.columns.map(\.name) == ["a", "b", "s", "fz_1"] && numbers(out, "b") == [4, 8, 12])
    }

    @Test func inputsInFirstUseOrder() throws {
        #expect(try FrameExpression(name: "o", expression: "b * (a + b) - fz_1").inputs == ["b", "a", "fz_1"])
        #expect(try FrameExpression(name: "o", expression: "(1)").inputs == [])
    }

    @Test func constantFillsTheRows() throws {
        #expect(try eval("(1 + 2) * 2") == [6, 6, 6])
        #expect(numbers(try applied(try FrameExpression(name: "c", expression: "1"), timed([], [])), "c") == [])
    }

    @Test(arguments: [
        ("(a + b", 6, #"expected ")", found the end"#),
        ("a + * b", 4, #"expected a number, a column name or "(", found "*""#),
        ("a b", 2, #"expected an operator or the end, found "b""#),
        ("2x", 1, #"expected an operator or the end, found "x""#),
        ("1e", 2, #"expected the exponent's digits, found the end"#),
        ("1e+x", 3, #"expected the exponent's digits, found "x""#),
        ("", 0, #"expected a number, a column name or "(", found the end"#),
        ("a $ b", 2, #"expected an operator or the end, found "$""#),
        ("a + .", 5, #"expected a digit, found the end"#),
        ("1e999", 0, #"expected a finite number, found "1""#),
        ("a)", 1, #"expected an operator or the end, found ")""#),
    ])
    func syntaxErrors(text: String, offset: Int, detail: String) {
        let e = sensorError { () throws(SensorError) in try FrameExpression(name: "o", expression: text) }
        #expect(e?.code == .invalidParameter)
        #expect(e?.message == "frame.expression: syntax error at byte offset \(offset) of \"\(text)\": \(detail)")
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let parens = String(repeating: "(", count: 300) + "a" + String(repeating: ")", count: 300)
        let signs = String(repeating: "-", count: 300) + "a"
        let chain = "a" + String(repeating: " + a", count: 300)
        for text in [parens, signs, chain] {
            #expect(sensorError { () throws(SensorError) in try FrameExpression(name: "o", expression: text) }?.code == .invalidParameter)
        }
        #expect(sensorError { () throws(SensorError) in try FrameExpression(name: "o", expression: "a" + String(repeating: " + a", count: 150)) } == nil)
    }

    @Test func badColumns() throws {
        let unknown = failure(try FrameExpression(name: "o", expression: "a + c"), f)
        #expect(unknown?.message == #"frame.expression: partition p has no column "c" (it has a, b, s, fz_1)"#)
        #expect(failure(try FrameExpression(name: "o", expression: "s * 2"), f)?.message == #"frame.expression: column "s" holds text, not numbers"#)
        #expect(sensorError { () throws(SensorError) in try FrameExpression(name: "", expression: "1") }?.code == .invalidParameter)
    }

    @Test func parametersEncodeTheTreeNotTheText() throws {
        func key(_ text: String, name: String = "o") throws -> [UInt8] { try FrameExpression(name: name, expression: text).parameters() }
        // Spacing, redundant parentheses and literal spelling do not matter.
        #expect(try key("(a+b)/2") == key(" ( a + b ) / 2 "))
        #expect(try key("(a+b)/2") == key("((a)+(b))/2.0"))
        #expect(try key("0.5*a") == key(".5 * a"))
        #expect(try key("0.5*a") == key("5e-1*a"))
        #expect(try key("1e-3*a") == key("0.001*a"))
        // Meaning, evaluation order and the output name do.
        #expect(allDistinct([try key("a+b"), try key("b+a"), try key("(a+b)+c"), try key("a+(b+c)"), try key("a-b"),
                             try key("a*b"), try key("a/b"), try key("-a"), try key("a"), try key("a", name: "p"), try key("1"),
                             try key("2")]))
    }
}
