// WASI preview 1 (`wasi_snapshot_preview1`) for instances of compiled modules.
//
// The WASI functions are host functions (`Function(hostCode:type:)`): native
// `@convention(c)` functions that compiled code calls with its own VM
// context, from which they reach the caller's memory and, through
// `Instance.hostContext`, the `WASI` object holding the descriptor table,
// arguments and environment. Every guest pointer and length is checked
// against the memory's current length (EFAULT otherwise).
//
// Capabilities: file descriptors 0-2 are the configured stdio, 3... the
// preopened directories; paths are resolved component by component under a
// directory descriptor (WASIPaths.swift) and never leave it: absolute paths,
// `..` past the directory and symlinks leading out fail with EPERM, as in
// wasmtime. Stdio descriptors are streams shared with the host (no seeking,
// truncating or flags); every other call needs its right (ENOTCAPABLE).
// docs/wasi.md describes what a guest meets, limits included.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SwasmABI
import WasmModel

/// How a WASI instance sees the world (a plain value, shareable between
/// threads: each instance made from it gets its own WASI context).
public struct WASIConfiguration: Sendable {
    /// argv, including argv[0] (by convention the program's name).
    public var arguments: [String]
    /// The environment, as name/value pairs (passed as `NAME=VALUE`).
    public var environment: [(name: String, value: String)]
    /// Directories the guest may use: host path, and the name the guest sees.
    public var preopens: [(host: String, guest: String)]
    /// Host descriptors behind the guest's 0, 1 and 2 (duplicated: closing
    /// them in the guest leaves the host's open).
    public var stdin: Int32
    public var stdout: Int32
    public var stderr: Int32

