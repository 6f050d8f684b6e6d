// SSA construction through FunctionBuilder: variables become values, and
// block parameters where control flow merges.
import SwasmIR
import SwasmOpt
import Testing

@Suite struct BuilderTests {
    /// `x = p; loop { x = x - 1 } while x != 0; return x`, with the loop
    /// header sealed only after its back edge, as lowering does.
    @Test func aLoopVariableBecomesAHeaderParameter() throws {
        let function = Function(name: "count", signature: Signature(parameters: [.i64, .i32], results: [.i32]))
        var builder = FunctionBuilder(function: function)
        let entry = builder.current
        let p0 = function.addParameter(.i64, to: entry)
        let p1 = function.addParameter(.i32, to: entry)
        _ = p0
        builder.seal(entry)
        let x = builder.declareVariable(.i32)
        builder.setVariable(x, p1)
        let header = builder.makeBlock(), exit = builder.makeBlock()
        builder.jump(header)
        builder.switchTo(header)
        let one = builder.iconst(.i32, 1)
        let decremented = builder.value(.isub, .i32, [builder.useVariable(x), one])
        builder.setVariable(x, decremented)
        builder.brif(decremented, BlockCall(header), BlockCall(exit))
        builder.seal(header)
        builder.seal(exit)
        builder.switchTo(exit)
        builder.append(Instruction(.ret, type: .i32, operands: [builder.useVariable(x)]))
        try Verifier.verify(function)

        // The header merges the entry's value with the loop's: one parameter,
        // fed p1 from the entry and the decremented value around the loop.
        #expect(function.parameters(of: header).count == 1)
        let parameter = try #require(function.parameters(of: header).first)
        #expect(function.instructions[function.blocks[Int(header.index)].instructions[1]].operands == [parameter, one])
        let incoming = function.layout.compactMap { function.terminator(of: $0) }
            .flatMap(\.targets).filter { $0.block == header }.map(\.arguments)
        #expect(Set(incoming) == [[p1], [decremented]])
        // The exit has one predecessor, so it reads the loop's value directly.
        #expect(function.parameters(of: exit).isEmpty)
        let printed = Printer.print(function)
        #expect(try Printer.print(Parser.parseFunction(printed)) == printed)
    }

    /// A diamond that does not assign the variable leaves a trivial
    /// parameter at the join (all incoming values equal), which copy
    /// propagation removes.
    @Test func anUnchangedVariableAtAJoinIsATrivialParameterForCopyPropagation() throws {
        let function = Function(name: "join", signature: Signature(parameters: [.i64, .i32], results: [.i32]))
        var builder = FunctionBuilder(function: function)
        let entry = builder.current
        _ = function.addParameter(.i64, to: entry)
        let p1 = function.addParameter(.i32, to: entry)
        builder.seal(entry)
        let x = builder.declareVariable(.i32)
        builder.setVariable(x, p1)
        let left = builder.makeBlock(), right = builder.makeBlock(), join = builder.makeBlock()
        builder.brif(p1, BlockCall(left), BlockCall(right))
        builder.seal(left)
        builder.seal(right)
        builder.switchTo(left)
        builder.jump(join)
        builder.switchTo(right)
        builder.jump(join)
        builder.switchTo(join)
        builder.seal(join)
        builder.append(Instruction(.ret, type: .i32, operands: [builder.useVariable(x)]))
        try Verifier.verify(function)
        #expect(function.parameters(of: join).count == 1)

        CopyPropagation.run(function)
        try Verifier.verify(function)
        #expect(function.parameters(of: join).isEmpty)
        #expect(function.terminator(of: join)?.operands == [p1])
    }
}
