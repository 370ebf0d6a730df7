//===- PhiloxCheck.cpp - Philox-4x32-10 against its known answers --------===//
//
// daq-philox-check: the CPU kernels' Philox (lib/CpuKernels/Philox.h), in
// its scalar and its four-lane form, gives the first output word of
// Random123's known-answer vectors for philox4x32_10 (kat_vectors), whose
// counters and keys have all of their 32-bit words set: so the high words
// of the element index, the step and the seed are checked too, which no
// tensor in the tests is large enough to reach. Run by
// test/CpuKernels/philox.py.
//
//===----------------------------------------------------------------------===//

#include "Philox.h"

#include <cstdint>
#include <cstdio>

using mlir::daq::cpu::philoxFirst;
using mlir::daq::cpu::philoxUniform;

namespace {

typedef uint64_t Words4 __attribute__((vector_size(32)));

struct KnownAnswer {
  uint32_t counter[4], key[2], first;
};

// Random123 1.14, examples/kat_vectors, philox4x32 10 rounds.
constexpr KnownAnswer kAnswers[] = {
    {{0, 0, 0, 0}, {0, 0}, 0x6627E8D5},
    {{0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF},
     {0xFFFFFFFF, 0xFFFFFFFF},
     0x408F276D},
    {{0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344},
     {0xA4093822, 0x299F31D0},
     0xD16CFE09},
};

} // namespace

int main() {
  int failures = 0;
  for (const KnownAnswer &a : kAnswers) {
    uint64_t seed = uint64_t{a.key[1]} << 32 | a.key[0];
    uint64_t index = uint64_t{a.counter[1]} << 32 | a.counter[0];
    uint64_t step = uint64_t{a.counter[3]} << 32 | a.counter[2];
    uint64_t scalar = philoxFirst<uint64_t>(a.counter[0], a.counter[1],
                                            a.counter[2], a.counter[3], seed);
    // The same counter in every lane but one, which must differ.
    Words4 lanes = philoxFirst<Words4>(
        Words4{} + a.counter[0] + Words4{0, 0, 1, 0}, Words4{} + a.counter[1],
        Words4{} + a.counter[2], Words4{} + a.counter[3], seed);
    float u = philoxUniform(index, step, seed);
    float want = static_cast<float>(a.first >> 8) * 0x1p-24f;
    bool ok = scalar == a.first && lanes[0] == a.first && lanes[1] == a.first &&
              lanes[3] == a.first && lanes[2] != a.first && u == want;
    std::printf("%s: counter %08x %08x %08x %08x key %08x %08x -> %08x "
                "(scalar %08llx, lanes %08llx %08llx %08llx %08llx, u %a)\n",
                ok ? "ok" : "FAIL", a.counter[0], a.counter[1], a.counter[2],
                a.counter[3], a.key[0], a.key[1], a.first,
                static_cast<unsigned long long>(scalar),
                static_cast<unsigned long long>(lanes[0]),
                static_cast<unsigned long long>(lanes[1]),
                static_cast<unsigned long long>(lanes[2]),
                static_cast<unsigned long long>(lanes[3]), u);
    failures += !ok;
  }
  std::printf("%s\n", failures ? "FAIL" : "PASS");
  return failures ? 1 : 0;
}
