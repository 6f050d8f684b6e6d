// Entering hand-assembled machine code through the runtime's entry trampoline
// and getting traps back as Swift errors.
#if canImport(Glibc)
import Glibc
#endif
import CSwasmRuntime
import SwasmABI
import Testing
@testable import SwasmRuntime

private func trap(_ body: () throws -> Void) -> Trap? {
    do {
        try body()
        return nil
    } catch {
        return error as? Trap
    }
}

/// The thread is fine after a trap: not left on the alternate signal stack,
/// no fault signal left blocked, no activation left behind.
private func expectThreadIsClean(sourceLocation: SourceLocation = #_sourceLocation) {
    var stack = stack_t()
    #expect(sigaltstack(nil, &stack) == 0, sourceLocation: sourceLocation)
    #expect(stack.ss_flags & Int32(SS_ONSTACK) == 0, sourceLocation: sourceLocation)
    var mask = sigset_t()
    pthread_sigmask(SIG_BLOCK, nil, &mask)
    for signal in [SIGSEGV, SIGBUS, SIGFPE, SIGILL] {
        #expect(sigismember(&mask, signal) == 0, sourceLocation: sourceLocation)
    }
    #expect(!CodeExecutor.isInsideWasm, sourceLocation: sourceLocation)
}

@Suite struct ExecutionTests {
    init() {
        #expect(CodeExecutor.installSignalHandlers())
    }

    @Test func callReturnsResults() throws {
        let code = try MachineCode(Programs.add)
        #expect(try code.call([40, 2]) == [42, 2])
        #expect(try code.call([UInt64.max, 3]) == [2, 3])
        let vmctx = FakeVMContext()
        vmctx.stackLimit = 0x1234
        #expect(try code.call([1, 1], vmctx: vmctx)[0] == 2)
        #expect(vmctx.stackLimit == 0x1234, "the entry restores the previous stack limit")
        expectThreadIsClean()
    }

    @Test func unreachableUsesTheTrapTable() throws {
        let site = TrapSite(codeOffset: 2, code: .unreachable, bytecodeOffset: 0x1234, functionIndex: 7)
        let code = try MachineCode(Programs.unreachable, trapSites: [site],
                                   functionName: { $0 == 7 ? "seven" : nil })
        let error = trap { try code.call([]) }
        #expect(error?.code == .unreachable)
        #expect(error?.bytecodeOffset == 0x1234)
        #expect(error?.functionIndex == 7)
        #expect(error?.functionName == "seven")
        #expect(error.map { "\($0)" } == "wasm trap: unreachable executed in seven at offset 0x1234")
        expectThreadIsClean()
    }

    /// A frame chain that loops, or an rbp that points anywhere, ends the
    /// walk of the signal handler without a fault or a hang.
    @Test func badFrameChainsEndTheWalk() throws {
        let loop: [UInt8] = [
            0x48, 0x8D, 0x05, 0xF9, 0xFF, 0xFF, 0xFF,   // lea rax, [rip-7]: the code's start
            0x48, 0x83, 0xEC, 0x10,                     // sub rsp, 16
            0x48, 0x89, 0x44, 0x24, 0x08,               // mov [rsp+8], rax: a return address in registered code
            0x48, 0x89, 0x24, 0x24,                     // mov [rsp], rsp: a saved rbp pointing at itself
            0x48, 0x89, 0xE5,                           // mov rbp, rsp
            0x0F, 0x0B,                                 // ud2
        ]
        let code = try MachineCode(loop)
        #expect(trap { try code.call([]) }?.code == .unreachable)
        var pcs: UnsafePointer<UInt>?
        var startsAtTrap = false
        var omitted = 0
        var lastOmitted: UInt = 0
        #expect(swasm_last_backtrace(&pcs, &startsAtTrap, &omitted, &lastOmitted) == 2)
        #expect(startsAtTrap && omitted == 0)
        #expect(pcs?[0] == UInt(code.address) + 23 && pcs?[1] == UInt(code.address))
        for garbage: UInt64 in [0, 8, 0x7FFF_FFFF_FFF8, UInt64.max - 7] {
            var bytes: [UInt8] = [0x48, 0xBD]   // movabs rbp, garbage
            withUnsafeBytes(of: garbage.littleEndian) { bytes += $0 }
            let wild = try MachineCode(bytes + [0x0F, 0x0B])
            #expect(trap { try wild.call([]) }?.code == .unreachable)
            #expect(swasm_last_backtrace(&pcs, &startsAtTrap, &omitted, &lastOmitted) == 1)
        }
        expectThreadIsClean()
    }

