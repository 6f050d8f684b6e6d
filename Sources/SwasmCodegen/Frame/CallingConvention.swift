// Calling conventions as data: which registers carry arguments and results,
// and where the hidden result pointer goes. Compiled functions, the calls
// between them, trampolines and calls to the runtime all follow the
// target's C convention, so a host can call an export as a C function.
//
// Placement is the C rule both conventions share: each value takes the
// next free argument register of its class; once a class runs out, its
// values go on the stack in order (8-byte slots, 16 bytes aligned to 16
// for v128), while the other class keeps using registers. The first result
// comes back in the class's result register; further results are written
// by the callee through the hidden result pointer into an area the caller
// provides, 8 bytes each.
import SwasmIR

/// Where a convention places one argument.
public enum ArgumentPlace: Hashable, Sendable {
    case register(RegClass, UInt8)
    /// Bytes above the stack pointer at the call.
    case stack(Int)
}

public struct ArgumentPlacement: Sendable, Equatable {
    /// One place per parameter, in order.
    public var places: [ArgumentPlace]
    /// The hidden result pointer (more than one result), else nil.
    public var resultPointer: ArgumentPlace?
    /// Bytes of stack arguments, a multiple of 8.
    public var stackSize: Int
}

public struct CallingConvention: Sendable {
    /// Where the hidden result pointer of a multi-result call goes.
    public enum ResultPointer: Sendable, Equatable {
        /// The general argument register after the first parameter's (the
        /// VM context), shifting later arguments along.
        case afterFirstParameter
        /// A register outside the argument registers.
        case register(UInt8)
    }

    public var name: String
    public var arguments: PerClass<[UInt8]>
    public var results: PerClass<UInt8>
    public var resultPointer: ResultPointer

    public init(name: String, arguments: PerClass<[UInt8]>, results: PerClass<UInt8>, resultPointer: ResultPointer) {
        self.name = name
        self.arguments = arguments
        self.results = results
        self.resultPointer = resultPointer
    }

    /// Bytes of the result area for `signature`: one 8-byte slot per result
    /// after the first.
    public static func resultAreaSize(_ signature: Signature) -> Int { max(0, signature.results.count - 1) * 8 }

    public func placement(_ signature: Signature) -> ArgumentPlacement {
        var next = PerClass(general: 0, vector: 0)
        var stack = 0
        var places: [ArgumentPlace] = []
        places.reserveCapacity(signature.parameters.count)
        var resultPointerPlace: ArgumentPlace?
        func place(_ regClass: RegClass, bytes: Int) -> ArgumentPlace {
            if next[regClass] < arguments[regClass].count {
                next[regClass] += 1
                return .register(regClass, arguments[regClass][next[regClass] - 1])
            }
            let size = max(8, bytes)
            stack = (stack + size - 1) / size * size
            stack += size
            return .stack(stack - size)
        }
        let multiResult = signature.results.count > 1
        for (i, type) in signature.parameters.enumerated() {
            places.append(place(type.regClass, bytes: type.byteSize))
            if i == 0 && multiResult && resultPointer == .afterFirstParameter {
                resultPointerPlace = place(.general, bytes: 8)
            }
        }
        if multiResult, case .register(let r) = resultPointer { resultPointerPlace = .register(.general, r) }
        return ArgumentPlacement(places: places, resultPointer: resultPointerPlace, stackSize: stack)
    }
}

extension CallingConvention {
    /// System V AMD64: rdi, rsi, rdx, rcx, r8, r9 and xmm0-7; results in rax
    /// and xmm0. The result pointer follows the VM context (rsi).
    public static let sysV = CallingConvention(
        name: "System V AMD64",
        arguments: PerClass(general: [7, 6, 2, 1, 8, 9], vector: Array(0..<8)),
        results: PerClass(general: 0, vector: 0),
        resultPointer: .afterFirstParameter)

    /// AAPCS64: x0-x7 and v0-v7; results in x0 and v0. The result pointer
    /// goes in x8, the register AAPCS64 reserves for an indirect result.
    public static let aapcs64 = CallingConvention(
        name: "AAPCS64",
        arguments: PerClass(general: Array(0..<8), vector: Array(0..<8)),
        results: PerClass(general: 0, vector: 0),
        resultPointer: .register(8))
}

extension CallingConvention {
    /// The moves that carry `function`'s parameters from where this
    /// convention passes them to their allocated homes, and the hidden
    /// result pointer (if any) into `resultPointerSlot`. An i32 is
    /// zero-extended on the way: callers outside compiled code may leave
    /// its upper half undefined (SysV, AAPCS64), and indexes need it zero.
    public func incomingParameterMoves(_ function: Function, allocation: Allocation, frame: FrameLayout,
                                       resultPointerSlot: Int?) -> [Move] {
        let placement = placement(function.signature)
        let parameters = function.parameters(of: function.entry)
        var moves: [Move] = []
        for (value, place) in zip(parameters, placement.places) {
            let destination = allocation.locations[Int(value.index)]
            if destination == .none { continue }
            let type = function.type(of: value)
            let zeroExtends = type == .i32
            switch place {
            case .register(let regClass, let r):
                moves.append(Move(destination: destination, source: .register(r), regClass: regClass,
                                  zeroExtends: zeroExtends && regClass == .general))
            case .stack(let offset):
                moves.append(Move(destination: destination, source: .incoming(frame.incomingArgumentsOffset + offset),
                                  regClass: type.regClass, zeroExtends: zeroExtends))
            }
        }
        if let resultPointer = placement.resultPointer, let slot = resultPointerSlot, case .register(_, let r) = resultPointer {
            moves.append(Move(destination: .slot(slot), source: .register(r), regClass: .general))
        }
        return moves
    }
}
