// swift-tools-version:6.1
// Coverage-guided fuzzers (libFuzzer) over swasm's entry points. A package of
// its own: an executable defining LLVMFuzzerTestOneInput links only with
// -sanitize=fuzzer, which the main build must not use. Built by
// `make fuzz-coverage` (see the Makefile for the flags).
import PackageDescription

let package = Package(
    name: "swasm-fuzz",
    dependencies: [.package(name: "swasm", path: "..")],
    targets: [
        .target(name: "CLibFuzzer"),
        .executableTarget(name: "fuzz-validate", dependencies: ["CLibFuzzer", .product(name: "SwasmFuzzTargets", package: "swasm")]),
        .executableTarget(name: "fuzz-compile", dependencies: ["CLibFuzzer", .product(name: "SwasmFuzzTargets", package: "swasm")]),
    ]
)
