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
        // main.swift holds only the entry point; libFuzzer brings main().
        .executableTarget(name: "fuzz-validate", dependencies: [.product(name: "SwasmFuzzTargets", package: "swasm")],
                          swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
        .executableTarget(name: "fuzz-compile", dependencies: [.product(name: "SwasmFuzzTargets", package: "swasm")],
                          swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
    ]
)
