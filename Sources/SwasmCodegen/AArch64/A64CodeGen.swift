// AArch64 code generation from allocated IR.
//
//   IR function ─ LinearScan (A64ABI.registers) ─ FrameLayout ─ per-instruction
//   selection into A64Assembler ─ out-of-line trap stubs, edge moves, jump
//   tables and constants ─ CompiledFunction (bytes, trap sites, call sites, listing)
//
// Invariants:
// - i32 values in registers and spill slots are zero-extended to 64 bits
//   (every W-register instruction clears the upper half), as on x86-64;
//   i32s from outside compiled code (parameters, results of calls through a
//   pointer) are zero-extended where they enter. Memory addresses use the
//   index as `uxtw` anyway.
// - No register is reserved for selection: each instruction's temporaries
//   come from the allocator (A64Temporaries.swift), as do the parking and
//   carrying registers of its parallel moves. Only the prologue (before
//   the incoming parameters move) and the epilogue (after the results are
//   in their return registers) use x16 on their own, where no value lives.
// - Frame, from the caller's side down: incoming stack arguments, the frame
//   record (x29, x30; x29 points at it), the callee-saved registers this
//   function writes (pushed in pairs, so the save area is a multiple of 16),
//   then FrameLayout's spill slots, result area and outgoing arguments,
//   with sp at the bottom. sp stays 16-byte aligned throughout, as AArch64
//   requires of any access through it.
import SwasmABI
import SwasmIR

public enum A64CodeGenError: Error, CustomStringConvertible {
    case unsupported(String)
    public var description: String {
        switch self {
        case .unsupported(let what): return "AArch64 backend: not supported: \(what)"
        }
    }
}

struct A64CodeGen {
    let function: Function
    let allocation: Allocation
    var asm: A64Assembler
    var trapSites: [TrapSite] = []
    var callSites: [CallSite] = []
    var returnSites: [ReturnSite] = []
    var blockLabels: [A64Label] = []
    /// Trap stubs, edge moves, `br_table` tables and float constants (read
    /// PC-relative), placed after the function's code.
    var outOfLine = OutOfLine<A64Label>()
    var useCounts: UseCounts
    /// Conditional branches reach ±1 MiB, literal loads and adr too. A
    /// function whose code outgrows that is compiled again with every
    /// conditional branch as an inverted one over a `b` (±128 MiB), its
    /// jump tables beside their `br` and float constants built in a
    /// general temporary.
    var longReach = false
    /// What each instruction may ask of the allocator (read again here for
    /// the parallel moves' plans).
    let rules: A64TemporaryRules
    /// The temporaries of the instruction being emitted.
    var temporaries = A64Temporaries()
    /// The registers of the parallel move being emitted, by role.
    var moveRegisters = A64MoveRegisters()
    /// The move registers of each out-of-line edge (by index into
    /// `outOfLine.edges`): its terminator's.
    var edgeMoveRegisters: [A64MoveRegisters] = []
    /// The temporaries of each epoch check (by index into
    /// `outOfLine.epochChecks`), which its out-of-line half uses.
    var epochCheckTemporaries: [A64Temporaries] = []
    /// The temporaries of the instructions held back (fusedCompare,
    /// fusedMultiply, foldedExtension): their selection, done by the next
    /// instruction, uses their own, which keep clear of their operands.
    var fusedCompareTemporaries = A64Temporaries()
    var fusedMultiplyTemporaries = A64Temporaries()
    var foldedExtensionTemporaries = A64Temporaries()
    var savedGeneral: [A64Reg] = []
    var savedVector: [A64VReg] = []
    var frame = FrameLayout(outgoingSize: 0, resultAreaSize: 0, slots: [], saveAreaSize: 0)
    /// Spill slot holding the caller's result-area pointer (multi-result functions).
    var resultPointerSlot: Int?
    var nextBlock: Block?
    /// An icmp held back to be emitted as flags by the next instruction.
    var fusedCompare: Instruction?
    /// An imul held back to be emitted with the next instruction, an iadd,
    /// as one madd.
    var fusedMultiply: Instruction?
    /// A zero-extension of an i32 held back: the next instruction, an add,
    /// reads the i32's register as the i64 it already is.
    var foldedExtension: Instruction?
    /// The condition of this block's br_if when its icmp sets the flags
    /// early (see `heldCompare`), and the flags once that icmp is emitted.
    var heldCompareValue: Value?
    var heldFlags: (value: Value, condition: A64Cond)?

