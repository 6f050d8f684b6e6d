// Operands of the AArch64 assembler: registers, widths, conditions, shifts,
// extends, labels and addressing modes, each with its GNU (objdump) spelling.
//
// Register number 31 means the stack pointer in some operand slots and the
// zero register in others. The two are distinct values here (`.sp`, `.zr`)
// so that passing the wrong one is caught when the instruction is encoded
// instead of silently meaning the other.

/// A general-purpose register; its width comes from the instruction.
public enum A64Reg: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15
    case x16, x17, x18, x19, x20, x21, x22, x23, x24, x25, x26, x27, x28, x29, x30
    case sp, zr

    /// Frame pointer and link register, by their AAPCS64 roles.
    public static let fp = A64Reg.x29
    public static let lr = A64Reg.x30

    /// The 5-bit register field.
    var field: UInt32 { UInt32(min(rawValue, 31)) }

    public func name(_ width: A64Width) -> String {
        switch (self, width) {
        case (.sp, .x): return "sp"
        case (.sp, .w): return "wsp"
        case (.zr, .x): return "xzr"
        case (.zr, .w): return "wzr"
        case (_, .x): return "x\(rawValue)"
        case (_, .w): return "w\(rawValue)"
        }
    }

    public var description: String { name(.x) }

    /// The 31 numbered registers x0...x30 (neither sp nor zr).
    public static let numbered: [A64Reg] = allCases.filter { $0.rawValue < 31 }
}

/// Width of an integer operation: 32 bits (W registers) or 64 (X registers).
public enum A64Width: Sendable, Hashable, CaseIterable {
    case w, x

    public var bits: Int { self == .x ? 64 : 32 }
    /// The `sf` bit.
    var sf: UInt32 { self == .x ? 1 : 0 }
    /// All ones at this width.
    var mask: UInt64 { self == .x ? UInt64.max : 0xffff_ffff }
}

/// A SIMD and floating-point register; its view (b/h/s/d/q, or a vector
/// arrangement) comes from the instruction.
public enum A64VReg: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15
    case v16, v17, v18, v19, v20, v21, v22, v23, v24, v25, v26, v27, v28, v29, v30, v31

    var field: UInt32 { UInt32(rawValue) }

    public func name(_ view: A64FPSize) -> String { "\(view.prefix)\(rawValue)" }

    public var description: String { "v\(rawValue)" }
}

/// Scalar views of a vector register, by size: the FP types `s` and `d`, and
/// the `b`, `h`, `q` views used by loads, stores and vector reductions.
public enum A64FPSize: Sendable, Hashable, CaseIterable {
    case b, h, s, d, q

    var prefix: String {
        switch self {
        case .b: return "b"
        case .h: return "h"
        case .s: return "s"
        case .d: return "d"
        case .q: return "q"
        }
    }

    public var bytes: Int {
        switch self {
        case .b: return 1
        case .h: return 2
        case .s: return 4
        case .d: return 8
        case .q: return 16
        }
    }
}

/// The floating-point types of scalar arithmetic.
public enum A64FloatType: Sendable, Hashable, CaseIterable {
    case s, d

    /// The `ftype` field.
    var field: UInt32 { self == .s ? 0 : 1 }
    var view: A64FPSize { self == .s ? .s : .d }
    /// The integer width of the same size (for `fmov` between register files).
    var sameSizeWidth: A64Width { self == .s ? .w : .x }
}

/// Condition codes, numbered as in the `cond` field, spelled as objdump does
/// (`cs`/`cc`; `hs`/`lo` are the same codes).
public enum A64Cond: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case eq, ne, cs, cc, mi, pl, vs, vc, hi, ls, ge, lt, gt, le, al, nv

    public static let hs = A64Cond.cs
    public static let lo = A64Cond.cc

    /// The opposite condition (`al` and `nv` both mean "always").
    public var inverted: A64Cond { A64Cond(rawValue: rawValue ^ 1)! }

    var field: UInt32 { UInt32(rawValue) }

    public var description: String {
        ["eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al", "nv"][Int(rawValue)]
    }
}

/// Shift applied to the last register operand of an arithmetic or logical
/// instruction (`ror` only for logical ones).
public enum A64Shift: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case lsl, lsr, asr, ror

    var field: UInt32 { UInt32(rawValue) }
    public var description: String { ["lsl", "lsr", "asr", "ror"][Int(rawValue)] }
}

/// Extension applied to the last register of an extended-register add/sub.
public enum A64Extend: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case uxtb, uxth, uxtw, uxtx, sxtb, sxth, sxtw, sxtx

    var field: UInt32 { UInt32(rawValue) }
    /// The width of the register being extended: W for the byte, half and
    /// word extensions, X for the 64-bit ones.
    var sourceWidth: A64Width { self == .uxtx || self == .sxtx ? .x : .w }
    public var description: String {
        ["uxtb", "uxth", "uxtw", "uxtx", "sxtb", "sxth", "sxtw", "sxtx"][Int(rawValue)]
    }
}

/// How the index register of a register-offset address is extended.
public enum A64IndexExtend: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// A 64-bit index, as is (`lsl`).
    case lsl = 3
    /// A 32-bit index, zero- or sign-extended.
    case uxtw = 2, sxtw = 6
    /// A 64-bit index (`sxtx`: the same bits as `lsl`, spelled differently).
    case sxtx = 7

    var field: UInt32 { UInt32(rawValue) }
    var indexWidth: A64Width { self == .uxtw || self == .sxtw ? .w : .x }
    public var description: String {
        switch self {
        case .lsl: return "lsl"
        case .uxtw: return "uxtw"
        case .sxtw: return "sxtw"
        case .sxtx: return "sxtx"
        }
    }
}

/// A position in the code, bound once; references to it are fixed up when
/// the code is finished.
public struct A64Label: Hashable, Sendable {
    public let id: Int
}

/// A memory address of a load or store.
public enum A64Mem: Sendable, Hashable {
    /// `[base, #offset]`: the scaled 12-bit form when `offset` is a multiple
    /// of the access size in range, else the unscaled 9-bit form (`ldur`).
    case offset(A64Reg, Int)
    /// `[base, #offset]!`: base += offset, then access.
    case preIndex(A64Reg, Int)
    /// `[base], #offset`: access, then base += offset.
    case postIndex(A64Reg, Int)
    /// `[base, index{, extend {#log2(size)}}]`; `scaled` shifts the index by
    /// the access size.
    case register(A64Reg, A64Reg, A64IndexExtend, scaled: Bool)

    /// `[base]`.
    public static func base(_ r: A64Reg) -> A64Mem { .offset(r, 0) }

    /// `[base, index]` with a 64-bit index.
    public static func indexed(_ base: A64Reg, _ index: A64Reg, scaled: Bool = false) -> A64Mem {
        .register(base, index, .lsl, scaled: scaled)
    }
}
