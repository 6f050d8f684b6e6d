// swift-tools-version:6.1
// A Swift program that ships a WebAssembly module as native code: the
// SwasmPlugin build tool plugin compiles Sources/PluginSample/arith.wat with
// swasmc when the target builds, and generates the `Arith` struct.
import PackageDescription

let package = Package(
    name: "swift-plugin-sample",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swasm", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "PluginSample",
            dependencies: [.product(name: "Swasm", package: "swasm")],
            plugins: [.plugin(name: "SwasmPlugin", package: "swasm")]),
    ]
)
