// Machine code for a whole module: every function compiled by the target's
// backend, laid out in index order at 16-byte boundaries (the gaps filled
// with the target's trapping padding), direct calls patched to PC-relative
// displacements, plus one array-call and one host-call trampoline per
// signature. `.text` needs no relocations.
import SwasmABI
import SwasmCodegen
import SwasmIR
import SwasmOpt
import WasmModel

public struct ModuleCode: Sendable {
    public var text: [UInt8]
    /// Offset and size of each defined function (index - imported count).
    public var functionRanges: [Range<Int>]
    /// Trap sites with offsets from the start of `text`, sorted.
    public var trapSites: [(codeOffset: Int, code: TrapCode, wasmOffset: UInt32, functionIndex: Int)]
    /// Every call's return address in `text` and its wasm instruction, sorted.
    public var callSites: [CallSiteRecord]
    public var listings: [[String]]
    /// Array-call trampoline offset per type index.
    public var trampolineOffsets: [Int]
    public var trampolineSizes: [Int]
    public var trampolineListings: [[String]]
    /// Host-call trampoline offset per type index.
    public var hostCallOffsets: [Int]
    public var hostCallSizes: [Int]
}

extension Compiler {
    /// Lowers, optimizes and compiles every function; links direct calls.
    public static func compileToMachineCode(_ module: Module, options: CompilerOptions, listing: Bool = false) throws -> ModuleCode {
        let backend = try backend(for: options.target)
        try SupportCheck.check(module)
        let environment = ModuleEnvironment(module, options: options)
        let compiled: [CompiledFunction] = try parallelMap(module.bodies.count, jobs: options.jobs, progress: options.progress) { i in
            let index = environment.importedFunctionCount + i
            let function = try FunctionLowering.lower(environment, functionIndex: index)
            try Pipeline.run(function, options: Pipeline.Options(
                level: options.optimizationLevel, verify: options.verify, observer: options.passObserver))
            return try backend.compile(function, listing: listing)
        }
        var text: [UInt8] = []
        var ranges: [Range<Int>] = []
        var traps: [(codeOffset: Int, code: TrapCode, wasmOffset: UInt32, functionIndex: Int)] = []
        var returns: [CallSiteRecord] = []
        for (i, function) in compiled.enumerated() {
            backend.pad(&text, toMultipleOf: 16)
            let start = text.count
            text.append(contentsOf: function.code)
            ranges.append(start..<text.count)
            for site in function.trapSites {
                traps.append((start + site.codeOffset, site.code, site.wasmOffset, environment.importedFunctionCount + i))
            }
            // Functions are laid out in order and their sites are in code
            // order, so the table comes out sorted.
            for site in function.returnSites {
                returns.append(CallSiteRecord(returnOffset: UInt32(start + site.returnOffset), wasmOffset: site.wasmOffset))
            }
        }
        for (i, function) in compiled.enumerated() {
            for site in function.callSites {
                let target = ranges[site.callee - environment.importedFunctionCount].lowerBound
                do {
                    try site.kind.patch(&text, at: ranges[i].lowerBound + site.offset, target: target)
                } catch {
                    throw WasmError(.implementationLimit, offset: 0, "\(error)")
                        .in(function: UInt32(environment.importedFunctionCount + i), of: module)
                }
            }
        }
        var trampolineOffsets: [Int] = [], trampolineSizes: [Int] = []
        var trampolineListings: [[String]] = []
        for typeIndex in module.types.indices {
            backend.pad(&text, toMultipleOf: 16)
            trampolineOffsets.append(text.count)
            let trampoline = backend.arrayCallTrampoline(environment.signature(ofType: typeIndex), listing: listing)
            text.append(contentsOf: trampoline.code)
            trampolineSizes.append(trampoline.code.count)
            trampolineListings.append(trampoline.listing)
        }
        var hostCallOffsets: [Int] = [], hostCallSizes: [Int] = []
        for typeIndex in module.types.indices {
            backend.pad(&text, toMultipleOf: 16)
            hostCallOffsets.append(text.count)
            let code = backend.hostCallTrampoline(environment.signature(ofType: typeIndex), listing: false).code
            text.append(contentsOf: code)
            hostCallSizes.append(code.count)
        }
        traps.sort { $0.codeOffset < $1.codeOffset }
        return ModuleCode(text: text, functionRanges: ranges, trapSites: traps, callSites: returns,
                          listings: compiled.map(\.listing),
                          trampolineOffsets: trampolineOffsets, trampolineSizes: trampolineSizes,
                          trampolineListings: trampolineListings,
                          hostCallOffsets: hostCallOffsets, hostCallSizes: hostCallSizes)
    }
}
