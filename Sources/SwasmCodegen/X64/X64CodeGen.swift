// x86-64 code generation from allocated IR.
//
//   IR function ─ LinearScan (X64ABI.registers) ─ FrameLayout ─ per-instruction
//   selection into X64Assembler ─ out-of-line trap stubs, edge moves, jump
//   tables and constants ─ CompiledFunction (bytes, trap sites, call sites, listing)
//
// Invariants:
// - i32 values in registers and spill slots are zero-extended to 64 bits
//   (every 32-bit x86 operation guarantees it), so a wasm address can index
//   memory directly: [memory base + index + offset]. i32s from outside
//   compiled code (parameters, results of calls through a pointer) are
//   zero-extended where they enter.
// - No register is reserved for selection: what an instruction writes
//   besides its result comes from the allocator, as that instruction's
//   temporaries (`temps`, counted by X64ABI.temporaries) or as fixed
//   registers no value around it holds (X64ABI.clobbers: rax/rdx for
//   division, rcx for a variable shift). Parallel moves park a value of a
//   cycle and carry one between slots in the temporaries of the branch,
//   call or entry they belong to. Code emitted for an instruction
//   elsewhere (its edge moves, a fused compare, a folded operand, the
//   epoch check's stub) uses the temporaries of the instruction it
//   belongs to, or only registers it saves itself.
// - Frame: FrameLayout's, with the saved registers pushed below the
//   caller's rbp (where rbp points) and the return address. rbp is never
//   allocated: it chains the frames so that the runtime can walk the wasm
//   stack on a trap.
import SwasmABI
import SwasmIR

public enum X64CodeGenError: Error, CustomStringConvertible {
    case unsupported(String)
    public var description: String {
        switch self {
        case .unsupported(let what): return "x86-64 backend: not supported yet: \(what)"
        }
    }
}

struct X64CodeGen {
    let function: Function
    let allocation: Allocation
    var asm: X64Assembler
    var trapSites: [TrapSite] = []
    var callSites: [CallSite] = []
    var returnSites: [ReturnSite] = []
    var blockLabels: [X64Label] = []
    /// Trap stubs, edge moves, `br_table` tables and float constants (read
    /// RIP-relative), placed after the function's code.
    var outOfLine = OutOfLine<X64Label>()
    var useCounts: UseCounts
    var saved: [X64Reg] = []
    var frame = FrameLayout(outgoingSize: 0, resultAreaSize: 0, slots: [], saveAreaSize: 0)
    /// Spill slot holding the caller's result-area pointer (multi-result functions).
    var resultPointerSlot: Int?
    var nextBlock: Block?
    /// An icmp held back to be emitted as flags by the next instruction.
    var fusedCompare: Instruction?
    var pendingFusedCompare: Value?
    /// The condition of this block's br_if when its icmp sets the flags
    /// early (see `heldCompare`), and the flags once that icmp is emitted.
    var heldCompareValue: Value?
    var heldFlags: (value: Value, condition: X64Cond)?
    /// A pload or uextend held back to be folded into the next instruction.
    var foldedOperand: Instruction?
    /// Frame slot that holds the target of an indirect call during its argument moves.
    var calleeParkingSlot = 0
    /// The temporaries of the instruction being emitted.
    var temps = Temporaries.none
    /// The temporaries of the held-back icmp (`fusedCompare`), which its
    /// flags are computed in where the next instruction emits it.
    var fusedCompareTemporaries = Temporaries.none
    /// The registers of the parallel move being emitted.
    var moveTemporaries = MoveTemporaries.none
    /// The move registers of each out-of-line edge (`outOfLine.edges`):
    /// its branch's temporaries.
    var edgeMoveTemporaries: [MoveTemporaries] = []

    init(function: Function, allocation: Allocation, listing: Bool) {
        self.function = function
        self.allocation = allocation
        asm = X64Assembler(recordsListing: listing)
        useCounts = UseCounts(function, order: allocation.order)
    }

    /// Compiles `function`.
    static func compile(_ function: Function, listing: Bool) throws -> CompiledFunction {
        let allocation = X64ABI.allocate(function)
        var generator = X64CodeGen(function: function, allocation: allocation, listing: listing)
        try generator.run()
        let code = generator.asm.finish()
        return CompiledFunction(code: code, trapSites: generator.trapSites, callSites: generator.callSites,
                                returnSites: generator.returnSites, listing: generator.asm.listing)
    }

    // MARK: - Frame

