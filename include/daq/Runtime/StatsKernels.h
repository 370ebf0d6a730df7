//===- StatsKernels.h - CPU gradient statistics and quantization -*- C++
//-*-===//
//
// The runtime side of --convert-daq-stats-to-cpu-kernels: max-abs, the
// Magnitude-aware Clipping statistics and update, and nearest-even INT8
// quantization (one or both copies of quantize_grad in one pass), vectorized
// and on all cores.
//
// Every tensor operand is a rank-3 view [outer, channels, inner] of the op's
// operand (per tensor: [1, 1, elements]); clips are rank 1. Scalars that are
// f64 or f32 constants travel as the bit patterns of their values in i64.
//
//===----------------------------------------------------------------------===//

#ifndef DAQ_RUNTIME_STATSKERNELS_H
#define DAQ_RUNTIME_STATSKERNELS_H

#include "daq/Runtime/QConvKernels.h"

/// out[c] = max |x[:, c, :]| (NaN if any NaN).
extern "C" void _mlir_ciface_daq_cpu_max_abs(DaqMemRef<float, 3> *x,
                                             DaqMemRef<float, 1> *out,
                                             int64_t kernel);
/// One MCS step: out[0, c] = new clip, out[1, c] = 1.0 for bell-shaped
/// channels, 0.0 otherwise. `lambda` is an f64 bit pattern, `keep` and `take`
/// f32 bit patterns ((1 - k*A) and A rounded to f32).
extern "C" void _mlir_ciface_daq_cpu_mcs_clip(DaqMemRef<float, 3> *x,
                                              DaqMemRef<float, 1> *prevClip,
                                              DaqMemRef<float, 2> *out,
                                              int64_t lambda, int64_t keep,
                                              int64_t take, int64_t kernel);
/// The MCS steps of quantize_grad, per channel and per tensor, from the same
/// three passes: out[c] the new clip of channel c, out[C] the tensor's (its
/// f64 sums add the channels' partial sums, see StatsKernels.cpp).
extern "C" void _mlir_ciface_daq_cpu_mcs_clip2(DaqMemRef<float, 3> *x,
                                               DaqMemRef<float, 1> *prevChannel,
                                               DaqMemRef<float, 1> *prevTensor,
                                               DaqMemRef<float, 1> *out,
                                               int64_t lambda, int64_t keep,
                                               int64_t take, int64_t kernel);
/// Nearest-even codes of x with clip[c] (or clip[0] when it has one
/// element).
extern "C" void _mlir_ciface_daq_cpu_quantize(DaqMemRef<float, 3> *x,
                                              DaqMemRef<float, 1> *clip,
                                              DaqMemRef<int8_t, 3> *out,
                                              int64_t kernel);
/// Both copies of quantize_grad in one pass: `channelCodes` with the
/// per-channel clips, `tensorCodes` with the per-tensor clip.
extern "C" void _mlir_ciface_daq_cpu_quantize2(
    DaqMemRef<float, 3> *x, DaqMemRef<float, 1> *channelClip,
    DaqMemRef<float, 1> *tensorClip, DaqMemRef<int8_t, 3> *channelCodes,
    DaqMemRef<int8_t, 3> *tensorCodes, int64_t kernel);
/// quantize_grad with #daq.mcs and its state, nearest-even: the clips of
/// daq_cpu_mcs_clip2 into out (C + 1 values) and the codes of
/// daq_cpu_quantize2 with them, bit for bit. With an inner dimension > 1
/// (NCHW) in two passes over x: a channel's count above sigma and its
/// quantization share the second, the tensor's codes written with a clip
/// from a guess of its classification and written again if it was wrong.
extern "C" void _mlir_ciface_daq_cpu_quantize_grad_mcs(
    DaqMemRef<float, 3> *x, DaqMemRef<float, 1> *prevChannel,
    DaqMemRef<float, 1> *prevTensor, DaqMemRef<float, 1> *out,
    DaqMemRef<int8_t, 3> *channelCodes, DaqMemRef<int8_t, 3> *tensorCodes,
    int64_t lambda, int64_t keep, int64_t take, int64_t kernel);
/// daq_cpu_quantize and daq_cpu_quantize2 with stochastic rounding: element
/// (o, c, i) of the [outer, channels, inner] view, index (o C + c) I + i in
/// the tensor, rounds floor(v + u) with u from Philox-4x32-10 of (index,
/// step[0]) under `seed`, as the reference lowering does.
extern "C" void _mlir_ciface_daq_cpu_quantize_stochastic(
    DaqMemRef<float, 3> *x, DaqMemRef<float, 1> *clip,
    DaqMemRef<int64_t, 1> *step, DaqMemRef<int8_t, 3> *out, int64_t seed,
    int64_t kernel);
extern "C" void _mlir_ciface_daq_cpu_quantize2_stochastic(
    DaqMemRef<float, 3> *x, DaqMemRef<float, 1> *channelClip,
    DaqMemRef<float, 1> *tensorClip, DaqMemRef<int64_t, 1> *step,
    DaqMemRef<int8_t, 3> *channelCodes, DaqMemRef<int8_t, 3> *tensorCodes,
    int64_t seed, int64_t kernel);

#endif // DAQ_RUNTIME_STATSKERNELS_H
