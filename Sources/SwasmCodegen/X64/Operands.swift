// Operands of the x86-64 assembler: registers, sizes, conditions, labels and
// memory addresses, each with its Intel-syntax (GNU as) spelling.
//
// Register raw values are the hardware numbers 0...15: the low three bits go
// in ModRM/SIB or the opcode, bit 3 in REX.R/X/B (see Encoder.swift).

/// A general-purpose register. Its width comes from the instruction's
/// `OperandSize`; `name(_:)` spells it at that width.
public enum X64Reg: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15

    var low3: UInt8 { rawValue & 7 }
    var high: UInt8 { rawValue >> 3 }
    /// spl, bpl, sil and dil exist only with a REX prefix (without one the
    /// same numbers mean ah, ch, dh and bh).
    var needsRexAsByte: Bool { (4...7).contains(rawValue) }

    private static let names64 = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"]
    private static let names32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"]
    private static let names16 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"]
    private static let names8 = ["al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"]

    public func name(_ size: OperandSize) -> String {
        let i = Int(rawValue)
        if i >= 8 {
            switch size {
            case .s8: return "r\(i)b"
            case .s16: return "r\(i)w"
            case .s32: return "r\(i)d"
            case .s64: return "r\(i)"
            }
        }
        switch size {
        case .s8: return Self.names8[i]
        case .s16: return Self.names16[i]
        case .s32: return Self.names32[i]
        case .s64: return Self.names64[i]
        }
    }

    public var description: String { name(.s64) }
}

/// An SSE register.
public enum XmmReg: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case xmm0, xmm1, xmm2, xmm3, xmm4, xmm5, xmm6, xmm7
    case xmm8, xmm9, xmm10, xmm11, xmm12, xmm13, xmm14, xmm15

    public var description: String { "xmm\(rawValue)" }
}

/// Width of an integer operation. 8 and 16 bits are accepted only by the
/// forms where they mean something (loads, stores, movzx/movsx, setcc).
public enum OperandSize: Sendable, Hashable, CaseIterable {
    case s8, s16, s32, s64

    public var bytes: Int {
        switch self {
        case .s8: return 1
        case .s16: return 2
        case .s32: return 4
        case .s64: return 8
        }
    }

    /// The `ptr` keyword GNU as wants on a memory operand of this width.
    var ptr: String { ptrName(bytes: bytes) }
}

func ptrName(bytes: Int) -> String {
    switch bytes {
    case 1: return "byte ptr"
    case 2: return "word ptr"
    case 4: return "dword ptr"
    case 8: return "qword ptr"
    default: return "xmmword ptr"
    }
}

/// Condition codes in hardware order (the low nibble of Jcc/SETcc/CMOVcc).
public enum X64Cond: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case o, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g

    /// The opposite condition: flipping bit 0 negates every x86 condition.
    public var inverted: X64Cond { X64Cond(rawValue: rawValue ^ 1)! }

    public var description: String {
        ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"][Int(rawValue)]
    }
}

/// A position in the code, created by `X64Assembler.newLabel()` and placed
/// by `bind(_:)`. Listed as `.L<id>` (the prefix is `labelPrefix`).
public struct X64Label: Hashable, Sendable {
    public let id: Int
}

/// A memory operand: `[base + index*scale + displacement]`, or
/// `[rip + label + displacement]`.
///
/// The encoder picks the shortest form GNU as picks: no displacement when it
/// is 0 (except for an rbp/r13 base, which needs disp8 0), disp8 when it
/// fits, else disp32; a SIB byte when there is an index or the base is
/// rsp/r12; with no base, SIB base 101 and disp32 (an absolute address when
/// there is no index either).
public struct X64Mem: Hashable, Sendable, CustomStringConvertible {
    public var base: X64Reg?
    public var index: X64Reg?
    public var scale: UInt8
    public var displacement: Int32
    /// Set for the RIP-relative form; `base` and `index` are then nil.
    public var label: X64Label?

    public init(base: X64Reg?, index: X64Reg? = nil, scale: UInt8 = 1, displacement: Int32 = 0) {
        precondition([1, 2, 4, 8].contains(scale), "scale must be 1, 2, 4 or 8")
        precondition(index != .rsp, "rsp cannot be an index register")
        self.base = base
        self.index = index
        self.scale = scale
        self.displacement = displacement
        self.label = nil
    }

    /// `[base + displacement]`.
    public init(_ base: X64Reg, _ displacement: Int32 = 0) {
        self.init(base: base, displacement: displacement)
    }

    /// `[base + index*scale + displacement]`.
    public init(_ base: X64Reg, _ index: X64Reg, scale: UInt8 = 1, _ displacement: Int32 = 0) {
        self.init(base: base, index: index, scale: scale, displacement: displacement)
    }

    /// `[rip + label + displacement]`.
    public static func label(_ label: X64Label, displacement: Int32 = 0) -> X64Mem {
        var m = X64Mem(base: nil, displacement: displacement)
        m.label = label
        return m
    }

    /// `[displacement]`: an absolute 32-bit (sign-extended) address.
    public static func absolute(_ address: Int32) -> X64Mem {
        X64Mem(base: nil, displacement: address)
    }

    /// The address in GNU as Intel syntax, with the default `.L` label prefix.
    public var description: String { render(labelPrefix: ".L") }

    func render(labelPrefix: String) -> String {
        var parts: [String] = []
        if let label { parts.append("rip") ; parts.append("\(labelPrefix)\(label.id)") }
        if let base { parts.append(base.name(.s64)) }
        if let index { parts.append("\(index.name(.s64))*\(scale)") }
        var text = parts.joined(separator: "+")
        if displacement != 0 || parts.isEmpty {
            if parts.isEmpty {
                text = String(displacement)
            } else if displacement < 0 {
                text += "-\(UInt32(bitPattern: 0 &- displacement))"
            } else {
                text += "+\(displacement)"
            }
        }
        return "[\(text)]"
    }
}