    mutating func layOutFrame() {
        var maxStackArguments = 0 // bytes
        var maxExtraResults = 0
        var callsIndirectly = false
        for block in allocation.order {
            for index in function.blocks[Int(block.index)].instructions {
                // The opcode is read in place: copying every instruction out
                // retains and releases its arrays.
                let opcode = function.instructions[index].opcode
                guard opcode == .call || opcode == .callPtr else { continue }
                if opcode == .callPtr { callsIndirectly = true }
                let signature = callSignature(function.instructions[index])
                maxStackArguments = max(maxStackArguments, X64Backend.callingConvention.placement(signature).stackSize)
                maxExtraResults = max(maxExtraResults, signature.results.count - 1)
            }
        }
        saved = X64ABI.savedOrder.filter { allocation.usedCalleeSaved(.general).contains($0.rawValue) }
        var slots = allocation.slots
        if function.signature.results.count > 1 {
            resultPointerSlot = slots.count
            slots.append(.eightBytes)
        }
        if callsIndirectly {
            calleeParkingSlot = slots.count
            slots.append(.eightBytes)
        }
        // At entry rsp ≡ 8 (mod 16); push rbp makes it 0, and the layout
        // keeps it 0 below the pushed registers and the frame.
        frame = FrameLayout(outgoingSize: maxStackArguments, resultAreaSize: maxExtraResults * 8, slots: slots,
                            saveAreaSize: saved.count * 8)
    }

    func slotAddress(_ slot: Int) -> X64Mem {
        X64Mem(.rsp, Int32(frame.slotOffset(slot)))
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
        asm.push(.rbp)
        asm.mov(.s64, .rbp, .rsp)
        // The limit check follows the frame link, so that a backtrace of
        // "call stack exhausted" starts in this function with its caller
        // next (the limit leaves headroom for the push).
        let overflow = asm.newLabel()
        asm.cmp(.s64, .rsp, X64Mem(.rdi, Int32(VMContextLayout.stackLimit)))
        asm.jcc(.b, overflow)
        outOfLine.addTrapStub(overflow, .callStackExhausted, wasmOffset: 0)
        for register in saved { asm.push(register) }
        if frame.frameSize > 0 { asm.sub(.s64, .rsp, Int32(frame.frameSize)) }
        try moveIncomingParameters()

        for (position, block) in allocation.order.enumerated() {
            nextBlock = position + 1 < allocation.order.count ? allocation.order[position + 1] : nil
            asm.bind(blockLabels[Int(block.index)])
            let instructions = function.blocks[Int(block.index)].instructions
            heldCompareValue = heldCompare(in: instructions)
            heldFlags = nil
            // Each instruction is copied out once (a copy retains its
            // arrays): the lookahead becomes the next one emitted.
            var current = instructions.isEmpty ? nil : function.instructions[instructions[0]]
            for k in instructions.indices {
                let nextIndex = k + 1 < instructions.count ? instructions[k + 1] : nil
                let next = nextIndex.map { function.instructions[$0] }
                try emit(current!, index: instructions[k], next: next, nextIndex: nextIndex)
                current = next
            }
        }
        for (edge, moves) in zip(outOfLine.edges, edgeMoveTemporaries) {
            asm.bind(edge.label)
            try moveArguments(edge.target, using: moves)
            asm.jmp(blockLabels[Int(edge.target.block.index)])
        }
        emitEpochCheckStubs()
        for stub in outOfLine.trapStubs {
            asm.bind(stub.label)
            trapSites.append(TrapSite(codeOffset: asm.offset, code: stub.code, wasmOffset: stub.wasmOffset))
            asm.ud2()
        }
        if !outOfLine.constants.isEmpty {
            asm.alignWithInt3(outOfLine.constants.alignment)
            for constant in outOfLine.constants.layout {
                asm.bind(constant.label)
                asm.emit(bytes: constant.bytes)
            }
        }
        if !outOfLine.jumpTables.isEmpty {
            asm.alignWithInt3(4)
            for table in outOfLine.jumpTables {
                asm.bind(table.label)
                for target in table.targets { asm.emitLabelDifference32(target, minus: table.label) }
            }
        }
    }

    mutating func moveIncomingParameters() throws {
        let entry = Temporaries(PackedTemporaries(allocation.entryTemporaries), owner: .entry)
        parallelMove(X64Backend.callingConvention.incomingParameterMoves(function, allocation: allocation, frame: frame,
                                                                      resultPointerSlot: resultPointerSlot),
                     using: entry.moves)
    }

    // MARK: - Operands

    func location(_ value: Value) -> Location { allocation.locations[Int(value.index)] }

    static func size(_ type: IRType) -> OperandSize { type == .i64 || type == .f64 ? .s64 : .s32 }

    /// The temporaries of instruction `index`.
    func temporaries(at index: Int) -> Temporaries {
        Temporaries(allocation.packedTemporaries(at: index), owner: .instruction(function.instructions[index].opcode, index))
    }

    /// The value in a general register: its own, or loaded into `scratch`.
    mutating func gpr(_ value: Value, _ scratch: X64Reg) -> X64Reg {
        switch location(value) {
        case .register(let r): return X64Reg(rawValue: r)!
        case .slot(let s):
            asm.mov(.s64, scratch, slotAddress(s))
            return scratch
        case .constant(let bits):
            materialize(scratch, bits, function.type(of: value))
            return scratch
        case .none:
            return scratch
        }
    }