    init(function: Function, allocation: Allocation, rules: A64TemporaryRules, listing: Bool, longReach: Bool) {
        self.function = function
        self.rules = rules
        self.allocation = allocation
        self.longReach = longReach
        asm = A64Assembler(recordsListing: listing)
        useCounts = UseCounts(function, order: allocation.order)
    }

    /// Compiles `function`.
    static func compile(_ function: Function, listing: Bool) throws -> CompiledFunction {
        let rules = A64TemporaryRules(function)
        let allocation = allocate(function, rules: rules)
        var generator = A64CodeGen(function: function, allocation: allocation, rules: rules, listing: listing, longReach: false)
        try generator.run()
        let code: [UInt8]
        do {
            code = try generator.asm.finish()
        } catch A64AssemblerError.labelOutOfRange {
            generator = A64CodeGen(function: function, allocation: allocation, rules: rules, listing: listing, longReach: true)
            try generator.run()
            code = try generator.asm.finish()
        }
        return CompiledFunction(code: code, trapSites: generator.trapSites, callSites: generator.callSites,
                                returnSites: generator.returnSites, listing: generator.asm.listing)
    }

    /// Register allocation with each instruction's temporaries.
    static func allocate(_ function: Function, rules: A64TemporaryRules) -> Allocation {
        let requests = rules.requests()
        return LinearScan(function: function, registers: A64ABI.registers, temporaries: { _, index in requests[index] },
                          entryTemporaries: rules.entry, resultRegisters: AArch64Backend.callingConvention.results).allocate()
    }

    /// General temporary `k` of the instruction being emitted.
    func temporary(_ k: Int) -> A64Reg { temporaries.general(k) }
    func vectorTemporary(_ k: Int) -> A64VReg { temporaries.vector(k) }
    /// General temporary `k` if granted (see `A64Temporaries.spare`).
    func spare(_ k: Int) -> A64Reg? { temporaries.spare(k) }

    /// b.cond to `label`, or past a `b` to it when the function is long.
    mutating func branch(_ condition: A64Cond, _ label: A64Label) {
        guard longReach else {
            asm.b(condition, label)
            return
        }
        let skip = asm.newLabel()
        asm.b(condition.inverted, skip)
        asm.b(label)
        asm.bind(skip)
    }

    /// cbz (ifZero) or cbnz to `label`, or past a `b` to it when the function is long.
    mutating func branch(ifZero: Bool, _ w: A64Width, _ r: A64Reg, _ label: A64Label) {
        guard longReach else {
            if ifZero { asm.cbz(w, r, label) } else { asm.cbnz(w, r, label) }
            return
        }
        let skip = asm.newLabel()
        if ifZero { asm.cbnz(w, r, skip) } else { asm.cbz(w, r, skip) }
        asm.b(label)
        asm.bind(skip)
    }

    // MARK: - Frame

    mutating func layOutFrame() {
        var maxStackArguments = 0 // bytes
        var maxExtraResults = 0
        for block in allocation.order {
            for index in function.blocks[Int(block.index)].instructions {
                let opcode = function.instructions[index].opcode
                guard opcode == .call || opcode == .callPtr else { continue }
                let signature = callSignature(function.instructions[index])
                maxStackArguments = max(maxStackArguments, AArch64Backend.callingConvention.placement(signature).stackSize)
                maxExtraResults = max(maxExtraResults, signature.results.count - 1)
            }
        }
        savedGeneral = A64ABI.calleeSavedGeneral.filter { allocation.usedCalleeSaved(.general).contains($0.rawValue) }
        savedVector = A64ABI.calleeSavedVector.filter { allocation.usedCalleeSaved(.vector).contains($0.rawValue) }
        var slots = allocation.slots
        if function.signature.results.count > 1 {
            resultPointerSlot = slots.count
            slots.append(.eightBytes)
        }
        let saveArea = 16 * ((savedGeneral.count + 1) / 2) + 16 * ((savedVector.count + 1) / 2)
        frame = FrameLayout(outgoingSize: maxStackArguments, resultAreaSize: maxExtraResults * 8, slots: slots,
                            saveAreaSize: saveArea)
    }

    /// Registers pushed or popped together, in push order.
    static func pairs<R>(_ registers: [R]) -> [[R]] {
        stride(from: 0, to: registers.count, by: 2).map { Array(registers[$0..<min($0 + 2, registers.count)]) }
    }

