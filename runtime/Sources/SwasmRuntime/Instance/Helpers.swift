// The runtime helpers compiled code calls through the helper table
// (HelperID), with the C calling convention and vmctx first. Bulk operations
// check bounds before writing anything and return 0, or the TrapCode raw
// value (non-zero) for compiled code to raise. Grow operations return the
// old size or 0xFFFF_FFFF.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SwasmABI

enum InstanceHelpers {
    typealias Context = UnsafeMutableRawPointer?
    typealias Reference = UInt64

    /// The process-wide helper table every VM context points to.
    nonisolated(unsafe) static let table: UnsafeMutablePointer<UnsafeRawPointer?> = {
        let table = UnsafeMutablePointer<UnsafeRawPointer?>.allocate(capacity: HelperID.allCases.count)
        table.initialize(repeating: nil, count: HelperID.allCases.count)
        func put<F>(_ id: HelperID, _ function: F) { table[id.rawValue] = unsafeBitCast(function, to: UnsafeRawPointer.self) }
        let memoryGrow: @convention(c) (Context, UInt32, UInt32) -> UInt32 = {
            Instance.owning($0).helperMemoryGrow($1, $2)
        }
        // Memory 0 is served from the VM context's base and length, which
        // every grow keeps current: going through the instance object costs
        // exclusivity checks and reference counting on each call, several
        // times the copy itself for the short copies compilers emit.
        let memoryFill: @convention(c) (Context, UInt32, UInt32, UInt32, UInt32) -> UInt32 = {
            if $1 == 0, let vmctx = $0 { return fillMemoryZero(vmctx, $2, $3, $4) }
            return Instance.owning($0).helperMemoryFill($1, $2, $3, $4)
        }
        let memoryCopy: @convention(c) (Context, UInt32, UInt32, UInt32, UInt32, UInt32) -> UInt32 = {
            if $1 == 0, $2 == 0, let vmctx = $0 { return copyMemoryZero(vmctx, $3, $4, $5) }
            return Instance.owning($0).helperMemoryCopy($1, $2, $3, $4, $5)
        }
        let memoryInit: @convention(c) (Context, UInt32, UInt32, UInt32, UInt32, UInt32) -> UInt32 = {
            Instance.owning($0).helperMemoryInit($1, $2, $3, $4, $5)
        }
        let dataDrop: @convention(c) (Context, UInt32) -> Void = {
            Instance.owning($0).helperDataDrop($1)
        }
        let tableGrow: @convention(c) (Context, UInt32, UInt32, Reference) -> UInt32 = {
            Instance.owning($0).helperTableGrow($1, $2, $3)
        }
        let tableFill: @convention(c) (Context, UInt32, UInt32, Reference, UInt32) -> UInt32 = {
            Instance.owning($0).helperTableFill($1, $2, $3, $4)
        }
        let tableCopy: @convention(c) (Context, UInt32, UInt32, UInt32, UInt32, UInt32) -> UInt32 = {
            Instance.owning($0).helperTableCopy($1, $2, $3, $4, $5)
        }
        let tableInit: @convention(c) (Context, UInt32, UInt32, UInt32, UInt32, UInt32) -> UInt32 = {
            Instance.owning($0).helperTableInit($1, $2, $3, $4, $5)
        }
        let elementDrop: @convention(c) (Context, UInt32) -> Void = {
            Instance.owning($0).helperElementDrop($1)
        }
        put(.memoryGrow, memoryGrow)
        put(.memoryFill, memoryFill)
        put(.memoryCopy, memoryCopy)
        put(.memoryInit, memoryInit)
        put(.dataDrop, dataDrop)
        put(.tableGrow, tableGrow)
        put(.tableFill, tableFill)
        put(.tableCopy, tableCopy)
        put(.tableInit, tableInit)
        put(.elementDrop, elementDrop)
        table[HelperID.raiseTrap.rawValue] = CodeExecutor.raiseTrapHelper
        let epochDeadline: @convention(c) (Context) -> UInt32 = {
            ExecutionLimits.owning($0)?.deadlineReached() ?? TrapCode.interrupted.rawValue
        }
        put(.epochDeadline, epochDeadline)
        return table
    }()

    static func memoryZero(_ vmctx: UnsafeMutableRawPointer) -> (base: UnsafeMutableRawPointer?, size: Int) {
        (vmctx.load(fromByteOffset: VMContextLayout.memoryBase, as: UnsafeMutableRawPointer?.self),
         Int(vmctx.load(fromByteOffset: VMContextLayout.memoryLength, as: UInt64.self)))
    }

    static func fillMemoryZero(_ vmctx: UnsafeMutableRawPointer, _ destination: UInt32, _ value: UInt32,
                               _ length: UInt32) -> UInt32 {
        let (base, size) = memoryZero(vmctx)
        guard inBounds(destination, length, size) else { return memoryTrap }
        if length > 0, let base { memset(base + Int(destination), Int32(value & 0xFF), Int(length)) }
        return 0
    }

    static func copyMemoryZero(_ vmctx: UnsafeMutableRawPointer, _ destination: UInt32, _ source: UInt32,
                               _ length: UInt32) -> UInt32 {
        let (base, size) = memoryZero(vmctx)
        guard inBounds(destination, length, size), inBounds(source, length, size) else { return memoryTrap }
        if length > 0, let base { memmove(base + Int(destination), base + Int(source), Int(length)) }
        return 0
    }