    @Test func trapTableCodeWinsOverTheSignalDefault() throws {
        let site = TrapSite(codeOffset: 2, code: .indirectCallTypeMismatch, bytecodeOffset: 9, functionIndex: 0)
        let code = try MachineCode(Programs.unreachable, trapSites: [site])
        #expect(trap { try code.call([]) }?.code == .indirectCallTypeMismatch)
        // Without an entry the signal decides, and the location is unknown.
        let bare = try MachineCode(Programs.unreachable)
        let error = trap { try bare.call([]) }
        #expect(error?.code == .unreachable)
        #expect(error?.functionIndex == nil)
        #expect(error?.bytecodeOffset == nil)
    }

    @Test func guardRegionLoadIsOutOfBounds() throws {
        let memory = try LinearMemory(minimumPages: 1, maximumPages: 1)
        #expect(memory.write([1, 2, 3, 4, 5, 6, 7, 8], at: 8))
        let site = TrapSite(codeOffset: 3, code: .memoryOutOfBounds, bytecodeOffset: 0x40, functionIndex: 2)
        let code = try MachineCode(Programs.load, trapSites: [site])
        let base = UInt64(UInt(bitPattern: memory.base))
        #expect(try code.call([base + 8])[0] == 0x0807_0605_0403_0201)
        let error = trap { try code.call([base + 65536]) }
        #expect(error?.code == .memoryOutOfBounds)
        #expect(error?.bytecodeOffset == 0x40)
        #expect(error?.functionIndex == 2)
        // Far into the guard region, and with no table entry.
        let bare = try MachineCode(Programs.load)
        #expect(trap { try bare.call([base + (6 << 30)]) }?.code == .memoryOutOfBounds)
        #expect(try code.call([base + 8])[0] == 0x0807_0605_0403_0201)
        expectThreadIsClean()
    }

    @Test func divisionByZero() throws {
        let site = TrapSite(codeOffset: 5, code: .integerDivideByZero, bytecodeOffset: 0x55, functionIndex: 1)
        let code = try MachineCode(Programs.divide, trapSites: [site])
        #expect(try code.call([UInt64(bitPattern: -42), 5])[0] == UInt64(bitPattern: -8))
        let error = trap { try code.call([1, 0]) }
        #expect(error?.code == .integerDivideByZero)
        #expect(error?.bytecodeOffset == 0x55)
        // INT64_MIN / -1 also raises SIGFPE; unchecked it reads as the default.
        let bare = try MachineCode(Programs.divide)
        #expect(trap { try bare.call([UInt64(bitPattern: Int64.min), UInt64(bitPattern: -1)]) }?.code == .integerDivideByZero)
        #expect(try code.call([9, 3])[0] == 3)
        expectThreadIsClean()
    }

    @Test func stackLimitCheckStopsRecursion() throws {
        let site = TrapSite(codeOffset: 12, code: .callStackExhausted, bytecodeOffset: 3, functionIndex: 0)
        let code = try MachineCode(Programs.recurseWithLimitCheck, trapSites: [site])
        let vmctx = FakeVMContext()
        vmctx.stackLimit = 0xABCD
        for _ in 0..<3 {
            let error = trap { try code.call([], vmctx: vmctx) }
            #expect(error?.code == .callStackExhausted)
            #expect(error?.bytecodeOffset == 3)
            #expect(vmctx.stackLimit == 0xABCD)
        }
        // A smaller budget traps as well (and sooner).
        #expect(trap { try code.call([], vmctx: vmctx, maximumStackSize: 16 << 10) }?.code == .callStackExhausted)
        expectThreadIsClean()
    }

