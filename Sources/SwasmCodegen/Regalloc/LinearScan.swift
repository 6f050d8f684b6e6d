// Register allocation by linear scan over live intervals (Poletto & Sarkar),
// target-neutral: a target supplies its register classes (RegisterFile).
//
//   IR in code order ─ one interval per value [definition, last use],
//   widened to the end of each loop it is live into
//   ─ scan in start order: a free register, else spill the interval that ends last
//
// Values live across a call may only get registers the call preserves for
// their width (AAPCS64 keeps only the low 64 bits of v8-v15: an f64 may
// live there across a call, a v128 may not). A spilled value gets a slot
// of its type's size (16 bytes for v128); the frame layout places it.
// Constants (iconst/fconst) get no interval: they are rematerialized at
// each use, as immediates where the target allows.
//
// A target may name, per instruction, registers its selection overwrites
// as temporaries (`Clobbers`): no value whose interval touches that
// instruction (operands, results, values live across it) gets one of them,
// so the register need not be reserved for the whole function.
//
// A target also asks, per instruction, for temporaries of each class
// (`TemporaryRequest`): registers its selection may write without naming
// which. Each is an interval of its own over the instruction's two
// positions, allocated in the same scan, so it takes a register free there
// (none of the operands, results or values live across) or spills the
// cheapest value holding one. A branch's temporaries also keep clear of
// its targets' parameters, which its parallel moves write; the function's
// entry has temporaries of its own for the incoming parameters' moves.
// With these no register is reserved for selection for a whole function.
import SwasmIR

/// Where a value lives for its whole life.
public enum Location: Hashable, Sendable {
    case register(UInt8)
    /// Spill slot number (the frame layout turns it into an offset).
    case slot(Int)
    /// Rematerialized constant bits.
    case constant(Int64)
    /// Never used: no location needed.
    case none
}

public struct Allocation: Sendable {
    public var locations: [Location]
    /// The spill slots, by slot number.
    public var slots: [SpillSlot]
    /// Callee-saved registers of each class that the function writes.
    public var calleeSavedInUse: PerClass<Set<UInt8>>
    /// Code order of blocks, and the linear position of each instruction.
    public var order: [Block]
    /// The temporaries of each instruction (by index into the function's
    /// instructions), each a `PackedTemporaries` word. Empty when no
    /// temporaries were asked for.
    var packedTemporaries: [UInt64] = []
    /// The temporaries of the incoming parameters' moves.
    public var entryTemporaries = PerClass<[UInt8]>(general: [], vector: [])

    public func usedCalleeSaved(_ regClass: RegClass) -> Set<UInt8> { calleeSavedInUse[regClass] }

    /// The temporaries of instruction `index` packed as in
    /// `packedTemporaries` (all 0xFF when it has none): read in place by
    /// selection, which asks for every instruction.
    func packedTemporaries(at index: Int) -> PackedTemporaries {
        PackedTemporaries(index < packedTemporaries.count ? packedTemporaries[index] : UInt64.max)
    }

    /// The temporaries of instruction `index` (an index into the
    /// function's instructions), as many of each class as it asked for.
    public func temporaries(at index: Int) -> PerClass<[UInt8]> {
        let packed = packedTemporaries(at: index)
        func unpack(_ regClass: RegClass) -> [UInt8] {
            (0..<TemporaryRequest.maximum).compactMap { packed.register($0, regClass) }
        }
        return PerClass(general: unpack(.general), vector: unpack(.vector))
    }
}

/// Registers an instruction's selection needs for itself, beyond its
/// operands and results: how many of each class, and registers they must
/// not be (a call's argument registers, which its moves write while the
/// temporaries carry values).
public struct TemporaryRequest: Sendable, Equatable {
    /// At most this many of each class.
    public static let maximum = 4
    public static let none = TemporaryRequest()

    public var count: PerClass<Int>
    public var avoiding: PerClass<UInt64>

    public init(general: Int = 0, vector: Int = 0, avoiding: PerClass<UInt64> = PerClass(general: 0, vector: 0)) {
        precondition(general <= Self.maximum && vector <= Self.maximum, "at most \(Self.maximum) temporaries per class")
        count = PerClass(general: general, vector: vector)
        self.avoiding = avoiding
    }

