//===- IsaModelHardware.h - The real instructions, for checks ---*- C++ -*-===//
//
// The instructions that lib/CpuKernels/IsaModel.h models, run on the CPU
// (callers check CPUID first), so that daq-isa-model-check compares the
// model with the hardware where there is hardware to compare with.
//
//===----------------------------------------------------------------------===//

#ifndef DAQ_TEST_LIB_CPUKERNELS_ISAMODELHARDWARE_H
#define DAQ_TEST_LIB_CPUKERNELS_ISAMODELHARDWARE_H

#include <cstdint>

namespace daq_test {

/// out[j] = vpdpwssd(src, a, b) lane j (a, b: 32 int16 each).
void hardwareDpwssd(const int32_t *src, const int16_t *a, const int16_t *b,
                    int32_t *out);

/// out[j] = vpdpbusd(src, a, b) lane j (a: 64 uint8, b: 64 int8);
/// vpaddd(out, src) in `sum`.
void hardwareDpbusd(const int32_t *src, const uint8_t *a, const int8_t *b,
                    int32_t *out, int32_t *sum);

/// out = vmovdqu8 zmm{k}{z}, [a] (zero where k's bit is clear).
void hardwareMaskzLoadu8(uint64_t k, const uint8_t *a, uint8_t *out);

/// ldtilecfg `config`; tileloadd tmm0 <- c, tmm1 <- a, tmm2 <- b;
/// tdpbssd (tdpbusd when `unsignedA`) tmm0, tmm1, tmm2; tilestored tmm0 ->
/// c; tilerelease.
void hardwareTileDotProduct(const void *config, const void *a, int64_t strideA,
                            const void *b, int64_t strideB, void *c,
                            int64_t strideC, bool unsignedA);

} // namespace daq_test

#endif // DAQ_TEST_LIB_CPUKERNELS_ISAMODELHARDWARE_H
