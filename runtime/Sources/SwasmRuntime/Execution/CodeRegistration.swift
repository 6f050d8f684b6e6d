// Telling the runtime where compiled code lives, so that its signal handler
// recognizes faults in it and finds the trap kind and wasm location.
import CSwasmRuntime
import SwasmABI
import Synchronization

/// One entry of a module's trap table.
public struct TrapSite: Sendable, Equatable {
    /// Offset from the start of the registered code: of the faulting
    /// instruction (`ud2` stubs, guarded loads and stores, divisions), or of
    /// the return address of a call to the `raiseTrap` helper.
    public var codeOffset: UInt32
    public var code: TrapCode
    public var bytecodeOffset: UInt32
    public var functionIndex: UInt32

    public init(codeOffset: UInt32, code: TrapCode, bytecodeOffset: UInt32, functionIndex: UInt32) {
        self.codeOffset = codeOffset
        self.code = code
        self.bytecodeOffset = bytecodeOffset
        self.functionIndex = functionIndex
    }
}

public struct CodeRegistrationError: Error, Sendable, CustomStringConvertible {
    public var description: String {
        "cannot register compiled code: the range is empty, overlaps registered code, or the registry (\(swasm_code_registry_capacity()) regions) is full"
    }
}

/// How a registration maps addresses in its code to wasm functions and call
/// sites, for backtraces.
public struct FrameResolver: Sendable {
    /// The function (index counting imports) whose code holds an address;
    /// nil for addresses outside functions (trampolines).
    public var function: @Sendable (UnsafeRawPointer) -> UInt32?
    /// The bytecode offset of the call that returns to an address.
    public var callSite: @Sendable (UnsafeRawPointer) -> UInt32?

    public init(function: @escaping @Sendable (UnsafeRawPointer) -> UInt32?,
                callSite: @escaping @Sendable (UnsafeRawPointer) -> UInt32?) {
        self.function = function
        self.callSite = callSite
    }
}

/// Registered compiled code. The region stays registered until this object
/// is released; the code itself must stay mapped at least that long.
public final class CodeRegistration: @unchecked Sendable {
    public let start: UnsafeRawPointer
    public let length: Int
    /// A table this registration allocated (sorted from an array), or nil
    /// when the registered table belongs to the caller.
    private let ownedTable: UnsafeMutableBufferPointer<swasm_trap_entry>?
    private let context: UnsafeMutableRawPointer
    private var registered = false

    private struct Resolvers: Sendable {
        var context: UInt
        var functionName: (@Sendable (UInt32) -> String?)?
        var frames: FrameResolver?
    }

    /// Resolvers of live registrations, by lookup context. (A list: it is
    /// searched only to report a trap, and a dictionary type would cost a
    /// runtime conformance search on the first load in a process.)
    private static let resolvers = Mutex<[Resolvers]>([])

    private static func resolver(_ context: UnsafeMutableRawPointer) -> Resolvers? {
        let key = UInt(bitPattern: context)
        return resolvers.withLock { list in list.first(where: { $0.context == key }) }
    }

    /// Registers `[start, start + length)` with its trap sites (any order).
    /// `functionName` names functions in traps thrown from this code.
    public convenience init(start: UnsafeRawPointer, length: Int, trapSites: [TrapSite],
                            functionName: (@Sendable (UInt32) -> String?)? = nil) throws(CodeRegistrationError) {
        let sorted = trapSites.sorted { $0.codeOffset < $1.codeOffset }
        let table = UnsafeMutableBufferPointer<swasm_trap_entry>.allocate(capacity: max(sorted.count, 1))
        for (index, site) in sorted.enumerated() {
            table[index] = swasm_trap_entry(code_offset: site.codeOffset, trap_code: site.code.rawValue,
                                            wasm_offset: site.bytecodeOffset, function_index: site.functionIndex)
        }
        try self.init(start: start, length: length, table: UnsafePointer(table.baseAddress!), count: sorted.count,
                      owned: table, functionName: functionName)
    }

