// Loads and stores: single registers (every integer size with zero or sign
// extension, and the b/h/s/d/q views of vector registers) in every
// addressing mode, register pairs (prologues, epilogues, 16-byte moves), and
// PC-relative literal loads (constant pools).

/// An integer load or store: its size, and for loads how the value is
/// extended into which register width.
public enum A64IntAccess: Sendable, CaseIterable {
    case strb, strh, strW, strX
    case ldrb, ldrh, ldrW, ldrX
    /// Sign-extending loads, into a W or an X register.
    case ldrsbW, ldrsbX, ldrshW, ldrshX, ldrsw

    var access: A64Access {
        switch self {
        case .strb: return A64Access(size: 0, v: 0, opc: 0, mnemonic: "strb", rtWidth: .w)
        case .strh: return A64Access(size: 1, v: 0, opc: 0, mnemonic: "strh", rtWidth: .w)
        case .strW: return A64Access(size: 2, v: 0, opc: 0, mnemonic: "str", rtWidth: .w)
        case .strX: return A64Access(size: 3, v: 0, opc: 0, mnemonic: "str", rtWidth: .x)
        case .ldrb: return A64Access(size: 0, v: 0, opc: 1, mnemonic: "ldrb", rtWidth: .w)
        case .ldrh: return A64Access(size: 1, v: 0, opc: 1, mnemonic: "ldrh", rtWidth: .w)
        case .ldrW: return A64Access(size: 2, v: 0, opc: 1, mnemonic: "ldr", rtWidth: .w)
        case .ldrX: return A64Access(size: 3, v: 0, opc: 1, mnemonic: "ldr", rtWidth: .x)
        case .ldrsbX: return A64Access(size: 0, v: 0, opc: 2, mnemonic: "ldrsb", rtWidth: .x)
        case .ldrsbW: return A64Access(size: 0, v: 0, opc: 3, mnemonic: "ldrsb", rtWidth: .w)
        case .ldrshX: return A64Access(size: 1, v: 0, opc: 2, mnemonic: "ldrsh", rtWidth: .x)
        case .ldrshW: return A64Access(size: 1, v: 0, opc: 3, mnemonic: "ldrsh", rtWidth: .w)
        case .ldrsw: return A64Access(size: 2, v: 0, opc: 2, mnemonic: "ldrsw", rtWidth: .x)
        }
    }

    /// Bytes accessed.
    public var bytes: Int { access.bytes }
    public var isLoad: Bool { access.opc != 0 }
}

/// The `size`, `V` and `opc` fields of a single-register load or store.
struct A64Access: Sendable {
    var size: UInt32
    var v: UInt32
    var opc: UInt32
    var mnemonic: String
    /// The width an integer register is spelled at.
    var rtWidth: A64Width = .x

    /// log2 of the bytes accessed (q: size 0 with opc bit 1 set means 16).
    var scale: Int { v == 1 && opc >= 2 ? 4 : Int(size) }
    var bytes: Int { 1 << scale }

    static func vector(_ view: A64FPSize, load: Bool) -> A64Access {
        let size: UInt32 = [A64FPSize.b: 0, .h: 1, .s: 2, .d: 3, .q: 0][view]!
        let opc: UInt32 = (view == .q ? 2 : 0) | (load ? 1 : 0)
        return A64Access(size: size, v: 1, opc: opc, mnemonic: load ? "ldr" : "str")
    }

    /// The unscaled-offset spelling: ldr -> ldur, strb -> sturb, ldrsw -> ldursw.
    var unscaledMnemonic: String { String(mnemonic.prefix(2)) + "u" + String(mnemonic.dropFirst(2)) }
}

/// A register-pair load or store: stp/ldp of W, X, S, D or Q registers.
struct A64PairAccess: Sendable {
    var opc: UInt32
    var v: UInt32
    var bytes: Int

    static func integer(_ w: A64Width) -> A64PairAccess { A64PairAccess(opc: w == .x ? 2 : 0, v: 0, bytes: w == .x ? 8 : 4) }
    static func vector(_ view: A64FPSize) -> A64PairAccess {
        switch view {
        case .s: return A64PairAccess(opc: 0, v: 1, bytes: 4)
        case .d: return A64PairAccess(opc: 1, v: 1, bytes: 8)
        case .q: return A64PairAccess(opc: 2, v: 1, bytes: 16)
        case .b, .h: preconditionFailure("no ldp/stp of \(view) registers")
        }
    }
}

