// The machines swasm can generate code for, by the names the command line
// and the embedding API use. Objects record the ELF machine number; the
// loader compares it with the host's.

public enum CodeTarget: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case x86_64 = "x86_64-linux"
    case aarch64 = "aarch64-linux"

    /// The target named `name` ("x86_64-linux", "aarch64-linux").
    public init?(name: String) { self.init(rawValue: name) }

    public var name: String { rawValue }
    public var description: String { rawValue }

    /// The ELF `e_machine` of its objects (62 x86-64, 183 AArch64).
    public var elfMachine: UInt16 {
        switch self {
        case .x86_64: return 62
        case .aarch64: return 183
        }
    }

    /// The machine this program runs on (x86-64 where it is neither).
    public static var host: CodeTarget {
        #if arch(arm64)
        return .aarch64
        #else
        return .x86_64
        #endif
    }
}