    static let memoryTrap = TrapCode.memoryOutOfBounds.rawValue
    static let tableTrap = TrapCode.tableOutOfBounds.rawValue

    /// `start + length <= size` without overflow.
    @inline(__always)
    static func inBounds(_ start: UInt32, _ length: UInt32, _ size: Int) -> Bool {
        UInt64(start) + UInt64(length) <= UInt64(size)
    }
}

extension Instance {
    func helperMemoryGrow(_ memory: UInt32, _ delta: UInt32) -> UInt32 {
        guard Int(memory) < memories.count, let old = memories[Int(memory)].grow(by: UInt64(delta)) else { return UInt32.max }
        return UInt32(old)
    }

    func helperMemoryFill(_ memory: UInt32, _ destination: UInt32, _ value: UInt32, _ length: UInt32) -> UInt32 {
        guard Int(memory) < memories.count else { return InstanceHelpers.memoryTrap }
        let target = memories[Int(memory)]
        guard InstanceHelpers.inBounds(destination, length, target.byteCount) else { return InstanceHelpers.memoryTrap }
        if length > 0 { memset(target.base + Int(destination), Int32(value & 0xFF), Int(length)) }
        return 0
    }

    func helperMemoryCopy(_ destinationMemory: UInt32, _ sourceMemory: UInt32,
                          _ destination: UInt32, _ source: UInt32, _ length: UInt32) -> UInt32 {
        guard Int(destinationMemory) < memories.count, Int(sourceMemory) < memories.count else { return InstanceHelpers.memoryTrap }
        let to = memories[Int(destinationMemory)], from = memories[Int(sourceMemory)]
        guard InstanceHelpers.inBounds(destination, length, to.byteCount),
              InstanceHelpers.inBounds(source, length, from.byteCount) else { return InstanceHelpers.memoryTrap }
        if length > 0 { memmove(to.base + Int(destination), from.base + Int(source), Int(length)) }
        return 0
    }

    func helperMemoryInit(_ memory: UInt32, _ segment: UInt32,
                          _ destination: UInt32, _ source: UInt32, _ length: UInt32) -> UInt32 {
        guard Int(memory) < memories.count, Int(segment) < dataSegments.count else { return InstanceHelpers.memoryTrap }
        let target = memories[Int(memory)]
        let contents = dataSegments[Int(segment)]
        guard InstanceHelpers.inBounds(source, length, contents.count),
              InstanceHelpers.inBounds(destination, length, target.byteCount) else { return InstanceHelpers.memoryTrap }
        if length > 0, let base = contents.baseAddress {
            (target.base + Int(destination)).copyMemory(from: base + Int(source), byteCount: Int(length))
        }
        return 0
    }

    func helperDataDrop(_ segment: UInt32) {
        guard Int(segment) < dataSegments.count else { return }
        dataSegments[Int(segment)] = UnsafeRawBufferPointer(start: nil, count: 0)
    }

    func helperTableGrow(_ table: UInt32, _ delta: UInt32, _ value: UInt64) -> UInt32 {
        guard Int(table) < tables.count, let old = tables[Int(table)].grow(by: UInt64(delta), bits: value) else { return UInt32.max }
        return UInt32(old)
    }

    func helperTableFill(_ table: UInt32, _ destination: UInt32, _ value: UInt64, _ length: UInt32) -> UInt32 {
        guard Int(table) < tables.count else { return InstanceHelpers.tableTrap }
        let target = tables[Int(table)]
        guard InstanceHelpers.inBounds(destination, length, target.count) else { return InstanceHelpers.tableTrap }
        if length > 0 { (target.elements + Int(destination)).update(repeating: value, count: Int(length)) }
        return 0
    }

    func helperTableCopy(_ destinationTable: UInt32, _ sourceTable: UInt32,
                         _ destination: UInt32, _ source: UInt32, _ length: UInt32) -> UInt32 {
        guard Int(destinationTable) < tables.count, Int(sourceTable) < tables.count else { return InstanceHelpers.tableTrap }
        let to = tables[Int(destinationTable)], from = tables[Int(sourceTable)]
        guard InstanceHelpers.inBounds(destination, length, to.count),
              InstanceHelpers.inBounds(source, length, from.count) else { return InstanceHelpers.tableTrap }
        if length > 0 { memmove(to.elements + Int(destination), from.elements + Int(source), Int(length) * 8) }
        return 0
    }

    func helperTableInit(_ table: UInt32, _ segment: UInt32,
                         _ destination: UInt32, _ source: UInt32, _ length: UInt32) -> UInt32 {
        guard Int(table) < tables.count, Int(segment) < elementSegments.count else { return InstanceHelpers.tableTrap }
        let target = tables[Int(table)]
        let items = elementSegments[Int(segment)]
        guard InstanceHelpers.inBounds(source, length, items.count),
              InstanceHelpers.inBounds(destination, length, target.count) else { return InstanceHelpers.tableTrap }
        if length > 0 {
            items.withUnsafeBufferPointer {
                (target.elements + Int(destination)).update(from: $0.baseAddress! + Int(source), count: Int(length))
            }
        }
        return 0
    }

    func helperElementDrop(_ segment: UInt32) {
        guard Int(segment) < elementSegments.count else { return }
        elementSegments[Int(segment)] = []
    }
}
