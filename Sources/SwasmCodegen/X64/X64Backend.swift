// The x86-64 backend: System V AMD64, SSE4.1, POPCNT, LZCNT and BMI1.
import SwasmABI
import SwasmIR

public enum X64Backend: Backend {
    public static let target = CodeTarget.x86_64
    public static let requiredFeatures = CPUFeatures.x86_64Baseline
    /// int3.
    public static let padding: [UInt8] = [0xCC]
    public static let registers = X64ABI.registers
    public static let callingConvention = CallingConvention.sysV

    /// Register-allocates and encodes one optimized IR function.
    public static func compile(_ function: Function, listing: Bool = false) throws -> CompiledFunction {
        try X64CodeGen.compile(function, listing: listing)
    }
}

/// The registers of x86-64 as the machine layer sees them.
public enum X64ABI {
    /// rax, rcx, r11 and xmm14, xmm15 are never allocated: instruction
    /// selection uses them as temporaries within one IR instruction (r11
    /// and xmm15 also park a value in a parallel move's cycle). rdx is
    /// allocated last among the caller-saved registers, and kept from the
    /// values around the few instructions that use it (`clobbers`). rsp
    /// and rbp hold the stack and the frame chain.
    public static let registers = RegisterFile(
        classes: PerClass(
            general: RegisterClass(
                allocatable: [X64Reg.rsi, .rdi, .r8, .r9, .r10, .rdx, .rbx, .r12, .r13, .r14, .r15].map(\.rawValue),
                calleeSaved: Set([X64Reg.rbx, .r12, .r13, .r14, .r15].map(\.rawValue))),
            vector: RegisterClass(allocatable: (0..<14).map { UInt8($0) }, calleeSaved: [])),
        moveScratch: PerClass(general: X64Reg.r11.rawValue, vector: XmmReg.xmm15.rawValue))
    /// Callee-saved registers in push order.
    static let savedOrder: [X64Reg] = [.rbx, .r12, .r13, .r14, .r15]

    /// The registers instruction `index`'s selection overwrites beyond the
    /// reserved ones: rdx for division (rdx:rax), integer select (its true
    /// value), f64 copysign and unsigned i64 conversion (a mask or low bit),
    /// heap accesses with offsets past 2 GiB, and returns of several results
    /// (the result area's address).
    public static func clobbers(_ function: Function, _ index: Int) -> Clobbers {
        let rdx = PerClass<UInt64>(general: 1 << UInt64(X64Reg.rdx.rawValue), vector: 0)
        let none = PerClass<UInt64>(general: 0, vector: 0)
        switch function.instructions[index].opcode {
        case .sdiv, .udiv, .srem, .urem, .fcopysign, .fcvtFromUint:
            return rdx
        case .select:
            return function.instructions[index].type.isFloat ? none : rdx
        case .load, .store:
            return function.instructions[index].immediate > Int64(Int32.max) ? rdx : none
        case .ret:
            return function.instructions[index].operands.count > 1 ? rdx : none
        default:
            return none
        }
    }
}
