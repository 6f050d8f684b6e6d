// The verifier accepts well-formed functions and names what is wrong with
// malformed ones. Each broken function is parsed (the parser checks syntax
// only) or built directly when the text cannot express the fault.
import SwasmIR
import Testing

@Suite struct VerifierTests {
    static let wellFormed = """
        function %ok(i64, i32) -> (i32) {
        block0(v0: i64, v1: i32):
            brif v1, block1(v1), block2
        block1(v2: i32):
            return v2
        block2:
            v3 = iconst.i32 0
            jump block1(v3)
        }
        """

    @Test func aWellFormedFunctionVerifies() throws {
        try Verifier.verify(try Parser.parseFunction(Self.wellFormed))
    }

    @Test(arguments: [
        ("operand type", "v1 = iconst.i32 0\n    v2 = iadd.i64 v0, v1\n    return v1"),
        ("result type of return", "return v0"),
        ("too few return values", "return"),
        ("branch argument count", "jump block1\nblock1(v1: i32):\n    return v1"),
        ("branch argument type", "jump block1(v0)\nblock1(v1: i32):\n    return v1"),
        ("non-boolean-width condition", "brif v0, block1, block1\nblock1:\n    v1 = iconst.i32 0\n    return v1"),
        ("use before definition in the block", "v2 = iadd.i32 v1, v1\n    v1 = iconst.i32 1\n    return v2"),
        ("no terminator", "v1 = iconst.i32 1"),
        ("instruction after the terminator", "v1 = iconst.i32 1\n    return v1\n    v2 = iconst.i32 2"),
    ])
    func aMalformedFunctionIsRejected(what: String, body: String) throws {
        let text = "function %bad(i64) -> (i32) {\nblock0(v0: i64):\n    \(body)\n}\n"
        // The text is well formed: only the verifier can refuse it.
        let function = try Parser.parseFunction(text)
        #expect(throws: VerifierError.self, "\(what)") { try Verifier.verify(function) }
    }

    @Test func aUseOnlyOneBranchDefinesIsRejected() throws {
        let function = try Parser.parseFunction("""
            function %bad(i64, i32) -> (i32) {
            block0(v0: i64, v1: i32):
                brif v1, block1, block2
            block1:
                v2 = iconst.i32 1
                jump block2
            block2:
                return v2
            }
            """)
        #expect(throws: VerifierError.self) { try Verifier.verify(function) }
    }

    @Test func aBranchToABlockThatDoesNotExistIsRejected() throws {
        let function = Function(name: "bad", signature: Signature(parameters: [.i64], results: []))
        let entry = function.makeBlock()
        function.addParameter(.i64, to: entry)
        function.append(Instruction(.jump, type: .i32, targets: [BlockCall(Block(7))]), to: entry)
        #expect(throws: VerifierError.self) { try Verifier.verify(function) }
    }

    @Test func entryParametersMustMatchTheSignature() throws {
        let function = Function(name: "bad", signature: Signature(parameters: [.i64, .i32], results: []))
        let entry = function.makeBlock()
        function.addParameter(.i64, to: entry)
        function.append(Instruction(.ret, type: .i32), to: entry)
        #expect(throws: VerifierError.self) { try Verifier.verify(function) }
    }
}
