// What lowering needs to know about the module around a function: index
// spaces, types in IR terms, and where things live relative to vmctx.
import SwasmABI
import SwasmIR
import WasmModel

public struct ModuleEnvironment: Sendable {
    public let module: Module
    public let functionTypeIndices: [UInt32]
    public let importedFunctionCount: Int
    public let globalTypes: [GlobalType]
    public let tableTypes: [TableType]
    public let hasMemory: Bool
    /// Emit a check of the VM context's interrupt flag at every loop head.
    public var interruptible = false
    /// Count fuel per straight-line region and check it at function entries
    /// and loop heads (FunctionLowering+Fuel).
    public var consumeFuel = false
    /// Check the engine's epoch against the store's deadline at function
    /// entries and loop heads.
    public var epochInterruption = false
    /// Check every linear-memory access against the memory's current length
    /// instead of relying on a guard region.
    public var explicitBoundsChecks = false
    /// Memory 0's declared minimum in bytes: every access that ends below it
    /// is in bounds forever (memories never shrink; an imported memory is at
    /// least as large as the import declares).
    public let minimumMemoryBytes: UInt64

    public init(_ module: Module) {
        self.module = module
        functionTypeIndices = module.allFunctionTypeIndices
        importedFunctionCount = module.importedFunctionCount
        globalTypes = module.allGlobalTypes
        tableTypes = module.allTables
        hasMemory = !module.allMemories.isEmpty
        minimumMemoryBytes = (module.allMemories.first?.limits.min ?? 0) * UInt64(SwasmABI.pageSize)
    }

    public static func irType(_ type: ValueType) -> IRType {
        switch type {
        case .i32: return .i32
        case .i64: return .i64
        case .f32: return .f32
        case .f64: return .f64
        case .v128: return .v128
        case .funcref, .externref: return .i64
        }
    }

    /// The native signature of a wasm function type: vmctx first.
    public func signature(ofType index: Int) -> Signature {
        let type = module.types[index]
        return Signature(parameters: [.i64] + type.parameters.map(Self.irType), results: type.results.map(Self.irType))
    }

    public func signature(ofFunction index: Int) -> Signature {
        signature(ofType: Int(functionTypeIndices[index]))
    }

    /// The name of a function for symbols and dumps.
    public func functionName(_ index: Int) -> String {
        module.names.functionNames[UInt32(index)] ?? "func\(index)"
    }
}
