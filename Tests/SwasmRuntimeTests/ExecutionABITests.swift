import CSwasmRuntime
import SwasmABI
import Testing

/// The C side mirrors parts of SwasmABI as #defines (swasm_abi.h); they must agree.
@Suite struct ExecutionABITests {
    @Test func vmContextOffsetsMatch() {
        #expect(Int(SWASM_VMCTX_MEMORY_BASE) == VMContextLayout.memoryBase)
        #expect(Int(SWASM_VMCTX_MEMORY_LENGTH) == VMContextLayout.memoryLength)
        #expect(Int(SWASM_VMCTX_STACK_LIMIT) == VMContextLayout.stackLimit)
        #expect(Int(SWASM_VMCTX_HELPERS) == VMContextLayout.helpers)
        #expect(Int(SWASM_VMCTX_IMPORTED_FUNCTIONS) == VMContextLayout.importedFunctions)
        #expect(Int(SWASM_VMCTX_GLOBALS) == VMContextLayout.globals)
        #expect(Int(SWASM_VMCTX_TABLES) == VMContextLayout.tables)
        #expect(Int(SWASM_VMCTX_SIGNATURE_IDS) == VMContextLayout.signatureIDs)
        #expect(Int(SWASM_VMCTX_FUNCTION_REFERENCES) == VMContextLayout.functionReferences)
        #expect(Int(SWASM_VMCTX_INTERRUPT_FLAG) == VMContextLayout.interruptFlag)
        #expect(Int(SWASM_VMCTX_INSTANCE) == VMContextLayout.instance)
        #expect(Int(SWASM_VMCTX_EXECUTION_LIMITS) == VMContextLayout.executionLimits)
        #expect(Int(SWASM_VMCTX_HEADER_SIZE) == VMContextLayout.headerSize)
        #expect(Int(SWASM_HELPER_RAISE_TRAP) == HelperID.raiseTrap.rawValue)
        #expect(Int(SWASM_HELPER_EPOCH_DEADLINE) == HelperID.epochDeadline.rawValue)
        #expect(HelperID.allCases.count == Int(SWASM_HELPER_EPOCH_DEADLINE) + 1)
    }

    @Test func executionLimitsOffsetsMatch() {
        #expect(Int(SWASM_LIMITS_FUEL) == ExecutionLimitsLayout.fuel)
        #expect(Int(SWASM_LIMITS_EPOCH_DEADLINE) == ExecutionLimitsLayout.epochDeadline)
        #expect(Int(SWASM_LIMITS_EPOCH_COUNTER) == ExecutionLimitsLayout.epochCounter)
        #expect(Int(SWASM_LIMITS_SIZE) == ExecutionLimitsLayout.size)
    }

    /// The AArch64 bits the CPU probe (cpu.c) reports; the x86-64 ones are
    /// the cpuid bits it tests one by one.
    @Test func aarch64FeatureBitsMatch() {
        #expect(UInt32(SWASM_CPU_AARCH64_LSE) == CPUFeatures.aarch64LSE.rawValue)
        #expect(UInt32(SWASM_CPU_AARCH64_RCPC) == CPUFeatures.aarch64RCPC.rawValue)
    }

    /// Feature bits are per machine, and so are their names in errors.
    @Test func featureNamesArePerMachine() {
        let bits: CPUFeatures = [.sse41, .popcnt, CPUFeatures(rawValue: 1 << 5)]
        #expect(bits.names(machine: 62) == ["sse4.1", "popcnt", "bit5"])
        #expect(bits.names(machine: 183) == ["lse", "rcpc", "bit5"])
        #expect(bits.names == bits.names(machine: 62))
    }

    @Test func trapCodesMatch() {
        let mirrored: [TrapCode: Int32] = [
            .unreachable: SWASM_TRAP_UNREACHABLE,
            .memoryOutOfBounds: SWASM_TRAP_MEMORY_OUT_OF_BOUNDS,
            .tableOutOfBounds: SWASM_TRAP_TABLE_OUT_OF_BOUNDS,
            .indirectCallToNull: SWASM_TRAP_INDIRECT_CALL_TO_NULL,
            .indirectCallTypeMismatch: SWASM_TRAP_INDIRECT_CALL_TYPE_MISMATCH,
            .integerDivideByZero: SWASM_TRAP_INTEGER_DIVIDE_BY_ZERO,
            .integerOverflow: SWASM_TRAP_INTEGER_OVERFLOW,
            .invalidConversionToInteger: SWASM_TRAP_INVALID_CONVERSION_TO_INTEGER,
            .callStackExhausted: SWASM_TRAP_CALL_STACK_EXHAUSTED,
            .nullReference: SWASM_TRAP_NULL_REFERENCE,
            .exit: SWASM_TRAP_EXIT,
            .hostError: SWASM_TRAP_HOST_ERROR,
            .interrupted: SWASM_TRAP_INTERRUPTED,
            .outOfFuel: SWASM_TRAP_OUT_OF_FUEL,
        ]
        #expect(mirrored.count == TrapCode.allCases.count)
        for code in TrapCode.allCases {
            #expect(mirrored[code].map(UInt32.init) == code.rawValue, "\(code)")
        }
    }
}
