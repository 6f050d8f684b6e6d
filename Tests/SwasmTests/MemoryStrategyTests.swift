// Engine.Config.memoryStrategy decides how modules are compiled as well as
// how memories are reserved: code compiled for guard regions must never be
// linked with a memory that has none.
import Foundation
import Testing
import Swasm

@Suite struct MemoryStrategyTests {
    static let importer = """
        (module
          (import "env" "memory" (memory 1 8))
          (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0))))
        """

    static func engine(_ strategy: Engine.MemoryStrategy, cache: String? = nil, reservation: UInt64? = nil) -> Engine {
        var config = Engine.Config()
        config.memoryStrategy = strategy
        config.cacheDirectory = cache
        config.memoryReservation = reservation
        return Engine(config)
    }

    /// Instantiates `importer` with a memory the host made under the same engine.
    static func instantiate(_ engine: Engine) throws -> (Instance, Memory) {
        let store = Store(engine: engine)
        let memory = try Memory(store, type: MemoryType(limits: Limits(min: 1, max: 8)))
        let module = try Module(engine: engine, text: importer)
        return (try Instance(store, module: module, imports: [.memory(memory)]), memory)
    }

    @Test func explicitEnginesCompileCheckedCode() throws {
        let (instance, memory) = try Self.instantiate(Self.engine(.explicitBoundsChecks))
        let peek = try instance.typedFunc("peek", Int32.self, Int32.self)
        #expect(try peek(65535) == 0)
        #expect(throws: Trap.self) { try peek(65536) }
        try memory.grow(by: 1)
        #expect(try peek(65536) == 0)
        // Guard-region code with the same unguarded memory is refused.
        let guardEngine = Self.engine(.guardRegion)
        let module = try Module(engine: guardEngine, text: Self.importer)
        #expect(throws: LinkError.self) {
            _ = try Instance(Store(engine: guardEngine), module: module, imports: [.memory(memory)])
        }
    }

    @Test func theCacheKeepsStrategiesApart() throws {
        let directory = temporaryPath("strategy-cache")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try Self.instantiate(Self.engine(.guardRegion, cache: directory))
        // A guard-compiled object from the cache would refuse the memory.
        _ = try Self.instantiate(Self.engine(.explicitBoundsChecks, cache: directory))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).count == 2)
    }

    @Test func theReservationCapsGrowth() throws {
        let engine = Self.engine(.explicitBoundsChecks, reservation: 3 * 65536)
        let memory = try Memory(Store(engine: engine), type: MemoryType(limits: Limits(min: 1, max: 8)))
        #expect(try memory.grow(by: 2) == 1)
        #expect(throws: (any Error).self) { try memory.grow(by: 1) }
        let module = try Module(engine: engine, text: """
            (module (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
            """)
        let grow = try Instance(Store(engine: engine), module: module).typedFunc("grow", Int32.self, Int32.self)
        #expect(try grow(3) == -1)
        #expect(try grow(2) == 1)
    }
}
