// The `spectest` module the WebAssembly spec testsuite imports from.
import WasmModel

public enum SpecTestHost {
    /// A native function that returns at once. With the C calling convention
    /// it is a valid callee for every wasm signature without results (the
    /// arguments are simply ignored), so it serves all the print functions.
    static let noop: @convention(c) () -> Void = {}

    /// The print functions, created once per process and shared (they are
    /// immutable and their records are never freed).
    nonisolated(unsafe) static let functions: [String: Function] = {
        let signatures: [(String, [ValueType])] = [
            ("print", []), ("print_i32", [.i32]), ("print_i64", [.i64]), ("print_f32", [.f32]), ("print_f64", [.f64]),
            ("print_i32_f32", [.i32, .f32]), ("print_f64_f64", [.f64, .f64]),
        ]
        let code = unsafeBitCast(noop, to: UnsafeRawPointer.self)
        var functions: [String: Function] = [:]
        for (name, parameters) in signatures {
            let type = FunctionType(parameters: parameters, results: [])
            let storage = FunctionRecordStorage(code: code, vmctx: nil, signatureID: SignatureRegistry.id(of: type))
            functions[name] = Function(reference: storage.record, type: type, trampoline: nil, owner: storage)
        }
        return functions
    }()

    /// The exports of `spectest`. The print functions are shared by every
    /// call; the globals, the table and the memory are fresh objects on each
    /// call (call once per script so that all its modules share them, as the
    /// reference interpreter does).
    ///
    /// print, print_i32, print_i64, print_f32, print_f64, print_i32_f32,
    /// print_f64_f64: functions that do nothing; global_i32 = 666,
    /// global_i64 = 666, global_f32 = 666.6, global_f64 = 666.6 (immutable);
    /// table: funcref, min 10, max 20; memory: min 1, max 2 pages. (None of
    /// these can fail: when address space is short, the memory has no guard
    /// region and only modules compiled with explicit checks can import it.)
    public static func exports() -> [String: ExternValue] {
        var exports: [String: ExternValue] = functions.mapValues { .function($0) }
        exports["global_i32"] = .global(try! Global(type: GlobalType(valueType: .i32, isMutable: false), value: .i32(666)))
        exports["global_i64"] = .global(try! Global(type: GlobalType(valueType: .i64, isMutable: false), value: .i64(666)))
        exports["global_f32"] = .global(try! Global(type: GlobalType(valueType: .f32, isMutable: false), value: .f32(UInt32(0x4426_A666))))
        exports["global_f64"] = .global(try! Global(type: GlobalType(valueType: .f64, isMutable: false),
                                                   value: .f64(UInt64(0x4084_D4CC_CCCC_CCCD))))
        exports["table"] = .table(try! Table(type: TableType(elementType: .funcref, limits: Limits(min: 10, max: 20))))
        let memoryType = MemoryType(limits: Limits(min: 1, max: 2))
        exports["memory"] = .memory((try? Memory(type: memoryType)) ?? (try! Memory(type: memoryType, strategy: .explicit)))
        return exports
    }
}
