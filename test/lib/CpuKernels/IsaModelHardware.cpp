//===- IsaModelHardware.cpp - The real instructions, for the check --------===//

#include "IsaModelHardware.h"

#include <immintrin.h>

__attribute__((target("avx512f,avx512bw,avx512vnni"))) void
daq_test::hardwareDpwssd(const int32_t *src, const int16_t *a, const int16_t *b,
                         int32_t *out) {
  __m512i result = _mm512_dpwssd_epi32(
      _mm512_loadu_si512(src), _mm512_loadu_si512(a), _mm512_loadu_si512(b));
  _mm512_storeu_si512(out, result);
}

__attribute__((target("avx512f,avx512bw,avx512vnni"))) void
daq_test::hardwareDpbusd(const int32_t *src, const uint8_t *a, const int8_t *b,
                         int32_t *out, int32_t *sum) {
  __m512i result = _mm512_dpbusd_epi32(
      _mm512_loadu_si512(src), _mm512_loadu_si512(a), _mm512_loadu_si512(b));
  _mm512_storeu_si512(out, result);
  _mm512_storeu_si512(sum, _mm512_add_epi32(result, _mm512_loadu_si512(src)));
}

__attribute__((target("avx512f,avx512bw"))) void
daq_test::hardwareMaskzLoadu8(uint64_t k, const uint8_t *a, uint8_t *out) {
  _mm512_storeu_si512(out, _mm512_maskz_loadu_epi8(k, a));
}

__attribute__((target("amx-tile,amx-int8"))) void
daq_test::hardwareTileDotProduct(const void *config, const void *a,
                                 int64_t strideA, const void *b,
                                 int64_t strideB, void *c, int64_t strideC,
                                 bool unsignedA) {
  _tile_loadconfig(config);
  _tile_loadd(0, c, strideC);
  _tile_loadd(1, a, strideA);
  _tile_loadd(2, b, strideB);
  if (unsignedA)
    _tile_dpbusd(0, 1, 2);
  else
    _tile_dpbssd(0, 1, 2);
  _tile_stored(0, c, strideC);
  _tile_release();
}
