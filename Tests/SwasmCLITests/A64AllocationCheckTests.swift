// The AArch64 allocation, with every instruction's temporaries, checked by
// an independent liveness computation (AllocationChecker) on every
// function of the golden-file modules and the samples: no temporary meets
// a value around its instruction, a branch's keep clear of the parameters
// its moves write, the entry's of the incoming parameters. And the
// requests against selection: with every value spilled (the worst case
// each request allows for), every function still compiles, in short and
// long mode, without asking for a temporary it was not granted.
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

    @Test(arguments: modules)
    func aarch64SelectionFitsItsTemporariesWithEverythingSpilled(_ path: String) throws {
        for level in [0, 2] {
            for function in try AllocationCheckTests.functions(path, level: level) {
                var allocation = A64ABI.allocate(function)
                for (index, location) in allocation.locations.enumerated() {
                    guard case .register = location else { continue }
                    allocation.locations[index] = .slot(allocation.slots.count)
                    allocation.slots.append(SpillSlot(size: function.values[index].type.slotSize))
                }
                for longReach in [false, true] {
                    var generator = A64CodeGen(function: function, allocation: allocation, rules: A64TemporaryRules(function),
                                               listing: false, longReach: longReach)
                    try generator.run()
                    _ = try generator.asm.finish()
                }
            }
        }
    }

    @Test func theModulesAreFound() {
        #expect(Self.modules.count >= 19)
    }
}
