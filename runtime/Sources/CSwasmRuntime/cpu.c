// What the host CPU can run: the instruction-set extensions behind the
// `CPUFeatures` bits of the module metadata (SwasmABI/ModuleMetadata.swift).
#include "swasm_runtime.h"

#if defined(__x86_64__)
#include <cpuid.h>

uint32_t swasm_host_cpu_features(void) {
    unsigned int eax, ebx, ecx, edx;
    uint32_t features = 0;
    if (__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {
        if (ecx & bit_SSE4_1) features |= 1u << 0;
        if (ecx & bit_POPCNT) features |= 1u << 1;
    }
    if (__get_cpuid(0x80000001, &eax, &ebx, &ecx, &edx) && (ecx & bit_LZCNT)) features |= 1u << 2;
    if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & bit_BMI)) features |= 1u << 3;
    return features;
}
#elif defined(__aarch64__)
#include <sys/auxv.h>

// The kernel's hardware capability bits (asm/hwcap.h), spelled out so that
// the file builds against any libc's headers.
#define HWCAP_BIT_ATOMICS (1ul << 8)
#define HWCAP_BIT_LRCPC (1ul << 15)

uint32_t swasm_host_cpu_features(void) {
    unsigned long hwcap = getauxval(AT_HWCAP);
    uint32_t features = 0;
    if (hwcap & HWCAP_BIT_ATOMICS) features |= SWASM_CPU_AARCH64_LSE;
    if (hwcap & HWCAP_BIT_LRCPC) features |= SWASM_CPU_AARCH64_RCPC;
    return features;
}
#else
#error "swasm runtime: unsupported architecture"
#endif
