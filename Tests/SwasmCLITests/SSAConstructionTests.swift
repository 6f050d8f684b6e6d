// SSA construction for wasm locals at sizes a hostile module can choose:
// control flow tens of thousands of constructs deep or long must compile
// (no recursion per block), and the IR built must grow with the code, not
// with locals × blocks.
import Foundation
import SwasmCompiler
import SwasmIR
import SwasmOpt
import Testing
import WasmModel

/// Binary modules with one function `f: (i32) -> i32`, generated here
/// rather than stored.
enum ControlFlowShapes {
    static func leb(_ value: Int) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            bytes.append(byte)
        } while value != 0
        return bytes
    }

    static func section(_ id: UInt8, _ contents: [UInt8]) -> [UInt8] { [id] + leb(contents.count) + contents }

    /// A module whose function has `locals` extra i32 locals and `code`
    /// (without the final `end`).
    static func module(locals: Int, code: [UInt8]) -> [UInt8] {
        let localDeclarations: [UInt8] = locals == 0 ? [0] : [1] + leb(locals) + [0x7F]
        let body = localDeclarations + code + [0x0B]
        return [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]
            + section(1, [1, 0x60, 1, 0x7F, 1, 0x7F])
            + section(3, [1, 0])
            + section(7, [1, 1, UInt8(ascii: "f"), 0, 0])
            + section(10, [1] + leb(body.count) + body)
    }

    /// `count` empty ifs one after another, then a read of the parameter
    /// (through every one of their ends).
    static func sequentialIfs(_ count: Int) -> [UInt8] {
        module(locals: 1, code: Array(repeating: [0x41, 0x01, 0x04, 0x40, 0x01, 0x0B], count: count).flatMap { $0 } + [0x20, 0x00])
    }

    /// `count` ifs each inside the previous one.
    static func nestedIfs(_ count: Int) -> [UInt8] {
        module(locals: 1, code: Array(repeating: [0x20, 0x00, 0x04, 0x40], count: count).flatMap { $0 }
            + Array(repeating: 0x0B, count: count) + [0x20, 0x00])
    }

    /// `locals` locals set from the parameter, then `constructs` empty
    /// ifs, blocks and loops in turn, then the sum of all locals. With
    /// `changing`, construct k sets local k % locals (inside it).
    static func localsAcrossConstructs(locals: Int, constructs: Int, changing: Bool = false) -> [UInt8] {
        var code: [UInt8] = []
        for local in 1...locals {
            code += [0x20, 0x00, 0x41] + leb(local & 0x3F) + [0x6A, 0x21] + leb(local)
        }
        for k in 0..<constructs {
            let change: [UInt8] = changing ? [0x41, 0x07, 0x21] + leb(1 + k % locals) : [0x01]
            switch k % 3 {
            case 0: code += [0x20, 0x00, 0x04, 0x40] + change + [0x0B]
            case 1: code += [0x02, 0x40, 0x20, 0x00, 0x0D, 0x00] + change + [0x0B]
            default: code += [0x03, 0x40] + change + [0x0B]
            }
        }
        code += [0x20, 0x01]
        for local in 2..<(locals + 1) { code += [0x20] + leb(local) + [0x6A] }
        return module(locals: locals, code: code)
    }

    static func validated(_ bytes: [UInt8]) throws -> Module {
        try Validator.decodeAndValidate(bytes)
    }

    /// The function as lowering builds it, before any optimization.
    static func lowered(_ bytes: [UInt8]) throws -> Function {
        let module = try validated(bytes)
        return try FunctionLowering.lower(ModuleEnvironment(module), functionIndex: 0)
    }

    /// Block parameters other than the entry's (the function's parameters)
    /// and the return block's (its results).
    static func blockParameterCount(_ function: Function) -> Int {
        function.layout.reduce(0) { $0 + function.parameters(of: $1).count }
            - function.signature.parameters.count - function.signature.results.count
    }
}

@Suite struct SSAConstructionTests {
    /// Without the verifier after every pass, which costs most of the time
    /// in a debug build and is not what these tests are about.
    static let options = CompilerOptions(optimizationLevel: 2, jobs: 1, verify: false)

    /// Compiles on a thread with a 4 MiB stack (half the usual main
    /// thread's), so that the outcome does not depend on the stack the test
    /// runner happens to give: recursion once per block overflows it.
    static func compileOnSmallStack(_ bytes: [UInt8]) throws {
        let module = try ControlFlowShapes.validated(bytes)
        nonisolated(unsafe) var failure: Error?
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            do { _ = try Compiler.compileToMachineCode(module, options: options) } catch { failure = error }
            done.signal()
        }
        thread.stackSize = 4 << 20
        thread.start()
        done.wait()
        if let failure { throw failure }
    }

    @Test func fortyThousandIfsInARowCompile() throws {
        try Self.compileOnSmallStack(ControlFlowShapes.sequentialIfs(40_000))
    }

    @Test func fiftyThousandNestedIfsCompile() throws {
        try Self.compileOnSmallStack(ControlFlowShapes.nestedIfs(50_000))
    }

    /// Unchanged locals need no block parameters, however many constructs
    /// they live across: 300 locals across 3,000 constructs used to get a
    /// parameter at every merge for every local read after it.
    @Test func unchangedLocalsGetNoBlockParameters() throws {
        let function = try ControlFlowShapes.lowered(ControlFlowShapes.localsAcrossConstructs(locals: 300, constructs: 3_000))
        #expect(ControlFlowShapes.blockParameterCount(function) == 0)
        try Verifier.verify(function)
    }

    /// A construct that changes one local adds at most a parameter or two
    /// for it (its end, or its loop header), not one for every local.
    @Test func blockParametersGrowWithTheChangesNotWithLocalsTimesBlocks() throws {
        let constructs = 3_000
        let function = try ControlFlowShapes.lowered(
            ControlFlowShapes.localsAcrossConstructs(locals: 300, constructs: constructs, changing: true))
        #expect(ControlFlowShapes.blockParameterCount(function) <= constructs)
        #expect(function.instructions.count <= 20 * constructs)
        try Verifier.verify(function)
    }
}

@Suite struct LongChainTests {
    /// Copy propagation removing a chain of 1,500 trivial parameters laid
    /// out so that each is replaced by one removed later: every use must
    /// end at the chain's start (uses used to stop 1,000 links along, at a
    /// removed parameter).
    @Test func copyPropagationFollowsChainsOfAnyLength() throws {
        let length = 1_500
        var text = "function %chain(i64, i32) -> (i32) {\nblock0(v0: i64, v1: i32):\n    jump block\(length)(v1)\n"
        // Control flows from block1500 down to block1, but the layout is
        // block0, block1, ..., block1500: each parameter is removed before
        // the one it is replaced by.
        for k in 1...length {
            text += "block\(k)(v\(k + 1): i32):\n"
            text += k == 1 ? "    return v2\n" : "    jump block\(k - 1)(v\(k + 1))\n"
        }
        text += "}\n"
        let function = try Parser.parseFunction(text)
        try Verifier.verify(function)
        CopyPropagation.run(function)
        try Verifier.verify(function)
        let last = try #require(function.terminator(of: Block(1)))
        #expect(last.operands == [Value(1)])
    }
}
