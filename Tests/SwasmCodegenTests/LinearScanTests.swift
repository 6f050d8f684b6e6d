// Register classes in the allocator: floats and vectors share a bank, a
// value crossing a call needs a register the call preserves for its whole
// width, and a spilled value's slot has its type's size.
import SwasmIR
import Testing
@testable import SwasmCodegen

/// An f64 and a v128 (and an i64) live across a call.
private let acrossCall = """
    function %keep(i64, f64, v128, i64) -> (f64, v128, i64) {
        sig0 = (i64) -> i64
    block0(v0: i64, v1: f64, v2: v128, v3: i64):
        v4 = call_ptr sig0 v0(v0)
        return v1, v2, v3
    }
    """

/// AAPCS64's shape: v8 keeps only its low 8 bytes across calls, x19 all of it.
private let aapcs64Like = RegisterFile(
    classes: PerClass(
        general: RegisterClass(allocatable: [0, 1, 19], preservedBytes: [19: 8]),
        vector: RegisterClass(allocatable: [0, 1, 8], preservedBytes: [8: 8])))

@Suite struct LinearScanTests {
    @Test func aValueCrossingACallNeedsARegisterPreservedForItsWidth() throws {
        let function = try Parser.parseFunction(acrossCall)
        let allocation = LinearScan(function: function, registers: aapcs64Like).allocate()
        #expect(allocation.locations[1] == .register(8), "the f64 fits in v8's preserved half")
        #expect(allocation.locations[2] == .slot(0), "the v128 does not")
        #expect(allocation.locations[3] == .register(19))
        #expect(allocation.slots == [.sixteenBytes])
        #expect(allocation.usedCalleeSaved(.vector) == [8])
        #expect(allocation.usedCalleeSaved(.general) == [19])
    }

    /// With v8 preserved whole, the v128 may live there instead of the f64,
    /// which then spills to an 8-byte slot.
    @Test func wholeRegistersKeepVectorsAcrossCalls() throws {
        var registers = aapcs64Like
        registers.classes.vector.preservedBytes = [8: 16]
        let function = try Parser.parseFunction(acrossCall)
        let allocation = LinearScan(function: function, registers: registers).allocate()
        let homes = [allocation.locations[1], allocation.locations[2]]
        #expect(homes.contains(.register(8)))
        #expect(homes.contains(.slot(0)))
        #expect(allocation.slots == [allocation.locations[2] == .slot(0) ? .sixteenBytes : .eightBytes])
    }

    /// x86-64 preserves no xmm register: both vector-class values spill,
    /// each to a slot of its size, and never to a general register.
    @Test func x86SpillsFloatsAndVectorsAcrossCalls() throws {
        let function = try Parser.parseFunction(acrossCall)
        let allocation = LinearScan(function: function, registers: X64ABI.registers).allocate()
        #expect(allocation.locations[1] == .slot(0))
        #expect(allocation.locations[2] == .slot(1))
        #expect(allocation.slots == [.eightBytes, .sixteenBytes])
        #expect(allocation.locations[3] == .register(X64Reg.rbx.rawValue))
    }

    /// A register an instruction's selection overwrites goes to no value
    /// that meets the instruction: not its operands (v2, v3), not its
    /// result (v4), not a value live across it (v1). Without the clobber,
    /// v3 takes it.
    @Test func clobberedRegistersAvoidTheValuesAroundTheInstruction() throws {
        let text = """
            function %f(i64, i32, i32) -> (i32) {
            block0(v0: i64, v1: i32, v2: i32):
                v3 = iadd.i32 v1, v2
                v4 = sdiv.i32 v3, v2
                v5 = iadd.i32 v4, v1
                return v5
            }
            """
        let registers = RegisterFile(
            classes: PerClass(general: RegisterClass(allocatable: [2, 3, 4, 5, 6], calleeSaved: []),
                              vector: RegisterClass(allocatable: [0, 1], calleeSaved: [])))
        let function = try Parser.parseFunction(text)
        let divisionClobbers: (Function, Int) -> Clobbers = { function, index in
            PerClass(general: function.instructions[index].opcode == .sdiv ? 1 << 2 : 0, vector: 0)
        }
        let constrained = LinearScan(function: function, registers: registers, clobbers: divisionClobbers).allocate()
        for value in 1...4 { #expect(constrained.locations[value] != .register(2), "v\(value)") }
        #expect(constrained.slots.isEmpty)
        let free = LinearScan(function: function, registers: registers).allocate()
        #expect(free.locations[3] == .register(2))
    }
}
