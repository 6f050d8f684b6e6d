import SwasmABI
import Testing
@testable import SwasmRuntime

@Suite struct LinearMemoryTests {
    @Test func growsWithinLimitsAndReportsOldSize() throws {
        let memory = try LinearMemory(minimumPages: 1, maximumPages: 3)
        #expect(memory.byteCount == 65536)
        #expect(memory.grow(by: 1) == 1)
        #expect(memory.grow(by: 1) == 2)
        #expect(memory.grow(by: 1) == nil)
        #expect(memory.grow(by: 0) == 3)
        #expect(memory.pageCount == 3)
    }

    @Test func guardRegionIsTheDefault() throws {
        let memory = try LinearMemory(minimumPages: 0, maximumPages: nil)
        #expect(memory.strategy == .guardRegion)
        #expect(memory.grow(by: 65537) == nil)
        #expect(memory.grow(by: 2) == 0)
    }

    @Test func readsAndWritesAreBoundsChecked() throws {
        let memory = try LinearMemory(minimumPages: 1, maximumPages: 2)
        #expect(memory.write([1, 2, 3], at: 65533))
        #expect(!memory.write([1, 2, 3, 4], at: 65533))
        #expect(memory.read(at: 65533, count: 3) == [1, 2, 3])
        #expect(memory.read(at: 65534, count: 3) == nil)
        #expect(memory.read(at: UInt64.max, count: 2) == nil)
        // Growing makes the next page accessible and zeroed.
        #expect(memory.grow(by: 1) == 1)
        #expect(memory.read(at: 65536, count: 4) == [0, 0, 0, 0])
    }

    @Test func explicitStrategyReservesOnlyTheMaximum() throws {
        let memory = try LinearMemory(minimumPages: 1, maximumPages: 1, strategy: .explicit)
        #expect(memory.strategy == .explicit)
        #expect(memory.reservedBytes == 2 * SwasmABI.pageSize)
    }

    @Test func rejectsLimitsBeyondFourGiB() {
        #expect(throws: MemoryError.limitsTooLarge(pages: 65537)) {
            _ = try LinearMemory(minimumPages: 65537, maximumPages: nil)
        }
    }

    @Test func manyReservationsCanCoexist() throws {
        // Each guard-region memory takes 8 GiB of address space; a process
        // must be able to hold many at once.
        let memories = try (0..<200).map { _ in try LinearMemory(minimumPages: 1, maximumPages: nil) }
        #expect(memories.allSatisfy { $0.strategy == .guardRegion })
    }
}

@Suite struct ABITests {
    @Test func exportSymbolsAreInjectiveCIdentifiers() {
        #expect(SwasmABI.exportSymbol(prefix: "mod", name: "add") == "mod_add")
        #expect(SwasmABI.exportSymbol(prefix: "mod", name: "a_b") == "mod_a__b")
        #expect(SwasmABI.exportSymbol(prefix: "mod", name: "a-b") == "mod_a_2Db")
        #expect(SwasmABI.exportSymbol(prefix: "", name: "1x") == "_1x")
        #expect(SwasmABI.exportSymbol(prefix: "", name: "a_2Db") != SwasmABI.exportSymbol(prefix: "", name: "a-b"))
    }

    @Test func trapCodesHaveSpecWording() {
        #expect(TrapCode.integerDivideByZero.description == "integer divide by zero")
        #expect(Set(TrapCode.allCases.map(\.rawValue)).count == TrapCode.allCases.count)
    }
}
