// The C driver of one script: each module as the data spec_harness.h
// describes (code and metadata by symbol, everything else as constants),
// the commands in script order, and a main that hands both to sh_run.
import SwasmABI
import WasmModel

/// An import resolved at planning time (sh_import).
struct CImport {
    enum Kind: Int { case function, table, memory, global }
    static let spectestTable: Int32 = 0
    static let spectestMemory: Int32 = 1
    static let spectestGlobalI32: Int32 = 2
    static let spectestPrint: Int32 = 6

    var kind: Kind
    /// The exporting instance, or -1 for spectest.
    var instance: Int32
    var index: UInt32
    var signatureID: UInt64 = 0
    var limits: Limits?
}

/// A constant expression as sh_const: bits, or a global or function index.
enum CConstant {
    case bits(UInt64)
    case global(UInt32)
    case function(UInt32)

    init(_ expression: ConstantExpression) throws {
        guard expression.instructions.count == 1, let instruction = expression.instructions.first else {
            throw SpecHarnessError("constant expression of \(expression.instructions.count) instructions is not covered by the C harness")
        }
        switch instruction {
        case .i32Const(let v): self = .bits(UInt64(UInt32(bitPattern: v)))
        case .i64Const(let v): self = .bits(UInt64(bitPattern: v))
        case .f32Const(let v): self = .bits(UInt64(v))
        case .f64Const(let v): self = .bits(v)
        case .refNull: self = .bits(0)
        case .refFunc(let index): self = .function(index)
        case .globalGet(let index): self = .global(index)
        case .v128Const: throw SpecHarnessError("v128 constants are not covered by the C harness")
        }
    }

    var c: String {
        switch self {
        case .bits(let v): return "{ SH_CONST_BITS, \(v)ull }"
        case .global(let i): return "{ SH_CONST_GLOBAL, \(i) }"
        case .function(let i): return "{ SH_CONST_FUNCTION, \(i) }"
        }
    }
}

/// What the driver needs of one compiled module, taken from the module and
/// its object's metadata (read with MetadataView, whatever the machine).
struct CModuleDescription {
    var prefix: String
    var textSize: UInt32
    var trapSitesOffset: Int
    var trapSiteCount: Int
    var functionTypes: [UInt32]
    var importedFunctionCount: Int
    var functionOffsets: [UInt32]
    var signatureIDs: [UInt64]
    var trampolineOffsets: [UInt32]
    var imports: [CImport]
    var memories: [Limits]
    var tables: [Limits]
    var globals: [CConstant]
    /// mode, table, offset, items
    var elements: [(mode: Int, table: UInt32, offset: CConstant, items: [CConstant])]
    /// mode, memory, offset, offset of the contents in the metadata, length
    var data: [(mode: Int, memory: UInt32, offset: CConstant, contents: Int, length: Int)]
    var start: Int
    var explicitBoundsChecks: Bool

    init(module: Module, metadata: [UInt8], prefix: String, imports: [CImport],
         signatureID: (FunctionType) -> UInt64, explicitBoundsChecks: Bool) throws {
        self.prefix = prefix
        self.imports = imports
        self.explicitBoundsChecks = explicitBoundsChecks
        functionTypes = module.allFunctionTypeIndices
        importedFunctionCount = module.importedFunctionCount
        signatureIDs = module.types.map(signatureID)
        memories = module.memories.map(\.limits)
        tables = module.tables.map(\.limits)
        globals = try module.globals.map { try CConstant($0.initializer) }
        start = module.start.map(Int.init) ?? -1
        elements = try module.elements.map { segment in
            let items: [CConstant]
            switch segment.items {
            case .functions(let indices): items = indices.map { .function($0) }
            case .expressions(let expressions): items = try expressions.map(CConstant.init)
            }
            switch segment.mode {
            case .passive: return (0, 0, .bits(0), items)
            case .active(let table, let offset): return (1, table, try CConstant(offset), items)
            case .declarative: return (2, 0, .bits(0), items)
            }
        }
        var trapSitesOffset = 0, trapSiteCount = 0, textSize: UInt32 = 0
        var functionOffsets: [UInt32] = [], trampolineOffsets: [UInt32] = []
        var dataPlaces: [(Int, Int)] = []
        try metadata.withUnsafeBytes { bytes in
            let view = try MetadataView.decode(bytes)
            func offset(_ buffer: UnsafeRawBufferPointer) -> Int {
                guard let start = buffer.baseAddress, let base = bytes.baseAddress else { return 0 }
                return start - base
            }
            textSize = view.textSize
            trapSitesOffset = offset(view.trapSites)
            trapSiteCount = view.trapSiteCount
            functionOffsets = (0..<view.functionOffsets.count).map { view.functionOffsets[$0] }
            trampolineOffsets = (0..<view.trampolineOffsets.count).map { view.trampolineOffsets[$0] }
            dataPlaces = (0..<view.dataSegmentCount).map { let d = view.dataSegment($0); return (offset(d), d.count) }
        }
        self.textSize = textSize
        self.trapSitesOffset = trapSitesOffset
        self.trapSiteCount = trapSiteCount
        self.functionOffsets = functionOffsets
        self.trampolineOffsets = trampolineOffsets
        data = try module.data.enumerated().map { index, segment in
            let (contents, length) = dataPlaces[index]
            switch segment.mode {
            case .passive: return (0, 0, .bits(0), contents, length)
            case .active(let memory, let offset): return (1, memory, try CConstant(offset), contents, length)
            }
        }
    }
}

