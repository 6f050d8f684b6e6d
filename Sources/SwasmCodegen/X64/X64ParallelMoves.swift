// The order of a parallel move, in time about linear in its size: a jump
// can carry hundreds of block arguments, and rescanning every pending move
// for each one emitted made code generation quadratic per jump.
//
// The order is the one a plain rescan gives, so listings do not depend on
// how it is computed: always the first move (in input order) whose
// destination no other pending move of its class (integer or float) reads;
// when there is none, every pending move sits on a cycle, and the first
// one's source is parked in the scratch register, which frees it.

/// A register or spill slot of one class: the places where a move can
/// wait on another.
private struct MoveLocationKey: Hashable {
    var isFloat: Bool
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

struct ParallelMoveSchedule {
    /// The moves to emit one after another, parking moves into the scratch
    /// register included.
    private(set) var steps: [Move] = []
    /// Elementary steps taken to find the order (for tests: it must grow
    /// about linearly with the number of moves).
    private(set) var work = 0

    static func scratch(isFloat: Bool) -> UInt8 {
        isFloat ? XmmReg.xmm15.rawValue : X64Reg.r11.rawValue
    }

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

    init(_ input: [Move]) {
        // Moves onto themselves do nothing (unless they zero-extend).
        var moves = input.filter { $0.zeroExtends || Self.readLocation($0.source) != $0.destination }
        let count = moves.count
        if count == 0 { return }

        // Dense numbers for the locations involved; the dictionary is only
        // looked up, never iterated, so the order stays deterministic.
        var numbers: [MoveLocationKey: Int] = [:]
        func number(_ location: Location, isFloat: Bool) -> Int {
            let key = MoveLocationKey(isFloat: isFloat, location: location)
            if let known = numbers[key] { return known }
            let fresh = numbers.count
            numbers[key] = fresh
            return fresh
        }
        var destinationNumber = [Int](repeating: -1, count: count)
        var sourceNumber = [Int](repeating: -1, count: count)
        for (i, move) in moves.enumerated() {
            if Self.waitsOn(move.destination) { destinationNumber[i] = number(move.destination, isFloat: move.isFloat) }
            if let read = Self.readLocation(move.source) { sourceNumber[i] = number(read, isFloat: move.isFloat) }
        }
        let scratchNumbers = [false, true].map { number(.register(Self.scratch(isFloat: $0)), isFloat: $0) }

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
            let scratch = Self.scratch(isFloat: parked.isFloat)
            let scratchNumber = scratchNumbers[parked.isFloat ? 1 : 0]
            steps.append(Move(destination: .register(scratch), source: parked.source, isFloat: parked.isFloat))
            for r in readers[location] where !done[r] {
                work += 1
                moves[r].source = .register(scratch)
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