    mutating func prologue() {
        asm.stp(.x, .fp, .lr, .preIndex(.sp, -16))
        asm.mov(.x, .fp, .sp)
        // The limit check follows the frame record, so that a backtrace of
        // "call stack exhausted" starts in this function with its caller
        // next (the limit leaves headroom for the record).
        // x16 is free here: the incoming parameters are still in the
        // argument registers (x0-x8, v0-v7) and on the stack.
        let overflow = asm.newLabel()
        asm.ldr(.x, .x16, .offset(.x0, VMContextLayout.stackLimit))
        asm.addSub(.subs, .x, .zr, .sp, .x16, extend: .uxtx)
        branch(.lo, overflow)
        outOfLine.addTrapStub(overflow, .callStackExhausted, wasmOffset: 0)
        for pair in Self.pairs(savedGeneral) {
            if pair.count == 2 { asm.stp(.x, pair[0], pair[1], .preIndex(.sp, -16)) } else { asm.str(.x, pair[0], .preIndex(.sp, -16)) }
        }
        for pair in Self.pairs(savedVector) {
            if pair.count == 2 {
                asm.pair(load: false, .d, pair[0], pair[1], .preIndex(.sp, -16))
            } else {
                asm.store(.d, pair[0], .preIndex(.sp, -16))
            }
        }
        adjustStack(by: -frame.frameSize)
    }

    mutating func epilogue() {
        adjustStack(by: frame.frameSize)
        for pair in Self.pairs(savedVector).reversed() {
            if pair.count == 2 {
                asm.pair(load: true, .d, pair[0], pair[1], .postIndex(.sp, 16))
            } else {
                asm.load(.d, pair[0], .postIndex(.sp, 16))
            }
        }
        for pair in Self.pairs(savedGeneral).reversed() {
            if pair.count == 2 { asm.ldp(.x, pair[0], pair[1], .postIndex(.sp, 16)) } else { asm.ldr(.x, pair[0], .postIndex(.sp, 16)) }
        }
        asm.ldp(.x, .fp, .lr, .postIndex(.sp, 16))
        asm.ret()
    }

    /// sp += amount (a multiple of 16), through x16 when the amount needs
    /// more than two immediates: only in the prologue, before the incoming
    /// parameters move out of the argument registers, and the epilogue,
    /// after the results are in theirs, where x16 holds no value (the
    /// epoch check's save area is far smaller).
    mutating func adjustStack(by amount: Int) {
        if amount == 0 { return }
        let magnitude = UInt64(abs(amount))
        let op: A64AddSubOp = amount > 0 ? .add : .sub
        if magnitude < 1 << 24 {
            if magnitude >> 12 != 0 { asm.addSub(op, .x, .sp, .sp, imm: magnitude & 0xff_f000) }
            if magnitude & 0xfff != 0 { asm.addSub(op, .x, .sp, .sp, imm: magnitude & 0xfff) }
        } else {
            asm.movImmediate(.x, .x16, magnitude)
            asm.addSub(op, .x, .sp, .sp, .x16, extend: .uxtx)
        }
    }

    /// `[sp + offset]` for an 8-byte access; beyond an instruction's reach
    /// the address is formed in `temp`, which the instruction's request
    /// includes when its frame may be that large (A64TemporaryRules.farFrame).
    mutating func frameAddress(_ offset: Int, temp: A64Reg?) -> A64Mem {
        if A64Assembler.canAddress(offset: offset, bytes: 8) { return .offset(.sp, offset) }
        precondition(offset >= 0 && offset < 1 << 24, "frame offset \(offset) beyond 16 MiB")
        guard let temp else {
            preconditionFailure("AArch64 selection of \(temporaries.owner): frame offset \(offset) needs an address temporary; none was granted")
        }
        asm.add(.x, temp, .sp, imm: UInt64(offset) & 0xff_f000)
        return .offset(temp, offset & 0xfff)
    }

    mutating func slotAddress(_ slot: Int, temp: A64Reg?) -> A64Mem {
        frameAddress(frame.slotOffset(slot), temp: temp)
    }

    func callSignature(_ inst: Instruction) -> Signature {
        if inst.opcode == .call {
            return function.signatures[function.calleeSignatures[inst.immediate]!]
        }
        return function.signatures[Int(inst.immediate)]
    }

    // MARK: - Driver

