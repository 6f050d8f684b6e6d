// x86-64 reserves no scratch register: every register but rsp and rbp is
// allocatable, and selection's temporaries come from the allocator per
// instruction. Under pressure, values use all fourteen general and sixteen
// vector registers (rax, rcx, r11, xmm14 and xmm15 among them) with no spill,
// and the code compiles without asking for more temporaries than granted.
import SwasmIR
import Testing
@testable import SwasmCodegen

/// Thirteen i64 values loaded from v0 and live at once, then summed: with
/// each load's temporary, fourteen registers at the peak.
private func generalPressure(values: Int) -> String {
    var lines = ["function %pressure(i64) -> (i64) {", "block0(v0: i64):"]
    for k in 1...values { lines.append("    v\(k) = pload.i64 v0+\(8 * (k - 1))") }
    var sum = 1
    for k in 2...values {
        lines.append("    v\(values + k) = iadd.i64 v\(sum), v\(k)")
        sum = values + k
    }
    lines += ["    return v\(sum)", "}"]
    return lines.joined(separator: "\n")
}

/// Fifteen f64 values live at once, then summed: with each add's
/// temporary, sixteen registers at the peak.
private func vectorPressure(values: Int) -> String {
    var lines = ["function %pressure(i64) -> (f64) {", "block0(v0: i64):"]
    for k in 1...values { lines.append("    v\(k) = pload.f64 v0+\(8 * (k - 1))") }
    var sum = 1
    for k in 2...values {
        lines.append("    v\(values + k) = fadd.f64 v\(sum), v\(k)")
        sum = values + k
    }
    lines += ["    return v\(sum)", "}"]
    return lines.joined(separator: "\n")
}

private func allocate(_ function: Function) -> Allocation {
    LinearScan(function: function, registers: X64ABI.registers, clobbers: X64ABI.clobbers,
               temporaries: X64ABI.temporaries, entryTemporaries: X64ABI.entryTemporaries(function)).allocate()
}

private func check(_ function: Function, _ allocation: Allocation) -> [String] {
    AllocationChecker.check(function, allocation, registers: X64ABI.registers, clobbers: X64ABI.clobbers,
                            temporaries: X64ABI.temporaries, entryTemporaries: X64ABI.entryTemporaries(function))
}

/// Registers of `regClass` that hold a value somewhere in `allocation`.
private func valueRegisters(_ function: Function, _ allocation: Allocation, _ regClass: RegClass) -> Set<UInt8> {
    var registers = Set<UInt8>()
    for (i, location) in allocation.locations.enumerated() {
        if case .register(let r) = location, function.type(of: Value(UInt32(i))).regClass == regClass { registers.insert(r) }
    }
    return registers
}

@Suite struct X64TemporaryTests {
    @Test func onlyTheStackAndFramePointersAreNotAllocatable() {
        let general = Set(X64ABI.registers.classes.general.allocatable)
        #expect(general.count == 14)
        #expect(!general.contains(X64Reg.rsp.rawValue) && !general.contains(X64Reg.rbp.rawValue))
        for register in [X64Reg.rax, .rcx, .r11, .rdx] { #expect(general.contains(register.rawValue)) }
        #expect(Set(X64ABI.registers.classes.vector.allocatable) == Set((0..<16).map { UInt8($0) }))
    }

    @Test func fourteenGeneralRegistersHoldValuesUnderPressure() throws {
        let function = try Parser.parseFunction(generalPressure(values: 13))
        let allocation = allocate(function)
        #expect(check(function, allocation).isEmpty)
        #expect(allocation.slots.isEmpty, "13 values and a load's temporary fit in 14 registers")
        var used = valueRegisters(function, allocation, .general)
        #expect(used.count == 13)
        for index in function.instructions.indices { used.formUnion(allocation.temporaries(at: index).general) }
        #expect(used == Set(X64ABI.registers.classes.general.allocatable), "values and temporaries use every register")
        _ = try X64CodeGen.compile(function, listing: false)
    }

    @Test func sixteenVectorRegistersHoldValuesUnderPressure() throws {
        let function = try Parser.parseFunction(vectorPressure(values: 15))
        let allocation = allocate(function)
        #expect(check(function, allocation).isEmpty)
        #expect(allocation.slots.isEmpty, "15 values and an add's temporary fit in 16 registers")
        let used = valueRegisters(function, allocation, .vector)
        for register in [XmmReg.xmm14, .xmm15] { #expect(used.contains(register.rawValue), "\(register) holds no value") }
        _ = try X64CodeGen.compile(function, listing: false)
    }

    /// A call's temporaries are none of its argument registers, which its
    /// moves write while a parked value waits in one.
    @Test func callTemporariesAvoidTheArgumentRegisters() throws {
        let function = try Parser.parseFunction("""
            function %f(i64, i64, i64) -> (i64) {
                sig0 = (i64, i64, i64) -> i64
            block0(v0: i64, v1: i64, v2: i64):
                v3 = call_ptr sig0 v0(v0, v2, v1)
                return v3
            }
            """)
        let allocation = allocate(function)
        #expect(check(function, allocation).isEmpty)
        let call = function.blocks[0].instructions[0]
        let request = X64ABI.temporaries(function, call)
        #expect(request.count.general == 1)
        let argumentRegisters = X64Backend.callingConvention.placement(function.signatures[0]).places.compactMap { place -> UInt8? in
            if case .register(_, let r) = place { return r }
            return nil
        }
        for register in allocation.temporaries(at: call).general { #expect(!argumentRegisters.contains(register)) }
        _ = try X64CodeGen.compile(function, listing: false)
    }
}