    public init(arguments: [String] = [], environment: [(name: String, value: String)] = [],
                preopens: [(host: String, guest: String)] = [], stdin: Int32 = 0, stdout: Int32 = 1, stderr: Int32 = 2) {
        self.arguments = arguments
        self.environment = environment
        self.preopens = preopens
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Why WASI could not be set up or a module not linked against it.
public struct WASIError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// One open guest descriptor.
final class WASIDescriptor {
    /// The guest's stdin, stdout and stderr are streams: their host
    /// descriptors are shared with the host process (often the host's own
    /// stdio, or a log file it appends to), so the guest may only read or
    /// write them, never seek, truncate, change times or flags.
    enum Stream { case input, output }

    var hostFD: Int32
    let filetype: UInt8
    /// The guest name of a preopened directory.
    let preopenName: String?
    let stream: Stream?
    /// What the descriptor allows (`WASIRights`); they can only shrink.
    var rightsBase: UInt64
    /// The rights descriptors opened beneath this directory may get.
    var rightsInheriting: UInt64

    init(hostFD: Int32, filetype: UInt8, preopenName: String? = nil, stream: Stream? = nil,
         rightsBase: UInt64, rightsInheriting: UInt64) {
        self.hostFD = hostFD
        self.filetype = filetype
        self.preopenName = preopenName
        self.stream = stream
        self.rightsBase = rightsBase
        self.rightsInheriting = rightsInheriting
    }

    var isDirectory: Bool { filetype == WASIFiletype.directory }

    /// Throws unless the descriptor has every right in `rights`: ENOTCAPABLE,
    /// or EBADF for a stdio stream (as wasmtime answers for what a stream
    /// cannot do).
    func require(_ rights: UInt64) throws(WASIErrno) {
        guard rightsBase & rights == rights else { throw stream == nil ? .notcapable : .badf }
    }

    /// Throws ESPIPE for a stdio stream: no offsets on a shared descriptor.
    func requireSeekable() throws(WASIErrno) {
        if stream != nil { throw .spipe }
    }

    deinit { if hostFD >= 0 { close(hostFD) } }
}

/// A WASI context: give it to `Instance(module:imports:hostContext:)` (or
/// use `instantiate`/`run`). One per instance; not thread-safe.
public final class WASI {
    public static let moduleName = "wasi_snapshot_preview1"

    public let configuration: WASIConfiguration
    /// The code the guest passed to `proc_exit`, once it did (always in
    /// 0...125: another status is an error, not an exit; docs/wasi.md).
    public internal(set) var exitCode: Int32?
    var descriptors: [Int32: WASIDescriptor] = [:]
    let argumentBytes: [[UInt8]]
    let environmentBytes: [[UInt8]]

    /// Opens the preopened directories and duplicates the stdio descriptors.
    public init(_ configuration: WASIConfiguration) throws {
        self.configuration = configuration
        argumentBytes = configuration.arguments.map { Array($0.utf8) + [0] }
        environmentBytes = configuration.environment.map { Array("\($0.name)=\($0.value)".utf8) + [0] }
        for (guest, host) in [configuration.stdin, configuration.stdout, configuration.stderr].enumerated() {
            let fd = fcntl(host, F_DUPFD_CLOEXEC, 3)
            guard fd >= 0 else { continue }  // closed on the host: the guest gets EBADF
            // A terminal is a character device; anything else is a stream of
            // unknown type, whatever the host put there (as in wasmtime).
            let filetype = isatty(fd) == 1 ? WASIFiletype.characterDevice : WASIFiletype.unknown
            let stream: WASIDescriptor.Stream = guest == 0 ? .input : .output
            let rights = stream == .input ? WASIRights.fdRead : WASIRights.fdWrite
            descriptors[Int32(guest)] = WASIDescriptor(hostFD: fd, filetype: filetype, stream: stream,
                                                       rightsBase: rights, rightsInheriting: rights)
        }
        var next: Int32 = 3
        for (host, guest) in configuration.preopens {
            let fd = open(host, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else {
                throw WASIError("cannot open directory \(host): \(String(cString: strerror(errno)))")
            }
            descriptors[next] = WASIDescriptor(hostFD: fd, filetype: WASIFiletype.directory, preopenName: guest,
                                               rightsBase: WASIRights.directory,
                                               rightsInheriting: WASIRights.directory | WASIRights.file)
            next += 1
        }
    }

    static func filetype(ofHostFD fd: Int32) -> UInt8 {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return WASIFiletype.unknown }
        return filetype(mode: info.st_mode)
    }

    static func filetype(mode: mode_t) -> UInt8 {
        switch mode & S_IFMT {
        case S_IFREG: return WASIFiletype.regularFile
        case S_IFDIR: return WASIFiletype.directory
        case S_IFLNK: return WASIFiletype.symbolicLink
        case S_IFCHR: return WASIFiletype.characterDevice
        case S_IFBLK: return WASIFiletype.blockDevice
        case S_IFSOCK: return WASIFiletype.socketStream
        default: return WASIFiletype.unknown
        }
    }

    func descriptor(_ fd: Int32) throws(WASIErrno) -> WASIDescriptor {
        guard let entry = descriptors[fd] else { throw .badf }
        return entry
    }

    /// The lowest free guest descriptor number.
    func allocate(_ entry: WASIDescriptor) -> Int32 {
        var fd: Int32 = 0
        while descriptors[fd] != nil { fd += 1 }
        descriptors[fd] = entry
        return fd
    }

    // MARK: Linking and running

    /// The imports of `module` in import order: WASI functions for its
    /// `wasi_snapshot_preview1` imports, `other[module][name]` for the rest.
    /// Throws for a WASI function that does not exist or has another type,
    /// and for any other import not in `other`.
    public static func imports(for module: CompiledModule,
                               other: [WasmName: [WasmName: ExternValue]] = [:]) throws -> [ExternValue] {
        try module.imports.map { entry in
            if entry.module == moduleName {
                guard let (type, code) = WASIFunctions.table[entry.name] else {
                    throw WASIError("unknown WASI import \(entry.module).\(entry.name)")
                }
                guard case .function(let expected) = entry.type, expected == type else {
                    throw WASIError("WASI import \(entry.module).\(entry.name) has type \(entry.type), expected \(type)")
                }
                return .function(Function(hostCode: code, type: type))
            }
            guard let value = other[WasmName(entry.module)]?[WasmName(entry.name)] else {
                throw WASIError("unresolved import \(entry.module).\(entry.name)")
            }
            return value
        }
    }

    /// Instantiates `module` against this context (WASI imports and `other`),
    /// drawing fuel and epoch deadlines from `limits` (see `Instance.init`).
    public func instantiate(_ module: CompiledModule, other: [WasmName: [WasmName: ExternValue]] = [:],
                            limits: ExecutionLimits? = nil) throws -> Instance {
        try Instance(module: module, imports: Self.imports(for: module, other: other), hostContext: self, limits: limits)
    }

    /// Runs a command: calls `function` (default `_start`) of an instance made
    /// with this context and returns the exit code: the one given to
    /// `proc_exit`, or 0 when the function returned. Other traps are thrown.
    public func start(_ instance: Instance, function name: String = "_start") throws -> Int32 {
        guard let function = instance.export(named: name)?.function else {
            throw WASIError("the module exports no function \"\(name)\"")
        }
        guard function.type.parameters.isEmpty else {
            throw WASIError("\(name) takes parameters (\(function.type))")
        }
        return try exitStatus { _ = try function.call([]) } ?? 0
    }

    /// Instantiates `module` and runs `_start`; returns the exit code (also
    /// when a start function calls `proc_exit`).
    public func run(_ module: CompiledModule) throws -> Int32 {
        var code: Int32 = 0
        if let exited = try exitStatus({ code = try start(try instantiate(module)) }) { return exited }
        return code
    }

    /// Runs `body`; a `proc_exit` in it (a `Trap` with code `.exit`) becomes
    /// the returned exit code, nil when `body` finished without one. Other
    /// errors are thrown.
    public func exitStatus(_ body: () throws -> Void) throws -> Int32? {
        do {
            try body()
            return nil
        } catch let trap as Trap where trap.code == .exit {
            return exitCode ?? 0
        }
    }
}