    mutating func run() throws {
        layOutFrame()
        blockLabels = function.blocks.map { _ in asm.newLabel() }
        prologue()
        moveIncomingParameters()

        for (position, block) in allocation.order.enumerated() {
            nextBlock = position + 1 < allocation.order.count ? allocation.order[position + 1] : nil
            asm.bind(blockLabels[Int(block.index)])
            let instructions = function.blocks[Int(block.index)].instructions
            heldCompareValue = heldCompare(in: instructions)
            heldFlags = nil
            var current = instructions.isEmpty ? nil : function.instructions[instructions[0]]
            for k in instructions.indices {
                let next = k + 1 < instructions.count ? function.instructions[instructions[k + 1]] : nil
                temporaries = A64Temporaries(allocation.packedTemporaries(at: instructions[k]),
                                             owner: .instruction(current!.opcode, instructions[k]))
                try emit(current!, next: next)
                current = next
            }
        }
        temporaries = A64Temporaries(.none, owner: .edgeMoves)
        for (edge, registers) in zip(outOfLine.edges, edgeMoveRegisters) {
            asm.bind(edge.label)
            moveArguments(edge.target, using: registers)
            asm.b(blockLabels[Int(edge.target.block.index)])
        }
        emitEpochCheckStubs()
        for stub in outOfLine.trapStubs {
            asm.bind(stub.label)
            trapSites.append(TrapSite(codeOffset: asm.offset, code: stub.code, wasmOffset: stub.wasmOffset))
            asm.udf()
        }
        if !outOfLine.constants.isEmpty {
            asm.alignWithUdf(outOfLine.constants.alignment)
            for constant in outOfLine.constants.layout {
                asm.bind(constant.label)
                for k in stride(from: 0, to: constant.bytes.count, by: 4) {
                    asm.emitWord(UInt32(constant.bytes[k]) | UInt32(constant.bytes[k + 1]) << 8
                                 | UInt32(constant.bytes[k + 2]) << 16 | UInt32(constant.bytes[k + 3]) << 24)
                }
            }
        }
        for table in outOfLine.jumpTables {
            asm.bind(table.label)
            for target in table.targets { asm.emitLabelDifference32(target, minus: table.label) }
        }
    }

    mutating func moveIncomingParameters() {
        temporaries = A64Temporaries(PackedTemporaries(allocation.entryTemporaries), owner: .entry)
        parallelMove(using: rules.entryPlan.registers(in: temporaries), AArch64Backend.callingConvention.incomingParameterMoves(function, allocation: allocation, frame: frame,
                                                                      resultPointerSlot: resultPointerSlot))
    }

    // MARK: - Operands

    func location(_ value: Value) -> Location { allocation.locations[Int(value.index)] }

    static func width(_ type: IRType) -> A64Width { type == .i64 || type == .f64 ? .x : .w }
    static func floatType(_ type: IRType) -> A64FloatType { type == .f64 || type == .i64 ? .d : .s }

    func isConstant(_ value: Value) -> Bool {
        if case .constant = location(value) { return true }
        return false
    }

    /// A constant's bits as its type sees them: an i32 zero-extended.
    func constantBits(_ value: Value) -> UInt64? {
        guard case .constant(let bits) = location(value) else { return nil }
        let type = function.type(of: value)
        return type == .i32 || type == .f32 ? UInt64(UInt32(truncatingIfNeeded: bits)) : UInt64(bitPattern: bits)
    }

    /// The value in a general register: its own, or loaded into `scratch`;
    /// zero as `zr` when the instruction reading it allows that.
    mutating func gpr(_ value: Value, _ scratch: A64Reg, zeroRegister: Bool = false) -> A64Reg {
        switch location(value) {
        case .register(let r): return A64Reg(rawValue: r)!
        case .slot(let s):
            asm.ldr(.x, scratch, slotAddress(s, temp: scratch))
            return scratch
        case .constant(let bits):
            if zeroRegister && constantBits(value) == 0 { return .zr }
            materialize(scratch, bits, function.type(of: value))
            return scratch
        case .none:
            return scratch
        }
    }

    mutating func materialize(_ register: A64Reg, _ bits: Int64, _ type: IRType) {
        asm.movImmediate(Self.width(type), register, UInt64(bitPattern: bits))
    }

