# RUN: llvm-objdump -d -C --no-show-raw-insn %daq_libs/CpuKernels/libDaqCpuKernels.a | FileCheck %s
"""The microkernel variants contain the instructions they are named after
(the AVX512-VNNI and AMX variants' two forms: int16 pairs and u8 x s8
quads; AMX's 32 x 32 block as four C tiles, two A and two B tiles, the
tile configuration kept across calls and released by releaseAMXTiles,
which every thread-pool chunk calls on any CPU and so holds no AMX or
vector instruction itself),
whatever CPU builds them: the AVX2, AVX512-VNNI and AMX microkernels are
compiled for their ISA (function-level target attributes) into the
baseline-x86-64 kernel library, and runtime dispatch picks one by CPUID. The
AVX512-VNNI and AMX variants cannot run on CPUs without those units; this
test checks their machine code here, and test/CpuKernels/qconv-kernel-*.py
runs them where lit finds the cpu-avx512-vnni / cpu-amx-int8 features.

The portable microkernel uses no AVX register (it runs on any x86-64).

CHECK-LABEL: <mlir::daq::cpu::microkernelPortable(mlir::daq::cpu::MicroTile const&)>:
CHECK-NOT: {{[yzt]mm}}
CHECK-LABEL: <mlir::daq::cpu::microkernelAVX2(mlir::daq::cpu::MicroTile const&)>:
CHECK: vpbroadcastd
CHECK: vpmaddwd {{.*}}%ymm
CHECK: vpaddd {{.*}}%ymm
CHECK-LABEL: <mlir::daq::cpu::microkernelAVX512VNNI(mlir::daq::cpu::MicroTile const&)>:
CHECK: vpdpwssd {{.*}}%zmm
CHECK-LABEL: <mlir::daq::cpu::microkernelAVX512VNNIBytes(mlir::daq::cpu::ByteTile const&)>:
CHECK: vpdpbusd {{.*}}%zmm
CHECK-LABEL: <mlir::daq::cpu::releaseAMXTiles()>:
CHECK-NOT: {{%[xyzt]mm|tilerelease}}
CHECK: retq
CHECK-LABEL: <mlir::daq::cpu::tileRelease()>:
CHECK-NEXT: tilerelease
CHECK-LABEL: <mlir::daq::cpu::microkernelAMX(mlir::daq::cpu::MicroTile const&)>:
CHECK: ldtilecfg
CHECK: tdpbssd %tmm6, %tmm4, %tmm0
CHECK: tdpbssd %tmm7, %tmm4, %tmm1
CHECK: tdpbssd %tmm6, %tmm5, %tmm2
CHECK: tdpbssd %tmm7, %tmm5, %tmm3
CHECK: tilestored %tmm3
CHECK-NOT: tilerelease
CHECK-LABEL: <mlir::daq::cpu::microkernelAMXBytes(mlir::daq::cpu::ByteTile const&)>:
CHECK: ldtilecfg
CHECK: tdpbusd %tmm6, %tmm4, %tmm0
CHECK: tdpbusd %tmm7, %tmm5, %tmm3
CHECK-NOT: tilerelease
CHECK-LABEL: <mlir::daq::cpu::interleave16AVX2(short const*, short const*, short*)>:
CHECK: vpunpcklwd
CHECK-LABEL: <mlir::daq::cpu::quantizeRowAVX2(float const*, long, float, short*)>:
CHECK: vroundps $0x8
"""
# RUN: llvm-objdump -d -C --no-show-raw-insn %daq_libs/CpuKernels/libDaqCpuKernels.a | FileCheck %s --check-prefix=MODEL
"""The same AVX512-VNNI and AMX microkernel source compiled against the
software ISA model (the test-only avx512-vnni-model and amx-model variants,
lib/CpuKernels/IsaModel.h) is baseline x86-64 code: no zmm, no tile
register, no AMX instruction.

MODEL-LABEL: <mlir::daq::cpu::isa_model::microkernelAVX512VNNI(mlir::daq::cpu::MicroTile const&)>:
MODEL-NOT: {{%[zt]mm|vpdpwssd}}
MODEL: {{^$}}
MODEL-LABEL: <mlir::daq::cpu::isa_model::microkernelAVX512VNNIBytes(mlir::daq::cpu::ByteTile const&)>:
MODEL-NOT: {{%[zt]mm|vpdpbusd}}
MODEL: {{^$}}
MODEL-LABEL: <mlir::daq::cpu::isa_model::microkernelAMX(mlir::daq::cpu::MicroTile const&)>:
MODEL-NOT: {{%[zt]mm|tdpbssd|ldtilecfg}}
MODEL: {{^$}}
MODEL-LABEL: <mlir::daq::cpu::isa_model::microkernelAMXBytes(mlir::daq::cpu::ByteTile const&)>:
MODEL-NOT: {{%[zt]mm|tdpbusd|ldtilecfg}}
MODEL: {{^$}}
"""
# RUN: llvm-objdump -d -C --no-show-raw-insn %daq_libs/CpuKernels/libDaqCpuKernels.a | FileCheck %s --check-prefix=STATS
"""The AVX-512 rows of the statistics kernels (StatsKernelsWide.inc, the
avx512-vnni and amx variants of the statistics kernels) are zmm code: f32 to
f64 conversions feeding the per-channel sums, f32 comparisons counting above
sigma into 32-bit lanes by masked adds (vpsubd of -1 where a compare is
true), and the quantizer's vrndscaleps / vpmovdb.

STATS-LABEL: <mlir::daq::cpu::momentsRowAVX512(float const*, long, double*, float*, int*)>:
STATS: vcvtps2pd {{.*}}%zmm
STATS: vaddpd {{.*}}%zmm
STATS-LABEL: <mlir::daq::cpu::countAboveAVX512(float const*, long, long, float const*, long, float const*, int, int*)>:
STATS: vcmp{{.*}}ps {{.*}}%zmm{{.*}}%k
STATS: vp{{add|sub}}d {{.*}}%zmm{{.*}}{%k
STATS-LABEL: <mlir::daq::cpu::quantizeRowsAVX512(
STATS: vrndscaleps $0x8, {{.*}}%zmm
STATS: vpmovdb %zmm
"""
