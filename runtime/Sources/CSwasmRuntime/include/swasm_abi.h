// The parts of the ABI contract (Sources/SwasmABI) that the C and assembly
// side of the runtime uses, mirrored as #defines. SwasmABI is the source of
// truth; Tests/SwasmRuntimeTests/ExecutionABITests.swift checks that both agree.
#pragma once

// VMContextLayout: byte offsets in the VM context header.
#define SWASM_VMCTX_MEMORY_BASE 0
#define SWASM_VMCTX_MEMORY_LENGTH 8
#define SWASM_VMCTX_STACK_LIMIT 16
#define SWASM_VMCTX_HELPERS 24
#define SWASM_VMCTX_IMPORTED_FUNCTIONS 32
#define SWASM_VMCTX_GLOBALS 40
#define SWASM_VMCTX_TABLES 48
#define SWASM_VMCTX_SIGNATURE_IDS 56
#define SWASM_VMCTX_FUNCTION_REFERENCES 64
#define SWASM_VMCTX_INTERRUPT_FLAG 72
#define SWASM_VMCTX_INSTANCE 80
#define SWASM_VMCTX_EXECUTION_LIMITS 88
#define SWASM_VMCTX_HEADER_SIZE 96

// HelperID: indices of `raiseTrap` and `epochDeadline` in the helper table.
#define SWASM_HELPER_RAISE_TRAP 10
#define SWASM_HELPER_EPOCH_DEADLINE 11

// ExecutionLimitsLayout: byte offsets in the execution limits block that
// `SWASM_VMCTX_EXECUTION_LIMITS` points to (fuel, epoch deadline).
#define SWASM_LIMITS_FUEL 0
#define SWASM_LIMITS_EPOCH_DEADLINE 8
#define SWASM_LIMITS_EPOCH_COUNTER 16
#define SWASM_LIMITS_SIZE 32

// TrapCode raw values.
#define SWASM_TRAP_UNREACHABLE 1
#define SWASM_TRAP_MEMORY_OUT_OF_BOUNDS 2
#define SWASM_TRAP_TABLE_OUT_OF_BOUNDS 3
#define SWASM_TRAP_INDIRECT_CALL_TO_NULL 4
#define SWASM_TRAP_INDIRECT_CALL_TYPE_MISMATCH 5
#define SWASM_TRAP_INTEGER_DIVIDE_BY_ZERO 6
#define SWASM_TRAP_INTEGER_OVERFLOW 7
#define SWASM_TRAP_INVALID_CONVERSION_TO_INTEGER 8
#define SWASM_TRAP_CALL_STACK_EXHAUSTED 9
#define SWASM_TRAP_NULL_REFERENCE 10
#define SWASM_TRAP_EXIT 11
#define SWASM_TRAP_HOST_ERROR 12
#define SWASM_TRAP_INTERRUPTED 13
#define SWASM_TRAP_OUT_OF_FUEL 14

// CPUFeatures bits on AArch64 (bits are per machine): LSE atomics (`ldadd`,
// `cas`, `swp`: FEAT_LSE) and load-acquire RCpc (`ldapr`: FEAT_LRCPC).
#define SWASM_CPU_AARCH64_LSE (1u << 0)
#define SWASM_CPU_AARCH64_RCPC (1u << 1)
