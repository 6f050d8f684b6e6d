// AArch64 without reserved scratch registers: under pressure x15-x17 and
// v29-v31 hold values like any other register, selection's temporaries
// come from the allocator, and the requests are as small as what is known
// before allocation allows.
import SwasmIR
import Testing
@testable import SwasmCodegen

/// `count` i64 values and `count` f64 values, all live at once (each
/// summed at the end in reverse order of definition).
private func pressure(_ count: Int) -> String {
    var text = "function %f(i64, i64, f64) -> (i64, f64) {\nblock0(v0: i64, v1: i64, v2: f64):\n"
    var next = 3
    var integers: [Int] = [], floats: [Int] = []
    for k in 0..<count {
        text += "    v\(next) = iadd.i64 \(k == 0 ? "v0" : "v\(integers[k - 1])"), v1\n"
        integers.append(next)
        next += 1
        text += "    v\(next) = fadd.f64 \(k == 0 ? "v2" : "v\(floats[k - 1])"), v2\n"
        floats.append(next)
        next += 1
    }
    var integerSum = integers.last!, floatSum = floats.last!
    for value in integers.dropLast().reversed() {
        text += "    v\(next) = iadd.i64 v\(integerSum), v\(value)\n"
        integerSum = next
        next += 1
    }
    for value in floats.dropLast().reversed() {
        text += "    v\(next) = fadd.f64 v\(floatSum), v\(value)\n"
        floatSum = next
        next += 1
    }
    return text + "    return v\(integerSum), v\(floatSum)\n}\n"
}

@Suite struct A64TemporaryTests {
    @Test func formerScratchRegistersHoldValuesUnderPressure() throws {
        let function = try Parser.parseFunction(pressure(40))
        let allocation = A64ABI.allocate(function)
        var general = Set<UInt8>(), vector = Set<UInt8>()
        for (index, location) in allocation.locations.enumerated() {
            guard case .register(let r) = location else { continue }
            if function.type(of: Value(UInt32(index))) == .f64 { vector.insert(r) } else { general.insert(r) }
        }
        // Every allocatable register holds a value or serves as a
        // temporary somewhere, the former scratch ones too (with them
        // reserved, x15-x17 and v29-v31 did neither).
        var temporaries = PerClass<Set<UInt8>>(general: [], vector: [])
        for index in function.instructions.indices {
            let granted = allocation.temporaries(at: index)
            temporaries.general.formUnion(granted.general)
            temporaries.vector.formUnion(granted.vector)
        }
        #expect(general.union(temporaries.general) == Set(A64ABI.registers.classes.general.allocatable),
                "general registers holding values: \(general.sorted()), temporaries: \(temporaries.general.sorted())")
        #expect(vector.union(temporaries.vector) == Set(A64ABI.registers.classes.vector.allocatable),
                "vector registers holding values: \(vector.sorted()), temporaries: \(temporaries.vector.sorted())")
        #expect(!general.isDisjoint(with: [15, 16, 17]) && !vector.isDisjoint(with: [29, 30, 31]),
                "a former scratch register of each class holds a value")
        #expect(general.isDisjoint(with: [18, 29, 30, 31]), "the platform register, fp, lr and sp stay out")
        #expect(AllocationChecker.check(function, allocation, registers: A64ABI.registers,
                                        temporaries: A64ABI.temporaries(for: function),
                                        entryTemporaries: A64ABI.entryTemporaries(function)).isEmpty)
        // Selection finds every temporary it uses among those granted
        // (a precondition otherwise).
        _ = try AArch64Backend.compile(function, listing: true)
    }

    @Test func requestsFollowWhatIsKnownBeforeAllocation() throws {
        let function = try Parser.parseFunction("""
            function %f(i64, i64, i32) -> (i64) {
                sig0 = (i64, i64, i64) -> i64
            block0(v0: i64, v1: i64, v2: i32):
                v3 = iadd.i64 v0, v1
                v4 = iconst.i64 5
                v5 = iadd.i64 v3, v4
                v6 = srem.i64 v5, v1
                v7 = sdiv.i64 v6, v1
                v8 = call_ptr sig0 v0(v0, v7, v1)
                brif v2, block1(v8, v7), block1(v7, v8)
            block1(v9: i64, v10: i64):
                v11 = isub.i64 v9, v10
                return v11
            }
            """)
        let requests = A64ABI.temporaries(for: function)
        let index = function.blocks[0].instructions
        func general(_ k: Int) -> Int { requests(function, index[k]).count.general }
        #expect(general(0) == 2, "two operands that may be spilled")
        #expect(general(1) == 0, "a constant")
        #expect(general(2) == 1, "an immediate operand needs no register")
        #expect(general(3) == 3, "srem: operands and the quotient")
        #expect(general(4) == 2, "sdiv: the quotient goes to the result's register")
        // The call: the callee, then the parking register for its three
        // register arguments; both keep clear of x0-x2.
        let call = requests(function, index[5])
        #expect(call.count.general == 2)
        #expect(call.avoiding.general & 0b111 == 0b111)
        // The branch: its condition, then parking, carrying and (in a frame
        // this small) no address register.
        #expect(general(6) == 2)
        #expect(requests(function, index[6]).count.vector == 0)
        #expect(A64ABI.entryTemporaries(function).count.general == 2, "i32 parameter: park and carrier")
        #expect(A64ABI.entryTemporaries(function).avoiding.general & 0b111 == 0b111)
    }
}
