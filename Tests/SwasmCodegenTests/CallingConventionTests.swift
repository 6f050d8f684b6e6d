// Calling conventions as data: where SysV AMD64 and AAPCS64 place each
// argument, the hidden result pointer of multi-result calls, and what
// spills to the stack once a class runs out of registers.
import SwasmIR
import Testing
@testable import SwasmCodegen

private let rdi: UInt8 = 7, rsi: UInt8 = 6, rdx: UInt8 = 2, rcx: UInt8 = 1, r8: UInt8 = 8, r9: UInt8 = 9

@Suite struct CallingConventionTests {
    @Test func sysVPlacesIntegersAndFloatsInTheirOwnRegisters() {
        let signature = Signature(parameters: [.i64, .i32, .f64, .i64, .f32], results: [.i32])
        let placement = CallingConvention.sysV.placement(signature)
        #expect(placement.places == [.register(.general, rdi), .register(.general, rsi), .register(.vector, 0),
                                     .register(.general, rdx), .register(.vector, 1)])
        #expect(placement.resultPointer == nil)
        #expect(placement.stackSize == 0)
    }

    @Test func sysVHiddenResultPointerFollowsTheVMContext() {
        let signature = Signature(parameters: [.i64, .i32, .i32], results: [.i32, .i64, .f64])
        let placement = CallingConvention.sysV.placement(signature)
        #expect(placement.resultPointer == .register(.general, rsi))
        #expect(placement.places == [.register(.general, rdi), .register(.general, rdx), .register(.general, rcx)])
        #expect(CallingConvention.resultAreaSize(signature) == 16)
    }

    /// Seven integers after vmctx: the sixth register is the last; floats
    /// keep their registers while integers spill, and the ninth float spills
    /// after them, each in its own 8-byte slot.
    @Test func sysVStackArgumentsTakeEightByteSlotsInOrder() {
        let parameters: [IRType] = [.i64] + Array(repeating: .i32, count: 7) + Array(repeating: .f64, count: 9)
        let placement = CallingConvention.sysV.placement(Signature(parameters: parameters, results: []))
        #expect(Array(placement.places[0..<6]) == [rdi, rsi, rdx, rcx, r8, r9].map { .register(.general, $0) })
        #expect(placement.places[6] == .stack(0))
        #expect(placement.places[7] == .stack(8))
        #expect(Array(placement.places[8..<16]) == (0..<8).map { .register(.vector, UInt8($0)) })
        #expect(placement.places[16] == .stack(16))
        #expect(placement.stackSize == 24)
    }

    /// With a result pointer, SysV's sixth integer argument moves to the stack.
    @Test func sysVResultPointerPushesTheLastIntegerToTheStack() {
        let parameters: [IRType] = Array(repeating: .i64, count: 6)
        let placement = CallingConvention.sysV.placement(Signature(parameters: parameters, results: [.i64, .i64]))
        #expect(placement.resultPointer == .register(.general, rsi))
        #expect(placement.places.last == .stack(0))
        #expect(placement.stackSize == 8)
    }

    @Test func aapcs64UsesEightRegistersPerClassAndX8ForTheResultPointer() {
        let parameters: [IRType] = [.i64] + Array(repeating: .i32, count: 8) + [.f32, .f64]
        let placement = CallingConvention.aapcs64.placement(Signature(parameters: parameters, results: [.i32, .f32]))
        #expect(Array(placement.places[0..<8]) == (0..<8).map { .register(.general, UInt8($0)) })
        #expect(placement.places[8] == .stack(0))
        #expect(placement.places[9] == .register(.vector, 0))
        #expect(placement.places[10] == .register(.vector, 1))
        #expect(placement.resultPointer == .register(.general, 8))
        #expect(placement.stackSize == 8)
    }

    /// v128 travels in a vector register, and on the stack in a 16-byte
    /// slot aligned to 16 (after an 8-byte one, 8 bytes of padding).
    @Test func v128GoesToVectorRegistersOrSixteenByteStackSlots() {
        let parameters: [IRType] = [.i64] + Array(repeating: .f64, count: 8) + [.f64, .v128, .v128]
        for convention in [CallingConvention.sysV, .aapcs64] {
            let placement = convention.placement(Signature(parameters: parameters, results: []))
            #expect(placement.places[9] == .stack(0))
            #expect(placement.places[10] == .stack(16))
            #expect(placement.places[11] == .stack(32))
            #expect(placement.stackSize == 48)
        }
        let inRegisters = CallingConvention.aapcs64.placement(Signature(parameters: [.i64, .v128], results: [.v128]))
        #expect(inRegisters.places[1] == .register(.vector, 0))
    }
}