    public var isEmpty: Bool { count.general == 0 && count.vector == 0 }
}

/// Registers of each class (bit r: register r) that the selection of one
/// instruction overwrites.
public typealias Clobbers = PerClass<UInt64>

public struct LinearScan {
    let function: Function
    let registers: RegisterFile
    /// The clobbers of the instruction at this index of `function.instructions`
    /// (nil: none anywhere).
    let clobbers: ((Function, Int) -> Clobbers)?
    /// The temporaries the instruction at this index asks for (nil: none
    /// anywhere).
    let temporaries: ((Function, Int) -> TemporaryRequest)?
    /// The temporaries of the incoming parameters' moves.
    let entryTemporaries: TemporaryRequest
    /// The register of each class a function returns its first result in:
    /// a returned value prefers it, which spares the move at the return.
    let resultRegisters: PerClass<UInt8>?

    public init(function: Function, registers: RegisterFile, clobbers: ((Function, Int) -> Clobbers)? = nil,
                temporaries: ((Function, Int) -> TemporaryRequest)? = nil, entryTemporaries: TemporaryRequest = .none,
                resultRegisters: PerClass<UInt8>? = nil) {
        self.function = function
        self.registers = registers
        self.clobbers = clobbers
        self.temporaries = temporaries
        self.entryTemporaries = entryTemporaries
        self.resultRegisters = resultRegisters
    }

    /// A temporary of one class: its instruction (-1: the entry's moves),
    /// which of that instruction's temporaries it is, its two positions
    /// and the registers it may not take.
    struct TemporaryRecord {
        var start: Int
        var end: Int
        var instruction: Int
        var slot: Int
        /// The instruction has targets whose parameters its moves write.
        var isBranch: Bool
        var forbidden: UInt64
    }

    struct Interval {
        var value: Value
        var start: Int
        var end: Int
        var crossesCall: Bool
        var regClass: RegClass
        /// Registers an instruction within the interval clobbers.
        var forbidden: UInt64
        /// Bytes a call must preserve for the value to survive it.
        var bytes: Int
        var slot: SpillSlot
    }

