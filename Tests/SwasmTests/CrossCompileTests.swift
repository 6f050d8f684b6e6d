// Engine.Config.target: an engine for another machine cross-compiles.
// Module.serialize() gives that machine's object, which this host's loader
// refuses by name, and instantiating the module here is refused as well.
import Foundation
import Swasm
import SwasmABI
import Testing

@Suite struct CrossCompileTests {
    static let text = #"(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))"#

    static var other: CodeTarget { CodeTarget.host == .x86_64 ? .aarch64 : .x86_64 }

    @Test func anotherTargetGivesItsObjectAndIsNotRunHere() throws {
        var config = Engine.Config()
        config.target = Self.other
        let engine = Engine(config)
        let module: Module
        do {
            module = try Module(engine: engine, text: Self.text)
        } catch ModuleError.compilationFailed(let reason) {
            // A target without a code generator is refused by name, never
            // compiled for this machine instead.
            #expect(Self.other == .aarch64 && reason.contains("AArch64 code generation is not implemented yet"), "\(reason)")
            return
        }
        let object = module.serialize()
        #expect(Array(object.prefix(4)) == [0x7f, 0x45, 0x4c, 0x46])
        #expect(UInt16(object[18]) | UInt16(object[19]) << 8 == Self.other.elfMachine)
        #expect(module.exports.map(\.name) == ["add"])
        #expect(throws: (any Error).self) { _ = try Instance(Store(engine: engine), module: module) }
        do {
            _ = try Instance(Store(engine: engine), module: module)
        } catch {
            #expect("\(error)".contains("cannot be instantiated on this host"), "\(error)")
        }
        do {
            _ = try Module.deserialize(engine: Engine(), trustedObject: object)
            Issue.record("an object for \(Self.other) loaded on \(CodeTarget.host)")
        } catch {
            #expect("\(error)".contains("object is for \(Self.other == .aarch64 ? "aarch64" : "x86_64")"), "\(error)")
        }
    }

    @Test func theHostTargetIsTheDefault() throws {
        #expect(Engine.Config().target == .host)
        let module = try Module(engine: Engine(), text: Self.text)
        let object = module.serialize()
        #expect(UInt16(object[18]) | UInt16(object[19]) << 8 == CodeTarget.host.elfMachine)
    }
}
