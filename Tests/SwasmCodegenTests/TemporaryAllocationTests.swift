// Temporaries: registers the allocator hands an instruction's selection for
// that instruction alone. They meet none of the values around it, spill the
// cheapest value when none is free, keep clear of the parameters a branch's
// moves write, and the entry's keep clear of the incoming parameters.
import SwasmIR
import Testing
@testable import SwasmCodegen

private func registerFile(general: [UInt8], vector: [UInt8] = [0, 1, 2, 3]) -> RegisterFile {
    RegisterFile(classes: PerClass(general: RegisterClass(allocatable: general, calleeSaved: []),
                                   vector: RegisterClass(allocatable: vector, calleeSaved: [])))
}

/// Every instruction but constants asks for two general temporaries and one vector one.
private func everywhere(_ function: Function, _ index: Int) -> TemporaryRequest {
    let opcode = function.instructions[index].opcode
    return opcode == .iconst || opcode == .fconst ? .none : TemporaryRequest(general: 2, vector: 1)
}

private let straightLine = """
    function %f(i64, i32, i32) -> (i32) {
    block0(v0: i64, v1: i32, v2: i32):
        v3 = iadd.i32 v1, v2
        v4 = imul.i32 v3, v2
        v5 = iadd.i32 v4, v1
        return v5
    }
    """

private let loop = """
    function %sum(i64, i32, f64) -> (f64) {
    block0(v0: i64, v1: i32, v2: f64):
        v3 = fconst.f64 0x0
        jump block1(v1, v3)
    block1(v4: i32, v5: f64):
        v6 = fadd.f64 v5, v2
        v7 = iconst.i32 1
        v8 = isub.i32 v4, v7
        brif v8, block1(v8, v6), block2(v6)
    block2(v9: f64):
        return v9
    }
    """

@Suite struct TemporaryAllocationTests {
    @Test func temporariesMeetNoValueAroundTheirInstruction() throws {
        let function = try Parser.parseFunction(straightLine)
        let registers = registerFile(general: [0, 1, 2, 3, 4, 5, 6, 7])
        let allocation = LinearScan(function: function, registers: registers, temporaries: everywhere).allocate()
        #expect(allocation.slots.isEmpty, "eight registers hold three values and two temporaries")
        #expect(AllocationChecker.check(function, allocation, registers: registers, temporaries: everywhere).isEmpty)
        for index in function.blocks[0].instructions {
            #expect(allocation.temporaries(at: index).general.count == 2)
            #expect(allocation.temporaries(at: index).vector.count == 1)
        }
    }

    /// Five registers: v0, v1, v2 live into the iadd and v3 out of it leave
    /// too few for two temporaries, so the cheapest value spills.
    @Test func aTemporarySpillsTheCheapestValueWhenNoneIsFree() throws {
        let function = try Parser.parseFunction(straightLine)
        let registers = registerFile(general: [0, 1, 2, 3])
        let allocation = LinearScan(function: function, registers: registers, temporaries: everywhere).allocate()
        #expect(!allocation.slots.isEmpty)
        #expect(AllocationChecker.check(function, allocation, registers: registers, temporaries: everywhere).isEmpty)
        let without = LinearScan(function: function, registers: registers).allocate()
        #expect(without.slots.isEmpty, "without temporaries four registers are enough")
    }

    @Test func branchTemporariesKeepClearOfTheParametersTheirMovesWrite() throws {
        let function = try Parser.parseFunction(loop)
        for general: [UInt8] in [[0, 1, 2, 3, 4], [0, 1, 2, 3, 4, 5, 6, 7]] {
            for vector: [UInt8] in [[0, 1, 2], [0, 1, 2, 3, 4, 5]] {
                let registers = registerFile(general: general, vector: vector)
                let allocation = LinearScan(function: function, registers: registers, temporaries: everywhere).allocate()
                let problems = AllocationChecker.check(function, allocation, registers: registers, temporaries: everywhere)
                #expect(problems.isEmpty, "\(general) \(vector): \(problems)")
            }
        }
    }

    @Test func entryTemporariesKeepClearOfParametersAndWhatTheyAvoid() throws {
        let function = try Parser.parseFunction(straightLine)
        let registers = registerFile(general: [0, 1, 2, 3, 4, 5, 6])
        let request = TemporaryRequest(general: 2, vector: 1, avoiding: PerClass(general: 0b11, vector: 0b1))
        let allocation = LinearScan(function: function, registers: registers, entryTemporaries: request).allocate()
        let general = allocation.entryTemporaries.general
        #expect(general.count == 2 && !general.contains(0) && !general.contains(1))
        #expect(allocation.entryTemporaries.vector.count == 1 && allocation.entryTemporaries.vector[0] != 0)
        for parameter in 0...2 {
            if case .register(let r) = allocation.locations[parameter] { #expect(!general.contains(r), "v\(parameter)") }
        }
        #expect(AllocationChecker.check(function, allocation, registers: registers, entryTemporaries: request).isEmpty)
    }

    /// The checker is no rubber stamp: a temporary moved onto an operand's
    /// register is reported.
    @Test func theCheckerFindsATemporaryOnAnOperand() throws {
        let function = try Parser.parseFunction(straightLine)
        let registers = registerFile(general: [0, 1, 2, 3, 4, 5, 6, 7])
        var allocation = LinearScan(function: function, registers: registers, temporaries: everywhere).allocate()
        let iadd = function.blocks[0].instructions[0]
        guard case .register(let r) = allocation.locations[1] else {
            Issue.record("v1 should have a register")
            return
        }
        allocation.packedTemporaries[iadd] = allocation.packedTemporaries[iadd] & ~0xFF | UInt64(r)
        let problems = AllocationChecker.check(function, allocation, registers: registers, temporaries: everywhere)
        #expect(problems.contains { $0.contains("is the home of v1") }, "\(problems)")
    }
}