/// One sh_command.
struct CCommand {
    enum Kind: String { case instantiate = "SH_INSTANTIATE", invoke = "SH_INVOKE", get = "SH_GET" }
    var kind: Kind
    var instance: Int
    var index: UInt32 = 0
    var arguments: [UInt64] = []
    var resultCount: Int = 0
}

enum CDriverSource {
    static func array<T>(_ type: String, _ name: String, _ items: [T], _ item: (T) -> String, into out: inout String) -> String {
        guard !items.isEmpty else { return "NULL" }
        out += "static const \(type) \(name)[] = {\n"
        for chunk in stride(from: 0, to: items.count, by: 8) {
            out += "    " + items[chunk..<min(chunk + 8, items.count)].map(item).joined(separator: ", ") + ",\n"
        }
        out += "};\n"
        return name
    }

    static func limits(_ l: Limits?) -> String {
        guard let l else { return "{ 0, 0, false }" }
        return "{ \(l.min), \(l.max ?? 0), \(l.max != nil) }"
    }

    /// `executionLimits`: the fuel each call starts with, the epoch deadline
    /// and what happens there, for objects compiled with fuel or epoch checks.
    static func write(modules: [CModuleDescription], commands: [CCommand],
                      executionLimits: (fuel: Int64, epochDeadline: UInt64, continues: Bool)? = nil) -> String {
        var out = "// Generated by swasm-spec (C harness); see docs/aarch64-testing.md.\n#include \"spec_harness.h\"\n\n"
        var entries: [String] = []
        for m in modules {
            let p = m.prefix
            out += "extern const char \(p)_swasm_text[], \(p)_swasm_module_metadata[];\n"
            let types = array("uint32_t", "\(p)_function_types", m.functionTypes, { "\($0)" }, into: &out)
            let offsets = array("uint32_t", "\(p)_function_offsets", m.functionOffsets, { "\($0)" }, into: &out)
            let ids = array("uint64_t", "\(p)_signature_ids", m.signatureIDs, { "\($0)ull" }, into: &out)
            let trampolines = array("uint32_t", "\(p)_trampolines", m.trampolineOffsets, { "\($0)" }, into: &out)
            let imports = array("sh_import", "\(p)_imports", m.imports, {
                "{ \($0.kind.rawValue), \($0.instance), \($0.index), \($0.signatureID)ull, \(limits($0.limits)) }"
            }, into: &out)
            let memories = array("sh_limits", "\(p)_memories", m.memories, limits, into: &out)
            let tables = array("sh_limits", "\(p)_tables", m.tables, limits, into: &out)
            let globals = array("sh_const", "\(p)_globals", m.globals, \.c, into: &out)
            var itemNames: [String] = []
            for (index, segment) in m.elements.enumerated() {
                itemNames.append(array("sh_const", "\(p)_element\(index)", segment.items, \.c, into: &out))
            }
            let elements = array("sh_element_segment", "\(p)_elements", Array(m.elements.enumerated()), { index, s in
                "{ \(s.mode), \(s.table), \(s.offset.c), \(s.items.count), \(itemNames[index]) }"
            }, into: &out)
            let data = array("sh_data_segment", "\(p)_data", m.data, {
                "{ \($0.mode), \($0.memory), \($0.offset.c), \($0.contents), \($0.length) }"
            }, into: &out)
            entries.append("""
                {
                    \(p)_swasm_text, \(m.textSize), \(p)_swasm_module_metadata, \(m.trapSitesOffset), \(m.trapSiteCount),
                    \(m.functionTypes.count), \(m.importedFunctionCount), \(types), \(offsets),
                    \(m.signatureIDs.count), \(ids), \(trampolines),
                    \(m.imports.count), \(imports), \(m.memories.count), \(memories), \(m.tables.count), \(tables),
                    \(m.globals.count), \(globals), \(m.elements.count), \(elements), \(m.data.count), \(data),
                    \(m.start), \(m.explicitBoundsChecks),
                }
            """)
        }
        out += "\nstatic const sh_module modules[] = {\n" + entries.joined(separator: ",\n") + "\n};\n\n"
        var argumentNames: [String] = []
        for (index, command) in commands.enumerated() {
            argumentNames.append(array("uint64_t", "arguments\(index)", command.arguments, { "\($0)ull" }, into: &out))
        }
        out += "\nstatic const sh_command commands[] = {\n"
        for (index, c) in commands.enumerated() {
            out += "    { \(c.kind.rawValue), \(c.instance), \(c.index), \(c.arguments.count), \(c.resultCount), \(argumentNames[index]) },\n"
        }
        out += "};\n\nint main(void) {\n"
        if let executionLimits {
            out += "    sh_set_execution_limits(\(executionLimits.fuel)ll, \(executionLimits.epochDeadline)ull, \(executionLimits.continues));\n"
        }
        out += "    return sh_run(modules, \(modules.count), commands, \(commands.count));\n}\n"
        return out
    }
}
