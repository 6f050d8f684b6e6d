// An independent check of an allocation: liveness computed the plain way
// (sets per block, backward to a fixed point) instead of from intervals,
// then at every point of the code
//
// - no two live values share a register of one class or a spill slot;
// - a value live across a call is in a register the call preserves for its
//   width, or in memory;
// - no value that meets an instruction sits in a register the instruction
//   clobbers;
// - registers are allocatable ones of the value's class, slots are wide
//   enough;
// - each instruction has the temporaries it asked for, allocatable and
//   distinct, none of them holding a value that meets the instruction,
//   clobbered by it, among the registers it must avoid, or (for a branch)
//   the home of a parameter its moves write; the same for the entry's.
//
// It is slow (values × blocks) and meant for tests of the allocator and of
// a target's register file and clobbers.
import SwasmIR

public enum AllocationChecker {
    /// The violations of `allocation` for `function`, empty when it is sound.
    public static func check(_ function: Function, _ allocation: Allocation, registers: RegisterFile,
                             clobbers: ((Function, Int) -> Clobbers)? = nil,
                             temporaries: ((Function, Int) -> TemporaryRequest)? = nil,
                             entryTemporaries: TemporaryRequest = .none) -> [String] {
        var problems: [String] = []
        func home(_ value: Value) -> Location {
            allocation.locations[Int(value.index)]
        }
        /// Values that need their home at run time (constants are rematerialized).
        func occupies(_ value: Value) -> Bool {
            switch home(value) {
            case .register, .slot: return true
            case .constant, .none: return false
            }
        }

        for (i, data) in function.values.enumerated() {
            let value = Value(UInt32(i))
            switch home(value) {
            case .register(let r):
                if !registers.classes[data.type.regClass].allocatable.contains(r) {
                    problems.append("\(value): register \(r) is not allocatable in the \(data.type.regClass) class")
                }
            case .slot(let s):
                if s >= allocation.slots.count || allocation.slots[s].size < data.type.slotSize {
                    problems.append("\(value): slot \(s) missing or narrower than \(data.type.slotSize) bytes")
                }
            case .constant, .none:
                break
            }
        }

        // Live-in sets, backward to a fixed point. Block parameters are
        // defined at their block's entry; branch arguments are uses at the
        // branch.
        let order = allocation.order
        var liveIn = [Set<Value>](repeating: [], count: function.blocks.count)
        func liveOut(_ block: Block) -> Set<Value> {
            var live = Set<Value>()
            for successor in function.successors(of: block) { live.formUnion(liveIn[Int(successor.index)]) }
            return live
        }
        func uses(_ inst: Instruction) -> [Value] {
            (inst.operands + inst.targets.flatMap(\.arguments)).filter(occupies)
        }
        var changed = true
        while changed {
            changed = false
            for block in order.reversed() {
                var live = liveOut(block)
                for index in function.blocks[Int(block.index)].instructions.reversed() {
                    let inst = function.instructions[index]
                    live.subtract(inst.results)
                    live.formUnion(uses(inst))
                }
                live.subtract(function.parameters(of: block))
                if live != liveIn[Int(block.index)] {
                    liveIn[Int(block.index)] = live
                    changed = true
                }
            }
        }

        /// A register number names a register of one class; a slot is one
        /// whatever the class of its value.
        struct Place: Hashable {
            var regClass: RegClass?
            var location: Location
        }
        func conflicts(_ values: Set<Value>, at place: String) {
            var holder: [Place: Value] = [:]
            for value in values.sorted() where occupies(value) {
                let location = home(value)
                let key: Place
                if case .register = location {
                    key = Place(regClass: function.type(of: value).regClass, location: location)
                } else {
                    key = Place(regClass: nil, location: location)
                }
                if let other = holder[key] {
                    problems.append("\(place): \(other) and \(value) both live in \(home(value))")
                } else {
                    holder[key] = value
                }
            }
        }

        for block in order {
            var live = liveOut(block)
            let instructions = function.blocks[Int(block.index)].instructions
            for index in instructions.reversed() {
                let inst = function.instructions[index]
                let place = "\(block), instruction \(inst.opcode) defining \(inst.results)"
                let defined = Set(inst.results.filter(occupies))
                let after = live.union(defined)
                conflicts(after, at: "after \(place)")
                let acrossCall = live.subtracting(defined)
                if inst.opcode == .call || inst.opcode == .callPtr {
                    for value in acrossCall.sorted() {
                        guard case .register(let r) = home(value) else { continue }
                        let type = function.type(of: value)
                        if registers.classes[type.regClass].preservedBytes[r, default: 0] < type.byteSize {
                            problems.append("\(place): \(value) lives across the call in \(home(value)), which the call does not preserve")
                        }
                    }
                }
                live = acrossCall.union(uses(inst))
                conflicts(live, at: "before \(place)")
                if let clobbers {
                    let clobbered = clobbers(function, index)
                    for value in after.union(live).sorted() {
                        guard case .register(let r) = home(value),
                              clobbered[function.type(of: value).regClass] & 1 << UInt64(r) != 0 else { continue }
                        problems.append("\(place): \(value) is in \(home(value)), which the instruction clobbers")
                    }
                }
                if let temporaries {
                    let written = inst.targets.flatMap { function.parameters(of: $0.block) }
                    checkTemporaries(temporaries(function, index), allocation.temporaries(at: index),
                                     clobbered: clobbers?(function, index), meeting: after.union(live).union(written),
                                     at: place)
                }
            }
            live.formUnion(function.parameters(of: block).filter(occupies))
            conflicts(live, at: "entry of \(block)")
            if block == order.first {
                checkTemporaries(entryTemporaries, allocation.entryTemporaries, clobbered: nil,
                                 meeting: Set(function.parameters(of: block)), at: "entry")
            }
        }
        return problems

        func checkTemporaries(_ request: TemporaryRequest, _ granted: PerClass<[UInt8]>, clobbered: Clobbers?,
                              meeting values: Set<Value>, at place: String) {
            for regClass in RegClass.allCases {
                let assigned = granted[regClass]
                if assigned.count != request.count[regClass] {
                    problems.append("\(place): \(assigned.count) \(regClass) temporaries, asked for \(request.count[regClass])")
                }
                if Set(assigned).count != assigned.count {
                    problems.append("\(place): \(regClass) temporaries \(assigned) are not distinct")
                }
                for r in assigned {
                    let bit = UInt64(1) << UInt64(r)
                    if !registers.classes[regClass].allocatable.contains(r) {
                        problems.append("\(place): temporary \(r) is not allocatable in the \(regClass) class")
                    }
                    if request.avoiding[regClass] & bit != 0 || (clobbered?[regClass] ?? 0) & bit != 0 {
                        problems.append("\(place): temporary \(r) is one the instruction avoids or clobbers")
                    }
                    for value in values.sorted() where function.type(of: value).regClass == regClass && home(value) == .register(r) {
                        problems.append("\(place): temporary \(r) is the home of \(value)")
                    }
                }
            }
        }
    }
}
