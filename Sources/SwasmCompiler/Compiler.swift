// The compiler driver: validated module → IR per function → optimized IR →
// (backend) → object. Functions are independent after validation, so they
// are compiled in parallel and collected in index order: the output does
// not depend on the thread count.
import Dispatch
import Foundation
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

    public init(optimizationLevel: Int = 2, jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
                verify: Bool = Pipeline.verifyByDefault, passObserver: (@Sendable (String, Function) -> Void)? = nil) {
        self.optimizationLevel = optimizationLevel
        self.jobs = max(1, jobs)
        self.verify = verify
        self.passObserver = passObserver
    }
}

public struct CompileError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public enum Compiler {
    /// Lowers and optimizes every defined function; result in index order.
    public static func optimizedIR(for module: Module, options: CompilerOptions) throws -> [Function] {
        var configured = ModuleEnvironment(module)
        configured.interruptible = options.interruptible
        let environment = configured
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
