// The parallel-move scheduler against a small interpreter of the moves it
// emits: every destination must end up holding what its source held before
// any move ran, whatever the mix of cycles, fan-out, registers and slots;
// and finding the order must take work about linear in the number of moves.
import Testing
@testable import SwasmCodegen

/// The x86-64 parking registers (r11, xmm15); the schedule takes whatever
/// the target gives.
/// Parking registers of the kind a branch's temporaries give (x86 r11, xmm15).
private let scratch = PerClass<UInt8>(general: 11, vector: 15)

private extension Move {
    init(destination: Location, source: MoveSource, isFloat: Bool, zeroExtends: Bool = false) {
        self.init(destination: destination, source: source, regClass: isFloat ? .vector : .general, zeroExtends: zeroExtends)
    }
    var isFloat: Bool { regClass == .vector }
}

/// A deterministic generator, so a failure repeats.
private struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// What a location or source holds before the moves: distinct for every
/// place, so a value read from the wrong place shows.
private enum Content: Hashable {
    case initial(isFloat: Bool, Location)
    case constant(Int64)
    case stack(Int)
}

private struct Place: Hashable {
    var isFloat: Bool
    var location: Location
}

private func initialContent(_ source: MoveSource, isFloat: Bool) -> Content {
    switch source {
    case .register(let r): return .initial(isFloat: isFloat, .register(r))
    case .slot(let s): return .initial(isFloat: isFloat, .slot(s))
    case .constant(let bits, _): return .constant(bits)
    case .incoming(let offset), .frame(let offset), .frameAddress(let offset): return .stack(offset)
    }
}

/// Runs `steps` one after another and checks the result against the
/// parallel assignment `moves`.
private func checkSemantics(_ moves: [Move], _ steps: [Move]) {
    var state: [Place: Content] = [:]
    func read(_ source: MoveSource, isFloat: Bool) -> Content {
        switch source {
        case .register(let r): return state[Place(isFloat: isFloat, location: .register(r))] ?? initialContent(source, isFloat: isFloat)
        case .slot(let s): return state[Place(isFloat: isFloat, location: .slot(s))] ?? initialContent(source, isFloat: isFloat)
        default: return initialContent(source, isFloat: isFloat)
        }
    }
    for step in steps {
        state[Place(isFloat: step.isFloat, location: step.destination)] = read(step.source, isFloat: step.isFloat)
    }
    var written: Set<Place> = []
    for move in moves {
        let place = Place(isFloat: move.isFloat, location: move.destination)
        written.insert(place)
        let got = state[place] ?? .initial(isFloat: move.isFloat, move.destination)
        #expect(got == initialContent(move.source, isFloat: move.isFloat), "\(move.destination) wrong")
    }
    // Nothing but the destinations and the scratch registers changes.
    let parking: Set<Place> = [Place(isFloat: false, location: .register(scratch.general)),
                               Place(isFloat: true, location: .register(scratch.vector))]
    for (place, content) in state where !written.contains(place) && !parking.contains(place) {
        #expect(content == .initial(isFloat: place.isFloat, place.location), "\(place) clobbered")
    }
}

/// `count` moves with distinct destinations among registers of both
/// classes (but the scratch ones) and slots; about half the sources are
/// other destinations (cycles, chains, one source fanned out to many), a
/// block of them an outright permutation, the rest other places,
/// constants and stack arguments.
private func randomMoves(_ count: Int, _ random: inout SplitMix64) -> [Move] {
    let reserved: Set<UInt8> = [X64Reg.rax.rawValue, X64Reg.rsp.rawValue, X64Reg.rbp.rawValue, X64Reg.r11.rawValue]
    var places: [Place] = []
    for r in UInt8(0)..<16 where !reserved.contains(r) { places.append(Place(isFloat: false, location: .register(r))) }
    for r in UInt8(0)..<14 { places.append(Place(isFloat: true, location: .register(r))) }
    // A slot holds one class of value.
    for s in 0..<(2 * count + 8) { places.append(Place(isFloat: s % 3 == 0, location: .slot(s))) }
    for i in stride(from: places.count - 1, to: 0, by: -1) { places.swapAt(i, random.below(i + 1)) }
    let destinations = Array(places.prefix(count))
    let others = Array(places.dropFirst(count))
    func source(_ place: Place) -> MoveSource {
        switch place.location {
        case .register(let r): return .register(r)
        case .slot(let s): return .slot(s)
        default: fatalError()
        }
    }
    func sameClass(_ pool: [Place], _ isFloat: Bool) -> Place? {
        for _ in 0..<8 {
            let candidate = pool[random.below(pool.count)]
            if candidate.isFloat == isFloat { return candidate }
        }
        return pool.first { $0.isFloat == isFloat }
    }
    var moves: [Move] = []
    let permuted = count / 4
    // A permutation of the first quarter's destinations (per class).
    for isFloat in [false, true] {
        let group = destinations.prefix(permuted).filter { $0.isFloat == isFloat }
        var order = Array(group)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, random.below(i + 1)) }
        for (destination, from) in zip(group, order) {
            moves.append(Move(destination: destination.location, source: source(from), isFloat: isFloat))
        }
    }
    for destination in destinations.dropFirst(permuted) {
        let isFloat = destination.isFloat
        let kind = random.below(10)
        let from: MoveSource
        if kind < 5, let place = sameClass(destinations, isFloat) {
            from = source(place)
        } else if kind < 6, let place = sameClass(Array(destinations.prefix(4)), isFloat) {
            from = source(place)                              // heavy fan-out
        } else if kind < 8, let place = sameClass(others, isFloat) {
            from = source(place)
        } else if kind < 9 {
            from = .constant(Int64(random.below(1 << 20)), isFloat ? .f64 : .i64)
        } else {
            from = .incoming(8 * random.below(64))
        }
        moves.append(Move(destination: destination.location, source: from, isFloat: isFloat))
    }
    for i in stride(from: moves.count - 1, to: 0, by: -1) { moves.swapAt(i, random.below(i + 1)) }
    return moves
}