    mutating func materialize(_ register: X64Reg, _ bits: Int64, _ type: IRType) {
        if type == .i32 || type == .f32 {
            asm.mov(.s32, register, Int64(UInt32(truncatingIfNeeded: bits)))
        } else {
            asm.mov(.s64, register, bits)
        }
    }

    /// A float constant from the pool (no general register, no dependency
    /// on one); +0.0 by zeroing the register.
    mutating func loadFloatConstant(_ register: XmmReg, _ bits: Int64, _ type: IRType) {
        let is64 = type == .f64 || type == .i64
        let pattern = is64 ? UInt64(bitPattern: bits) : UInt64(UInt32(truncatingIfNeeded: bits))
        if pattern == 0 {
            asm.sse(.xorps, register, register)
            return
        }
        let label = outOfLine.constants.label(for: pattern) { asm.newLabel() }
        if is64 { asm.movsd(register, .label(label)) } else { asm.movss(register, .label(label)) }
    }

    /// The value in an xmm register: its own, or loaded into `scratch`.
    mutating func xmm(_ value: Value, _ scratch: XmmReg) -> XmmReg {
        switch location(value) {
        case .register(let r): return XmmReg(rawValue: r)!
        case .slot(let s):
            asm.movsd(scratch, slotAddress(s))
            return scratch
        case .constant(let bits):
            loadFloatConstant(scratch, bits, function.type(of: value))
            return scratch
        case .none:
            return scratch
        }
    }

    /// A source operand for two-operand instructions.
    enum Source {
        case register(X64Reg)
        case memory(X64Mem)
        case immediate(Int32)
    }

    /// `value` as a source operand; a constant no immediate holds (or any
    /// constant, without `allowImmediate`) in general temporary `k`, which
    /// only then must have been granted. A folded pload's base, if not in
    /// a register, goes to temporary `k` too.
    mutating func source(_ value: Value, temporary k: Int, allowImmediate: Bool = true) -> Source {
        if let folded = foldedOperand, folded.opcode == .pload, folded.results[0] == value {
            foldedOperand = nil
            return .memory(X64Mem(gpr(folded.operands[0], temps.gpr(k)), Int32(folded.immediate)))
        }
        switch location(value) {
        case .register(let r): return .register(X64Reg(rawValue: r)!)
        case .slot(let s): return .memory(slotAddress(s))
        case .constant(let bits):
            let type = function.type(of: value)
            let normalized = type == .i32 ? Int64(Int32(truncatingIfNeeded: bits)) : bits
            if allowImmediate, let imm = Int32(exactly: normalized) { return .immediate(imm) }
            let scratch = temps.gpr(k)
            materialize(scratch, bits, type)
            return .register(scratch)
        case .none: return .register(temps.gpr(k))
        }
    }

    /// The register to compute `value` in: its own, or `scratch`.
    func destination(_ value: Value, _ scratch: X64Reg) -> X64Reg {
        if case .register(let r) = location(value) { return X64Reg(rawValue: r)! }
        return scratch
    }

    func destination(_ value: Value, _ scratch: XmmReg) -> XmmReg {
        if case .register(let r) = location(value) { return XmmReg(rawValue: r)! }
        return scratch
    }

    /// Stores a computed result to its home if it was computed elsewhere.
    mutating func finish(_ value: Value, _ register: X64Reg) {
        switch location(value) {
        case .register(let r) where r != register.rawValue: asm.mov(.s64, X64Reg(rawValue: r)!, register)
        case .slot(let s): asm.mov(.s64, slotAddress(s), register)
        default: break
        }
    }

    mutating func finish(_ value: Value, _ register: XmmReg) {
        switch location(value) {
        case .register(let r) where r != register.rawValue: asm.sse(.movaps, XmmReg(rawValue: r)!, register)
        case .slot(let s): asm.movsd(slotAddress(s), register)
        default: break
        }
    }

    /// Moves `value` into exactly `register`.
    mutating func load(_ register: X64Reg, _ value: Value) {
        let r = gpr(value, register)
        if r != register { asm.mov(.s64, register, r) }
    }

    mutating func load(_ register: XmmReg, _ value: Value) {
        let r = xmm(value, register)
        if r != register { asm.sse(.movaps, register, r) }
    }

    mutating func trapStub(_ code: TrapCode, _ wasmOffset: UInt32) -> X64Label {
        let label = asm.newLabel()
        outOfLine.addTrapStub(label, code, wasmOffset: wasmOffset)
        return label
    }

    mutating func recordTrap(_ code: TrapCode, _ wasmOffset: UInt32) {
        trapSites.append(TrapSite(codeOffset: asm.offset, code: code, wasmOffset: wasmOffset))
    }
}