    public func allocate() -> Allocation {
        let order = function.reversePostOrder()
        // Read-only snapshots: indexing the function's arrays through the
        // class checks exclusive access and retains on every access.
        let instructions = function.instructions
        let blocks = function.blocks
        // Number positions: block b's parameters are defined at blockStart[b];
        // its instruction k reads operands at blockStart[b]+1+2k and defines
        // results one later.
        var blockStart = [Int](repeating: 0, count: function.blocks.count)
        var blockEnd = [Int](repeating: 0, count: function.blocks.count)
        var position = 0
        var callPositions: [Int] = []
        // Per class and register: the positions of the instructions that
        // clobber it, in order.
        var clobberPositions = PerClass<[UInt8: [Int]]>(general: [:], vector: [:])
        var isConstant = [Bool](repeating: false, count: function.values.count)
        var constantBits = [Int64](repeating: 0, count: function.values.count)
        // Temporaries: one record each over their instruction's two
        // positions (operands and results), so they meet neither; the
        // entry's over the parameters' definition, which they then avoid.
        // They are made in position order, the entry's first, and are
        // merged into the scan rather than sorted with the values.
        var temporaryRecords = PerClass<[TemporaryRecord]>(general: [], vector: [])
        // Appended through the stored properties: PerClass's subscript
        // hands out a copy, and appending to it copied the whole list on
        // every temporary (quadratic in a function's size).
        func appendTemporary(_ regClass: RegClass, _ record: TemporaryRecord) {
            if regClass == .general {
                temporaryRecords.general.append(record)
            } else {
                temporaryRecords.vector.append(record)
            }
        }
        if !order.isEmpty {
            // The entry block comes first: its parameters are defined at 0.
            for regClass in RegClass.allCases {
                for k in 0..<entryTemporaries.count[regClass] {
                    appendTemporary(regClass, TemporaryRecord(start: 0, end: 0, instruction: -1, slot: k, isBranch: false,
                                                              forbidden: entryTemporaries.avoiding[regClass]))
                }
            }
        }
        // Some instruction asks for temporaries.
        var asksTemporaries = false
        // The target's rules, asked once per instruction.
        let clobberRule = clobbers, temporaryRule = temporaries
        for block in order {
            blockStart[Int(block.index)] = position
            position += 1
            for index in blocks[Int(block.index)].instructions {
                // Fields are read in place here and below: binding the
                // instruction to a local copies it (retains its arrays).
                let opcode = instructions[index].opcode
                // A value crosses a call if it is live before and after this position.
                if opcode == .call || opcode == .callPtr { callPositions.append(position) }
                var clobbered = Clobbers(general: 0, vector: 0)
                if let clobberRule {
                    clobbered = clobberRule(function, index)
                    let registers = clobbered
                    for regClass in RegClass.allCases where registers[regClass] != 0 {
                        for r in UInt8(0)..<64 where registers[regClass] & 1 << UInt64(r) != 0 {
                            // Through the stored property: PerClass's subscript
                            // hands out a copy, and appending to it would copy
                            // the whole list on every clobber.
                            if regClass == .general {
                                clobberPositions.general[r, default: []].append(position)
                            } else {
                                clobberPositions.vector[r, default: []].append(position)
                            }
                        }
                    }
                }
                if let temporaryRule {
                    let request = temporaryRule(function, index)
                    if !request.isEmpty {
                        asksTemporaries = true
                        let isBranch = !instructions[index].targets.isEmpty
                        for regClass in RegClass.allCases {
                            for k in 0..<request.count[regClass] {
                                appendTemporary(regClass, TemporaryRecord(start: position, end: position + 1, instruction: index, slot: k,
                                                                          isBranch: isBranch,
                                                                          forbidden: request.avoiding[regClass] | clobbered[regClass]))
                            }
                        }
                    }
                }
                if opcode == .iconst || opcode == .fconst {
                    let result = Int(instructions[index].result.index)
                    isConstant[result] = true
                    constantBits[result] = instructions[index].immediate
                }
                position += 2
            }
            blockEnd[Int(block.index)] = position
        }

        /// Successor block indices, read from the terminator in place
        /// (`Function.successors` builds an array per call).
        func forEachSuccessor(of b: Int, _ body: (Int) -> Void) {
            guard let last = blocks[b].instructions.last else { return }
            for t in instructions[last].targets.indices { body(Int(instructions[last].targets[t].block.index)) }
        }
        var start = [Int](repeating: Int.max, count: function.values.count)
        var end = [Int](repeating: -1, count: function.values.count)
        func extend(_ value: Value, _ from: Int, _ to: Int) {
            let i = Int(value.index)
            if isConstant[i] { return }
            start[i] = min(start[i], from)
            end[i] = max(end[i], to)
        }
        // Definitions and uses. In SSA a definition dominates its uses, and
        // the code order puts a block after its dominators, so each value's
        // interval starts at its definition.
        for block in order {
            let b = Int(block.index)
            for value in blocks[b].parameters { extend(value, blockStart[b], blockStart[b]) }
            var p = blockStart[b] + 1
            for index in blocks[b].instructions {
                // Fields are read in place (binding the instruction copies it).
                for operand in instructions[index].operands { extend(operand, p, p) }
                for target in instructions[index].targets {
                    for argument in target.arguments { extend(argument, p, p) }
                }
                for result in instructions[index].results { extend(result, p + 1, p + 1) }
                p += 2
            }
        }
        // Loops: a value defined before a loop header and still needed at or
        // after it must survive the whole loop (up to its last back edge),
        // since the header is reached again. Between the definition and the
        // last use, the interval covers everything else already: a value is
        // live only on paths from its definition to its uses, and those go
        // forward in the code order except around loops. Looking at loops
        // rather than at the blocks each value is live in keeps this
        // proportional to values × log(loops), not values × blocks.
        var loopEnd = [Int](repeating: -1, count: function.blocks.count)
        for block in order {
            let b = Int(block.index)
            forEachSuccessor(of: b) { successor in
                if blockStart[successor] <= blockStart[b] { loopEnd[successor] = max(loopEnd[successor], blockEnd[b]) }
            }
        }
        let loops = LoopSpans(order.compactMap { block in
            let h = Int(block.index)
            return loopEnd[h] < 0 ? nil : (blockStart[h], loopEnd[h])
        })
        if !loops.isEmpty {
            for i in 0..<function.values.count where end[i] >= 0 && !isConstant[i] {
                // Widening can reach further loops: repeat until it stops.
                while end[i] > start[i], let reach = loops.furthestEnd(headersIn: start[i] + 1...end[i]), reach > end[i] {
                    end[i] = reach
                }
            }
        }

        var intervals: [Interval] = []
        /// Registers of `regClass` clobbered by an instruction whose
        /// positions (operands at p, results at p + 1) meet [s, e].
        func forbidden(_ regClass: RegClass, _ s: Int, _ e: Int) -> UInt64 {
            var mask: UInt64 = 0
            for (register, positions) in clobberPositions[regClass] {
                var low = 0, high = positions.count
                while low < high {
                    let middle = (low + high) / 2
                    if positions[middle] + 1 < s { low = middle + 1 } else { high = middle }
                }
                if low < positions.count && positions[low] <= e { mask |= 1 << UInt64(register) }
            }
            return mask
        }
        for (i, data) in function.values.enumerated() where end[i] >= 0 && !isConstant[i] {
            let s = start[i], e = end[i]
            // callPositions is sorted: find the first call after s.
            var low = 0, high = callPositions.count
            while low < high {
                let middle = (low + high) / 2
                if callPositions[middle] <= s { low = middle + 1 } else { high = middle }
            }
            let crosses = low < callPositions.count && callPositions[low] < e
            let regClass = data.type.regClass
            intervals.append(Interval(value: Value(UInt32(i)), start: s, end: e, crossesCall: crosses, regClass: regClass,
                                      forbidden: forbidden(regClass, s, e),
                                      bytes: data.type.byteSize, slot: SpillSlot(size: data.type.slotSize)))
        }
        intervals.sort { $0.start != $1.start ? $0.start < $1.start : $0.value < $1.value }
        // Hints: a branch argument prefers its parameter's register (the
        // move disappears), a two-address result its first operand's.
        var hints = [Value?](repeating: nil, count: function.values.count)
        // A returned value's register of choice (0xFF: none), ahead of its
        // value hint: the move it spares is certain.
        var registerHints = [UInt8](repeating: 0xFF, count: resultRegisters == nil ? 0 : function.values.count)
        for block in order {
            for index in blocks[Int(block.index)].instructions {
                for target in instructions[index].targets {
                    for (argument, parameter) in zip(target.arguments, blocks[Int(target.block.index)].parameters)
                    where hints[Int(argument.index)] == nil {
                        hints[Int(argument.index)] = parameter
                    }
                }
                let opcode = instructions[index].opcode
                if opcode == .ret, let resultRegisters, let returned = instructions[index].operands.first {
                    registerHints[Int(returned.index)] = resultRegisters[function.type(of: returned).regClass]
                }
                if let result = instructions[index].results.first, let operand = instructions[index].operands.first,
                   opcode != .load && opcode != .store && opcode != .pload && opcode != .call && opcode != .callPtr {
                    hints[Int(result.index)] = operand
                }
            }
        }

        let weight = spillWeights(order: order, blockStart: blockStart)
        var locations = [Location](repeating: .none, count: function.values.count)
        for i in 0..<function.values.count where isConstant[i] { locations[i] = .constant(constantBits[i]) }
        var slots: [SpillSlot] = []
        var usedCallee = PerClass<Set<UInt8>>(general: [], vector: [])
        var packedTemporaries = [UInt64](repeating: UInt64.max, count: asksTemporaries ? instructions.count : 0)
        var entryRegisters = PerClass<[UInt8]>(general: [], vector: [])
        // The block each value is a parameter of (-1: none).
        var parameterBlock = [Int32](repeating: -1, count: asksTemporaries ? function.values.count : 0)
        for block in order where asksTemporaries {
            for value in blocks[Int(block.index)].parameters { parameterBlock[Int(value.index)] = Int32(block.index) }
        }
        for regClass in RegClass.allCases {
            // Per block: registers the temporaries of branches to it took
            // before its parameters were allocated (forward branches); its
            // parameters keep clear of them, since those moves write them.
            var forwardTemporaries = [UInt64](repeating: 0, count: asksTemporaries ? blocks.count : 0)
            let registerClass = registers.classes[regClass]
            // Bit r set: register r is callee-saved, at all or for a value
            // of 4, 8 or 16 bytes (tested for every candidate; cheaper than
            // hashing into the table).
            let calleeSavedMask = registerClass.calleeSaved.reduce(UInt64(0)) { $0 | 1 << UInt64($1) }
            func isCalleeSaved(_ register: UInt8) -> Bool { calleeSavedMask & 1 << UInt64(register) != 0 }
            let preservedMasks = [4, 8, 16].map { registerClass.preservedMask(forBytes: $0) }
            func preservedMask(_ bytes: Int) -> UInt64 { preservedMasks[bytes <= 4 ? 0 : bytes <= 8 ? 1 : 2] }
            // Bit r set: register r is free. Only membership matters here
            // (the choice follows `allocatable` order or the hint), and a
            // mask spares an array filtered for every interval.
            let allocatableMask = registerClass.allocatable.reduce(UInt64(0)) { $0 | 1 << UInt64($1) }
            var free = allocatableMask
            var active: [(end: Int, register: UInt8, value: Value, slot: SpillSlot)] = []
            // The earliest end among the active intervals: expiring scans
            // them only when one has ended.
            var earliestEnd = Int.max
            let temporaries = temporaryRecords[regClass]
            let temporaryOrder = registerClass.temporaryOrder
            // The registers of the temporaries at one position, which the
            // intervals starting before they end (results at the next
            // position, parameters at the entry's) keep clear of.
            // Temporaries never join `active`: they last two positions.
            var temporaryMask: UInt64 = 0
            var temporaryStart = -1
            var temporaryEnd = -1
            var nextTemporary = 0
            var nextValue = 0
            while true {
                // The next interval by start; a temporary before a value
                // that starts with it (only the entry's do), so that the
                // parameters keep clear of the entry's temporaries.
                while nextValue < intervals.count && intervals[nextValue].regClass != regClass { nextValue += 1 }
                /// Frees the registers of the active intervals that end before `position`.
                func expire(before position: Int) {
                    guard earliestEnd < position else { return }
                    earliestEnd = Int.max
                    // Compacted by hand, keeping the order (the first of
                    // equally cheap victims wins): `removeAll(where:)`'s
                    // closure, writing `free`, paid a dynamic exclusivity
                    // check per entry.
                    var kept = 0
                    for i in active.indices {
                        let entry = active[i]
                        if entry.end < position {
                            free |= 1 << UInt64(entry.register)
                            continue
                        }
                        earliestEnd = min(earliestEnd, entry.end)
                        if kept != i { active[kept] = entry }
                        kept += 1
                    }
                    active.removeLast(active.count - kept)
                }
                if nextTemporary < temporaries.count
                    && (nextValue == intervals.count || temporaries[nextTemporary].start <= intervals[nextValue].start) {
                    let temporary = temporaries[nextTemporary]
                    nextTemporary += 1
                    expire(before: temporary.start)
                    var forbidden = temporary.forbidden
                    // A branch's temporaries keep clear of the parameters
                    // its moves write: those of targets allocated already
                    // (backward branches) here, the others when they are.
                    if temporary.isBranch {
                        for t in instructions[temporary.instruction].targets.indices {
                            let target = Int(instructions[temporary.instruction].targets[t].block.index)
                            guard blockStart[target] <= temporary.start else { continue }
                            for parameter in blocks[target].parameters {
                                if case .register(let r) = locations[Int(parameter.index)], function.type(of: parameter).regClass == regClass {
                                    forbidden |= 1 << UInt64(r)
                                }
                            }
                        }
                    }
                    if temporary.start != temporaryStart {
                        (temporaryMask, temporaryStart, temporaryEnd) = (0, temporary.start, temporary.end)
                    }
                    forbidden |= temporaryMask
                    let register = allocateTemporary(regClass, at: temporary.start, forbidden: forbidden, order: temporaryOrder,
                                                     free: &free, active: &active, locations: &locations, slots: &slots,
                                                     weight: weight, start: start)
                    temporaryMask |= 1 << UInt64(register)
                    if isCalleeSaved(register) { usedCallee[regClass].insert(register) }
                    if temporary.instruction < 0 {
                        entryRegisters[regClass].append(register)
                        continue
                    }
                    let index = temporary.instruction
                    var packed = PackedTemporaries(packedTemporaries[index])
                    packed.set(temporary.slot, regClass, register)
                    packedTemporaries[index] = packed.word
                    if temporary.isBranch {
                        for t in instructions[index].targets.indices {
                            let target = Int(instructions[index].targets[t].block.index)
                            if blockStart[target] > temporary.start { forwardTemporaries[target] |= 1 << UInt64(register) }
                        }
                    }
                    continue
                }
                guard nextValue < intervals.count else { break }
                var interval = intervals[nextValue]
                nextValue += 1
                expire(before: interval.start)
                // Whatever this interval does, an entry it adds ends with it
                // (an early value is only an extra scan).
                defer { earliestEnd = min(earliestEnd, interval.end) }
                if interval.start <= temporaryEnd { interval.forbidden |= temporaryMask }
                if !parameterBlock.isEmpty, parameterBlock[Int(interval.value.index)] >= 0 {
                    interval.forbidden |= forwardTemporaries[Int(parameterBlock[Int(interval.value.index)])]
                }
                let survivesCall = preservedMask(interval.bytes)
                let candidates = (interval.crossesCall ? free & survivesCall : free) & ~interval.forbidden
                func isCandidate(_ register: UInt8) -> Bool { candidates & 1 << UInt64(register) != 0 }
                var preferred = candidates == 0 ? nil : registerClass.allocatable.first(where: isCandidate)
                if !registerHints.isEmpty, registerHints[Int(interval.value.index)] != 0xFF,
                   isCandidate(registerHints[Int(interval.value.index)]) {
                    preferred = registerHints[Int(interval.value.index)]
                } else if let hint = hints[Int(interval.value.index)], case .register(let r) = locations[Int(hint.index)],
                   isCandidate(r) {
                    preferred = r
                }
                if let register = preferred {
                    free &= ~(1 << UInt64(register))
                    active.append((interval.end, register, interval.value, interval.slot))
                    locations[Int(interval.value.index)] = .register(register)
                    if isCalleeSaved(register) { usedCallee[regClass].insert(register) }
                    continue
                }
                // Spill the cheapest to keep in memory (this one, or an active
                // one whose register suits this interval): the lowest density
                // of uses weighted by loop depth over the interval's length,
                // then whichever ends last. Spilling by end alone evicts values
                // live across a whole loop nest, such as the memory base,
                // however often the innermost loop reads them; weight alone
                // spills short temporaries, which frees a register for only a
                // few instructions.
                func cheaper(_ a: (density: Double, end: Int), than b: (density: Double, end: Int)) -> Bool {
                    a.density != b.density ? a.density < b.density : a.end > b.end
                }
                func cost(_ value: Value, _ end: Int) -> (density: Double, end: Int) {
                    (Double(weight[Int(value.index)]) / Double(end - start[Int(value.index)] + 1), end)
                }
                // The first of equally cheap ones wins.
                var victimIndex: Int?
                for i in active.indices where (!interval.crossesCall || survivesCall & 1 << UInt64(active[i].register) != 0)
                    && interval.forbidden & 1 << UInt64(active[i].register) == 0 {
                    if let best = victimIndex,
                       !cheaper(cost(active[i].value, active[i].end), than: cost(active[best].value, active[best].end)) { continue }
                    victimIndex = i
                }
                if let victimIndex,
                   cheaper(cost(active[victimIndex].value, active[victimIndex].end), than: cost(interval.value, interval.end)) {
                    let victim = active[victimIndex]
                    locations[Int(victim.value.index)] = .slot(slots.count)
                    slots.append(active[victimIndex].slot)
                    locations[Int(interval.value.index)] = .register(victim.register)
                    active[victimIndex] = (interval.end, victim.register, interval.value, interval.slot)
                } else {
                    locations[Int(interval.value.index)] = .slot(slots.count)
                    slots.append(interval.slot)
                }
            }
        }
        return Allocation(locations: locations, slots: slots, calleeSavedInUse: usedCallee, order: order,
                          packedTemporaries: packedTemporaries, entryTemporaries: entryRegisters)
    }

