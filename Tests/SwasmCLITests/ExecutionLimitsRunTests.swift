// The execution tests of Tests/filetests/run again, compiled with fuel and
// epoch checks (which add a hidden local, block parameters and calls to the
// code of every function), and with epoch checks alone (each one
// instruction whose helper call is out of line), at both optimization
// levels: the results and traps must not change. The limits given never
// stop anything.
import Foundation
import SwasmCompiler
import SwasmRuntime
import Testing
import WasmModel
import WasmText

@Suite struct ExecutionLimitsRunTests {
    @Test(arguments: FileTests.files("run", ".wat"), [0, 2])
    func codeWithFuelAndEpochChecksComputesTheSameResults(_ path: String, _ level: Int) throws {
        try check(path, level, fuel: true)
    }

    @Test(arguments: FileTests.files("run", ".wat"), [0, 2])
    func codeWithEpochChecksAloneComputesTheSameResults(_ path: String, _ level: Int) throws {
        try check(path, level, fuel: false)
    }

    func check(_ path: String, _ level: Int, fuel: Bool) throws {
        let source = try String(contentsOf: FileTests.root.appendingPathComponent(path), encoding: .utf8)
        let module = try Validator.decodeAndValidate(try WasmText.assemble(source))
        var options = CompilerOptions(optimizationLevel: level, jobs: 2, verify: true)
        options.consumeFuel = fuel
        options.epochInterruption = true
        let object = try Compiler.compileObject(module, options: options, prefix: "run")
        let limits = ExecutionLimits(fuel: 1 << 40)
        let instance = try Instance(module: try CompiledModule(text: object.code.text, metadata: object.metadata),
                                    imports: [], limits: limits)
        var used: Int64 = 0
        for expectation in RunTests.expectations(source) {
            let function = try #require(instance.export(named: expectation.function)?.function, "\(expectation)")
            let arguments = zip(expectation.arguments, function.type.parameters).map { RunTests.value($0, $1) }
            do {
                let results = try instance.call(function, arguments)
                #expect(expectation.trap == nil, "\(expectation) returned instead of trapping")
                let expected = zip(expectation.results, function.type.results).map { RunTests.value($0, $1) }
                #expect(results == expected, "\(expectation)")
            } catch let trap as Trap {
                #expect(trap.code.description == expectation.trap, "\(expectation) trapped: \(trap)")
            }
            guard fuel else { continue }
            #expect(limits.fuel <= (1 << 40) - used, "\(expectation) gave fuel back")
            used = (1 << 40) - limits.fuel
        }
    }
}
