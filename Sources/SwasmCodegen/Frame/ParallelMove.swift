// Parallel moves: block arguments into block parameters, call arguments into
// argument registers, incoming parameters into their homes. All moves
// happen "at once"; the schedule orders them so that a move runs only when
// no pending move still reads its destination, and breaks a cycle by
// parking one source in a parking register of its class: a temporary the
// allocator gave the instruction the moves belong to (a branch, call,
// return, or the entry), clear of every source and destination. A target
// emits the steps through `MoveEmitter`.
//
// The schedule takes time about linear in the number of moves: a jump can
// carry hundreds of block arguments, and rescanning every pending move for
// each one emitted made code generation quadratic per jump. The order is
// the one a plain rescan gives, so listings do not depend on how it is
// computed: always the first move (in input order) whose destination no
// other pending move of its class reads; when there is none, every pending
// move sits on a cycle, and the first one's source is parked in the
// parking register, which frees it.
import SwasmIR

public enum MoveSource: Hashable, Sendable {
    case register(UInt8)
    case slot(Int)
    case constant(Int64, IRType)
    /// An incoming stack argument at this offset from the stack pointer.
    case incoming(Int)
    /// The 8 bytes at the stack pointer + offset.
    case frame(Int)
    /// The address stack pointer + offset itself (a result area).
    case frameAddress(Int)
}

public struct Move: Sendable, Equatable {
    public var destination: Location
    public var source: MoveSource
    public var regClass: RegClass
    /// Bytes moved: 8, or 16 for a v128.
    public var bytes: Int
    /// The source is an i32 from outside compiled code, whose upper half
    /// the C convention leaves undefined: the move clears it (a move onto
    /// itself is then kept).
    public var zeroExtends: Bool

    public init(destination: Location, source: MoveSource, regClass: RegClass, bytes: Int = 8, zeroExtends: Bool = false) {
        self.destination = destination
        self.source = source
        self.regClass = regClass
        self.bytes = bytes
        self.zeroExtends = zeroExtends
    }
}

extension Allocation {
    /// Where a move reads `value`: its home, or its constant's bits (a value
    /// never used has no home and moves as a zero).
    public func moveSource(_ value: Value, in function: Function) -> MoveSource {
        switch locations[Int(value.index)] {
        case .register(let r): return .register(r)
        case .slot(let s): return .slot(s)
        case .constant(let bits): return .constant(bits, function.type(of: value))
        case .none: return .constant(0, function.type(of: value))
        }
    }

    /// The moves of a branch's arguments into its target's parameters
    /// (a parameter never used needs none).
    public func argumentMoves(_ target: BlockCall, in function: Function) -> [Move] {
        var moves: [Move] = []
        for (parameter, argument) in zip(function.parameters(of: target.block), target.arguments) {
            let destination = locations[Int(parameter.index)]
            if destination == .none { continue }
            moves.append(Move(destination: destination, source: moveSource(argument, in: function),
                              regClass: function.type(of: parameter).regClass))
        }
        return moves
    }
}

/// What a target supplies to carry out a parallel move: one move at a time.
public protocol MoveEmitter {
    /// The parking register per class for the moves being emitted: one of
    /// their instruction's temporaries.
    var moveScratch: PerClass<UInt8> { get }
    mutating func emitMove(_ move: Move)
}

extension MoveEmitter {
    /// Emits `moves` as if they all happened at once.
    public mutating func parallelMove(_ moves: [Move]) {
        for move in ParallelMoveSchedule(moves, scratch: moveScratch).steps { emitMove(move) }
    }
}

/// A register or spill slot of one class: the places where a move can
/// wait on another.
private struct MoveLocationKey: Hashable {
    var regClass: RegClass
    var location: Location
}

/// Indices of ready moves, smallest first.
private struct ReadyMoves {
    private var heap: [Int] = []
    private(set) var steps = 0

    var isEmpty: Bool { heap.isEmpty }

    mutating func insert(_ index: Int) {
        heap.append(index)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            steps += 1
            if heap[parent] <= heap[child] { break }
            heap.swapAt(parent, child)
            child = parent
        }
    }

    mutating func removeFirst() -> Int {
        let first = heap[0]
        let last = heap.removeLast()
        if heap.isEmpty { return first }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            if left >= heap.count { break }
            let right = left + 1
            let smaller = right < heap.count && heap[right] < heap[left] ? right : left
            steps += 1
            if heap[parent] <= heap[smaller] { break }
            heap.swapAt(parent, smaller)
            parent = smaller
        }
        return first
    }
}

public struct ParallelMoveSchedule {
    /// The moves to emit one after another, parking moves into the scratch
    /// register included.
    public private(set) var steps: [Move] = []
    /// Elementary steps taken to find the order (for tests: it must grow
    /// about linearly with the number of moves).
    public private(set) var work = 0

    /// The location `source` reads, if another move can overwrite it.
    private static func readLocation(_ source: MoveSource) -> Location? {
        switch source {
        case .register(let r): return .register(r)
        case .slot(let s): return .slot(s)
        default: return nil
        }
    }

    private static func waitsOn(_ location: Location) -> Bool {
        switch location {
        case .register, .slot: return true
        default: return false
        }
    }

    /// Up to this many moves (most calls and branches), rescanning the
    /// pending moves costs less than numbering locations and keeping a heap.
    static let rescanLimit = 12