/// The order the scheduler promises, found the slow way: rescan for the
/// first ready move each time.
private func rescanOrder(_ input: [Move]) -> [Move] {
    func reads(_ source: MoveSource, _ destination: Location) -> Bool {
        switch (source, destination) {
        case (.register(let a), .register(let b)): return a == b
        case (.slot(let a), .slot(let b)): return a == b
        default: return false
        }
    }
    var pending = input.filter { $0.zeroExtends || !reads($0.source, $0.destination) }
    var steps: [Move] = []
    while !pending.isEmpty {
        if let ready = pending.indices.first(where: { i in
            !pending.indices.contains { j in
                j != i && reads(pending[j].source, pending[i].destination) && pending[j].isFloat == pending[i].isFloat
            }
        }) {
            steps.append(pending.remove(at: ready))
            continue
        }
        let move = pending[0]
        let parking = scratch[move.regClass]
        steps.append(Move(destination: .register(parking), source: move.source, isFloat: move.isFloat))
        for i in pending.indices where pending[i].source == move.source && pending[i].isFloat == move.isFloat {
            pending[i].source = .register(parking)
        }
    }
    return steps
}

private func sameSteps(_ a: [Move], _ b: [Move]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy {
        $0.destination == $1.destination && $0.source == $1.source && $0.isFloat == $1.isFloat && $0.zeroExtends == $1.zeroExtends
    }
}

@Suite struct ParallelMoveTests {
    @Test func smallRandomMovesKeepTheRescanOrderAndMeaning() {
        var random = SplitMix64(state: 1)
        for round in 0..<2_000 {
            let moves = randomMoves(1 + round % 40, &random)
            let steps = ParallelMoveSchedule(moves, scratch: scratch).steps
            checkSemantics(moves, steps)
            #expect(sameSteps(steps, rescanOrder(moves)), "round \(round)")
        }
    }

    @Test func swapsAndRotationsGoThroughScratch() {
        let swap = [Move(destination: .register(1), source: .register(2), isFloat: false),
                    Move(destination: .register(2), source: .register(1), isFloat: false)]
        let steps = ParallelMoveSchedule(swap, scratch: scratch).steps
        #expect(steps.count == 3)
        checkSemantics(swap, steps)
        // Same register numbers in the two classes do not wait on each other.
        let mixed = [Move(destination: .register(1), source: .register(2), isFloat: false),
                     Move(destination: .register(2), source: .register(1), isFloat: true)]
        #expect(ParallelMoveSchedule(mixed, scratch: scratch).steps.count == 2)
        // A zero-extending move onto itself is kept.
        let extend = [Move(destination: .register(3), source: .register(3), isFloat: false, zeroExtends: true)]
        #expect(ParallelMoveSchedule(extend, scratch: scratch).steps.count == 1)
    }

    /// A rotation of three vector registers on a target whose parking
    /// register is v31 (AArch64's shape): one cycle, parked once, each step
    /// as wide as the moves (16 bytes: v128).
    @Test func cyclesParkInTheTargetsScratchRegisterWithTheMovesWidth() {
        let aarch64Scratch = PerClass<UInt8>(general: 16, vector: 31)
        let rotation = [Move(destination: .register(0), source: .register(1), regClass: .vector, bytes: 16),
                        Move(destination: .register(1), source: .register(2), regClass: .vector, bytes: 16),
                        Move(destination: .register(2), source: .register(0), regClass: .vector, bytes: 16),
                        Move(destination: .register(0), source: .register(1), regClass: .general)]
        let steps = ParallelMoveSchedule(rotation, scratch: aarch64Scratch).steps
        #expect(steps.count == 5)
        let park = Move(destination: .register(31), source: .register(1), regClass: .vector, bytes: 16)
        #expect(steps.filter { $0.destination == .register(31) } == [park])
        #expect(steps.allSatisfy { $0.regClass == .general || $0.bytes == 16 })
        #expect(!steps.contains { $0.destination == .register(16) })
        // Same meaning, run by the reference interpreter's rules (registers by class).
        var state: [Place: Location] = [:]
        for step in steps {
            guard case .register(let r) = step.source else { continue }
            let from = Place(isFloat: step.isFloat, location: .register(r))
            state[Place(isFloat: step.isFloat, location: step.destination)] = state[from] ?? from.location
        }
        #expect(state[Place(isFloat: true, location: .register(0))] == .register(1))
        #expect(state[Place(isFloat: true, location: .register(1))] == .register(2))
        #expect(state[Place(isFloat: true, location: .register(2))] == .register(0))
        #expect(state[Place(isFloat: false, location: .register(0))] == .register(1))
    }

    /// 200,000 moves: right, at most one parking move per cycle, and work
    /// within a small multiple of n log n (the rescan took about n² / 2).
    @Test(arguments: [1_000, 20_000, 200_000])
    func largeRandomMovesAreRightAndCostAboutLinear(count: Int) {
        var random = SplitMix64(state: UInt64(count))
        let moves = randomMoves(count, &random)
        let schedule = ParallelMoveSchedule(moves, scratch: scratch)
        checkSemantics(moves, schedule.steps)
        #expect(schedule.steps.count <= count + count / 2)
        var log = 1
        while 1 << log < count { log += 1 }
        #expect(schedule.work <= 8 * count * log, "work \(schedule.work) for \(count) moves")
    }
}