    /// A register for a temporary: the first free one it may take in the
    /// class's temporary order (it stays free: the temporary does not join
    /// `active`), else the register of the value cheapest to keep
    /// in memory instead (which then spills for its whole life).
    private func allocateTemporary(_ regClass: RegClass, at position: Int, forbidden: UInt64, order: [UInt8], free: inout UInt64,
                                   active: inout [(end: Int, register: UInt8, value: Value, slot: SpillSlot)],
                                   locations: inout [Location], slots: inout [SpillSlot], weight: [Int], start: [Int]) -> UInt8 {
        let candidates = free & ~forbidden
        if candidates != 0, let register = order.first(where: { candidates & 1 << UInt64($0) != 0 }) { return register }
        var victimIndex: Int?
        var victimDensity = Double.infinity
        for i in active.indices where forbidden & 1 << UInt64(active[i].register) == 0 {
            let value = Int(active[i].value.index)
            let density = Double(weight[value]) / Double(active[i].end - start[value] + 1)
            if density < victimDensity || (density == victimDensity && active[i].end > active[victimIndex!].end) {
                victimIndex = i
                victimDensity = density
            }
        }
        guard let victimIndex else {
            fatalError("register allocation: no \(regClass) register for a temporary at position \(position)")
        }
        // The victim's register is free again after the temporary's two
        // positions (the caller keeps the intervals starting within them
        // clear of it).
        let victim = active.remove(at: victimIndex)
        locations[Int(victim.value.index)] = .slot(slots.count)
        slots.append(victim.slot)
        free |= 1 << UInt64(victim.register)
        return victim.register
    }