    @Test func realStackOverflowIsCallStackExhausted() throws {
        // No limit check at all: the recursion runs into the thread's guard
        // page, and the handler (on the alternate stack) sees a fault next to
        // the stack pointer.
        let code = try MachineCode(Programs.recurseUnchecked)
        let codes: [TrapCode?] = onNewThread(stackSize: 1 << 20) {
            (0..<3).map { _ in trap { try code.call([]) }?.code }
        }
        #expect(codes == [.callStackExhausted, .callStackExhausted, .callStackExhausted])
    }

    @Test func raiseTrapUnwindsToTheEntry() throws {
        let site = TrapSite(codeOffset: 16, code: .integerOverflow, bytecodeOffset: 0x99, functionIndex: 3)
        let code = try MachineCode(Programs.raiseTrap, trapSites: [site])
        let vmctx = FakeVMContext()
        for _ in 0..<3 {
            let error = trap { try code.call([], vmctx: vmctx) }
            #expect(error?.code == .integerOverflow)
            #expect(error?.bytecodeOffset == 0x99)
            #expect(error?.functionIndex == 3)
        }
        expectThreadIsClean()
    }

    @Test func tenThousandTrapsInALoop() throws {
        let memory = try LinearMemory(minimumPages: 1, maximumPages: 1)
        let outOfBounds = UInt64(UInt(bitPattern: memory.base)) + 65536
        let unreachable = try MachineCode(Programs.unreachable)
        let load = try MachineCode(Programs.load)
        let divide = try MachineCode(Programs.divide)
        let raise = try MachineCode(Programs.raiseTrap)
        let add = try MachineCode(Programs.add)
        let vmctx = FakeVMContext()
        var counts: [TrapCode: Int] = [:]
        for index in 0..<10_000 {
            let error: Trap?
            switch index % 4 {
            case 0: error = trap { try unreachable.call([]) }
            case 1: error = trap { try load.call([outOfBounds]) }
            case 2: error = trap { try divide.call([1, 0]) }
            default: error = trap { try raise.call([], vmctx: vmctx) }
            }
            if let error { counts[error.code, default: 0] += 1 }
        }
        #expect(counts == [.unreachable: 2500, .memoryOutOfBounds: 2500, .integerDivideByZero: 2500, .integerOverflow: 2500])
        #expect(try add.call([2, 3])[0] == 5)
        expectThreadIsClean()
    }

    @Test func trapsOnOtherThreads() throws {
        let unreachable = try MachineCode(Programs.unreachable)
        let divide = try MachineCode(Programs.divide)
        // Fresh threads, one after another: each gets (and frees) its own
        // alternate signal stack.
        for _ in 0..<20 {
            let result: (TrapCode?, TrapCode?, Bool) = onNewThread {
                let first = trap { try unreachable.call([]) }?.code
                let second = trap { try divide.call([1, 0]) }?.code
                var stack = stack_t()
                sigaltstack(nil, &stack)
                return (first, second, stack.ss_flags & Int32(SS_DISABLE) == 0)
            }
            #expect(result.0 == .unreachable)
            #expect(result.1 == .integerDivideByZero)
            #expect(result.2, "the thread got an alternate signal stack")
        }
        // Several at once.
        let results = UnsafeMutableBufferPointer<Int>.allocate(capacity: 4)
        defer { results.deallocate() }
        results.initialize(repeating: 0)
        var threads: [pthread_t] = []
        for slot in 0..<4 {
            let job = ClosureJob {
                var traps = 0
                for _ in 0..<500 where trap({ try unreachable.call([]) })?.code == .unreachable { traps += 1 }
                results[slot] = traps
            }
            threads.append(job.start())
        }
        for thread in threads { pthread_join(thread, nil) }
        #expect(Array(results) == [500, 500, 500, 500])
    }

