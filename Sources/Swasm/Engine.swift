// The embedding API's compilation environment: an `Engine` and its `Config`.
import SwasmABI
import SwasmCompiler
import SwasmRuntime
import WasmModel

/// Re-exported runtime and model types, so that `import Swasm` is enough.
public typealias Value = SwasmRuntime.Value
/// A WebAssembly trap: its kind (`code`), the function and the bytecode offset.
public typealias Trap = SwasmRuntime.Trap

/// Misuse of runtime objects by the host (wrong argument types, immutable globals...).
public typealias InstanceError = SwasmRuntime.InstanceError
/// WASI set-up or linking failed.
public typealias WASIError = SwasmRuntime.WASIError
/// An import that is missing or has the wrong type.
public typealias LinkError = SwasmRuntime.LinkError
/// The type of an import or export.
public typealias ExternType = SwasmRuntime.ExternType
/// A WebAssembly value type.
public typealias ValueType = WasmModel.ValueType
/// A function signature.
public typealias FunctionType = WasmModel.FunctionType
/// A global's value type and mutability.
public typealias GlobalType = WasmModel.GlobalType
/// A memory's limits in pages.
public typealias MemoryType = WasmModel.MemoryType
/// A table's element type and limits.
public typealias TableType = WasmModel.TableType
/// Minimum and optional maximum.
public typealias Limits = WasmModel.Limits
/// How a WASI guest sees the world (arguments, environment, preopens, stdio).
public typealias WASIConfiguration = SwasmRuntime.WASIConfiguration
/// A module's import: module name, name and type.
public typealias ImportType = SwasmRuntime.ImportDescription
/// A module's export: name and type.
public typealias ExportType = SwasmRuntime.ExportDescription

/// Compiles WebAssembly modules with one configuration.
///
/// An engine is an immutable value: share it freely between threads and
/// stores. Every ``Module`` is compiled by (and remembers) an engine.
///
/// ```swift
/// var config = Engine.Config()
/// config.optimizationLevel = 1
/// let engine = Engine(config)
/// ```
public struct Engine: Sendable {
    /// The version string that is part of compilation cache keys.
    public static let version = "swasm-0.1/objfmt-\(SwasmABI.objectFormatVersion)"

    /// How out-of-bounds memory accesses are caught.
    public enum MemoryStrategy: Sendable, Hashable {
        /// Compile without bounds checks and reserve 4 GiB of addressable
        /// range plus a 4 GiB guard region per memory; hardware faults catch
        /// out-of-bounds accesses. Fastest, but each memory needs 8 GiB of
        /// address space: when it cannot be had (`ulimit -v`, very many
        /// memories), creating the memory fails with `MemoryError`.
        case guardRegion
        /// Compile every load and store with a check against the memory's
        /// current length, and reserve only what each memory's maximum
        /// needs (see ``Config/memoryReservation``).
        case explicitBoundsChecks
    }

    /// Compilation and execution settings.
    public struct Config: Sendable, Hashable {
        /// The optimization level (0, 1 or 2; default 2).
        public var optimizationLevel: Int = 2
        /// Threads the compiler may use for one module; nil: one per core.
        public var compilerJobs: Int? = nil
        /// The most native stack a call into wasm may use, in bytes; nil:
        /// the runtime's default. Deeper recursion traps with
        /// `callStackExhausted`.
        public var maximumStackSize: Int? = nil
        /// How modules are compiled and memories reserved. With
        /// ``MemoryStrategy/explicitBoundsChecks`` modules are compiled with
        /// explicit checks, and memories they define or the host creates
        /// (``Memory/init(_:type:)``) have no guard region. A module compiled
        /// elsewhere keeps the strategy it was compiled with; code compiled
        /// for guard regions refuses to import a memory without one.
        public var memoryStrategy: MemoryStrategy = .guardRegion
        /// The most address space, in bytes, one memory reserves under
        /// ``MemoryStrategy/explicitBoundsChecks``; nil: what the memory's
        /// maximum needs (4 GiB without a maximum), or as much of it as the
        /// address space allows. Memories never move, so `memory.grow` past
        /// the reservation fails (returns -1) although the maximum allows
        /// it. Ignored for guard regions, whose code needs the full 8 GiB.
        ///
        /// There is no guard-size setting: code compiled for guard regions
        /// relies on 4 GiB of guard (any 32-bit index plus offset must land
        /// inside the reservation), and code with explicit checks needs none.
        public var memoryReservation: UInt64? = nil
        /// Where compiled objects are cached, keyed by a hash of the wasm
        /// bytes, this configuration and ``Engine/version``; nil: no cache.
        public var cacheDirectory: String? = nil
        /// Compile loops with a check of the instance's interrupt flag, so
        /// that `Instance.interrupt()` can stop a runaway guest from another
        /// thread (an `interrupted` trap). Costs a load and a branch per
        /// loop iteration; off by default.
        public var interruptible: Bool = false
        /// Compile code that counts the fuel it uses and traps with
        /// `outOfFuel` when its store has none left (``Store/setFuel(_:)``;
        /// a store starts with none). Deterministic: each wasm operator
        /// executed costs the same on every machine and optimization level
        /// (docs/fuel-and-epochs.md). Off by default.
        public var consumeFuel: Bool = false
        /// Compile code that compares the engine's epoch
        /// (``Engine/incrementEpoch()``) with its store's deadline
        /// (``Store/setEpochDeadline(_:)``; 0 at first) at every function
        /// entry and loop head, and traps with `interrupted` or asks the
        /// store's callback when the deadline is reached. Off by default.
        public var epochInterruption: Bool = false
        /// Verify the checksum of every precompiled object loaded with this
        /// engine (``Module/deserialize(engine:trustedObject:)``, the cache):
        /// it was recorded at compile time over the code and the metadata,
        /// and checking it reads the whole object (O(code size)), so it is
        /// off by default. It notices accidental corruption, not a
        /// deliberate change: loading native code still means trusting it.
        public var verifyObjectChecksums: Bool = false
        /// The machine modules are compiled for (default: this one). With
        /// another, modules are cross-compiled: ``Module/serialize()`` gives
        /// the object for that machine, and instantiating them here throws.
        public var target: CodeTarget = .host

