// The allocator checked by an independent liveness computation
// (AllocationChecker) on every function of the golden-file modules and the
// samples, with x86-64's register file and clobbers; and the checker's own
// failure path, on allocations broken by hand.
import Foundation
import SwasmCodegen
import SwasmCompiler
import SwasmIR
import Testing
import WasmModel
import WasmText

@Suite struct AllocationCheckTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var modules: [String] {
        let folders = ["Tests/filetests/wasm", "Tests/filetests/isa/x64", "Tests/filetests/run", "samples"]
        return folders.flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? [])
                .filter { $0.hasSuffix(".wat") && $0 != "invalid-add.wat" }.sorted().map { "\(folder)/\($0)" }
        }
    }

    static func functions(_ path: String, level: Int) throws -> [Function] {
        let source = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
        let module = try Validator.decodeAndValidate(try WasmText.assemble(source))
        var options = CompilerOptions(optimizationLevel: level, jobs: 1, verify: true)
        if source.contains(";; bounds-checks: explicit") { options.boundsChecks = .explicit }
        return try Compiler.optimizedIR(for: module, options: options)
    }

    @Test(arguments: modules)
    func x86AllocationsAreSound(_ path: String) throws {
        for level in [0, 2] {
            for function in try Self.functions(path, level: level) {
                let allocation = Self.x86Allocation(function)
                let problems = AllocationChecker.check(function, allocation, registers: X64ABI.registers, clobbers: X64ABI.clobbers,
                                                       temporaries: X64ABI.temporaries,
                                                       entryTemporaries: X64ABI.entryTemporaries(function))
                #expect(problems.isEmpty, "\(path) -O\(level) \(function.name): \(problems.prefix(5))")
            }
        }
    }

    /// The allocation compilation uses.
    static func x86Allocation(_ function: Function) -> Allocation { X64ABI.allocate(function) }

    /// The general registers selection once reserved for itself (rax, rcx,
    /// r11) are allocated in the golden modules: rcx and r11 to values, and
    /// all fourteen registers but rsp and rbp to values or temporaries (a
    /// temporary starts before its instruction's result, so it takes rax,
    /// first in allocation order, whenever rax is free). Their float code
    /// never needs more than a few registers: xmm14 and xmm15 are shown in
    /// use under pressure by X64TemporaryTests.
    @Test func onceReservedRegistersAreAllocated() throws {
        var used = Set<UInt8>(), values = Set<UInt8>()
        for path in Self.modules {
            for function in try Self.functions(path, level: 2) {
                let allocation = Self.x86Allocation(function)
                for (i, location) in allocation.locations.enumerated() {
                    guard case .register(let r) = location, function.type(of: Value(UInt32(i))).regClass == .general else { continue }
                    values.insert(r)
                }
                for index in function.instructions.indices { used.formUnion(allocation.temporaries(at: index).general) }
            }
        }
        used.formUnion(values)
        for register in [X64Reg.rcx, .r11] { #expect(values.contains(register.rawValue), "no value in \(register)") }
        #expect(used == Set(X64ABI.registers.classes.general.allocatable))
    }

    /// Two values live at once moved into one register, a value crossing
    /// a call moved into a register the call does not keep, a value moved
    /// into a register its instruction clobbers: each is reported.
    @Test func brokenAllocationsAreReported() throws {
        let text = """
            function %f(i64, i32, i32) -> (i32) {
                sig0 = (i64) -> i64
            block0(v0: i64, v1: i32, v2: i32):
                v3 = sdiv.i32 v1, v2
                v4 = call_ptr sig0 v0(v0)
                v5 = iadd.i32 v3, v1
                return v5
            }
            """
        let function = try Parser.parseFunction(text)
        let sound = Self.x86Allocation(function)
        #expect(AllocationChecker.check(function, sound, registers: X64ABI.registers, clobbers: X64ABI.clobbers,
                                        temporaries: X64ABI.temporaries,
                                        entryTemporaries: X64ABI.entryTemporaries(function)).isEmpty)

        var shared = sound
        shared.locations[2] = shared.locations[1]
        #expect(AllocationChecker.check(function, shared, registers: X64ABI.registers).contains { $0.contains("both live in") })

        var unpreserved = sound
        unpreserved.locations[3] = .register(X64Reg.rsi.rawValue)
        #expect(AllocationChecker.check(function, unpreserved, registers: X64ABI.registers)
            .contains { $0.contains("does not preserve") })

        var clobbered = sound
        clobbered.locations[1] = .register(X64Reg.rdx.rawValue)
        #expect(AllocationChecker.check(function, clobbered, registers: X64ABI.registers, clobbers: X64ABI.clobbers)
            .contains { $0.contains("clobbers") })
    }
}
