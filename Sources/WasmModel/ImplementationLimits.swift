// Bounds on a module's shape, checked while decoding and validating, so that
// a hostile module cannot make the host spend unbounded time or memory
// compiling it. The defaults are the limits of the WebAssembly JavaScript
// API ("Implementation-defined Limits"), which browsers and wasmtime share;
// a module within them is accepted by those engines as far as size goes.
// docs/limits.md lists them with their reasons.

/// Structural limits on a module. Exceeding one is a `.implementationLimit`
/// error naming the limit and the offset.
public struct ImplementationLimits: Sendable, Hashable {
    /// Bytes in the whole binary module.
    public var moduleSize = 1_073_741_824
    /// Entries in the type section.
    public var types = 1_000_000
    /// Functions defined in the module (the function section).
    public var functions = 1_000_000
    public var imports = 1_000_000
    public var exports = 1_000_000
    /// Globals defined in the module.
    public var globals = 1_000_000
    public var dataSegments = 100_000
    /// Tables, imported and defined.
    public var tables = 100_000
    /// The declared minimum size of a table, in elements.
    public var tableSize: UInt64 = 10_000_000
    /// Entries in one element segment.
    public var elementSegmentEntries = 10_000_000
    /// Memories, imported and defined.
    public var memories = 100
    /// Parameters of a function type (and so of a function or block).
    public var parameters = 1_000
    /// Results of a function type.
    public var results = 1_000
    /// Bytes in a function body, its local declarations included.
    public var functionBodySize = 7_654_321
    /// Locals of a function, its parameters included.
    public var locals = 50_000
    /// Labels in one `br_table`, the default label not counted. The JS API
    /// names no such limit (the body size bounds it); this one is
    /// Cranelift's, so that what wasmtime compiles, swasm compiles.
    public var brTableTargets = 65_520

    public init() {}

    /// The JS API limits.
    public static let `default` = ImplementationLimits()

    /// The error for `what` (`"function body"`) holding `count` `unit`s.
    func exceeded(_ what: String, _ count: some BinaryInteger, _ limit: some BinaryInteger,
                  _ unit: String, offset: Int) -> WasmError {
        WasmError(.implementationLimit, offset: offset,
                  "\(what) of \(count) \(unit) exceeds the implementation limit of \(limit) \(unit)")
    }
}