    /// The plain rescan, for a few moves: the same order by definition.
    private mutating func rescan(_ input: [Move], scratch: PerClass<UInt8>) {
        var pending = input
        steps.reserveCapacity(pending.count + 1)
        while !pending.isEmpty {
            work += 1
            var ready = -1
            search: for i in pending.indices {
                let destination = pending[i].destination
                if Self.waitsOn(destination) {
                    for j in pending.indices where j != i && pending[j].regClass == pending[i].regClass
                        && Self.readLocation(pending[j].source) == destination { continue search }
                }
                ready = i
                break
            }
            if ready >= 0 {
                steps.append(pending.remove(at: ready))
                continue
            }
            // Every pending move's destination is still read: a cycle.
            let parked = pending[0]
            let location = Self.readLocation(parked.source)
            precondition(location != nil, "a parallel move with no ready move must be all cycles")
            let parking = scratch[parked.regClass]
            steps.append(Move(destination: .register(parking), source: parked.source, regClass: parked.regClass,
                              bytes: parked.bytes))
            for j in pending.indices where pending[j].regClass == parked.regClass
                && Self.readLocation(pending[j].source) == location {
                pending[j].source = .register(parking)
            }
        }
    }

    /// - Parameter scratch: the parking register of each class, which no
    ///   move may read or write.
    public init(_ input: [Move], scratch: PerClass<UInt8>) {
        // Moves onto themselves do nothing (unless they zero-extend).
        var moves = input.filter { $0.zeroExtends || Self.readLocation($0.source) != $0.destination }
        let count = moves.count
        if count == 0 { return }
        if count <= Self.rescanLimit {
            rescan(moves, scratch: scratch)
            return
        }

        // Dense numbers for the locations involved; the dictionary is only
        // looked up, never iterated, so the order stays deterministic.
        var numbers: [MoveLocationKey: Int] = [:]
        func number(_ location: Location, _ regClass: RegClass) -> Int {
            let key = MoveLocationKey(regClass: regClass, location: location)
            if let known = numbers[key] { return known }
            let fresh = numbers.count
            numbers[key] = fresh
            return fresh
        }
        var destinationNumber = [Int](repeating: -1, count: count)
        var sourceNumber = [Int](repeating: -1, count: count)
        for (i, move) in moves.enumerated() {
            if Self.waitsOn(move.destination) { destinationNumber[i] = number(move.destination, move.regClass) }
            if let read = Self.readLocation(move.source) { sourceNumber[i] = number(read, move.regClass) }
        }
        let scratchNumbers = PerClass(general: number(.register(scratch.general), .general),
                                      vector: number(.register(scratch.vector), .vector))

        var readerCount = [Int](repeating: 0, count: numbers.count)
        var readers = [[Int]](repeating: [], count: numbers.count)
        var writers = [[Int]](repeating: [], count: numbers.count)
        for i in 0..<count {
            if sourceNumber[i] >= 0 {
                readerCount[sourceNumber[i]] += 1
                readers[sourceNumber[i]].append(i)
            }
            if destinationNumber[i] >= 0 { writers[destinationNumber[i]].append(i) }
        }

        var done = [Bool](repeating: false, count: count)
        var queued = [Bool](repeating: false, count: count)
        var ready = ReadyMoves()
        // Ready: no pending move other than this one reads its destination.
        func isReady(_ i: Int) -> Bool {
            let destination = destinationNumber[i]
            if destination < 0 { return true }
            return readerCount[destination] - (sourceNumber[i] == destination ? 1 : 0) == 0
        }
        func queueWritersIfReady(_ location: Int) {
            // Only a count of one (the writer reading itself) or zero can
            // have made a writer ready.
            if readerCount[location] > 1 { return }
            for w in writers[location] where !done[w] && !queued[w] && isReady(w) {
                work += 1
                queued[w] = true
                ready.insert(w)
            }
        }
        for i in 0..<count where isReady(i) {
            queued[i] = true
            ready.insert(i)
        }

        var remaining = count
        var firstPending = 0
        steps.reserveCapacity(count + 1)
        while remaining > 0 {
            work += 1
            if !ready.isEmpty {
                let i = ready.removeFirst()
                steps.append(moves[i])
                done[i] = true
                remaining -= 1
                if sourceNumber[i] >= 0 {
                    readerCount[sourceNumber[i]] -= 1
                    queueWritersIfReady(sourceNumber[i])
                }
                continue
            }
            // Every pending move's destination is still read: a cycle.
            while done[firstPending] { firstPending += 1 }
            let parked = moves[firstPending]
            let location = sourceNumber[firstPending]
            precondition(location >= 0, "a parallel move with no ready move must be all cycles")
            let parking = scratch[parked.regClass]
            let scratchNumber = scratchNumbers[parked.regClass]
            steps.append(Move(destination: .register(parking), source: parked.source, regClass: parked.regClass,
                              bytes: parked.bytes))
            for r in readers[location] where !done[r] {
                work += 1
                moves[r].source = .register(parking)
                sourceNumber[r] = scratchNumber
                readerCount[scratchNumber] += 1
                readers[scratchNumber].append(r)
            }
            readers[location] = []
            readerCount[location] = 0
            queueWritersIfReady(location)
        }
        work += ready.steps
    }
}
