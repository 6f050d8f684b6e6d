// Building IR by hand through FunctionBuilder: blocks with parameters,
// jumps that pass arguments, and what the verifier and copy propagation
// make of them. (SSA construction for wasm locals happens in the lowering;
// SwasmCLITests' SSAConstructionTests cover it.)
import SwasmIR
import SwasmOpt
import Testing

@Suite struct BuilderTests {
    /// `x = p; loop { x = x - 1 } while x != 0; return x`, with the loop
    /// variable as the header's parameter, fed from the entry and the back edge.
    @Test func aLoopCarriesItsVariableAsAHeaderParameter() throws {
        let function = Function(name: "count", signature: Signature(parameters: [.i64, .i32], results: [.i32]))
        var builder = FunctionBuilder(function: function)
        let entry = builder.current
        _ = function.addParameter(.i64, to: entry)
        let p1 = function.addParameter(.i32, to: entry)
        let header = builder.makeBlock(), exit = builder.makeBlock()
        let x = function.addParameter(.i32, to: header)
        builder.jump(header, [p1])
        builder.switchTo(header)
        let one = builder.iconst(.i32, 1)
        let decremented = builder.value(.isub, .i32, [x, one])
        builder.brif(decremented, BlockCall(header, [decremented]), BlockCall(exit))
        builder.switchTo(exit)
        builder.append(Instruction(.ret, type: .i32, operands: [decremented]))
        try Verifier.verify(function)

        #expect(function.parameters(of: header) == [x])
        let incoming = function.layout.compactMap { function.terminator(of: $0) }
            .flatMap(\.targets).filter { $0.block == header }.map(\.arguments)
        #expect(Set(incoming) == [[p1], [decremented]])
        // Not trivial (two different incoming values): copy propagation keeps it.
        CopyPropagation.run(function)
        try Verifier.verify(function)
        #expect(function.parameters(of: header) == [x])
        let printed = Printer.print(function)
        #expect(try Printer.print(Parser.parseFunction(printed)) == printed)
    }

    /// A join whose parameter gets the same value from every predecessor is
    /// trivial: copy propagation replaces it by that value.
    @Test func aJoinParameterWithOneIncomingValueIsRemovedByCopyPropagation() throws {
        let function = Function(name: "join", signature: Signature(parameters: [.i64, .i32], results: [.i32]))
        var builder = FunctionBuilder(function: function)
        let entry = builder.current
        _ = function.addParameter(.i64, to: entry)
        let p1 = function.addParameter(.i32, to: entry)
        let left = builder.makeBlock(), right = builder.makeBlock(), join = builder.makeBlock()
        let merged = function.addParameter(.i32, to: join)
        builder.brif(p1, BlockCall(left), BlockCall(right))
        builder.switchTo(left)
        builder.jump(join, [p1])
        builder.switchTo(right)
        builder.jump(join, [p1])
        builder.switchTo(join)
        builder.append(Instruction(.ret, type: .i32, operands: [merged]))
        try Verifier.verify(function)
        #expect(function.parameters(of: join).count == 1)

        CopyPropagation.run(function)
        try Verifier.verify(function)
        #expect(function.parameters(of: join).isEmpty)
        #expect(function.terminator(of: join)?.operands == [p1])
    }
}
