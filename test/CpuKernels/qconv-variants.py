# RUN: daq-qconv-variants-check --cases=40 | FileCheck %s
# RUN: daq-qconv-variants-check --cases=16 --variants=avx512-vnni-model,amx-model | FileCheck %s --check-prefix=MODEL
# CHECK-DAG: {{ok: avx2 equals portable bit for bit|skipped: avx2 \(not on this CPU\)}}
# CHECK-DAG: {{ok: avx512-vnni equals portable bit for bit|skipped: avx512-vnni \(not on this CPU\)}}
# CHECK-DAG: {{ok: amx equals portable bit for bit|skipped: amx \(not on this CPU\)}}
# CHECK: ok: portable equals the reference (int64 sums) on 120 calls, i8 and f32 operands
# CHECK: PASS
# MODEL: ok: avx512-vnni-model equals portable bit for bit on 16 geometries x 3 directions
# MODEL: ok: amx-model equals portable bit for bit on 16 geometries x 3 directions
# MODEL: ok: portable equals the reference (int64 sums)
# MODEL: PASS
"""Every INT8 convolution kernel variant this CPU runs (and the two that run
on the ISA model anywhere) equals the portable variant bit for bit, called
through the kernels' entry points with no JIT in between, on random
geometries, directions, operand types and clips
(test/lib/CpuKernels/QConvVariantsCheck.cpp), and the portable variant
equals the check's own int64 reference on every call, f32 operands
quantized element by element (so that a helper every variant shares, such
as a quantizing load, cannot be wrong in all of them unseen). The
comparison with the reference lowering is check_qconv_kernels.py's
(qconv-kernel-*.py); this one also runs on a host without LLVM
(scripts/gpu-check.sh --stage / --from)."""
