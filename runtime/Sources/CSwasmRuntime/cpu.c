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
#else
uint32_t swasm_host_cpu_features(void) { return 0; }
#endif