    /// wasm -> host -> wasm: the inner trap returns to the inner entry, the
    /// outer code goes on and traps itself, into the outer entry.
    @Test func nestedEntryTrapsReturnToTheInnerEntry() throws {
        let inner = try MachineCode(Programs.unreachable,
                                    trapSites: [TrapSite(codeOffset: 2, code: .unreachable, bytecodeOffset: 0x11, functionIndex: 5)])
        let outer = try MachineCode(Programs.callHostThenTrap,
                                    trapSites: [TrapSite(codeOffset: 11, code: .tableOutOfBounds, bytecodeOffset: 0x77, functionIndex: 1)])
        let host: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt64>?) -> Void = { vmctx, args in
            let args = args!
            let entry = UnsafeRawPointer(bitPattern: UInt(args[2]))!
            let outerActivation = swasm_current_activation()
            let limitBefore = vmctx!.load(fromByteOffset: VMContextLayout.stackLimit, as: UInt64.self)
            do throws(Trap) {
                try CodeExecutor.enterWasm(trampoline: entry, vmctx: vmctx, arguments: nil)
                args[3] = 0
            } catch {
                args[3] = UInt64(error.code.rawValue)
                args[4] = UInt64(error.bytecodeOffset ?? 0)
            }
            let same = swasm_current_activation() == outerActivation && outerActivation != nil
            let limitAfter = vmctx!.load(fromByteOffset: VMContextLayout.stackLimit, as: UInt64.self)
            args[5] = same && limitBefore == limitAfter ? 1 : 0
        }
        let vmctx = FakeVMContext()
        let arguments = UnsafeMutablePointer<UInt64>.allocate(capacity: 6)
        defer { arguments.deallocate() }
        for _ in 0..<3 {
            arguments.initialize(repeating: 0, count: 6)
            arguments[1] = UInt64(UInt(bitPattern: unsafeBitCast(host, to: UnsafeRawPointer.self)))
            arguments[2] = inner.address
            let error = trap {
                try CodeExecutor.enterWasm(trampoline: outer.entry, vmctx: vmctx.pointer, arguments: arguments)
            }
            #expect(arguments[3] == UInt64(TrapCode.unreachable.rawValue), "inner trap seen by the host")
            #expect(arguments[4] == 0x11)
            #expect(arguments[5] == 1, "the outer activation and stack limit are back after the inner trap")
            #expect(error?.code == .tableOutOfBounds)
            #expect(error?.bytecodeOffset == 0x77)
            #expect(vmctx.stackLimit == 0)
        }
        expectThreadIsClean()
    }

    @Test func registryRejectsOverlapsAndForgetsUnregisteredCode() throws {
        var code: MachineCode? = try MachineCode(Programs.unreachable,
                                                 trapSites: [TrapSite(codeOffset: 2, code: .unreachable, bytecodeOffset: 1, functionIndex: 0)])
        let base = code!.entry
        #expect(CodeRegistration.isCompiledCode(base + 3))
        #expect(!CodeRegistration.isCompiledCode(base + 4))
        #expect(CodeRegistration.trapSite(at: base + 2)?.bytecodeOffset == 1)
        #expect(CodeRegistration.trapSite(at: base + 1) == nil)
        #expect(throws: CodeRegistrationError.self) {
            _ = try CodeRegistration(start: base + 1, length: 8, trapSites: [])
        }
        code = nil
        // Forgetting is checked on memory that stays allocated: a region
        // unmapped above could be mapped and registered again at once by a
        // test running in parallel.
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 16)
        defer { buffer.deallocate() }
        var registration: CodeRegistration? = try CodeRegistration(start: buffer, length: 16, trapSites: [])
        #expect(CodeRegistration.isCompiledCode(buffer + 3))
        _ = registration
        registration = nil
        #expect(!CodeRegistration.isCompiledCode(buffer + 3))
    }
}
