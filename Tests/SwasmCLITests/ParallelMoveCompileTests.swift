// Branches that carry hundreds of block arguments at once: the parallel
// moves at each jump must cost about the number of moves, not its square.
import Foundation
import SwasmCompiler
import Testing
import WasmModel

@Suite struct ParallelMoveCompileTests {
    /// `levels` ifs each inside the previous one, level k setting local
    /// k % `locals` from the parameter; afterwards the sum of all locals.
    /// Every if's end merges every local set inside it, so the jumps there
    /// carry up to `locals` arguments each.
    static func localsSetInNestedIfs(locals: Int, levels: Int) -> [UInt8] {
        var code: [UInt8] = []
        for k in 0..<levels {
            code += [0x20, 0x00, 0x04, 0x40]
            code += [0x20, 0x00, 0x41] + ControlFlowShapes.leb(k & 0x3F) + [0x6A, 0x21] + ControlFlowShapes.leb(1 + k % locals)
        }
        code += Array(repeating: 0x0B, count: levels)
        code += [0x20, 0x01]
        for local in 2..<(locals + 1) { code += [0x20] + ControlFlowShapes.leb(local) + [0x6A] }
        return ControlFlowShapes.module(locals: locals, code: code)
    }

    /// About a million block parameters that SSA needs. The time is
    /// printed, not asserted: the scheduler's own work is bounded by the
    /// unit tests of the parallel-move scheduler.
    @Test func fiveHundredLocalsSetInTwoThousandNestedIfsCompile() throws {
        let module = try ControlFlowShapes.validated(Self.localsSetInNestedIfs(locals: 500, levels: 2_000))
        let start = Date()
        let machineCode = try Compiler.compileToMachineCode(module, options: SSAConstructionTests.options)
        print("500 locals x 2,000 nested ifs compiled in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        _ = machineCode
    }
}
