# RUN: daq-philox-check | FileCheck %s
# CHECK: ok: counter 00000000 00000000 00000000 00000000 key 00000000 00000000 -> 6627e8d5
# CHECK: ok: counter ffffffff ffffffff ffffffff ffffffff key ffffffff ffffffff -> 408f276d
# CHECK: ok: counter 243f6a88 85a308d3 13198a2e 03707344 key a4093822 299f31d0 -> d16cfe09
# CHECK: PASS
"""The Philox-4x32-10 of the CPU quantization kernels' stochastic rounding
(lib/CpuKernels/Philox.h), scalar and on four lanes, gives Random123's known
first words, with every 32-bit word of the counter (element index, step) and
of the key (seed) set: the high words, which no test tensor is large enough
to reach through the kernels, are checked here
(test/lib/CpuKernels/PhiloxCheck.cpp)."""
