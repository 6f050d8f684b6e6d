// The IR's text form: what the printer writes, the parser reads back to a
// function that prints the same, for every kind of instruction.
import SwasmIR
import Testing

@Suite struct TextFormatTests {
    /// One instruction of every printing shape: constants, unary, binary,
    /// compares, select, memory (heap and pointer), direct and indirect
    /// calls, every branch, traps with source offsets.
    static let everyShape = """
        function %shapes(i64, i32, i64, f32, f64) -> (i32, f64) {
            sig0 = (i64, i32) -> i32
            fn3 = sig0
        block0(v0: i64, v1: i32, v2: i64, v3: f32, v4: f64):
            v5 = iconst.i32 -7
            v6 = fconst.f64 0x7ff8000000000000
            v7 = clz.i32 v1
            v8 = iadd.i32 v7, v5
            v9 = icmp.i64 ule v2, v2
            v10 = fcmp.f32 ge v3, v3
            v11 = select.i32 v9, v8, v10
            v12 = pload.i64 v0+16
        @2a v13 = uload8.i32 v12, v1-4
        @2f store16.i64 v12, v1+2, v2
            pstore.i32 v0+8, v11
        @33 v14 = call fn3(v0, v11)
            v15 = pload.i64 v0+24
        @3c v16 = call_ptr sig0 v15(v0, v14)
            v17 = fadd.f64 v4, v6
        @40 trapnz v16, int_divz
            br_table v1, block1(v16), [block2, block1(v13)]
        block1(v18: i32):
            brif v18, block2, block3(v18, v17)
        block2:
        @44 trap unreachable
        block3(v19: i32, v20: f64):
            return v19, v20
        }

        """

    @Test func everyShapePrintsAsItWasWritten() throws {
        let function = try Parser.parseFunction(Self.everyShape)
        try Verifier.verify(function)
        let printed = Printer.print(function)
        let reparsed = try Parser.parseFunction(printed)
        try Verifier.verify(reparsed)
        #expect(Printer.print(reparsed) == printed)
        // Canonical input prints unchanged, so the text is the format's reference.
        #expect(printed == Self.everyShape)
    }

    /// The printer writes constants as signed decimals; the extremes must
    /// read back (the most negative one has no positive counterpart).
    @Test func extremeConstantsReadBack() throws {
        let text = """
            function %extremes(i64) -> (i64, i64, i32) {
            block0(v0: i64):
                v1 = iconst.i64 -9223372036854775808
                v2 = iconst.i64 9223372036854775807
                v3 = iconst.i32 -1
                return v1, v2, v3
            }

            """
        let function = try Parser.parseFunction(text)
        let immediates = function.instructions.filter { $0.opcode == .iconst }.map(\.immediate)
        #expect(immediates == [Int64.min, Int64.max, -1])
        #expect(Printer.print(function) == text)
    }

    @Test func severalFunctionsParseInOrder() throws {
        let functions = try Parser.parseFunctions(Self.everyShape + "\n" + """
            function %empty(i64) -> () {
            block0(v0: i64):
                return
            }
            """)
        #expect(functions.map(\.name) == ["shapes", "empty"])
    }

    @Test(arguments: [
        ("function %f(i64) -> (i32) {\nblock0(v0: i64):\n    v1 = iconst.i32\n    return v1\n}\n", "constant without a value"),
        ("function %f(i64) -> (i32) {\nblock0(v0: i64):\n    v1 = frobnicate.i32 v0\n    return v1\n}\n", "unknown opcode"),
        ("function %f(i64) -> (i32) {\nblock0(v0: i64):\n    return v9\n", "no closing brace"),
        ("function f(i64) -> (i32) {\n}\n", "name without %"),
    ])
    func malformedTextIsAParseError(text: String, what: String) {
        #expect(throws: ParseError.self, "\(what)") { try Parser.parseFunction(text) }
    }
}