    /// Whether a float constant needs a general register to be built in
    /// (in a long function): neither +0.0 nor an `fmov` immediate.
    static func floatConstantNeedsRegister(_ bits: Int64, _ type: IRType) -> Bool {
        let t = floatType(type)
        let pattern = t == .d ? UInt64(bitPattern: bits) : UInt64(UInt32(truncatingIfNeeded: bits))
        if pattern == 0 { return false }
        let value = t == .d ? Double(bitPattern: pattern) : Double(Float(bitPattern: UInt32(pattern)))
        return value.isNaN || A64Assembler.fpImmediate(value) == nil
    }

    /// A float constant: +0.0 from the zero register, the 8-bit immediates
    /// by `fmov`, anything else from the pool, or in a long function
    /// through `via`, a general temporary.
    mutating func loadFloatConstant(_ register: A64VReg, _ bits: Int64, _ type: IRType, via: A64Reg?) {
        let t = Self.floatType(type)
        let pattern = t == .d ? UInt64(bitPattern: bits) : UInt64(UInt32(truncatingIfNeeded: bits))
        if pattern == 0 {
            asm.fmov(t, register, A64Reg.zr)
            return
        }
        let value = t == .d ? Double(bitPattern: pattern) : Double(Float(bitPattern: UInt32(pattern)))
        if !value.isNaN, A64Assembler.fpImmediate(value) != nil {
            asm.fmov(t, register, value)
            return
        }
        if longReach {
            guard let via else {
                preconditionFailure("AArch64 selection of \(temporaries.owner): a float constant needs a general temporary; none was granted")
            }
            asm.movImmediate(t.sameSizeWidth, via, pattern)
            asm.fmov(t, register, via)
            return
        }
        let label = outOfLine.constants.label(for: pattern) { asm.newLabel() }
        asm.ldrLiteral(t.view, register, label)
    }

    /// The value in a vector register: its own, or loaded into `scratch`
    /// (through `via`, a general temporary, when its slot is out of reach
    /// or a constant is built in a general register).
    mutating func vreg(_ value: Value, _ scratch: A64VReg, via: A64Reg?) -> A64VReg {
        switch location(value) {
        case .register(let r): return A64VReg(rawValue: r)!
        case .slot(let s):
            asm.load(.d, scratch, slotAddress(s, temp: via))
            return scratch
        case .constant(let bits):
            loadFloatConstant(scratch, bits, function.type(of: value), via: via)
            return scratch
        case .none:
            return scratch
        }
    }

    /// The register to compute `value` in: its own, or `scratch`.
    func destination(_ value: Value, _ scratch: A64Reg) -> A64Reg {
        if case .register(let r) = location(value) { return A64Reg(rawValue: r)! }
        return scratch
    }

    func destination(_ value: Value, _ scratch: A64VReg) -> A64VReg {
        if case .register(let r) = location(value) { return A64VReg(rawValue: r)! }
        return scratch
    }

    /// Stores a computed result to its home if it was computed elsewhere;
    /// `via` (a general temporary other than `register`) forms a slot's
    /// address beyond an instruction's reach.
    mutating func finish(_ value: Value, _ register: A64Reg, via: A64Reg?) {
        switch location(value) {
        case .register(let r) where r != register.rawValue: asm.mov(.x, A64Reg(rawValue: r)!, register)
        case .slot(let s):
            precondition(via != register, "AArch64 selection of \(temporaries.owner): a result's address formed in its own register")
            asm.str(.x, register, slotAddress(s, temp: via))
        default: break
        }
    }

    mutating func finish(_ value: Value, _ register: A64VReg, via: A64Reg?) {
        switch location(value) {
        case .register(let r) where r != register.rawValue: asm.fmov(.d, A64VReg(rawValue: r)!, register)
        case .slot(let s): asm.store(.d, register, slotAddress(s, temp: via))
        default: break
        }
    }

    /// Moves `value` into exactly `register`.
    mutating func load(_ register: A64Reg, _ value: Value) {
        let r = gpr(value, register)
        if r != register { asm.mov(.x, register, r) }
    }

    mutating func trapStub(_ code: TrapCode, _ wasmOffset: UInt32) -> A64Label {
        let label = asm.newLabel()
        outOfLine.addTrapStub(label, code, wasmOffset: wasmOffset)
        return label
    }

    mutating func recordTrap(_ code: TrapCode, _ wasmOffset: UInt32) {
        trapSites.append(TrapSite(codeOffset: asm.offset, code: code, wasmOffset: wasmOffset))
    }
}
