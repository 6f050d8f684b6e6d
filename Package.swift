// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "swasm",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "swasmc", targets: ["swasmc"]),
        .executable(name: "swasm", targets: ["swasm"]),
        .executable(name: "swasm-spec", targets: ["swasm-spec"]),
        .library(name: "WasmModel", targets: ["WasmModel"]),
        .library(name: "SwasmRuntime", targets: ["SwasmRuntime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/swiftwasm/WasmKit", exact: "0.4.2"),
    ],
    targets: [
        // Module data types, binary decoder and validator.
        .target(name: "WasmModel"),
        // Text format (.wat) input, turned into binary bytes for WasmModel.
        .target(name: "WasmText", dependencies: [.product(name: "WAT", package: "WasmKit")]),
        // The contract between compiled code and the runtime.
        .target(name: "SwasmABI"),
        // Runtime library: linear memories, traps, and (later) the loader and embedding API.
        .target(name: "SwasmRuntime", dependencies: ["SwasmABI"], path: "runtime/Sources/SwasmRuntime"),
        // Spec testsuite harness, shared by `swasm-spec` and the tests.
        .target(name: "SwasmSpec", dependencies: ["WasmModel"]),
        // Command-line front ends as a library, so each executable is one small file.
        .target(name: "SwasmCLI", dependencies: [
            "WasmModel", "WasmText", "SwasmABI", "SwasmRuntime", "SwasmSpec",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "swasmc", dependencies: ["SwasmCLI"]),
        .executableTarget(name: "swasm", dependencies: ["SwasmCLI"]),
        .executableTarget(name: "swasm-spec", dependencies: ["SwasmCLI"]),
        .testTarget(name: "WasmModelTests", dependencies: ["WasmModel", "SwasmSpec", "WasmText"]),
        .testTarget(name: "SwasmRuntimeTests", dependencies: ["SwasmRuntime", "SwasmABI"]),
        .testTarget(name: "SwasmCLITests", dependencies: ["SwasmCLI", "WasmText", "WasmModel"]),
    ]
)