    /// Spill cost of each value: its definitions and uses, each counting
    /// 8^(loop depth), depth taken from the back edges of the code order (a
    /// block between a loop header and a later block that jumps back to it is
    /// in that loop).
    func spillWeights(order: [Block], blockStart: [Int]) -> [Int] {
        let instructions = function.instructions
        let blocks = function.blocks
        var orderIndex = [Int](repeating: 0, count: blocks.count)
        for (i, block) in order.enumerated() { orderIndex[Int(block.index)] = i }
        var depthChange = [Int](repeating: 0, count: order.count + 1)
        for (i, block) in order.enumerated() {
            for successor in function.successors(of: block) where blockStart[Int(successor.index)] <= blockStart[Int(block.index)] {
                depthChange[orderIndex[Int(successor.index)]] += 1
                depthChange[i + 1] -= 1
            }
        }
        var weight = [Int](repeating: 0, count: function.values.count)
        var depth = 0
        for (i, block) in order.enumerated() {
            depth += depthChange[i]
            let w = 1 << (3 * min(depth, 6))
            for value in blocks[Int(block.index)].parameters { weight[Int(value.index)] += w }
            for index in blocks[Int(block.index)].instructions {
                let inst = instructions[index]
                for value in inst.operands { weight[Int(value.index)] += w }
                for target in inst.targets {
                    for value in target.arguments { weight[Int(value.index)] += w }
                }
                for value in inst.results { weight[Int(value.index)] += w }
            }
        }
        return weight
    }
}