        /// The default configuration.
        public init() {}

        /// A configuration with the given settings.
        public init(optimizationLevel: Int = 2, maximumStackSize: Int? = nil,
                    memoryStrategy: MemoryStrategy = .guardRegion, memoryReservation: UInt64? = nil,
                    cacheDirectory: String? = nil, interruptible: Bool = false) {
            self.optimizationLevel = optimizationLevel
            self.maximumStackSize = maximumStackSize
            self.memoryStrategy = memoryStrategy
            self.memoryReservation = memoryReservation
            self.cacheDirectory = cacheDirectory
            self.interruptible = interruptible
        }
    }

    /// The engine's configuration.
    public let config: Config
    /// The epoch that code compiled with `Config.epochInterruption`
    /// measures deadlines against, shared by every copy of the engine.
    let epoch = EpochCounter()

    /// An engine with `config` (default: the default configuration).
    public init(_ config: Config = Config()) {
        self.config = config
    }

    /// Advances the engine's epoch by one tick: code compiled with
    /// `Config.epochInterruption` in any store of this engine whose deadline
    /// is now reached stops (or calls its store's deadline callback) at its
    /// next function entry or loop head. Safe from any thread, while wasm
    /// runs on others.
    public func incrementEpoch() { epoch.increment() }

    /// The current epoch (0 when the engine was made).
    public var currentEpoch: UInt64 { epoch.value }

    var compilerOptions: CompilerOptions {
        var options = CompilerOptions(optimizationLevel: config.optimizationLevel)
        if let jobs = config.compilerJobs { options.jobs = max(1, jobs) }
        options.interruptible = config.interruptible
        options.target = config.target
        options.consumeFuel = config.consumeFuel
        options.epochInterruption = config.epochInterruption
        options.boundsChecks = config.memoryStrategy == .explicitBoundsChecks ? .explicit : .guardRegion
        return options
    }

    /// The code settings this engine's modules need; objects with others are refused.
    var codeSettings: CodeSettings { compilerOptions.codeSettings }

    var runtimeStrategy: BoundsCheckStrategy {
        config.memoryStrategy == .guardRegion ? .guardRegion : .explicit
    }

    /// The cache key of `bytes` compiled with this engine: a 128-bit hex
    /// hash of the bytes, the code-affecting settings and the version.
    func cacheKey(for bytes: [UInt8]) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x8422_2325_cbf2_9ce4
        func mix(_ byte: UInt8) {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            b = (b ^ UInt64(byte) ^ (b >> 29)) &* 0x9e37_79b9_7f4a_7c15
        }
        let header = "\(Engine.version)|O\(config.optimizationLevel)|i\(config.interruptible)|f\(config.consumeFuel)|e\(config.epochInterruption)|b\(compilerOptions.boundsChecks.rawValue)|m\(config.target.elfMachine)|n\(bytes.count)|"
        for byte in header.utf8 { mix(byte) }
        for byte in bytes { mix(byte) }
        func hex(_ v: UInt64) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }
        return hex(a) + hex(b)
    }
}
