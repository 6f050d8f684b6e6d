// The compiler driver: validated module → IR per function → optimized IR →
// (backend) → object. Functions are independent after validation, so they
// are compiled in parallel and collected in index order: the output does
// not depend on the thread count.
import Dispatch
import Foundation
import SwasmABI
import SwasmIR
import SwasmOpt
import WasmModel

public struct CompilerOptions: Sendable {
    public var optimizationLevel: Int
    public var jobs: Int
    public var verify: Bool
    /// Called after each pass of each function (for --print-after).
    public var passObserver: (@Sendable (String, Function) -> Void)?
    /// Called as functions finish: (done, total), from any thread.
    public var progress: (@Sendable (Int, Int) -> Void)?
    /// Check the instance's interrupt flag at every loop head (see
    /// `Instance.interrupt()`), so that the host can stop runaway guests.
    public var interruptible = false
    /// Count the fuel each function uses in the store's execution limits
    /// and trap with `outOfFuel` when it runs out (docs/fuel-and-epochs.md).
    public var consumeFuel = false
    /// Compare the engine's epoch with the store's deadline at every
    /// function entry and loop head (docs/fuel-and-epochs.md).
    public var epochInterruption = false
    /// How compiled code keeps linear-memory accesses in bounds.
    public var boundsChecks: BoundsChecks = .guardRegion
    /// The machine to generate code for (default: this one). A target
    /// whose backend does not exist yet is refused as `.unsupported`.
    public var target: CodeTarget = .host

    /// How compiled code catches out-of-bounds linear-memory accesses.
    public enum BoundsChecks: String, Sendable, CaseIterable {
        /// Accesses are not checked: the runtime must reserve 4 GiB plus a
        /// 4 GiB guard region per memory, so any 32-bit index plus offset
        /// lands in inaccessible pages and faults.
        case guardRegion = "guard"
        /// Every access compares its end with the memory's current length
        /// and traps before touching memory; the runtime reserves only what
        /// the memory's maximum needs.
        case explicit
    }

    public init(optimizationLevel: Int = 2, jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
                verify: Bool = Pipeline.verifyByDefault, passObserver: (@Sendable (String, Function) -> Void)? = nil) {
        self.optimizationLevel = optimizationLevel
        self.jobs = max(1, jobs)
        self.verify = verify
        self.passObserver = passObserver
    }
}

extension CompilerOptions {
    /// The settings of these options that shape the code, as objects record them.
    public var codeSettings: CodeSettings {
        CodeSettings(boundsChecks: boundsChecks == .explicit ? .explicit : .guardRegion, interruptible: interruptible,
                     consumeFuel: consumeFuel, epochInterruption: epochInterruption)
    }
}

public struct CompileError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension ModuleEnvironment {
    /// The environment of `module` with the code-shaping settings of `options`.
    init(_ module: Module, options: CompilerOptions) {
        self.init(module)
        interruptible = options.interruptible
        consumeFuel = options.consumeFuel
        epochInterruption = options.epochInterruption
        explicitBoundsChecks = options.boundsChecks == .explicit
    }
}

public enum Compiler {
    /// Lowers and optimizes every defined function; result in index order.
    public static func optimizedIR(for module: Module, options: CompilerOptions) throws -> [Function] {
        try SupportCheck.check(module)
        let environment = ModuleEnvironment(module, options: options)
        let count = module.bodies.count
        return try parallelMap(count, jobs: options.jobs) { i in
            let index = environment.importedFunctionCount + i
            let function = try FunctionLowering.lower(environment, functionIndex: index)
            try Pipeline.run(function, options: Pipeline.Options(
                level: options.optimizationLevel, verify: options.verify, observer: options.passObserver))
            return function
        }
    }

    /// The IR of every function as text.
    public static func irText(for module: Module, options: CompilerOptions) throws -> String {
        try optimizedIR(for: module, options: options).map(Printer.print).joined(separator: "\n")
    }
}

/// Runs `body` for 0..<count on up to `jobs` threads with large stacks;
/// results in index order; the first error (lowest index) is rethrown.
final class ParallelResults<T>: @unchecked Sendable {
    let lock = NSLock()
    var next = 0
    var done = 0
    var results: [Result<T, Error>?]
    init(_ count: Int) { results = Array(repeating: nil, count: count) }
}

func parallelMap<T>(_ count: Int, jobs: Int, progress: (@Sendable (Int, Int) -> Void)? = nil,
                    _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
    let shared = ParallelResults<T>(count)
    let work: @Sendable () -> Void = {
        while true {
            shared.lock.lock()
            let i = shared.next
            shared.next += 1
            shared.lock.unlock()
            if i >= count { return }
            let result = Result { try body(i) }
            shared.lock.lock()
            shared.results[i] = result
            shared.done += 1
            let done = shared.done
            shared.lock.unlock()
            progress?(done, count)
        }
    }
    let threads = min(jobs, max(count, 1))
    if threads <= 1 {
        work()
    } else {
        let group = DispatchGroup()
        for _ in 0..<threads {
            group.enter()
            let thread = Thread {
                work()
                group.leave()
            }
            thread.stackSize = 64 << 20
            thread.start()
        }
        group.wait()
    }
    return try shared.results.map { try $0!.get() }
}
