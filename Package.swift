// swift-tools-version:6.1
import PackageDescription

// The compiler's own targets can skip the run-time exclusivity checks in
// release builds: every access to a `Function`'s arrays (a class's
// properties) goes through swift_beginAccess, 15-20% of compile time. A
// function is built and compiled by one thread, and debug builds (with the
// tests and the verifier after every pass) keep the checks. Only when asked
// (`make release` sets SWASM_FAST_COMPILER=1): SwiftPM refuses a dependency
// whose manifest has unsafe flags, and programs embed swasm as a dependency.
let fastCompiler = Context.environment["SWASM_FAST_COMPILER"] == "1"
let compilerSettings: [SwiftSetting] = fastCompiler
    ? [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))] : []

let package = Package(
    name: "swasm",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "swasmc", targets: ["swasmc"]),
        .executable(name: "swasm", targets: ["swasm"]),
        .executable(name: "swasm-spec", targets: ["swasm-spec"]),
        .library(name: "WasmModel", targets: ["WasmModel"]),
        .library(name: "SwasmRuntime", targets: ["SwasmRuntime"]),
        // The runtime with its C API, for C programs: libswasmrt.a (docs/c-api.md).
        .library(name: "swasmrt", type: .static, targets: ["SwasmCAPI"]),
        .executable(name: "swasm-config", targets: ["swasm-config"]),
        // The Swift embedding API modelled on wasmtime's (Engine, Module, Store, Linker, ...).
        .library(name: "Swasm", targets: ["Swasm"]),
        // Compiles a Swift target's .wat/.wasm files with swasmc at build time (docs/swift-plugin.md).
        .plugin(name: "SwasmPlugin", targets: ["SwasmPlugin"]),
        // The fuzzers' entry points, for the separate Fuzz/ package.
        .library(name: "SwasmFuzzTargets", targets: ["SwasmFuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        // Only WAT (text to binary, in memory) is used, so none of WasmKit's traits. With its
        // default traits, `swift build` and a plugin's build (make docs) pass their -D flags in
        // different orders, and each rebuilds WasmKit's modules after the other.
        .package(url: "https://github.com/swiftwasm/WasmKit", exact: "0.4.2", traits: []),
        // `swift package generate-documentation` (make docs).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", exact: "1.5.0"),
    ],
    targets: [
        // Module data types, binary decoder and validator.
        .target(name: "WasmModel"),
        // Text format (.wat) input, turned into binary bytes for WasmModel.
        .target(name: "WasmText", dependencies: [.product(name: "WAT", package: "WasmKit")]),
        // The contract between compiled code and the runtime.
        .target(name: "SwasmABI"),
        // SSA IR: types, functions, builder, printer, parser, verifier.
        .target(name: "SwasmIR", dependencies: ["SwasmABI"], swiftSettings: compilerSettings),
        // Optimization passes over the IR, run in the order Pipeline.swift lists.
        .target(name: "SwasmOpt", dependencies: ["SwasmIR"], swiftSettings: compilerSettings),
        // Instruction selection, register allocation, frame layout, encoders (X64/, later AArch64/).
        .target(name: "SwasmCodegen", dependencies: ["SwasmIR", "SwasmABI"], swiftSettings: compilerSettings),
        // libelf from Debian's libelf-dev.
        .systemLibrary(name: "CLibElf", providers: [.apt(["libelf-dev"])]),
        // Relocatable ELF objects written with libelf.
        .target(name: "SwasmObject", dependencies: ["CLibElf"]),
        // The compiler driver: lowering wasm to IR, the pass pipeline, parallel codegen, output.
        .target(name: "SwasmCompiler", dependencies: [
            "WasmModel", "SwasmIR", "SwasmOpt", "SwasmCodegen", "SwasmObject", "SwasmABI",
        ], swiftSettings: compilerSettings),
        // The runtime's C and assembly side: host entry trampoline, signal handling, trap unwinding.
        .target(name: "CSwasmRuntime", path: "runtime/Sources/CSwasmRuntime"),
        // Runtime library: loader, memories, tables, traps, instances, embedding API.
        .target(name: "SwasmRuntime", dependencies: ["SwasmABI", "CSwasmRuntime", "WasmModel"], path: "runtime/Sources/SwasmRuntime"),
        // The C API (swasm.h): its header, and the C half (per-thread last trap).
        .target(name: "CSwasmCAPI", path: "runtime/Sources/CSwasmCAPI"),
        // The C API's implementation over SwasmRuntime (@_cdecl functions).
        .target(name: "SwasmCAPI", dependencies: ["CSwasmCAPI", "SwasmRuntime", "SwasmABI", "WasmModel"],
                path: "runtime/Sources/SwasmCAPI"),
        // Spec testsuite harness, shared by `swasm-spec` and the tests.
        .target(name: "SwasmSpec", dependencies: ["WasmModel", "SwasmCompiler", "SwasmRuntime"]),
        // Command-line front ends as a library, so each executable is one small file.
        .target(name: "SwasmCLI", dependencies: [
            "WasmModel", "WasmText", "SwasmABI", "SwasmRuntime", "SwasmSpec", "SwasmCompiler", "SwasmObject",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "swasmc", dependencies: ["SwasmCLI"]),
        .executableTarget(name: "swasm", dependencies: ["SwasmCLI"]),
        .executableTarget(name: "swasm-spec", dependencies: ["SwasmCLI"]),
        // Prints the flags for compiling and linking C programs with the runtime.
        .executableTarget(name: "swasm-config", dependencies: ["SwasmCLI"]),
        .executableTarget(name: "swasm-embed-sample", dependencies: ["SwasmCompiler", "SwasmRuntime", "WasmModel", "WasmText"],
                          path: "samples/swift-embed"),
        // The Swift embedding API: Engine, Module, Store, Linker, Func, Memory... (README "Embedding API").
        // Swift 6 mode (the tools version's default, pinned): its Sendable
        // conformances and the tests that rely on them are checked strictly.
        .target(name: "Swasm", dependencies: ["SwasmCompiler", "SwasmRuntime", "WasmModel", "WasmText", "SwasmABI"],
                swiftSettings: [.swiftLanguageMode(.v6)]),
        // Build tool plugin: each .wat/.wasm of a target becomes Swift code with the
        // compiled object and typed wrappers (`swasmc --emit swift`).
        .plugin(name: "SwasmPlugin", capability: .buildTool(), dependencies: ["swasmc"]),
        .executableTarget(name: "swasm-embedding-sample", dependencies: ["Swasm"], path: "samples/embedding"),
        // The programs the Swasm documentation's articles show (Sources/Swasm/Swasm.docc), run by `make samples`.
        .executableTarget(name: "swasm-docs-examples", dependencies: ["Swasm"], path: "samples/docs-examples",
                          exclude: ["check-articles.py"]),
        // Time per instance through the embedding API (bench/instantiate.py).
        .executableTarget(name: "swasm-instantiate-bench", dependencies: ["Swasm"], path: "bench/instantiate"),
        // What the coverage-guided fuzzers (Fuzz/) run on each input.
        .target(name: "SwasmFuzzTargets", dependencies: ["WasmModel", "SwasmCompiler"]),
        .testTarget(name: "SwasmFuzzTests", dependencies: ["SwasmFuzzTargets"]),
        .testTarget(name: "SwasmTests", dependencies: ["Swasm", "SwasmRuntime", "WasmModel"],
                    swiftSettings: [.swiftLanguageMode(.v6)]),
        .testTarget(name: "WasmModelTests", dependencies: ["WasmModel", "SwasmSpec", "WasmText"]),
        .testTarget(name: "SwasmRuntimeTests", dependencies: ["SwasmRuntime", "SwasmABI", "CSwasmRuntime"]),
        .testTarget(name: "SwasmIRTests", dependencies: ["SwasmIR", "SwasmOpt"]),
        .testTarget(name: "SwasmCodegenTests", dependencies: ["SwasmCodegen", "SwasmIR"]),
        .testTarget(name: "SwasmObjectTests", dependencies: ["SwasmObject"]),
        .testTarget(name: "SwasmCLITests", dependencies: ["SwasmCLI", "SwasmSpec", "SwasmCAPI", "WasmText", "WasmModel", "SwasmCompiler", "SwasmIR", "SwasmOpt", "SwasmRuntime"],
                    exclude: []),
    ]
)