extension A64Assembler {
    /// Whether `.offset(base, offset)` can address an access of `bytes`:
    /// scaled unsigned 12 bits, or signed 9 bits unscaled.
    public static func canAddress(offset: Int, bytes: Int) -> Bool {
        (offset >= 0 && offset % bytes == 0 && offset / bytes < 4096) || (-256...255).contains(offset)
    }

    /// Whether a pair access of `bytes` per register reaches `offset`
    /// (signed 7 bits, scaled).
    public static func canAddressPair(offset: Int, bytes: Int) -> Bool {
        offset % bytes == 0 && (-64...63).contains(offset / bytes)
    }

    // MARK: Single register

    /// An integer load or store; rt means zr at 31.
    public mutating func loadStore(_ kind: A64IntAccess, _ rt: A64Reg, _ mem: A64Mem) {
        let a = kind.access
        loadStore(a, rt: rz(rt, "\(a.mnemonic) register"), rtText: rt.name(a.rtWidth), mem, writebackCheck: rt)
    }

    /// A vector register load (`ldr s0/d0/q0, ...`).
    public mutating func load(_ view: A64FPSize, _ rt: A64VReg, _ mem: A64Mem) {
        loadStore(.vector(view, load: true), rt: rt.field, rtText: rt.name(view), mem, writebackCheck: nil)
    }

    /// A vector register store.
    public mutating func store(_ view: A64FPSize, _ rt: A64VReg, _ mem: A64Mem) {
        loadStore(.vector(view, load: false), rt: rt.field, rtText: rt.name(view), mem, writebackCheck: nil)
    }

