// x86-64 selection with every value spilled: each operand is loaded and
// each result computed in a temporary, the worst case X64ABI.temporaries
// counts for. Selection stops with a precondition failure when it asks for
// more temporaries than were granted, so compiling every function of the
// golden, execution and sample modules this way checks the counts of every
// opcode they use.
import SwasmIR
import Testing
@testable import SwasmCodegen

@Suite struct X64WorstCaseSelectionTests {
    /// `allocation` with every value that has a register moved to a spill
    /// slot of its own (the temporaries stay: they were chosen clear of
    /// every register a value held, and hold none now).
    static func spillingEverything(_ function: Function, _ allocation: Allocation) -> Allocation {
        var spilled = allocation
        for (i, location) in allocation.locations.enumerated() {
            guard case .register = location else { continue }
            spilled.locations[i] = .slot(spilled.slots.count)
            spilled.slots.append(SpillSlot(size: function.values[i].type.slotSize))
        }
        return spilled
    }

    @Test(arguments: AllocationCheckTests.modules)
    func everyFunctionCompilesWithEveryValueSpilled(_ path: String) throws {
        for level in [0, 2] {
            for function in try AllocationCheckTests.functions(path, level: level) {
                let allocation = Self.spillingEverything(function, AllocationCheckTests.x86Allocation(function))
                var generator = X64CodeGen(function: function, allocation: allocation, listing: false)
                try generator.run()
                #expect(!generator.asm.finish().isEmpty, "\(path) -O\(level) \(function.name)")
            }
        }
    }
}