    /// Registers `[start, start + length)` with a trap table that stays
    /// where it is (`swasm_trap_entry` records sorted by code offset, 4-byte
    /// aligned): the caller keeps it alive as long as this registration.
    /// `frames` resolves the addresses of backtraces through this code.
    public convenience init(start: UnsafeRawPointer, length: Int, trapTable: UnsafeRawBufferPointer,
                            functionName: (@Sendable (UInt32) -> String?)? = nil,
                            frames: FrameResolver? = nil) throws(CodeRegistrationError) {
        let count = trapTable.count / MemoryLayout<swasm_trap_entry>.stride
        let base = trapTable.baseAddress.map { UnsafePointer($0.assumingMemoryBound(to: swasm_trap_entry.self)) }
        try self.init(start: start, length: length, table: count > 0 ? base : nil, count: count, owned: nil,
                      functionName: functionName, frames: frames)
    }

    private init(start: UnsafeRawPointer, length: Int, table: UnsafePointer<swasm_trap_entry>?, count: Int,
                 owned: UnsafeMutableBufferPointer<swasm_trap_entry>?,
                 functionName: (@Sendable (UInt32) -> String?)?,
                 frames: FrameResolver? = nil) throws(CodeRegistrationError) {
        self.start = start
        self.length = length
        ownedTable = owned
        // A unique token (not a pointer to self, which could be read while
        // this object is being destroyed).
        context = .allocate(byteCount: 1, alignment: 1)
        if functionName != nil || frames != nil {
            let key = UInt(bitPattern: context)
            Self.resolvers.withLock { $0.append(Resolvers(context: key, functionName: functionName, frames: frames)) }
        }
        // (Throwing from here still runs deinit, which cleans up.)
        guard length > 0, swasm_register_code(start, length, table, count, context) == 0 else {
            throw CodeRegistrationError()
        }
        registered = true
    }

    deinit {
        if registered { swasm_unregister_code(start) }
        let key = UInt(bitPattern: context)
        Self.resolvers.withLock { list in
            if let index = list.firstIndex(where: { $0.context == key }) { list.remove(at: index) }
        }
        ownedTable?.deallocate()
        context.deallocate()
    }

    static func functionName(context: UnsafeMutableRawPointer, index: UInt32) -> String? {
        resolver(context)?.functionName?(index)
    }

    /// The wasm frame of a captured code address: a trapping instruction
    /// (located by the trap table) or a return address (by the call site
    /// table). Nil outside registered code and for trampolines.
    static func frame(at address: UnsafeRawPointer, isReturnAddress: Bool) -> Trap.Frame? {
        var info = swasm_code_info()
        guard swasm_lookup_code(address, &info) else { return nil }
        // Code registered without a frame resolver keeps no frame chain.
        guard let context = info.lookup_context,
              let registered = resolver(context), let frames = registered.frames else {
            return nil
        }
        let index: UInt32
        let offset: UInt32?
        if isReturnAddress {
            // A call can end its function's code, so look up the call itself.
            guard let function = frames.function(address - 1) else { return nil }
            index = function
            offset = frames.callSite(address)
        } else {
            guard let function = frames.function(address) else { return nil }
            index = function
            offset = info.has_entry ? info.entry.wasm_offset : nil
        }
        let unknown = UInt32(SWASM_UNKNOWN_LOCATION)
        return Trap.Frame(functionIndex: index, functionName: registered.functionName?(index),
                          bytecodeOffset: offset.flatMap { $0 == unknown ? nil : Int($0) })
    }

    /// The trap site at `address`, if the address is in registered code and
    /// has an entry in its table.
    public static func trapSite(at address: UnsafeRawPointer) -> TrapSite? {
        var info = swasm_code_info()
        guard swasm_lookup_code(address, &info), info.has_entry,
              let code = TrapCode(rawValue: info.entry.trap_code) else { return nil }
        return TrapSite(codeOffset: info.entry.code_offset, code: code,
                        bytecodeOffset: info.entry.wasm_offset, functionIndex: info.entry.function_index)
    }

    /// True when `address` lies in registered compiled code.
    public static func isCompiledCode(_ address: UnsafeRawPointer) -> Bool {
        swasm_lookup_code(address, nil)
    }
}
