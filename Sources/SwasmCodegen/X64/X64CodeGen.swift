// x86-64 code generation from allocated IR.
//
//   IR function ─ LinearScan (X64 register classes) ─ per-instruction
//   selection into X64Assembler ─ out-of-line trap stubs and edge moves
//   ─ CompiledFunction (bytes, trap sites, call sites, listing)
//
// Invariants:
// - i32 values in registers and spill slots are zero-extended to 64 bits
//   (every 32-bit x86 operation guarantees it), so a wasm address can index
//   memory directly: [memory base + index + offset]. i32s from outside
//   compiled code (parameters, results of calls through a pointer) are
//   zero-extended where they enter.
// - rax, rcx, rdx, r11 and xmm14, xmm15 are scratch: never allocated, free
//   to use within one IR instruction.
// - Frame: [rsp, +outgoing) stack arguments of calls, then results of
//   multi-result calls, then spill slots; then saved registers, the caller's
//   rbp (where rbp points), return address. rbp is never allocated: it
//   chains the frames so that the runtime can walk the wasm stack on a trap.
import SwasmABI
import SwasmIR

/// A trap site: the code offset of a faulting or `ud2` instruction.
public struct TrapSite: Sendable, Hashable {
    public var codeOffset: Int
    public var code: TrapCode
    public var wasmOffset: UInt32
}

/// A direct call whose rel32 at `offset` must point at function `callee`.
public struct CallSite: Sendable, Hashable {
    public var offset: Int
    public var callee: Int
}

/// Any call: the offset of its return address and the wasm instruction it
/// belongs to, for backtraces.
public struct ReturnSite: Sendable, Hashable {
    public var returnOffset: Int
    public var wasmOffset: UInt32
}

public struct CompiledFunction: Sendable {
    public var code: [UInt8]
    public var trapSites: [TrapSite]
    public var callSites: [CallSite]
    /// Every call in the function, in code order.
    public var returnSites: [ReturnSite]
    public var listing: [String]
}

public enum X64Registers {
    public static let integers = RegisterClass(
        allocatable: [X64Reg.rsi, .rdi, .r8, .r9, .r10, .rbx, .r12, .r13, .r14, .r15].map(\.rawValue),
        calleeSaved: Set([X64Reg.rbx, .r12, .r13, .r14, .r15].map(\.rawValue)))
    public static let floats = RegisterClass(
        allocatable: (0..<14).map { UInt8($0) },
        calleeSaved: [])
    static let integerArguments: [X64Reg] = [.rdi, .rsi, .rdx, .rcx, .r8, .r9]
    static let floatArguments: [XmmReg] = (0..<8).map { XmmReg(rawValue: UInt8($0))! }
    static let savedOrder: [X64Reg] = [.rbx, .r12, .r13, .r14, .r15]
}

public enum X64CodeGenError: Error, CustomStringConvertible {
    case unsupported(String)
    public var description: String {
        switch self {
        case .unsupported(let what): return "x86-64 backend: not supported yet: \(what)"
        }
    }
}

/// Where an ABI places each argument: a register or an outgoing stack slot.
enum ArgumentPlace: Equatable {
    case gpr(X64Reg)
    case xmm(XmmReg)
    case stack(Int)
}

struct X64CodeGen {
    let function: Function
    let allocation: Allocation
    var asm: X64Assembler
    var trapSites: [TrapSite] = []
    var callSites: [CallSite] = []
    var returnSites: [ReturnSite] = []
    var blockLabels: [X64Label] = []
    var pendingStubs: [(label: X64Label, code: TrapCode, wasmOffset: UInt32)] = []
    var pendingEdges: [(label: X64Label, target: BlockCall)] = []
    /// `br_table` offset tables, placed after the function's code.
    var pendingTables: [(label: X64Label, targets: [X64Label])] = []
    /// Float constants read RIP-relative, placed after the function's code.
    var constantPool: [(label: X64Label, bits: UInt64)] = []
    var constantLabels: [UInt64: X64Label] = [:]
    var useCounts: [Int]
    var saved: [X64Reg] = []
    var outgoingSize = 0
    var resultAreaSize = 0
    var frameSize = 0
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

