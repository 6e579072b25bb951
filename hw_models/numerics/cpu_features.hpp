#pragma once
// F16C detection for the SIMD fast paths. GCC accepts
// __builtin_cpu_supports("f16c"); clang 14 (the fuzz build, docs/fuzzing.md)
// rejects that feature string, so read CPUID leaf 1, ECX bit 29 there.
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace nibble::num {

inline bool cpu_supports_f16c() {
#if defined(__clang__) && (defined(__x86_64__) || defined(__i386__))
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  return __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && ((ecx >> 29) & 1u) != 0;
#else
  return __builtin_cpu_supports("f16c");
#endif
}

}  // namespace nibble::num
