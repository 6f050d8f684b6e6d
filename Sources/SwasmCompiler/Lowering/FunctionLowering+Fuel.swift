// Fuel and epoch checks, compiled in when the module is compiled with them.
//
// Fuel is defined on wasm operators, not on machine code, so that every
// backend and optimization level consumes exactly the same amount: each
// executed operator costs `fuelCost` (1, or 0 for the ones that generate no
// work of their own). The lowering adds up the cost of each straight-line
// region and subtracts it from the fuel once, where the region ends (before
// a branch, if, else, end, loop, call, return or unreachable).
//
// Between calls the fuel lives in a hidden local (an SSA variable like the
// wasm locals, so loops carry it in a register); it is written to the
// store's execution limits before every call, return and fuel trap, and
// read back after every call, since the callee (another instance of the
// store, or the host) draws on the same fuel.
//
// Checks happen at function entry and at every loop head: the code traps
// with `outOfFuel` when the fuel left is zero or less. Straight-line code
// between checks is bounded by the function's size, so a check there is
// never needed for termination, and the fuel may go below zero by at most
// that region's cost before the next check notices.
//
// Epoch checks sit at the same places: the engine's epoch (which other
// threads increment) against the store's deadline; when reached, a helper
// runs the store's policy (trap, or a host callback that moves the deadline).
import SwasmABI
import SwasmIR
import WasmModel

extension FunctionLowering {
    /// The fuel an operator costs: 1, except the ones that are pure
    /// structure or generate no code (`nop`, `drop`, `block`, `loop`,
    /// `else`, `end`) and the ones that leave the function (`unreachable`,
    /// `return`), which cost 0 (the rule wasmtime uses).
    static func fuelCost(_ opcode: UInt8) -> Int64 {
        switch opcode {
        case 0x00, 0x01, 0x02, 0x03, 0x05, 0x0B, 0x0F, 0x1A: return 0
        default: return 1
        }
    }

    /// Whether an operator ends a straight-line region: control may go
    /// elsewhere (or leave the function) after it.
    static func endsFuelRegion(_ opcode: UInt8) -> Bool {
        switch opcode {
        case 0x00, 0x03, 0x04, 0x05, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11: return true
        default: return false
        }
    }

    /// Counts the operator about to be lowered, and subtracts the region's
    /// cost from the fuel when the operator ends the region.
    mutating func chargeFuel(for opcode: UInt8) {
        guard fuelLocal != nil else { return }
        pendingFuel += Self.fuelCost(opcode)
        if Self.endsFuelRegion(opcode) { flushFuel() }
    }

    mutating func flushFuel() {
        guard let local = fuelLocal, pendingFuel != 0 else { return }
        let left = builder.value(.isub, .i64, [localValues[local], builder.iconst(.i64, pendingFuel)])
        setLocal(local, left)
        pendingFuel = 0
    }

    /// Writes the fuel to the store's execution limits (before a call,
    /// return or trap: whoever runs next reads it there).
    mutating func saveFuel() {
        guard let local = fuelLocal else { return }
        builder.pstore(.i64, bases.executionLimits!, offset: ExecutionLimitsLayout.fuel, localValues[local])
    }

    /// Reads the fuel back after a call, which may have used or set some.
    mutating func reloadFuel() {
        guard let local = fuelLocal else { return }
        setLocal(local, builder.pload(.i64, bases.executionLimits!, offset: ExecutionLimitsLayout.fuel))
    }

    /// With fuel: loads the execution limits' address in the entry block
    /// (calls save and reload the fuel there) and adds the hidden fuel local
    /// (after the wasm locals).
    mutating func setUpExecutionLimits() {
        guard environment.consumeFuel else { return }
        let limits = builder.pload(.i64, bases.vmctx, offset: VMContextLayout.executionLimits)
        bases.executionLimits = limits
        fuelLocal = localValues.count
        localTypes.append(.i64)
        localValues.append(builder.pload(.i64, limits, offset: ExecutionLimitsLayout.fuel))
    }

