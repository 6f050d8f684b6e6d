// The AArch64 allocation, with every instruction's temporaries, checked by
// an independent liveness computation (AllocationChecker) on every
// function of the golden-file modules and the samples: no temporary meets
// a value around its instruction, a branch's keep clear of the parameters
// its moves write, the entry's of the incoming parameters. And the
// requests against selection: with every value spilled, every function
// still compiles without asking for a temporary it was not granted.
import Foundation
import SwasmIR
import Testing
@testable import SwasmCodegen

@Suite struct A64AllocationCheckTests {
    static var modules: [String] {
        let folders = ["Tests/filetests/wasm", "Tests/filetests/isa/x64", "Tests/filetests/isa/aarch64", "samples"]
        return folders.flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: AllocationCheckTests.root.appendingPathComponent(folder).path)) ?? [])
                .filter { $0.hasSuffix(".wat") && $0 != "invalid-add.wat" }.sorted().map { "\(folder)/\($0)" }
        }
    }

    @Test(arguments: modules)
    func aarch64AllocationsAreSound(_ path: String) throws {
        for level in [0, 2] {
            for function in try AllocationCheckTests.functions(path, level: level) {
                let allocation = A64ABI.allocate(function)
                let problems = AllocationChecker.check(function, allocation, registers: A64ABI.registers,
                                                       temporaries: A64ABI.temporaries(for: function),
                                                       entryTemporaries: A64ABI.entryTemporaries(function))
                #expect(problems.isEmpty, "\(path) -O\(level) \(function.name): \(problems.prefix(5))")
            }
        }
    }

    /// `allocation` with every value in a register moved to a slot of its
    /// own, after `padding` unused 8-byte slots (enough of them put every
    /// value's slot beyond an immediate offset's reach).
    static func spilled(_ allocation: Allocation, _ function: Function, padding: Int) -> Allocation {
        var spilled = allocation
        spilled.slots = Array(repeating: .eightBytes, count: padding) + allocation.slots
        for (index, location) in allocation.locations.enumerated() {
            switch location {
            case .register:
                spilled.locations[index] = .slot(spilled.slots.count)
                spilled.slots.append(SpillSlot(size: function.values[index].type.slotSize))
            case .slot(let s):
                spilled.locations[index] = .slot(s + padding)
            default:
                break
            }
        }
        return spilled
    }

    /// With every value spilled (the worst case each request allows for),
    /// near and far from the stack pointer, every function compiles in
    /// short and long mode within its temporaries (a precondition fails
    /// otherwise).
    @Test(arguments: modules)
    func aarch64SelectionFitsItsTemporariesWithEverythingSpilled(_ path: String) throws {
        for level in [0, 2] {
            for function in try AllocationCheckTests.functions(path, level: level) {
                for far in [false, true] {
                    let rules = A64TemporaryRules(function, assumingFarFrame: far)
                    let allocation = Self.spilled(A64CodeGen.allocate(function, rules: rules), function, padding: far ? 4_200 : 0)
                    for longReach in [false, true] {
                        var generator = A64CodeGen(function: function, allocation: allocation, rules: rules,
                                                   listing: false, longReach: longReach)
                        try generator.run()
                        _ = try generator.asm.finish()
                    }
                }
            }
        }
    }

    /// A branch whose only argument is a float constant zero (no general
    /// register needed to build it) still needs one to address its
    /// parameter's slot when that is far.
    @Test func aFloatConstantArgumentIntoAFarSlot() throws {
        let function = try Parser.parseFunction("""
            function %f(f64) -> (f64) {
            block0(v0: f64):
                v1 = fconst.f64 0x0
                jump block1(v1)
            block1(v2: f64):
                v3 = fadd.f64 v2, v0
                return v3
            }
            """)
        let rules = A64TemporaryRules(function, assumingFarFrame: true)
        let allocation = Self.spilled(A64CodeGen.allocate(function, rules: rules), function, padding: 4_200)
        var generator = A64CodeGen(function: function, allocation: allocation, rules: rules, listing: false, longReach: false)
        try generator.run()
        _ = try generator.asm.finish()
    }

    @Test func theModulesAreFound() {
        #expect(Self.modules.count >= 19)
    }
}