/// Loops as spans of code positions (header start, end of the last back
/// edge), sorted by header, with a sparse table for the furthest end of the
/// loops whose header lies in a range.
struct LoopSpans {
    private let headers: [Int]
    /// levels[k][i]: the furthest end among loops i ..< i + 2^k.
    private var levels: [[Int]]

    init(_ spans: [(header: Int, end: Int)]) {
        let sorted = spans.sorted { $0.header < $1.header }
        headers = sorted.map(\.header)
        levels = [sorted.map(\.end)]
        var width = 1
        while width * 2 <= sorted.count {
            let previous = levels[levels.count - 1]
            levels.append((0...(sorted.count - width * 2)).map { max(previous[$0], previous[$0 + width]) })
            width *= 2
        }
    }

    var isEmpty: Bool { headers.isEmpty }

    /// First index whose header is at least `position`.
    private func firstIndex(atLeast position: Int) -> Int {
        var low = 0, high = headers.count
        while low < high {
            let middle = (low + high) / 2
            if headers[middle] < position { low = middle + 1 } else { high = middle }
        }
        return low
    }

    func furthestEnd(headersIn range: ClosedRange<Int>) -> Int? {
        let first = firstIndex(atLeast: range.lowerBound)
        let last = firstIndex(atLeast: range.upperBound + 1) - 1
        guard first <= last else { return nil }
        var level = 0
        while 1 << (level + 1) <= last - first + 1 { level += 1 }
        return max(levels[level][first], levels[level][last - (1 << level) + 1])
    }
}