    /// The checks at a function entry or loop head (the fuel charged up to
    /// here already).
    mutating func checkExecutionLimits() {
        checkFuel()
        checkEpoch()
    }

    /// Traps with `outOfFuel` when no fuel is left, after writing 0 back
    /// (what the store reports for anything below 1; writing the exact value
    /// would keep it alive to the out-of-line trap block, at the end of the
    /// function, which costs registers on the hot path). The trap block is
    /// a successor the code order puts out of line.
    mutating func checkFuel() {
        guard let local = fuelLocal else { return }
        let fuel = localValues[local]
        let exhausted = builder.icmp(.sle, fuel, builder.iconst(.i64, 0))
        let stop = builder.makeBlock()
        let next = builder.makeBlock()
        builder.brif(exhausted, BlockCall(stop), BlockCall(next))
        builder.switchTo(stop)
        builder.pstore(.i64, bases.executionLimits!, offset: ExecutionLimitsLayout.fuel, builder.iconst(.i64, 0))
        builder.trap(.outOfFuel, sourceOffset: source)
        builder.switchTo(next)
    }

    /// When the engine's epoch has reached the store's deadline, calls the
    /// `epochDeadline` helper, which either moves the deadline (the code
    /// continues) or answers `interrupted` (the code traps). Without fuel
    /// this is one `epoch_check` instruction. With fuel, the fuel is
    /// written back around the call: the host callback may read or set it.
    /// The addresses are loaded at each check rather than kept from the
    /// entry: three loads that hit the cache cost less than two registers
    /// held through the function (and saved and restored around calls).
    mutating func checkEpoch() {
        guard environment.epochInterruption else { return }
        if fuelLocal == nil {
            // The backend compares inline and calls the helper out of line,
            // keeping every register: the allocator sees no call here, so
            // values live through a checked loop stay where they are.
            _ = builder.append(Instruction(.epochCheck, type: .i32, operands: [bases.vmctx],
                                       subcode: UInt8(TrapCode.interrupted.rawValue), sourceOffset: source))
            return
        }
        // With fuel, the fuel (an SSA value) is written back around the
        // helper, so the check stays an ordinary call on a branch.
        let limits = builder.pload(.i64, bases.vmctx, offset: VMContextLayout.executionLimits)
        let counter = builder.pload(.i64, limits, offset: ExecutionLimitsLayout.epochCounter)
        let epoch = builder.pload(.i64, counter, offset: 0)
        let deadline = builder.pload(.i64, limits, offset: ExecutionLimitsLayout.epochDeadline)
        let reached = builder.icmp(.uge, epoch, deadline)
        let slow = builder.makeBlock()
        let next = makeBlock(parameters: fuelLocal == nil ? [] : [.i64])
        builder.brif(reached, BlockCall(slow), BlockCall(next, fuelLocal.map { [localValues[$0]] } ?? []))
        builder.switchTo(slow)
        saveFuel()
        let table = builder.pload(.i64, bases.vmctx, offset: VMContextLayout.helpers)
        let helper = builder.pload(.i64, table, offset: HelperID.epochDeadline.rawValue * 8)
        let signature = function.signatureIndex(Signature(parameters: [.i64], results: [.i32]))
        let status = builder.append(Instruction(.callPtr, type: .i32, operands: [helper, bases.vmctx],
                                                immediate: Int64(signature), sourceOffset: source), resultTypes: [.i32])[0]
        builder.trapIf(status, .interrupted, sourceOffset: source)
        let reloaded = fuelLocal.map { _ in builder.pload(.i64, limits, offset: ExecutionLimitsLayout.fuel) }
        builder.jump(next, reloaded.map { [$0] } ?? [])
        builder.switchTo(next)
        if let local = fuelLocal { setLocal(local, function.parameters(of: next)[0]) }
    }
}