    private mutating func loadStore(_ a: A64Access, rt: UInt32, rtText: String, _ mem: A64Mem, writebackCheck: A64Reg?) {
        switch mem {
        case let .offset(base, offset):
            let rn = rsp(base, "base register")
            if offset >= 0 && offset % a.bytes == 0 && offset / a.bytes < 4096 {
                emit(A64Encoding.loadStoreUnsignedOffset(a, imm12: UInt32(offset / a.bytes), rn: rn, rt: rt),
                     "\(a.mnemonic) \(rtText), [\(base.name(.x))\(offset == 0 ? "" : ", #\(offset)")]")
            } else {
                precondition((-256...255).contains(offset), "offset \(offset) is not addressable by \(a.mnemonic)")
                emit(A64Encoding.loadStoreImm9(a, mode: 0b00, imm9: offset, rn: rn, rt: rt),
                     "\(a.unscaledMnemonic) \(rtText), [\(base.name(.x)), #\(offset)]")
            }
        case let .preIndex(base, offset), let .postIndex(base, offset):
            precondition((-256...255).contains(offset), "writeback offset \(offset) is not 9 bits")
            precondition(writebackCheck != base, "writeback to the transferred register is unpredictable")
            let pre: Bool
            if case .preIndex = mem { pre = true } else { pre = false }
            emit(A64Encoding.loadStoreImm9(a, mode: pre ? 0b11 : 0b01, imm9: offset, rn: rsp(base, "base register"), rt: rt),
                 pre ? "\(a.mnemonic) \(rtText), [\(base.name(.x)), #\(offset)]!"
                     : "\(a.mnemonic) \(rtText), [\(base.name(.x))], #\(offset)")
        case let .register(base, index, extend, scaled):
            let word = A64Encoding.loadStoreRegisterOffset(a, rm: rz(index, "index register"), option: extend, s: scaled,
                                                           rn: rsp(base, "base register"), rt: rt)
            emit(word, {
                let amount = scaled ? " #\(a.scale)" : ""
                let tail = extend == .lsl && !scaled ? "" : ", \(extend)\(amount)"
                return "\(a.mnemonic) \(rtText), [\(base.name(.x)), \(index.name(extend.indexWidth))\(tail)]"
            }())
        }
    }

    public mutating func ldr(_ w: A64Width, _ rt: A64Reg, _ mem: A64Mem) { loadStore(w == .x ? .ldrX : .ldrW, rt, mem) }
    public mutating func str(_ w: A64Width, _ rt: A64Reg, _ mem: A64Mem) { loadStore(w == .x ? .strX : .strW, rt, mem) }

    // MARK: Pairs

    /// ldp/stp of two integer registers (zr allowed). `mem` is an offset,
    /// pre- or post-index address whose offset `canAddressPair` accepts.
    public mutating func pair(load: Bool, _ w: A64Width, _ rt: A64Reg, _ rt2: A64Reg, _ mem: A64Mem) {
        pair(.integer(w), load: load, rt: rz(rt, "pair register"), rt2: rz(rt2, "pair register"),
             names: (rt.name(w), rt2.name(w)), mem)
    }

    /// ldp/stp of two s, d or q registers.
    public mutating func pair(load: Bool, _ view: A64FPSize, _ rt: A64VReg, _ rt2: A64VReg, _ mem: A64Mem) {
        pair(.vector(view), load: load, rt: rt.field, rt2: rt2.field, names: (rt.name(view), rt2.name(view)), mem)
    }

    public mutating func stp(_ w: A64Width, _ rt: A64Reg, _ rt2: A64Reg, _ mem: A64Mem) { pair(load: false, w, rt, rt2, mem) }
    public mutating func ldp(_ w: A64Width, _ rt: A64Reg, _ rt2: A64Reg, _ mem: A64Mem) { pair(load: true, w, rt, rt2, mem) }

    private mutating func pair(_ p: A64PairAccess, load: Bool, rt: UInt32, rt2: UInt32, names: (String, String), _ mem: A64Mem) {
        let mnemonic = load ? "ldp" : "stp"
        precondition(!load || rt != rt2, "ldp to one register twice is unpredictable")
        let (mode, base, offset): (UInt32, A64Reg, Int)
        switch mem {
        case let .offset(b, o): (mode, base, offset) = (0b010, b, o)
        case let .preIndex(b, o): (mode, base, offset) = (0b011, b, o)
        case let .postIndex(b, o): (mode, base, offset) = (0b001, b, o)
        case .register: preconditionFailure("\(mnemonic) has no register-offset form")
        }
        precondition(Self.canAddressPair(offset: offset, bytes: p.bytes), "\(mnemonic) offset \(offset) out of reach")
        let word = A64Encoding.loadStorePair(p, load: load, mode: mode, imm7: offset / p.bytes, rt2: rt2,
                                             rn: rsp(base, "base register"), rt: rt)
        emit(word, {
            let regs = "\(mnemonic) \(names.0), \(names.1)"
            switch mode {
            case 0b010: return "\(regs), [\(base.name(.x))\(offset == 0 ? "" : ", #\(offset)")]"
            case 0b011: return "\(regs), [\(base.name(.x)), #\(offset)]!"
            default: return "\(regs), [\(base.name(.x))], #\(offset)"
            }
        }())
    }

    // MARK: Literals

    /// `ldr rt, label` (W or X; ±1 MiB, the label 4-byte aligned).
    public mutating func ldrLiteral(_ w: A64Width, _ rt: A64Reg, _ label: A64Label) {
        let word = A64Encoding.loadLiteral(opc: w == .x ? 1 : 0, v: 0, imm19: 0, rt: rz(rt, "ldr register"))
        emit(word, referring: label, .imm19) { "ldr \(rt.name(w)), \($0)" }
    }

    /// `ldr s0/d0/q0, label` (the label aligned to the access size, for speed).
    public mutating func ldrLiteral(_ view: A64FPSize, _ rt: A64VReg, _ label: A64Label) {
        let opc: UInt32
        switch view {
        case .s: opc = 0
        case .d: opc = 1
        case .q: opc = 2
        case .b, .h: preconditionFailure("no literal load of \(view) registers")
        }
        emit(A64Encoding.loadLiteral(opc: opc, v: 1, imm19: 0, rt: rt.field), referring: label, .imm19) { "ldr \(rt.name(view)), \($0)" }
    }
}