    init(function: Function, allocation: Allocation, listing: Bool) {
        self.function = function
        self.allocation = allocation
        asm = X64Assembler(recordsListing: listing)
        useCounts = Array(repeating: 0, count: function.values.count)
        for block in allocation.order {
            for index in function.blocks[Int(block.index)].instructions {
                for v in function.instructions[index].operands { useCounts[Int(v.index)] += 1 }
                for t in function.instructions[index].targets { for v in t.arguments { useCounts[Int(v.index)] += 1 } }
            }
        }
    }

    /// Compiles `function`.
    static func compile(_ function: Function, listing: Bool) throws -> CompiledFunction {
        let allocation = LinearScan(function: function, integers: X64Registers.integers, floats: X64Registers.floats).allocate()
        var generator = X64CodeGen(function: function, allocation: allocation, listing: listing)
        try generator.run()
        let code = generator.asm.finish()
        return CompiledFunction(code: code, trapSites: generator.trapSites, callSites: generator.callSites,
                                returnSites: generator.returnSites, listing: generator.asm.listing)
    }

    // MARK: - Frame

    mutating func layOutFrame() {
        var maxStackArguments = 0
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
                maxStackArguments = max(maxStackArguments, Self.argumentPlaces(signature).stackSlots)
                maxExtraResults = max(maxExtraResults, signature.results.count - 1)
            }
        }
        outgoingSize = maxStackArguments * 8
        resultAreaSize = maxExtraResults * 8
        saved = X64Registers.savedOrder.filter { allocation.usedCalleeSaved.contains($0.rawValue) }
        var slots = allocation.slotCount
        if function.signature.results.count > 1 {
            resultPointerSlot = slots
            slots += 1
        }
        if callsIndirectly {
            calleeParkingSlot = slots
            slots += 1
        }
        var size = outgoingSize + resultAreaSize + slots * 8
        // At entry rsp ≡ 8 (mod 16); push rbp makes it 0, and it must stay 0
        // after the saved registers and the frame.
        if (saved.count * 8 + size) % 16 != 0 { size += 8 }
        frameSize = size
    }

    func slotAddress(_ slot: Int) -> X64Mem {
        X64Mem(.rsp, Int32(outgoingSize + resultAreaSize + slot * 8))
    }

    func callSignature(_ inst: Instruction) -> Signature {
        if inst.opcode == .call {
            return function.signatures[function.calleeSignatures[inst.immediate]!]
        }
        return function.signatures[Int(inst.immediate)]
    }

    /// SysV placement of a signature's parameters; a hidden result pointer
    /// follows vmctx when there is more than one result.
    static func argumentPlaces(_ signature: Signature) -> (places: [ArgumentPlace], resultPointer: ArgumentPlace?, stackSlots: Int) {
        var integerIndex = 0
        var floatIndex = 0
        var stack = 0
        var places: [ArgumentPlace] = []
        var resultPointer: ArgumentPlace?
        func nextInteger() -> ArgumentPlace {
            if integerIndex < X64Registers.integerArguments.count {
                integerIndex += 1
                return .gpr(X64Registers.integerArguments[integerIndex - 1])
            }
            stack += 1
            return .stack(stack - 1)
        }
        for (i, type) in signature.parameters.enumerated() {
            if type.isFloat {
                if floatIndex < X64Registers.floatArguments.count {
                    places.append(.xmm(X64Registers.floatArguments[floatIndex]))
                    floatIndex += 1
                } else {
                    places.append(.stack(stack))
                    stack += 1
                }
            } else {
                places.append(nextInteger())
            }
            if i == 0 && signature.results.count > 1 { resultPointer = nextInteger() }
        }
        return (places, resultPointer, stack)
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
        pendingStubs.append((overflow, .callStackExhausted, 0))
        for register in saved { asm.push(register) }
        if frameSize > 0 { asm.sub(.s64, .rsp, Int32(frameSize)) }
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
                let next = k + 1 < instructions.count ? function.instructions[instructions[k + 1]] : nil
                try emit(current!, next: next)
                current = next
            }
        }
        for edge in pendingEdges {
            asm.bind(edge.label)
            try moveArguments(edge.target)
            asm.jmp(blockLabels[Int(edge.target.block.index)])
        }
        for stub in pendingStubs {
            asm.bind(stub.label)
            trapSites.append(TrapSite(codeOffset: asm.offset, code: stub.code, wasmOffset: stub.wasmOffset))
            asm.ud2()
        }
        if !constantPool.isEmpty {
            asm.alignWithInt3(8)
            for constant in constantPool {
                asm.bind(constant.label)
                asm.emit(bytes: (0..<8).map { UInt8(truncatingIfNeeded: constant.bits >> (8 * $0)) })
            }
        }
        if !pendingTables.isEmpty {
            asm.alignWithInt3(4)
            for table in pendingTables {
                asm.bind(table.label)
                for target in table.targets { asm.emitLabelDifference32(target, minus: table.label) }
            }
        }
    }

    mutating func moveIncomingParameters() throws {
        let (places, resultPointer, _) = Self.argumentPlaces(function.signature)
        let parameters = function.parameters(of: function.entry)
        var moves: [Move] = []
        let incomingBase = frameSize + saved.count * 8 + 16
        for (value, place) in zip(parameters, places) {
            let destination = allocation.locations[Int(value.index)]
            if destination == .none { continue }
            let type = function.type(of: value)
            // Callers outside compiled code may leave an i32's upper half
            // undefined (SysV); indexes need it zero.
            let zeroExtends = type == .i32
            switch place {
            case .gpr(let r):
                moves.append(Move(destination: destination, source: .register(r.rawValue), isFloat: false, zeroExtends: zeroExtends))
            case .xmm(let x): moves.append(Move(destination: destination, source: .register(x.rawValue), isFloat: true))
            case .stack(let i):
                moves.append(Move(destination: destination, source: .incoming(incomingBase + i * 8), isFloat: type.isFloat,
                                  zeroExtends: zeroExtends))
            }
        }
        if let resultPointer, let slot = resultPointerSlot, case .gpr(let r) = resultPointer {
            moves.append(Move(destination: .slot(slot), source: .register(r.rawValue), isFloat: false))
        }
        try parallelMove(moves)
    }

    // MARK: - Operands

    func location(_ value: Value) -> Location { allocation.locations[Int(value.index)] }

    static func size(_ type: IRType) -> OperandSize { type == .i64 || type == .f64 ? .s64 : .s32 }

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
        let label: X64Label
        if let known = constantLabels[pattern] {
            label = known
        } else {
            label = asm.newLabel()
            constantLabels[pattern] = label
            constantPool.append((label, pattern))
        }
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

    mutating func source(_ value: Value, scratch: X64Reg, allowImmediate: Bool = true) -> Source {
        if let folded = foldedOperand, folded.opcode == .pload, folded.results[0] == value {
            foldedOperand = nil
            return .memory(X64Mem(gpr(folded.operands[0], .r11), Int32(folded.immediate)))
        }
        switch location(value) {
        case .register(let r): return .register(X64Reg(rawValue: r)!)
        case .slot(let s): return .memory(slotAddress(s))
        case .constant(let bits):
            let type = function.type(of: value)
            let normalized = type == .i32 ? Int64(Int32(truncatingIfNeeded: bits)) : bits
            if allowImmediate, let imm = Int32(exactly: normalized) { return .immediate(imm) }
            materialize(scratch, bits, type)
            return .register(scratch)
        case .none: return .register(scratch)
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
        pendingStubs.append((label, code, wasmOffset))
        return label
    }

    mutating func recordTrap(_ code: TrapCode, _ wasmOffset: UInt32) {
        trapSites.append(TrapSite(codeOffset: asm.offset, code: code, wasmOffset: wasmOffset))
    }
}
