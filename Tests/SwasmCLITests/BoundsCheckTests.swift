// Code compiled with explicit bounds checks traps exactly at the end of the
// memory's current length. The memory under test has guard-region pages, and
// the pages past its length are made accessible, so an access that the code
// failed to check would succeed instead of faulting: only the compiled
// checks can make these tests pass.
#if canImport(Glibc)
import Glibc
#endif
import SwasmABI
import SwasmCompiler
import SwasmRuntime
import Testing
import WasmModel
import WasmText

@Suite struct BoundsCheckTests {
    static let source = """
        (module
          (import "env" "memory" (memory 1 4))
          (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
          (func (export "load32") (param i32) (result i32) (i32.load (local.get 0)))
          (func (export "loadf64") (param i32) (result f64) (f64.load offset=65528 (local.get 0)))
          (func (export "loadFar") (param i32) (result i32) (i32.load offset=4294967295 (local.get 0)))
          (func (export "store16") (param i32 i32) (i32.store16 (local.get 0) (local.get 1)))
          (func (export "store64") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
        """

    static func compile(_ text: String, _ boundsChecks: CompilerOptions.BoundsChecks) throws -> CompiledModule {
        let module = try Validator.decodeAndValidate(try WasmText.assemble(text))
        var options = CompilerOptions(optimizationLevel: 2, jobs: 1)
        options.boundsChecks = boundsChecks
        let object = try Compiler.compileObject(module, options: options, prefix: "b")
        return try CompiledModule(text: object.code.text, metadata: object.metadata)
    }

    /// A 1-page guard-region memory whose pages up to the declared maximum
    /// and one more are readable and writable although not yet grown into.
    static func openMemory() throws -> Memory {
        let memory = try Memory(type: MemoryType(limits: Limits(min: 1, max: 4)))
        try #require(mprotect(memory.base, 5 * SwasmABI.pageSize, PROT_READ | PROT_WRITE) == 0)
        return memory
    }

    func trapCode(_ body: () throws -> Void) -> TrapCode? {
        do { try body() } catch let trap as Trap { return trap.code } catch { Issue.record("\(error)") }
        return nil
    }

    @Test func loadsTrapExactlyPastTheEnd() throws {
        let memory = try Self.openMemory()
        let instance = try Instance(module: try Self.compile(Self.source, .explicit), imports: [.memory(memory)])
        #expect(instance.module.usesExplicitBoundsChecks)
        #expect(memory.write([0xAB], at: 65535))
        #expect(try instance.call("load8", [.i32(65535)]) == [.i32(0xAB)])
        #expect(trapCode { _ = try instance.call("load8", [.i32(65536)]) } == .memoryOutOfBounds)
        #expect(try instance.call("load32", [.i32(65532)]) == [.i32(0xAB00_0000)])
        #expect(trapCode { _ = try instance.call("load32", [.i32(65533)]) } == .memoryOutOfBounds)
        #expect(trapCode { _ = try instance.call("load32", [.i32(UInt32.max)]) } == .memoryOutOfBounds)
        // Offset and index add up in 64 bits: no wrap back into the memory.
        #expect(try instance.call("loadf64", [.i32(0)]) != nil)
        #expect(trapCode { _ = try instance.call("loadf64", [.i32(1)]) } == .memoryOutOfBounds)
        #expect(trapCode { _ = try instance.call("loadFar", [.i32(1)]) } == .memoryOutOfBounds)
        #expect(trapCode { _ = try instance.call("loadFar", [.i32(UInt32.max)]) } == .memoryOutOfBounds)
    }

    @Test func aStoreStraddlingTheEndWritesNothing() throws {
        let memory = try Self.openMemory()
        let instance = try Instance(module: try Self.compile(Self.source, .explicit), imports: [.memory(memory)])
        #expect(memory.write([1, 2, 3], at: 65533))
        (memory.base + 65536).storeBytes(of: 0x5A5A_5A5A_5A5A_5A5A, as: UInt64.self)
        #expect(trapCode { _ = try instance.call("store64", [.i32(65533), .i64(UInt64.max)]) } == .memoryOutOfBounds)
        #expect(trapCode { _ = try instance.call("store16", [.i32(65535), .i32(UInt32.max)]) } == .memoryOutOfBounds)
        #expect(memory.read(at: 65533, count: 3) == [1, 2, 3])
        #expect((memory.base + 65536).load(as: UInt64.self) == 0x5A5A_5A5A_5A5A_5A5A)
        _ = try instance.call("store16", [.i32(65534), .i32(0x0908)])
        #expect(memory.read(at: 65533, count: 3) == [1, 8, 9])
    }

    @Test func growingMovesTheBound() throws {
        let memory = try Self.openMemory()
        let instance = try Instance(module: try Self.compile(Self.source, .explicit), imports: [.memory(memory)])
        #expect(try instance.call("grow", [.i32(1)]) == [.i32(1)])
        #expect(try instance.call("load8", [.i32(131_071)]) == [.i32(0)])
        #expect(trapCode { _ = try instance.call("load8", [.i32(131_072)]) } == .memoryOutOfBounds)
        // Growth by the host reaches the compiled code too.
        #expect(memory.grow(by: 1) == 2)
        #expect(try instance.call("load32", [.i32(196_604)]) == [.i32(0)])
        #expect(trapCode { _ = try instance.call("load32", [.i32(196_605)]) } == .memoryOutOfBounds)
    }

    @Test func definedMemoriesFollowTheCompiledStrategy() throws {
        let source = "(module (memory (export \"m\") 1 3) (func (export \"f\") (result i32) (i32.load (i32.const 0))))"
        let explicit = try Instance(module: try Self.compile(source, .explicit), imports: [])
        let explicitMemory = try #require(explicit.export(named: "m")?.memory)
        #expect(explicitMemory.storage.strategy == .explicit)
        #expect(explicitMemory.storage.reservedPages == 3)
        let guarded = try Instance(module: try Self.compile(source, .guardRegion), imports: [])
        #expect(!guarded.module.usesExplicitBoundsChecks)
        #expect(try #require(guarded.export(named: "m")?.memory).storage.strategy == .guardRegion)
        // A reservation cap limits growth, never the minimum.
        let capped = try Instance(module: try Self.compile(source, .explicit), imports: [], memoryReservation: 2 * 65536)
        let cappedMemory = try #require(capped.export(named: "m")?.memory)
        #expect(cappedMemory.grow(by: 1) == 1)
        #expect(cappedMemory.grow(by: 1) == nil)
    }

    @Test func guardCodeRefusesAMemoryWithoutGuard() throws {
        let unguarded = try Memory(type: MemoryType(limits: Limits(min: 1, max: 4)), strategy: .explicit)
        #expect(throws: LinkError.self) {
            _ = try Instance(module: try Self.compile(Self.source, .guardRegion), imports: [.memory(unguarded)])
        }
        do {
            _ = try Instance(module: try Self.compile(Self.source, .guardRegion), imports: [.memory(unguarded)])
        } catch {
            #expect("\(error)".contains("--bounds-checks explicit"), "\(error)")
        }
        let instance = try Instance(module: try Self.compile(Self.source, .explicit), imports: [.memory(unguarded)])
        #expect(trapCode { _ = try instance.call("load8", [.i32(65536)]) } == .memoryOutOfBounds)
    }
}
