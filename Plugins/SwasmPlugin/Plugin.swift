// SwasmPlugin: compiles the `.wat` and `.wasm` files of a Swift target ahead
// of time, at build time, with swasmc. Each module becomes a generated Swift
// file holding the native object and a typed struct over its exports
// (`swasmc --emit swift`, docs/swift-plugin.md), so the program runs the
// module's native code with no compilation at run time.
import Foundation
import PackagePlugin

@main
struct SwasmPlugin: BuildToolPlugin {
    static let moduleExtensions: Set<String> = ["wat", "wasm"]

    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let swasmc = try context.tool(named: "swasmc")
        let modules = target.sourceFiles.filter { Self.moduleExtensions.contains($0.url.pathExtension.lowercased()) }
        return modules.map { file in
            let base = file.url.deletingPathExtension().lastPathComponent
            // One generated file per module, named after it (two modules of
            // the same name in different folders would clash as types too).
            let output = context.pluginWorkDirectoryURL.appending(path: "\(base).swift")
            return .buildCommand(
                displayName: "Compiling \(file.url.lastPathComponent) with swasmc",
                executable: swasmc.url,
                arguments: ["--emit", "swift", "--quiet", file.url.path, "-o", output.path],
                inputFiles: [file.url],
                outputFiles: [output])
        }
    }
}
