// The optimizer's pass list, in the order the passes run. Adding a pass is
// one line here.
//
//   lowered IR ─ copy-prop ─ const-fold ─ copy-prop ─ dce ─ IR for the backend
//
// Order constraints (checked by a test):
// - copy-prop before const-fold: folding sees through trivial block parameters.
// - dce last: folding and copy propagation leave dead instructions behind.
import SwasmIR

public struct Pass: Sendable {
    public var name: String
    /// Lowest optimization level that runs it; 0 means always (required).
    public var level: Int
    public var run: @Sendable (Function) -> Void
}

public enum Pipeline {
    public static let passes: [Pass] = [
        // Required: SSA construction leaves trivial block parameters, and
        // removing them makes every later stage faster, -O0 included.
        Pass(name: "copy-prop", level: 0, run: CopyPropagation.run),
        Pass(name: "const-fold", level: 1, run: ConstantFolding.run),
        Pass(name: "copy-prop", level: 1, run: CopyPropagation.run),
        Pass(name: "dce", level: 0, run: DeadCodeElimination.run),
    ]

    /// (earlier, later, why): each must hold in `passes`.
    public static let orderConstraints: [(String, String, String)] = [
        ("copy-prop", "const-fold", "folding sees through trivial block parameters only after they are removed"),
        ("const-fold", "dce", "folding leaves dead instructions for dce to remove"),
    ]

    public struct Options: Sendable {
        public var level: Int
        /// Run the verifier after every pass (on in debug builds).
        public var verify: Bool
        /// Called after each pass with its name (for --print-after).
        public var observer: (@Sendable (String, Function) -> Void)?

        public init(level: Int, verify: Bool = Pipeline.verifyByDefault, observer: (@Sendable (String, Function) -> Void)? = nil) {
            self.level = level
            self.verify = verify
            self.observer = observer
        }
    }

    #if DEBUG
    public static let verifyByDefault = true
    #else
    public static let verifyByDefault = false
    #endif

    /// Runs the passes for `options.level` on `function`.
    public static func run(_ function: Function, options: Options) throws(VerifierError) {
        if options.verify { try verify(function, after: "lowering") }
        for pass in passes where pass.level <= options.level {
            pass.run(function)
            if options.verify { try verify(function, after: pass.name) }
            options.observer?(pass.name, function)
        }
    }

    static func verify(_ function: Function, after pass: String) throws(VerifierError) {
        do {
            try Verifier.verify(function)
        } catch {
            throw VerifierError(function: error.function, message: "after \(pass): \(error.message)")
        }
    }
}
