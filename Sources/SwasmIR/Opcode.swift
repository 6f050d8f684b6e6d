// Every IR opcode, one row each: text name, operand format and properties.
//
//   name           format     effects
//   ----           ------     -------
//   iconst/fconst  constant   pure
//   iadd ...       binary     pure (sdiv/udiv/srem/urem: may trap)
//   load/store     memory     reads/writes linear memory, may trap
//   call/call_ptr  call       anything
//   epoch_check    trap       anything (a call on a rarely taken path)
//   jump ...       branch     terminators

public enum Format: UInt8, Sendable {
    /// `v = op.t imm`
    case constant
    /// `v = op.t a`
    case unary
    /// `v = op.t a, b`
    case binary
    /// `v = icmp.t cond a, b`
    case compare
    /// `v = select.t c, a, b`
    case select
    /// `v = load.t a+off` / `store.t a+off, v` (kind from `MemoryWidth`)
    case memory
    /// `v... = call fnN(args)`, `v... = call_ptr sigN vCode(args)`
    case call
    /// `jump blockN(args)`
    case jump
    /// `brif c, blockA(args), blockB(args)`
    case branchIf
    /// `br_table i, default, [targets]`
    case branchTable
    /// `return args`
    case ret
    /// `trap code`, `trapnz c, code`, `trapz c, code`, `epoch_check vmctx`
    case trap
}

public enum Opcode: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    // Constants.
    case iconst, fconst
    // Integer arithmetic and logic.
    case iadd, isub, imul, sdiv, udiv, srem, urem
    case band, bor, bxor, ishl, ushr, sshr, rotl, rotr
    case clz, ctz, popcnt
    case icmp
    // Width changes and sign extension within a type.
    case uextend, sextend, ireduce, sext8, sext16, sext32
    // Floating point.
    case fadd, fsub, fmul, fdiv, fmin, fmax, fcopysign
    case fabs, fneg, fsqrt, fceil, ffloor, ftrunc, fnearest
    case fcmp
    case fpromote, fdemote
    // Float → int: trapping (wasm trunc) and saturating (trunc_sat).
    case fcvtToSint, fcvtToUint, fcvtToSintSat, fcvtToUintSat
    case fcvtFromSint, fcvtFromUint
    case bitcast
    case select
    // Memory: linear memory (32-bit index + offset) and raw pointers.
    case load, store, pload, pstore
    // Calls.
    case call, callPtr
    // Control.
    case jump, brif, brTable, ret, trap, trapnz, trapz
    // Execution limits: when the engine's epoch has reached the store's
    // deadline, calls the deadline helper (with the vmctx operand) and traps
    // with `interrupted` if it says so. The call is out of line and keeps
    // every register, so the allocator sees no call and no clobbers.
    case epochCheck

    public var description: String { name }

    /// Text names, in declaration order (the IR's text form uses these).
    static let names: [String] = ["iconst", "fconst", "iadd", "isub", "imul", "sdiv", "udiv", "srem", "urem", "band", "bor", "bxor", "ishl", "ushr", "sshr", "rotl", "rotr", "clz", "ctz", "popcnt", "icmp", "uextend", "sextend", "ireduce", "sext8", "sext16", "sext32", "fadd", "fsub", "fmul", "fdiv", "fmin", "fmax", "fcopysign", "fabs", "fneg", "fsqrt", "fceil", "ffloor", "ftrunc", "fnearest", "fcmp", "fpromote", "fdemote", "fcvt_to_sint", "fcvt_to_uint", "fcvt_to_sint_sat", "fcvt_to_uint_sat", "fcvt_from_sint", "fcvt_from_uint", "bitcast", "select", "load", "store", "pload", "pstore", "call", "call_ptr", "jump", "brif", "br_table", "return", "trap", "trapnz", "trapz", "epoch_check"]

    public var name: String { Self.names[Int(rawValue)] }

    public static let byName: [String: Opcode] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0) })

    public var format: Format {
        switch self {
        case .iconst, .fconst: return .constant
        case .clz, .ctz, .popcnt, .uextend, .sextend, .ireduce, .sext8, .sext16, .sext32,
             .fabs, .fneg, .fsqrt, .fceil, .ffloor, .ftrunc, .fnearest, .fpromote, .fdemote,
             .fcvtToSint, .fcvtToUint, .fcvtToSintSat, .fcvtToUintSat, .fcvtFromSint, .fcvtFromUint, .bitcast:
            return .unary
        case .icmp, .fcmp: return .compare
        case .select: return .select
        case .load, .store, .pload, .pstore: return .memory
        case .call, .callPtr: return .call
        case .jump: return .jump
        case .brif: return .branchIf
        case .brTable: return .branchTable
        case .ret: return .ret
        case .trap, .trapnz, .trapz, .epochCheck: return .trap
        default: return .binary
        }
    }

    public var isTerminator: Bool {
        switch self {
        case .jump, .brif, .brTable, .ret, .trap: return true
        default: return false
        }
    }

    /// May trap, so it must stay even when its result is unused.
    public var canTrap: Bool {
        switch self {
        case .sdiv, .udiv, .srem, .urem, .fcvtToSint, .fcvtToUint, .load, .store, .trap, .trapnz, .trapz, .call, .callPtr, .epochCheck:
            return true
        default: return false
        }
    }

    /// Has an effect beyond its result (writes, calls, traps, control).
    public var hasSideEffects: Bool {
        canTrap || isTerminator || self == .pstore || self == .store
    }

    /// Reads memory: must not be moved across stores or calls.
    public var readsMemory: Bool { self == .load || self == .pload }
}
